"""Org designs: scenarios built on an imported org chart, a base file and transformations.

``sim.load_scenario`` (:mod:`sim.inputs`) hands every scenario file here
(:func:`prepare_scenario`):

1. **Base files.** ``base = "current.toml"`` (relative to the file that says it, or a preset
   name) loads that scenario's TOML first; this file's tables are merged over it key by key,
   arrays replace the base's, except ``transformations``, which are appended to the base's. So a
   proposed design is "the current one, plus these changes" and stays in step with it.
2. **Paths.** ``organisation.org_chart``, ``organisation.org_chart_map`` and ``customers.file``
   are resolved relative to the file that names them and stored as absolute paths.
3. **Validation** of the merged data (``sim.scenario``), then the ``incentives`` and
   ``change_programme`` transformations are written into the scenario's fields (in the order
   listed; later ones win; ``--set`` overrides applied afterwards win over them).
4. **Input files** (:func:`resolve_inputs`). The org chart and customer file are read and
   validated, the structural transformations are applied, and ``customers.count`` is set to the
   number of customers in the file. Any problem raises an ``InputError`` before anything runs.
   The transformed chart and the customer book are attached to the scenario
   (:class:`ResolvedInputs`, ``Scenario.inputs``); they travel with it through ``with_overrides``,
   ``counterfactual()``, copies and pickling (to sweep and Dask workers).

At run time :func:`structure_from_scenario` (called by ``OrgModel``) draws the collaboration ties
of the attached chart from the run's structure stream and :func:`customer_book` hands the
attached book to the initial state; neither opens a file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.scenario import (
    Scenario,
    ScenarioError,
    _validate,
    read_toml,
    resolve_scenario_path,
)
from sim.structures.org_chart import (
    ChartStructure,
    CustomerBook,
    OrgChart,
    load_customers,
    load_org_chart,
)
from sim.structures.transform import apply_structural

_PATH_FIELDS = (
    ("organisation", "org_chart"),
    ("organisation", "org_chart_map"),
    ("customers", "file"),
)


def _resolve_paths(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Make the file references of one scenario file absolute, relative to that file."""
    out = dict(data)
    for sec, key in _PATH_FIELDS:
        table = out.get(sec)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key].strip():
            p = Path(table[key].strip())
            out[sec] = {**table, key: str(p if p.is_absolute() else (path.parent / p).resolve())}
    return out


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: tables merged key by key, arrays replaced, transformations added."""
    out = dict(base)
    for k, v in top.items():
        if k == "transformations" and isinstance(v, list):
            prior = out.get(k)
            out[k] = (prior if isinstance(prior, list) else []) + v
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def expand(data: dict[str, Any], path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Follow ``base`` references and resolve file paths; returns plain, unvalidated data.

    Raises:
        ScenarioError: for a bad ``base`` value, a missing base file or a cycle of bases.
    """
    path = Path(path).resolve()
    chain = (*_chain, path)
    data = _resolve_paths(data, path)
    if "base" not in data:
        return data
    ref = data.pop("base")
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(
            f"{path}: base: expected the name of a scenario file, e.g. 'current.toml' (got {ref!r})"
        )
    ref = ref.strip()
    target = path.parent / ref if ref.endswith(".toml") or "/" in ref else ref
    try:
        base_path = resolve_scenario_path(target).resolve()
    except ScenarioError as e:
        raise ScenarioError(f"{path}: base: {e}") from None
    if base_path in chain:
        raise ScenarioError(
            f"{path}: base: {' -> '.join(p.name for p in (*chain, base_path))} is a cycle; "
            "expected a chain of base files that ends"
        )
    base = expand(read_toml(base_path), base_path, chain)
    return _merge(base, data)


def input_files(path: str | Path) -> list[Path]:
    """Every file a scenario file reads: itself, its base files, org chart and customer file."""
    path = resolve_scenario_path(path).resolve()
    files = [path]
    data = _resolve_paths(read_toml(path), path)
    ref = data.get("base")
    if isinstance(ref, str) and ref.strip():
        ref = ref.strip()
        target = path.parent / ref if ref.endswith(".toml") or "/" in ref else ref
        files.extend(f for f in input_files(target) if f not in files)
    for sec, key in _PATH_FIELDS:
        table = data.get(sec)
        if isinstance(table, dict) and isinstance(table.get(key), str):
            p = Path(table[key])
            if p not in files:
                files.append(p)
    return files


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def apply_parameter_transformations(scenario: Scenario, source: str = "override") -> Scenario:
    """Write ``incentives`` and ``change_programme`` transformations into the scenario's fields."""
    data = scenario.model_dump()
    changed = False
    for t in scenario.transformations:
        if t.kind == "incentives":
            data["culture"]["incentive_alignment"] = t.incentive_alignment
            changed = True
        elif t.kind == "change_programme":
            prog = data["change_programme"]
            prog["steps"] = [s.model_dump() for s in t.steps]
            for key in ("intensity", "cost_per_step", "champion_share"):
                if getattr(t, key) is not None:
                    prog[key] = getattr(t, key)
            changed = True
    return _validate(data, source=source) if changed else scenario


