"""``OrgStructure``: what every structure generator (and the org-chart importer) returns.

Structure changes decision paths and who talks to whom, which is why the model treats it as a
first-class input (model brief): the reporting lines decide how far an issue travels before
someone may decide it, and the collaboration ties decide whether sales hears what service knows.

A structure is two graphs over integer ids 0..n-1 (Mesa's network drawer needs integer ids): the
reporting lines (a DiGraph, manager -> report) and the collaboration ties (an undirected Graph),
plus per-position arrays that the model reads in bulk. The arrays (including the tie list) are the
truth; the networkx graphs are built from them the first time someone asks, because building
them is most of the cost of a 100,000-person structure and the model itself never needs them.
The module also holds the vectorised building blocks the generators share (balanced trees, team
cliques, bulk random ties, function assignment), so that every generator stays near-linear in the
number of people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np

EXECUTIVE = 0
MANAGER = 1
SALES = 2
SERVICE = 3
MARKETING = 4
#: Staff outside the customer-facing roles (finance, engineering, HR, ...), from an imported
#: chart: they count for headcount, salary cost and reporting lines, but hold no accounts, take
#: no issues, are not CRM users, are tied only to their manager and do not quit (docs/ODD.md 8.J).
OTHER = 5
ROLE_NAMES = ("executive", "manager", "sales", "service", "marketing", "other")
FRONT_LINE = (SALES, SERVICE, MARKETING)
#: Roles that lead people (the only ones that may have reports).
LEADERS = (EXECUTIVE, MANAGER)

#: Front-line role codes in ``role_mix`` order (sales, service, marketing).
FUNCTIONS = np.array(FRONT_LINE, dtype=np.int8)
#: Within-team degree cap: teams up to ``TEAM_DEGREE + 1`` people are cliques.
TEAM_DEGREE = 10

_NO_EDGES = np.zeros((0, 2), dtype=np.int64)


def levels_from_managers(manager: np.ndarray) -> np.ndarray:
    """Depth of each position below the top (0 at the top), by pointer doubling.

    Each round replaces every pointer by its pointer's pointer, so a tree of depth D takes
    ``log2(D) + 1`` vectorised rounds whatever its shape (an imported chart may be a long chain).

    Args:
        manager: (n,) primary manager of each position, -1 at the top.

    Returns:
        (n,) int64 levels.

    Raises:
        ValueError: if a manager id is out of range or the reporting lines contain a cycle.
    """
    manager = np.asarray(manager, dtype=np.int64)
    n = manager.shape[0]
    if n and ((manager < -1) | (manager >= n)).any():
        raise ValueError(f"manager ids must be -1 or in 0..{n - 1}")
    level = (manager >= 0).astype(np.int64)
    anc = manager.copy()
    # invariant: anc[i] is the ancestor level[i] hops above i, or -1 once the top is reached
    for _ in range(max(n, 1).bit_length() + 1):
        live = np.flatnonzero(anc >= 0)
        if live.shape[0] == 0:
            return level
        up = anc[live]
        level[live] += level[up]
        anc[live] = anc[up]
    raise ValueError("reporting lines contain a cycle")


def _single_root(manager: np.ndarray) -> np.ndarray:
    """The top position(s); raises unless there is exactly one."""
    roots = np.flatnonzero(manager < 0)
    if roots.shape[0] != 1:
        raise ValueError(
            "primary reporting lines must form one tree with exactly one top position; "
            f"found {roots.shape[0]} positions without a manager"
        )
    return roots


def _readonly(a: np.ndarray) -> np.ndarray:
    # the same structure is shared by a run and its counterfactual twin: freeze the arrays
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class OrgStructure:
    """An organisation's positions, reporting lines and collaboration ties.

    Build it with :meth:`from_arrays` (every generator and the org-chart importer do), which
    derives levels and graphs and validates. The arrays are read-only.

    Attributes:
        name: structure kind, e.g. ``"hierarchical"``.
        manager: (n,) primary line manager, -1 for the top.
        second_manager: (n,) second reporting line (matrix), -1 where there is none.
        unit: (n,) index into ``unit_names``.
        unit_names: names of the units (regions, functions or circles).
        role: (n,) int8 role codes (``EXECUTIVE`` ... ``MARKETING``, ``OTHER``).
        level: (n,) 0 at the top, +1 per primary reporting hop.
        authority: (n,) base decision authority in [0, 1]: the largest issue severity the
            position may decide alone, before the culture dial is applied.
        ties: (m, 2) collaboration ties as sorted (low, high) id pairs, each once.

    The graphs ``reporting`` (manager -> report DiGraph over ids 0..n-1, node attributes
    ``role``, ``unit``, ``level``; edge attribute ``line`` is ``"primary"`` or (matrix)
    ``"secondary"``) and ``collaboration`` (undirected ties) are built from the arrays when first
    read.
    """

    name: str
    manager: np.ndarray = field(repr=False)
    second_manager: np.ndarray = field(repr=False)
    unit: np.ndarray = field(repr=False)
    unit_names: tuple[str, ...] = field(repr=False)
    role: np.ndarray = field(repr=False)
    level: np.ndarray = field(repr=False)
    authority: np.ndarray = field(repr=False)
    ties: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        depth = int(self.level.max()) if self.n else 0
        return (
            f"OrgStructure(name={self.name!r}, n={self.n}, units={len(self.unit_names)}, "
            f"depth={depth}, ties={self.ties.shape[0]})"
        )

    @cached_property
    def reporting(self) -> nx.DiGraph:
        """Manager -> report DiGraph; node attributes role, unit, level; edge attribute line."""
        n = self.n
        rep = nx.DiGraph()
        rep.add_nodes_from(
            (i, {"role": r, "unit": u, "level": lv})
            for i, r, u, lv in zip(
                range(n), self.role.tolist(), self.unit.tolist(), self.level.tolist()
            )
        )
        has1 = np.flatnonzero(self.manager >= 0)
        has2 = np.flatnonzero(self.second_manager >= 0)
        rep.add_edges_from(zip(self.manager[has1].tolist(), has1.tolist()), line="primary")
        rep.add_edges_from(zip(self.second_manager[has2].tolist(), has2.tolist()), line="secondary")
        return rep

    @cached_property
    def collaboration(self) -> nx.Graph:
        """Undirected collaboration ties (who talks to whom), from :attr:`ties`."""
        col = nx.Graph()
        col.add_nodes_from(range(self.n))
        col.add_edges_from(self.ties.tolist())
        return col

    @property
    def n(self) -> int:
        """Number of people (positions)."""
        return int(self.manager.shape[0])

    def front_line_mask(self) -> np.ndarray:
        """(n,) True for sales, service and marketing positions."""
        return np.isin(self.role, FRONT_LINE)

    def span(self) -> np.ndarray:
        """(n,) number of direct primary reports of each position."""
        return np.bincount(self.manager[self.manager >= 0], minlength=self.n)

    def ancestors(self, max_depth: int | None = None) -> np.ndarray:
        """Primary-line ancestors, one column per hop up.

        Args:
            max_depth: keep at most this many hops (default: the full depth).

        Returns:
            (n, D) int64: column k is the (k+1)-th primary ancestor, -1 past the top.
            ``D = max(level)`` or ``min(max(level), max_depth)``.
        """
        depth = int(self.level.max()) if self.n else 0
        if max_depth is not None:
            if max_depth < 0:
                raise ValueError(f"max_depth must be >= 0 (got {max_depth})")
            depth = min(depth, max_depth)
        out = np.full((self.n, depth), -1, dtype=np.int64)
        cur = self.manager.copy()
        # one vectorised hop per column: O(n * depth), which is the size of the output
        for k in range(depth):
            out[:, k] = cur
            cur = np.where(cur >= 0, self.manager[np.maximum(cur, 0)], -1)
        return out

    def cross_unit_tie_share(self) -> float:
        """Share of collaboration ties that join people in different units (0 if no ties)."""
        e = self.ties
        if e.shape[0] == 0:
            return 0.0
        return float((self.unit[e[:, 0]] != self.unit[e[:, 1]]).mean())

    def validate(self) -> None:
        """Check the structure's invariants.

        Raises:
            ValueError: naming the first invariant that is broken.
        """
        n = self.n
        if n < 1:
            raise ValueError("a structure needs at least one position")
        for name in ("manager", "second_manager", "unit", "role", "level", "authority"):
            shape = getattr(self, name).shape
            if shape != (n,):
                raise ValueError(f"{name} has shape {shape}, expected ({n},)")
        ids = np.arange(n)
        if (self.manager == ids).any():
            raise ValueError("a position cannot be its own manager")
        roots = _single_root(self.manager)
        level = levels_from_managers(self.manager)  # raises on a cycle or out-of-range id
        if not np.array_equal(level, self.level):
            bad = int(np.flatnonzero(level != self.level)[0])
            raise ValueError(
                f"level of position {bad} is {self.level[bad]}, but it is {level[bad]} hops "
                "below the top"
            )
        if ((self.role < EXECUTIVE) | (self.role > OTHER)).any():
            raise ValueError(f"role codes must be in 0..{OTHER} ({', '.join(ROLE_NAMES)})")
        top = int(roots[0])
        if self.role[top] != EXECUTIVE or (self.role == EXECUTIVE).sum() != 1:
            raise ValueError("exactly one EXECUTIVE, the top position (level 0), is required")
        sm = self.second_manager
        if ((sm < -1) | (sm >= n)).any():
            raise ValueError(f"second_manager ids must be -1 or in 0..{n - 1}")
        if ((sm == ids) | ((sm >= 0) & (sm == self.manager))).any():
            raise ValueError("a second reporting line must differ from the person and the first")
        primary_reports = self.span()
        any_reports = primary_reports + np.bincount(sm[sm >= 0], minlength=n)
        front = ~np.isin(self.role, LEADERS)  # front line and other staff
        if (front & (any_reports > 0)).any():
            bad = int(np.flatnonzero(front & (any_reports > 0))[0])
            raise ValueError(
                f"front-line position {bad} ({ROLE_NAMES[self.role[bad]]}) has reports; anyone "
                "with reports must be EXECUTIVE or MANAGER"
            )
        idle = (self.role == MANAGER) & (any_reports == 0)
        if idle.any():
            raise ValueError(f"MANAGER position {int(np.flatnonzero(idle)[0])} has no reports")
        a = self.authority
        if not np.isfinite(a).all() or ((a < 0) | (a > 1)).any():
            raise ValueError("authority must lie in [0, 1]")
        if n and (self.unit.min() < 0 or self.unit.max() >= len(self.unit_names)):
            raise ValueError(f"unit indices must be in 0..{len(self.unit_names) - 1}")
        t = self.ties
        if t.ndim != 2 or t.shape[1] != 2:
            raise ValueError(f"ties has shape {t.shape}, expected (m, 2)")
        if t.shape[0]:
            if t.min() < 0 or t.max() >= n:
                raise ValueError(f"collaboration tie ids must be in 0..{n - 1}")
            if (t[:, 0] >= t[:, 1]).any():
                raise ValueError("ties must be (low, high) pairs without self-loops")
            if not np.array_equal(unique_edges(t), t):
                raise ValueError("ties must be sorted and listed once (see unique_edges)")

    @classmethod
    def from_arrays(
        cls,
        name: str,
        manager: Sequence[int] | np.ndarray,
        role: Sequence[int] | Sequence[str] | np.ndarray,
        unit: Sequence[int] | np.ndarray,
        unit_names: Sequence[str],
        authority: Sequence[float] | np.ndarray | None = None,
        second_manager: Sequence[int] | np.ndarray | None = None,
        collaboration_edges: np.ndarray | Sequence[tuple[int, int]] | None = None,
    ) -> OrgStructure:
        """Build and validate a structure from per-position arrays.

        Levels are derived from ``manager``; the reporting graph gets one ``line="primary"`` edge
        per manager and one ``line="secondary"`` edge per second line; the collaboration graph
        gets ``collaboration_edges`` (self-loops and duplicates dropped) plus a tie between every
        person and each of their managers (managers talk to their reports).

        Args:
            name: structure kind.
            manager: (n,) primary manager ids, -1 for the single top position.
            role: (n,) role codes, or role names from ``ROLE_NAMES``.
            unit: (n,) unit indices into ``unit_names``.
            unit_names: names of the units.
            authority: (n,) base decision authority; default: the top 1.0, managers
                ``1 - level / max_level`` (kept above 0), front line 0.0.
            second_manager: (n,) second reporting line ids, -1 where none (default: none).
            collaboration_edges: (m, 2) collaboration ties.

        Returns:
            A validated ``OrgStructure``.

        Raises:
            ValueError: if the arrays break an invariant (see :meth:`validate`).
        """
        manager = np.array(manager, dtype=np.int64).reshape(-1)
        n = manager.shape[0]
        role_in = np.asarray(role)
        if role_in.dtype.kind in "US":
            lookup = {r: i for i, r in enumerate(ROLE_NAMES)}
            unknown = set(role_in.tolist()) - set(lookup)
            if unknown:
                raise ValueError(f"unknown role names {sorted(unknown)}; use {ROLE_NAMES}")
            role_in = np.array([lookup[r] for r in role_in.tolist()])
        role_arr = role_in.astype(np.int8).reshape(-1)
        unit_arr = np.array(unit, dtype=np.int64).reshape(-1)
        if role_arr.shape != (n,) or unit_arr.shape != (n,):
            raise ValueError(f"role and unit must have length {n} like manager")
        _single_root(manager)
        level = levels_from_managers(manager)
        sm = (
            np.full(n, -1, dtype=np.int64)
            if second_manager is None
            else np.array(second_manager, dtype=np.int64).reshape(-1)
        )
        if sm.shape != (n,):
            raise ValueError(f"second_manager must have length {n} like manager")
        if authority is None:
            authority_arr = default_authority(level, role_arr)
        else:
            authority_arr = np.array(authority, dtype=np.float64).reshape(-1)

        has1 = np.flatnonzero(manager >= 0)
        has2 = np.flatnonzero(sm >= 0)
        lines = np.concatenate(
            [np.stack([manager[has1], has1], axis=1), np.stack([sm[has2], has2], axis=1)]
        )
        if collaboration_edges is not None and len(collaboration_edges):
            extra = np.asarray(collaboration_edges, dtype=np.int64).reshape(-1, 2)
            if extra.min() < 0 or extra.max() >= n:
                raise ValueError(f"collaboration edge ids must be in 0..{n - 1}")
            lines = np.concatenate([lines, extra])

        s = cls(
            name=name,
            manager=_readonly(manager),
            second_manager=_readonly(sm),
            unit=_readonly(unit_arr),
            unit_names=tuple(unit_names),
            role=_readonly(role_arr),
            level=_readonly(level),
            authority=_readonly(authority_arr),
            ties=_readonly(unique_edges(lines).copy()),
        )
        s.validate()
        return s


def default_authority(level: np.ndarray, role: np.ndarray) -> np.ndarray:
    """Hierarchical base authority: 1 at the top, falling with level, 0 at the front line.

    Managers get ``1 - level / max_level``; a manager can only sit at ``max_level`` in an
    imported chart without front line below, so it is floored at ``0.5 / max_level`` to keep
    every manager strictly above the front line (a monotone floor keeps authority
    non-increasing down every line).
    """
    top = max(int(level.max()) if level.shape[0] else 0, 1)
    a = np.maximum(1.0 - level / top, 0.5 / top)
    a = np.where(np.isin(role, (*FRONT_LINE, OTHER)), 0.0, a)
    a[level == 0] = 1.0
    return a.astype(np.float64)


def unique_edges(edges: np.ndarray) -> np.ndarray:
    """Undirected edges as sorted (low, high) pairs, self-loops and duplicates dropped."""
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    e = e[e[:, 0] != e[:, 1]]
    if e.shape[0] == 0:
        return _NO_EDGES
    lo, hi = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
    # one int64 key per pair: a 1-d unique is much faster than np.unique(axis=0)
    width = int(hi.max()) + 1
    key = np.unique(lo * width + hi)
    return np.stack([key // width, key % width], axis=1)


# ---------------------------------------------------------------------------------------------
# Building blocks shared by the generators
# ---------------------------------------------------------------------------------------------


def check_args(
    n_employees: int, span: int, role_mix: Sequence[float], **non_negative: float
) -> np.ndarray:
    """Validate the arguments every generator takes; return the role mix as an array.

    Args:
        n_employees: number of people (>= 2).
        span: span of control (>= 2).
        role_mix: shares of sales, service and marketing (non-negative, summing to 1).
        **non_negative: tie rates and similar keywords that must be finite and >= 0.

    Raises:
        ValueError: with the offending argument named.
    """
    if int(n_employees) != n_employees or n_employees < 2:
        raise ValueError(f"n_employees must be an integer >= 2 (got {n_employees!r})")
    if int(span) != span or span < 2:
        raise ValueError(f"span must be an integer >= 2 (got {span!r})")
    mix = np.asarray(role_mix, dtype=np.float64)
    if (
        mix.shape != (3,)
        or not np.isfinite(mix).all()
        or (mix < 0).any()
        or not np.isclose(mix.sum(), 1.0, rtol=0.0, atol=1e-6)
    ):
        raise ValueError(
            "role_mix must be three non-negative shares (sales, service, marketing) summing to "
            f"1 (got {role_mix!r})"
        )
    for key, value in non_negative.items():
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{key} must be a finite number >= 0 (got {value!r})")
    return mix / mix.sum()


def _layer_sizes(n_front: int, span: int, leaf_span: int) -> list[int]:
    """Layer sizes bottom-up: the front line, its team leads, ... up to a single top."""
    sizes = [n_front]
    width = leaf_span
    while True:
        sizes.append(-(-sizes[-1] // width))
        width = span
        if sizes[-1] == 1:
            return sizes


def tree_size(n_front: int, span: int, leaf_span: int | None = None) -> int:
    """Positions in a balanced tree over ``n_front`` front-line people (managers included)."""
    return sum(_layer_sizes(n_front, span, leaf_span or span))


def balanced_tree(n_total: int, span: int, leaf_span: int | None = None) -> np.ndarray:
    """Manager pointers of a balanced reporting tree of exactly ``n_total`` positions.

    The front line F is the largest for which F plus its managers (ceil(F / leaf_span) team
    leads, ceil(that / span) above, ... up to one top) fits in ``n_total``; the few positions
    left over (fewer than the depth) become extra front-line people in the last teams. Each
    layer is split as evenly as possible, so no team is much smaller than the others.

    Ids run top-down: the top is 0, then each layer in turn, the front line last.

    Args:
        n_total: number of positions (>= 1; a single position is a lone top).
        span: reports per manager above the team leads.
        leaf_span: reports per team lead (default ``span``).

    Returns:
        (n_total,) int64 manager pointers, -1 at the top.
    """
    leaf_span = leaf_span or span
    if n_total == 1:
        return np.array([-1], dtype=np.int64)
    lo, hi = 1, n_total - 1  # tree_size(1) == 2 <= n_total, and tree_size is monotone in F
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tree_size(mid, span, leaf_span) <= n_total:
            lo = mid
        else:
            hi = mid - 1
    sizes = _layer_sizes(lo, span, leaf_span)[::-1]  # top-down
    starts = np.cumsum([0, *sizes])
    parts = [np.array([-1], dtype=np.int64)]
    for k in range(1, len(sizes)):
        # spread the layer evenly over the layer above: child i -> parent i * above // size
        idx = np.arange(sizes[k], dtype=np.int64) * sizes[k - 1] // sizes[k]
        parts.append(starts[k - 1] + idx)
    surplus = n_total - int(starts[-1])
    if surplus:
        leads = np.arange(starts[-3], starts[-2], dtype=np.int64)
        parts.append(leads[::-1][np.arange(surplus) % leads.shape[0]])
    return np.concatenate(parts)


def team_ties(
    members: np.ndarray,
    team: np.ndarray,
    *,
    rng: np.random.Generator,
    max_degree: int = TEAM_DEGREE,
) -> np.ndarray:
    """Dense ties inside teams: a clique for small teams, ``max_degree`` ties each otherwise.

    Members are shuffled within their team. A team of up to ``max_degree + 1`` people becomes a
    clique; a bigger team becomes a ring lattice on the shuffled order in which everyone is tied
    to ``max_degree // 2`` neighbours on each side, which caps the within-team degree as real
    large teams do (nobody works closely with 40 colleagues).

    Args:
        members: (m,) person ids.
        team: (m,) team key of each member.
        rng: random generator.
        max_degree: within-team degree cap.

    Returns:
        (k, 2) int64 edges between member ids.
    """
    m = members.shape[0]
    if m < 2:
        return _NO_EDGES
    order = np.lexsort((rng.random(m), team))
    ids, t = members[order], team[order]
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    sizes = np.diff(np.r_[starts, m])
    block = np.repeat(np.arange(starts.shape[0]), sizes)
    rank = np.arange(m) - starts[block]
    size = sizes[block]
    small = size <= max_degree + 1
    out = [_NO_EDGES]
    for step in range(1, max_degree + 1):
        ok = np.where(small, rank + step < size, step <= max_degree // 2)
        partner = np.where(small, rank + step, (rank + step) % size)
        sel = np.flatnonzero(ok)
        out.append(np.stack([ids[sel], ids[starts[block[sel]] + partner[sel]]], axis=1))
    return np.concatenate(out)


def random_ties(
    per_person: float,
    group: np.ndarray,
    exclude: np.ndarray,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Bulk random ties inside a group and across blocks, about ``per_person`` per person.

    Each tie joins two people of the same ``group`` but different ``exclude`` blocks.
    ``round(per_person * m / 2)`` first endpoints are drawn uniformly; each partner is drawn
    uniformly among the eligible people (same group, other block) by indexing into the sorted
    order and skipping the person's own block, so no draw is wasted. Use a constant ``group``
    for "anyone in another block". Duplicate pairs are dropped, so small groups get a little
    fewer ties than asked.

    Args:
        per_person: mean number of such ties per person.
        group: (m,) int group key (>= 0); ties stay inside a group.
        exclude: (m,) int block key (>= 0); ties never join two people of the same block.
        rng: random generator.

    Returns:
        (k, 2) int64 edges as indices into ``group`` (map them through the member ids).
    """
    m = group.shape[0]
    k = int(round(per_person * m / 2))
    if k == 0 or m < 2:
        return _NO_EDGES
    group = np.asarray(group, dtype=np.int64)
    exclude = np.asarray(exclude, dtype=np.int64)
    key = group * (int(exclude.max()) + 1) + exclude
    order = np.argsort(key, kind="stable")
    skey, sgroup = key[order], group[order]
    a = rng.integers(0, m, k)
    u = rng.random(k)
    g_lo = np.searchsorted(sgroup, group[a], side="left")
    g_hi = np.searchsorted(sgroup, group[a], side="right")
    x_lo = np.searchsorted(skey, key[a], side="left")
    x_hi = np.searchsorted(skey, key[a], side="right")
    eligible = (g_hi - g_lo) - (x_hi - x_lo)
    keep = eligible > 0
    a, u, g_lo, x_lo, x_hi, eligible = (v[keep] for v in (a, u, g_lo, x_lo, x_hi, eligible))
    idx = g_lo + np.minimum((u * eligible).astype(np.int64), eligible - 1)
    idx += np.where(idx >= x_lo, x_hi - x_lo, 0)  # skip over the person's own block
    return unique_edges(np.stack([a, order[idx]], axis=1))


