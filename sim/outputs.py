"""Writing results: tables on the terminal, Parquet/CSV files and charts, written atomically.

A results folder is assembled under a temporary name and renamed into place only when complete,
so an interrupted command never leaves a half-written folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim import csvsafe
from sim.errors import InputError
from sim.outpaths import Output, check_outputs
from sim.scenario import Scenario


def usual_mode(base: int = 0o666) -> int:
    """``base`` under the process's umask: the mode ``open()``/``mkdir()`` would have given.

    ``tempfile.mkstemp`` creates 0600 and ``mkdtemp`` 0700 whatever the umask, so a file or
    folder written through one and renamed into place must be given this mode first.
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return base & ~mask


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write a table to .csv or .parquet through a temporary file and an atomic rename.

    The file gets the usual permissions (0666 under the umask), not mkstemp's 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            csvsafe.to_csv(df, tmp)  # text cells neutralised for spreadsheets
        os.chmod(tmp, usual_mode())  # mkstemp creates 0600 whatever the umask
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(text: str, path: Path) -> None:
    """Write a UTF-8 text file through a temporary file and an atomic rename (usual permissions)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, usual_mode())  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:,.2f}M"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"


def print_table(columns: dict[str, Sequence[float]], header: Sequence[str]) -> None:
    """Print rows ``name: values`` under a header, aligned."""
    width = max(len(k) for k in columns) + 2
    print(" " * width + "".join(f"{h:>14}" for h in header))
    for k, vals in columns.items():
        print(f"{k:<{width}}" + "".join(f"{_fmt(v):>14}" for v in vals))


#: Headline outcomes that are amounts of money (in the scenarios' ``economics.currency``).
MONEY_OUTCOMES = ("net_benefit_total",)


def with_units(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """A long table of outcomes (column ``outcome``) with a ``unit`` column: the currency for
    money outcomes, empty for the rest (shares, days, scores and ratios say their unit in
    ``sim.experiment.HEADLINES``)."""
    if "outcome" not in table:  # no rows (one design: no paired differences)
        return table.assign(unit=pd.Series(dtype=object))
    unit = np.where(table["outcome"].isin(MONEY_OUTCOMES), currency, "")
    return table.assign(unit=unit)


def common_currency(scenarios: dict[str, Scenario]) -> str:
    """The currency every design is in; InputError naming them when they differ."""
    codes = {name: s.economics.currency for name, s in scenarios.items()}
    if len(set(codes.values())) > 1:
        listed = ", ".join(f"{n} {c}" for n, c in codes.items())
        raise InputError(
            f"economics.currency differs between the designs ({listed}); expected one currency "
            "(nothing is converted)"
        )
    return next(iter(codes.values()))


def print_summary(summary: pd.DataFrame, currency: str = "") -> None:
    """Mean [95% CI] per outcome (rows) and scenario (columns); money outcomes name ``currency``."""
    names = list(dict.fromkeys(summary["scenario"]))
    outcomes = list(dict.fromkeys(summary["outcome"]))
    cell = {
        (r.scenario, r.outcome): f"{_fmt(r.mean)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]"
        for r in summary.itertuples()
    }
    label = {o: f"{o} ({currency})" if currency and o in MONEY_OUTCOMES else o for o in outcomes}
    w0 = max(len(x) for x in label.values()) + 2
    widths = [max(len(n), *(len(cell[(n, o)]) for o in outcomes)) + 2 for n in names]
    print(" " * w0 + "".join(f"{n:>{w}}" for n, w in zip(names, widths)))
    for o in outcomes:
        print(f"{label[o]:<{w0}}" + "".join(f"{cell[(n, o)]:>{w}}" for n, w in zip(names, widths)))


CHART_OUTCOMES = (
    ("adoption_rate", "CRM adoption"),
    ("satisfaction_mean", "Customer satisfaction"),
    ("churn_rate", "Weekly churn"),
    ("decision_latency_days", "Days to a decision"),
    ("morale_mean", "Employee morale"),
    ("net_benefit_total", "Cumulative net benefit"),
)


def plot_weekly(weekly: pd.DataFrame, path: Path) -> None:
    """Mean and 95% band over replicates of key outcomes per week, one line per scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(15, 8), constrained_layout=True)
    for ax, (col, title) in zip(axes.ravel(), CHART_OUTCOMES):
        for name, g in weekly.groupby("scenario", sort=False):
            piv = g.pivot(index="week", columns="replicate", values=col)
            if col == "churn_rate":
                piv = piv.rolling(8, min_periods=1).mean()
            m = piv.mean(axis=1)
            se = piv.std(axis=1, ddof=1) / np.sqrt(max(piv.shape[1], 1))
            ax.plot(m.index, m.values, label=name, lw=1.6)
            if piv.shape[1] > 1:
                ax.fill_between(m.index, m - 1.96 * se, m + 1.96 * se, alpha=0.2)
        ax.set_title(title + (" (8-week mean)" if col == "churn_rate" else ""))
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="best")
    fig.suptitle("Designs compared on common random numbers (mean and 95% band over replicates)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare_and_save(
    scenarios: dict[str, Scenario],
    replicates: int,
    seed: int,
    workers: int,
    out: Path | None,
    baseline: str | None = None,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Run a comparison with a progress bar, print the summary and write a results folder.

    The folder (``out``, default ``results/compare-<time>``) is checked before any run
    (:func:`sim.outpaths.check_outputs`): not a file, not a mount point (it is renamed into
    place), its parent writable, holding none of ``inputs`` (the files the designs read).
    """
    from tqdm import tqdm

    from sim import __version__
    from sim.experiment import headlines_table, paired_differences, run_replicates, summarise

    out = Path(out) if out else Path("results") / time.strftime("compare-%Y%m%d-%H%M%S")
    check_outputs([Output(out, kind="folder")], inputs)
    if out.exists() and any(out.iterdir()):
        raise InputError(f"--out {out}: folder exists and is not empty; choose another")
    currency = common_currency(scenarios)
    total = len(scenarios) * replicates
    print(
        f"Comparing {len(scenarios)} designs x {replicates} replicates on common random numbers "
        f"(root seed {seed}, {workers} worker{'s' if workers > 1 else ''})",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    with tqdm(total=total, unit="run", file=sys.stderr, disable=None) as bar:
        weekly = run_replicates(
            scenarios, replicates, seed, workers=min(workers, total), progress=bar.update
        )
    elapsed = time.perf_counter() - t0
    heads = headlines_table(weekly)
    summary = summarise(heads)
    baseline = baseline or next(iter(scenarios))
    diffs = paired_differences(heads, baseline)
    print(f"\nAt week {int(weekly['week'].max())}: mean [95% CI] over {replicates} replicates")
    print_summary(summary, currency)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        os.chmod(tmp, usual_mode(0o777))  # mkdtemp creates 0700 whatever the umask
        weekly.to_parquet(tmp / "weekly.parquet", index=False)
        # design names come from the user's files: text cells neutralised for spreadsheets
        csvsafe.to_csv(heads, tmp / "headlines.csv")
        csvsafe.to_csv(with_units(summary, currency), tmp / "summary.csv")
        csvsafe.to_csv(with_units(diffs, currency), tmp / "paired_differences.csv")
        plot_weekly(weekly, tmp / "chart.png")
        manifest = {
            "version": __version__,
            "root_seed": seed,
            "replicates": replicates,
            "seeds": sorted({int(s) for s in weekly["seed"]}),
            "baseline": baseline,
            "currency": currency,
            "scenarios": {k: s.to_toml_dict() for k, s in scenarios.items()},
            "elapsed_seconds": round(elapsed, 2),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nPaired differences against {baseline} are in {out / 'paired_differences.csv'}")
    print(f"Results written to {out}/ (weekly.parquet, summary.csv, chart.png) in {elapsed:.0f} s")
    return out
