"""Coefficients of process 8, accounts (``sim/processes/accounts.py``).

The scenario's ``Economics`` section derives from :class:`AccountCoefficients`, so the TOML key
is ``economics.manager_salary_factor``. Read by ``sim.mechanisms.economics.weekly_staff_cost``
and ``position_pay``.

The salaries by role (``economics.salary_executive`` ... ``salary_other``) are unset by default:
a position then costs ``people.salary_annual`` (times ``manager_salary_factor`` for the executive
and managers), as before. Set, they are that role's yearly full-time salary; a ``salary`` column
of an imported org chart wins over them for the people it gives a figure for (docs/ODD.md 8.J).
"""

from __future__ import annotations

from sim.parameters import _f, _Section

_ROLE_SALARY_SOURCE = (
    "input: your payroll's average yearly full-time salary for the role; unset means "
    "people.salary_annual (x economics.manager_salary_factor for the executive and managers)"
)


def _role_salary(role: str, who: str) -> object:
    return _f(
        None,
        0.0,
        1e9,
        f"Salary: {role}",
        f"Yearly full-time cost of {who} (x FTE); unset: people.salary_annual"
        + (" x economics.manager_salary_factor." if role in ("executive", "manager") else "."),
        unit="currency/year",
        source=_ROLE_SALARY_SOURCE,
    )


class AccountCoefficients(_Section):
    manager_salary_factor: float = _f(
        1.6,
        0.0,
        10.0,
        "Manager salary factor",
        "Yearly cost of a manager or executive position as a multiple of people.salary_annual.",
        unit="multiplier",
        source="assumption: managers typically cost 1.5-2x front-line staff; use your payroll's "
        "ratio if known",
    )
    salary_executive: float | None = _role_salary("executive", "the executive (the top person)")
    salary_manager: float | None = _role_salary("manager", "a manager (anyone with reports)")
    salary_sales: float | None = _role_salary("sales", "a sales person")
    salary_service: float | None = _role_salary("service", "a service person")
    salary_marketing: float | None = _role_salary("marketing", "a marketing person")
    salary_other: float | None = _role_salary(
        "other", "a staff member outside sales, service and marketing"
    )

    def role_salaries_set(self) -> bool:
        """True when any salary by role is set (then staff cost is summed position by position)."""
        return any(getattr(self, f"salary_{r}") is not None for r in ROLE_SALARY_ORDER)


#: Roles in code order (``sim.structures.base.ROLE_NAMES``), for ``salary_<role>``.
ROLE_SALARY_ORDER = ("executive", "manager", "sales", "service", "marketing", "other")


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_ACCOUNTS = AccountCoefficients()
