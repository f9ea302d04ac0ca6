"""The live organisation view: layouts computed once per structure, artists updated each week.

Layouts are vectorised and deterministic (no force layout): a hierarchy or a matrix is a top-down
tree whose front-line teams hang as compact blocks under their team lead; functional silos are the
same trees drawn apart in shaded boxes; self-organised circles are nested rings (members around
their lead link, circles around their super-circle, super-circles around the anchor circle).
Customers sit on a ring beside the organisation, in wedges by the unit that serves them.

Encoding (the legend says the same):

- employees: colour = CRM usage (grey: none, blue: all interactions logged); hollow = vacant;
  front-line staff are dots sized by workload;
- managers: squares sized and coloured by the escalated decisions that reached their desk this
  week against what they clear in a week (``model.last_week.decisions.arrivals`` / ``capacity``):
  white when none arrived, amber as the desk fills, red at a week's capacity or more, with a thick
  red rim when a backlog carries into next week (``state.emp.backlog > 0``). The carried backlog
  alone (what version 1 drew) is almost always zero at the default capacity (ODD 8.C: about one
  decision a week across the whole of ``command_and_control``), because managers work overtime on
  it; where decisions wait is the week's arrivals, which reach a week's capacity at several desks;
- customers: colour = satisfaction (red angry, green happy); customers who left after
  complaining turn light grey; customers who left without ever complaining (silent churn) are
  dark purple, outside the satisfaction colours, so a room can see them.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from app.render import BlitFigure  # noqa: E402
from sim.structures import OrgStructure  # noqa: E402
from sim.structures.base import EXECUTIVE, MANAGER  # noqa: E402

USAGE_CMAP = mcolors.LinearSegmentedColormap.from_list(
    "crm_usage", ["#d0d0d0", "#9ecae1", "#2171b5", "#08306b"]
)
# anchored on the default lines (customers.angry_line 0.40, customers.unhappy_line 0.45, and from
# customers.churn_pivot 0.70 up only the base churn hazard applies; a fixed colour scale)
SATISFACTION_CMAP = mcolors.LinearSegmentedColormap.from_list(
    "satisfaction",
    [
        (0.0, "#67001f"),
        (0.40, "#d6604d"),
        (0.45, "#f4a582"),
        (0.55, "#fee08b"),
        (0.70, "#66bd63"),
        (1.0, "#006837"),
    ],
)
#: Silent churners: dark purple, outside the satisfaction scale, drawn larger than the others.
SILENT_CHURN = np.array(mcolors.to_rgba("#3f007d"))
COMPLAINED_GREY = np.array(mcolors.to_rgba("#a0a0a0"))
#: Managers' desks: decisions arrived this week / decisions cleared in a week (1 = a full week).
QUEUE_CMAP = mcolors.LinearSegmentedColormap.from_list(
    "queue", [(0.0, "#ffffff"), (0.5, "#fec44f"), (0.999, "#fc8d59"), (1.0, "#d7301f")]
)
OVERLOAD_RED = np.array(mcolors.to_rgba("#d7301f"))
RIM = np.array(mcolors.to_rgba("#555555"))
TREE_GAP = 1.0  # horizontal gap between sibling subtrees (in leaf widths)
TOP_GAP = 4.0  # gap between the top-level subtrees (silos, regions)
LEVEL_DY = 3.0  # vertical distance between management levels
ROW_DY = 1.0  # vertical distance between rows of a front-line block


@dataclass(frozen=True)
class OrgLayout:
    """Positions of every employee and customer slot, and what to draw between them.

    Attributes:
        kind: ``"tree"`` or ``"circles"``.
        xy: (n, 2) employee positions.
        edges: (k, 2, 2) line segments of the reporting lines.
        second_edges: (j, 2, 2) matrix second reporting lines (may be empty).
        boxes: (label, x0, y0, width, height, shaded) per top-level group.
        cust_xy: (capacity, 2) customer slot positions on the ring (unit square axes).
        wedges: (label, angle) of the customer wedges (only when there are few units).
    """

    kind: str
    xy: np.ndarray
    edges: np.ndarray
    second_edges: np.ndarray
    boxes: tuple[tuple[str, float, float, float, float, bool], ...]
    cust_xy: np.ndarray
    wedges: tuple[tuple[str, float], ...]


def _group_rank(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable rank of each item within its key, the group sizes and each item's group size."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]]) if sk.size else np.zeros(0, int)
    sizes = np.diff(np.r_[starts, sk.size])
    block = np.repeat(np.arange(starts.size), sizes)
    rank = np.empty(keys.size, dtype=np.int64)
    rank[order] = np.arange(keys.size) - starts[block]
    size = np.empty(keys.size, dtype=np.int64)
    size[order] = sizes[block]
    return rank, sizes, size


def tree_layout(manager: np.ndarray, level: np.ndarray, is_manager: np.ndarray) -> np.ndarray:
    """Top-down tree with each manager's front-line reports stacked in a compact block.

    Widths are summed bottom-up and intervals handed out top-down, one vectorised pass per level,
    so the cost is O(n * depth). Manager children come first (in id order), then the block of
    front-line reports (``ceil(sqrt(k))`` columns).

    Args:
        manager: (n,) primary manager, -1 at the top.
        level: (n,) depth below the top.
        is_manager: (n,) True for positions drawn as managers (executive and managers).

    Returns:
        (n, 2) positions; x in leaf widths, y = 0 at the top and negative below.
    """
    n = manager.shape[0]
    xy = np.zeros((n, 2))
    if n == 1:
        return xy
    depth = int(level.max())
    top = int(np.flatnonzero(manager < 0)[0])
    leaf = ~is_manager & (manager >= 0)
    n_leaf = np.bincount(manager[leaf], minlength=n)
    cols = np.ceil(np.sqrt(n_leaf)).astype(np.int64)
    block_w = cols.astype(float)
    # widths bottom-up: own leaf block plus manager children (each with a gap)
    width = np.where(is_manager, np.maximum(block_w, 1.0), 1.0)
    kids_w = np.zeros(n)
    has_mkids = np.zeros(n, dtype=bool)
    for lv in range(depth, 0, -1):
        sel = np.flatnonzero(is_manager & (level == lv) & (manager >= 0))
        width[sel] = np.maximum(kids_w[sel] + np.where(n_leaf[sel] > 0, block_w[sel], 0.0), 1.0)
        gap = np.where(manager[sel] == top, TOP_GAP, TREE_GAP)
        np.add.at(kids_w, manager[sel], width[sel] + gap)
        has_mkids[manager[sel]] = True
    width[top] = kids_w[top] + (block_w[top] if n_leaf[top] else 0.0)
    left = np.zeros(n)
    # intervals top-down: manager children in id order, then the leaf block
    for lv in range(1, depth + 1):
        sel = np.flatnonzero(is_manager & (level == lv))
        if sel.size == 0:
            continue
        par = manager[sel]
        order = np.lexsort((sel, par))
        s, p = sel[order], par[order]
        gap = np.where(p == top, TOP_GAP, TREE_GAP)
        w = width[s] + gap
        csum = np.cumsum(w)
        starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
        grp = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, s.size]))
        before = csum - w - (csum - w)[starts][grp]
        left[s] = left[p] + before
    # managers centred over their interval, one level further down the page per hop
    mgr_ids = np.flatnonzero(is_manager | (manager < 0))
    xy[mgr_ids, 0] = left[mgr_ids] + width[mgr_ids] / 2.0
    xy[mgr_ids, 1] = -level[mgr_ids] * LEVEL_DY
    # front-line blocks after the manager children
    lf = np.flatnonzero(leaf)
    rank, _, _ = _group_rank(manager[lf])
    boss = manager[lf]
    c = np.maximum(cols[boss], 1)
    block_left = left[boss] + np.where(has_mkids[boss], kids_w[boss], 0.0)
    xy[lf, 0] = block_left + (rank % c) + 0.5
    xy[lf, 1] = -(level[boss] + 1) * LEVEL_DY - (rank // c) * ROW_DY + LEVEL_DY * 0.35
    # managers with only a block: centre exactly above the block
    only_block = is_manager & ~has_mkids & (n_leaf > 0)
    xy[only_block, 0] = left[only_block] + block_w[only_block] / 2.0
    return xy


def circles_layout(manager: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Nested rings: each position's reports on a ring around it, radii fitted bottom-up per level.

    Args:
        manager: (n,) primary manager (lead link), -1 for the anchor circle's lead link.
        level: (n,) depth below the anchor.

    Returns:
        (n, 2) positions centred on the anchor.
    """
    n = manager.shape[0]
    xy = np.zeros((n, 2))
    if n == 1:
        return xy
    depth = int(level.max())
    kids = np.bincount(manager[manager >= 0], minlength=n)
    extent = np.zeros(n)  # radius of the disc a position's subtree occupies
    ring = np.zeros(depth + 1)  # ring radius of the children of positions at each level
    for lv in range(depth - 1, -1, -1):
        par = np.flatnonzero((level == lv) & (kids > 0))
        if par.size == 0:
            continue
        child_ext = float(extent[level == lv + 1].max())
        k = int(kids[par].max())
        spacing = 2.0 * child_ext + 1.2  # centre-to-centre distance of neighbours on the ring
        r = spacing / (2.0 * np.sin(np.pi / k)) if k > 1 else spacing
        ring[lv] = max(r, child_ext + 1.0)
        extent[par] = ring[lv] + child_ext
    for lv in range(1, depth + 1):
        sel = np.flatnonzero(level == lv)
        par = manager[sel]
        rank, _, size = _group_rank(par)
        phase = 0.5 * np.pi + (0.3 if lv % 2 == 0 else 0.0)
        ang = phase + 2.0 * np.pi * rank / np.maximum(size, 1)
        xy[sel, 0] = xy[par, 0] + ring[lv - 1] * np.cos(ang)
        xy[sel, 1] = xy[par, 1] + ring[lv - 1] * np.sin(ang)
    return xy


