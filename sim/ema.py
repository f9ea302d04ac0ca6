"""EMA Workbench bridge: the model as an EMA ``ReplicatorModel`` (optional extra ``ema``).

EMA Workbench (Kwakkel 2017) is the field's standard for exploratory modelling and scenario
discovery. :func:`ema_model` wraps :func:`sim.evaluate` so that ``perform_experiments`` samples
dotted scenario fields and PRIM or CART can be run on the results:

    >>> from ema_workbench import perform_experiments  # doctest: +SKIP
    >>> from sim.ema import ema_model
    >>> m = ema_model("functional_silos", {"culture.information_sharing": (0.1, 0.9)},
    ...               outcomes=["annual_churn"], replications=4)
    >>> experiments, outcomes = perform_experiments(m, scenarios=100)

Common random numbers: replication r of every experiment runs on the same seed
(``sim.rng.replicate_seeds(root_seed, replications)[r]``), so differences between experiments
come from the factors, not from the draws; an outcome is the mean over the replications (or,
with ``aggregate=None``, the list of them). The wrapped function is a module-level class with
the scenario inside, so EMA's multiprocessing evaluator can send it to worker processes.

EMA names must be Python identifiers (EMA Workbench 3 deprecates others), so a factor's EMA name
is its dotted key with ``__`` for each dot (:func:`ema_name`: ``culture__decision_rights``, the
column of ``perform_experiments``' experiments table); the model still receives the dotted key.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.evaluation import evaluate, outcome_names
from sim.scenario import Scenario, ScenarioError

EXTRA_HINT = "EMA Workbench is not installed: pip install -e '.[ema]'"


class _Run:
    """The function EMA calls: factor values and a ``seed`` -> outcomes (picklable)."""

    def __init__(self, base: Scenario, overrides: dict[str, Any], outcomes: list[str]) -> None:
        self.base = base
        self.overrides = overrides
        self.outcomes = outcomes

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        seed = int(kwargs.pop("seed"))
        values = {k: v.item() if isinstance(v, np.generic) else v for k, v in kwargs.items()}
        return evaluate(self.base, {**self.overrides, **values}, seed, self.outcomes)


def ema_name(key: str) -> str:
    """The EMA name of a dotted field: its dots become double underscores."""
    return key.replace(".", "__")


def _parameter(key: str, spec: Any, base: Scenario) -> Any:
    """An EMA parameter for one factor: (low, high) a range, a list its values."""
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    where = f"factors[{key!r}]"
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ScenarioError(f"{where}: a range is (low, high), got {spec!r}")
        lo, hi = spec
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in spec):
            raise ScenarioError(f"{where}: a range takes two numbers, got {spec!r}")
        if not lo < hi:
            raise ScenarioError(f"{where}: low must be below high, got {spec!r}")
        for v in spec:  # both ends are valid values of the field (the messages name it)
            base.with_overrides({key: v}, source=where)
        if isinstance(lo, int) and isinstance(hi, int):
            return IntegerParameter(ema_name(key), lo, hi, variable_name=[key])
        return RealParameter(ema_name(key), float(lo), float(hi), variable_name=[key])
    if isinstance(spec, list):
        if not spec:
            raise ScenarioError(f"{where}: a list of values needs at least one value")
        for v in spec:
            base.with_overrides({key: v}, source=where)
        return CategoricalParameter(ema_name(key), spec, variable_name=[key])
    raise ScenarioError(
        f"{where}: expected (low, high) for a range or a list of values, got {type(spec).__name__}"
    )


def ema_model(
    base: Scenario | str | os.PathLike[str],
    factors: Mapping[str, tuple[float, float] | Sequence[Any]],
    outcomes: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    replications: int = 2,
    root_seed: int = 0,
    aggregate: Callable[[Sequence[float]], float] | None = np.mean,
    name: str = "orgsim",
) -> Any:
    """An EMA Workbench ``ReplicatorModel`` over dotted scenario fields.

    Args:
        base: the scenario the experiments start from (a ``Scenario``, preset name or file).
        factors: dotted field -> ``(low, high)`` (sampled as a range; integers if both ends are)
            or a list of values (categorical). Checked at once: an unknown field or a value the
            field does not accept raises, naming the factor.
        outcomes: names from ``sim.experiment.HEADLINES``; default every headline except
            ``roi`` (which needs the no-change twin: ask for it by name).
        overrides: fixed dotted fields applied to every experiment.
        replications: runs per experiment, on seeds shared by every experiment.
        root_seed: root of the replication seeds (``sim.rng.replicate_seeds``).
        aggregate: how an outcome summarises its replications (default the mean); None keeps
            the per-replication values.
        name: EMA's model name (letters, digits and underscores).

    Returns:
        An ``ema_workbench.ReplicatorModel`` ready for ``perform_experiments``.

    Raises:
        ImportError: without EMA Workbench (``pip install -e '.[ema]'``).
        ScenarioError: for a bad factor, override or outcome, naming it.
    """
    try:
        from ema_workbench import ReplicatorModel, ScalarOutcome
    except ImportError as exc:  # pragma: no cover - the extra is installed in CI
        raise ImportError(EXTRA_HINT) from exc
    from sim.inputs import load_scenario
    from sim.rng import replicate_seeds

    if not isinstance(base, Scenario):
        base = load_scenario(base)
    fixed = dict(overrides or {})
    if fixed:
        base.with_overrides(fixed, source="overrides")  # checked here, applied per run
    if not factors:
        raise ScenarioError("factors: name at least one dotted field to vary")
    if outcomes is None:
        names = [n for n in outcome_names(None) if n != "roi"]
    else:
        names = outcome_names(outcomes)
    if not isinstance(replications, int) or replications < 1:
        raise ScenarioError(f"replications: expected a whole number >= 1, got {replications!r}")
    model = ReplicatorModel(name, function=_Run(base, fixed, names))
    model.uncertainties = [_parameter(k, v, base) for k, v in factors.items()]
    model.outcomes = [
        ScalarOutcome(n, function=aggregate) if aggregate is not None else ScalarOutcome(n)
        for n in names
    ]
    model.replications = [{"seed": int(s)} for s in replicate_seeds(root_seed, replications)]
    return model
