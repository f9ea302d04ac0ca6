"""Process 7, people: workload, morale, quits and newcomers.

Workload (books over the staffing plan, vacancy cover, CRM busywork, campaign spikes, managers'
escalation backlog), powerlessness (own customers' issues stuck above one's authority) and angry
customers set morale; low morale raises quits; vacant positions are filled by newcomers after
the hiring delay. Formulas: ``sim.mechanisms.people`` and ``learning`` (unit means).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import learning, people
from sim.state import NEVER
from sim.structures import SALES, SERVICE

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "people"


@dataclass(frozen=True)
class PeopleWeek:
    """What the people process hands on.

    Attributes:
        quits: People who quit this week.
        quits_front: Of them, front-line people.
        hired: Newcomers who started this week.
    """

    quits: int
    quits_front: int
    hired: int


def step(ctx: Context, week: Week) -> PeopleWeek:
    """Workload, morale, quits and newcomers."""
    st, sc, R = ctx.state, ctx.scenario, ctx.streams
    e, c, lv = st.emp, st.cust, st.levers
    pp = sc.people
    start, b = week.programme, week.customers.books
    o, h, act = c.owner, c.handler, c.active
    is_sales, is_service = e.role == SALES, e.role == SERVICE
    book_o = b.book_owner.astype(float)
    book_h = b.book_handler.astype(float)
    book = np.where(is_sales, book_o, np.where(is_service, book_h, 0.0))
    ref = np.where(is_sales, ctx.ref_book[SALES], np.where(is_service, ctx.ref_book[SERVICE], 0.0))
    ref = ref * e.fte  # a part-timer's planned book is in proportion to their hours
    e.workload = people.workload(
        book,
        ref,
        learning.unit_means((~e.filled).astype(float), e.unit, e.front.astype(float)),
        start.usage * pp.busywork * (1.0 - start.data_use),
        np.where(is_sales, week.sales.flood_load, 0.0),
        e.front,
        e.backlog,
        week.decisions.capacity,
        p=pp,
    )
    e.workload = e.workload + week.decisions.overtime  # managers' longer hours on a backlog
    overload = np.maximum(e.workload / sc.people.workload_norm - 1.0, 0.0)
    open_ = np.flatnonzero(c.issue_open & act)
    h_open, sev_open = h[open_], c.issue_severity[open_]
    n_stuck = np.bincount(h_open[sev_open > e.authority[h_open]], minlength=e.n)
    n_open = np.bincount(h_open, minlength=e.n)
    e.powerless = n_stuck / (1.0 + n_open)
    unhappy = act & (c.satisfaction < sc.customers.unhappy_line)
    n_unhappy = np.bincount(o[unhappy], minlength=e.n) + np.bincount(h[unhappy], minlength=e.n)
    angry_share = people.share_of(n_unhappy, book_o + book_h)
    supportive_manager, climate = week.learning.supportive_manager, week.learning.climate
    target = people.morale_target(overload, e.powerless, angry_share, supportive_manager, p=pp)
    e.morale = e.morale + pp.morale_drift * (target - e.morale)
    r_p = R["people"]
    hazard = people.quit_hazard(e.morale, pp.base_quit_annual, e.front, p=pp)
    # other staff (finance, engineering, ...) do not quit in the model: its turnover is driven by
    # customer workload and anger, which they do not see (docs/ODD.md 8)
    hazard = np.where(e.other, 0.0, hazard)
    q = people.quits(e.filled, hazard, rng=r_p)
    e.filled &= ~q
    # a leaver takes the relationship and know-how with them: their customers' satisfaction
    # falls by the loss, softened by a complete CRM record (applied once per leaver; a customer
    # whose owner and handler both leave loses twice). No draws: streams stay aligned.
    lost = act & (q[o] | q[h])
    if lost.any():
        n_lost = q[o[lost]].astype(float) + q[h[lost]].astype(float)
        c.satisfaction[lost] = np.clip(
            c.satisfaction[lost] - n_lost * people.relationship_loss(c.record[lost], p=pp),
            0.0,
            1.0,
        )
    e.vacant_weeks[q] = sc.people.hiring_delay_weeks
    e.adopted &= ~q
    e.usage[q] = 0.0
    e.habit[q] = 0.0  # a leaver takes the routine with them
    e.trained &= ~q  # and their training: a newcomer waits for the next training slot
    e.trained_week[q] = NEVER
    e.champion &= ~q
    # newcomers: one fresh draw per position every week keeps streams aligned; their orientation
    # is the hiring pool's, which socialisation pulls towards the local norm (docs/ODD.md 8.E)
    new_orient = np.clip(
        r_p.normal(pp.hiring_pool_orientation, pp.newcomer_orientation_sd, e.n), 0, 1
    )
    new_thr = r_p.normal(sc.crm.threshold_mean, sc.crm.threshold_sd, e.n)
    new_aff = r_p.normal(0.0, sc.adoption.affinity_sd, e.n)
    # belief dispositions from their own stream (added later: the people stream is unchanged)
    r_d = ctx.streams["dispositions"]
    new_useful_d = r_d.standard_normal(e.n)
    new_ease_d = r_d.standard_normal(e.n)
    new_style = r_p.random(e.n)  # kept, so a move of supportive_leadership can re-sort styles
    new_sup = new_style < lv.supportive_leadership  # the share in force (lagged, ODD 8.G)
    hire = ~e.filled & (e.vacant_weeks <= 0) & ~q
    e.vacant_weeks = np.where(~e.filled & ~hire, np.maximum(e.vacant_weeks - 1, 0), 0)
    e.filled |= hire
    e.skill = np.where(
        hire, sc.people.newcomer_skill, people.skill_growth(e.skill, sc.people.learning_weeks)
    )
    e.orientation = np.where(hire, new_orient, e.orientation)
    e.threshold = np.where(hire, new_thr, e.threshold)
    e.affinity = np.where(hire, new_aff, e.affinity)
    e.useful_disposition = np.where(hire, new_useful_d, e.useful_disposition)
    e.ease_disposition = np.where(hire, new_ease_d, e.ease_disposition)
    e.safety = np.where(hire, climate, e.safety)
    e.morale = np.where(hire, pp.newcomer_morale, e.morale)
    e.supportive = np.where(hire, new_sup & e.leader, e.supportive)
    e.style = np.where(hire, new_style, e.style)
    e.tenure = np.where(hire, 0, e.tenure + e.filled)
    # newcomers bring their own practice; drawn for the hires only, from a stream of their
    # own, so that how many are hired cannot shift any other draw
    hired = np.flatnonzero(hire)
    e.beliefs[hired] = R["newcomers"].integers(
        -1, 2, size=(hired.shape[0], e.beliefs.shape[1]), dtype=np.int8
    )
    if lv.anchored and start.live:
        # anchored: newcomers are taught the CRM as "how we work here"
        e.adopted |= hire & e.front
        e.trained_week = np.where(hire & e.front & ~e.trained, st.week, e.trained_week)
        e.trained |= hire & e.front
        e.usage = np.where(hire & e.front, pp.anchored_usage, e.usage)
    return PeopleWeek(
        quits=int(q.sum()), quits_front=int((q & e.front).sum()), hired=int(hire.sum())
    )