def customer_ring(
    handler: np.ndarray, emp_unit: np.ndarray, unit_names: tuple[str, ...], rings: int = 14
) -> tuple[np.ndarray, tuple[tuple[str, float], ...]]:
    """Customer slots on an annulus, in wedges by the unit of the person who serves them.

    Args:
        handler: (capacity,) service handler of each customer slot.
        emp_unit: (n,) unit of each employee.
        unit_names: names of the units.
        rings: concentric rings in the annulus.

    Returns:
        (capacity, 2) positions in [-1, 1]^2 and the (label, angle) of each wedge's middle when
        there are at most eight units (else no labels).
    """
    cap = handler.shape[0]
    unit = emp_unit[handler]
    order = np.lexsort((np.arange(cap), handler, unit))
    rank = np.empty(cap, dtype=np.int64)
    rank[order] = np.arange(cap)
    per_ring = int(np.ceil(cap / rings))
    col, row = rank // rings, rank % rings
    ang = 0.5 * np.pi - 2.0 * np.pi * col / per_ring
    rad = 0.55 + 0.42 * row / max(rings - 1, 1)
    xy = np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=1)
    wedges: list[tuple[str, float]] = []
    present = np.unique(unit)
    if 2 <= present.size <= 8:
        for u in present:
            mid = float(np.median(col[unit == u]))
            wedges.append((unit_names[int(u)], 0.5 * np.pi - 2.0 * np.pi * mid / per_ring))
    return xy, tuple(wedges)


