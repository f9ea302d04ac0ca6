"""Time-series charts, the compare difference chart and the CSV/PNG exports.

Charts keep their axes and only move their lines each week (see ``app.render``). The x range is
the run's horizon from the start, so the picture does not jump; a y range grows in steps when a
line leaves it. Change-programme steps are drawn as labelled vertical lines the week they fire
(``model.programme_log``), and the CRM's go-live as a dashed line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.render import BlitFigure
from sim import csvsafe

COLOURS = ("#1f5fa8", "#e07b00")  # design A, design B
STEP_LABELS = {
    "urgency": "urgency",
    "coalition": "coalition",
    "vision": "vision",
    "communication": "communicate",
    "remove_obstacles": "obstacles",
    "quick_wins": "quick wins",
    "consolidate": "consolidate",
    "anchor": "anchor",
}


@dataclass(frozen=True)
class Panel:
    """One small chart: its title, how to compute its series, and its y range."""

    title: str
    columns: tuple[str, ...]
    styles: tuple[str, ...]
    names: tuple[str, ...]
    lo: float
    hi: float
    fixed: bool = False
    scale: float = 1.0

    def series(self, df: pd.DataFrame) -> list[np.ndarray]:  # noqa: D102
        """The panel's lines from a per-week results table."""
        out = []
        for col in self.columns:
            if col == "churned_seen":
                v = df["churned_total"] - df["churned_silent_total"]
            else:
                v = df[col]
            out.append(v.to_numpy(dtype=float) * self.scale)
        return out


PANELS: tuple[Panel, ...] = (
    Panel("CRM adoption (% of front line)", ("adoption_rate",), ("-",), ("",), 0, 100, True, 100),
    Panel(
        "Customers lost: true vs seen via complaints",
        ("churned_total", "churned_seen"),
        ("-", ":"),
        ("true", "seen"),
        0,
        50,
    ),
    Panel("Customer satisfaction", ("satisfaction_mean",), ("-",), ("",), 0, 1, True),
    Panel("Staff morale", ("morale_mean",), ("-",), ("",), 0, 1, True),
    Panel("Decision latency (days)", ("decision_latency_days",), ("-",), ("",), 0, 10),
    Panel("ROI vs no change", ("roi",), ("-",), ("",), -2, 2),
)

#: What the difference chart shows (B minus A), with the column or derived series.
DIFF_PANELS: tuple[Panel, ...] = (
    Panel("Adoption, B − A (points)", ("adoption_rate",), ("-",), ("",), -25, 25, False, 100),
    Panel("Customers lost, B − A", ("churned_total",), ("-",), ("",), -20, 20),
    Panel("Satisfaction, B − A", ("satisfaction_mean",), ("-",), ("",), -0.1, 0.1),
    Panel("Morale, B − A", ("morale_mean",), ("-",), ("",), -0.1, 0.1),
    Panel("Decision latency, B − A (days)", ("decision_latency_days",), ("-",), ("",), -4, 4),
    Panel("ROI, B − A", ("roi",), ("-",), ("",), -1, 1),
)


def _grow(lo: float, hi: float, vals: np.ndarray, symmetric: bool) -> tuple[float, float]:
    """Widen (lo, hi) by doubling so that every finite value fits (few redraws, no jitter)."""
    v = vals[np.isfinite(vals)]
    if v.size == 0:
        return lo, hi
    vmin, vmax = float(v.min()), float(v.max())
    if vmin >= lo and vmax <= hi:
        return lo, hi
    if symmetric:
        m = max(abs(lo), abs(hi), 1e-9)
        while m < max(abs(vmin), abs(vmax)):
            m *= 2
        return -m, m
    while vmax > hi:
        hi = hi * 2 if hi > 0 else 1.0
    while vmin < lo:
        lo = lo * 2 if lo < 0 else -abs(hi) * 0.25
    return lo, hi