def layered_ties(
    mgr: np.ndarray,
    unit: np.ndarray,
    staff: np.ndarray,
    front: np.ndarray,
    cross_team_ties: float,
    cross_unit_ties: float,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Collaboration ties of a layered organisation (hierarchies, silos, imported charts).

    Args:
        mgr: manager of each position (-1 for the top).
        unit: unit of each position.
        staff: the positions tied to their manager and their peers under that manager
            (:func:`team_ties`; teams and management teams are cliques).
        front: the front-line positions that get the random ties below.
        cross_team_ties: mean random ties per front-line person to other teams of its unit.
        cross_unit_ties: mean random ties per front-line person to other units.
        rng: the random generator; drawn in that order (team ties, cross-team, cross-unit).

    Returns:
        An (E, 2) array of position pairs.
    """
    anyone = np.zeros(front.shape[0], dtype=np.int64)
    return np.concatenate(
        [
            team_ties(staff, mgr[staff], rng=rng),
            front[random_ties(cross_team_ties, unit[front], mgr[front], rng=rng)],
            front[random_ties(cross_unit_ties, anyone, unit[front], rng=rng)],
        ]
    )


def stratified_functions(
    stratum: np.ndarray,
    weight: np.ndarray,
    mix: np.ndarray,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Function index (0 sales, 1 service, 2 marketing) per item, matching ``mix`` per stratum.

    Items (teams or people) are shuffled within their stratum and laid end to end by weight;
    a systematic sample with one random offset per stratum picks each item's function. Every
    stratum's composition is then within one item of ``mix`` (a division of eight teams gets
    all three functions; a circle of eight people gets a mix), and the random offset keeps the
    whole organisation's shares right in expectation.

    Args:
        stratum: (m,) stratum key per item (division, circle, ...).
        weight: (m,) item weights (team sizes, or ones for people).
        mix: (3,) shares.
        rng: random generator.

    Returns:
        (m,) int64 function indices.
    """
    m = stratum.shape[0]
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((rng.random(m), stratum))
    s, w = stratum[order], weight[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    block = np.repeat(np.arange(starts.shape[0]), np.diff(np.r_[starts, m]))
    csum = np.cumsum(w)
    before = csum - w - (csum - w)[starts][block]
    total = np.add.reduceat(w, starts)[block]
    offset = rng.random(starts.shape[0])[block]
    point = (before + offset * w) / total
    func = np.empty(m, dtype=np.int64)
    func[order] = np.minimum(np.searchsorted(np.cumsum(mix), point, side="right"), 2)
    return func


def ensure_functions(func: np.ndarray, mix: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Make sure every function with a positive share has someone, when headcount allows.

    Tiny organisations can miss a function by rounding; the model needs sales and service
    people to own and serve customers. Functions are filled in order (sales, service,
    marketing) by moving one random person from the largest function.

    Args:
        func: (m,) function indices per front-line person.
        mix: (3,) shares.
        rng: random generator.

    Returns:
        (m,) function indices (a copy).
    """
    func = func.copy()
    for f in np.flatnonzero(mix > 0):
        counts = np.bincount(func, minlength=3)
        if counts[f] == 0 and counts.max() >= 2:
            donors = np.flatnonzero(func == int(np.argmax(counts)))
            func[donors[rng.integers(0, donors.shape[0])]] = f
    return func


def roles_from_tree(manager: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Roles implied by a reporting tree: EXECUTIVE at the top, MANAGER with reports.

    Returns:
        (role, front) where ``role`` holds -1 for front-line positions (to be filled with a
        function by the caller) and ``front`` marks them.
    """
    n = manager.shape[0]
    has_reports = np.bincount(manager[manager >= 0], minlength=n) > 0
    role = np.where(has_reports, MANAGER, -1).astype(np.int8)
    role[manager < 0] = EXECUTIVE
    return role, ~has_reports & (manager >= 0)
