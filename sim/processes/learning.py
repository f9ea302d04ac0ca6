"""Process 5, learning: problems met, reported and fixed; safety; culture; the playbook.

Front-line staff meet process problems and report them in proportion to felt safety; reported
problems are fixed in proportion to responsiveness; new problems arise; safety drifts to the
team climate; customer orientation is socialised; March's (1991) playbook cycle runs.
Formulas: ``sim.mechanisms.learning`` and ``playbook``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import learning, playbook

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "learning"


@dataclass(frozen=True)
class LearningWeek:
    """What learning hands on.

    Attributes:
        reported: Distinct problems reported this week.
        fixed: Reported problems fixed this week.
        supportive_manager: (n,) 1.0 where a person's manager coaches (or they have none).
        climate: (n,) the safety climate each person's felt safety drifts towards.
    """

    reported: int
    fixed: int
    supportive_manager: np.ndarray
    climate: np.ndarray


def step(ctx: Context, week: Week) -> LearningWeek:
    """Problems met, reported (safety) and fixed (responsiveness); culture; the playbook."""
    st, sc, R = ctx.state, ctx.scenario, ctx.streams
    e, lv, org = st.emp, st.levers, st.org
    front_f = week.programme.front_f
    r_l = R["learning"]
    lp = sc.learning
    _, reported = learning.encounter_and_report(
        front_f,
        e.safety,
        org.problems_latent,
        org.problems_queue,
        org.problems_initial,
        rng=r_l,
        p=lp,
    )
    org.problems_queue += reported
    queue_before = org.problems_queue
    fixed = learning.fix_problems(org.problems_queue, lv.responsiveness, rng=r_l, p=lp)
    org.problems_queue -= fixed
    org.problems_latent = max(org.problems_latent - fixed, 0.0)
    org.problems_latent += learning.new_problems(
        lp.turbulence_problems, rng=r_l, scale=learning.problem_scale(int(e.front.sum()), p=lp)
    )
    org.voice_efficacy = learning.voice_efficacy(org.voice_efficacy, fixed, queue_before, p=lp)
    m = np.maximum(e.manager, 0)
    supportive_manager = np.where(e.manager >= 0, e.supportive[m], True).astype(float)
    climate = learning.safety_climate(
        lv.psychological_safety, supportive_manager, org.voice_efficacy, p=lp
    )
    e.safety = e.safety + lp.safety_drift * (climate - e.safety)
    norm = learning.orientation_norm(
        learning.unit_means(e.orientation, e.unit, e.filled.astype(float)),
        np.where(e.manager >= 0, e.orientation[m], e.orientation),
        lv.orientation_norm,
        p=lp,
    )
    e.orientation = learning.socialise(
        e.orientation, norm, lv.socialisation, e.tenure, p=lp
    )
    org.reality, org.code, e.beliefs = playbook.playbook_week(
        org.reality,
        org.code,
        e.beliefs,
        front_f,
        learning.playbook_rate(
            lp.playbook_p1,
            lv.socialisation,
            e.tenure,
            sc.people.newcomer_socialisation_boost,
            p=lp,
        ),
        lp.playbook_p2 * lv.responsiveness,
        sc.culture.market_turbulence,
        rng=R["playbook"],
        panel=playbook.reference_panel(e.front, lp.playbook_reference_people),
    )
    return LearningWeek(
        reported=reported, fixed=fixed, supportive_manager=supportive_manager, climate=climate
    )
