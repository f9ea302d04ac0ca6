"""Process 4, customers: satisfaction, complaints, churn and acquisition.

Satisfaction drifts towards its target plus this week's experiences (issues, sales calls); a few
customers at risk are singled out by CRM data for a retention call (data use); customers
below the churn pivot may complain, more where the organisation listens and while an issue
waits (recovered in proportion to responsiveness); churn; new
customers are won. Afterwards the books of accounts are counted once for the week's later
processes. Formulas: ``sim.mechanisms.customers``; coefficients: the ``customers`` section
(``sim.coefficients.customers``) and, for acquisition, ``sales``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import customers
from sim.state import grow_customers
from sim.structures import SALES

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week
    from sim.state import State

NAME = "customers"


@dataclass(frozen=True)
class Books:
    """Active customers' accounts after this week's churn and acquisitions.

    Attributes:
        act: Indices of active customers.
        owner_act: Their account owners.
        handler_act: Their service handlers.
        book_owner: (n,) accounts each position owns.
        book_handler: (n,) accounts each position handles.
    """

    act: np.ndarray
    owner_act: np.ndarray
    handler_act: np.ndarray
    book_owner: np.ndarray
    book_handler: np.ndarray


@dataclass(frozen=True)
class CustomersWeek:
    """What the customer process hands on.

    Attributes:
        churned: Customers lost this week.
        churned_silent: Of them, those who never complained.
        complaints: Complaints this week.
        acquired: Customers won this week.
        books: The books of accounts after churn and acquisitions.
        hazard: Each slot's chance of leaving this week (0 for a slot not active before the
            churn draw): the expected churn the burn-in measures the book's mix with.
        expected_acquired: The Poisson mean of ``acquired`` (what the burn-in balances).
    """

    churned: int
    churned_silent: int
    complaints: int
    acquired: int
    books: Books
    hazard: np.ndarray
    expected_acquired: float


def books(state: State) -> Books:
    """Count who owns and handles the active customers (once a week)."""
    c, n = state.cust, state.emp.n
    act = np.flatnonzero(c.active)
    owner_act, handler_act = c.owner[act], c.handler[act]
    return Books(
        act=act,
        owner_act=owner_act,
        handler_act=handler_act,
        book_owner=np.bincount(owner_act, minlength=n),
        book_handler=np.bincount(handler_act, minlength=n),
    )


def step(ctx: Context, week: Week) -> CustomersWeek:
    """Satisfaction, complaints, churn and acquisition."""
    st, sc, R = ctx.state, ctx.scenario, ctx.streams
    pc = sc.customers
    e, c, lv = st.emp, st.cust, st.levers
    start, sales = week.programme, week.sales
    o = c.owner
    target = customers.satisfaction_target(start.quality, sales.owner_care[o], c.expectation, p=pc)
    sat = customers.update_satisfaction(
        c.satisfaction, target, week.decisions.delta + sales.delta, p=pc
    )
    c.satisfaction = np.where(c.active, sat, c.satisfaction)
    r_c = R["customers"]
    kept = customers.retention_contacts(
        c.active, c.satisfaction, c.record, start.usage[o], start.data_use, rng=r_c, p=pc
    )
    c.satisfaction = np.where(
        kept, np.minimum(c.satisfaction + pc.retention_gain, 1.0), c.satisfaction
    )
    comp = customers.complaints(
        c.active,
        c.satisfaction,
        sc.customers.complaint_propensity,
        rng=r_c,
        waiting=c.issue_open,
        willingness=customers.voice(lv.responsiveness, p=pc),
        p=pc,
    )
    response = customers.complaint_response(comp, lv.responsiveness, rng=r_c, p=pc)
    c.satisfaction = np.clip(c.satisfaction + response, 0, 1)
    c.complained |= comp
    base, dissatisfied = sc.customers.base_churn_annual, sc.customers.dissatisfied_churn_annual
    hazard = np.where(
        c.active, customers.churn_hazard(c.satisfaction, base, dissatisfied, p=pc), 0.0
    )
    gone = customers.churn(c.active, c.satisfaction, base, dissatisfied, rng=r_c, p=pc)
    churned, churned_silent = int(gone.sum()), int((gone & ~c.complained).sum())
    c.active &= ~gone
    c.issue_open &= ~gone
    c.churned_week = np.where(gone, st.week, c.churned_week)
    n_sales = int((e.filled & (e.role == SALES)).sum())
    mean_record = float(c.record[c.active].mean()) if c.active.any() else 0.0
    acq = (
        n_sales,
        sc.customers.acquisition_rate,
        start.acq_effort
        * (1.0 + sc.sales.crm_acquisition_weight * sales.sales_usage * mean_record),
        sales.lead_boost * (1.0 if sales.announced else sc.sales.unannounced_boost_share),
    )
    n_new = customers.acquisitions(*acq, rng=R["acquisition"])
    n_exist = int(np.count_nonzero(c.exists))  # slots fill from the front
    if n_exist + n_new > c.capacity:  # more won than the room kept: add slots, never drop them
        grow_customers(c, e, sc, max(n_new, c.capacity // 4), R["init"])
        o = c.owner  # the grown array
    free = np.arange(n_exist, n_exist + n_new)
    c.exists[free] = True
    c.active[free] = True
    c.joined_week[free] = st.week
    c.satisfaction[free] = pc.new_customer_satisfaction
    c.record[free] = pc.new_record_base + pc.new_record_usage_weight * start.usage[o[free]]
    return CustomersWeek(
        churned=churned,
        churned_silent=churned_silent,
        complaints=int(comp.sum()),
        acquired=int(free.shape[0]),
        books=books(st),
        hazard=hazard,
        expected_acquired=customers.acquisition_mean(*acq),
    )
