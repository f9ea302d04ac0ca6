"""Experiment files: the schema of a sweep and its factors, validated like scenarios.

An experiment file (TOML, see ``experiments/smoke.toml``) names a base scenario, fixed overrides,
the factors to vary (dotted scenario keys with a list of values or a ``[low, high]`` range), a
design (``grid``, ``lhs``, ``sobol``, ``morris``), replicates, a root seed, a horizon and which
weeks to keep. Every factor key is checked against the scenario schema
(:func:`sim.scenario.field_specs`) and every value through :meth:`Scenario.with_overrides`, so a
bad file is rejected before anything runs, with the file and the dotted field in the message.

A factor is written either as a bare list or as a table::

    "culture.responsiveness" = [0.2, 0.5, 0.8]          # grid: these values
    "culture.responsiveness" = [0.1, 0.9]               # lhs / sobol / morris: a range
    "culture.responsiveness" = { range = [0.1, 0.9], levels = 5 }   # grid: 5 evenly spaced
    "organisation.structure" = { values = ["matrix", "self_organised"] }

In a grid a bare list is a list of values; in the sampling designs it is a ``[low, high]`` range.
Discrete factors (``values``) in the sampling designs are drawn uniformly over their values.

File-valued fields (:data:`FILE_KEYS`: ``organisation.org_chart``, ``customers.file``) under
``[set]``, ``[factors]`` and ``[baseline]`` are relative to the experiment file, as they are in a
scenario file, and every level of such a factor is read and validated when the file is loaded,
before any run.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.design import resolve_inputs
from sim.errors import InputError
from sim.inputs import load_scenario
from sim.scenario import (
    FieldSpec,
    Scenario,
    ScenarioError,
    accepted_keys_hint,
    field_bounds,
    field_specs,
    read_toml_file,
    short_repr,
)

DESIGNS = ("grid", "lhs", "sobol", "morris")
MAX_RUNS = 10_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class Outputs(_Strict):
    """Which weeks and metrics of each run are kept in the weekly table."""

    weeks: Literal["all", "final", "none"] | list[int] = Field(
        "all", description="'all', 'final', 'none' or a list of week numbers (1 = first week)"
    )
    metrics: list[str] | None = Field(
        None, description="per-week columns to keep (default: all of sim.metrics.COLUMNS)"
    )


class Experiment(_Strict):
    """The raw, schema-checked content of an experiment file (factors not yet resolved)."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = Field("", max_length=5000)
    base: str = Field(min_length=1, description="preset name or scenario file (relative path)")
    fixed: dict[str, Any] = Field(
        default_factory=dict, alias="set", description="overrides applied to every run"
    )
    horizon_weeks: int | None = Field(None, ge=1, le=5200)
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(
        None, ge=1, le=1_000_000, description="lhs: points; sobol: N (power of 2); morris: r"
    )
    second_order: bool = False
    morris_levels: int = Field(4, ge=2, le=100)
    replicates: int = Field(ge=1, le=100_000)
    root_seed: int = Field(ge=0, le=2**63 - 1)
    common_random_numbers: bool = True
    baseline: dict[str, Any] | None = None
    factors: dict[str, Any] = Field(min_length=1)
    outputs: Outputs = Outputs()


Dtype = Literal["float", "int", "bool", "str", "json"]


