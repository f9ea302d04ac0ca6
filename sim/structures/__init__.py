"""Organisation structures as networkx graphs: one generator per structure.

Structure changes decision paths and who talks to whom (model brief), so each generator returns
an :class:`OrgStructure` holding both: a reporting DiGraph (who escalates to whom) and a
collaboration Graph (who talks to whom), plus unit, role, level and base decision authority per
position. The generators follow networkx conventions (``n`` first, keyword-only options, an
explicit random generator) and are near-linear in the number of people. A CSV org-chart
importer can build the same object with :meth:`OrgStructure.from_arrays`.

- :func:`hierarchical`: a depth x span tree of single-function teams under regional divisions.
- :func:`functional_silos`: a CEO over separate sales, service and marketing hierarchies.
- :func:`matrix`: functional lines plus a second, regional reporting line.
- :func:`self_organised`: holacracy-like cross-functional circles with lead links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.structures.base import (
    EXECUTIVE,
    FRONT_LINE,
    LEADERS,
    MANAGER,
    MARKETING,
    OTHER,
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
    kind: str, n_employees: int, *, rng: np.random.Generator, **kwargs: Any
) -> OrgStructure:
    """Generate a structure by name.

    Args:
        kind: one of ``GENERATORS`` ("hierarchical", "functional_silos", "matrix",
            "self_organised").
        n_employees: number of people, managers included.
        rng: the random generator.
        **kwargs: the generator's keyword options (``span``, ``role_mix``, ...).

    Returns:
        The generated ``OrgStructure``.

    Raises:
        ValueError: for an unknown kind (the message lists the accepted ones) or bad arguments.
    """
    try:
        generator = GENERATORS[kind]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown structure kind {kind!r}; accepted kinds: {', '.join(GENERATORS)}"
        ) from None
    return generator(n_employees, rng=rng, **kwargs)


__all__ = [
    "EXECUTIVE",
    "FRONT_LINE",
    "GENERATORS",
    "LEADERS",
    "MANAGER",
    "MARKETING",
    "OTHER",
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
