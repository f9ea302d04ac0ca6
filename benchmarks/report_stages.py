"""Wall time of ``python run.py report`` by stage, and what its simulation time is spent on.

Run from the repository root::

    PYTHONPATH=. python benchmarks/report_stages.py [--workers 2] [--quick] [--current C.toml]
        [--proposed P.toml]

Builds the example's report (``examples/acme``, the default size: 6 paired replicates, 104
weeks, breakdown, assumption draws and a 4-trajectory screen; ``--quick``: the tests' 2 x 20
weeks) into a temporary folder and prints

- the wall time of each stage (``sim.report.STAGES``, then drawing and writing the files);
- the runs' own time (summed over the worker processes, ``run_jobs(seconds=...)``) by kind of
  run: the pair with its no-change twins, each change alone, the proposal with each change left
  out, the pair with the assumptions drawn, and the Morris screen; with the share of each.

Nothing the report reads is written: the outputs go to a fresh temporary folder, removed after.
Timings depend on the machine and its load; say both when you quote them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.report import WRITE_STAGE, compute_report, write_report  # noqa: E402

#: Kinds of run, by the prefix of their design name in the report's jobs (``sim.report._jobs``).
KINDS = (
    ("alone:", "each change alone"),
    ("without:", "each change left out"),
    ("drawn:", "the pair with assumptions drawn"),
    ("screen:", "the Morris screen"),
    ("", "the pair (current, proposed, with their no-change twins)"),
)


def kind_of(design: str) -> str:
    """The kind of run a job's design name belongs to."""
    return next(label for prefix, label in KINDS if design.startswith(prefix))


def main(argv: list[str] | None = None) -> int:
    """Build the report once and print its stage and run times."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--current", type=Path, default=ROOT / "examples/acme/current.toml")
    ap.add_argument("--proposed", type=Path, default=ROOT / "examples/acme/proposed.toml")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--quick", action="store_true", help="2 replicates of 20 weeks (the tests')")
    args = ap.parse_args(argv)
    kw: dict = {"workers": args.workers}
    if args.quick:
        kw.update(replicates=2, seed=5, overrides={"horizon_weeks": 20}, screen_trajectories=2)
    t0 = time.perf_counter()
    data = compute_report(args.current, args.proposed, **kw)
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        write_report(data, Path(tmp) / "report.html")
        write = time.perf_counter() - t1
    total = time.perf_counter() - t0
    stages = {**data.stages, WRITE_STAGE: write}
    load = os.getloadavg()
    print(
        f"Report of {args.proposed.name} vs {args.current.name}: {len(data.heads)} runs, "
        f"{args.workers} worker(s), {os.cpu_count()} cores, load average {load[0]:.1f} "
        f"{load[1]:.1f} {load[2]:.1f}"
    )
    print("\n| stage | wall seconds | share |\n|---|---:|---:|")
    for name, sec in stages.items():
        print(f"| {name} | {sec:.1f} | {100 * sec / total:.0f}% |")
    print(f"| total | {total:.1f} | 100% |")
    by_kind: dict[str, list[float]] = {}
    for design, sec in data.run_seconds.items():
        by_kind.setdefault(kind_of(design), []).append(sec)
    runs = {label: 0 for _, label in KINDS}
    for name in data.heads["scenario"]:
        runs[kind_of(str(name))] += 1
    cpu = sum(data.run_seconds.values())
    print("\n| runs | count | run seconds (all workers) | share |\n|---|---:|---:|---:|")
    for _, label in KINDS:
        sec = sum(by_kind.get(label, []))
        print(f"| {label} | {runs[label]} | {sec:.1f} | {100 * sec / max(cpu, 1e-9):.0f}% |")
    top = max(stages, key=stages.__getitem__)
    kind = max(by_kind, key=lambda k: sum(by_kind[k]))
    print(
        f"\nDominates: '{top}' ({100 * stages[top] / total:.0f}% of the wall time); within "
        f"the runs, {kind} ({100 * sum(by_kind[kind]) / max(cpu, 1e-9):.0f}% of run time)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