def _segments(xy: np.ndarray, child: np.ndarray, parent: np.ndarray) -> np.ndarray:
    return np.stack([xy[parent], xy[child]], axis=1)


def build_layout(structure: OrgStructure, handler: np.ndarray) -> OrgLayout:
    """The layout for a structure (dispatching on its kind) and its customers.

    Args:
        structure: the organisation's structure.
        handler: (capacity,) service handler per customer slot (``state.cust.handler``).

    Returns:
        An ``OrgLayout``.
    """
    mgr, lvl, role = structure.manager, structure.level, structure.role
    is_mgr = (role == MANAGER) | (role == EXECUTIVE)
    n = mgr.shape[0]
    below = np.flatnonzero(mgr >= 0)
    boxes: list[tuple[str, float, float, float, float, bool]] = []
    if structure.name == "self_organised":
        kind = "circles"
        xy = circles_layout(mgr, lvl)
        edges = _segments(xy, below, mgr[below])
    else:
        kind = "tree"
        xy = tree_layout(mgr, lvl, is_mgr)
        # front-line reports: one line from the boss to the top of its block
        to_mgr = below[is_mgr[below]]
        edges = _segments(xy, to_mgr, mgr[to_mgr])
        leaf = below[~is_mgr[below]]
        if leaf.size:
            boss = np.unique(mgr[leaf])
            top_row = np.full(n, -np.inf)
            np.maximum.at(top_row, mgr[leaf], xy[leaf, 1])
            tips = np.stack([xy[boss, 0], top_row[boss] + 0.6], axis=1)
            edges = np.concatenate([edges, np.stack([xy[boss], tips], axis=1)])
        top = int(np.flatnonzero(mgr < 0)[0])
        heads = np.flatnonzero(mgr == top)
        # group each top-level subtree by its head; label with the most common unit name
        anc = structure.ancestors()
        head_of = np.where(lvl >= 1, anc[np.arange(n), np.maximum(lvl - 2, 0)], -1)
        head_of = np.where(lvl == 1, np.arange(n), head_of)
        shaded = structure.name == "functional_silos"
        for h in heads:
            members = np.flatnonzero(head_of == h)
            if members.size < 2:
                continue
            x0, x1 = xy[members, 0].min() - 0.8, xy[members, 0].max() + 0.8
            y0, y1 = xy[members, 1].min() - 0.8, xy[members, 1].max() + 1.2
            units = np.bincount(structure.unit[members])
            label = structure.unit_names[int(np.argmax(units))]
            boxes.append((label, x0, y0, x1 - x0, y1 - y0, shaded))
    sm = structure.second_manager
    has2 = np.flatnonzero(sm >= 0)
    second = _segments(xy, has2, sm[has2]) if has2.size else np.zeros((0, 2, 2))
    cust_xy, wedges = customer_ring(handler, structure.unit, structure.unit_names)
    return OrgLayout(kind, xy, edges, second, tuple(boxes), cust_xy, wedges)