@dataclass(frozen=True)
class Factor:
    """One varied scenario field: a list of values, or a ``[low, high]`` range.

    Attributes:
        key: dotted scenario path, e.g. ``culture.responsiveness``.
        kind: ``values`` (discrete) or ``range`` (continuous, or integer for int fields).
        values: the values of a discrete factor.
        low: lower end of a range.
        high: upper end of a range.
        levels: evenly spaced levels of a range in a grid design.
        dtype: column type in the results (``float``, ``int``, ``bool``, ``str``, ``json``).
    """

    key: str
    kind: Literal["values", "range"]
    values: tuple[Any, ...] = ()
    low: float = math.nan
    high: float = math.nan
    levels: int | None = None
    dtype: Dtype = "float"

    @property
    def bounds(self) -> tuple[float, float]:
        """Bounds in the samplers' problem space: the range, or ``[0, k]`` for k values."""
        if self.kind == "range":
            return (self.low, self.high)
        return (0.0, float(len(self.values)))

    def grid_values(self) -> list[Any]:
        """The levels a grid design crosses."""
        if self.kind == "values":
            return list(self.values)
        assert self.levels is not None
        xs = np.linspace(self.low, self.high, self.levels)
        return list(dict.fromkeys(self.from_problem(float(x)) for x in xs))

    def from_problem(self, x: float) -> Any:
        """Map a sampler coordinate (within :attr:`bounds`) to a scenario value."""
        if self.kind == "values":
            return self.values[min(max(int(math.floor(x)), 0), len(self.values) - 1)]
        if self.dtype == "int":
            return int(min(max(round(x), math.ceil(self.low)), math.floor(self.high)))
        return float(min(max(x, self.low), self.high))

    def describe(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        d: dict[str, Any] = {"key": self.key, "kind": self.kind, "dtype": self.dtype}
        if self.kind == "values":
            d["values"] = list(self.values)
        else:
            d["range"] = [self.low, self.high]
            if self.levels is not None:
                d["levels"] = self.levels
        return d


@dataclass(frozen=True)
class LoadedExperiment:
    """A validated experiment: the schema, its resolved factors and base scenario.

    Attributes:
        spec: the schema-checked file content.
        path: the file it came from.
        text: the file's text (recorded in the manifest).
        sha256: hash of the file's bytes.
        base: the base scenario with the fixed overrides and horizon applied.
        factors: the resolved factors, in file order.
        weeks: weeks to keep (``None``: all; empty tuple: none; ``(-1,)``: the final week).
        metrics: per-week columns to keep.
        base_ref: the base scenario as ``load_scenario`` was given it (a preset name or a path
            relative to the working folder), for :func:`sim.design.input_files`.
    """

    spec: Experiment
    path: Path
    text: str
    sha256: str
    base: Scenario
    factors: tuple[Factor, ...]
    weeks: tuple[int, ...] | None
    metrics: tuple[str, ...]
    base_ref: str | Path = ""


def _flatten(data: dict[str, Any], prefix: str = "", stop: frozenset[str] = frozenset()) -> dict:
    """Nested TOML tables -> dotted keys; a table holding any key in ``stop`` is a leaf."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and not (stop & set(v)):
            out.update(_flatten(v, key + ".", stop))
        else:
            out[key] = v
    return out


_OVERRIDE_PREFIX = re.compile(r"^override(?: '[^']*')?: ")


def _scenario_msg(err: ScenarioError) -> str:
    """A ScenarioError from ``with_overrides`` without its ``override:`` prefix, on one line."""
    return "; ".join(_OVERRIDE_PREFIX.sub("", line) for line in str(err).splitlines())


def _experiment_keys(model: type[BaseModel]) -> list[str]:
    """The keys a table of the experiment schema accepts (aliases as written in the file)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _range_of(model: type[BaseModel], name: str) -> str:
    """'; accepted range [lo, hi]' of a numeric field of the experiment schema, or ''."""
    info = model.model_fields.get(name)
    if info is None:
        return ""
    lo, hi = field_bounds(info)
    return f"; accepted range [{lo}, {hi}]" if lo is not None or hi is not None else ""


def _format_validation(err: ValidationError, source: Path) -> str:
    """All problems of the experiment schema on one line, prefixed by the file."""
    items = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        loc = re.sub(r"^fixed\b", "set", loc)
        model: type[BaseModel] = Outputs if e["loc"][:1] == ("outputs",) else Experiment
        if e["type"] == "extra_forbidden":
            keys = _experiment_keys(model)
            items.append(f"{loc}: unknown key{accepted_keys_hint(str(e['loc'][-1]), keys)}")
            continue
        if e["type"] in ("dict_type", "model_type"):
            items.append(f"{loc}: expected a table ([{loc}] with key = value lines)")
        else:
            items.append(f"{loc}: {e['msg']}")
        if "input" in e and e["type"] != "missing" and not isinstance(e["input"], dict):
            items[-1] += f" (got {short_repr(e['input'])})"
        if len(e["loc"]) in (1, 2) and isinstance(e["loc"][-1], str):
            items[-1] += _range_of(model, e["loc"][-1])
    shown = "; ".join(items[:5])
    more = f"; and {len(items) - 5} more problems" if len(items) > 5 else ""
    return f"{source}: {shown}{more}"


def _unknown_key_hint(key: str, specs: dict[str, FieldSpec]) -> str:
    close = difflib.get_close_matches(key, [*specs, "organisation.structure"], n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _field_dtype(key: str, values: list[Any], specs: dict[str, FieldSpec]) -> Dtype:
    if key in specs:
        return specs[key].kind  # type: ignore[return-value]
    if all(isinstance(v, str) for v in values):
        return "str"
    return "json"


def _normalise(value: Any, dtype: Dtype) -> Any:
    if dtype == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _resolve_factor(
    key: str,
    raw: Any,
    design: str,
    base: Scenario,
    specs: dict[str, FieldSpec],
    where: str,
) -> Factor:
    """Validate one factor against the scenario schema; ``where`` prefixes every message."""
    if isinstance(raw, list):
        if design == "grid":
            table: dict[str, Any] = {"values": raw}
        else:
            table = {"range": raw}
    elif isinstance(raw, dict):
        unknown = set(raw) - {"values", "range", "levels"}
        if unknown:
            raise InputError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; use values, range, levels"
            )
        table = raw
    else:
        raise InputError(
            f"{where}: expected a list of values, a [low, high] range or a table (got {raw!r})"
        )
    if ("values" in table) == ("range" in table):
        raise InputError(f"{where}: give either values = [...] or range = [low, high]")
    try:
        current = _current(base, key)
    except KeyError:
        raise InputError(
            f"{where}: unknown scenario field {key!r}{_unknown_key_hint(key, specs)}"
        ) from None
    if isinstance(current, dict):
        raise InputError(f"{where}: {key!r} is a section; name one of its fields")
    spec = specs.get(key)
    if "values" in table:
        values = table["values"]
        if "levels" in table:
            raise InputError(f"{where}: levels only applies to a range")
        if not isinstance(values, list) or not values:
            raise InputError(f"{where}: values must be a non-empty list")
        dtype = _field_dtype(key, values, specs)
        values = [_normalise(v, dtype) for v in values]
        for v in values:
            try:
                base.with_overrides({key: v})
            except ScenarioError as e:
                raise InputError(f"{where}: value {v!r}: {_scenario_msg(e)}") from None
            if key in FILE_KEYS:
                _check_file_level(key, v, base, where)
        if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
            raise InputError(f"{where}: values repeat")
        return Factor(key=key, kind="values", values=tuple(values), dtype=dtype)
    rng = table["range"]
    if spec is None or spec.kind not in ("int", "float"):
        raise InputError(f"{where}: a range needs a numeric field; list the values instead")
    if (
        not isinstance(rng, list)
        or len(rng) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)
        or not all(math.isfinite(x) for x in rng)
    ):
        raise InputError(f"{where}: a range is [low, high], two numbers (got {rng!r})")
    low, high = float(rng[0]), float(rng[1])
    if not low < high:
        raise InputError(f"{where}: range [{rng[0]}, {rng[1]}] must have low < high")
    lo = -math.inf if spec.lo is None else spec.lo
    hi = math.inf if spec.hi is None else spec.hi
    if low < lo or high > hi:
        raise InputError(
            f"{where}: range [{rng[0]}, {rng[1]}] lies outside the field's accepted range "
            f"[{spec.lo}, {spec.hi}]"
        )
    if spec.kind == "int" and math.floor(high) < math.ceil(low):
        raise InputError(f"{where}: range [{rng[0]}, {rng[1]}] holds no integer")
    levels = table.get("levels")
    if design == "grid":
        if not isinstance(levels, int) or isinstance(levels, bool) or not 2 <= levels <= 1000:
            raise InputError(
                f"{where}: a range in a grid design needs levels = N (2 to 1000), "
                "or list the values"
            )
    elif levels is not None:
        raise InputError(f"{where}: levels only applies to a grid design")
    return Factor(key=key, kind="range", low=low, high=high, levels=levels, dtype=spec.kind)  # type: ignore[arg-type]


