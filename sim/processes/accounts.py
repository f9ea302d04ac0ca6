"""Process 8, accounts: the business case of the week and the running totals.

Revenue from active customers; costs of goods, staff, hiring and newcomer training, CRM licences
and this week's investments (go-live, programme steps); running totals of what the week's other
processes counted. Formulas: ``sim.mechanisms.economics``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import economics

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "accounts"

#: The running totals kept over a run (``OrgModel.totals``).
TOTALS = (
    "churned",
    "churned_silent",
    "complaints",
    "quits",
    "quits_front",
    "reported",
    "fixed",
    "upsell_to_angry",
    "acquired",
    "net",
    "investment",
)


@dataclass(frozen=True)
class AccountsWeek:
    """This week's books.

    Attributes:
        revenue: Recurring revenue booked this week.
        cost: All costs this week.
    """

    revenue: float
    cost: float


def new_totals() -> dict[str, float]:
    """Running totals at the start of a run (all zero)."""
    return dict.fromkeys(TOTALS, 0.0)


def staff_cost(ctx: Context) -> float:
    """This week's salaries: position by position (``economics.position_pay``) when the chart
    gives salaries or the scenario sets salaries by role, else the staff salary and the manager
    factor as before (the same arithmetic, so such runs are unchanged bit for bit)."""
    e, sc = ctx.state.emp, ctx.scenario
    if sc.economics.role_salaries_set() or not np.isnan(e.salary).all():
        pay = economics.position_pay(e.role, e.salary, e.fte, sc.people.salary_annual, sc.economics)
        return economics.weekly_payroll(e.filled, pay)
    return economics.weekly_staff_cost(
        e.filled, ~e.leader, sc.people.salary_annual, p=sc.economics, fte=e.fte
    )


def step(ctx: Context, week: Week) -> AccountsWeek:
    """Book this week's revenue and costs and add the week's counts to ``ctx.totals``."""
    st, sc, totals = ctx.state, ctx.scenario, ctx.totals
    c = st.cust
    start, cw, lw, pw = week.programme, week.customers, week.learning, week.people
    revenue = economics.weekly_revenue(c.value, c.active)
    crm_cost = sc.crm.licence_cost_per_user_week * int(start.front_f.sum()) if start.live else 0.0
    # investments in booking order, so running sums come out exactly as they always have
    invested = 0.0
    for amount in start.spend:
        invested += amount
        totals["investment"] += amount
    for fixed in start.quick_fixes:
        totals["fixed"] += fixed
    cost = (
        (1 - sc.economics.gross_margin) * revenue
        + staff_cost(ctx)
        + pw.hired * (sc.people.hiring_cost + sc.people.training_cost)
        + crm_cost
        + invested
    )
    totals["investment"] += crm_cost
    totals["net"] += revenue - cost
    totals["churned"] += cw.churned
    totals["churned_silent"] += cw.churned_silent
    totals["complaints"] += cw.complaints
    totals["quits"] += pw.quits
    totals["quits_front"] += pw.quits_front
    totals["reported"] += lw.reported
    totals["fixed"] += lw.fixed
    totals["upsell_to_angry"] += week.sales.angry_calls
    totals["acquired"] += cw.acquired
    return AccountsWeek(revenue=revenue, cost=cost)
