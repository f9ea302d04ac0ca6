"""Functional silos: sales, service and marketing each with its own hierarchy.

Seed 003 ("Organizational Silos ... service fails to tell sales about support issues") and seed 001
("Customer orientation has a natural enemy: the function-oriented form of organization"). A CEO
over three functional divisions; ties are dense inside teams, present inside a division, rare
across divisions.
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import (
    EXECUTIVE,
    FRONT_LINE,
    MANAGER,
    OrgStructure,
    check_args,
    random_ties,
    team_ties,
    tree_size,
    tree_with_total,
)

UNIT_NAMES = ("sales", "service", "marketing", "executive")


def functional_trees(
    n_positions: int, span: int, mix: np.ndarray, first_id: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Divisional trees filling ``n_positions``: (manager, function index, division roots).

    Division sizes follow ``mix`` over their front lines; manager ids are offset by ``first_id``.
    A division with a zero share is left out; a tiny organisation may have fewer divisions.
    """
    funcs = np.flatnonzero(mix > 0)
    # positions per division in proportion to the mix, at least 2 each when they fit
    sizes = np.floor(mix[funcs] / mix[funcs].sum() * n_positions).astype(np.int64)
    sizes[np.argmax(sizes)] += n_positions - sizes.sum()
    while (sizes < 2).any() and sizes.shape[0] > 1:
        small = int(np.argmin(sizes))
        sizes[np.argmax(sizes)] += sizes[small]
        sizes = np.delete(sizes, small)
        funcs = np.delete(funcs, small)
    mgrs, fn, roots = [], [], []
    offset = first_id
    for f, size in zip(funcs, sizes):
        m = tree_with_total(int(size), span)
        r = int(np.flatnonzero(m < 0)[0])
        mgrs.append(np.where(m >= 0, m + offset, -1))
        fn.append(np.full(m.shape[0], f))
        roots.append(r + offset)
        offset += m.shape[0]
    return np.concatenate(mgrs), np.concatenate(fn), np.array(roots)


def _silo_arrays(
    n_employees: int, span: int, mix: np.ndarray, extra_top: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Manager pointers, function and role arrays for CEO (id 0) + ``extra_top`` + divisions."""
    head = 1 + extra_top
    mgr_div, fn, roots = functional_trees(n_employees - head, span, mix, first_id=head)
    mgr = np.concatenate([np.full(head, -1), mgr_div])
    mgr[1:head] = 0
    mgr[roots] = 0
    n = mgr.shape[0]
    has_reports = np.bincount(mgr[mgr >= 0], minlength=n) > 0
    func = np.concatenate([np.full(head, 3), fn])
    role = np.where(has_reports, MANAGER, np.array(FRONT_LINE)[np.minimum(func, 2)])
    role[1:head] = MANAGER
    role[0] = EXECUTIVE
    return mgr, func, role.astype(np.int8), has_reports


def functional_silos(
    n_employees: int,
    *,
    span: int = 8,
    role_mix: tuple[float, float, float] = (0.4, 0.45, 0.15),
    rng: np.random.Generator,
    cross_unit_ties: float = 0.1,
    within_unit_ties: float = 1.0,
) -> OrgStructure:
    """A CEO over functional divisions of exactly ``n_employees`` positions in all.

    Args:
        n_employees: positions, managers included (>= 2).
        span: direct reports per manager.
        role_mix: shares of sales, service and marketing.
        rng: the run's generator.
        cross_unit_ties: random ties per person to other divisions (few: that is the silo).
        within_unit_ties: random ties per person inside the division, beyond the team.
    """
    mix = check_args(n_employees, span, role_mix)
    mgr, func, role, has_reports = _silo_arrays(n_employees, span, mix, extra_top=0)
    fl = np.flatnonzero(~has_reports & (mgr >= 0))
    edges = np.concatenate(
        [
            team_ties(fl, mgr[fl], rng=rng),
            fl[random_ties(func[fl], within_unit_ties, rng=rng, same=True)],
            fl[random_ties(func[fl], cross_unit_ties, rng=rng, same=False)],
        ]
    )
    return OrgStructure.from_arrays(
        "functional_silos", mgr, role, func, UNIT_NAMES, collaboration_edges=edges
    )


__all__ = ["functional_silos", "functional_trees", "tree_size"]