#: Scenario fields that name a file: a relative path in an experiment file (under [set],
#: [factors] or [baseline]) is relative to the experiment file, as in a scenario file.
FILE_KEYS = ("organisation.org_chart", "customers.file")


def _resolve_file_values(data: dict[str, Any], folder: Path) -> None:
    """Make the relative file paths of :data:`FILE_KEYS` absolute, relative to ``folder``.

    Works on the raw, flattened file content before validation; values that are not text are
    left for the schema to refuse.
    """

    def resolve(v: Any) -> Any:
        if isinstance(v, str) and v.strip() and not Path(v.strip()).is_absolute():
            return str((folder / v.strip()).resolve())
        return v

    for section in ("set", "baseline"):
        table = data.get(section)
        if isinstance(table, dict):
            for key in (*FILE_KEYS, "organisation.org_chart_map"):
                if key in table:
                    table[key] = resolve(table[key])
    factors = data.get("factors")
    if isinstance(factors, dict):
        for key in FILE_KEYS:
            f = factors.get(key)
            if isinstance(f, list):
                factors[key] = [resolve(v) for v in f]
            elif isinstance(f, dict) and isinstance(f.get("values"), list):
                factors[key] = {**f, "values": [resolve(v) for v in f["values"]]}


def _check_file_level(key: str, value: Any, base: Scenario, where: str) -> None:
    """Read and validate the file one level of a file-valued factor names, before any run.

    An org chart is read and checked on its own (the structure may be another factor); a
    customer file against the base scenario's chart when it has one, else only found.

    Raises:
        InputError: ``where``, the level and what is wrong with its file.
    """
    from sim.structures.org_chart import load_customers, load_org_chart
    from sim.textfile import NotReadable, check_regular

    if not isinstance(value, str) or not value.strip():
        return  # the schema check names it
    try:
        if key == "organisation.org_chart":
            load_org_chart(value)
        elif base.organisation.org_chart:
            load_customers(value, base.organisation.org_chart)
        else:
            try:
                check_regular(value)
            except NotReadable as e:
                raise InputError(f"{value}: {e.describe(0, 'a customer CSV file')}") from None
    except InputError as e:
        raise InputError(f"{where}: level {value!r}: {'; '.join(str(e).splitlines())}") from None


