"""Designs: the design points of a sweep, from scipy.stats.qmc and SALib (no home-made samplers).

- ``grid``: every combination of the factors' values (full factorial, file order, last factor
  fastest).
- ``lhs``: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``), ``samples`` points.
- ``sobol``: Saltelli's scheme for Sobol indices (``SALib.sample.sobol``), ``samples`` = N, a
  power of 2; N x (D + 2) points, or N x (2D + 2) with second-order indices.
- ``morris``: Morris trajectories (``SALib.sample.morris``), ``samples`` = r trajectories of
  D + 1 points on a ``morris_levels`` grid.

The samplers draw in a *problem space* (a range's own bounds, ``[0, k]`` for a factor with k
values) and :meth:`Factor.from_problem` maps each coordinate to a scenario value (integers
rounded, discrete factors by their index). The design is seeded by the experiment's root seed, so
a file always gives the same points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.sweep.parameters import Factor, LoadedExperiment


@dataclass(frozen=True)
class Design:
    """The design points of a sweep.

    Attributes:
        kind: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        factors: the varied fields.
        points: one tuple of factor values per design point, in run order.
        sample: the samplers' matrix in problem space (points x factors); ``None`` for a grid.
        second_order: whether a Sobol sample supports second-order indices.
        morris_levels: grid levels of a Morris sample.
    """

    kind: str
    factors: tuple[Factor, ...]
    points: list[tuple[Any, ...]]
    sample: np.ndarray | None = None
    second_order: bool = False
    morris_levels: int = 4

    @property
    def keys(self) -> list[str]:
        """Dotted scenario keys of the factors."""
        return [f.key for f in self.factors]

    def overrides(self, point: int) -> dict[str, Any]:
        """Scenario overrides of one design point."""
        return dict(zip(self.keys, self.points[point]))

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition (names and bounds in problem space)."""
        return {
            "num_vars": len(self.factors),
            "names": self.keys,
            "bounds": [list(f.bounds) for f in self.factors],
        }

    def to_json(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        return {
            "kind": self.kind,
            "factors": [f.describe() for f in self.factors],
            "points": [list(p) for p in self.points],
            "sample": None if self.sample is None else self.sample.tolist(),
            "second_order": self.second_order,
            "morris_levels": self.morris_levels,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Design:
        """Rebuild a design recorded in a manifest."""
        factors = []
        for f in data["factors"]:
            if f["kind"] == "values":
                factors.append(
                    Factor(key=f["key"], kind="values", values=tuple(f["values"]), dtype=f["dtype"])
                )
            else:
                factors.append(
                    Factor(
                        key=f["key"],
                        kind="range",
                        low=f["range"][0],
                        high=f["range"][1],
                        levels=f.get("levels"),
                        dtype=f["dtype"],
                    )
                )
        sample = None if data["sample"] is None else np.asarray(data["sample"], dtype=float)
        return cls(
            kind=data["kind"],
            factors=tuple(factors),
            points=[tuple(p) for p in data["points"]],
            sample=sample,
            second_order=bool(data["second_order"]),
            morris_levels=int(data["morris_levels"]),
        )


def _map(factors: tuple[Factor, ...], sample: np.ndarray) -> list[tuple[Any, ...]]:
    return [tuple(f.from_problem(float(x)) for f, x in zip(factors, row)) for row in sample]


def make_design(exp: LoadedExperiment) -> Design:
    """The design points of a validated experiment.

    Args:
        exp: a loaded experiment.

    Returns:
        The design, seeded by the experiment's root seed.
    """
    spec = exp.spec
    factors = exp.factors
    if spec.design == "grid":
        points = list(itertools.product(*(f.grid_values() for f in factors)))
        return Design(kind="grid", factors=factors, points=points)
    assert spec.samples is not None
    design = Design(kind=spec.design, factors=factors, points=[])
    problem = design.problem()
    if spec.design == "lhs":
        from scipy.stats import qmc

        gen = np.random.default_rng(spec.root_seed)
        try:
            lhs = qmc.LatinHypercube(d=len(factors), rng=gen)
        except TypeError:  # scipy < 1.15 calls it seed
            lhs = qmc.LatinHypercube(d=len(factors), seed=gen)
        unit = lhs.random(spec.samples)
        lo = np.array([b[0] for b in problem["bounds"]])
        hi = np.array([b[1] for b in problem["bounds"]])
        sample = qmc.scale(unit, lo, hi) if len(factors) else unit
    elif spec.design == "sobol":
        from SALib.sample import sobol

        sample = sobol.sample(
            problem, spec.samples, calc_second_order=spec.second_order, seed=spec.root_seed
        )
    else:
        from SALib.sample import morris

        sample = morris.sample(
            problem, spec.samples, num_levels=spec.morris_levels, seed=spec.root_seed
        )
    return Design(
        kind=spec.design,
        factors=factors,
        points=_map(factors, sample),
        sample=np.asarray(sample, dtype=float),
        second_order=spec.second_order,
        morris_levels=spec.morris_levels,
    )
