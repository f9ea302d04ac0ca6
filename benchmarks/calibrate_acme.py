"""The example company fitted to its four figures (issue 18's speed target: 10 minutes or less).

Runs ``python run.py calibrate examples/acme/current.toml --observed examples/acme/observed.toml``
(the default fit: the screen of a fifth of the budget over every parameter flagged uncertain, then
the parameters it selects; add ``--screen 0`` to fit them all; the default budget) through
``run.main`` in this process, timing every model run (wall and CPU seconds), and prints the
command's own output, then the wall time and how it splits: model runs (and within one run:
building and burning in the organisation vs the measured year) against everything else (pyabc's
proposals, kernel fits and history database, the outputs), and the wall time on a quiet 2-core
machine estimated from CPU seconds (runs x CPU seconds per run / 2 workers + the serial rest), for
a loaded machine.

Run: PYTHONPATH=. python benchmarks/calibrate_acme.py [--workers N] [--out DIR] [extra flags]
(timing of the runs themselves is measured with 1 worker, where they run in this process).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run  # noqa: E402
import sim.calibration as calmod  # noqa: E402


def one_run_split(repeats: int = 3) -> tuple[float, float]:
    """Seconds to build and burn in the acme organisation, and to run its measured year."""
    from sim.inputs import load_scenario
    from sim.model import OrgModel

    base = calmod.at_start(load_scenario("examples/acme/current.toml"))
    build = year = 0.0
    for r in range(repeats):
        t0 = time.perf_counter()
        m = OrgModel(base, rng=100 + r, counterfactual=False)
        t1 = time.perf_counter()
        m.run()
        t2 = time.perf_counter()
        build += t1 - t0
        year += t2 - t1
    return build / repeats, year / repeats


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", default="results/calibrate-acme")
    args, extra = p.parse_known_args()
    runs: list[float] = []
    cpu: list[float] = []
    real = calmod._numbered

    def timed(job):  # runs in this process with 1 worker
        t0, c0 = time.perf_counter(), time.process_time()
        out = real(job)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        return out

    calmod._numbered = timed
    argv = [
        "calibrate",
        "examples/acme/current.toml",
        "--observed",
        "examples/acme/observed.toml",
        "--workers",
        str(args.workers),
        "--out",
        args.out,
        *extra,
    ]
    print("$ python run.py " + " ".join(argv), flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    code = run.main(argv)
    wall, cpu_all = time.perf_counter() - t0, time.process_time() - c0
    build, year = one_run_split()
    print(
        f"\nexit {code}; wall time {wall:.0f} s ({wall / 60:.1f} min) on {args.workers} "
        f"worker(s), load average {os.getloadavg()[0]:.1f} at the end"
    )
    if runs:
        total = sum(runs)
        print(
            f"model runs: {len(runs)} (posterior predictive included), {total:.0f} s = "
            f"{100 * total / wall:.0f}% of the wall time, {total / len(runs):.2f} s each"
        )
        print(
            f"everything else (pyabc proposals, kernel fits, history db, outputs): "
            f"{wall - total:.0f} s"
        )
        run_cpu, rest_cpu = sum(cpu), cpu_all - sum(cpu)
        each = run_cpu / len(cpu)
        print(
            f"CPU: model runs {run_cpu:.0f} s ({each:.2f} s each), everything else "
            f"{rest_cpu:.0f} s (of this process's {cpu_all:.0f} s)"
        )
        print(
            f"quiet 2-core estimate: {len(cpu)} runs x {each:.2f} CPU s / 2 workers + "
            f"{rest_cpu:.0f} s serial = {len(cpu) * each / 2 + rest_cpu:.0f} s "
            f"({(len(cpu) * each / 2 + rest_cpu) / 60:.1f} min)"
        )
    print(f"one run: build + 52-week burn-in {build:.2f} s, measured year {year:.2f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
