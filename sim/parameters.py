"""The schema of every number: each model parameter with its range, unit, source and help.

Every numeric or boolean field of the scenario schema is declared with :func:`param` (``_f``),
which stores, beside pydantic's range, a label, a unit, a source and, for the fields a user is
typically unsure of, a plausible range. :func:`field_specs` reads them back as :class:`FieldSpec`
rows; the CLI's ``--set``, sweep factors, the app's sliders and ``python run.py params`` (and so
``docs/PARAMETERS.md``) all read them from there.

Units are short strings from :data:`UNITS`, so the same kind of number reads the same everywhere:
``share 0-1`` (a fraction of a whole), ``index 0-1`` (a dial or score without a natural unit),
``per week`` / ``per year`` (a chance or a count in that time), ``1/week`` (a rate: the fraction of
a gap closed, or a hazard, per week), ``1/year`` (a yearly hazard), ``weeks`` / ``days`` (a
duration), ``week number`` (a point in simulated time), ``currency``, ``currency/week``,
``currency/year``, ``people``, ``count``, ``multiplier`` (1 = the reference level) and ``yes/no``.

A source starts with one of :data:`SOURCE_PREFIXES`: ``input:`` (a fact or dial of the user's own
organisation), ``cited:`` (a published figure, named with the figure taken), ``measured:`` (a
measured value and how), ``calibrated:`` (tuned so the model meets a target of docs/ODD.md 7.2,
named) or ``assumption:`` (followed by the reason for the value).

:func:`check_parameters` enforces all this when :mod:`sim.scenario` is imported, so a field cannot
be added without a unit and a source.
"""

from __future__ import annotations

import shlex
import shutil
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.scenario import Scenario

UNITS = (
    "share 0-1",
    "index 0-1",
    "per week",
    "per year",
    "1/week",
    "1/year",
    "weeks",
    "days",
    "week number",
    "currency",
    "currency/week",
    "currency/year",
    "people",
    "count",
    "multiplier",
    "log-normal sigma",
    "logit",
    "share of value",
    "share of contacts",
    "yes/no",
)
SOURCE_PREFIXES = ("input:", "cited:", "measured:", "calibrated:", "assumption:")


class SchemaError(ValueError):
    """A schema field lacks, or has inconsistent, parameter metadata (a programming error)."""


def _f(
    default: Any,
    lo: float | None,
    hi: float | None,
    label: str,
    help: str,
    *,
    unit: str,
    source: str,
    uncertain: bool = False,
    plausible: tuple[float, float] | None = None,
    **kw: Any,
) -> Any:
    """A parameter: a pydantic field with its range, label, help, unit and source.

    Args:
        default: the value when the scenario does not set it.
        lo: smallest accepted value (pydantic ``ge``), None for none.
        hi: largest accepted value (pydantic ``le``), None for none.
        label: a short name for sliders and tables.
        help: one line saying what the number means.
        unit: one of :data:`UNITS`.
        source: where the value comes from, starting with one of :data:`SOURCE_PREFIXES`.
        uncertain: True for a value users are typically unsure of (calibration, the report's
            uncertainty analysis); it then needs ``plausible``.
        plausible: (low, high), the plausible range, inside [lo, hi] and containing ``default``.
        **kw: further ``pydantic.Field`` options.
    """
    return Field(
        default,
        ge=lo,
        le=hi,
        description=help,
        json_schema_extra={
            "label": label,
            "unit": unit,
            "source": source,
            "uncertain": uncertain,
            "plausible": plausible,
        },
        **kw,
    )


#: The public name of :func:`_f` (the schema itself uses the short one).
param = _f


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


@dataclass(frozen=True)
class FieldSpec:
    """What one numeric or boolean scenario field is and may be.

    ``path`` is dotted (``culture.responsiveness``); a field of a list item is written
    ``change_programme.steps[].week``, of a transformation ``transformations[incentives].x``.
    ``unit`` and ``source`` are None only for fields not declared with :func:`param`.
    """

    path: str
    kind: str
    default: Any
    lo: float | None
    hi: float | None
    label: str
    help: str
    unit: str | None = None
    source: str | None = None
    uncertain: bool = False
    plausible_lo: float | None = None
    plausible_hi: float | None = None


