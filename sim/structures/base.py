"""``OrgStructure``: what every structure generator (and the org-chart importer) returns.

Structure changes decision paths and who talks to whom, which is the whole point of the model
(model brief). A structure is two graphs over integer ids 0..n-1 (Mesa's network drawer needs
integer ids): the reporting lines (a DiGraph, manager -> report) and the collaboration ties (an
undirected Graph), plus per-position arrays the model reads in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

EXECUTIVE, MANAGER, SALES, SERVICE, MARKETING = 0, 1, 2, 3, 4
ROLE_NAMES = ("executive", "manager", "sales", "service", "marketing")
FRONT_LINE = (SALES, SERVICE, MARKETING)


def levels_from_managers(manager: np.ndarray) -> np.ndarray:
    """Depth of each position (0 at the top), vectorised by pointer jumping.

    Raises:
        ValueError: if the manager pointers contain a cycle.
    """
    n = manager.shape[0]
    level = np.zeros(n, dtype=np.int64)
    cur = manager.copy()
    for _ in range(n + 1):
        alive = cur >= 0
        if not alive.any():
            return level
        level[alive] += 1
        cur[alive] = manager[cur[alive]]
    raise ValueError("reporting lines contain a cycle")


@dataclass(frozen=True)
class OrgStructure:
    """An organisation's positions, reporting lines and collaboration ties."""

    name: str
    reporting: nx.DiGraph
    collaboration: nx.Graph
    manager: np.ndarray
    second_manager: np.ndarray
    unit: np.ndarray
    unit_names: tuple[str, ...]
    role: np.ndarray
    level: np.ndarray
    authority: np.ndarray

    @property
    def n(self) -> int:
        """Number of positions."""
        return int(self.manager.shape[0])

    def front_line_mask(self) -> np.ndarray:
        """True for sales, service and marketing positions."""
        return np.isin(self.role, FRONT_LINE)

    def span(self) -> np.ndarray:
        """Number of direct primary reports of each position."""
        m = self.manager[self.manager >= 0]
        return np.bincount(m, minlength=self.n)

    def ancestors(self, max_depth: int | None = None) -> np.ndarray:
        """(n, D) primary-line ancestors: column k is the (k+1)-th manager up; -1 padded."""
        depth = int(self.level.max()) if self.n else 0
        if max_depth is not None:
            depth = min(depth, max_depth)
        out = np.full((self.n, max(depth, 1)), -1, dtype=np.int64)
        cur = self.manager.copy()
        for k in range(depth):
            out[:, k] = cur
            cur = np.where(cur >= 0, self.manager[np.maximum(cur, 0)], -1)
        return out

    def cross_unit_tie_share(self) -> float:
        """Share of collaboration ties that join different units."""
        if self.collaboration.number_of_edges() == 0:
            return 0.0
        e = np.array(list(self.collaboration.edges()), dtype=np.int64)
        return float((self.unit[e[:, 0]] != self.unit[e[:, 1]]).mean())

    def validate(self) -> None:
        """Check the invariants; raise ValueError naming the first one broken."""
        n = self.n
        for name in ("second_manager", "unit", "role", "level", "authority"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected ({n},)")
        roots = np.flatnonzero(self.manager < 0)
        if roots.shape[0] != 1:
            raise ValueError(f"expected exactly one top position, found {roots.shape[0]}")
        if ((self.manager >= n) | (self.manager < -1)).any():
            raise ValueError("manager ids out of range")
        if not np.array_equal(levels_from_managers(self.manager), self.level):
            raise ValueError("levels do not match the reporting lines")
        has_reports = self.span() > 0
        if (has_reports & self.front_line_mask()).any():
            raise ValueError("front-line positions must not have reports")
        if (~has_reports & ~self.front_line_mask() & (self.role != EXECUTIVE)).any():
            # managers without reports occur only as matrix second-line managers
            sm = set(self.second_manager[self.second_manager >= 0].tolist())
            lonely = np.flatnonzero(~has_reports & ~self.front_line_mask())
            if any(int(i) not in sm for i in lonely if self.role[i] == MANAGER):
                raise ValueError("a manager position has no reports")
        if ((self.authority < 0) | (self.authority > 1)).any():
            raise ValueError("authority must lie in [0, 1]")
        if self.unit.min() < 0 or self.unit.max() >= len(self.unit_names):
            raise ValueError("unit index out of range of unit_names")
        if sorted(self.reporting.nodes) != list(range(n)):
            raise ValueError("reporting graph nodes must be the integers 0..n-1")

    @classmethod
    def from_arrays(
        cls,
        name: str,
        manager: np.ndarray,
        role: np.ndarray,
        unit: np.ndarray,
        unit_names: tuple[str, ...],
        authority: np.ndarray | None = None,
        second_manager: np.ndarray | None = None,
        collaboration_edges: np.ndarray | None = None,
    ) -> OrgStructure:
        """Build and validate a structure from per-position arrays.

        ``authority`` defaults to the hierarchical rule: 1 at the top, ``1 - level / max_level``
        for managers, 0 at the front line.
        """
        manager = np.asarray(manager, dtype=np.int64)
        n = manager.shape[0]
        role = np.asarray(role, dtype=np.int8)
        unit = np.asarray(unit, dtype=np.int64)
        level = levels_from_managers(manager)
        sm = (
            np.full(n, -1, dtype=np.int64)
            if second_manager is None
            else np.asarray(second_manager, dtype=np.int64)
        )
        if authority is None:
            top = max(int(level.max()), 1)
            authority = np.where(np.isin(role, FRONT_LINE), 0.0, 1.0 - level / top)
            authority = np.clip(authority, 0.0, 1.0)
            authority[manager < 0] = 1.0
        ids = np.arange(n)
        rep = nx.DiGraph()
        rep.add_nodes_from(
            (int(i), {"role": int(r), "unit": int(u), "level": int(lv)})
            for i, r, u, lv in zip(ids, role, unit, level)
        )
        has = manager >= 0
        rep.add_edges_from(zip(manager[has].tolist(), ids[has].tolist()), line="primary")
        has2 = sm >= 0
        rep.add_edges_from(zip(sm[has2].tolist(), ids[has2].tolist()), line="secondary")
        col = nx.Graph()
        col.add_nodes_from(range(n))
        if collaboration_edges is not None and len(collaboration_edges):
            e = np.asarray(collaboration_edges, dtype=np.int64).reshape(-1, 2)
            e = e[e[:, 0] != e[:, 1]]
            col.add_edges_from(e.tolist())
        # line ties are collaboration ties too: managers talk to their reports
        col.add_edges_from(zip(manager[has].tolist(), ids[has].tolist()))
        s = cls(
            name=name,
            reporting=rep,
            collaboration=col,
            manager=manager,
            second_manager=sm,
            unit=unit,
            unit_names=tuple(unit_names),
            role=role,
            level=level,
            authority=np.asarray(authority, dtype=float),
        )
        s.validate()
        return s


def check_args(n_employees: int, span: int, role_mix: tuple[float, float, float]) -> np.ndarray:
    """Validate the common generator arguments; return the role mix as an array."""
    if n_employees < 2:
        raise ValueError(f"n_employees must be at least 2 (got {n_employees})")
    if span < 2:
        raise ValueError(f"span must be at least 2 (got {span})")
    mix = np.asarray(role_mix, dtype=float)
    if mix.shape != (3,) or (mix < 0).any() or not np.isclose(mix.sum(), 1.0, atol=1e-6):
        raise ValueError(
            f"role_mix must be three non-negative shares summing to 1 (got {role_mix})"
        )
    return mix


def layered_tree(n_front: int, span: int) -> np.ndarray:
    """Manager pointers of a balanced tree over ``n_front`` leaves (ids 0..n_front-1).

    Leaves are grouped ``span`` at a time under a manager, managers ``span`` at a time, up to a
    single root (the last id, manager -1). There is always at least one manager above the leaves.
    """
    parents: list[tuple[np.ndarray, np.ndarray]] = []
    layer = np.arange(n_front)
    next_id = n_front
    while True:
        k = -(-layer.shape[0] // span)
        bosses = np.arange(next_id, next_id + k)
        parents.append((layer, bosses[np.arange(layer.shape[0]) // span]))
        next_id += k
        layer = bosses
        if k == 1:
            break
    mgr = np.full(next_id, -1, dtype=np.int64)
    for child, parent in parents:
        mgr[child] = parent
    return mgr


def tree_size(n_front: int, span: int) -> int:
    """Nodes in ``layered_tree(n_front, span)``."""
    total, layer = n_front, n_front
    while True:
        layer = -(-layer // span)
        total += layer
        if layer == 1:
            return total


def tree_with_total(n_total: int, span: int) -> np.ndarray:
    """Manager pointers of exactly ``n_total`` nodes: a balanced tree, surplus at the front line.

    The front line is as large as fits; leftover positions join the lowest-level teams in turn.
    Leaves come first (ids 0..F-1 and the surplus at the end). A single node is its own root.
    """
    if n_total == 1:
        return np.array([-1], dtype=np.int64)
    lo, hi = 1, n_total - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tree_size(mid, span) <= n_total:
            lo = mid
        else:
            hi = mid - 1
    mgr = layered_tree(lo, span)
    extra = n_total - mgr.shape[0]
    if extra > 0:
        team_leads = np.unique(mgr[:lo])
        mgr = np.concatenate([mgr, team_leads[np.arange(extra) % team_leads.shape[0]]])
    return mgr


def assign_functions(team: np.ndarray, mix: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Front-line roles for people in ``team`` (team id per person), matching ``mix``.

    Whole teams get one function when there are enough teams for every function with a share;
    otherwise people are assigned individually (largest remainder), so even a tiny organisation
    has sales and service staff.
    """
    n = team.shape[0]
    funcs = np.array([SALES, SERVICE, MARKETING])
    teams, sizes = np.unique(team, return_counts=True)
    needed = int((mix > 0).sum())
    if teams.shape[0] >= 2 * needed:
        order = rng.permutation(teams.shape[0])
        mid = (np.cumsum(sizes[order]) - sizes[order] / 2) / n
        f_of_team = np.empty(teams.shape[0], dtype=np.int64)
        f_of_team[order] = np.minimum(np.searchsorted(np.cumsum(mix), mid), 2)
        if set(np.unique(f_of_team)) >= set(np.flatnonzero(mix > 0)):
            return funcs[f_of_team[np.searchsorted(teams, team)]].astype(np.int8)
    counts = np.floor(mix * n).astype(np.int64)
    rem = n - counts.sum()
    counts[np.argsort(-(mix * n - counts), kind="stable")[:rem]] += 1
    for f in (0, 1):  # at least one sales and one service person when possible
        if counts[f] == 0 and n >= 2:
            counts[f] = 1
            counts[np.argmax(counts)] -= 1
    roles = np.repeat(funcs, counts)
    return rng.permutation(roles).astype(np.int8)


def random_ties(
    groups: np.ndarray, per_person: float, *, rng: np.random.Generator, same: bool
) -> np.ndarray:
    """About ``per_person`` random ties per node, within (``same``) or across groups.

    Endpoints are drawn in bulk; pairs violating the group condition or self-loops are dropped,
    so the realised count is a little lower than asked for small groups.
    """
    n = groups.shape[0]
    m = int(round(per_person * n / 2))
    if m == 0 or n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    a = rng.integers(0, n, m)
    if not same:
        b = rng.integers(0, n, m)
        keep = groups[a] != groups[b]
        return np.stack([a[keep], b[keep]], axis=1)
    order = np.argsort(groups, kind="stable")
    g_sorted = groups[order]
    lo = np.searchsorted(g_sorted, groups[a], side="left")
    hi = np.searchsorted(g_sorted, groups[a], side="right")
    pick = lo + (rng.random(m) * (hi - lo)).astype(np.int64)
    b = order[np.minimum(pick, hi - 1)]
    keep = a != b
    return np.stack([a[keep], b[keep]], axis=1)


def team_ties(
    members: np.ndarray, team: np.ndarray, *, rng: np.random.Generator, max_degree: int = 10
) -> np.ndarray:
    """Dense ties inside teams: a clique for small teams, ~``max_degree`` ties each otherwise.

    Members are shuffled within their team and each is tied to the next ``max_degree // 2``
    members of the same team (a ring lattice, which is a clique up to ``max_degree + 1``).
    """
    order = np.lexsort((rng.random(members.shape[0]), team))
    ids, t = members[order], team[order]
    edges = [np.zeros((0, 2), dtype=np.int64)]
    for shift in range(1, max_degree // 2 + 1):
        same = t[:-shift] == t[shift:]
        edges.append(np.stack([ids[:-shift][same], ids[shift:][same]], axis=1))
    return np.concatenate(edges)
