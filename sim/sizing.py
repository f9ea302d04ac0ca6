"""Size guard: estimate a model's memory before building it and refuse what cannot fit.

Per-position and per-customer costs were measured on this project's machines (peak RSS of a
3-week run, Python 3.12, Mesa 3.5.1): about 3.5 KB per position (the networkx reporting and
collaboration graphs dominate) and 0.5 KB per customer slot (the thin Mesa agent and ~20 arrays),
on top of about 170 MB of imports; the no-change counterfactual doubles the model part. The
estimate carries a 1.5x margin for peaks during a step.
"""

from __future__ import annotations

import os

from sim.errors import InputError
from sim.scenario import Scenario

BASE_BYTES = 170e6
PER_POSITION = 3.5e3
PER_CUSTOMER_SLOT = 0.5e3
MARGIN = 1.5


class ModelTooLarge(InputError):
    """The model would not fit in the memory available."""


def estimate_bytes(scenario: Scenario, *, counterfactual: bool = True) -> float:
    """Estimated peak memory of building and running one model of this scenario."""
    from sim.state import customer_capacity

    n_sales = int(scenario.organisation.employees * scenario.organisation.role_mix.sales)
    slots = customer_capacity(scenario, n_sales)
    model = PER_POSITION * scenario.organisation.employees + PER_CUSTOMER_SLOT * slots
    twins = 2 if counterfactual and (scenario.crm.enabled or scenario.change_programme.steps) else 1
    return BASE_BYTES + MARGIN * model * twins


def available_bytes() -> float:
    """Memory this process may use: ``SIM_MEMORY_LIMIT_MB`` if set, else MemAvailable."""
    limit = os.environ.get("SIM_MEMORY_LIMIT_MB")
    if limit:
        try:
            return float(limit) * 1e6
        except ValueError:
            raise InputError(f"SIM_MEMORY_LIMIT_MB={limit!r}: expected a number of MB") from None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float("inf")  # unknown platform: do not block


def check_fits(scenario: Scenario, *, counterfactual: bool = True) -> None:
    """Raise ``ModelTooLarge`` (exit code 2 on the CLI) when the model cannot fit."""
    need = estimate_bytes(scenario, counterfactual=counterfactual)
    have = available_bytes()
    if need > have:
        from sim.state import customer_capacity

        o = scenario.organisation
        slots = customer_capacity(scenario, int(o.employees * o.role_mix.sales))
        growth = slots - scenario.customers.count
        fields = "organisation.employees or customers.count"
        if growth > scenario.customers.count:  # room for acquisitions dominates
            fields += (
                f", or customers.acquisition_rate or horizon_weeks (room for {growth:,} new "
                "customers is kept)"
            )
        raise ModelTooLarge(
            f"scenario {scenario.name!r}: {o.employees:,} employees and "
            f"{scenario.customers.count:,} customers need about {need / 1e9:.1f} GB, "
            f"but {have / 1e9:.1f} GB is available; reduce {fields} "
            "(or run without the counterfactual)"
        )