class Charts(BlitFigure):
    """The run's time-series panels for one or two designs.

    Args:
        horizon: weeks on the x axis.
        labels: one label per design (one or two).
        panels: which panels to draw (``PANELS`` or ``DIFF_PANELS``).
        diff: draw B − A of two designs instead of each design.
        size: figure size in inches; dpi: resolution.
    """

    def __init__(
        self,
        horizon: int,
        labels: Sequence[str] = ("A",),
        panels: Sequence[Panel] = PANELS,
        *,
        diff: bool = False,
        book: int = 3000,
        size: tuple[float, float] = (11.0, 4.4),
        dpi: int = 80,
    ) -> None:
        fig = self._init_figure(size, dpi)
        top = 0.84 if (len(labels) > 1 and not diff) else 0.9
        fig.subplots_adjust(left=0.05, right=0.99, top=top, bottom=0.1, hspace=0.45, wspace=0.2)
        self.horizon = horizon
        self.panels = tuple(panels)
        self.diff = diff
        self.labels = tuple(labels)
        self.axes = list(fig.subplots(2, 3).ravel())
        self.lines: list[list[list]] = []  # panel -> design -> line per column
        self.limits: list[tuple[float, float]] = []
        self.markers: set[tuple[int, str]] = set()
        self.go_live: set[int] = set()
        n_designs = 1 if diff else len(self.labels)
        for ax, p in zip(self.axes, self.panels):
            ax.set_title(p.title, fontsize=10, loc="left")
            ax.set_xlim(0, horizon)
            lo, hi = p.lo, p.hi
            if p.columns[0] == "churned_total":  # room for a bad year from the start
                hi = hi if diff else max(hi, round(0.2 * book, -1))
                lo = lo if not diff else min(lo, -round(0.04 * book, -1))
                hi = hi if not diff else max(hi, round(0.04 * book, -1))
            ax.set_ylim(lo, hi)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.25)
            if diff:
                ax.axhline(0.0, color="#444", lw=0.8)
            per = []
            for d in range(n_designs):
                colour = "#6a3d9a" if diff else COLOURS[d % 2]
                per.append(
                    [
                        ax.plot([], [], ls=st, color=colour, lw=1.8, marker="o", ms=1.5)[0]
                        for st in p.styles
                    ]
                )
            self.lines.append(per)
            self.limits.append((lo, hi))
            if len(p.columns) > 1:
                ax.legend(
                    handles=per[0], labels=[f"{n}" for n in p.names], fontsize=7,
                    loc="upper left", frameon=False,
                )  # fmt: skip
        if not diff and len(self.labels) > 1:
            handles = [per_d[0] for per_d in self.lines[0]]
            fig.legend(handles, self.labels, loc="upper right", ncol=2, fontsize=9, frameon=False)
        for ax in self.axes[len(self.panels) :]:
            ax.set_axis_off()
        self._live([ln for per in self.lines for d in per for ln in d])

    def update(
        self,
        frames: Sequence[pd.DataFrame],
        programme_logs: Sequence[Sequence[tuple[int, str, float]]] = (),
        go_live_weeks: Sequence[int | None] = (),
    ) -> None:
        """Move the lines to the latest per-week tables (one per design).

        Args:
            frames: per-week results of each design (``model.results()``).
            programme_logs: each design's ``model.programme_log`` (steps that have fired).
            go_live_weeks: each design's CRM go-live week (None without a CRM).
        """
        if self.diff:
            a, b = frames[0], frames[1]
            k = min(len(a), len(b))
            weeks = a.index.to_numpy()[:k]
            data = [
                [[sb[:k] - sa[:k] for sa, sb in zip(p.series(a), p.series(b))]] for p in self.panels
            ]
        else:
            weeks = None
            data = [[p.series(df) for df in frames] for p in self.panels]
        for i, p in enumerate(self.panels):
            lo, hi = self.limits[i]
            allv = np.concatenate([v for d in data[i] for v in d]) if data[i] else np.zeros(0)
            if not p.fixed:
                nlo, nhi = _grow(lo, hi, allv, symmetric=self.diff or p.lo < 0)
                if (nlo, nhi) != (lo, hi):
                    self.limits[i] = (nlo, nhi)
                    self.axes[i].set_ylim(nlo, nhi)
                    self.invalidate()
            for d, series in enumerate(data[i]):
                x = weeks if weeks is not None else frames[d].index.to_numpy()
                for line, y in zip(self.lines[i][d], series):
                    line.set_data(x, y)
        for d, log in enumerate(programme_logs):
            for week, step, _ in log:
                if (week, step) not in self.markers:
                    self.markers.add((week, step))
                    self._mark(week, STEP_LABELS.get(step, step), COLOURS[d % 2], d)
        for wk in go_live_weeks:
            if wk is not None and wk not in self.go_live and frames and len(frames[0]) >= wk:
                self.go_live.add(wk)
                for ax in self.axes[: len(self.panels)]:
                    ax.axvline(wk, color="#2ca25f", ls="--", lw=1.0, alpha=0.8)
                self.axes[0].text(
                    wk, 0.02, " CRM live", transform=self.axes[0].get_xaxis_transform(),
                    fontsize=7, color="#2ca25f", va="bottom",
                )  # fmt: skip
                self.invalidate()

    def _mark(self, week: int, label: str, colour: str, design: int) -> None:
        for ax in self.axes[: len(self.panels)]:
            ax.axvline(week, color=colour, lw=0.8, alpha=0.5)
        n = sum(1 for w, _ in self.markers if w <= week)
        self.axes[0].text(
            week, 0.97 - 0.11 * ((n - 1) % 4), " " + label,
            transform=self.axes[0].get_xaxis_transform(), fontsize=7, color=colour,
            va="top", rotation=0,
        )  # fmt: skip
        del design
        self.invalidate()


def results_csv(runs: Sequence[tuple[str, pd.DataFrame, Sequence[tuple[int, str, float]]]]) -> str:
    """The runs' per-week data as CSV text, one row per design and week.

    Args:
        runs: (design label, per-week table, programme log) per design.

    Returns:
        CSV text with columns ``design``, ``week``, every metric, and ``programme_steps`` (the
        steps that fired that week); text cells neutralised against formula injection.
    """
    parts = []
    for label, df, log in runs:
        d = df.reset_index()
        fired: dict[int, list[str]] = {}
        for week, step, _ in log:
            fired.setdefault(int(week) + 1, []).append(step)  # row "week" is after that week
        d.insert(0, "design", label)
        d["programme_steps"] = [" ".join(fired.get(int(w), [])) for w in d["week"]]
        parts.append(d)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return str(csvsafe.to_csv(out))