def _chart_path(scenario: Scenario) -> str:
    """The scenario's org-chart file, or InputError when it has none."""
    path = scenario.organisation.org_chart
    if scenario.organisation.structure != "org_chart" or not path:
        raise InputError("this scenario has no org chart (organisation.structure = 'org_chart')")
    return path


def transformed_chart(scenario: Scenario) -> OrgChart:
    """Read the scenario's org chart and apply its structural transformations.

    Raises:
        InputError: if the scenario has no org chart, the file is invalid or a transformation
            cannot apply.
    """
    chart = load_org_chart(_chart_path(scenario), scenario.organisation.org_chart_map)
    return apply_structural(chart, scenario.transformations)


@dataclass(frozen=True)
class ResolvedInputs:
    """The tables of a scenario's input files, read and validated once (plain, picklable data).

    No field takes part in ``==``: scenarios compare by their fields (which name the files), as
    they did before the tables were attached.

    Attributes:
        chart: the org chart after the scenario's structural transformations.
        customers: the customer file, or None when the customers are generated.
    """

    chart: OrgChart = field(compare=False, repr=False)
    customers: CustomerBook | None = field(compare=False, repr=False)


def read_inputs(scenario: Scenario) -> ResolvedInputs:
    """Read and check the org chart, its transformations and the customer file of a scenario.

    Raises:
        InputError: naming the file (and row and column) or the transformation at fault.
    """
    chart = transformed_chart(scenario)
    chart.to_structure(rng=np.random.default_rng(0))  # the model's invariants, checked now
    book = None
    if scenario.customers.file:
        # owners are checked against the chart as imported, then against the transformed one
        book = load_customers(
            scenario.customers.file, _chart_path(scenario), scenario.organisation.org_chart_map
        )
        book.owners_in(chart)
    return ResolvedInputs(chart=chart, customers=book)


def resolve_inputs(scenario: Scenario, source: str | None = None) -> Scenario:
    """The scenario with its input tables attached.

    ``sim.load_scenario`` calls this; call it yourself for a scenario built in code that names an
    org chart, or after overrides that may have changed the chart, the customer file or a
    structural transformation (``with_overrides`` then drops the tables). A scenario without an
    org chart, or whose tables are attached, is returned as it is.

    Args:
        scenario: a validated scenario whose file paths are absolute (or relative to the cwd).
        source: what error messages start with (the scenario file), if they do not already.

    Returns:
        A copy carrying :class:`ResolvedInputs`, with ``customers.count`` set to the customer
        file's size when there is one.

    Raises:
        InputError: naming the file (and row and column) or the transformation at fault.
    """
    if scenario.organisation.structure != "org_chart" or scenario.inputs is not None:
        return scenario
    try:
        inputs = read_inputs(scenario)
    except InputError as e:
        msg = str(e)
        if source is not None and not msg.startswith(source):
            msg = f"{source}: {msg}"
        raise type(e)(msg) from None
    book = inputs.customers
    if book is not None and scenario.customers.count != len(book):
        scenario = scenario.with_overrides({"customers.count": len(book)})
    return scenario.with_inputs(inputs)


def resolved_inputs(scenario: Scenario) -> ResolvedInputs:
    """The input tables attached to a scenario (see :func:`resolve_inputs`).

    Raises:
        InputError: if the scenario names an org chart whose tables are not attached.
    """
    if scenario.inputs is None:
        raise InputError(
            f"{scenario.organisation.org_chart}: org chart not loaded; load the scenario with "
            "sim.load_scenario, or pass one built in code (or whose org chart, customer file or "
            "structural transformations were overridden) through sim.design.resolve_inputs"
        )
    return scenario.inputs


def structure_from_scenario(scenario: Scenario, *, rng: np.random.Generator) -> ChartStructure:
    """The run's structure: the attached transformed chart with ties drawn from ``rng``."""
    return resolved_inputs(scenario).chart.to_structure(rng=rng)


def customer_book(scenario: Scenario) -> CustomerBook | None:
    """The scenario's attached customer book, or None when customers are generated."""
    if not scenario.customers.file:
        return None
    return resolved_inputs(scenario).customers


def prepare_scenario(data: dict[str, Any], path: Path) -> Scenario:
    """Base files, paths, validation, parameter transformations and input files (see above)."""
    source = str(path)
    scenario = _validate(expand(data, path), source=source)
    scenario = apply_parameter_transformations(scenario, source=source)
    return resolve_inputs(scenario, source)
