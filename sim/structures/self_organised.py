"""Self-organised, holacracy-like circles.

Models self-organisation in the manner of Holacracy (Robertson 2015): small cross-functional
circles own their customers end to end; each circle has a lead link rather than a line manager;
circles nest into super-circles up to the anchor circle. Klinkhammer (2024) argues for
"embracing self-organization instead of hierarchy", with responsibility attached to roles rather
than to the power of the org chart. Structure changes decision paths and who talks to whom
(model brief): authority sits at the edge, so most issues are decided inside the circle without
escalation, and ties run densely within circles and often across them.
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import (
    FUNCTIONS,
    OrgStructure,
    balanced_tree,
    check_args,
    ensure_functions,
    random_ties,
    roles_from_tree,
    stratified_functions,
    team_ties,
)

#: Base authority of a circle member: role-based authority at the edge.
EDGE_AUTHORITY = 0.5
#: Base authority of a lead link (circle or super-circle).
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
    """Cross-functional circles with lead links, exactly ``n_employees`` positions in all.

    Circles of ``circle_size`` members each have one lead link (MANAGER); the circles' lead
    links report to the anchor circle's lead link (EXECUTIVE, position 0). When there are more
    circles than ``span``, circles are grouped ``span`` at a time into super-circles with their
    own lead links, recursively, so the depth grows only logarithmically (circle lead links are
    then below level 1). Members of a circle are a mix of sales, service and marketing in
    ``role_mix`` proportions. Units are the circles (``"circle-0"`` is the anchor circle); a
    lead link belongs to the circle it leads.

    Authority sits at the edge: members 0.5, lead links 0.8, the anchor lead link 1.0.

    Collaboration ties: circles are cliques (a degree-10 lattice over 11 members), lead links
    are tied to their members and to the other lead links of their super-circle, and
    ``cross_circle_ties`` random ties per member go to members of other circles.

    Args:
        n_employees: number of people, lead links included (>= 2).
        span: circles per super-circle (>= 2), and the default circle size.
        role_mix: shares of sales, service and marketing, mixed inside every circle.
        rng: the random generator; every random choice uses it.
        circle_size: members per circle (>= 2; default ``span``).
        cross_circle_ties: mean random ties per member to members of other circles.

    Returns:
        An ``OrgStructure`` named ``"self_organised"``.

    Raises:
        ValueError: for n_employees < 2, span < 2, circle_size < 2, a bad role_mix or a negative
            tie rate.
    """
    mix = check_args(n_employees, span, role_mix, cross_circle_ties=cross_circle_ties)
    size = span if circle_size is None else circle_size
    if int(size) != size or size < 2:
        raise ValueError(f"circle_size must be an integer >= 2 (got {circle_size!r})")
    mgr = balanced_tree(int(n_employees), int(span), leaf_span=int(size))
    n = mgr.shape[0]
    role, front = roles_from_tree(mgr)
    fl = np.flatnonzero(front)
    circle = mgr[fl]
    # every circle gets a mix of functions, not whole single-function circles
    func = stratified_functions(circle, np.ones(fl.shape[0]), mix, rng=rng)
    role[fl] = FUNCTIONS[ensure_functions(func, mix, rng=rng)]

    leads = np.flatnonzero(~front)  # top-down ids: the anchor lead link is circle 0
    circle_of_lead = np.full(n, -1, dtype=np.int64)
    circle_of_lead[leads] = np.arange(leads.shape[0])
    unit = np.where(front, circle_of_lead[np.maximum(mgr, 0)], circle_of_lead)
    names = tuple(f"circle-{i}" for i in range(leads.shape[0]))

    authority = np.where(front, EDGE_AUTHORITY, LEAD_LINK_AUTHORITY)
    authority[mgr < 0] = 1.0

    staff = np.flatnonzero(mgr >= 0)
    edges = np.concatenate(
        [
            team_ties(staff, mgr[staff], rng=rng),
            fl[random_ties(cross_circle_ties, np.zeros(fl.shape[0], np.int64), circle, rng=rng)],
        ]
    )
    return OrgStructure.from_arrays(
        "self_organised", mgr, role, unit, names, authority=authority, collaboration_edges=edges
    )
