"""Matrix: functional reporting lines plus a second, regional line.

Every front-line person reports to a functional manager (primary line) and to a regional manager
(second line). Regional project work ties sales, service and marketing people of one region
together; decisions above the front line need both lines' sign-off (Galbraith 1971, "Matrix
organization designs"; Davis & Lawrence 1977).
"""

from __future__ import annotations

import numpy as np

from sim.structures.base import OrgStructure, check_args, random_ties, team_ties
from sim.structures.functional_silos import UNIT_NAMES, _silo_arrays


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
    """Functional divisions plus ``n_regions`` regional managers, ``n_employees`` in all.

    Args:
        n_employees: positions, managers included (>= 2).
        span: direct reports per manager (functional line).
        role_mix: shares of sales, service and marketing.
        rng: the run's generator.
        n_regions: regional managers on the second line (fewer in a tiny organisation).
        cross_unit_ties: random ties per person to other functions, anywhere.
        regional_ties: random ties per person inside the region, across functions.
    """
    mix = check_args(n_employees, span, role_mix)
    regions = int(min(max(n_regions, 0), max((n_employees - 3) // 4, 0)))
    mgr, func, role, has_reports = _silo_arrays(n_employees, span, mix, extra_top=regions)
    n = mgr.shape[0]
    fl = np.flatnonzero(~has_reports & (mgr >= 0) & (np.arange(n) > regions))
    second = np.full(n, -1, dtype=np.int64)
    edges = [team_ties(fl, mgr[fl], rng=rng)]
    if regions:
        region_of = rng.permutation(fl.shape[0]) % regions
        second[fl] = 1 + region_of
        edges.append(fl[random_ties(region_of, regional_ties, rng=rng, same=True)])
        edges.append(np.stack([second[fl], fl], axis=1))
    edges.append(fl[random_ties(func[fl], cross_unit_ties, rng=rng, same=False)])
    return OrgStructure.from_arrays(
        "matrix",
        mgr,
        role,
        func,
        UNIT_NAMES,
        second_manager=second,
        collaboration_edges=np.concatenate(edges),
    )