def _legend_handles() -> list[Line2D]:
    """The one legend under the view, in column order (four columns of two rows)."""

    def h(marker: str, face: object, edge: object, label: str, size: float = 9) -> Line2D:
        return Line2D(
            [], [], ls="", marker=marker, ms=size, mfc=face, mec=edge, label=label, mew=1.2
        )

    return [
        h("o", USAGE_CMAP(0.0), RIM, "no CRM use"),
        h("o", USAGE_CMAP(1.0), RIM, "all in CRM"),
        h("s", QUEUE_CMAP(0.5), RIM, "decisions this week"),
        h("s", QUEUE_CMAP(1.0), OVERLOAD_RED, "a week's work / backlog"),
        h("o", SATISFACTION_CMAP(0.9), "none", "happy", 8),
        h("o", SATISFACTION_CMAP(0.1), "none", "angry", 8),
        h("o", COMPLAINED_GREY, "none", "left, complained", 8),
        h("o", SILENT_CHURN, "none", "left silently", 10),
    ]


def wedge_label_place(ang: float, radius: float = 1.08) -> tuple[float, float, str, str]:
    """Where a customer wedge's label goes: just outside the ring, anchored away from it.

    A label on the right of the ring starts at its anchor and runs outwards, one on the left ends
    at it, one at the top or bottom is centred: no label reaches back over the ring, and the
    customer panel's limits (``CUST_XLIM``) leave room for the longest unit name.
    """
    x, y = radius * np.cos(ang), radius * np.sin(ang)
    ha = "left" if x > 0.35 else "right" if x < -0.35 else "center"
    va = "bottom" if y > 0.35 else "top" if y < -0.35 else "center"
    return float(x), float(y), ha, va


#: Customer panel limits: the ring has radius 1; the rest is room for the wedge labels.
CUST_XLIM = 2.0
CUST_YLIM = 1.35
#: Legend text in points: 12.6 pt is 14 px at the view's 80 dpi (the page never shows the picture
#: smaller than its own width at 1500 px and wider windows).
LEGEND_PT = 12.6


