"""Statistics of a sweep: CIs per design point, paired differences, sensitivity indices, plots.

- ``summary.csv``: mean, sd and Student-t 95% CI (as :func:`sim.experiment.mean_ci`) of each
  headline outcome per design point, over replicates; failed runs are left out and counted.
- ``paired_differences.csv``: each design point minus the baseline point. With common random
  numbers replicate r of both points used the same seed, so differences are paired by replicate
  (the CI is that of the mean paired difference); without them, Welch's interval.
- ``sensitivity.csv``: Sobol indices (S1, ST, and S2 if sampled) for a ``sobol`` design and Morris
  mu, mu*, sigma for a ``morris`` design, both from SALib on the replicate means of each point;
  for ``grid`` and ``lhs`` designs Spearman's rank correlation rho (numeric factors) or the
  Kruskal-Wallis effect size epsilon^2 = H / (n - 1) (categorical factors) over runs, with
  p-values.
- ``plots/<outcome>.png``: the outcome against each factor (runs as dots, the mean per level or
  per decile of the factor as a line).
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


def point_summary(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Mean, sd and 95% CI of each outcome per design point (long format)."""
    return _ci_table(runs.groupby("point", sort=True), outcomes)


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
) -> pd.DataFrame:
    """Sensitivity of each outcome to each factor (method depends on the design; see module).

    Returns:
        Long table: method, outcome, factor, index, value, conf (95% half-width), p_value.
    """
    notes = notes if notes is not None else []
    rows: list[dict[str, Any]] = []
    n_points = len(design.points)
    if design.kind in ("sobol", "morris"):
        from SALib.analyze import morris, sobol

        means = runs.groupby("point")[list(outcomes)].mean().reindex(range(n_points))
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
    else:
        ok = runs[runs["status"] == "ok"]
        for f in design.factors:
            x = ok[f.key]
            for k in outcomes:
                mask = ok[k].notna().to_numpy()
                xs, ys = x[mask], ok[k][mask].to_numpy(dtype=float)
                if xs.nunique() < 2 or np.unique(ys).size < 2:
                    rows.append(_row("spearman", k, f.key, "rho", math.nan, math.nan, math.nan))
                    continue
                if f.dtype in ("int", "float"):
                    rho, p = stats.spearmanr(xs.to_numpy(dtype=float), ys)
                    rows.append(_row("spearman", k, f.key, "rho", rho, math.nan, p))
                else:
                    groups = [ys[(xs == v).to_numpy()] for v in xs.unique()]
                    h, p = stats.kruskal(*groups)
                    eps2 = h / (len(ys) - 1)  # share of rank variance between levels
                    rows.append(_row("kruskal", k, f.key, "epsilon2", eps2, math.nan, p))
    return pd.DataFrame(
        rows, columns=["method", "outcome", "factor", "index", "value", "conf", "p_value"]
    )


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


def plot_outcomes(
    runs: pd.DataFrame, design: Design, outcomes: Sequence[str], folder: Path
) -> list[Path]:
    """One PNG per outcome: the outcome against each factor. Returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    ok = runs[runs["status"] == "ok"]
    rng = np.random.default_rng(0)  # jitter only; fixed so the plots are reproducible
    written = []
    n = len(design.factors)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    for k in outcomes:
        fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.4 * nrows), squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.3, hspace=0.45)
        for ax, f in zip(axes.ravel(), design.factors):
            y = ok[k].to_numpy(dtype=float)
            if f.dtype in ("int", "float"):
                x = ok[f.key].to_numpy(dtype=float)
                levels = np.unique(x)
                if levels.size <= 20:
                    span = (levels.max() - levels.min()) or 1.0
                    xj = x + rng.uniform(-0.01, 0.01, x.size) * span
                    line_x = levels
                    line_y = [np.nanmean(y[x == v]) for v in levels]
                else:
                    xj = x
                    edges = np.unique(np.quantile(x, np.linspace(0, 1, 11)))
                    bins = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
                    line_x = [
                        np.mean(x[bins == b]) for b in range(len(edges) - 1) if (bins == b).any()
                    ]
                    line_y = [
                        np.nanmean(y[bins == b]) for b in range(len(edges) - 1) if (bins == b).any()
                    ]
                ax.scatter(xj, y, s=8, alpha=0.35)
                ax.plot(line_x, line_y, color="C3", lw=1.8, marker="o", ms=3, label="mean")
            else:
                cats = [str(v) for v in dict.fromkeys(ok[f.key])]
                codes = np.array([cats.index(str(v)) for v in ok[f.key]], dtype=float)
                ax.scatter(codes + rng.uniform(-0.12, 0.12, codes.size), y, s=8, alpha=0.35)
                ax.plot(
                    range(len(cats)),
                    [np.nanmean(y[codes == i]) for i in range(len(cats))],
                    color="C3",
                    lw=0,
                    marker="D",
                    ms=6,
                    label="mean",
                )
                ax.set_xticks(range(len(cats)), cats, rotation=20, fontsize=8)
            ax.set_xlabel(f.key)
            ax.set_ylabel(k)
            ax.grid(alpha=0.3)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        fig.suptitle(f"{k} against each factor ({len(ok)} runs)")
        path = folder / f"{k}.png"
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
    summary = point_summary(runs, outcomes).merge(factors, on="point", how="left")
    summary = summary[["point", *keys, "outcome", "mean", "sd", "ci_low", "ci_high", "n"]]
    diffs = differences(runs, base, outcomes, paired=paired)
    if not diffs.empty:
        diffs = diffs.merge(factors, on="point", how="left")
        diffs = diffs[
            ["point", *keys, "baseline", "outcome", "diff", "ci_low", "ci_high", "n", "method"]
        ]
    sens = sensitivity(runs, design, outcomes, seed=int(manifest["root_seed"]), notes=notes)

    out = root / "summary"
    tmp = root / f".summary.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    written: list[Path] = []
    try:
        to_csv(summary, tmp / "summary.csv")
        to_csv(diffs, tmp / "paired_differences.csv")
        to_csv(sens, tmp / "sensitivity.csv")
        if plots:
            written = [
                out / "plots" / p.name for p in plot_outcomes(runs, design, outcomes, tmp / "plots")
            ]
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
    how = "paired by replicate, same seeds" if s.paired else "Welch, independent seeds"
    table(
        s.differences,
        "diff",
        f"Difference from point {s.baseline} ({point_label(s.design, s.baseline)}), "
        f"{how}, mean [95% CI]:",
    )
    if not s.sensitivity.empty:
        main = {"sobol": "ST", "morris": "mu_star", "spearman": "rho", "kruskal": "epsilon2"}
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
    lines.append(
        f"Written to {s.out}/: summary.csv, paired_differences.csv, sensitivity.csv"
        + (f", plots/ ({len(s.plots)} PNG)" if s.plots else "")
    )
    return "\n".join(lines)
