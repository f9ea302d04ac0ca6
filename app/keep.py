"""Keeping a session: its settings in the address, and each design as a scenario TOML file.

No Solara here. The settings are the preset, the seed, the dials and programme switch of each
design, whether design B runs, the changes made during the run with their weeks, and the week
the run had reached. :func:`to_query` writes them as a query string (``?preset=...&seed=...``)
and :func:`from_query` reads them back; the session replays them (``Session.replay``), so a
reload or a shared link shows the same run, week by week (same seed, same random numbers).

:func:`scenario_toml` writes one design as a scenario file that ``python run.py run`` accepts
too: the preset's settings with the design's dials and programme, and the changes made during
the run as ``[[interventions]]``. :func:`read_scenario_upload` reads such a file back, checked
like any scenario file (``sim.scenario.read_toml_file``: size, UTF-8, TOML shape and syntax;
then the schema's validation): nothing in it is executed or unpickled, and a file that names
other files (a ``base``, an org chart, a customer file) is refused, since it would make the
server read its own files.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from app.session import (
    PROGRAMME,
    Change,
    Config,
    check_dial,
    choices,
    course_interventions,
    culture_specs,
    has_programme,
    preset_dials,
    programme_steps,
    scenario_for,
)
from sim.design import prepare_scenario
from sim.interventions import flatten
from sim.scenario import Scenario, ScenarioError, read_toml_file
from sim.tomlwrite import toml_key, toml_value

#: Largest scenario file the page accepts (bytes): a saved design is a few kilobytes.
MAX_UPLOAD_BYTES = 200_000
#: Longest address query read (characters): a session with many changes is under 2,000.
MAX_QUERY_CHARS = 8_000
#: Most changes during a run read from an address or a file.
MAX_CHANGES = 200

DESIGNS = ("A", "B")


def _dial_name(path: str) -> str:
    return path.removeprefix("culture.")


def _num(x: float) -> str:
    """A dial value that reads back exactly (Python's shortest round-trip repr)."""
    return repr(float(x))


# ---------------------------------------------------------------------------- the address
def to_query(
    config: Config, changes: tuple[Change, ...] = (), week: int = 0, flags: tuple[str, ...] = ()
) -> str:
    """The settings as a query string (without the ``?``).

    Only what differs from the presets' own settings is written, so a plain run has a short
    address. ``flags`` (``presenter``, ``debug``) are kept as they are.

    Keys: ``preset``, ``seed``, ``prog`` (0/1), ``a.<dial>``; with B: ``compare=1``,
    ``b``, ``b.prog``, ``b.<dial>``; ``change`` (repeated) as ``week:A|B:<dial>|programme:value``;
    ``week``.
    """
    c = config
    q: list[tuple[str, str]] = [(f, "") for f in flags]
    q += [("preset", c.preset), ("seed", str(c.seed))]
    own_a = dict(preset_dials(c.preset))
    if c.programme != has_programme(c.preset):
        q.append(("prog", "1" if c.programme else "0"))
    q += [(f"a.{_dial_name(p)}", _num(v)) for p, v in c.dials_of(0) if v != own_a.get(p)]
    if c.compare:
        q += [("compare", "1"), ("b", c.preset_b)]
        if c.programme_b is not None:
            q.append(("b.prog", "1" if c.programme_b else "0"))
        own_b = dict(preset_dials(c.preset_b))
        q += [(f"b.{_dial_name(p)}", _num(v)) for p, v in c.dials_of(1) if v != own_b.get(p)]
    for ch in changes:
        key = PROGRAMME if ch.key == PROGRAMME else _dial_name(ch.key)
        value = ("1" if ch.value else "0") if ch.key == PROGRAMME else _num(float(ch.value))
        q.append(("change", f"{ch.week}:{DESIGNS[ch.design]}:{key}:{value}"))
    if week:
        q.append(("week", str(week)))
    return urlencode(q, safe=":")


def _int(text: str, what: str, lo: int) -> int:
    if not re.fullmatch(r"\d{1,9}", text) or int(text) < lo:
        raise ScenarioError(f"address {what}: expected a whole number >= {lo}, got {text!r}")
    return int(text)


def _bool(text: str, what: str) -> bool:
    if text not in ("0", "1"):
        raise ScenarioError(f"address {what}: expected 0 or 1, got {text!r}")
    return text == "1"


def _dial_path(name: str, what: str) -> str:
    path = f"culture.{name}"
    if path not in {f.path for f in culture_specs()}:
        known = ", ".join(_dial_name(f.path) for f in culture_specs())
        raise ScenarioError(f"address {what}: unknown dial {name!r}; dials: {known}")
    return path


def _preset(name: str, what: str) -> str:
    # a scenario file is a choice only on a server started with it (run.py app --scenario)
    if name not in choices():
        raise ScenarioError(
            f"address {what}: {name!r} is not a preset or a scenario file this server was "
            f"started with; choices: {', '.join(choices())}"
        )
    return name


@dataclass(frozen=True)
class Saved:
    """Settings read back from an address or a file."""

    config: Config
    changes: tuple[Change, ...] = ()
    week: int = 0


def from_query(search: str) -> Saved | None:
    """The settings in a query string (with or without the ``?``); None when it has none.

    Unknown keys are refused rather than ignored, so a mistyped link does not silently show
    another run; ``presenter`` and ``debug`` are flags the page reads itself.

    Raises:
        ScenarioError: naming the key, what was expected and what was found.
    """
    search = (search or "").lstrip("?")
    if len(search) > MAX_QUERY_CHARS:
        raise ScenarioError(
            f"address: {len(search)} characters; expected at most {MAX_QUERY_CHARS}"
        )
    pairs = [(k, v) for k, v in parse_qsl(search, keep_blank_values=True)
             if k not in ("presenter", "debug")]  # fmt: skip
    if not pairs:
        return None
    one = {k: v for k, v in pairs if k != "change"}
    preset = _preset(one.get("preset", "command_and_control"), "preset")
    c = Config.for_preset(preset, seed=_int(one.get("seed", "1"), "seed", 0))
    if "prog" in one:
        c = replace(c, programme=_bool(one["prog"], "prog"))
    compare = _bool(one.get("compare", "0"), "compare")
    if compare:
        c = replace(c.with_preset_b(_preset(one.get("b", c.preset_b), "b")), compare=True)
        if "b.prog" in one:
            c = replace(c, programme_b=_bool(one["b.prog"], "b.prog"))
    changes: list[Change] = []
    week = 0
    for key, value in pairs:
        if key in ("preset", "seed", "prog", "compare", "b", "b.prog"):
            continue
        if key == "week":
            week = _int(value, "week", 0)
        elif key.startswith(("a.", "b.")):
            design = 0 if key[0] == "a" else 1
            if design == 1 and not compare:
                raise ScenarioError(f"address {key}: design B's dial without compare=1")
            path = _dial_path(key[2:], key)
            try:
                c = c.with_dial(path, check_dial(path, value), design)
            except ScenarioError as e:
                raise ScenarioError(f"address {key}: {e}") from None
        elif key == "change":
            changes.append(_change(value, compare))
        else:
            raise ScenarioError(
                f"address: unknown key {key!r}; expected preset, seed, prog, a.<dial>, "
                "compare, b, b.prog, b.<dial>, change, week"
            )
    if len(changes) > MAX_CHANGES:
        raise ScenarioError(f"address: {len(changes)} changes; expected at most {MAX_CHANGES}")
    return Saved(c, tuple(changes), week)


def _change(text: str, compare: bool) -> Change:
    parts = text.split(":")
    if len(parts) != 4:
        raise ScenarioError(
            f"address change {text!r}: expected week:A|B:dial|programme:value, "
            "e.g. 30:A:decision_rights:0.8"
        )
    week_s, design_s, key, value = parts
    week = _int(week_s, f"change {text!r} week", 1)
    if design_s not in DESIGNS or (design_s == "B" and not compare):
        raise ScenarioError(
            f"address change {text!r}: design {design_s!r}; expected A"
            + (" or B" if compare else " (B only with compare=1)")
        )
    design = DESIGNS.index(design_s)
    if key == PROGRAMME:
        return Change(week, design, PROGRAMME, _bool(value, f"change {text!r} value"))
    path = _dial_path(key, f"change {text!r}")
    try:
        return Change(week, design, path, check_dial(path, value))
    except ScenarioError as e:
        raise ScenarioError(f"address change {text!r}: {e}") from None


# ---------------------------------------------------------------------------- scenario files
def _table(data: dict[str, Any], prefix: str, out: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict) and v is not None}
    tables = {k: v for k, v in data.items() if isinstance(v, dict) and v}
    if prefix and (scalars or not tables):
        out.append(f"\n[{prefix}]")
    out += [f"{toml_key(k)} = {toml_value(v)}" for k, v in scalars.items()]
    for k, v in tables.items():
        _table(v, f"{prefix}.{toml_key(k)}" if prefix else toml_key(k), out)


