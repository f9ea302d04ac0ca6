"""Scenario discovery over a sweep's results: which factor ranges lead to an outcome?

``python run.py discover DIR --outcome annual_churn --where "> 0.15"`` reads a results folder
(``python run.py sweep``), averages the outcome over each design point's replicates (the
replicates are replications of one experiment, on shared seeds), marks the points where the
condition holds (the cases of interest) and runs PRIM (Friedman & Fisher 1999, the patient rule
induction method, as EMA Workbench implements it; Bryant & Lempert 2010 for its use in scenario
discovery) over the sweep's factors.

PRIM peels the factor space into a box that holds the cases densely. Along the peeling
trajectory each box has a *coverage* (the share of all cases inside it), a *density* (the share
of points inside it that are cases) and a *mass* (the share of all points inside it). The box
reported is, as Bryant & Lempert recommend, the one with the highest coverage among those with
density at least ``--min-density`` (0.8 by default; the most peeled box if none reaches it).
With ``--boxes N`` PRIM looks for further boxes among the cases the earlier boxes left out.

Writes ``discover-<outcome>.csv`` (each box's peeling trajectory: coverage, density, mass,
restricted dimensions, with the chosen step marked) and ``discover-<outcome>.png`` (coverage
against density, the chosen box marked) into the folder, or beside ``--out``.
"""

from __future__ import annotations

import math
import operator
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_WHERE = re.compile(r"^\s*(>=|<=|>|<)\s*([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*$")


def parse_where(text: str) -> tuple[str, float]:
    """``"> 0.15"`` -> (">", 0.15).

    Raises:
        InputError: naming ``--where`` and the accepted form.
    """
    m = _WHERE.match(text or "")
    if not m:
        raise InputError(
            f"--where {text!r}: expected a comparison and a number, such as '> 0.15' or "
            "'<= 0.6' (operators >, >=, <, <=)"
        )
    value = float(m[2])
    if not math.isfinite(value):
        raise InputError(f"--where {text!r}: the number must be finite")
    return m[1], value


@dataclass
class Box:
    """One PRIM box: its statistics and the factor ranges it restricts."""

    coverage: float
    density: float
    mass: float
    cases: int  # cases of interest inside the box
    points: int  # design points inside the box
    limits: dict[str, Any]  # factor -> (low, high) or the set of values kept
    trajectory: pd.DataFrame = field(repr=False)


@dataclass
class Discovery:
    """What ``discover`` found."""

    folder: Path
    outcome: str
    where: str
    points: int
    cases: int
    runs_used: int
    runs_failed: int
    factors: list[str]
    boxes: list[Box]
    files: list[Path]


def _points(runs: pd.DataFrame, factors: list[str], outcome: str) -> pd.DataFrame:
    """One row per design point: its factor values and the outcome's mean over replicates."""
    agg = runs.groupby("point", sort=True).agg({**dict.fromkeys(factors, "first"), outcome: "mean"})
    return agg.reset_index()


