"""The business case against a no-change counterfactual.

Seed 002 ("their business case is breaking down because expected costs savings are evaporating due
to turnover, inefficiencies, and additional staff required") and seed 003 ("profit comes ... in
renewals, upsells and cross-sells"). Weekly revenue is the recurring value of active customers;
costs are cost of goods, salaries, hiring and newcomer training, the CRM (implementation and
licences) and the change programme. ROI compares cumulative net benefit with the same organisation
without the CRM or the programme, run on the same random numbers.
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.accounts import DEFAULT_ACCOUNTS, ROLE_SALARY_ORDER, AccountCoefficients

#: The schema defaults, used when a caller (a unit test) passes no coefficients; the model passes
#: the scenario's ``economics`` section.


def weekly_revenue(value: np.ndarray, active: np.ndarray) -> float:
    """Recurring revenue booked this week."""
    return float(value[active].sum() / 52.0)


def weekly_staff_cost(
    filled: np.ndarray,
    front: np.ndarray,
    salary_annual: float,
    *,
    p: AccountCoefficients = DEFAULT_ACCOUNTS,
    fte: np.ndarray | None = None,
) -> float:
    """Salaries of occupied positions this week (managers cost ``p.manager_salary_factor`` x).

    Args:
        filled: (n,) occupied positions.
        front: (n,) positions paid the staff salary (front line and other staff); the rest
            (executive, managers) are paid ``p.manager_salary_factor`` times it.
        salary_annual: yearly staff salary.
        p: the economics coefficients.
        fte: (n,) full-time equivalent of each position (salary x FTE); None means 1 each.
    """
    factor = np.where(front, 1.0, p.manager_salary_factor)
    if fte is not None:
        factor = factor * fte  # x 1.0 leaves a chart without part-timers bit-for-bit unchanged
    return float((filled * factor).sum() * salary_annual / 52.0)


def role_salaries(salary_annual: float, p: AccountCoefficients = DEFAULT_ACCOUNTS) -> np.ndarray:
    """(6,) yearly full-time salary of each model role, in role-code order.

    ``economics.salary_<role>`` where set, else ``people.salary_annual`` (times
    ``manager_salary_factor`` for the executive and managers).
    """
    out = np.empty(len(ROLE_SALARY_ORDER))
    for code, role in enumerate(ROLE_SALARY_ORDER):
        set_ = getattr(p, f"salary_{role}")
        leader = role in ("executive", "manager")
        default = salary_annual * (p.manager_salary_factor if leader else 1.0)
        out[code] = default if set_ is None else set_
    return out


def position_pay(
    role: np.ndarray,
    salary: np.ndarray | None,
    fte: np.ndarray | None,
    salary_annual: float,
    p: AccountCoefficients = DEFAULT_ACCOUNTS,
) -> np.ndarray:
    """(n,) yearly cost of each position: its own salary (the chart's ``salary`` column) where
    given, else its role's (:func:`role_salaries`), times its FTE.

    Args:
        role: (n,) model role codes.
        salary: (n,) the chart's salaries, NaN where not given; None for none at all.
        fte: (n,) full-time equivalents; None means 1 each.
        salary_annual: ``people.salary_annual``.
        p: the economics coefficients.
    """
    pay = role_salaries(salary_annual, p)[np.asarray(role, dtype=np.int64)]
    if salary is not None:
        pay = np.where(np.isnan(salary), pay, salary)
    return pay if fte is None else pay * fte


def weekly_payroll(filled: np.ndarray, pay: np.ndarray) -> float:
    """Salaries of occupied positions this week, from :func:`position_pay`."""
    return float(pay[filled].sum() / 52.0)


#: Least spend (currency) on the CRM and its programme for which ROI is a number: a definition,
#: not a behaviour. Below one currency unit the ratio means nothing, and a spend such as 1e-300
#: (``crm.implementation_cost`` may be any value >= 0) made it overflow to inf (issue 15, class 11).
MIN_SPEND = 1.0


def roi(cum_net: float, cum_net_counterfactual: float, cum_investment: float) -> float:
    """Return on the CRM and programme spend: (extra net benefit - spend) / spend.

    ``cum_net`` already has the spend deducted, so the extra benefit over the counterfactual,
    divided by the spend, is the ROI. NaN (documented in ``sim.metrics.NAN_WHEN``) while less
    than :data:`MIN_SPEND` has been spent, so ROI is never infinite.
    """
    if not cum_investment >= MIN_SPEND:  # also NaN spend
        return float("nan")
    value = (cum_net - cum_net_counterfactual) / cum_investment
    return float(value) if np.isfinite(value) else float("nan")