def scenario_toml(
    config: Config, changes: tuple[Change, ...], design: int, week: int, horizon: int
) -> str:
    """One design as a scenario file: its preset's settings, dials, programme and changes.

    The changes made during the run are its ``[[interventions]]``, so ``python run.py run``
    replays them too, and the session's seed is its ``[run] seed``, which ``run.py run`` uses
    when ``--seed`` is not given and the page reads back (:func:`saved_from_scenario`). Only
    settings that differ from the schema's defaults are written.
    """
    s = config.scenario_of(design)
    ivs = course_interventions(changes, design, horizon)
    data = s.model_dump(mode="json", exclude_defaults=True)
    data.pop("interventions", None)
    head = [
        f"# Design {DESIGNS[design]} saved from the orgsim-crm workshop app at week {week}, "
        f"seed {config.seed}.",
        "# Open it in the app (Open a scenario file) or run it: python run.py run this-file.toml",
        "# ([run] seed is the seed both use; --seed overrides it on the command line)",
    ]
    out: list[str] = []
    _table(data, "", out)
    out += ["\n[run]", f"seed = {int(config.seed)}"]
    for iv in ivs:
        out.append("\n[[interventions]]")
        out.append(f"week = {iv['week']}")
        out.append(f"set = {toml_value(iv['set'])}")
    return "\n".join(head + out) + "\n"