def _limits(box_lim: pd.DataFrame, init: pd.DataFrame, factors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in factors:
        lo, hi = box_lim.loc[0, f], box_lim.loc[1, f]
        if isinstance(lo, set):
            if lo != init.loc[0, f]:
                out[f] = sorted(lo, key=str)
        elif (lo, hi) != (init.loc[0, f], init.loc[1, f]):
            out[f] = (float(lo), float(hi))
    return out


def discover(
    folder: str | Path,
    outcome: str,
    where: str,
    *,
    min_density: float = 0.8,
    boxes: int = 1,
    out: str | Path | None = None,
    plots: bool = True,
) -> Discovery:
    """PRIM boxes of the factor ranges where ``outcome`` meets ``where``.

    Args:
        folder: a sweep's results folder.
        outcome: a headline outcome the sweep recorded (``annual_churn``, ...).
        where: the condition, e.g. ``"> 0.15"``.
        min_density: the box reported on each trajectory is the highest-coverage one with at
            least this density.
        boxes: how many boxes to look for.
        out: where the CSV and PNG go (a path whose stem is used), default the folder.
        plots: write the PNG.

    Raises:
        InputError: a folder that is not a sweep, an unknown outcome, a bad condition, no
            finished runs, or no case (or only cases) of interest; each says what to do.
        ImportError: without EMA Workbench (the ``ema`` extra).
    """
    from sim.sweep.store import load_results, read_manifest

    folder = Path(folder)
    op, value = parse_where(where)
    if not 0.0 < min_density <= 1.0:
        raise InputError(f"--min-density {min_density}: expected a share in (0, 1]")
    if boxes < 1:
        raise InputError(f"--boxes {boxes}: expected a whole number >= 1")
    manifest = read_manifest(folder)
    outcomes = list(manifest.get("outcomes", []))
    if outcome not in outcomes:
        raise InputError(
            f"--outcome {outcome!r}: not an outcome of this sweep (it has: {', '.join(outcomes)})"
        )
    factors = [f["key"] for f in manifest["design"]["factors"]]
    if not factors:
        raise InputError(f"{folder}: the sweep has no factors to discover ranges of")
    runs = load_results(folder)
    ok = runs[(runs["status"] == "ok") & np.isfinite(runs[outcome].astype(float))]
    failed = int((runs["status"] != "ok").sum())
    if ok.empty:
        raise InputError(
            f"{folder}: no finished run with a value of {outcome} "
            f"({len(runs)} recorded, {failed} failed); finish it with python run.py sweep "
            "... --resume"
        )
    pts = _points(ok, factors, outcome)
    y = OPS[op](pts[outcome].to_numpy(float), value)
    n_cases = int(y.sum())
    if n_cases == 0 or n_cases == len(y):
        which = "no" if n_cases == 0 else "every"
        raise InputError(
            f"--where {where!r}: {which} design point has mean {outcome} {op} {value} "
            f"(range {pts[outcome].min():.4g} to {pts[outcome].max():.4g} over {len(y)} "
            "points); choose a threshold inside the range"
        )
    try:
        with warnings.catch_warnings():  # "ipyparallel not installed": not needed here
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError as exc:
        raise ImportError("discover needs EMA Workbench: pip install -e '.[ema]'") from exc

    x = pts[factors].copy()
    for f in factors:  # text-valued factors are categorical for PRIM
        if x[f].dtype == object or x[f].dtype == bool:
            x[f] = x[f].astype(str).astype("category")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x, y)
        found: list[Box] = []
        left = n_cases  # cases not yet inside a box
        for _ in range(boxes):
            if left <= 0:  # every case is in a box already: nothing more to find
                break
            b = p.find_box()
            if b is None:
                break
            t = b.peeling_trajectory.copy()
            good = t[t["density"] >= min_density]
            i = int(good["coverage"].idxmax()) if not good.empty else len(t) - 1
            b.select(i)
            t["chosen"] = t.index == i
            found.append(
                Box(
                    coverage=float(b.coverage),
                    density=float(b.density),
                    mass=float(b.mass),
                    cases=int(round(b.coverage * n_cases)),
                    points=int(round(b.mass * len(y))),
                    limits=_limits(b.box_lim, p.box_init, factors),
                    trajectory=t,
                )
            )
            left -= found[-1].cases
    files = _write(found, folder, outcome, out, plots)
    return Discovery(
        folder=folder,
        outcome=outcome,
        where=f"{op} {value:g}",
        points=len(y),
        cases=n_cases,
        runs_used=len(ok),
        runs_failed=failed,
        factors=factors,
        boxes=found,
        files=files,
    )


def _write(
    found: list[Box], folder: Path, outcome: str, out: str | Path | None, plots: bool
) -> list[Path]:
    from sim.csvsafe import to_csv
    from sim.sweep.store import atomic_write_bytes

    stem = Path(out).with_suffix("") if out is not None else folder / f"discover-{outcome}"
    frames = []
    for k, b in enumerate(found, start=1):
        t = b.trajectory[["coverage", "density", "mass", "res_dim", "chosen"]].copy()
        t.insert(0, "step", range(len(t)))
        t.insert(0, "box", k)
        frames.append(t)
    csv = stem.with_suffix(".csv")
    text = to_csv(pd.concat(frames))  # text cells neutralised, as every CSV the tool writes
    atomic_write_bytes(csv, (text or "").encode("utf-8"))
    files = [csv]
    if plots:
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 4))
        for k, b in enumerate(found, start=1):
            t = b.trajectory
            ax.plot(t["coverage"], t["density"], marker=".", label=f"box {k}")
            ax.scatter([b.coverage], [b.density], s=120, facecolors="none", edgecolors="black")
        ax.set_xlabel("coverage (share of cases inside the box)")
        ax.set_ylabel("density (share of the box that are cases)")
        ax.set_xlim(0, 1.05)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"PRIM peeling trajectory: {outcome}")
        ax.legend()
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        png = stem.with_suffix(".png")
        atomic_write_bytes(png, buf.getvalue())
        files.append(png)
    return files


def format_discovery(d: Discovery) -> str:
    """The boxes in words, for the terminal."""
    lines = [
        f"{d.folder}: {d.points} design points ({d.runs_used} runs"
        + (f", {d.runs_failed} failed runs left out" if d.runs_failed else "")
        + f"), {d.cases} with mean {d.outcome} {d.where}",
    ]
    for k, b in enumerate(d.boxes, start=1):
        lines.append(
            f"box {k}: coverage {b.coverage:.2f} ({b.cases} of {d.cases} cases), density "
            f"{b.density:.2f}, mass {b.mass:.2f} ({b.points} points)"
        )
        if not b.limits:
            lines.append("  no factor restricted: the cases are spread over the whole space")
        for f, lim in b.limits.items():
            if isinstance(lim, tuple):
                lines.append(f"  {f}: {lim[0]:.3g} to {lim[1]:.3g}")
            else:
                lines.append(f"  {f}: {', '.join(map(str, lim))}")
    lines += [f"wrote {p}" for p in d.files]
    return "\n".join(lines)
