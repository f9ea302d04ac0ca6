"""Experiment files: the schema of a sweep and its factors, validated like scenarios.

An experiment file (TOML, see ``experiments/smoke.toml``) names a base scenario, fixed overrides,
the factors to vary (dotted scenario keys with their values or a ``[low, high]`` range), a
design (``grid``, ``lhs``, ``sobol``, ``morris``), replicates (default 8), a root seed (default
2026; both as in a comparison file), a horizon, which weeks and metrics to keep and any outcomes
of its own. Every factor key is checked against the scenario schema
(:func:`sim.scenario.field_specs`) and every value through :meth:`Scenario.with_overrides`, so a
bad file is rejected before anything runs, with the file and the dotted field in the message;
every problem found is reported at once (schema, factors, samples, outputs and outcomes).

**Values and ranges: one syntax in every design.** A factor is a table::

    "organisation.structure" = { values = ["matrix", "self_organised"] }   # these values
    "culture.responsiveness" = { range = [0.1, 0.9] }                      # a [low, high] range
    "culture.responsiveness" = { range = [0.1, 0.9], levels = 5 }          # grid: 5 levels

``values`` always means these values (a grid crosses them; the sampling designs draw among them
uniformly) and ``range`` always means the interval (the sampling designs draw from it; a grid
needs ``levels``, evenly spaced). A bare list is shorthand for ``values`` and is accepted in a
grid only: in ``lhs``, ``sobol`` and ``morris`` designs it used to mean a range, so it is refused
there with a message giving both spellings rather than silently changing meaning.

**Outputs.** ``[outputs]`` ``weeks`` keeps ``"all"`` weeks (default), ``"final"``, ``"none"`` or a
list of week numbers in the weekly table; ``metrics`` lists the per-week columns to keep (default:
every column of ``sim.metrics.COLUMNS``, ``python run.py params`` does not list them: see
docs/ODD.md's output table). The headline outcomes of every run (``sim.experiment.HEADLINES``)
are always computed from the full weeks, whatever is kept.

**Outcomes of its own.** ``[outcomes]`` adds outcomes to the runs table, each read from the
run's per-week table (all weeks, whatever ``[outputs]`` keeps)::

    [outcomes]
    adoption_week_26 = { metric = "adoption_rate", week = 26 }                # value at a week
    satisfaction_year_2 = { metric = "satisfaction_mean", mean_over = [53, 104] }  # mean of weeks
    churn_rate_late = { metric = "churn_rate", mean_over = [40, 52], description = "..." }

Names are lower-case identifiers that are not headline outcomes; ``metric`` is any column of
``sim.metrics.COLUMNS``; ``week`` and ``mean_over = [first, last]`` (inclusive) lie within the
horizon. They are summarised, tested and plotted like the headline outcomes, and ``run.py
discover --outcome NAME`` takes them.

File-valued fields (:data:`FILE_KEYS`: ``organisation.org_chart``, ``customers.file``; under
``[set]`` and ``[baseline]`` also ``organisation.org_chart_map``) under ``[set]``, ``[factors]``
and ``[baseline]`` are relative to the experiment file, as they are in a scenario file, and
every level of such a factor is read and validated when the file is loaded, before any run.
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


class OutcomeSpec(_Strict):
    """One outcome of an experiment's own (``[outcomes]``): a metric at a week, or its mean."""

    metric: str = Field(min_length=1, description="a column of sim.metrics.COLUMNS")
    week: int | None = Field(None, ge=1, le=5200, description="the value at this week")
    mean_over: list[int] | None = Field(
        None, min_length=2, max_length=2, description="[first, last] week, inclusive: the mean"
    )
    description: str = Field("", max_length=500)