def _models_in(ann: Any) -> list[type[BaseModel]]:
    """The pydantic models inside an annotation (``X``, ``list[X]``, ``X | None``, unions)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    out: list[type[BaseModel]] = []
    for a in get_args(ann):
        out.extend(_models_in(a))
    return out


def _literal_values(ann: Any) -> tuple[Any, ...]:
    """The values of a ``Literal`` inside an annotation (``Literal``, ``list[Literal]``, ...)."""
    if get_origin(ann) is Literal:
        return get_args(ann)
    for a in get_args(ann):
        found = _literal_values(a)
        if found:
            return found
    return ()


def _scalar_kind(ann: Any) -> str | None:
    """'int', 'float' or 'bool' for such an annotation or its ``| None`` form, else None."""
    if ann in (int, float, bool):
        return ann.__name__
    args = [a for a in get_args(ann) if a is not type(None)]
    if len(args) == 1 and len(get_args(ann)) == 2 and args[0] in (int, float, bool):
        return args[0].__name__
    return None


def field_bounds(info: Any) -> tuple[float | None, float | None]:
    """The ``ge`` and ``le`` bounds of a pydantic field (None where it has none)."""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def _spec(path: str, kind: str, info: Any) -> FieldSpec:
    lo, hi = field_bounds(info)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    plausible = extra.get("plausible") or (None, None)
    return FieldSpec(
        path=path,
        kind=kind,
        default=info.default,
        lo=lo,
        hi=hi,
        label=str(extra.get("label", path.rsplit(".", 1)[-1])),
        help=info.description or "",
        unit=extra.get("unit"),
        source=extra.get("source"),
        uncertain=bool(extra.get("uncertain", False)),
        plausible_lo=plausible[0],
        plausible_hi=plausible[1],
    )


def field_specs(
    model: type[BaseModel] | None = None, prefix: str = "", *, items: bool = False
) -> list[FieldSpec]:
    """Every scalar field of the schema, in schema order, with its path, range and metadata.

    A field marked ``json_schema_extra={"parameter": False}`` (the ``[run]`` table) is not a
    parameter of the model and is left out.

    Args:
        model: the model to list; default the whole :class:`~sim.scenario.Scenario`.
        prefix: prepended to every path.
        items: also list the fields of list items (programme steps, transformations), which
            are per item and so not settable by a dotted ``--set`` key or a sweep factor.
    """
    if model is None:
        from sim.scenario import Scenario  # imported here: sim.scenario imports this module

        model = Scenario
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = info.annotation
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("parameter") is False:  # how a file is run (``[run]``), not the model
            continue
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(field_specs(ann, prefix=path + ".", items=items))
            continue
        kind = _scalar_kind(ann)
        if kind is not None:
            out.append(_spec(path, kind, info))
            continue
        if items:
            for sub in _models_in(ann):
                tag = sub.model_fields.get("kind")
                kinds = _literal_values(tag.annotation) if tag is not None else ()
                sub_prefix = f"{path}[{kinds[0] if kinds else ''}]."
                out.extend(field_specs(sub, prefix=sub_prefix, items=True))
    return out


def _problems(s: FieldSpec) -> Iterator[str]:
    """What is wrong with one field's parameter metadata (nothing for a good one)."""
    if s.unit not in UNITS:
        yield f"unit {s.unit!r} is not one of sim.parameters.UNITS (add it there if it is new)"
    if not (s.source or "").startswith(SOURCE_PREFIXES):
        yield f"source must start with one of {', '.join(SOURCE_PREFIXES)} (got {s.source!r})"
    elif not s.source.partition(":")[2].strip():
        yield "source says nothing after its prefix"
    lo = -float("inf") if s.lo is None else s.lo
    hi = float("inf") if s.hi is None else s.hi
    has_default = s.default is not None and s.kind != "bool"
    if has_default and not lo <= s.default <= hi:
        yield f"default {s.default} outside [{s.lo}, {s.hi}]"
    if s.uncertain and s.plausible_lo is None:
        yield "uncertain=True needs plausible=(low, high)"
    if s.plausible_lo is not None:
        p_lo, p_hi = s.plausible_lo, s.plausible_hi
        if not (p_hi is not None and lo <= p_lo <= p_hi <= hi):
            yield f"plausible range ({p_lo}, {p_hi}) not inside [{s.lo}, {s.hi}]"
        elif has_default and not p_lo <= s.default <= p_hi:
            yield f"plausible range ({p_lo}, {p_hi}) does not contain the default {s.default}"


