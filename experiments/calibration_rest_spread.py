"""Do the parameters a fit left to their priors widen its posterior predictive? (issue 18; 8.K)

A default fit (``run.py calibrate`` without ``--parameters``) fits the parameters its screen
selects and holds every other flagged parameter at the scenario's value (``--others held``, the
default) or draws it from its prior in each run (``--others drawn``). This reads a
calibration folder (``posterior.parquet``, ``screen.csv``) and runs the posterior predictive
four ways on the same draws (the same particles, run seeds and prior draws as
``Posterior.predict``: common random numbers, so a difference in spread is the rest's alone):

- ``all drawn``: every parameter not fitted drawn from its prior (what ``fit.csv`` shows after
  ``--others drawn``, and what the report's replicates do with the assumptions drawn);
- ``passed drawn``: only the ones the screen passed (Holm-adjusted p < 0.05 for some target)
  but did not fit (over the cap) drawn, the ones it found irrelevant at the scenario's values;
- ``none drawn``: every parameter not fitted at the scenario's values (what ``fit.csv`` shows
  after ``--others held``, and what ``run`` and ``compare`` of ``calibrated.toml`` do);
- ``noise only``: also the fitted ones fixed (at their posterior means): simulation noise alone.

Prints per target the predictive's 90% interval and its width under each, and the share of the
``all drawn`` width the irrelevant ones add (``all`` minus ``passed`` over ``all``).

Run: PYTHONPATH=. python experiments/calibration_rest_spread.py DIR [--runs 40] [--workers 1]
(DIR: the --out folder of a default calibration of examples/acme/current.toml, e.g. the
benchmark's results/calibrate-acme).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sim.calibration as cal  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.inputs import load_scenario  # noqa: E402
from sim.sweep.executors import make_executor  # noqa: E402

WAYS = ("all drawn", "passed drawn", "none drawn", "noise only")


def predictive_ways(
    folder: Path, scenario: str, observed: str, runs: int, workers: int, seed: int
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The predictive's runs under each way (one row per run and way) and the parameter counts."""
    post_df = pd.read_parquet(folder / "posterior.parquet")
    screen = pd.read_csv(folder / cal.SCREEN_FILE)
    names = [c for c in post_df.columns if c != "weight"]
    ps = cal.priors(names)
    every = cal.priors()
    rest = [p for p in every if p.path not in set(names)]
    passed = set(screen.loc[screen.p_adjusted < cal.SCREEN_ALPHA, "parameter"])
    obs = cal.load_observed(observed)
    post = cal.Posterior(
        scenario=load_scenario(scenario),
        observed=obs,
        priors=ps,
        particles=post_df[names].to_numpy(dtype=float),
        weights=post_df["weight"].to_numpy(dtype=float),
        seed=seed,
        rest=rest,
    )
    # the draws of Posterior.predict: particles from (3,), the rest from (8, i), seeds (4, i)
    rng = np.random.Generator(np.random.PCG64(cal._child(seed, 3)))
    sets = post.sample(runs, rng)
    mean = cal.overrides_of(ps, np.average(post.particles, axis=0, weights=post.weights))
    base = cal.at_start(post.scenario, obs.window())
    jobs = []
    for i, o in enumerate(sets):
        drawn = cal.rest_draw(rest, seed, cal._REST_PREDICT, i)
        run_seed = cal.seed_from_child(seed, 4, i)
        ways = {
            "all drawn": {**o, **drawn},
            "passed drawn": {**o, **{k: v for k, v in drawn.items() if k in passed}},
            "none drawn": dict(o),
            "noise only": dict(mean),
        }
        for w, over in ways.items():
            jobs.append(((i, w), (base, over, run_seed, obs)))
    ex = make_executor(workers, None, key_prefix="rest-spread")
    try:
        got = {job[0]: res for job, res in ex.imap_unordered(cal._numbered, jobs)}
    finally:
        ex.close()
    rows = []
    for (i, w), res in got.items():
        if isinstance(res, BaseException):
            raise RuntimeError(f"run failed: {res}") from res
        rows.append({"run": i, "way": w, **res})
    counts = {
        "fitted": len(ps),
        "rest": len(rest),
        "rest passed": len([p for p in rest if p.path in passed]),
    }
    return pd.DataFrame(rows).sort_values(["way", "run"]), counts


def spread_table(runs_df: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """Per target and way: mean, 5% and 95% quantiles and the 90% width."""
    rows = []
    for t in targets:
        for w in WAYS:
            y = runs_df.loc[runs_df.way == w, t].to_numpy(dtype=float)
            y = y[np.isfinite(y)]
            lo, hi = np.quantile(y, [0.05, 0.95])
            rows.append(
                {
                    "target": t,
                    "way": w,
                    "mean": y.mean(),
                    "low_90": lo,
                    "high_90": hi,
                    "width_90": hi - lo,
                }  # fmt: skip
            )
    return pd.DataFrame(rows)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("folder", type=Path)
    p.add_argument("--scenario", default="examples/acme/current.toml")
    p.add_argument("--observed", default="examples/acme/observed.toml")
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=2026, help="the calibration's seed")
    args = p.parse_args()
    if args.runs < 5:
        print("--runs: expected at least 5", file=sys.stderr)
        return 2
    if (
        not (args.folder / "posterior.parquet").exists()
        or not (args.folder / cal.SCREEN_FILE).exists()
    ):
        print(
            f"{args.folder}: expected a default calibration's folder (posterior.parquet and "
            f"{cal.SCREEN_FILE})",
            file=sys.stderr,
        )
        return 2
    try:
        runs_df, counts = predictive_ways(
            args.folder, args.scenario, args.observed, args.runs, args.workers, args.seed
        )
    except InputError as e:
        print(e, file=sys.stderr)
        return 2
    targets = list(cal.load_observed(args.observed).statistics())
    t = spread_table(runs_df, targets)
    print(
        f"{counts['fitted']} fitted, {counts['rest']} not fitted ({counts['rest passed']} of them "
        f"passed the screen); {args.runs} predictive runs per way, common draws"
    )
    print(f"{'target':27s} {'way':13s} {'mean':>9s}  90% interval          width")
    for r in t.itertuples():
        print(
            f"{r.target:27s} {r.way:13s} {r.mean:9.4g}  [{r.low_90:8.4g}, {r.high_90:8.4g}]"
            f"  {r.width_90:8.4g}"
        )
    for target in targets:
        w = t[t.target == target].set_index("way").width_90
        print(
            f"{target}: the parameters the screen found irrelevant add "
            f"{(w['all drawn'] - w['passed drawn']) / w['all drawn']:+.0%} of the width with "
            f"every rest drawn; passed-but-not-fitted "
            f"{(w['passed drawn'] - w['none drawn']) / w['all drawn']:+.0%}; the fitted ones' "
            f"posterior {(w['none drawn'] - w['noise only']) / w['all drawn']:+.0%}; noise "
            f"{w['noise only'] / w['all drawn']:.0%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