def _current(scenario: Scenario, key: str) -> Any:
    node: Any = scenario.model_dump()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


def load_experiment(path: str | Path) -> LoadedExperiment:
    """Read and validate an experiment file.

    Args:
        path: the TOML file.

    Returns:
        The validated experiment with its base scenario and resolved factors.

    Raises:
        InputError: naming the file and the dotted field for an unreadable or malformed file,
            unknown keys, wrong types, out-of-range values, unknown factor keys or factor
            values outside the scenario's bounds.
    """
    from sim.metrics import COLUMNS

    path = Path(path)
    raw, text, data = read_toml_file(path, "experiment", InputError)
    if "scenarios" in data and "factors" not in data:
        raise InputError(
            f"{path}: this is a comparison file (scenarios = [...]), not a sweep; "
            "run it with `python run.py compare` or list factors to make it a sweep"
        )
    for section, stop in (("factors", frozenset({"values", "range", "levels"})), ("set", None)):
        if isinstance(data.get(section), dict):
            data[section] = _flatten(data[section], stop=stop or frozenset())
    if isinstance(data.get("baseline"), dict):
        data["baseline"] = _flatten(data["baseline"])
    _resolve_file_values(data, path.parent)
    try:
        spec = Experiment.model_validate(data)
    except ValidationError as err:
        raise InputError(_format_validation(err, path)) from None

    # base scenario, fixed overrides and horizon
    ref = spec.base
    base_ref: str | Path = path.parent / ref if ref.endswith(".toml") else ref
    try:
        base = load_scenario(base_ref)
    except ScenarioError as e:
        raise InputError(f"{path}: base: {e}") from None
    specs = {f.path: f for f in field_specs()}
    fixed = dict(spec.fixed)
    if spec.horizon_weeks is not None:
        if "horizon_weeks" in fixed:
            raise InputError(f"{path}: set.horizon_weeks: give the horizon once (horizon_weeks)")
        fixed["horizon_weeks"] = spec.horizon_weeks
    try:  # together first: structure = "org_chart" needs the org_chart path with it
        base = base.with_overrides(fixed) if fixed else base
    except ScenarioError:
        for key, value in fixed.items():  # one at a time, to name the field at fault
            try:
                base = base.with_overrides({key: value})
            except ScenarioError as e:
                known = "unknown field" not in str(e) or "did you mean" in str(e)
                hint = "" if known else _unknown_key_hint(key, specs)
                raise InputError(f"{path}: set.{key}: {_scenario_msg(e)}{hint}") from None
        try:  # every key alone passed: the combination is at fault
            base.with_overrides(fixed)
        except ScenarioError as e:
            raise InputError(f"{path}: set: {_scenario_msg(e)}") from None
    base = resolve_inputs(base, source=str(path))  # if [set] named another chart or customer file

    factors = []
    for key, value in spec.factors.items():
        if key in spec.fixed:
            raise InputError(f"{path}: factors.{key}: also fixed under [set]; choose one")
        factors.append(
            _resolve_factor(key, value, spec.design, base, specs, f"{path}: factors.{key}")
        )

    if spec.design == "grid":
        if spec.samples is not None:
            raise InputError(f"{path}: samples: a grid design crosses the factor values; remove it")
    elif spec.samples is None:
        raise InputError(f"{path}: samples: required by a {spec.design} design")
    elif spec.design == "sobol" and spec.samples & (spec.samples - 1):
        raise InputError(f"{path}: samples: a Sobol design needs a power of 2 (got {spec.samples})")
    if spec.design == "morris" and spec.samples is not None and spec.samples < 2:
        raise InputError(f"{path}: samples: a Morris design needs at least 2 trajectories")

    # outputs
    horizon = base.horizon_weeks
    weeks: tuple[int, ...] | None
    if spec.outputs.weeks == "all":
        weeks = None
    elif spec.outputs.weeks == "final":
        weeks = (-1,)
    elif spec.outputs.weeks == "none":
        weeks = ()
    else:
        bad = [w for w in spec.outputs.weeks if not 1 <= w <= horizon]
        if bad:
            raise InputError(
                f"{path}: outputs.weeks: week {bad[0]} is outside the horizon [1, {horizon}]"
            )
        weeks = tuple(sorted(set(spec.outputs.weeks)))
    metrics = tuple(spec.outputs.metrics) if spec.outputs.metrics is not None else tuple(COLUMNS)
    unknown = [m for m in metrics if m not in COLUMNS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(COLUMNS), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"{path}: outputs.metrics: unknown metric {unknown[0]!r}{hint}")
    if len(set(metrics)) != len(metrics):
        raise InputError(f"{path}: outputs.metrics: a metric is listed twice")
    return LoadedExperiment(
        spec=spec,
        path=path,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        base=base,
        factors=tuple(factors),
        weeks=weeks,
        metrics=metrics,
        base_ref=base_ref,
    )
