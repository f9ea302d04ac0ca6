"""Statistics of a sweep that fit its design: CIs, paired differences, sensitivity, plots.

What is computed depends on the design, because the design decides what a design point is:

- **grid**: the points are treatments, crossed. ``paired_differences.csv`` holds each point
  minus the baseline point; with common random numbers replicate r of both points used the same
  seed, so the differences are paired by replicate (the CI is that of the mean paired
  difference); without them, Welch's interval. ``sensitivity.csv`` tests each factor with the
  replicates as blocks: per replicate, the outcome's mean at each level of the factor (over the
  other factors' levels), then Friedman's test over those blocks (the exact sign test for two
  levels), with Kendall's W (0: no effect, 1: the levels rank the same in every replicate) as
  the effect size. Runs that share seeds are never counted as independent. Without common random
  numbers the runs are independent and Spearman's rho (numeric factors) or Kruskal-Wallis
  epsilon^2 (categorical ones) over runs is used.
- **lhs**: the points are a sample of the factor space; differences against "point 0" would
  compare two arbitrary samples, so none are written. The unit of analysis is the design point
  (its mean over replicates): standardised regression coefficients (``src``, with the linear
  model's R^2: SRCs are trustworthy when it is high) and partial rank correlation coefficients
  (``prcc``, with their t-test p-value) for numeric factors, Kruskal-Wallis epsilon^2 over points
  for categorical ones; ``conf`` is a 95% bootstrap half-width over points.
- **sobol**, **morris**: SALib's own indices on the point means (Sobol S1, ST and S2 if sampled;
  Morris mu, mu*, sigma), with SALib's bootstrap confidence; no paired differences either.

``summary.csv`` holds the mean, sd and 95% CI of each headline outcome per design point, over
replicates (failed runs left out and counted). A bounded outcome (a rate or share in [0, 1], a
count that cannot go below 0: ``sim.experiment.HEADLINE_BOUNDS``) keeps its interval inside its
bounds: the Student-t interval when it lies inside them, else a percentile bootstrap interval
with at least :data:`MIN_BOOTSTRAP_N` replicates, else none ("n too small"); the ``ci_method``
column says which.

Plots (``plots/``): per outcome, the outcome against each factor: for a grid the runs as dots and
the mean per level with its CI; for the sampling designs each point's mean as a dot and a LOWESS
smoother (never a line joining points in sample order). ``plots/trajectory-<metric>.png``: the
weekly mean per design point with a band from the 10th to the 90th percentile over replicates,
from the weekly table.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.csvsafe import to_csv
from sim.errors import InputError, RunsFailed
from sim.sweep.samplers import Design
from sim.sweep.store import load_results, read_manifest

#: Fewest replicates for a bootstrap interval of a bounded outcome.
MIN_BOOTSTRAP_N = 8
#: Bootstrap resamples (intervals of bounded outcomes, SRC/PRCC half-widths).
BOOTSTRAP_RESAMPLES = 2000
#: Weekly metrics drawn as trajectories (those the sweep kept).
TRAJECTORY_METRICS = ("adoption_rate", "satisfaction_mean", "customers_active", "morale_mean")
#: Most design points drawn in one trajectory plot.
MAX_TRAJECTORY_POINTS = 12

KEY_OUTCOMES = (
    "adoption_rate",
    "satisfaction_mean",
    "annual_churn",
    "morale_mean",
    "net_benefit_total",
)


@dataclass
class SweepSummary:
    """The statistics of one sweep folder (see the module docstring for each table)."""

    root: Path
    out: Path
    name: str
    design: Design
    total: int
    finished: int
    failed: int
    replicates: int
    paired: bool
    baseline: int
    summary: pd.DataFrame
    differences: pd.DataFrame
    sensitivity: pd.DataFrame
    plots: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    experiment: str = ""

    @property
    def complete(self) -> bool:
        """Whether every run of the sweep is recorded."""
        return self.finished == self.total


def point_label(design: Design, point: int) -> str:
    """``structure=matrix, psychological_safety=0.5`` (last part of each key)."""
    return ", ".join(
        f"{k.rsplit('.', 1)[-1]}={_short(v)}" for k, v in zip(design.keys, design.points[point])
    )


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def find_point(design: Design, text: str) -> int:
    """A design point from ``--baseline``: its number, or ``key=value[,key=value...]``.

    Keys may be dotted scenario keys or their last part (``decision_rights=0.2``).

    Raises:
        InputError: when nothing, or more than one point, matches.
    """
    text = text.strip()
    if text.isdigit():
        p = int(text)
        if p >= len(design.points):
            raise InputError(
                f"--baseline {text}: the design has points 0 to {len(design.points) - 1}"
            )
        return p
    selector: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--baseline {text!r}: expected a point number or key=value,...")
        matches = [k for k in design.keys if k == key or k.rsplit(".", 1)[-1] == key]
        if len(matches) != 1:
            raise InputError(
                f"--baseline {text!r}: {key!r} names {'no' if not matches else 'more than one'} "
                f"factor; factors: {', '.join(design.keys)}"
            )
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        selector[matches[0]] = value
    found = [
        i
        for i, pt in enumerate(design.points)
        if all(_same(dict(zip(design.keys, pt))[k], v) for k, v in selector.items())
    ]
    if not found:
        raise InputError(f"--baseline {text!r}: no design point matches")
    if len(found) > 1 and len(selector) < len(design.keys):
        raise InputError(
            f"--baseline {text!r}: {len(found)} design points match; name every factor "
            "or give a point number"
        )
    return found[0]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _ci_table(groups: pd.core.groupby.DataFrameGroupBy, outcomes: Sequence[str]) -> pd.DataFrame:
    """Mean, sd, Student-t 95% CI and n per group and outcome (NaNs dropped, as ``mean_ci``)."""
    mean = groups[list(outcomes)].mean()
    sd = groups[list(outcomes)].std(ddof=1)
    n = groups[list(outcomes)].count()
    long = pd.DataFrame(
        {
            "mean": mean.stack(future_stack=True),
            "sd": sd.stack(future_stack=True),
            "n": n.stack(future_stack=True),
        }
    )
    long.index = long.index.set_names([*long.index.names[:-1], "outcome"])
    dof = long["n"].to_numpy(dtype=float) - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        tq = np.where(dof >= 1, stats.t.ppf(0.975, np.maximum(dof, 1)), np.nan)
        half = tq * long["sd"].to_numpy() / np.sqrt(long["n"].to_numpy(dtype=float))
    long["ci_low"] = long["mean"] - half
    long["ci_high"] = long["mean"] + half
    long["n"] = long["n"].astype(int)
    return long.reset_index()[
        [*long.index.names[:-1], "outcome", "mean", "sd", "ci_low", "ci_high", "n"]
    ]


def point_summary(
    runs: pd.DataFrame,
    outcomes: Sequence[str],
    bounds: dict[str, tuple[float | None, float | None]] | None = None,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Mean, sd and 95% CI of each outcome per design point (long format).

    Args:
        runs: the runs table (NaN outcomes, failed runs among them, drop out).
        outcomes: outcome columns.
        bounds: outcome -> (low, high) for bounded outcomes (None: no bound on that side); their
            intervals are kept inside the bounds (see the module docstring, ``ci_method``).
        rng: draws the bootstrap resamples (``sim.rng.side_stream(root_seed,
            "summary_bootstrap")``); required when ``bounds`` is given.

    Returns:
        point, outcome, mean, sd, ci_low, ci_high, n, ci_method (``t``, ``bootstrap``,
        ``none: n too small`` or ``none: n < 2``).
    """
    table = _ci_table(runs.groupby("point", sort=True), outcomes)
    table["ci_method"] = np.where(table["n"] >= 2, "t", "none: n < 2")
    for i in np.flatnonzero(table["n"].to_numpy() >= 2):
        k = table.at[i, "outcome"]
        lo, hi = (bounds or {}).get(k, (None, None))
        if lo is None and hi is None:
            continue
        c_lo, c_hi = table.at[i, "ci_low"], table.at[i, "ci_high"]
        if (lo is None or c_lo >= lo) and (hi is None or c_hi <= hi):
            continue  # the t interval already lies inside the bounds
        n = int(table.at[i, "n"])
        if n >= MIN_BOOTSTRAP_N:
            assert rng is not None, "a bootstrap needs its generator"
            x = runs.loc[runs["point"] == table.at[i, "point"], k].to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            means = x[rng.integers(0, x.size, (BOOTSTRAP_RESAMPLES, x.size))].mean(axis=1)
            b_lo, b_hi = np.quantile(means, [0.025, 0.975])
            table.loc[i, ["ci_low", "ci_high", "ci_method"]] = [b_lo, b_hi, "bootstrap"]
        else:
            table.loc[i, ["ci_low", "ci_high", "ci_method"]] = [np.nan, np.nan, "none: n too small"]
    return table


