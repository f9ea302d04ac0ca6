"""A classic hierarchy: a depth x span reporting tree in which decisions escalate up the line.

Models the traditional divisional company: a CEO over regional divisions, each a tree of
single-function teams (sales, service or marketing) of about ``span`` people, with decision
authority falling with distance from the top. Structure changes decision paths and who talks to
whom (model brief): here an issue beyond a front-line person's authority climbs the tree one
manager at a time, which is the information-processing load of Galbraith (1974) and the
exception handling through the hierarchy of the Virtual Design Team model (Jin & Levitt 1996).
People talk mostly inside their team, sometimes to other teams of their region, and rarely
across regions.
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import (
    FUNCTIONS,
    OrgStructure,
    balanced_tree,
    check_args,
    ensure_functions,
    layered_ties,
    levels_from_managers,
    roles_from_tree,
    stratified_functions,
)


def divisions(manager: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Each position's division: its ancestor at level 1 (the top maps to itself).

    One vectorised hop per level: O(n * depth).
    """
    cur = np.arange(manager.shape[0])
    while True:
        deep = np.flatnonzero(level[cur] > 1)
        if deep.shape[0] == 0:
            return cur
        cur[deep] = manager[cur[deep]]


def hierarchical(
    n_employees: int,
    *,
    span: int = 8,
    role_mix: tuple[float, float, float] = (0.4, 0.45, 0.15),
    rng: np.random.Generator,
    cross_team_ties: float = 2.0,
    cross_unit_ties: float = 0.5,
) -> OrgStructure:
    """A balanced reporting tree of exactly ``n_employees`` positions under one CEO.

    The front line is as large as the tree allows (F plus ceil(F / span) team leads plus ...
    plus the CEO), with any remainder as extra front-line people in the last teams. Teams (the
    reports of a lowest-level manager) are single-function; units are the divisions (regions)
    headed by the CEO's direct reports, each holding all three functions when it has enough
    teams. In a tiny organisation whose teams cannot cover every function, functions are mixed
    inside teams instead, so sales and service always exist.

    Collaboration ties: every team is a clique (a degree-10 lattice for teams over 11), managers
    are tied to their reports, and on average ``cross_team_ties`` random ties per front-line
    person go to other teams of the same division and ``cross_unit_ties`` to other divisions.

    Args:
        n_employees: number of people, managers included (>= 2).
        span: direct reports per manager (>= 2).
        role_mix: shares of sales, service and marketing in the front line.
        rng: the random generator; every random choice uses it.
        cross_team_ties: mean random ties per person to other teams of the same division.
        cross_unit_ties: mean random ties per person to other divisions.

    Returns:
        An ``OrgStructure`` named ``"hierarchical"``; the CEO is position 0.

    Raises:
        ValueError: for n_employees < 2, span < 2, a bad role_mix or negative tie rates.
    """
    mix = check_args(
        n_employees,
        span,
        role_mix,
        cross_team_ties=cross_team_ties,
        cross_unit_ties=cross_unit_ties,
    )
    mgr = balanced_tree(int(n_employees), int(span))
    role, front = roles_from_tree(mgr)
    level = levels_from_managers(mgr)
    div = divisions(mgr, level)
    # a CEO whose reports are all front line has no divisions: everyone is head office
    div = np.where(front & (level == 1), 0, div)
    div_ids, unit = np.unique(div, return_inverse=True)
    names = tuple("head office" if d == 0 else f"region-{i}" for i, d in enumerate(div_ids))

    fl = np.flatnonzero(front)
    team = mgr[fl]
    _, team_idx, team_size = np.unique(team, return_inverse=True, return_counts=True)
    team_unit = unit[fl][np.unique(team_idx, return_index=True)[1]]
    func = stratified_functions(team_unit, team_size, mix, rng=rng)[team_idx]
    if any(mix[f] > 0 and not (func == f).any() for f in range(3)):
        # too few teams to give each function its own: mix functions inside teams
        func = stratified_functions(
            np.zeros(fl.shape[0], np.int64), np.ones(fl.shape[0]), mix, rng=rng
        )
        func = ensure_functions(func, mix, rng=rng)
    role[fl] = FUNCTIONS[func]

    staff = np.flatnonzero(mgr >= 0)
    edges = layered_ties(mgr, unit, staff, fl, cross_team_ties, cross_unit_ties, rng=rng)
    return OrgStructure.from_arrays(
        "hierarchical", mgr, role, unit, names, collaboration_edges=edges
    )
