"""Organisation structures as networkx graphs: one generator per structure.

Each generator returns an ``OrgStructure`` (reporting DiGraph, collaboration Graph, unit, role,
level and decision authority per position). A CSV org-chart importer can build the same object
with ``OrgStructure.from_arrays``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.structures.base import (
    EXECUTIVE,
    FRONT_LINE,
    MANAGER,
    MARKETING,
    ROLE_NAMES,
    SALES,
    SERVICE,
    OrgStructure,
)
from sim.structures.functional_silos import functional_silos
from sim.structures.hierarchical import hierarchical
from sim.structures.matrix import matrix
from sim.structures.self_organised import self_organised

GENERATORS: dict[str, Callable[..., OrgStructure]] = {
    "hierarchical": hierarchical,
    "functional_silos": functional_silos,
    "matrix": matrix,
    "self_organised": self_organised,
}


def build_structure(
    kind: str, n_employees: int, *, rng: np.random.Generator, **kwargs: object
) -> OrgStructure:
    """Generate a structure by name (see ``GENERATORS``)."""
    if kind not in GENERATORS:
        raise ValueError(f"unknown structure {kind!r}; accepted: {', '.join(GENERATORS)}")
    return GENERATORS[kind](n_employees, rng=rng, **kwargs)


__all__ = [
    "EXECUTIVE",
    "FRONT_LINE",
    "GENERATORS",
    "MANAGER",
    "MARKETING",
    "ROLE_NAMES",
    "SALES",
    "SERVICE",
    "OrgStructure",
    "build_structure",
    "functional_silos",
    "hierarchical",
    "matrix",
    "self_organised",
]
