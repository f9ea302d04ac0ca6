"""Matrix: functional reporting lines plus a second, regional reporting line.

Models the matrix organisation (Galbraith 1971; Davis & Lawrence 1977): everyone in the front
line reports to a functional manager (the primary line, as in functional silos) and also to a
regional manager who runs cross-functional work for the customers of a region. Structure
changes decision paths and who talks to whom (model brief): the second line adds a second
sign-off to escalated decisions, and regional project work ties sales, service and marketing
people of one region together across the functional divide.
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import (
    FUNCTIONS,
    OrgStructure,
    check_args,
    random_ties,
    team_ties,
)
from sim.structures.functional_silos import UNIT_NAMES, silo_tree


def matrix(
    n_employees: int,
    *,
    span: int = 8,
    role_mix: tuple[float, float, float] = (0.4, 0.45, 0.15),
    rng: np.random.Generator,
    n_regions: int = 4,
    cross_unit_ties: float = 0.5,
    regional_ties: float = 3.0,
) -> OrgStructure:
    """Functional divisions plus regional managers on a second line, ``n_employees`` in all.

    The regional managers are MANAGER positions at level 1 under the CEO (ids 1..R, counted in
    ``n_employees``); they have no primary reports, and each front-line person has one of them as
    ``second_manager``, spread so that every region holds all functions. A small organisation
    gets fewer regions (at most one per four people, at least one from three people up; with two
    people there is no second line).

    Collaboration ties: functional teams are cliques, managers are tied to their primary and
    second-line reports, ``regional_ties`` random ties per front-line person go to people of
    *other* functions in the same region (regional project work) and ``cross_unit_ties`` to
    other functions anywhere.

    Args:
        n_employees: number of people, managers included (>= 2).
        span: direct reports per manager on the functional line (>= 2).
        role_mix: shares of sales, service and marketing (sizes the divisions).
        rng: the random generator; every random choice uses it.
        n_regions: regional managers on the second line (>= 1).
        cross_unit_ties: mean random ties per person to other functions anywhere.
        regional_ties: mean cross-functional ties per person inside the region.

    Returns:
        An ``OrgStructure`` named ``"matrix"``; units are the functions (``"head office"``
        holds the CEO and the regional managers).

    Raises:
        ValueError: for n_employees < 2, span < 2, a bad role_mix, n_regions < 1 or negative tie
            rates.
    """
    mix = check_args(
        n_employees,
        span,
        role_mix,
        cross_unit_ties=cross_unit_ties,
        regional_ties=regional_ties,
    )
    if int(n_regions) != n_regions or n_regions < 1:
        raise ValueError(f"n_regions must be an integer >= 1 (got {n_regions!r})")
    n = int(n_employees)
    # at most one regional manager per four people keeps every region populated
    regions = 0 if n < 3 else min(int(n_regions), max(1, (n - 1) // 4))
    mgr, unit, role = silo_tree(n, int(span), mix, n_office=regions)
    fl = np.flatnonzero(np.isin(role, FUNCTIONS))
    second = np.full(n, -1, dtype=np.int64)
    staff = np.flatnonzero(mgr >= 0)
    edges = [team_ties(staff, mgr[staff], rng=rng)]
    if regions:
        # deal each function's people round the regions so every region is cross-functional
        order = np.lexsort((rng.random(fl.shape[0]), unit[fl]))
        region = np.empty(fl.shape[0], dtype=np.int64)
        region[order] = (np.arange(fl.shape[0]) + rng.integers(0, regions)) % regions
        second[fl] = 1 + region
        edges.append(fl[random_ties(regional_ties, region, unit[fl], rng=rng)])
    everyone = np.zeros(fl.shape[0], dtype=np.int64)
    edges.append(fl[random_ties(cross_unit_ties, everyone, unit[fl], rng=rng)])
    return OrgStructure.from_arrays(
        "matrix",
        mgr,
        role,
        unit,
        UNIT_NAMES,
        second_manager=second,
        collaboration_edges=np.concatenate(edges),
    )
