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


#: Plausible yearly full-time wage of each role (USD): the 25th-75th percentile annual wage of
#: BLS Occupational Employment and Wage Statistics (OEWS), May 2023, national, cross-industry,
#: for the SOC occupation named. ENTERED OFFLINE FROM RECALL, rounded to the thousand: check each
#: against https://www.bls.gov/oes/ (tables "May 2023 National Occupational Employment and Wage
#: Estimates") before relying on it. The joint draws (``sim.assumptions``) use them only for a
#: scenario that already pays by role (docs/ODD.md 8.L).
ROLE_SALARY_PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    # the 75th percentile of chief executives is top-coded by OEWS (>= $239,200 a year)
    "executive": (131_000.0, 239_200.0, "11-1011 chief executives"),
    "manager": (68_000.0, 160_000.0, "11-1021 general and operations managers"),
    "sales": (
        48_000.0,
        95_000.0,
        "41-4012 sales representatives, wholesale and manufacturing, "
        "except technical and scientific products",
    ),
    "service": (33_000.0, 47_000.0, "43-4051 customer service representatives"),
    "marketing": (
        54_000.0,
        101_000.0,
        "13-1161 market research analysts and marketing specialists",
    ),
    "other": (35_000.0, 77_000.0, "00-0000 all occupations"),
}


def _role_salary(role: str, who: str) -> object:
    lo, hi, soc = ROLE_SALARY_PLAUSIBLE[role]
    return _f(
        None,
        0.0,
        1e9,
        f"Salary: {role}",
        f"Yearly full-time cost of {who} (x FTE); unset: people.salary_annual"
        + (" x economics.manager_salary_factor." if role in ("executive", "manager") else ".")
        + " Drawn with the uncertain parameters only when the scenario pays by role.",
        unit="currency/year",
        source=f"{_ROLE_SALARY_SOURCE}; plausible range cited: BLS OEWS May 2023, national, "
        f"25th-75th percentile annual wage (USD, full-time), SOC {soc}: {lo:,.0f}-{hi:,.0f}; "
        "ENTERED OFFLINE FROM RECALL, check against https://www.bls.gov/oes/",
        uncertain=True,
        plausible=(lo, hi),
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