class OrgView(BlitFigure):
    """A persistent figure of one organisation; ``update(model)`` restyles it for the week.

    Args:
        structure: the organisation's structure.
        handler: (capacity,) customer handlers (``model.state.cust.handler``).
        title: title over the org panel.
        size: figure size in inches (width, height).
        dpi: resolution of the PNG.
        font: scale of every text (the presenter view uses larger text).
    """

    def __init__(
        self,
        structure: OrgStructure,
        handler: np.ndarray,
        title: str = "",
        size: tuple[float, float] = (11.0, 4.6),
        dpi: int = 80,
        font: float = 1.0,
    ) -> None:
        self._args = (structure, handler)
        self.size, self.font = size, font
        self.layout = lay = build_layout(structure, handler)
        fig = self._init_figure(size, dpi)
        f = font
        legend_rows = 2
        bottom = min(0.34, (legend_rows * 1.45 * LEGEND_PT / 72.0 + 0.06) / size[1])
        fig.subplots_adjust(left=0.005, right=0.995, top=0.9, bottom=bottom, wspace=0.02)
        gs = fig.add_gridspec(1, 2, width_ratios=[2.3, 1.4])
        ax = self.ax_org = fig.add_subplot(gs[0])
        axc = self.ax_cust = fig.add_subplot(gs[1])
        for a in (ax, axc):
            a.set_axis_off()
        self.title = ax.set_title(title, loc="left", fontsize=12 * f, fontweight="bold")
        self._title_pt = 12 * f
        self._fit_title()
        for label, x0, y0, w, h, shaded in lay.boxes:
            if shaded:
                ax.add_patch(
                    Rectangle((x0, y0), w, h, fc="#f3efe4", ec="#b8a97a", lw=1.0, zorder=0)
                )
            ax.text(
                x0 + w / 2, y0 + h, label, ha="center", va="bottom", fontsize=10 * f,
                color="#333",
            )  # fmt: skip
        if lay.second_edges.shape[0]:
            ax.add_collection(
                LineCollection(lay.second_edges, colors="#9e9ac8", lw=0.3, alpha=0.12, zorder=1)
            )
        ax.add_collection(LineCollection(lay.edges, colors="#b0b0b0", lw=0.6, zorder=1))
        n = lay.xy.shape[0]
        role = structure.role
        self.is_mgr = (role == MANAGER) | (role == EXECUTIVE)
        self.mgr_idx = np.flatnonzero(self.is_mgr)
        self.staff_idx = np.flatnonzero(~self.is_mgr)
        big = n > 600
        self.base_staff = (9.0 if not big else 3.0) * font**2
        self.base_mgr = (26.0 if not big else 9.0) * font**2
        self.sc_staff = ax.scatter(
            lay.xy[self.staff_idx, 0], lay.xy[self.staff_idx, 1], s=self.base_staff,
            marker="o", linewidths=0.4, edgecolors=[RIM], zorder=3,
        )  # fmt: skip
        self.sc_mgr = ax.scatter(
            lay.xy[self.mgr_idx, 0], lay.xy[self.mgr_idx, 1], s=self.base_mgr,
            marker="s", linewidths=1.0, zorder=4,
        )  # fmt: skip
        pad = 1.5
        ax.set_xlim(lay.xy[:, 0].min() - pad, lay.xy[:, 0].max() + pad)
        y_hi = lay.xy[:, 1].max() + (2.5 if lay.kind == "tree" else pad)
        ax.set_ylim(lay.xy[:, 1].min() - pad, y_hi)
        if lay.kind == "circles":
            ax.set_aspect("equal", adjustable="datalim")
        fig.legend(
            handles=_legend_handles(), loc="lower center", bbox_to_anchor=(0.5, 0.0),
            ncol=4, fontsize=LEGEND_PT, frameon=False, handletextpad=0.2,
            columnspacing=0.7, borderaxespad=0.2,
        )  # fmt: skip
        # customers
        self.sc_cust = axc.scatter(
            lay.cust_xy[:, 0], lay.cust_xy[:, 1], s=4.0, marker="o", linewidths=0
        )
        axc.set_xlim(-CUST_XLIM, CUST_XLIM)
        axc.set_ylim(-CUST_YLIM, CUST_YLIM)
        axc.set_aspect("equal")
        self.cust_title = axc.set_title("Customers", fontsize=11 * f)
        self.wedge_texts = []
        for label, ang in lay.wedges:
            x, y, ha, va = wedge_label_place(ang)
            self.wedge_texts.append(
                axc.text(x, y, label, ha=ha, va=va, fontsize=LEGEND_PT, color="#333")
            )
        self._fit_wedge_labels()
        self.sc_cust.set_visible(False)  # painted by overlay() in the fast path
        self._cust_px = np.zeros(lay.cust_xy.shape[0], dtype=np.uint32)  # RGBA as one word
        self._cust_show = np.zeros(lay.cust_xy.shape[0], dtype=bool)
        self._live([self.sc_staff, self.sc_mgr, self.sc_cust])

    def _fit_wedge_labels(self) -> None:
        """Widen the customer panel's limits until every wedge label lies inside the figure.

        The labels' extents are measured with the figure's own renderer (the text's real size at
        this font and dpi), so no label is clipped whatever the size of the picture.
        """
        if not self.wedge_texts:
            return
        axc, fig = self.ax_cust, self.fig
        lim = CUST_XLIM
        for _ in range(8):
            renderer = self.canvas.get_renderer()
            fb = fig.bbox
            inside = all(
                t.get_window_extent(renderer).x0 >= fb.x0 + 1
                and t.get_window_extent(renderer).x1 <= fb.x1 - 1
                and t.get_window_extent(renderer).y0 >= fb.y0 + 1
                and t.get_window_extent(renderer).y1 <= fb.y1 - 1
                for t in self.wedge_texts
            )
            if inside:
                return
            lim *= 1.15
            axc.set_xlim(-lim, lim)
            axc.set_ylim(-lim * CUST_YLIM / CUST_XLIM, lim * CUST_YLIM / CUST_XLIM)

    def _fit_title(self) -> None:
        """Shrink the title's type (to 60 % at most) until it fits the picture's width: a design
        named by its changes can be longer than the org view is wide."""
        t = self.title
        t.set_fontsize(self._title_pt)
        renderer = self.canvas.get_renderer()
        room = self.fig.bbox.x1 - t.get_window_extent(renderer).x0 - 4
        wide = t.get_window_extent(renderer).width
        if wide > room > 0:
            t.set_fontsize(max(self._title_pt * room / wide, 0.6 * self._title_pt))

    def resize(self, size: tuple[float, float], font: float = 1.0) -> bool:
        """Redraw at another size and text scale (the presenter view); returns whether it did."""
        if (tuple(size), font) == (tuple(self.size), self.font):
            return False
        title = self.title.get_text()
        self.__init__(*self._args, title=title, size=size, dpi=self.dpi, font=font)  # type: ignore[misc]
        return True

    def update(self, model: object, title: str | None = None) -> None:
        """Restyle employees and customers from the model's current arrays.

        Args:
            model: an ``OrgModel`` (read: ``state.emp``, ``state.cust``, ``last_week``,
                ``scenario``).
            title: new panel title (optional).
        """
        st = model.state  # type: ignore[attr-defined]
        e, c = st.emp, st.cust
        if title is not None and title != self.title.get_text():
            self.title.set_text(title)
            self._fit_title()
            self.invalidate()
        usage = np.where(e.filled, e.usage, 0.0)
        face = USAGE_CMAP(usage)
        face[~e.filled] = (1.0, 1.0, 1.0, 1.0)
        s_idx, m_idx = self.staff_idx, self.mgr_idx
        self.sc_staff.set_facecolor(face[s_idx])
        wl = np.clip(np.nan_to_num(e.workload[s_idx], nan=1.0), 0.0, 3.0)
        self.sc_staff.set_sizes(self.base_staff * (0.5 + wl) ** 2 / 1.5)
        load, backlog = desk_load(model)
        desk = load[m_idx]
        carried = backlog[m_idx] > 1e-9
        fill = QUEUE_CMAP(np.clip(desk, 0.0, 1.0))
        fill[~e.filled[m_idx]] = (1.0, 1.0, 1.0, 1.0)
        self.sc_mgr.set_facecolor(fill)
        self.sc_mgr.set_edgecolor(np.where(carried[:, None], OVERLOAD_RED, RIM))
        self.sc_mgr.set_linewidths(np.where(carried, 2.5, 0.8))
        self.sc_mgr.set_sizes(self.base_mgr * (0.6 + 2.4 * np.sqrt(np.clip(desk, 0.0, 4.0))))
        # customers
        sat = np.clip(c.satisfaction, 0.0, 1.0)
        cf = SATISFACTION_CMAP(sat)
        gone = c.exists & ~c.active
        cf[gone & c.complained] = COMPLAINED_GREY
        silent = gone & ~c.complained
        cf[silent] = SILENT_CHURN
        cf[~c.exists, 3] = 0.0
        self.sc_cust.set_facecolor(cf)
        rgba = (cf * 255).astype(np.uint8)
        rgba[:, 3] = 255  # painted opaque (hidden customers are not painted at all)
        self._cust_px = np.ascontiguousarray(rgba).view(np.uint32)[:, 0]
        self._cust_show = c.exists.copy()

    def _export_only(self) -> list:
        return [self.sc_cust]

    def overlay(self, rgba: np.ndarray) -> None:
        """Paint the customers as small discs straight into the pixels (3,000 in about 0.2 ms).

        Silent churners keep the others' size and order (not painted on top), so that the ring's
        share of purple is their share of the book.
        """
        show = self._cust_show
        if not show.any():
            return
        h, w = rgba.shape[:2]
        scale = self.dpi / 80.0
        r = max(1, int(round(1.2 * scale)))
        disp = self.ax_cust.transData.transform(self.layout.cust_xy)
        px = np.round(disp[:, 0]).astype(np.int64)
        py = np.round(h - disp[:, 1]).astype(np.int64)
        # the customers do not move: their discs' pixels are worked out once, and a frame
        # writes them as whole 32-bit pixels in one assignment (a fifth of the time of
        # painting one RGB offset at a time)
        cached = getattr(self, "_discs", None)
        if (
            cached is None
            or cached[0] != (h, w, r)
            or not np.array_equal(cached[1], px)
            or not np.array_equal(cached[2], py)
        ):
            rows, cols, owner = disc_pixels(px, py, r, h, w)
            cached = self._discs = ((h, w, r), px, py, rows * w + cols, owner)
        flat, owner = cached[3], cached[4]
        keep = show[owner]
        rgba.reshape(-1, 4).view(np.uint32)[flat[keep], 0] = self._cust_px[owner[keep]]