def differences(
    runs: pd.DataFrame, baseline: int, outcomes: Sequence[str], paired: bool = True
) -> pd.DataFrame:
    """Each design point minus the baseline point, per outcome, with a 95% CI.

    Args:
        runs: the runs table (failed runs have NaN outcomes and drop out).
        baseline: the baseline design point.
        outcomes: outcome columns.
        paired: pair by replicate (common random numbers); otherwise Welch's interval.
    """
    outcomes = list(outcomes)
    base = runs[runs["point"] == baseline].set_index("replicate")[outcomes]
    others = runs[runs["point"] != baseline]
    if paired:
        d = others.set_index("replicate")[outcomes] - base.reindex(others["replicate"]).to_numpy()
        d["point"] = others["point"].to_numpy()
        table = _ci_table(d.groupby("point", sort=True), outcomes).rename(columns={"mean": "diff"})
        table.insert(1, "baseline", baseline)
        table["method"] = "paired"
        return table.drop(columns="sd")
    rows = []
    for point, g in others.groupby("point", sort=True):
        for k in outcomes:
            a = g[k].to_numpy(float)
            b = base[k].to_numpy(float)
            a, b = a[np.isfinite(a)], b[np.isfinite(b)]
            diff, lo, hi = _welch(a, b)
            rows.append(
                {
                    "point": point,
                    "baseline": baseline,
                    "outcome": k,
                    "diff": diff,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": int(min(a.size, b.size)),
                    "method": "welch",
                }
            )
    return pd.DataFrame(rows)


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    if a.size == 0 or b.size == 0:
        return math.nan, math.nan, math.nan
    diff = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return diff, math.nan, math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.975, dof) * se)
    return diff, diff - half, diff + half


