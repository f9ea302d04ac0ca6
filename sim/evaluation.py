"""One public call for every ecosystem client: a scenario, some overrides, a seed -> outcomes.

``sim.evaluate`` is what Mesa, EMA Workbench, SALib or optuna glue would otherwise each write
again (and reach into the model's private rows to do it). It runs one organisation to its horizon
and returns its headline outcomes (``sim.experiment.HEADLINES``), or the ones named; the no-change
twin is built only when ``roi`` is asked for, since it doubles the cost of a run.

Example:
    >>> import sim
    >>> out = sim.evaluate("command_and_control", {"culture.decision_rights": 0.8}, seed=1,
    ...                    outcomes=["annual_churn"])  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from sim.scenario import Scenario, ScenarioError


def outcome_names(outcomes: Iterable[str] | None) -> list[str]:
    """The outcomes asked for, checked against ``sim.experiment.HEADLINES``.

    Raises:
        ScenarioError: naming an unknown outcome and listing the known ones.
    """
    from sim.experiment import HEADLINES

    if outcomes is None:
        return list(HEADLINES)
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    unknown = [n for n in names if n not in HEADLINES]
    if unknown:
        raise ScenarioError(
            f"outcomes: unknown outcome {unknown[0]!r} (known: {', '.join(HEADLINES)})"
        )
    if not names:
        raise ScenarioError("outcomes: name at least one outcome")
    return names


def evaluate(
    scenario: Scenario | str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    seed: int | np.random.SeedSequence = 0,
    outcomes: Iterable[str] | None = None,
) -> dict[str, float]:
    """Headline outcomes of one run.

    Args:
        scenario: a ``Scenario``, a preset name or a scenario file.
        overrides: dotted fields and values (``{"culture.decision_rights": 0.8}``), validated as
            ``Scenario.with_overrides`` validates them.
        seed: the run's seed (the same seed gives the same numbers, on any machine).
        outcomes: names from ``sim.experiment.HEADLINES``; None for all of them. ``roi`` builds
            the no-change twin (twice the work); without it no twin is built.

    Returns:
        Outcome name -> value (``silent_churn_share`` and ``complaints_per_churner`` are NaN
        when nobody churned, ``roi`` when there was no investment to divide by).

    Raises:
        ScenarioError: for an unknown outcome or a bad override, naming it.
    """
    from sim.experiment import headline
    from sim.model import OrgModel

    names = outcome_names(outcomes)
    model = OrgModel(
        scenario,
        rng=seed,
        counterfactual="roi" in names,
        **{str(k): v for k, v in (overrides or {}).items()},
    )
    heads = headline(model.run())
    return {k: heads[k] for k in names}
