"""Size guard: estimate a model's memory before building it and refuse what cannot fit.

Per-position and per-customer costs were measured on this project's machines (peak RSS of a
3-week run, Python 3.12, Mesa 3.5.1): about 3.5 KB per position (the networkx reporting and
collaboration graphs dominate) and 0.5 KB per customer slot (the thin Mesa agent and ~20 arrays),
on top of about 170 MB of imports; the no-change counterfactual doubles the model part. The
estimate carries a 1.5x margin for peaks during a step.

An imported org chart or customer file is measured by its own head count and rows
(:func:`check_rows_fit`, called by ``sim.design.read_inputs`` before the file is parsed and again
before the chart's structure is built); the per-position cost of a generated structure is assumed.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from sim.errors import InputError
from sim.scenario import Scenario

BASE_BYTES = 170e6
PER_POSITION = 3.5e3
PER_CUSTOMER_SLOT = 0.5e3
MARGIN = 1.5


class ModelTooLarge(InputError):
    """The model would not fit in the memory available."""


def _need(
    scenario: Scenario, people: int, customers: int, sales: int, *, counterfactual: bool
) -> float:
    """Estimated peak bytes for ``people`` positions (``sales`` of them in sales) and an initial
    book of ``customers``, with the scenario's room for acquisitions."""
    from sim.state import customer_capacity

    slots = customer_capacity(scenario, sales) - scenario.customers.count + customers
    model = PER_POSITION * people + PER_CUSTOMER_SLOT * slots
    twins = 2 if counterfactual and (scenario.crm.enabled or scenario.change_programme.steps) else 1
    return BASE_BYTES + MARGIN * model * twins


def _headcount(scenario: Scenario) -> tuple[int, int]:
    """(people, sales people): the attached org chart's, else the generated organisation's."""
    o = scenario.organisation
    inputs = scenario.inputs
    if inputs is not None:
        from sim.structures.base import SALES

        chart = inputs.chart
        return chart.n, int((chart.role == SALES).sum())
    return o.employees, int(o.employees * o.role_mix.sales)


def estimate_bytes(scenario: Scenario, *, counterfactual: bool = True) -> float:
    """Estimated peak memory of building and running one model of this scenario.

    An imported org chart (attached by ``sim.design.resolve_inputs``) counts with its own
    head count and sales people; the same per-position cost is assumed as for a generated one.
    """
    people, sales = _headcount(scenario)
    return _need(scenario, people, scenario.customers.count, sales, counterfactual=counterfactual)


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

        people, sales = _headcount(scenario)
        slots = customer_capacity(scenario, sales)
        growth = slots - scenario.customers.count
        chart = scenario.inputs is not None
        fields = (
            "the org chart or customers.count"
            if chart
            else ("organisation.employees or customers.count")
        )
        if growth > scenario.customers.count:  # room for acquisitions dominates
            fields += (
                f", or customers.acquisition_rate or horizon_weeks (room for {growth:,} new "
                "customers is kept)"
            )
        who = "people in its org chart" if chart else "employees"
        raise ModelTooLarge(
            f"scenario {scenario.name!r}: {people:,} {who} and "
            f"{scenario.customers.count:,} customers need about {need / 1e9:.1f} GB, "
            f"but {have / 1e9:.1f} GB is available; reduce {fields} "
            "(or run without the counterfactual)"
        )


def _largest(fits: Callable[[int], bool], upper: int) -> int:
    """The largest n in [0, upper] with ``fits(n)`` (``fits`` falls with n), by bisection."""
    lo, hi = 0, upper
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_rows_fit(
    scenario: Scenario,
    path: str,
    rows: int,
    *,
    kind: str,
    people: int | None = None,
    sales: int | None = None,
    exact: bool,
) -> None:
    """Refuse an imported org chart or customer book too large for memory, before the heavy work.

    ``sim.design.read_inputs`` calls this twice per file: before parsing, with ``rows`` from a
    count of line ends (an upper bound: quoted cells may span lines; ``exact=False``, refused only
    beyond twice the limit so a chart near the limit is not refused on a miscount; parsing costs
    far less per row than the model), and after parsing, with the exact count
    (``exact=True``) before the chart's structure and networks are built.

    Args:
        scenario: the scenario (customer settings, counterfactual, acquisitions).
        path: the file, for the message.
        rows: people (``kind="chart"``) or customers (``kind="customers"``) in the file.
        kind: ``"chart"`` or ``"customers"``.
        people: for ``"customers"``: the chart's head count.
        sales: sales people of the chart, when known (else from ``organisation.role_mix``).
        exact: whether ``rows`` is the exact count.

    Raises:
        ModelTooLarge: naming the file, its size, the estimate, the memory and the limit.
    """
    have = available_bytes()
    share = scenario.organisation.role_mix.sales

    def need(n: int) -> float:
        if kind == "chart":
            n_sales = sales if sales is not None and exact else int(n * share)
            return _need(scenario, n, scenario.customers.count, n_sales, counterfactual=True)
        assert people is not None
        n_sales = sales if sales is not None else int(people * share)
        return _need(scenario, people, n, n_sales, counterfactual=True)

    if need(rows) <= have or (not exact and rows <= 2 * _largest(lambda n: need(n) <= have, rows)):
        return
    limit = _largest(lambda n: need(n) <= have, rows)
    what = "people" if kind == "chart" else "customers"
    counted = "" if exact else " (counted as lines)"
    raise ModelTooLarge(
        f"{path}: {rows:,} {what}{counted} need about {need(rows) / 1e9:.1f} GB, but "
        f"{have / 1e9:.1f} GB is available; this scenario fits at most about {limit:,} {what}: "
        f"use a smaller {'org chart' if kind == 'chart' else 'customer file'} "
        "(SIM_MEMORY_LIMIT_MB sets the memory assumed)"
    )