def desk_load(model: object) -> tuple[np.ndarray, np.ndarray]:
    """Each position's escalations this week in weeks of its capacity, and its carried backlog.

    Returns:
        ``(arrivals / capacity, backlog)`` per position: the decisions that reached the desk this
        week against the decisions it clears in a planned week (``last_week.decisions``; zero
        before the first week and where a position clears none), and the decisions it carries
        into next week (``state.emp.backlog``).
    """
    e = model.state.emp  # type: ignore[attr-defined]
    week = getattr(model, "last_week", None)
    dec = getattr(week, "decisions", None)
    n = e.backlog.shape[0]
    if dec is None or getattr(dec, "arrivals", None) is None:
        return np.zeros(n), np.asarray(e.backlog, dtype=float)
    cap = np.asarray(dec.capacity, dtype=float)
    load = np.divide(dec.arrivals, cap, out=np.zeros(n), where=cap > 0)
    return load, np.asarray(e.backlog, dtype=float)


def disc_pixels(
    px: np.ndarray, py: np.ndarray, r: int, h: int, w: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixels of filled discs of radius ``r`` at (px, py) in an ``h`` x ``w`` picture.

    Returns:
        ``(rows, cols, owner)``: every disc pixel inside the picture (rows top-down) and the
        index of the disc it belongs to, in painting order: offset by offset, and within an
        offset disc by disc, so that where discs overlap the later one is on top (what painting
        ``rgb[rows, cols] = colour[owner]`` in one assignment gives).
    """
    rows, cols, owner = [], [], []
    idx = np.arange(px.shape[0])
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dx * dx + dy * dy > r * r + 1:
                continue
            x, y = px + dx, py + dy
            ok = (x >= 0) & (x < w) & (y >= 0) & (y < h)
            rows.append(y[ok])
            cols.append(x[ok])
            owner.append(idx[ok])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(owner)