#: Scenario fields that name other files: the page never lets an upload read the server's files.
FILE_FIELDS = ("base", "organisation.org_chart", "organisation.org_chart_map", "customers.file")


def read_scenario_upload(name: str, raw: bytes, size: int | None = None) -> Scenario:
    """An uploaded scenario file, checked like any scenario file.

    ``size`` is the file's size as the browser reported it (it sends at most
    :data:`MAX_UPLOAD_BYTES` + 1 bytes of a larger file).

    Raises:
        ScenarioError: naming the file (and the line or field) for a file too large, not UTF-8,
            not TOML, naming other files, or failing the schema.
    """
    shown = Path(name or "upload.toml").name or "upload.toml"
    size = max(len(raw), size or 0)
    if size > MAX_UPLOAD_BYTES:
        raise ScenarioError(
            f"{shown}: file is {size} bytes; a scenario file here is at most "
            f"{MAX_UPLOAD_BYTES} bytes: is this the right file?"
        )
    with tempfile.TemporaryDirectory(prefix="orgsim-upload-") as tmp:
        path = Path(tmp) / (shown if shown.endswith(".toml") else shown + ".toml")
        path.write_bytes(raw)
        where = tmp.rstrip("/") + "/"
        try:
            _, _, data = read_toml_file(path, "scenario", ScenarioError)
            flat = flatten(data)
            named = [k for k in FILE_FIELDS if k in flat]
            if named:
                raise ScenarioError(
                    f"{path}: {named[0]}: a scenario opened in the page may not name other "
                    "files (base, org chart, customer file); run it with python run.py instead"
                )
            return prepare_scenario(data, path)
        except ScenarioError as e:
            raise ScenarioError(str(e).replace(where, "")) from None


