"""Throughput of sweeps: runs per minute and parallel efficiency per executor.

``python -m sim.sweep.throughput experiments/culture_structure_grid.toml --runs 40`` runs the
first ``runs`` runs of the experiment serially, on a 2-process pool and on a 2-worker Dask
LocalCluster, into temporary folders, and prints a Markdown table. Parallel efficiency is the
speed-up over the serial run divided by the worker count; "with start-up" counts the time to
start the pool or cluster and import the model in every worker, which matters for short sweeps.

Each measurement runs in a fresh Python process, as ``python run.py sweep`` does, so none reuses
what an earlier one started (the pool's fork server, a cluster). ``--repeat N`` measures every
configuration N times, interleaved (serial, pool, Dask, serial, ...), and reports the medians: on
a shared machine the load changes from minute to minute, and interleaving exposes each
configuration to it alike, so the ratios between rows hold better than the absolute figures. The
``load`` column is the 1-minute load average after the configuration's last measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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


def measure_once(
    experiment: str | Path, runs: int, workers: int, dask: str | None
) -> dict[str, float]:
    """One measurement in this process: workers, runs, wall time and run-phase time.

    Args:
        experiment: an experiment file.
        runs: the first ``runs`` runs of its sweep are run.
        workers: as ``--workers``.
        dask: as ``--dask`` (``None``: local processes).
    """
    from sim.sweep.runner import plan_experiment, run_sweep

    plan = plan_experiment(experiment)
    with tempfile.TemporaryDirectory(prefix="sweep-throughput-") as tmp:
        t0 = time.perf_counter()
        rep = run_sweep(
            plan,
            Path(tmp) / "out",
            workers=workers,
            dask=dask,
            max_runs=runs,
            progress=False,
            log=lambda _msg: None,
        )
        wall = time.perf_counter() - t0
    return {"workers": rep.workers, "runs": rep.ran, "wall_s": wall, "run_phase_s": rep.elapsed_s}


def _measure_in_new_process(
    experiment: str | Path, runs: int, workers: int, dask: str | None
) -> dict[str, float]:
    cmd = [sys.executable, "-m", "sim.sweep.throughput", str(experiment), "--runs", str(runs)]
    cmd += ["--one", str(workers)] + (["--dask", dask] if dask else [])
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"measurement failed: {' '.join(cmd)}\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def measure_throughput(
    experiment: str | Path,
    runs: int = 40,
    configs: Sequence[tuple[str, int, str | None]] = DEFAULT_CONFIGS,
    repeat: int = 1,
) -> pd.DataFrame:
    """Time the first ``runs`` runs of an experiment under each executor configuration.

    Args:
        experiment: an experiment file.
        runs: runs per measurement (the first ones of the sweep, in run order).
        configs: ``(label, workers, dask)`` per measurement; the first is the reference
            (normally serial, 1 worker).
        repeat: measurements per configuration, interleaved; the table has their medians.

    Returns:
        One row per configuration: runs, wall time with and without start-up (medians), runs
        per minute, parallel efficiency (with and without start-up), runs per minute relative to
        the process pool (``vs_pool``, if one is measured) and the load average.
    """
    import pandas as pd

    samples = []
    for _ in range(repeat):
        for label, workers, dask in configs:
            m = _measure_in_new_process(experiment, runs, workers, dask)
            samples.append({"executor": label, **m, "load": os.getloadavg()[0]})
    raw = pd.DataFrame(samples)
    order = {label: i for i, (label, _, _) in enumerate(configs)}
    df = (
        raw.groupby("executor", sort=False)
        .agg(
            workers=("workers", "first"),
            runs=("runs", "first"),
            wall_s=("wall_s", "median"),
            run_phase_s=("run_phase_s", "median"),
            load=("load", "last"),
        )
        .reset_index()
        .sort_values("executor", key=lambda c: c.map(order))
        .reset_index(drop=True)
    )
    df["runs_per_min"] = df["runs"] / df["wall_s"] * 60
    df["runs_per_min_run_phase"] = df["runs"] / df["run_phase_s"] * 60
    ref_wall = df["runs_per_min"].iloc[0]
    ref_run = df["runs_per_min_run_phase"].iloc[0]
    df["efficiency"] = df["runs_per_min"] / ref_wall / df["workers"]
    df["efficiency_run_phase"] = df["runs_per_min_run_phase"] / ref_run / df["workers"]
    pool = df.index[df["executor"] == "process pool"]
    df["vs_pool"] = (
        df["runs_per_min"] / df.loc[pool[0], "runs_per_min"] if len(pool) else float("nan")
    )
    return df


def to_markdown(df: pd.DataFrame) -> str:
    """The table as Markdown (no extra dependency)."""
    head = (
        "| executor | workers | runs | wall s | runs/min | efficiency | "
        "runs/min (runs only) | efficiency (runs only) | vs pool | load |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in df.itertuples():
        lines.append(
            f"| {r.executor} | {r.workers} | {r.runs} | {r.wall_s:.1f} | {r.runs_per_min:.0f} | "
            f"{r.efficiency:.2f} | {r.runs_per_min_run_phase:.0f} | "
            f"{r.efficiency_run_phase:.2f} | {r.vs_pool:.2f} | {r.load:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.sweep.throughput EXPERIMENT [--runs N]``."""
    p = argparse.ArgumentParser(prog="python -m sim.sweep.throughput", description=__doc__)
    p.add_argument("experiment", type=Path)
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--repeat", type=int, default=1, help="measurements per configuration")
    p.add_argument("--one", type=int, metavar="WORKERS", help=argparse.SUPPRESS)
    p.add_argument("--dask", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one is not None:  # one measurement, for measure_throughput's fresh process
        print(json.dumps(measure_once(args.experiment, args.runs, args.one, args.dask)))
        return 0
    print(to_markdown(measure_throughput(args.experiment, args.runs, repeat=args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
