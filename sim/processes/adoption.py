"""Process 6, adoption: intention, the Bass/threshold adoption step and usage.

Once the CRM is live: the rollout trains (and gives access to) a bounded number of people a
week, managers first, then team by team (``crm.rollout_weeks``), and the project follows each
person up for ``crm.reinforcement_weeks`` after their training; intention from usefulness (the
tool, what others log, one's own records, data use) and ease of use as each person believes them
(their own disposition around what the organisation shows; ``adoption.own_belief``), social influence (peers, the
manager's example, executives' words),
incentives, orientation, urgency and affinity; the Bass/Granovetter adoption step (with the
mandated trial while the project reinforces use); usage moves towards what intention and the
facilitating conditions (executive commitment's resources, the project team) sustain: UTAUT's
facilitating conditions act on use, not on intention. Programme effects (urgency, quick
wins) fade every week. Formulas: ``sim.mechanisms.adoption``, ``crm_records``, ``leadership``,
``incentives`` and ``people`` (shares); their coefficients: scenario section ``adoption``
(``sim.coefficients.adoption``), read from the scenario in force every week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import adoption, crm_records, incentives, leadership, people

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "adoption"


def step(ctx: Context, week: Week) -> None:
    """Adoption and usage this week (state only: nothing is handed on)."""
    st, crm, R = ctx.state, ctx.scenario.crm, ctx.streams
    p = ctx.scenario.adoption
    e, c, lv, org = st.emp, st.cust, st.levers, st.org
    start = week.programme
    if not start.live:
        R["adoption"].random(e.n)  # keep the stream aligned with the paired run
    else:
        b = week.customers.books
        book = b.book_owner + b.book_handler
        rec_act = c.record[b.act]
        rec = np.bincount(b.owner_act, weights=rec_act, minlength=e.n)
        rec += np.bincount(b.handler_act, weights=rec_act, minlength=e.n)
        front_f = start.front_f
        useful = crm_records.perceived_usefulness(
            crm.tool_quality,
            float(start.usage[front_f].mean()) if front_f.any() else 0.0,
            people.share_of(rec, book),
            start.data_use,
            lv.vision + lv.quick_win_boost,
            p=p,
        )
        ease = adoption.ease_of_use(
            crm.tool_quality,
            crm.training,
            e.skill,
            # guarded as in learning.service_quality: a scenario may start with no problems
            org.problems_latent / max(org.problems_initial, 1.0),
            lv.communication,
            p=p,
        )
        # the rollout trains a bounded number a week (managers first, then team by team);
        # the guiding coalition is trained with the first wave. Only the trained have access.
        trained = e.trained | (e.champion & e.filled)
        trained = adoption.train_step(
            trained,
            e.filled & ~trained,
            adoption.training_order(e.front, e.manager),
            crm.rollout_weeks,
            e.n,
        )
        e.trained_week = np.where(trained & ~e.trained, st.week, e.trained_week)
        e.trained = trained
        # the project follows each wave up for crm.reinforcement_weeks after its training
        # (until the project ends); a consolidation step reinforces everyone's use
        reinforced = start.reinforcing & (
            (st.week < e.trained_week + crm.reinforcement_weeks) | (st.week < lv.consolidate_until)
        )
        users = e.adopted & e.filled
        expo = adoption.exposure(e.adjacency, users, e.degree)
        social = adoption.social_influence(
            expo,
            leadership.manager_example(e.manager, start.usage, e.supportive, e.filled, p=p),
            lv.executive_support,
            p=p,
        )
        facil = adoption.facilitating_conditions(
            lv.executive_commitment, reinforced, crm.training, p=p
        )
        # each person's own beliefs around what the organisation shows them (docs/ODD.md 8.D)
        e.usefulness = adoption.own_belief(useful, p.usefulness_belief_sd * e.useful_disposition)
        e.ease = adoption.own_belief(ease, p.ease_belief_sd * e.ease_disposition)
        e.social = social
        e.intention = adoption.intention(
            e.usefulness,
            e.ease,
            social,
            incentives.crm_incentive(lv.incentive_alignment),
            e.orientation,
            lv.urgency,
            e.affinity,
            p=p,
        )
        adopted = adoption.adopt_step(
            users,
            adoption.own_hazard(
                crm.innovation, e.intention, lv.urgency, reinforced, crm.training, p=p
            ),
            crm.imitation * (p.imitation_base + e.intention),
            expo,
            e.threshold - p.threshold_communication * lv.communication,
            rng=R["adoption"],
        )
        adopted = users | (adopted & e.trained)  # no access before training
        adopted |= e.champion
        e.usage, e.adopted = adoption.update_usage(
            e.usage,
            adopted & e.filled,
            e.intention,
            reinforcing=reinforced,
            anchored=lv.anchored,
            habit_decay=crm.habit_decay,
            training=crm.training,
            facilitating=facil,
            habit=e.habit,
            peer_usage=adoption.exposure(e.adjacency, start.usage, e.degree),
            p=p,
        )
        champ = e.champion & e.filled
        e.usage[champ] = np.maximum(e.usage[champ], p.champion_usage)
        e.adopted |= champ
        e.habit = adoption.update_habit(e.habit, e.usage, p=p)
    lv.urgency *= ctx.scenario.change_programme.urgency_retention
    lv.quick_win_boost *= ctx.scenario.change_programme.quick_win_retention