def saved_from_scenario(scenario: Scenario, config: Config, design: int) -> Saved:
    """Design ``design`` of ``config`` set to an uploaded scenario (the run restarts).

    The file's ``[run] seed``, when it has one, becomes the session's seed (both designs run
    on it); without one the session keeps its seed. The scenario must be one the app can show:
    a preset (its ``name``) with other culture dials, the programme switched on or off, and
    changes of dials or the programme during the run; anything else is refused with the first
    field that differs.

    Raises:
        ScenarioError: naming the field.
    """
    preset = scenario.name
    if preset not in choices():
        raise ScenarioError(
            f"name = {preset!r}: the page opens designs saved from it, named after a preset "
            f"or a scenario file the server was started with ({', '.join(choices())}); run "
            "other scenarios with python run.py, or start the app with --scenario FILE"
        )
    dials = tuple(
        (f.path, float(getattr(scenario.culture, _dial_name(f.path)))) for f in culture_specs()
    )
    steps = [st.model_dump() for st in scenario.change_programme.steps]
    own = [st.model_dump() for st in scenario_for(preset).change_programme.steps]
    if steps not in ([], own, programme_steps(0)):
        raise ScenarioError(
            "change_programme.steps: the page's switch runs the preset's own steps or Kotter's "
            "eight steps as kotter_programme dates them; run other schedules with python run.py"
        )
    programme = bool(steps)
    # the file's [run] seed becomes the session's (both designs: common random numbers)
    seed = scenario.run.seed if scenario.run is not None else config.seed
    if design == 0:
        new = replace(config, preset=preset, dials=dials, programme=programme, seed=seed)
    else:
        new = replace(
            config, compare=True, preset_b=preset, dials_b=dials, programme_b=programme, seed=seed
        )
    expected = new.scenario_of(design).model_dump(mode="json")
    got = scenario.model_copy(update={"interventions": [], "run": None}).model_dump(mode="json")
    for key, value in flatten(got).items():
        if key not in ("name", "description") and flatten(expected).get(key) != value:
            raise ScenarioError(
                f"{key}: {value!r} differs from the preset {preset} "
                f"({flatten(expected).get(key)!r}); the page changes only the culture dials, the "
                "programme and changes during the run: run this scenario with python run.py"
            )
    changes = []
    for i, iv in enumerate(scenario.interventions):
        for key, value in flatten(iv.set).items():
            what = f"interventions[{i}].set.{key}"
            if iv.week < 1:
                raise ScenarioError(f"interventions[{i}].week: expected 1 or later, got {iv.week}")
            if key == "change_programme.steps":
                if value not in ([], programme_steps(iv.week, scenario.horizon_weeks)):
                    raise ScenarioError(
                        f"{what}: the page's switch starts Kotter's eight steps in the week of "
                        "the change, or stops the programme ([])"
                    )
                changes.append(Change(iv.week, design, PROGRAMME, bool(value)))
            elif key in {f.path for f in culture_specs()}:
                changes.append(Change(iv.week, design, key, check_dial(key, value)))
            else:
                raise ScenarioError(
                    f"{what}: the page changes only the culture dials and the programme during "
                    "a run; run this scenario with python run.py"
                )
    if len(changes) > MAX_CHANGES:
        raise ScenarioError(f"interventions: {len(changes)} changes; at most {MAX_CHANGES}")
    return Saved(new, tuple(changes), max((ch.week for ch in changes), default=0))
