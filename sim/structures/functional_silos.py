"""Functional silos: sales, service and marketing each with its own hierarchy under one CEO.

Models the function-oriented company in which every function is a separate division with its own
reporting tree, and only the CEO sits above all three. Structure changes decision paths and who
talks to whom (model brief): a customer issue that needs both sales and service climbs two
separate trees before anyone sees the whole customer, and people talk densely inside their team,
somewhat inside their function and seldom across functions, which is how service ends up not
telling sales about an angry customer.
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import (
    EXECUTIVE,
    FUNCTIONS,
    MANAGER,
    OrgStructure,
    balanced_tree,
    check_args,
    layered_ties,
)

#: Unit names of the silo and matrix structures; units 0-2 are the functional divisions.
UNIT_NAMES = ("sales", "service", "marketing", "head office")
HEAD_OFFICE = 3


def division_sizes(n_positions: int, mix: np.ndarray) -> np.ndarray:
    """Positions per functional division, proportional to ``mix`` (largest remainder).

    Every function with a positive share gets at least one position when headcount allows
    (sales first, then service, then marketing), taken from the largest division.
    """
    exact = mix * n_positions
    sizes = np.floor(exact).astype(np.int64)
    rest = n_positions - int(sizes.sum())
    sizes[np.argsort(-(exact - sizes), kind="stable")[:rest]] += 1
    for f in np.flatnonzero(mix > 0):
        if sizes[f] == 0 and sizes.max() >= 2:
            sizes[np.argmax(sizes)] -= 1
            sizes[f] = 1
    return sizes


def silo_tree(
    n_employees: int, span: int, mix: np.ndarray, n_office: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A CEO over one balanced tree per function: (manager, unit, role).

    Ids: the CEO is 0, ``n_office`` head-office positions reporting to the CEO are
    1..n_office (the matrix's regional managers), then the sales, service and marketing
    divisions, each numbered top-down. Division heads report to the CEO; a division of a single
    position is one front-line person reporting to the CEO. Head-office positions get the
    MANAGER role (the caller gives them reports).
    """
    head = 1 + n_office
    sizes = division_sizes(n_employees - head, mix)
    mgr = [np.r_[-1, np.zeros(n_office, dtype=np.int64)]]
    unit = [np.full(head, HEAD_OFFICE, dtype=np.int64)]
    offset = head
    for f in range(3):
        if sizes[f] == 0:
            continue
        tree = balanced_tree(int(sizes[f]), span)
        mgr.append(np.where(tree >= 0, tree + offset, 0))
        unit.append(np.full(tree.shape[0], f, dtype=np.int64))
        offset += tree.shape[0]
    manager = np.concatenate(mgr).astype(np.int64)
    units = np.concatenate(unit)
    has_reports = np.bincount(manager[manager >= 0], minlength=manager.shape[0]) > 0
    role = np.where(has_reports, MANAGER, FUNCTIONS[np.minimum(units, 2)]).astype(np.int8)
    role[1:head] = MANAGER
    role[0] = EXECUTIVE
    return manager, units, role


def functional_silos(
    n_employees: int,
    *,
    span: int = 8,
    role_mix: tuple[float, float, float] = (0.4, 0.45, 0.15),
    rng: np.random.Generator,
    cross_unit_ties: float = 0.1,
    cross_team_ties: float = 1.0,
) -> OrgStructure:
    """A CEO over three functional divisions, exactly ``n_employees`` positions in all.

    Division sizes follow ``role_mix``; each division is a balanced tree of the same shape as
    :func:`~sim.structures.hierarchical.hierarchical` and its front line all has the division's
    role. Units are ``"sales"``, ``"service"``, ``"marketing"`` and ``"head office"`` (the CEO).

    Collaboration ties: teams are cliques (a degree-10 lattice over 11 people), managers are
    tied to their reports, ``cross_team_ties`` random ties per front-line person go to other
    teams of the same division and only ``cross_unit_ties`` to other divisions (that is the
    silo).

    Args:
        n_employees: number of people, managers included (>= 2).
        span: direct reports per manager (>= 2).
        role_mix: shares of sales, service and marketing (sizes the divisions).
        rng: the random generator; every random choice uses it.
        cross_unit_ties: mean random ties per person to other divisions.
        cross_team_ties: mean random ties per person to other teams of the same division.

    Returns:
        An ``OrgStructure`` named ``"functional_silos"``; the CEO is position 0.

    Raises:
        ValueError: for n_employees < 2, span < 2, a bad role_mix or negative tie rates.
    """
    mix = check_args(
        n_employees,
        span,
        role_mix,
        cross_unit_ties=cross_unit_ties,
        cross_team_ties=cross_team_ties,
    )
    mgr, unit, role = silo_tree(int(n_employees), int(span), mix)
    staff = np.flatnonzero(mgr >= 0)
    fl = np.flatnonzero(np.isin(role, FUNCTIONS))
    edges = layered_ties(mgr, unit, staff, fl, cross_team_ties, cross_unit_ties, rng=rng)
    return OrgStructure.from_arrays(
        "functional_silos", mgr, role, unit, UNIT_NAMES, collaboration_edges=edges
    )