def sensitivity(
    runs: pd.DataFrame,
    design: Design,
    outcomes: Sequence[str],
    seed: int,
    notes: list[str] | None = None,
    paired: bool = True,
) -> pd.DataFrame:
    """Sensitivity of each outcome to each factor, by the method that fits the design.

    Args:
        runs: the runs table.
        design: the sweep's design.
        outcomes: outcome columns.
        seed: the sweep's root seed (SALib's and the bootstrap's resamples derive from it).
        notes: receives a line for each index that could not be computed, and why.
        paired: whether replicate r used the same seed at every point (common random numbers).

    Returns:
        Long table: method, outcome, factor, index, value, conf (95% half-width), p_value.
        Methods: ``friedman`` (``kendall_w``) for a grid with common random numbers,
        ``spearman`` (``rho``) / ``kruskal`` (``epsilon2``) for one without, ``src``
        (``src`` and ``r2``) / ``prcc`` (``prcc``) / ``kruskal`` for lhs, ``sobol`` (S1, ST,
        S2) and ``morris`` (mu_star, mu, sigma). See the module docstring.
    """
    notes = notes if notes is not None else []
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    if design.kind in ("sobol", "morris"):
        rows = _salib(ok, design, outcomes, seed, notes)
    elif design.kind == "lhs":
        rows = _sampled(ok, design, outcomes, seed, notes)
    elif paired:
        rows = _blocked(ok, design, outcomes, notes)
    else:
        rows = _independent(ok, design, outcomes)
    return pd.DataFrame(
        rows, columns=["method", "outcome", "factor", "index", "value", "conf", "p_value"]
    )


def _salib(
    ok: pd.DataFrame, design: Design, outcomes: Sequence[str], seed: int, notes: list[str]
) -> list[dict[str, Any]]:
    """SALib's Sobol or Morris indices on the point means."""
    from SALib.analyze import morris, sobol

    rows: list[dict[str, Any]] = []
    n_points = len(design.points)
    means = ok.groupby("point")[list(outcomes)].mean().reindex(range(n_points))
    problem = design.problem()
    for k in outcomes:
        y = means[k].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            bad = int((~np.isfinite(y)).sum())
            notes.append(
                f"{design.kind} indices of {k} skipped: {bad} design points have no value "
                "(missing or failed runs, or an undefined outcome)"
            )
            continue
        if np.ptp(y) == 0:
            notes.append(f"{design.kind} indices of {k} skipped: the outcome is constant")
            continue
        if design.kind == "sobol":
            res = sobol.analyze(problem, y, calc_second_order=design.second_order, seed=seed)
            for i, f in enumerate(design.keys):
                for idx in ("S1", "ST"):
                    rows.append(_row("sobol", k, f, idx, res[idx][i], res[f"{idx}_conf"][i]))
            if design.second_order:
                for i, fi in enumerate(design.keys):
                    for j in range(i + 1, len(design.keys)):
                        rows.append(
                            _row(
                                "sobol",
                                k,
                                f"{fi} x {design.keys[j]}",
                                "S2",
                                res["S2"][i, j],
                                res["S2_conf"][i, j],
                            )
                        )
        else:
            assert design.sample is not None
            res = morris.analyze(
                problem, design.sample, y, num_levels=design.morris_levels, seed=seed
            )
            for i, f in enumerate(design.keys):
                rows.append(
                    _row("morris", k, f, "mu_star", res["mu_star"][i], res["mu_star_conf"][i])
                )
                rows.append(_row("morris", k, f, "mu", res["mu"][i], math.nan))
                rows.append(_row("morris", k, f, "sigma", res["sigma"][i], math.nan))
    return rows