@dataclass(frozen=True)
class CustomOutcome:
    """An outcome an experiment file defines (see the module docstring, ``[outcomes]``).

    Attributes:
        name: its column in the runs table.
        metric: the per-week column it reads.
        first: first week read (the only one for a value at a week).
        last: last week read.
        description: what it is (the column's description in the Parquet schema).
    """

    name: str
    metric: str
    first: int
    last: int
    description: str = ""

    def value(self, df: Any) -> float:
        """The outcome of one run from its per-week table (indexed by week, 1 = first)."""
        col = df[self.metric]
        if self.first == self.last:
            return float(col.loc[self.first])
        return float(col.loc[self.first : self.last].mean())  # NaN weeks left out, as pandas

    def describe(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        return {
            "name": self.name,
            "metric": self.metric,
            "weeks": [self.first, self.last],
            "description": self.text(),
        }

    def text(self) -> str:
        """The description, or one made from the definition."""
        if self.description:
            return self.description
        if self.first == self.last:
            return f"{self.metric} at week {self.first}"
        return f"mean of {self.metric} over weeks {self.first}-{self.last}"


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
    replicates: int = Field(
        8, ge=1, le=100_000, description="runs per design point (default 8, as compare)"
    )
    root_seed: int = Field(
        2026, ge=0, le=2**63 - 1, description="seed of every run's seed (default 2026)"
    )
    common_random_numbers: bool = True
    baseline: dict[str, Any] | None = None
    factors: dict[str, Any] = Field(min_length=1)
    outputs: Outputs = Outputs()
    outcomes: dict[str, OutcomeSpec] = Field(
        default_factory=dict, description="outcomes of the experiment's own (see the module)"
    )


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
        outcomes: the experiment's own outcomes (``[outcomes]``), in file order.
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
    outcomes: tuple[CustomOutcome, ...] = ()


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


def _validation_items(err: ValidationError) -> list[str]:
    """Each problem of the experiment schema as ``field: what is wrong``."""
    items = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        loc = re.sub(r"^fixed\b", "set", loc)
        model: type[BaseModel] = Experiment
        if e["loc"][:1] == ("outputs",):
            model = Outputs
        elif e["loc"][:1] == ("outcomes",) and len(e["loc"]) > 2:
            model = OutcomeSpec
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
        if len(e["loc"]) in (1, 2, 3) and isinstance(e["loc"][-1], str):
            items[-1] += _range_of(model, e["loc"][-1])
        if e["type"] == "missing" and e["loc"] == ("factors",):
            items[-1] += (
                ' (a [factors] table, e.g. "culture.responsiveness" = { range = [0.1, 0.9] })'
            )
    return items


#: Most problems named in one message (the rest are counted).
MAX_PROBLEMS = 8


def _problems_message(source: Path, items: list[str]) -> str:
    """Every problem on one line, prefixed by the file."""
    shown = "; ".join(items[:MAX_PROBLEMS])
    extra = len(items) - MAX_PROBLEMS
    more = f"; and {extra} more problem{'s' if extra > 1 else ''}" if extra > 0 else ""
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
        if design != "grid":  # it meant a range here once: refused, not silently reread
            shown = short_repr(raw)
            raise InputError(
                f"{where}: a bare list is a grid's shorthand for values; in {_an(design)} design "
                f"write {{ range = {shown} }} to draw from the range, or {{ values = {shown} }} "
                "to draw among these values"
            )
        table: dict[str, Any] = {"values": raw}
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


def _an(design: str) -> str:
    return f"an {design}" if design == "lhs" else f"a {design}"


def _current(scenario: Scenario, key: str) -> Any:
    node: Any = scenario.model_dump()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


#: Stand-ins for required fields the schema refused, so that the rest of a file is still
#: checked and every problem is reported at once.
_STAND_INS = {"name": "experiment", "design": "grid", "factors": {"_": [0]}}
#: Columns of the runs table an outcome of the experiment's own may not be named.
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "attempts", "error", "elapsed_s")
_OUTCOME_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def load_experiment(path: str | Path) -> LoadedExperiment:
    """Read and validate an experiment file, reporting every problem at once.

    Args:
        path: the TOML file.

    Returns:
        The validated experiment with its base scenario and resolved factors.

    Raises:
        InputError: one line naming the file and, for each problem, the dotted field: an
            unreadable or malformed file, unknown keys, wrong types, out-of-range values,
            unknown factor keys or factor values outside the scenario's bounds, a bare list in a
            sampling design, samples the design does not accept, bad outputs or outcomes.
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
    problems: list[str] = []
    try:
        spec = Experiment.model_validate(data)
    except ValidationError as err:
        problems += _validation_items(err)
        bad = {e["loc"][0] for e in err.errors() if e["loc"]}
        if "base" in bad:  # nothing else can be checked without the base scenario
            raise InputError(_problems_message(path, problems)) from None
        partial = {k: v for k, v in data.items() if k not in bad}
        try:
            spec = Experiment.model_validate({**_STAND_INS, **partial})
        except ValidationError:
            raise InputError(_problems_message(path, problems)) from None
        if "factors" in bad or "factors" not in data:
            spec = spec.model_copy(update={"factors": {}})
        if "design" in bad:
            spec = spec.model_copy(update={"design": "grid"})

    # base scenario, fixed overrides and horizon
    ref = spec.base
    base_ref: str | Path = path.parent / ref if ref.endswith(".toml") else ref
    try:
        base = load_scenario(base_ref)
    except ScenarioError as e:
        raise InputError(_problems_message(path, [*problems, f"base: {e}"])) from None
    specs = {f.path: f for f in field_specs()}
    fixed = dict(spec.fixed)
    set_ok = True
    if spec.horizon_weeks is not None:
        if "horizon_weeks" in fixed:
            problems.append("set.horizon_weeks: give the horizon once (horizon_weeks)")
            fixed.pop("horizon_weeks")
        fixed["horizon_weeks"] = spec.horizon_weeks
    try:  # together first: structure = "org_chart" needs the org_chart path with it
        base = base.with_overrides(fixed) if fixed else base
    except ScenarioError:
        set_ok = False
        alone_ok = True
        for key, value in fixed.items():  # one at a time, to name each field at fault
            try:
                base.with_overrides({key: value})
            except ScenarioError as e:
                alone_ok = False
                known = "unknown field" not in str(e) or "did you mean" in str(e)
                hint = "" if known else _unknown_key_hint(key, specs)
                problems.append(f"set.{key}: {_scenario_msg(e)}{hint}")
        if alone_ok:  # every key alone passed: the combination is at fault
            try:
                base.with_overrides(fixed)
            except ScenarioError as e:
                problems.append(f"set: {_scenario_msg(e)}")
    if set_ok:
        try:
            base = resolve_inputs(base)  # if [set] named another chart or customer file
        except InputError as e:
            set_ok = False
            problems.append("; ".join(str(e).splitlines()))

    factors = []
    if set_ok:  # factors are checked against the base with [set] applied
        for key, value in spec.factors.items():
            if key in spec.fixed:
                problems.append(f"factors.{key}: also fixed under [set]; choose one")
                continue
            try:
                factors.append(
                    _resolve_factor(key, value, spec.design, base, specs, f"factors.{key}")
                )
            except InputError as e:
                problems.append("; ".join(str(e).splitlines()))

    if spec.design == "grid":
        if spec.samples is not None:
            problems.append("samples: a grid design crosses the factor values; remove it")
    elif spec.samples is None:
        problems.append(f"samples: required by {_an(spec.design)} design")
    elif spec.design == "sobol" and spec.samples & (spec.samples - 1):
        problems.append(f"samples: a Sobol design needs a power of 2 (got {spec.samples})")
    if spec.design == "morris" and spec.samples is not None and spec.samples < 2:
        problems.append("samples: a Morris design needs at least 2 trajectories")

    # outputs
    horizon = base.horizon_weeks
    weeks: tuple[int, ...] | None = None
    if spec.outputs.weeks == "final":
        weeks = (-1,)
    elif spec.outputs.weeks == "none":
        weeks = ()
    elif spec.outputs.weeks != "all":
        bad_weeks = [w for w in spec.outputs.weeks if not 1 <= w <= horizon]
        if bad_weeks:
            problems.append(
                f"outputs.weeks: week {bad_weeks[0]} is outside the horizon [1, {horizon}]"
            )
        weeks = tuple(sorted(set(spec.outputs.weeks)))
    metrics = tuple(spec.outputs.metrics) if spec.outputs.metrics is not None else tuple(COLUMNS)
    unknown = [m for m in metrics if m not in COLUMNS]
    if unknown:
        problems.append(f"outputs.metrics: unknown metric {unknown[0]!r}{_metric_hint(unknown[0])}")
    if len(set(metrics)) != len(metrics):
        problems.append("outputs.metrics: a metric is listed twice")

    outcomes = _custom_outcomes(spec, horizon, problems)
    if problems:
        raise InputError(_problems_message(path, problems))
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
        outcomes=outcomes,
    )


def _metric_hint(name: str) -> str:
    from sim.metrics import COLUMNS

    close = difflib.get_close_matches(name, list(COLUMNS), n=3)
    return f"; did you mean {', '.join(close)}?" if close else "; see sim.metrics.COLUMNS"


def _custom_outcomes(
    spec: Experiment, horizon: int, problems: list[str]
) -> tuple[CustomOutcome, ...]:
    """The ``[outcomes]`` of an experiment, checked; each problem is appended to ``problems``."""
    from sim.experiment import HEADLINES
    from sim.metrics import COLUMNS

    out = []
    for name, o in spec.outcomes.items():
        where = f"outcomes.{name}"
        n_before = len(problems)
        if not _OUTCOME_NAME.match(name):
            problems.append(f"{where}: a name is lower-case letters, digits and _ (adoption_26)")
        elif name in HEADLINES or name in RUN_COLUMNS or name in spec.factors:
            problems.append(f"{where}: {name!r} is already a column of the runs table")
        if o.metric not in COLUMNS:
            problems.append(f"{where}.metric: unknown metric {o.metric!r}{_metric_hint(o.metric)}")
        if (o.week is None) == (o.mean_over is None):
            problems.append(
                f"{where}: give either week = N (the value at a week) or mean_over = "
                "[first, last] (the mean over those weeks)"
            )
            continue
        first, last = (o.week, o.week) if o.week is not None else tuple(o.mean_over or (0, 0))
        if not 1 <= first <= last <= horizon:
            what = "week" if o.week is not None else "mean_over"
            got = o.week if o.week is not None else list(o.mean_over or ())
            problems.append(
                f"{where}.{what}: {got} must lie within the horizon [1, {horizon}]"
                + (", first <= last" if o.mean_over is not None else "")
            )
        if len(problems) == n_before:
            out.append(CustomOutcome(name, o.metric, first, last, o.description))
    return tuple(out)
