"""The design shared by the at-rest scripts (rest_quarters.py, rest_stationarity.py): a preset
at rest at 150 people / 1,500 customers, with ``field=value`` overrides from the command line.

``crm40`` names technology_only_rollout at rest with the CRM live since week -40 (burn-in 60).
"""

from __future__ import annotations

from sim.scenario import Scenario
from sim.validation import at_rest

SIZE = {"organisation.employees": 150, "customers.count": 1500}


def parse_extra(args: list[str]) -> dict[str, object]:
    """``field=value`` arguments as overrides: numbers, true/false, or the text itself."""
    extra: dict[str, object] = {}
    for a in args:
        k, v = a.split("=")
        value: object
        try:
            value = float(v) if "." in v else int(v)
        except ValueError:
            value = {"true": True, "false": False}.get(v.lower(), v)
        extra[k] = value
    return extra


def rest_scenario(name: str, extra: dict[str, object]) -> Scenario:
    """Preset ``name`` (or ``crm40``) at rest at the scripts' size, with ``extra`` applied."""
    if name == "crm40":
        return at_rest("technology_only_rollout", **SIZE).with_overrides(
            {"crm.enabled": True, "crm.go_live_week": -40, "burn_in_weeks": 60, **extra}
        )
    return at_rest(name, **{**SIZE, **extra})
