"""Throughput of sweeps: runs per minute and parallel efficiency per executor.

``python -m sim.sweep.throughput experiments/culture_structure_grid.toml --runs 40`` runs the
first ``runs`` runs of the experiment once serially, on a 2-process pool and on a 2-worker Dask
LocalCluster, into temporary folders, and prints a Markdown table. Parallel efficiency is the
speed-up over the serial run divided by the worker count; "with start-up" counts the time to
start the pool or cluster and import the model in every worker, which matters for short sweeps.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay inside functions: process-pool workers re-import __main__
    import pandas as pd

DEFAULT_CONFIGS: tuple[tuple[str, int, str | None], ...] = (
    ("serial", 1, None),
    ("process pool", 2, None),
    ("Dask LocalCluster", 2, "local"),
)


def measure_throughput(
    experiment: str | Path,
    runs: int = 40,
    configs: Sequence[tuple[str, int, str | None]] = DEFAULT_CONFIGS,
) -> pd.DataFrame:
    """Time the first ``runs`` runs of an experiment under each executor configuration.

    Args:
        experiment: an experiment file.
        runs: runs per measurement (the first ones of the sweep, in run order).
        configs: ``(label, workers, dask)`` per measurement; the first is the reference
            (normally serial, 1 worker).

    Returns:
        One row per configuration: runs, wall time with and without start-up, runs per minute
        and parallel efficiency (with and without start-up).
    """
    import pandas as pd

    from sim.sweep.runner import plan_experiment, run_sweep

    plan = plan_experiment(experiment)
    rows = []
    with tempfile.TemporaryDirectory(prefix="sweep-throughput-") as tmp:
        for i, (label, workers, dask) in enumerate(configs):
            t0 = time.perf_counter()
            rep = run_sweep(
                plan,
                Path(tmp) / f"m{i}",
                workers=workers,
                dask=dask,
                max_runs=runs,
                progress=False,
                log=lambda _msg: None,
            )
            wall = time.perf_counter() - t0
            rows.append(
                {
                    "executor": label,
                    "workers": rep.workers,
                    "runs": rep.ran,
                    "wall_s": wall,
                    "run_phase_s": rep.elapsed_s,
                    "runs_per_min": rep.ran / wall * 60,
                    "runs_per_min_run_phase": rep.ran / rep.elapsed_s * 60,
                }
            )
    df = pd.DataFrame(rows)
    ref_wall = df["runs_per_min"].iloc[0]
    ref_run = df["runs_per_min_run_phase"].iloc[0]
    df["efficiency"] = df["runs_per_min"] / ref_wall / df["workers"]
    df["efficiency_run_phase"] = df["runs_per_min_run_phase"] / ref_run / df["workers"]
    return df


def to_markdown(df: pd.DataFrame) -> str:
    """The table as Markdown (no extra dependency)."""
    head = (
        "| executor | workers | runs | wall s | runs/min | efficiency | "
        "runs/min (runs only) | efficiency (runs only) |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in df.itertuples():
        lines.append(
            f"| {r.executor} | {r.workers} | {r.runs} | {r.wall_s:.1f} | {r.runs_per_min:.0f} | "
            f"{r.efficiency:.2f} | {r.runs_per_min_run_phase:.0f} | "
            f"{r.efficiency_run_phase:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.sweep.throughput EXPERIMENT [--runs N]``."""
    p = argparse.ArgumentParser(prog="python -m sim.sweep.throughput", description=__doc__)
    p.add_argument("experiment", type=Path)
    p.add_argument("--runs", type=int, default=40)
    args = p.parse_args(argv)
    print(to_markdown(measure_throughput(args.experiment, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
