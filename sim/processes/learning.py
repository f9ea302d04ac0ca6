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
TURBULENCE = 0.3  # new process problems per week from a changing market
PLAYBOOK_P1 = 0.1  # weekly socialisation rate at full culture strength (March's p1)
PLAYBOOK_P2 = 0.02  # weekly code learning rate at full responsiveness (March's p2)


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
    _, reported = learning.encounter_and_report(
        front_f,
        e.safety,
        org.problems_latent,
        org.problems_queue,
        org.problems_initial,
        rng=r_l,
    )
    org.problems_queue += reported
    queue_before = org.problems_queue
    fixed = learning.fix_problems(org.problems_queue, lv.responsiveness, rng=r_l)
    org.problems_queue -= fixed
    org.problems_latent = max(org.problems_latent - fixed, 0.0)
    org.problems_latent += learning.new_problems(TURBULENCE, rng=r_l)
    org.voice_efficacy = learning.voice_efficacy(org.voice_efficacy, fixed, queue_before)
    m = np.maximum(e.manager, 0)
    supportive_manager = np.where(e.manager >= 0, e.supportive[m], True).astype(float)
    climate = learning.safety_climate(
        lv.psychological_safety, supportive_manager, org.voice_efficacy
    )
    e.safety = e.safety + 0.1 * (climate - e.safety)
    norm = learning.orientation_norm(
        learning.unit_means(e.orientation, e.unit, e.filled.astype(float)),
        np.where(e.manager >= 0, e.orientation[m], e.orientation),
        lv.orientation_norm,
    )
    e.orientation = learning.socialise(e.orientation, norm, sc.culture.socialisation, e.tenure)
    org.reality, org.code, e.beliefs = playbook.playbook_week(
        org.reality,
        org.code,
        e.beliefs,
        front_f,
        PLAYBOOK_P1 * sc.culture.socialisation,
        PLAYBOOK_P2 * lv.responsiveness,
        sc.culture.market_turbulence,
        rng=R["playbook"],
    )
    return LearningWeek(
        reported=reported, fixed=fixed, supportive_manager=supportive_manager, climate=climate
    )
