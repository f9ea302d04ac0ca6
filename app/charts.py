"""Time-series charts, the compare difference chart and the CSV/PNG exports.

Charts keep their axes and only move their lines each week (see ``app.render``). The x range is
the run's horizon from the start, so the picture does not jump; a y range grows in steps when a
line leaves it. Change-programme steps are drawn as labelled vertical lines the week they fire
(``model.programme_log``), and the CRM's go-live as a dashed line. A change made during the run
is a vertical mark with its plain name on every chart, and the path the run would have taken
without it is a faint line behind the live one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

    def series(self, df: pd.DataFrame | Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """The panel's lines from a per-week results table (or its :func:`columns`)."""
        cols = df if isinstance(df, Mapping) else columns(df)
        out = []
        for col in self.columns:
            if col == "churned_seen":
                v = cols["churned_total"] - cols["churned_silent_total"]
            else:
                v = cols[col]
            out.append(np.asarray(v, dtype=float) * self.scale)
        return out


def columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every column of a per-week table as a float array, from one copy of the whole table.

    The charts read 7 columns of up to 4 tables at each frame; a pandas column lookup costs
    about 0.1 ms where slicing one float matrix costs a microsecond (all of ``model.results()``
    is float). A table with other columns is read column by column.
    """
    try:
        values = df.to_numpy(dtype=float)
    except (TypeError, ValueError):
        return {c: df[c].to_numpy(dtype=float) for c in df.columns}
    return {c: values[:, i] for i, c in enumerate(df.columns)}


PANELS: tuple[Panel, ...] = (
    Panel("CRM adoption (% of front line)", ("adoption_rate",), ("-",), ("",), 0, 100, True, 100),
    Panel(
        "Customers lost: true vs seen",
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


#: Text sizes (points at the charts' 80 dpi): panel titles, ticks, in-chart labels.
TITLE_PT, TICK_PT, NOTE_PT = 10.5, 9.0, 9.0
#: Rows of programme-step labels in the timeline strip over the panels (a label that finds no
#: free row keeps its line but not its text, rather than overlap another).
STRIP_ROWS = 4


class Charts(BlitFigure):
    """The run's time-series panels for one or two designs.

    Args:
        horizon: weeks on the x axis.
        labels: one label per design (one or two).
        panels: which panels to draw (``PANELS`` or ``DIFF_PANELS``).
        diff: draw B − A of two designs instead of each design.
        size: figure size in inches; dpi: resolution.
        grid: panel rows and columns.
        font: scale of every text (the presenter view uses larger text).

    Programme-step labels and the CRM go-live label sit on a timeline strip over the panels, in
    rows so that no two overlap (:meth:`_label_row`) and none lies on a curve.
    A band of other seeds (:meth:`set_band`) is drawn behind the lines.
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
        grid: tuple[int, int] = (2, 3),
        font: float = 1.0,
    ) -> None:
        self.horizon = horizon
        self.panels = tuple(panels)
        self.diff = diff
        self.labels = tuple(labels)
        self.book = book
        self.bands: dict[int, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        #: What each drawn band is of (``app.luck.LuckBands.key``: the course and the seed).
        self.band_keys: dict[int, str] = {}
        self._setup(size, dpi, grid, font)

    def _setup(
        self, size: tuple[float, float], dpi: int, grid: tuple[int, int], font: float
    ) -> None:
        self.size, self.grid, self.font = tuple(size), tuple(grid), font
        fig = self._init_figure(size, dpi)
        f = font
        H = size[1]
        with_strip = not self.diff
        legend_in = 1.6 * 10 * f / 72.0 if (len(self.labels) > 1 and not self.diff) else 0.0
        strip_in = (STRIP_ROWS * 1.3 * NOTE_PT * f + 3) / 72.0 if with_strip else 0.0
        title_in = 1.8 * TITLE_PT * f / 72.0
        top = 1.0 - (legend_in + strip_in + title_in) / H
        bottom = (3.0 * TICK_PT * f / 72.0) / H
        left = (4.2 * TICK_PT * f / 72.0) / size[0]
        fig.subplots_adjust(
            left=left, right=0.99, top=top, bottom=bottom,
            hspace=(1.8 * TITLE_PT + 2.0 * TICK_PT) * f / 72.0
            / max((top - bottom) * H / grid[0] - (1.8 * TITLE_PT + 2.0 * TICK_PT) * f / 72.0, 0.3),
            wspace=0.22,
        )  # fmt: skip
        # the programme's timeline: one strip across the top, labels in rows that never overlap
        self.strip = None
        if with_strip:
            self.strip = fig.add_axes(
                (left, 1.0 - (legend_in + strip_in) / H, 0.99 - left, strip_in / H)
            )
            self.strip.set_xlim(0, self.horizon)
            self.strip.set_ylim(0, 1)
            self.strip.set_axis_off()
        diff, book, horizon = self.diff, self.book, self.horizon
        self.axes = list(fig.subplots(*grid).ravel())
        self.lines: list[list[list]] = []  # panel -> design -> line per column
        self.ghosts: list[list[list]] = []  # the same, for the paths without the latest change
        self.limits: list[tuple[float, float]] = []
        self.markers: set[tuple[int, str]] = set()
        self.marker_rows: list[list[tuple[float, float]]] = []  # per row: (x0, x1) in weeks
        self.go_live: set[int] = set()
        self.changes: set[tuple[int, str, int]] = set()
        self.band_artists: list = []
        n_designs = 1 if diff else len(self.labels)
        for k, (ax, p) in enumerate(zip(self.axes, self.panels)):
            ax.set_title(p.title, fontsize=TITLE_PT * f, loc="left")
            ax.set_xlim(0, horizon)
            lo, hi = p.lo, p.hi
            if p.columns[0] == "churned_total":  # room for a bad year from the start
                hi = hi if diff else max(hi, round(0.2 * book, -1))
                lo = lo if not diff else min(lo, -round(0.04 * book, -1))
                hi = hi if not diff else max(hi, round(0.04 * book, -1))
            ax.set_ylim(lo, hi)
            ax.tick_params(labelsize=TICK_PT * f)
            ax.grid(alpha=0.25)
            if k >= len(self.panels) - grid[1]:  # the bottom row names its axis
                ax.set_xlabel("week", fontsize=TICK_PT * f, labelpad=1)
            if diff:
                ax.axhline(0.0, color="#444", lw=0.8)
            per = []
            for d in range(n_designs):
                colour = "#6a3d9a" if diff else COLOURS[d % 2]
                per.append(
                    [
                        ax.plot([], [], ls=st, color=colour, lw=1.8 * f, marker="o", ms=1.5)[0]
                        for st in p.styles
                    ]
                )
            self.lines.append(per)
            # the path without the latest change: faint, thin, behind the live line
            self.ghosts.append(
                [
                    [
                        ax.plot([], [], ls=st, color=COLOURS[d % 2], lw=1.2 * f, alpha=0.35,
                                zorder=1.5)[0]
                        for st in p.styles
                    ]
                    for d in range(0 if diff else n_designs)
                ]
            )  # fmt: skip
            self.limits.append((lo, hi))
            if len(p.columns) > 1:
                ax.legend(
                    handles=per[0], labels=[f"{n}" for n in p.names], fontsize=NOTE_PT * f,
                    loc="upper left", frameon=False,
                )  # fmt: skip
        if not diff and len(self.labels) > 1:
            handles = [per_d[0] for per_d in self.lines[0]]
            fig.legend(
                handles, self.labels, loc="upper right", ncol=2, fontsize=10 * f, frameon=False
            )
        for ax in self.axes[len(self.panels) :]:
            ax.set_axis_off()
        self._live([ln for lines in (self.lines, self.ghosts) for per in lines for d in per
                    for ln in d])  # fmt: skip
        for d in self.bands:
            self._draw_band(d)

    def resize(self, size: tuple[float, float], grid: tuple[int, int], font: float = 1.0) -> bool:
        """Lay the panels out again (the presenter view); the next :meth:`update` redraws the
        lines and markers from the full tables. Returns whether anything changed."""
        if (tuple(size), tuple(grid), font) == (self.size, self.grid, self.font):
            return False
        self._setup(size, self.dpi, grid, font)
        return True

    def set_labels(self, labels: Sequence[str]) -> None:
        """Rename the designs (their names follow the changes made during the run); the legend
        is drawn again, and the next :meth:`update` redraws the lines and marks."""
        if tuple(labels) == self.labels:
            return
        self.labels = tuple(labels)
        self._setup(self.size, self.dpi, self.grid, self.font)

    def set_band(
        self,
        design: int,
        band: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
        key: str = "",
    ) -> None:
        """Draw a band of other seeds behind design ``design``'s lines (instead of its last).

        Args:
            design: 0 for A, 1 for B.
            band: panel's first column -> (weeks, low, high), in the column's own units (the
                panel's scale is applied here).
            key: what the band is of (kept in :attr:`band_keys`).
        """
        if self.diff:
            return
        if design in self.bands:
            self.clear_band(design)
        self.bands[design] = band
        self.band_keys[design] = key
        self._draw_band(design)
        self.invalidate()

    def clear_band(self, design: int) -> None:
        """Take design ``design``'s band off the charts (its course changed)."""
        if self.bands.pop(design, None) is None:
            return
        self.band_keys.pop(design, None)
        for art in self.band_artists:
            art.remove()
        self.band_artists = []
        for d in self.bands:
            self._draw_band(d)
        self.invalidate()

    def _draw_band(self, design: int) -> None:
        band = self.bands[design]
        colour = COLOURS[design % 2]
        for i, (ax, p) in enumerate(zip(self.axes, self.panels)):
            got = band.get(p.columns[0])
            if got is None:
                continue
            x, lo, hi = got
            self.band_artists.append(
                ax.fill_between(
                    x, lo * p.scale, hi * p.scale, color=colour, alpha=0.16, lw=0, zorder=0.5
                )
            )
            if not p.fixed:  # the band must fit too
                nlo, nhi = _grow(*self.limits[i], np.r_[lo, hi] * p.scale, self.diff or p.lo < 0)
                if (nlo, nhi) != self.limits[i]:
                    self.limits[i] = (nlo, nhi)
                    ax.set_ylim(nlo, nhi)

    def update(
        self,
        frames: Sequence[pd.DataFrame],
        programme_logs: Sequence[Sequence[tuple[int, str, float]]] = (),
        go_live_weeks: Sequence[int | None] = (),
        changes: Sequence[tuple[int, str, int]] = (),
        ghosts: Sequence[pd.DataFrame | None] = (),
    ) -> None:
        """Move the lines to the latest per-week tables (one per design).

        Args:
            frames: per-week results of each design (``model.results()``).
            programme_logs: each design's ``model.programme_log`` (steps that have fired).
            go_live_weeks: each design's CRM go-live week (None without a CRM).
            changes: ``(week, plain name, design)`` of each change made during the run.
            ghosts: per design, the per-week results of the path without its latest change
                (None: no change), drawn as a faint line up to the live run's week.
        """
        tables = [columns(df) for df in frames]  # each table copied once, not once a panel
        if self.diff:
            a, b = frames[0], frames[1]
            k = min(len(a), len(b))
            weeks = a.index.to_numpy()[:k]
            data = [
                [[sb[:k] - sa[:k] for sa, sb in zip(p.series(tables[0]), p.series(tables[1]))]]
                for p in self.panels
            ]
        else:
            weeks = None
            data = [[p.series(t) for t in tables] for p in self.panels]
        ghost_tables = [
            None if d >= len(ghosts) or ghosts[d] is None else ghosts[d].iloc[: len(frames[d])]
            for d in range(0 if self.diff else len(frames))
        ]  # never ahead of the live run
        ghost_cols = [None if g is None else columns(g) for g in ghost_tables]
        for i, p in enumerate(self.panels):
            lo, hi = self.limits[i]
            ghost_series = [None if g is None else p.series(g) for g in ghost_cols]
            allv = np.concatenate(
                [np.zeros(0)]
                + [v for d in data[i] for v in d]
                + [v for gs in ghost_series if gs is not None for v in gs]
            )
            if not p.fixed:
                nlo, nhi = _grow(lo, hi, allv, symmetric=self.diff or p.lo < 0)
                if (nlo, nhi) != (lo, hi):
                    self.limits[i] = (nlo, nhi)
                    self.axes[i].set_ylim(nlo, nhi)
                    self.invalidate_axes(self.axes[i])  # this panel only
            for d, series in enumerate(data[i]):
                x = weeks if weeks is not None else frames[d].index.to_numpy()
                for line, y in zip(self.lines[i][d], series):
                    line.set_data(x, y)
            for d, ghost_lines in enumerate(self.ghosts[i]):
                g, gs = ghost_tables[d], ghost_series[d]
                for j, line in enumerate(ghost_lines):
                    if g is None or gs is None:
                        line.set_data([], [])
                    else:
                        line.set_data(g.index.to_numpy(), gs[j])
        # changes first: on a fresh figure (a change renames a design, which redraws it) their
        # names take the strip's first free rows
        for week, name, d in changes:
            if (week, name, d) not in self.changes:
                self.changes.add((week, name, d))
                self._mark(week, name, COLOURS[d % 2], change=True)
        for d, log in enumerate(programme_logs):
            for week, step, _ in sorted(log):
                if (week, step) not in self.markers:
                    self.markers.add((week, step))
                    self._mark(week, STEP_LABELS.get(step, step), COLOURS[d % 2])
        for wk in go_live_weeks:
            if wk is not None and wk not in self.go_live and frames and len(frames[0]) >= wk:
                self.go_live.add(wk)
                self._static(
                    ax.axvline(wk, color="#2ca25f", ls="--", lw=1.0, alpha=0.8)
                    for ax in self.axes[: len(self.panels)]
                )
                if self.strip is not None:  # on the timeline, not on the adoption curve
                    self._static([self.strip.axvline(wk, color="#2ca25f", ls="--", lw=1.0)])
                    self._strip_text(wk, "CRM live", "#1b7a45")

    def _label_row(self, week: float, label: str) -> int:
        """The first row of the timeline strip where ``label`` at ``week`` overlaps no other.

        The width is estimated from the text (0.62 em a character, plus the leading space) in
        weeks of the strip's x axis; -1 when no row has room.
        """
        assert self.strip is not None
        width_px = self.strip.get_position().width * self.size[0] * self.dpi
        em_px = NOTE_PT * self.font * self.dpi / 72.0
        w = (len(label) + 1) * 0.62 * em_px * self.horizon / max(width_px, 1.0)
        x0, x1 = week, week + w
        while len(self.marker_rows) < STRIP_ROWS:
            self.marker_rows.append([])
        for row, taken in enumerate(self.marker_rows):
            if all(x1 <= a or x0 >= b for a, b in taken):
                taken.append((x0, x1))
                return row
        return -1

    def _strip_text(self, week: float, label: str, colour: str) -> None:
        assert self.strip is not None
        row = self._label_row(week, label)
        if row < 0:
            return
        text = self.strip.text(
            week, 1.0 - row / STRIP_ROWS, " " + label, fontsize=NOTE_PT * self.font,
            color=colour, va="top", ha="left",
        )  # fmt: skip
        self._static([text])

    def _mark(self, week: int, label: str, colour: str, change: bool = False) -> None:
        """A vertical line at ``week`` on every panel, named on the timeline strip.

        A change made during the run (``change``) is a bolder dash-dot line; on a chart without
        a strip (the difference chart) its name is written up the line in the first panel.
        """
        style = {"ls": "-.", "lw": 1.4, "alpha": 0.9} if change else {"lw": 0.8, "alpha": 0.5}
        # painted onto the cached background (BlitFigure._static), not a full redraw
        panels = self.axes[: len(self.panels)]
        self._static(ax.axvline(week, color=colour, **style) for ax in panels)
        if self.strip is not None:
            self._static([self.strip.axvline(week, color=colour, **{**style, "alpha": 0.8})])
            self._strip_text(week, label, colour)
        elif change and self.axes:
            self._static([
                self.axes[0].text(
                    week, 0.97, " " + label, transform=self.axes[0].get_xaxis_transform(),
                    rotation=90, va="top", ha="right", fontsize=NOTE_PT * self.font,
                    color=colour,
                )
            ])  # fmt: skip


def results_csv(
    runs: Sequence[tuple[str, pd.DataFrame, Sequence[tuple[int, str, float]]]],
    settings: Sequence[pd.DataFrame] = (),
) -> str:
    """The runs' per-week data as CSV text, one row per design and week.

    Args:
        runs: (design label, per-week table, programme log) per design.
        settings: per design, columns to add row by row (the preset, seed, dials in force and
            changes made, ``Session.settings_table``), indexed by week like the results.

    Returns:
        CSV text with columns ``design``, ``week``, every metric, ``programme_steps`` (the
        steps that fired that week) and the settings' columns; text cells neutralised against
        formula injection.
    """
    parts = []
    for i, (label, df, log) in enumerate(runs):
        d = df.reset_index()
        fired: dict[int, list[str]] = {}
        for week, step, _ in log:
            fired.setdefault(int(week) + 1, []).append(step)  # row "week" is after that week
        d.insert(0, "design", label)
        d["programme_steps"] = [" ".join(fired.get(int(w), [])) for w in d["week"]]
        if i < len(settings):
            extra = settings[i].reindex(d["week"].to_numpy())
            for col in extra.columns:
                d[col] = extra[col].to_numpy()
        parts.append(d)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return str(csvsafe.to_csv(out))