def friedman(blocks: np.ndarray) -> tuple[float, float, float]:
    """Friedman's test of k treatments over n blocks (rows), with ties corrected.

    For two treatments the p-value is the exact two-sided sign test (Friedman's test is the
    sign test then, and its chi-square approximation is poor for few blocks).

    Args:
        blocks: n x k array, one row per block (a replicate), one column per treatment.

    Returns:
        (statistic Q, p-value, Kendall's W = Q / (n (k - 1))); NaNs when every block ties.
    """
    n, k = blocks.shape
    ranks = np.apply_along_axis(stats.rankdata, 1, blocks)
    ties = 0.0
    for row in blocks:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denom = 1.0 - ties / (n * k * (k * k - 1))
    if n < 1 or k < 2 or denom <= 0:
        return math.nan, math.nan, math.nan
    r = ranks.sum(axis=0)
    q = (12.0 / (n * k * (k + 1)) * float((r**2).sum()) - 3.0 * n * (k + 1)) / denom
    if k == 2:
        d = blocks[:, 1] - blocks[:, 0]
        pos, neg = int((d > 0).sum()), int((d < 0).sum())
        p = float(stats.binomtest(pos, pos + neg, 0.5).pvalue) if pos + neg else 1.0
    else:
        p = float(stats.chi2.sf(q, k - 1))
    return q, p, q / (n * (k - 1))


def _blocked(
    ok: pd.DataFrame, design: Design, outcomes: Sequence[str], notes: list[str]
) -> list[dict[str, Any]]:
    """Grid with common random numbers: Friedman over replicate blocks, per factor."""
    rows: list[dict[str, Any]] = []
    for f in design.factors:
        levels = [str(v) for v in dict.fromkeys(str(v) for v in ok[f.key])]
        for k in outcomes:
            if len(levels) < 2:
                rows.append(_row("friedman", k, f.key, "kendall_w", math.nan, math.nan))
                continue
            # per replicate, the mean at each level of this factor over the other factors
            m = (
                ok.assign(_level=ok[f.key].astype(str))
                .groupby(["replicate", "_level"])[k]
                .mean()
                .unstack("_level")
                .reindex(columns=levels)
            )
            m = m.dropna()
            if len(m) < 2:
                notes.append(
                    f"friedman test of {k} on {f.key} skipped: fewer than 2 replicates have a "
                    "value at every level"
                )
                rows.append(_row("friedman", k, f.key, "kendall_w", math.nan, math.nan))
                continue
            _, p, w = friedman(m.to_numpy(dtype=float))
            rows.append(_row("friedman", k, f.key, "kendall_w", w, math.nan, p))
    return rows


def _independent(ok: pd.DataFrame, design: Design, outcomes: Sequence[str]) -> list[dict[str, Any]]:
    """Grid without common random numbers: every run is independent of every other."""
    rows: list[dict[str, Any]] = []
    for f in design.factors:
        x = ok[f.key]
        for k in outcomes:
            mask = ok[k].notna().to_numpy()
            xs, ys = x[mask], ok[k][mask].to_numpy(dtype=float)
            numeric = f.dtype in ("int", "float")
            method, index = ("spearman", "rho") if numeric else ("kruskal", "epsilon2")
            if xs.nunique() < 2 or np.unique(ys).size < 2:
                rows.append(_row(method, k, f.key, index, math.nan, math.nan))
            elif numeric:
                rho, p = stats.spearmanr(xs.to_numpy(dtype=float), ys)
                rows.append(_row(method, k, f.key, index, rho, math.nan, p))
            else:
                rows.append(_row(method, k, f.key, index, *_kruskal(xs, ys)))
    return rows


def _kruskal(xs: pd.Series, ys: np.ndarray) -> tuple[float, float, float]:
    """(epsilon^2 = H / (n - 1), NaN conf, p) of Kruskal-Wallis over independent units."""
    groups = [ys[(xs == v).to_numpy()] for v in xs.unique()]
    h, p = stats.kruskal(*groups)
    return float(h / (len(ys) - 1)), math.nan, float(p)


