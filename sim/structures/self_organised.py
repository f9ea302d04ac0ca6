"""Self-organised (holacracy-like) circles.

Seed 000: "embracing self-organization instead of hierarchy ... fostering role responsibility
rather than relying solely on the power defined by an organizational chart" (Klinkhammer 2024;
Robertson 2015, Holacracy). Cross-functional circles own customers end to end; each circle has a
lead link, not a line manager; lead links sit in super-circles up to the anchor circle. Authority
is role-based and sits at the edge; ties run densely within circles and often across them.
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

EDGE_AUTHORITY = 0.5
LEAD_LINK_AUTHORITY = 0.8


def self_organised(
    n_employees: int,
    *,
    span: int = 8,
    role_mix: tuple[float, float, float] = (0.4, 0.45, 0.15),
    rng: np.random.Generator,
    circle_size: int | None = None,
    cross_circle_ties: float = 3.0,
) -> OrgStructure:
    """Cross-functional circles with lead links, ``n_employees`` positions in all.

    Args:
        n_employees: positions, lead links included (>= 2).
        span: circles per super-circle (and the default circle size).
        role_mix: shares of sales, service and marketing, mixed inside every circle.
        rng: the run's generator.
        circle_size: members per circle (default ``span``).
        cross_circle_ties: random ties per person to members of other circles.
    """
    mix = check_args(n_employees, span, role_mix)
    size = circle_size or span
    if size < 2:
        raise ValueError(f"circle_size must be at least 2 (got {size})")
    mgr = tree_with_total(n_employees, size)
    n = mgr.shape[0]
    has_reports = np.bincount(mgr[mgr >= 0], minlength=n) > 0
    root = int(np.flatnonzero(mgr < 0)[0])
    fl = np.flatnonzero(~has_reports)
    role = np.full(n, MANAGER, dtype=np.int8)
    role[root] = EXECUTIVE
    # mix functions inside each circle: assign per person, not per team
    role[fl] = assign_functions(np.arange(fl.shape[0]), mix, rng=rng)
    circle_ids, unit = np.unique(np.where(has_reports, np.arange(n), mgr), return_inverse=True)
    names = tuple(f"circle-{i}" for i in range(circle_ids.shape[0]))
    authority = np.where(has_reports, LEAD_LINK_AUTHORITY, EDGE_AUTHORITY)
    authority[root] = 1.0
    edges = np.concatenate(
        [
            team_ties(fl, mgr[fl], rng=rng),
            fl[random_ties(unit[fl], cross_circle_ties, rng=rng, same=False)],
        ]
    )
    return OrgStructure.from_arrays(
        "self_organised", mgr, role, unit, names, authority=authority, collaboration_edges=edges
    )
