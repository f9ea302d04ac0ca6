"""Scenario sweeps for researchers: designs, replicates, local and Dask execution, statistics.

One concept per module:

- :mod:`sim.sweep.parameters`: the experiment file (schema, factors) and its validation.
- :mod:`sim.sweep.samplers`: design points (grid, and LHS / Sobol / Morris from scipy and SALib).
- :mod:`sim.sweep.store`: the results folder (manifest, Parquet chunks, resume, reading back).
- :mod:`sim.sweep.executors`: serial, process-pool and Dask execution.
- :mod:`sim.sweep.runner`: planning runs and seeds, running them, streaming results to disk.
- :mod:`sim.sweep.analysis`: summaries with CIs, paired differences, sensitivity indices, plots.
- :mod:`sim.sweep.throughput`: runs per minute and parallel efficiency.

Typical use::

    from sim.sweep import plan_experiment, run_sweep, load_results, summarize

    plan = plan_experiment("experiments/smoke.toml")
    run_sweep(plan, "results/smoke", workers=2)
    runs = load_results("results/smoke")             # one row per run
    weekly = load_results("results/smoke", "weekly")  # one row per run and week
    report = summarize("results/smoke")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.sweep.store import load_results

__all__ = [
    "load_experiment",
    "load_results",
    "plan_experiment",
    "run_sweep",
    "summarize",
]

if TYPE_CHECKING:  # pragma: no cover
    from sim.sweep.analysis import summarize
    from sim.sweep.parameters import load_experiment
    from sim.sweep.runner import plan_experiment, run_sweep


def __getattr__(name: str) -> Any:
    if name == "load_experiment":
        from sim.sweep.parameters import load_experiment

        return load_experiment
    if name in ("plan_experiment", "run_sweep"):
        from sim.sweep import runner

        return getattr(runner, name)
    if name == "summarize":
        from sim.sweep.analysis import summarize

        return summarize
    raise AttributeError(f"module 'sim.sweep' has no attribute {name!r}")
