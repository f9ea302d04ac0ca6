"""Process 2, issues and decisions: new issues, first contact, escalation and waiting.

New issues arrive; an information request is settled at first contact if the handler has the
facts (skill, know-how, service quality, the CRM or the other unit); a decision is taken by the
first position on the handler's line with enough authority, after queueing at every manager on
the way (decision rights). Issue interactions are logged in the CRM. Formulas:
``sim.mechanisms.customers`` (arrivals, waiting), ``escalation``, ``silos`` (permeability, facts
at hand), ``playbook`` (know-how) and ``crm_records`` (logging).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import crm_records, customers, escalation, playbook, silos

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "decisions"
#: Practice knowledge of an acting cover for a vacant handler's post: that of someone whose beliefs
#: are uniform on {-1, 0, +1} (a newcomer's draw, sim/processes/people.py), who matches what works
#: (+1 or -1) on 1 dimension in 3. Derived, so not a parameter.
COVER_PRACTICE = 1 / 3


@dataclass(frozen=True)
class DecisionsWeek:
    """What issue handling hands on.

    Attributes:
        active_start: Customers with us at the start of the week.
        perm: (capacity,) chance that what one unit knows of a customer reaches the other.
        capacity: (n,) escalated decisions each position clears per week as planned.
        overtime: (n,) extra workload of managers stretching their hours to a backlog.
        arrivals: (n,) escalated decisions that reached each position's queue this week (read by
            the app's org view to show where decisions wait; no process reads it).
        delta: (capacity,) satisfaction change from this week's issue experiences.
        latency_mean: Mean days to a decision this week (NaN with none).
        n_new: New issues this week.
        n_fcr: Of them, settled at first contact.
        n_escalated: Of them, escalated above the handler.
    """

    active_start: int
    perm: np.ndarray
    capacity: np.ndarray
    overtime: np.ndarray
    arrivals: np.ndarray
    delta: np.ndarray
    latency_mean: float
    n_new: int
    n_fcr: int
    n_escalated: int


def step(ctx: Context, week: Week) -> DecisionsWeek:
    """New issues, first contact and escalation (decision rights), and waiting issues."""
    st, sc, R = ctx.state, ctx.scenario, ctx.streams
    p = sc.decisions
    e, c, lv, org = st.emp, st.cust, st.levers, st.org
    start = week.programme
    active_start = int(c.active.sum())
    new, sev = customers.new_issues(
        c.active,
        c.issue_open,
        sc.customers.issue_rate,
        sc.decisions.decision_share,
        rng=R["issues"],
    )
    # Only the ~5% of customers with a new issue are handled this week: work on their indices
    # (``i``) rather than on every customer slot; the uniform draws stay full-size so that the
    # random streams line up with the paired run whatever happens.
    i = np.flatnonzero(new)
    hi = c.handler[i]
    filled_i = e.filled[hi]
    skill_i = np.where(filled_i, e.skill[hi], sc.people.newcomer_skill)
    practice = playbook.practice_knowledge(e.beliefs, org.reality)
    knowhow_i = playbook.knowhow(
        np.where(filled_i, practice[hi], COVER_PRACTICE),
        base=p.knowhow_base,
        weight=p.knowhow_practice_weight,
    )
    perm = silos.permeability(
        lv.information_sharing, c.same_group, c.tie, org.cross_unit_share, p=sc.sales
    )
    # duplicated contacts split a customer's history across records: what is at hand is net of them
    facts_i = silos.facts_at_hand(
        start.usage[hi],
        silos.usable_record(c.record[i], org.duplicate_share, p=sc.sales),
        perm[i],
        other_unit=p.other_unit_facts,
    )
    info_p = escalation.first_contact_probability(skill_i, knowhow_i, start.quality, facts_i, p=p)
    info_ok = R["escalation"].random(c.capacity)[i] < info_p
    sev_i = sev[i]
    needs = sev_i > 0
    edge_ok = sev_i <= e.authority[hi]
    esc = np.flatnonzero(needs & ~edge_ok)  # positions within ``i``
    capacity = escalation.manager_capacity(
        sc.organisation.manager_capacity, e.filled, p=p, fte=e.fte
    )
    # managers work longer on a backlog carried in (up to a cap), so it clears faster
    adapted, stretch = escalation.adapted_capacity(capacity, e.backlog, p=p)
    latency, _, load = escalation.route_escalations(
        hi[esc],
        sev_i[esc],
        e.authority,
        e.ancestors,
        e.second_manager,
        e.backlog,
        adapted,
        sc.organisation.hop_days,
        p=p,
    )
    e.backlog = escalation.update_backlog(e.backlog, load, adapted, p=p)
    fcr = info_ok & (~needs | edge_ok)
    opened = ~fcr
    days = escalation.resolution_days(opened, esc, latency, info_ok, p=p)
    # a call-back without the customer's facts at hand first has to gather them
    callback = opened.copy()
    callback[esc] = False
    days[callback] += p.missing_facts_days * (1.0 - facts_i[callback])
    i_open = i[opened]
    c.issue_open[i_open] = True
    c.issue_days_left[i_open] = days[opened]
    c.issue_days[i] = 0.0
    c.issue_severity[i] = sev_i
    c.record, c.issue_logged[i] = crm_records.log_interactions_at(
        crm_records.decay(c.record, p=sc.customers),
        i,
        start.usage[hi],
        rng=R["crm"],
        p=sc.customers,
    )
    delta = np.zeros(c.capacity)
    delta[i[fcr]] = sc.customers.fcr_gain * start.quality
    delta[i_open] -= customers.repeat_contact_cost(c.satisfaction[i_open], p=sc.customers)
    w = np.flatnonzero(c.issue_open & c.active)
    d, c.issue_days_left[w], c.issue_days[w], resolved = customers.wait_a_week(
        np.ones(w.shape[0], dtype=bool),
        c.issue_days_left[w],
        c.issue_days[w],
        c.issue_severity[w],
        p=sc.customers,
    )
    delta[w] += d
    c.issue_open[w[resolved]] = False
    return DecisionsWeek(
        active_start=active_start,
        perm=perm,
        capacity=capacity,
        overtime=escalation.overtime_workload(stretch, p=p),
        arrivals=load,
        delta=delta,
        latency_mean=escalation.mean_decision_days(int((needs & edge_ok).sum()), latency, p=p),
        n_new=int(i.shape[0]),
        n_fcr=int(fcr.sum()),
        n_escalated=int(esc.shape[0]),
    )
