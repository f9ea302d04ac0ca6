"""Process 3, sales and silos: sales calls, upsell, campaigns and duplicates.

Sales contacts a share of its accounts (more under lifecycle incentives); a call to an angry
customer the owner did not know about is an upsell-to-angry event, an informed one is account
care; otherwise happy customers may buy more; marketing campaigns land, announced to sales or
not; duplicates accumulate when marketing hoards its lists. Formulas: ``sim.mechanisms.silos``
and ``crm_records`` (logging); coefficients: the ``sales`` section (``sim.coefficients.sales``)
and ``customers.angry_line``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import crm_records, incentives, silos
from sim.structures import MARKETING, SALES

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "sales"


@dataclass(frozen=True)
class SalesWeek:
    """What sales and marketing hand on.

    Attributes:
        delta: (capacity,) satisfaction change from this week's sales calls.
        lead_boost: Extra acquisition from a marketing campaign this week (0 without one).
        announced: The campaign (if any) was announced to sales.
        spike: An unannounced campaign landed on sales (a workload spike).
        sales_usage: Mean CRM usage of sales people in post (0 before go-live).
        angry_calls: Sales calls to angry customers the owner did not know about.
        owner_care: (n,) each position's account-care behaviour this week (incentive effort x
            orientation, less under overload; ``incentives.owner_care``).
        flood_load: Workload on each sales person still owed to unannounced campaigns' leads.
    """

    delta: np.ndarray
    lead_boost: float
    announced: bool
    spike: bool
    sales_usage: float
    angry_calls: int
    owner_care: np.ndarray
    flood_load: float


def step(ctx: Context, week: Week) -> SalesWeek:
    """Sales calls, campaigns and duplicates (information sharing, incentives)."""
    st, sc, R = ctx.state, ctx.scenario, ctx.streams
    ps = sc.sales
    e, c, lv, org = st.emp, st.cust, st.levers, st.org
    start, dec = week.programme, week.decisions
    o = c.owner
    r_s = R["silos"]
    # a few customers get a sales call each week: work on their indices (``k``); every slot
    # still takes its uniforms, so the streams stay aligned with the paired run
    u_call, u_knows, u_win = (
        r_s.random(c.capacity),
        r_s.random(c.capacity),
        r_s.random(c.capacity),
    )
    overload = np.maximum(e.workload / sc.people.workload_norm - 1.0, 0.0)  # last week's
    care = incentives.owner_care(start.care_effort, e.orientation, overload, p=ps)
    k = np.flatnonzero(c.active & (u_call < sc.customers.upsell_rate * care[o]))
    k = k[e.filled[o[k]]]
    ok = o[k]
    usage_k = start.usage[ok]
    angry = c.issue_open[k] | (c.satisfaction[k] < sc.customers.angry_line)
    record_k = silos.usable_record(c.record[k], org.duplicate_share, p=ps)
    knows = u_knows[k] < silos.knows_probability(dec.perm[k], c.issue_logged[k], record_k, usage_k)
    angry_call = k[angry & ~knows]
    care_call = k[angry & knows]
    delta = np.zeros(c.capacity)
    delta[angry_call] -= ps.angry_call_cost
    delta[care_call] += silos.care_gain(e.orientation[o[care_call]], p=ps)
    win_p = silos.upsell_probability(
        c.satisfaction[k], e.orientation[ok], usage_k, record_k, start.data_use, p=ps
    )
    up = k[~angry & (u_win[k] < win_p)]
    c.value[up] = c.value[up] * (1 + sc.customers.upsell_value)
    c.record, _ = crm_records.log_interactions_at(
        c.record, k, usage_k, rng=R["crm"], p=sc.customers
    )
    n_mkt = int((e.filled & (e.role == MARKETING)).sum())
    lead_boost, announced = silos.campaign(n_mkt, lv.information_sharing, rng=r_s, p=ps)
    sales = (e.role == SALES) & e.filled
    sales_usage = float(start.usage[sales].mean()) if start.live and sales.any() else 0.0
    org.duplicate_share = silos.next_duplicate_share(
        org.duplicate_share, lv.information_sharing, sales_usage, lead_boost > 0, p=ps
    )
    spike = lead_boost > 0 and not announced
    org.lead_flood = silos.next_lead_flood(org.lead_flood, spike, p=ps)
    return SalesWeek(
        delta=delta,
        lead_boost=lead_boost,
        announced=announced,
        spike=spike,
        sales_usage=sales_usage,
        angry_calls=int(angry_call.shape[0]),
        owner_care=care,
        flood_load=org.lead_flood,
    )
