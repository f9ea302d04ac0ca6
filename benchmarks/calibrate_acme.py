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
(timing of the runs themselves is measured with 1 worker, where they run in this process; with
more, the phases' wall times and one run's CPU split, measured after the fit, still print).
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


def one_run_split(repeats: int = 3) -> tuple[float, float, float]:
    """CPU seconds of one acme run at rest: building the organisation (structure, state, the
    settled playbook), its burn-in, and the measured year (mean of ``repeats`` runs)."""
    from sim.inputs import load_scenario
    from sim.model import OrgModel

    base = calmod.at_start(load_scenario("examples/acme/current.toml"))
    bare = base.with_overrides({"burn_in_weeks": 0}, "benchmark")
    build = burn = year = 0.0
    for r in range(repeats):
        c0 = time.process_time()
        OrgModel(bare, rng=100 + r, counterfactual=False)
        c1 = time.process_time()
        m = OrgModel(base, rng=100 + r, counterfactual=False)
        c2 = time.process_time()
        m.run()
        c3 = time.process_time()
        build += c1 - c0
        burn += (c2 - c1) - (c1 - c0)
        year += c3 - c2
    return build / repeats, burn / repeats, year / repeats


class Phases:
    """Wall seconds of the screen and the posterior predictive (the fit is the rest)."""

    def __init__(self) -> None:
        self.screen = self.predict = 0.0
        real_screen, real_predict = calmod.screen, calmod.Posterior.predict

        def screen(*a, **k):
            t0 = time.perf_counter()
            try:
                return real_screen(*a, **k)
            finally:
                self.screen += time.perf_counter() - t0

        def predict(post, *a, **k):
            t0 = time.perf_counter()
            try:
                return real_predict(post, *a, **k)
            finally:
                self.predict += time.perf_counter() - t0

        calmod.screen = screen  # run.py imports it from the module when the command runs
        calmod.Posterior.predict = predict


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

    if args.workers == 1:  # a pool pickles the function by name: a local one cannot go there
        calmod._numbered = timed
    phases = Phases()
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
    build, burn, year = one_run_split()
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
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pools' workers, once closed
    kids_cpu = kids.ru_utime + kids.ru_stime
    if args.workers > 1:
        print(
            f"CPU: worker processes {kids_cpu:.0f} s, this process {cpu_all:.0f} s; quiet "
            f"2-core estimate {kids_cpu:.0f} / {args.workers} + {cpu_all:.0f} = "
            f"{kids_cpu / args.workers + cpu_all:.0f} s "
            f"({(kids_cpu / args.workers + cpu_all) / 60:.1f} min)"
        )
    fit = wall - phases.screen - phases.predict
    print(
        f"phases (wall): screen {phases.screen:.0f} s, fit {fit:.0f} s, posterior predictive "
        f"{phases.predict:.0f} s"
    )
    one = build + burn + year
    print(
        f"one run (CPU, this process afterwards): {one:.2f} s = build {build:.2f} s "
        f"({100 * build / one:.0f}%: structure, state, the settled playbook) + burn-in "
        f"{burn:.2f} s ({100 * burn / one:.0f}%) + measured year {year:.2f} s "
        f"({100 * year / one:.0f}%)"
    )
    print(
        "dominates: the model runs; within a run, the organisation at rest before the measured "
        f"year (build + burn-in, {100 * (build + burn) / one:.0f}%)"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
