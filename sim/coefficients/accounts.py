"""Coefficients of process 8, accounts (``sim/processes/accounts.py``).

The scenario's ``Economics`` section derives from :class:`AccountCoefficients`, so the TOML key
is ``economics.manager_salary_factor``. Read by ``sim.mechanisms.economics.weekly_staff_cost``.
"""

from __future__ import annotations

from sim.parameters import _f, _Section


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


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_ACCOUNTS = AccountCoefficients()
