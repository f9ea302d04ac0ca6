"""Decision rights across manager capacity: the table in docs/VALIDATION.md.

``organisation.manager_capacity`` is an uncertain assumption (no study gives escalated customer
decisions per manager-week), so the decision-rights effect is reported across a range of it:
for each capacity, ``command_and_control`` and ``functional_silos`` at test size (150 people,
1,500 customers, 104 weeks) with ``culture.decision_rights`` 0.1 vs 0.9 on paired seeds; the
effect (0.9 minus 0.1) on decision latency (last 13 weeks) and annual churn (last 52 weeks) with
a paired 95% Student-t interval, and the mean queued decisions and overloaded managers per week
at 0.1.

Run (prints the Markdown table pasted into docs/VALIDATION.md)::

    python -m sim.capacity_sweep
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pandas as pd

from sim.experiment import headlines_table, mean_ci, run_replicates
from sim.inputs import load_scenario

#: Test size of the model (as ``tests/conftest.py::SMALL``).
SIZE = {"organisation.employees": 150, "customers.count": 1500}
CAPACITIES = (3.0, 6.0, 12.0, 24.0)
PRESETS = ("command_and_control", "functional_silos")
RIGHTS = (0.1, 0.9)


def sweep(
    capacities: Sequence[float] = CAPACITIES,
    replicates: int = 12,
    seed: int = 7,
    presets: Sequence[str] = PRESETS,
    weeks: int = 104,
    workers: int = 1,
) -> pd.DataFrame:
    """One row per preset and capacity: effects of decision rights 0.9 vs 0.1, paired 95% CIs."""
    rows = []
    for preset, cap in ((pr, c) for pr in presets for c in capacities):
        designs = {
            f"dr{r}": load_scenario(preset).with_overrides(
                {
                    **SIZE,
                    "organisation.manager_capacity": cap,
                    "culture.decision_rights": r,
                    "horizon_weeks": weeks,
                }
            )
            for r in RIGHTS
        }
        weekly = run_replicates(designs, replicates, seed, workers=workers, counterfactual=False)
        heads = headlines_table(weekly)
        lo_name, hi_name = (f"dr{r}" for r in RIGHTS)
        row: dict[str, float | str] = {"preset": preset, "manager_capacity": cap}
        for outcome in ("decision_latency_days", "annual_churn"):
            by = {
                k: g.sort_values("replicate")[outcome].to_numpy(float)
                for k, g in heads.groupby("scenario")
            }
            row[f"{outcome}_low"] = float(by[lo_name].mean())
            row[f"{outcome}_high"] = float(by[hi_name].mean())
            m, lo, hi = mean_ci(by[hi_name] - by[lo_name])
            row[f"{outcome}_effect"], row[f"{outcome}_ci_lo"], row[f"{outcome}_ci_hi"] = m, lo, hi
        low = weekly[weekly["scenario"] == lo_name]
        row["decisions_queued_low"] = float(low["decisions_queued"].mean())
        row["managers_overloaded_low"] = float(low["managers_overloaded"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, replicates: int, seed: int = 7) -> str:
    """The table as Markdown (churn in points of annual churn)."""
    lines = [
        f"150 people / 1,500 customers, 104 weeks, {replicates} paired "
        f"replicates (seed {seed}); effect = decision rights 0.9 minus 0.1, paired mean [95% CI].",
        "",
        "| preset | manager capacity (per week) | queued decisions / week at 0.1 | "
        "overloaded managers / week at 0.1 | latency at 0.1 (days) | latency effect (days) | "
        "annual churn at 0.1 | churn effect (points) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in table.iterrows():
        lat = r["decision_latency_days_effect"], r["decision_latency_days_ci_lo"]
        lat_hi = r["decision_latency_days_ci_hi"]
        ch = [100 * r[f"annual_churn_{s}"] for s in ("effect", "ci_lo", "ci_hi")]
        lines.append(
            f"| {r['preset']} | {r['manager_capacity']:g} | {r['decisions_queued_low']:.1f} | "
            f"{r['managers_overloaded_low']:.2f} | {r['decision_latency_days_low']:.2f} | "
            f"{lat[0]:+.2f} [{lat[1]:+.2f}, {lat_hi:+.2f}] | "
            f"{100 * r['annual_churn_low']:.1f}% | {ch[0]:+.1f} [{ch[1]:+.1f}, {ch[2]:+.1f}] |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.capacity_sweep", description=__doc__)
    ap.add_argument("--replicates", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    table = sweep(replicates=args.replicates, seed=args.seed)
    print(markdown(table, args.replicates, args.seed), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
