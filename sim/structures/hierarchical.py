"""A classic hierarchy: depth x span, decisions escalate up the line.

The traditional functional-regional company: a CEO over regional divisions, each a tree of teams
of ``span`` people; a team is one function (sales, service or marketing); authority falls with
distance from the top. Escalation through such trees is the information-processing problem of
Galbraith (1974) and the exception handling of the Virtual Design Team model (Jin & Levitt 1996).
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import (
    EXECUTIVE,
    MANAGER,
    OrgStructure,
    assign_functions,
    check_args,
    random_ties,
    team_ties,
    tree_with_total,
)


def division_of(manager: np.ndarray) -> np.ndarray:
    """For each node, its ancestor just below the root (the root maps to itself)."""
    root = int(np.flatnonzero(manager < 0)[0])
    cur = np.arange(manager.shape[0])
    for _ in range(manager.shape[0]):
        up = manager[cur]
        move = (up >= 0) & (up != root)
        if not move.any():
            break
        cur = np.where(move, up, cur)
    return cur


def hierarchical(
    n_employees: int,
    *,
    span: int = 8,
    role_mix: tuple[float, float, float] = (0.4, 0.45, 0.15),
    rng: np.random.Generator,
    cross_team_ties: float = 2.0,
    cross_unit_ties: float = 0.5,
) -> OrgStructure:
    """A balanced reporting tree of exactly ``n_employees`` positions.

    Args:
        n_employees: positions, managers included (>= 2).
        span: direct reports per manager.
        role_mix: shares of sales, service and marketing in the front line.
        rng: the run's generator.
        cross_team_ties: random ties per person to other teams of the same division.
        cross_unit_ties: random ties per person to other divisions.
    """
    mix = check_args(n_employees, span, role_mix)
    mgr = tree_with_total(n_employees, span)
    n = mgr.shape[0]
    has_reports = np.bincount(mgr[mgr >= 0], minlength=n) > 0
    front = ~has_reports
    root = int(np.flatnonzero(mgr < 0)[0])
    role = np.full(n, MANAGER, dtype=np.int8)
    role[root] = EXECUTIVE
    fl = np.flatnonzero(front)
    role[fl] = assign_functions(mgr[fl], mix, rng=rng)
    div = division_of(mgr)
    div_ids, unit = np.unique(div, return_inverse=True)
    names = tuple("head office" if d == root else f"division-{i}" for i, d in enumerate(div_ids))
    edges = np.concatenate(
        [
            team_ties(fl, mgr[fl], rng=rng),
            fl[random_ties(unit[fl], cross_team_ties, rng=rng, same=True)],
            fl[random_ties(unit[fl], cross_unit_ties, rng=rng, same=False)],
        ]
    )
    return OrgStructure.from_arrays(
        "hierarchical", mgr, role, unit, names, collaboration_edges=edges
    )