def check_parameters(specs: Iterable[FieldSpec]) -> None:
    """Raise SchemaError naming every field whose unit, source or ranges are missing or wrong."""
    found = [f"{s.path}: {p}" for s in specs for p in _problems(s)]
    if found:
        raise SchemaError("parameter metadata: " + "; ".join(found))


# ------------------------------------------------------------ the parameter list (run.py params)
#: Columns of the parameter list, in order (the first seven are the stable interface).
COLUMNS = (
    "path",
    "value",
    "low",
    "high",
    "unit",
    "source",
    "help",
    "uncertain",
    "plausible_low",
    "plausible_high",
    "label",
)
FORMATS = ("table", "csv", "markdown")
#: The command that writes docs/PARAMETERS.md (named in its header; tests regenerate it).
DOC_COMMAND = "python run.py params --format markdown --out docs/PARAMETERS.md"


def _values_at(node: Any, parts: list[str]) -> list[Any]:
    """The values at a :class:`FieldSpec` path in dumped scenario data (several for list items)."""
    if not parts:
        return [node]
    name, bracket, tag = parts[0].partition("[")
    child = node.get(name) if isinstance(node, dict) else None
    if child is None:
        return []
    if not bracket:
        return _values_at(child, parts[1:])
    tag = tag.rstrip("]")
    items = [item for item in child if not tag or item.get("kind") == tag]
    return [v for item in items for v in _values_at(item, parts[1:])]


def parameter_rows(scenario: Scenario | None = None) -> list[dict[str, Any]]:
    """One row per parameter (:data:`COLUMNS`), in schema order.

    Args:
        scenario: whose values fill the ``value`` column; None for the schema defaults. A field
            of list items (programme steps, transformations) shows the items' values joined by
            commas, empty when the scenario has no such item.
    """
    data = scenario.model_dump() if scenario is not None else None
    rows = []
    for s in field_specs(items=True):
        value = s.default
        if data is not None:
            found = [v for v in _values_at(data, s.path.split(".")) if v is not None]
            value = found[0] if "[" not in s.path and found else ", ".join(map(_text, found))
        rows.append(
            {
                "path": s.path,
                "value": value,
                "low": s.lo,
                "high": s.hi,
                "unit": s.unit,
                "source": s.source,
                "help": s.help,
                "uncertain": s.uncertain,
                "plausible_low": s.plausible_lo,
                "plausible_high": s.plausible_hi,
                "label": s.label,
            }
        )
    return rows


