"""The acme report's headline with and without the calibration, in one command (issue 18).

Runs ``python run.py report`` twice on the same proposal (``examples/acme/proposed.toml``), with
the same seed and settings:

1. ``--current examples/acme/current.toml`` (the example as written);
2. ``--current CALIBRATED`` (a ``run.py calibrate`` folder's ``calibrated.toml``; the report
   gives the proposal the current design's posterior, docs/ODD.md 8.K),

and prints both headlines from the reports' CSVs: the cumulative net benefit (proposed minus
current) with its 95% CI (simulation noise), the same with the uncertain assumptions drawn (mean
and 95% prediction interval), and the change in annual churn with both intervals.

Run: PYTHONPATH=. python experiments/calibrated_report.py [--calibrated
results/calibrate-acme/calibrated.toml] [--out results/calibrated-report] [--workers 2]
[more run.py report flags, e.g. --replicates 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run  # noqa: E402
from sim.csvsafe import to_csv  # noqa: E402

PROPOSED = "examples/acme/proposed.toml"
CURRENT = "examples/acme/current.toml"


def headline(csv: Path) -> dict[str, float]:
    """The headline numbers of one report's CSV (differences, proposed minus current)."""
    t = pd.read_csv(csv)
    out = t[t.section == "outcome"].set_index("key")
    drawn = t[t.section == "with_assumptions"].set_index("key")
    h: dict[str, float] = {}
    for key in ("net_benefit_total", "annual_churn"):
        h[f"{key}_current"] = float(out.loc[key, "current"])
        h[f"{key}_proposed"] = float(out.loc[key, "proposed"])
        h[key] = float(out.loc[key, "difference"])
        h[f"{key}_ci_low"] = float(out.loc[key, "difference_ci_low"])
        h[f"{key}_ci_high"] = float(out.loc[key, "difference_ci_high"])
        if key in drawn.index:
            h[f"{key}_drawn"] = float(drawn.loc[key, "difference"])
            h[f"{key}_pi_low"] = float(drawn.loc[key, "range_low"])
            h[f"{key}_pi_high"] = float(drawn.loc[key, "range_high"])
    return h


def describe(name: str, h: dict[str, float]) -> str:
    """The headline in words (money in millions, churn in points)."""
    m = 1e6
    nb = (
        f"{name}: cumulative net benefit {h['net_benefit_total'] / m:+.2f}M "
        f"(95% CI {h['net_benefit_total_ci_low'] / m:+.2f}M to "
        f"{h['net_benefit_total_ci_high'] / m:+.2f}M)"
    )
    if "net_benefit_total_drawn" in h:
        nb += (
            f"; assumptions drawn: mean {h['net_benefit_total_drawn'] / m:+.2f}M, 95% prediction "
            f"interval {h['net_benefit_total_pi_low'] / m:+.2f}M to "
            f"{h['net_benefit_total_pi_high'] / m:+.2f}M"
        )
    ch = (
        f"  annual churn {100 * h['annual_churn_current']:.1f}% -> "
        f"{100 * h['annual_churn_proposed']:.1f}%, {100 * h['annual_churn']:+.1f} points "
        f"(CI {100 * h['annual_churn_ci_low']:+.1f} to {100 * h['annual_churn_ci_high']:+.1f})"
    )
    if "annual_churn_drawn" in h:
        ch += (
            f"; assumptions drawn {100 * h['annual_churn_drawn']:+.1f} points (prediction "
            f"interval {100 * h['annual_churn_pi_low']:+.1f} to "
            f"{100 * h['annual_churn_pi_high']:+.1f})"
        )
    return nb + "\n" + ch


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--calibrated", type=Path, default=Path("results/calibrate-acme/calibrated.toml")
    )
    p.add_argument("--out", type=Path, default=Path("results/calibrated-report"))
    p.add_argument("--workers", type=int, default=2)
    args, extra = p.parse_known_args()
    if not args.calibrated.is_file():
        print(
            f"--calibrated {args.calibrated}: no such file; expected the calibrated.toml of "
            "python run.py calibrate examples/acme/current.toml --observed "
            "examples/acme/observed.toml --out DIR (or PYTHONPATH=. python "
            "benchmarks/calibrate_acme.py)",
            file=sys.stderr,
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    heads = {}
    for name, current in (("without calibration", CURRENT), ("calibrated", args.calibrated)):
        html = args.out / ("uncalibrated.html" if current == CURRENT else "calibrated.html")
        argv = ["report", "--current", str(current), "--proposed", PROPOSED,
                "--workers", str(args.workers), "--out", str(html), *extra]  # fmt: skip
        print("$ python run.py " + " ".join(argv), flush=True)
        t0 = time.perf_counter()
        code = run.main(argv)
        print(f"exit {code}, {time.perf_counter() - t0:.0f} s", flush=True)
        if code != 0:
            return code
        heads[name] = headline(html.with_suffix(".csv"))
    print()
    for name, h in heads.items():
        print(describe(name, h))
    # text cells neutralised like every CSV the project writes (sim.csvsafe)
    to_csv(pd.DataFrame(heads).T.rename_axis("design").reset_index(), args.out / "headlines.csv")
    print(f"wrote {args.out / 'headlines.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