def src_prcc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Standardised regression coefficients and partial rank correlation coefficients.

    Args:
        x: n x p factor values (numeric), one row per design point.
        y: n outcome values.

    Returns:
        (SRC per factor, R^2 of the linear model, PRCC per factor, PRCC p-value per factor from
        t = r sqrt((n - 2 - q) / (1 - r^2)) with q = p - 1 other factors).
    """
    n, nf = x.shape
    xs = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    coef, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    resid = ys - xs @ coef
    r2 = 1.0 - float(resid @ resid) / float(ys @ ys)
    rx = np.apply_along_axis(stats.rankdata, 0, x)
    ry = stats.rankdata(y)
    prcc = np.empty(nf)
    for j in range(nf):
        others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        ex = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
        ey = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        den = math.sqrt(float(ex @ ex) * float(ey @ ey))
        prcc[j] = float(ex @ ey) / den if den > 0 else math.nan
    dof = n - 2 - (nf - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = prcc * np.sqrt(dof / (1 - prcc**2))
    p = 2 * stats.t.sf(np.abs(t), dof) if dof > 0 else np.full(nf, math.nan)
    return coef, r2, prcc, p


def _sampled(
    ok: pd.DataFrame, design: Design, outcomes: Sequence[str], seed: int, notes: list[str]
) -> list[dict[str, Any]]:
    """LHS: SRC and PRCC over the point means (numeric factors), Kruskal-Wallis (categorical)."""
    from sim.rng import side_stream

    rows: list[dict[str, Any]] = []
    keys = design.keys
    points = pd.DataFrame(design.points, columns=keys)
    means = ok.groupby("point")[list(outcomes)].mean()
    numeric = [f.key for f in design.factors if f.dtype in ("int", "float")]
    categorical = [f.key for f in design.factors if f.key not in numeric]
    rng = side_stream(seed, "summary_bootstrap")
    weak: list[str] = []  # outcomes the linear model explains poorly
    for k in outcomes:
        y_all = means[k].reindex(points.index)
        have = y_all.notna().to_numpy()
        y = y_all.to_numpy(dtype=float)[have]
        n = int(have.sum())
        if numeric:
            x = points.loc[have, numeric].to_numpy(dtype=float)
            if n < len(numeric) + 3 or np.ptp(y) == 0 or (np.ptp(x, axis=0) == 0).any():
                why = (
                    "the outcome is constant"
                    if n and np.ptp(y) == 0
                    else (f"{n} design points with a value, at least {len(numeric) + 3} needed")
                )
                notes.append(f"src/prcc of {k} skipped: {why}")
            else:
                coef, r2, prcc, p = src_prcc(x, y)
                boot_src, boot_prcc = [], []
                for _ in range(BOOTSTRAP_RESAMPLES // 10):  # 200 resamples of the points
                    idx = rng.integers(0, n, n)
                    if np.ptp(y[idx]) == 0 or (np.ptp(x[idx], axis=0) == 0).any():
                        continue
                    c, _, pr, _ = src_prcc(x[idx], y[idx])
                    boot_src.append(c)
                    boot_prcc.append(pr)

                def half(b: list[np.ndarray], j: int) -> float:
                    if len(b) < 20:
                        return math.nan
                    lo, hi = np.nanquantile(np.array(b)[:, j], [0.025, 0.975])
                    return float(hi - lo) / 2

                for j, f in enumerate(numeric):
                    rows.append(_row("src", k, f, "src", coef[j], half(boot_src, j)))
                    rows.append(_row("prcc", k, f, "prcc", prcc[j], half(boot_prcc, j), p[j]))
                rows.append(_row("src", k, "(linear model)", "r2", r2, math.nan))
                if r2 < 0.7:
                    weak.append(f"{k} {r2:.2f}")
        for f in categorical:
            xs = points.loc[have, f].astype(str).reset_index(drop=True)
            if xs.nunique() < 2 or np.unique(y).size < 2:
                rows.append(_row("kruskal", k, f, "epsilon2", math.nan, math.nan))
            else:
                rows.append(_row("kruskal", k, f, "epsilon2", *_kruskal(xs, y)))
    if weak:
        notes.append(
            "src: the linear model explains little across points (R^2 < 0.7) for "
            f"{', '.join(weak)}; read the PRCCs (monotone, not linear) and the plots there"
        )
    return rows


def _row(
    method: str,
    outcome: str,
    factor: str,
    index: str,
    value: float,
    conf: float,
    p: float = math.nan,
) -> dict[str, Any]:
    return {
        "method": method,
        "outcome": outcome,
        "factor": factor,
        "index": index,
        "value": float(value),
        "conf": float(conf),
        "p_value": float(p),
    }


def lowess(x: np.ndarray, y: np.ndarray, at: np.ndarray, frac: float = 2 / 3) -> np.ndarray:
    """Locally weighted linear regression (Cleveland's LOWESS, no robustness steps).

    Each value at ``at[i]`` is a straight line fitted to the ``frac`` share of points nearest to
    it, weighted by the tricube of their distance.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    r = min(max(int(math.ceil(frac * x.size)), 2), x.size)
    out = np.full(len(at), math.nan)
    for i, x0 in enumerate(at):
        d = np.abs(x - x0)
        h = np.partition(d, r - 1)[r - 1] or (d.max() or 1.0)
        w = (1 - np.clip(d / (h * 1.000001), 0, 1) ** 3) ** 3
        sw = w.sum()
        if sw <= 0:
            continue
        xm, ym = (w * x).sum() / sw, (w * y).sum() / sw
        var = (w * (x - xm) ** 2).sum()
        slope = (w * (x - xm) * (y - ym)).sum() / var if var > 0 else 0.0
        out[i] = ym + slope * (x0 - xm)
    return out


def plot_outcomes(
    runs: pd.DataFrame, design: Design, outcomes: Sequence[str], folder: Path
) -> list[Path]:
    """One PNG per outcome: the outcome against each factor. Returns the files written.

    A grid shows the runs (jittered dots) and the mean per level with its 95% CI; a sampling
    design (lhs, sobol, morris) shows one dot per design point (its mean over replicates) and a
    LOWESS smoother, since its points have no order to join.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    ok = runs[runs["status"] == "ok"]
    rng = np.random.default_rng(0)  # jitter only; fixed so the plots are reproducible
    sampled = design.kind != "grid"
    if sampled:
        data = ok.groupby("point", sort=True)[list(outcomes)].mean()
        pts = pd.DataFrame(design.points, columns=design.keys).loc[data.index]
        data = pd.concat([pts, data], axis=1)
        what = f"{len(data)} design points, each the mean of its replicates; line: LOWESS"
    else:
        data = ok
        what = f"{len(ok)} runs; mean per level with its 95% CI"
    written = []
    n = len(design.factors)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    for k in outcomes:
        fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.4 * nrows), squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.86, wspace=0.3, hspace=0.45)
        y = data[k].to_numpy(dtype=float)
        for ax, f in zip(axes.ravel(), design.factors):
            numeric = f.dtype in ("int", "float")
            if numeric:
                x = data[f.key].to_numpy(dtype=float)
                levels = np.unique(x)
            else:
                cats = [str(v) for v in dict.fromkeys(str(v) for v in data[f.key])]
                x = np.array([cats.index(str(v)) for v in data[f.key]], dtype=float)
                levels = np.arange(len(cats), dtype=float)
            good = np.isfinite(y)
            if sampled and numeric:
                ax.scatter(x, y, s=10, alpha=0.5)
                if good.sum() >= 4 and np.ptp(x[good]) > 0:
                    grid = np.linspace(x[good].min(), x[good].max(), 60)
                    ax.plot(grid, lowess(x[good], y[good], grid), color="C3", lw=1.8)
            else:
                span = (np.ptp(levels) or 1.0) if numeric else 1.0
                width = 0.01 * span if numeric else 0.12
                ax.scatter(x + rng.uniform(-width, width, x.size), y, s=8, alpha=0.35)
                means, halves = [], []
                for v in levels:
                    m, lo, hi = _mean_ci(y[(x == v) & good])
                    means.append(m)
                    halves.append((m - lo, hi - m) if np.isfinite(lo) else (0.0, 0.0))
                ax.errorbar(
                    levels,
                    means,
                    yerr=np.array(halves).T,
                    color="C3",
                    lw=0 if not numeric or sampled else 1.2,
                    elinewidth=1.5,
                    capsize=3,
                    marker="D" if not numeric else "o",
                    ms=5,
                )
            if not numeric:
                ax.set_xticks(levels, cats, rotation=20, fontsize=8)
            ax.set_xlabel(f.key)
            ax.set_ylabel(k)
            ax.grid(alpha=0.3)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        fig.suptitle(f"{k} against each factor ({design.kind} design)\n{what}", fontsize=10)
        path = folder / f"{k}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    from sim.experiment import mean_ci

    return mean_ci(x)


def plot_trajectories(
    weekly: pd.DataFrame,
    design: Design,
    metrics: Sequence[str],
    folder: Path,
    notes: list[str] | None = None,
) -> list[Path]:
    """Per metric, the weekly mean of each design point with a 10th-90th percentile band.

    The band is over the point's replicates (none with one replicate). At most
    :data:`MAX_TRAJECTORY_POINTS` points are drawn (the first ones; a note says so).

    Returns:
        The files written (``trajectory-<metric>.png``); none when fewer than two weeks were
        kept.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if weekly.empty or weekly["week"].nunique() < 2:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    points = sorted(weekly["point"].unique())
    shown = points[:MAX_TRAJECTORY_POINTS]
    if len(points) > len(shown) and notes is not None:
        notes.append(f"trajectory plots show the first {len(shown)} of {len(points)} design points")
    written = []
    for metric in metrics:
        fig, ax = plt.subplots(figsize=(10, 4.2))
        fig.subplots_adjust(left=0.08, right=0.58, bottom=0.13, top=0.9)
        for i, pt in enumerate(shown):
            g = weekly[weekly["point"] == pt].groupby("week")[metric]
            mean = g.mean()
            label = point_label(design, int(pt))
            ax.plot(mean.index, mean.to_numpy(), color=f"C{i % 10}", lw=1.4, label=f"{pt}: {label}")
            if g.size().max() > 1:
                lo, hi = g.quantile(0.1), g.quantile(0.9)
                ax.fill_between(
                    lo.index, lo.to_numpy(), hi.to_numpy(), color=f"C{i % 10}", alpha=0.15
                )
        ax.set_xlabel("week")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.set_title(
            f"{metric}: weekly mean per design point, band 10th-90th pct of replicates", fontsize=9
        )
        path = folder / f"trajectory-{metric}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


def summarize(
    root: str | Path, baseline: str | int | None = None, *, plots: bool = True
) -> SweepSummary:
    """Statistics of a sweep folder, written to ``root/summary/`` (replaced if there).

    Args:
        root: the results folder of ``python run.py sweep``.
        baseline: the design point for paired differences: its number, ``key=value,...``, or
            ``None`` for the experiment's baseline (its first point unless set).
        plots: write the PNG plots.

    Returns:
        The tables and where they were written.

    Raises:
        InputError: ``root`` is not a sweep folder, holds no finished run, or the baseline
            matches no design point.
    """
    root = Path(root)
    manifest = read_manifest(root)
    design = Design.from_json(manifest["design"])
    if baseline is None:
        base = int(manifest.get("baseline", 0))
    elif isinstance(baseline, int):
        base = find_point(design, str(baseline))
    else:
        base = find_point(design, baseline)
    runs = load_results(root, "runs")
    if runs.empty:
        raise InputError(f"{root}: no finished runs yet")
    outcomes = list(manifest["outcomes"])
    notes: list[str] = []
    total = int(manifest["runs_total"])
    failed = int((runs["status"] != "ok").sum())
    experiment = str(manifest.get("experiment", {}).get("path", "EXPERIMENT"))
    if failed == len(runs):  # nothing to summarize: say so before writing anything
        raise RunsFailed(
            f"{root}: all {failed} recorded runs failed, so there is nothing to summarize "
            f"(nothing written); the errors are in the error column of {root}/runs, e.g. "
            f"{str(runs['error'].iloc[0])[:200]!r}; run them again with: python run.py sweep "
            f"{experiment} --out {root} --resume",
            failed,
            len(runs),
        )
    if len(runs) < total:
        notes.append(
            f"only {len(runs)} of {total} runs are recorded; finish with `python run.py sweep "
            f"{manifest['experiment']['path']} --out {root} --resume`"
        )
    if failed:
        notes.append(f"{failed} runs failed and are left out (see the error column of runs/)")
    paired = bool(manifest.get("common_random_numbers", True))
    keys = design.keys
    factors = load_results(root, "design")
    from sim.experiment import HEADLINE_BOUNDS
    from sim.rng import side_stream

    seed = int(manifest["root_seed"])
    summary = point_summary(
        runs, outcomes, HEADLINE_BOUNDS, side_stream(seed, "summary_bootstrap")
    ).merge(factors, on="point", how="left")
    summary = summary[
        ["point", *keys, "outcome", "mean", "sd", "ci_low", "ci_high", "n", "ci_method"]
    ]
    if (summary["ci_method"] == "none: n too small").any():
        notes.append(
            "some intervals of bounded outcomes are left out (ci_method 'none: n too small'): "
            f"the t interval crosses a bound and a bootstrap needs {MIN_BOOTSTRAP_N} replicates"
        )
    if design.kind == "grid":
        diffs = differences(runs, base, outcomes, paired=paired)
        if not diffs.empty:
            diffs = diffs.merge(factors, on="point", how="left")
            diffs = diffs[
                ["point", *keys, "baseline", "outcome", "diff", "ci_low", "ci_high", "n", "method"]
            ]
    else:  # sampled points are not treatments: no "difference from point 0"
        diffs = pd.DataFrame()
        if baseline is not None:
            notes.append(
                f"--baseline ignored: a {design.kind} design's points are samples of the factor "
                "space, not treatments to compare; see sensitivity.csv and the plots"
            )
    sens = sensitivity(runs, design, outcomes, seed=seed, notes=notes, paired=paired)

    out = root / "summary"
    tmp = root / f".summary.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    written: list[Path] = []
    try:
        to_csv(summary, tmp / "summary.csv")
        if design.kind == "grid":
            to_csv(diffs, tmp / "paired_differences.csv")
        to_csv(sens, tmp / "sensitivity.csv")
        if plots:
            drawn = plot_outcomes(runs, design, outcomes, tmp / "plots")
            kept = [m for m in TRAJECTORY_METRICS if m in manifest["outputs"]["metrics"]]
            if kept and manifest["outputs"]["weeks"] != "final":
                weekly = _weekly_columns(root, ["point", "replicate", "week", *kept])
                drawn += plot_trajectories(weekly, design, kept, tmp / "plots", notes)
            written = [out / "plots" / p.name for p in drawn]
        old = root / f".summary.old-{os.getpid()}"
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
    return SweepSummary(
        root=root,
        out=out,
        name=str(manifest.get("name", root.name)),
        design=design,
        total=total,
        finished=len(runs),
        failed=failed,
        replicates=int(manifest["replicates"]),
        paired=paired,
        baseline=base,
        summary=summary,
        differences=diffs,
        sensitivity=sens,
        plots=written,
        notes=notes,
        experiment=experiment,
    )


def _weekly_columns(root: Path, columns: list[str]) -> pd.DataFrame:
    """Some columns of the weekly table (checked by ``load_results`` of the runs table first)."""
    import pyarrow.parquet as pq

    from sim.sweep.store import _parts

    runs = _parts(root / "runs")
    frames = [
        pq.read_table(p, columns=columns).to_pandas()
        for n, p in sorted(_parts(root / "weekly").items())
        if n in runs
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _fmt(v: float) -> str:
    from sim.outputs import _fmt as fmt

    return fmt(v)


def _cell(m: float, lo: float, hi: float) -> str:
    return f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]"


def format_summary(s: SweepSummary, max_points: int = 24) -> str:
    """The printed report of :func:`summarize` (key outcomes; all outcomes are in the CSVs)."""
    lines = [
        f"{s.name}: {s.finished} of {s.total} runs recorded ({s.failed} failed); "
        f"{len(s.design.points)} design points x {s.replicates} replicates, "
        f"{s.design.kind} design"
    ]
    lines += [f"note: {n}" for n in s.notes]
    keys = [k for k in KEY_OUTCOMES if k in set(s.summary["outcome"])]
    n_points = len(s.design.points)
    shown = list(range(min(n_points, max_points)))
    more = f" (first {max_points} of {n_points} points)" if n_points > max_points else ""

    def table(df: pd.DataFrame, value: str, header: str) -> None:
        cells = {
            (r.point, r.outcome): _cell(getattr(r, value), r.ci_low, r.ci_high)
            for r in df.itertuples()
        }
        rows = []
        for p in shown:
            if p == s.baseline and value == "diff":
                continue
            rows.append([str(p), point_label(s.design, p), *(cells.get((p, k), "-") for k in keys)])
        head = ["point", "design", *keys]
        widths = [
            max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)
        ]
        lines.append("")
        lines.append(header + more)
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)

    table(s.summary, "mean", "Mean [95% CI] over replicates, key outcomes:")
    if s.design.kind == "grid":
        how = "paired by replicate, same seeds" if s.paired else "Welch, independent seeds"
        table(
            s.differences,
            "diff",
            f"Difference from point {s.baseline} ({point_label(s.design, s.baseline)}), "
            f"{how}, mean [95% CI]:",
        )
    if not s.sensitivity.empty:
        main = {
            "sobol": "ST",
            "morris": "mu_star",
            "spearman": "rho",
            "kruskal": "epsilon2",
            "friedman": "kendall_w",
            "src": "src",
            "prcc": "prcc",
        }
        sens = s.sensitivity[s.sensitivity["index"] == s.sensitivity["method"].map(main)]
        sens = sens[sens["outcome"].isin(keys)].copy()
        if not sens.empty:
            sens["factor"] = sens["factor"] + " [" + sens["index"] + "]"
            piv = sens.pivot_table(index="factor", columns="outcome", values="value", sort=False)
            lines.append("")
            lines.append("Sensitivity (all indices, CIs and p-values in sensitivity.csv):")
            lines.append(
                piv.reindex(columns=[k for k in keys if k in piv.columns]).to_string(
                    float_format=lambda v: f"{v:.3f}"
                )
            )
    lines.append("")
    diffs = "paired_differences.csv, " if s.design.kind == "grid" else ""
    lines.append(
        f"Written to {s.out}/: summary.csv, {diffs}sensitivity.csv"
        + (f", plots/ ({len(s.plots)} PNG)" if s.plots else "")
    )
    return "\n".join(lines)