def _text(v: Any) -> str:
    """A cell as text: numbers compactly (``300000``, ``1e+12``), booleans as TOML writes them."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _display(row: dict[str, Any]) -> dict[str, str]:
    """A row for reading: the plausible range as one cell, shown for uncertain fields only."""
    out = {c: _text(row[c]) for c in ("path", "value", "low", "high", "unit", "source", "help")}
    lo, hi = row["plausible_low"], row["plausible_high"]
    out["plausible"] = f"{_text(lo)} to {_text(hi)}" if row["uncertain"] else ""
    out["label"] = row["label"]
    return out


def _section(path: str) -> str:
    head = path.split(".")[0].split("[")[0]
    return "scenario" if head == path else head


def _markdown(rows: list[dict[str, Any]], command: str, title: str) -> str:
    lines = [
        f"# Parameters: {title}",
        "",
        "Generated from the scenario schema (`sim/scenario.py`, fields declared with",
        "`sim.parameters.param`) by the command below; do not edit by hand: change the field",
        "and regenerate.",
        "",
        "```",
        command,
        "```",
        "",
        textwrap.fill(
            "Sources: `input:` a fact or dial of your organisation; `cited:` a published figure; "
            "`measured:` a measured value; `calibrated:` tuned to a target of docs/ODD.md 7.2; "
            "`assumption:` a judgement, with its reason. *plausible* is given for values users "
            "are typically unsure of (calibration, uncertainty analysis). Fields written "
            "`x[].y` or `x[kind].y` belong to list items (programme steps, transformations). "
            f"Units: {', '.join(UNITS)}.",
            width=100,
            break_on_hyphens=False,
        ),
    ]
    cols = ("path", "value", "low", "high", "unit", "source", "help", "plausible", "label")
    shown = [_display(r) for r in rows]
    for name in dict.fromkeys(_section(r["path"]) for r in shown):
        lines += ["", f"## {name}", "", "| " + " | ".join(cols) + " |"]
        lines.append("|" + "---|" * len(cols))
        for r in (r for r in shown if _section(r["path"]) == name):
            cells = [r[c].replace("|", "\\|") for c in cols]
            cells[0] = f"`{cells[0]}`"
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _table(rows: list[dict[str, Any]], width: int) -> str:
    """A terminal table: one aligned line of short columns per parameter, then its help and
    source wrapped to the width beneath it (long text in narrow columns would be unreadable)."""
    shown = [_display(r) for r in rows]
    cols = ("path", "value", "low", "high", "unit", "plausible")
    widths = {c: max(len(c), *(len(r[c]) for r in shown)) for c in cols}

    def line(cells: dict[str, str]) -> str:
        return "  ".join(f"{cells[c]:<{widths[c]}}" for c in cols).rstrip()

    indent = "    "
    wrap = textwrap.TextWrapper(
        width=max(width, 60), initial_indent=indent, subsequent_indent=indent + "  "
    )
    out = [line({c: c for c in cols})]
    for r in shown:
        out += [line(r), *wrap.wrap(r["help"]), *wrap.wrap("source: " + r["source"])]
    return "\n".join(out) + "\n"


def render_parameters(
    rows: list[dict[str, Any]],
    fmt: str,
    *,
    command: str = DOC_COMMAND,
    title: str = "schema defaults",
    width: int | None = None,
) -> str:
    """The parameter list as text.

    Args:
        rows: from :func:`parameter_rows`.
        fmt: ``table`` (terminal), ``csv`` (all :data:`COLUMNS`, spreadsheet-safe) or
            ``markdown`` (a generated document, one table per section).
        command: the command named in the markdown header.
        title: what the values are (markdown heading).
        width: terminal width for ``table`` (default: the terminal's, else 120).
    """
    if fmt == "csv":
        import pandas as pd

        from sim import csvsafe

        return str(csvsafe.to_csv(pd.DataFrame(rows, columns=list(COLUMNS))))
    if fmt == "markdown":
        return _markdown(rows, command, title)
    if fmt == "table":
        return _table(rows, width or shutil.get_terminal_size((120, 24)).columns)
    raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")


def params_command(scenario: str | None, fmt: str | None, out: Path | None) -> str:
    """``run.py params``: the parameter list of a scenario (or the defaults), printed or written.

    Args:
        scenario: a preset name or TOML path; None for the schema defaults.
        fmt: one of :data:`FORMATS`; None: from ``out``'s suffix (``.csv``, ``.md``), else table.
        out: the file to write (atomically); None to return the text for printing.

    Returns:
        The text to print: the list itself, or a line saying where it was written.

    Raises:
        InputError: for a bad scenario or format, or ``out`` being one of the scenario's input
            files (nothing is written).
    """
    from sim.inputs import load_scenario

    if fmt is None:
        fmt = {".csv": "csv", ".md": "markdown"}.get(out.suffix.lower() if out else "", "table")
    sc = load_scenario(scenario) if scenario is not None else None
    rows = parameter_rows(sc)
    if out is not None:
        from sim.outpaths import Output, check_outputs, scenario_inputs

        # the scenario file, its base files, org chart and customer file (same inode or path)
        check_outputs([Output(Path(out))], scenario_inputs(scenario, sc))
    command = shlex.join(
        ["python", "run.py", "params", *([scenario] if scenario else []), "--format", fmt]
        + (["--out", str(out)] if out else [])
    )
    title = f"scenario {sc.name}" if sc is not None else "schema defaults"
    text = render_parameters(rows, fmt, command=command, title=title, width=120 if out else None)
    if out is None:
        return text
    from sim.outputs import write_text

    write_text(text, out)
    return f"{len(rows)} parameters written to {out}\n"
