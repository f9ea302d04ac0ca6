"""Property-based tests (hypothesis) of the structure generators, the org-chart importer and
scenario validation.

- Every generator, for any valid size, span, role mix and seed, returns one tree under one
  executive (no cycles, one primary manager each), units that partition the people, exactly
  ``n`` positions, and the same structure for the same seed.
- Any valid org-chart CSV (random trees, row orders, ids, role synonyms in any spelling, quoted
  cells, BOM, CRLF) loads into exactly that tree; one broken row is refused naming the file,
  the row and the column.
- Any scenario whose fields lie in their :func:`~sim.scenario.field_specs` ranges builds at
  small size and runs a week with finite metrics; one field out of range, of the wrong type,
  non-finite, or an unknown key is refused with a message naming the dotted field.

Examples are derandomized (the same examples on every run, no example database) so CI is
reproducible.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.scenario import (
    KOTTER_STEPS,
    STRUCTURES,
    Scenario,
    ScenarioError,
    field_specs,
)
from sim.structures import GENERATORS, build_structure
from sim.structures.base import EXECUTIVE, FRONT_LINE, MANAGER, ROLE_NAMES, levels_from_managers
from sim.structures.org_chart import ROLE_SYNONYMS, OrgChartError, parse_org_chart

PROFILE = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
SPECS = {f.path: f for f in field_specs()}


# ------------------------------------------------------------------ structure invariants
def check_tree(
    manager: np.ndarray, role: np.ndarray, n: int, second: np.ndarray | None = None
) -> None:
    """One top (the executive), one primary manager each, no cycles, managers have reports
    (on either line, for a matrix's regional managers)."""
    assert manager.shape == (n,)
    tops = np.flatnonzero(manager < 0)
    assert tops.shape == (1,), f"{tops.shape[0]} tops"
    top = int(tops[0])
    assert role[top] == EXECUTIVE and (role == EXECUTIVE).sum() == 1
    staff = np.flatnonzero(manager >= 0)
    assert ((manager[staff] >= 0) & (manager[staff] < n)).all()
    assert (manager[staff] != staff).all()
    level = levels_from_managers(manager)  # raises on a cycle
    assert level[top] == 0
    assert (level[staff] == level[manager[staff]] + 1).all()
    reports = np.bincount(manager[staff], minlength=n)
    if second is not None:
        reports = reports + np.bincount(second[second >= 0], minlength=n)
    assert (reports[np.isin(role, FRONT_LINE)] == 0).all(), "front-line people have no reports"
    assert (reports[role == MANAGER] > 0).all(), "every manager has a team"


def check_structure(s: Any, n: int) -> None:
    s.validate()
    assert s.n == n
    check_tree(s.manager, s.role, n, s.second_manager)
    # units partition the people: everyone in exactly one, every unit index valid
    assert s.unit.shape == (n,)
    assert ((s.unit >= 0) & (s.unit < len(s.unit_names))).all()
    assert np.bincount(s.unit, minlength=len(s.unit_names)).sum() == n
    assert len(set(s.unit_names)) == len(s.unit_names), "unit names repeat"
    assert np.array_equal(s.level, levels_from_managers(s.manager))
    assert np.isfinite(s.authority).all() and ((s.authority >= 0) & (s.authority <= 1)).all()
    sm = s.second_manager
    two = np.flatnonzero(sm >= 0)
    assert (sm[two] != s.manager[two]).all() and (sm[two] != two).all()
    ties = s.ties
    if ties.shape[0]:
        assert (ties[:, 0] < ties[:, 1]).all() and ties.max() < n
        assert np.unique(ties, axis=0).shape == ties.shape


def same_structure(a: Any, b: Any) -> bool:
    return all(
        np.array_equal(getattr(a, k), getattr(b, k))
        for k in ("manager", "second_manager", "unit", "role", "level", "authority", "ties")
    ) and (a.unit_names == b.unit_names)


@st.composite
def role_mixes(draw: st.DrawFn) -> tuple[float, float, float]:
    """Sales and service shares > 0, marketing >= 0, summing to 1."""
    sales = draw(st.floats(0.02, 1.0))
    service = draw(st.floats(0.02, 1.0))
    marketing = draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0)))
    total = sales + service + marketing
    return (sales / total, service / total, marketing / total)


@settings(max_examples=60, **PROFILE)
@given(
    kind=st.sampled_from(sorted(GENERATORS)),
    n=st.integers(2, 600),
    span=st.integers(2, 15),
    mix=role_mixes(),
    seed=st.integers(0, 2**63 - 1),
)
def test_generators_make_one_tree_with_units_partitioning_everyone(
    kind: str, n: int, span: int, mix: tuple[float, float, float], seed: int
) -> None:
    s = build_structure(kind, n, span=span, role_mix=mix, rng=np.random.default_rng(seed))
    check_structure(s, n)
    if n >= 20 and min(mix[0], mix[1]) >= 0.1:
        # enough people for both functions the model follows customers through
        assert (s.role == ROLE_NAMES.index("sales")).any()
        assert (s.role == ROLE_NAMES.index("service")).any()
    again = build_structure(kind, n, span=span, role_mix=mix, rng=np.random.default_rng(seed))
    assert same_structure(s, again), "same seed, different structure"


@settings(max_examples=25, **PROFILE)
@given(
    kind=st.sampled_from(sorted(GENERATORS)),
    n=st.one_of(st.integers(-5, 1), st.sampled_from([2.5, 3.25, 10.75])),
    span=st.integers(2, 10),
)
def test_generators_refuse_bad_sizes_with_the_argument_named(kind: str, n: Any, span: int) -> None:
    with pytest.raises(ValueError, match="n_employees"):
        build_structure(kind, n, span=span, rng=np.random.default_rng(0))


# ------------------------------------------------------------------ org charts from CSV
FRONT_SYNONYMS = {r: (r, *ROLE_SYNONYMS[r]) for r in ("sales", "service", "marketing")}
ANY_ROLE_TEXT = [t for syns in FRONT_SYNONYMS.values() for t in syns] + list(
    ROLE_SYNONYMS["manager"]
)
ID_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-"
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzÀÉéüñ ,'\"-"
UNITS = ["Sales", "Service", "Sales North", "Service South", "Pod 1", "Marketing", "HQ"]


def _spell(text: str, style: int) -> str:
    """A role text as a person might type it (normalisation must undo this)."""
    return [
        text,
        text.upper(),
        text.title(),
        text.replace(" ", "_"),
        text.replace(" ", "-"),
        f"  {text}  ",
        text.replace(" ", "   "),
    ][style % 7]


@st.composite
def org_charts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid chart as plain data: parent of each person, role texts, units, ids, names."""
    n = draw(st.integers(3, 50))
    parent = [-1] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    has_reports = set(parent[1:])
    leaves = [i for i in range(n) if i not in has_reports]
    assume(len(leaves) >= 2)
    front = {}
    for k, i in enumerate(leaves):
        role = (
            "sales"
            if k == 0
            else "service"
            if k == 1
            else draw(st.sampled_from(["sales", "service", "marketing"]))
        )
        front[i] = role
    texts = []
    for i in range(n):
        base = (
            draw(st.sampled_from(FRONT_SYNONYMS[front[i]]))
            if i in front
            else draw(st.sampled_from(ANY_ROLE_TEXT + list(ROLE_SYNONYMS["executive"])))
        )
        texts.append(_spell(base, draw(st.integers(0, 6))))
    ids = draw(
        st.lists(st.text(ID_CHARS, min_size=1, max_size=6), min_size=n, max_size=n, unique=True)
    )
    return {
        "parent": parent,
        "front": front,
        "role_text": texts,
        "unit": [draw(st.sampled_from(UNITS)) for _ in range(n)],
        "ids": ids,
        "name": [draw(st.text(NAME_CHARS, max_size=12)) for _ in range(n)],
        "fte": [draw(st.sampled_from(["", "1", "0.5", "0.8", "1.5"])) for _ in range(n)],
        "order": draw(st.permutations(range(n))),
        "columns": draw(st.permutations(["id", "manager_id", "role", "unit", "name", "fte"])),
        "bom": draw(st.booleans()),
        "crlf": draw(st.booleans()),
        "blank_lines": draw(st.booleans()),
    }


def chart_rows(c: dict[str, Any]) -> list[dict[str, str]]:
    """One dict per file row, in file order."""
    ids = c["ids"]
    return [
        {
            "id": ids[i],
            "manager_id": "" if c["parent"][i] < 0 else ids[c["parent"][i]],
            "role": c["role_text"][i],
            "unit": c["unit"][i],
            "name": c["name"][i],
            "fte": c["fte"][i],
        }
        for i in c["order"]
    ]


def write_chart(path: Path, c: dict[str, Any], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if c["crlf"] else "\n")
    w.writerow(c["columns"])
    for k, r in enumerate(rows):
        w.writerow([r.get(col, "") for col in c["columns"]])
        if c["blank_lines"] and k % 4 == 1:
            w.writerow([])
    path.write_bytes(buf.getvalue().encode("utf-8-sig" if c["bom"] else "utf-8"))


@settings(max_examples=40, **PROFILE)
@given(c=org_charts(), seed=st.integers(0, 2**32 - 1))
def test_any_valid_org_chart_loads_as_exactly_that_tree(c: dict[str, Any], seed: int) -> None:
    rows = chart_rows(c)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "chart.csv"
        write_chart(path, c, rows)
        chart = parse_org_chart(path)
    n = len(rows)
    assert chart.n == n
    assert list(chart.ids) == [r["id"] for r in rows]
    top = [k for k, r in enumerate(rows) if r["manager_id"] == ""]
    for k, r in enumerate(rows):
        m = chart.manager[k]
        assert (m < 0) if k in top else (chart.ids[m] == r["manager_id"])
        assert chart.unit_names[chart.unit[k]] == r["unit"]
        assert chart.name[k] == r["name"].strip()
        assert chart.fte[k] == (float(r["fte"]) if r["fte"] else 1.0)
    person = list(c["order"])
    for k in range(n):
        i = person[k]
        want = (
            EXECUTIVE
            if c["parent"][i] < 0
            else ROLE_NAMES.index(c["front"][i])
            if i in c["front"]
            else MANAGER
        )
        assert chart.role[k] == want, (rows[k], ROLE_NAMES[chart.role[k]])
    check_tree(chart.manager, chart.role, n)
    a = chart.to_structure(rng=np.random.default_rng(seed))
    b = chart.to_structure(rng=np.random.default_rng(seed))
    check_structure(a, n)
    assert same_structure(a, b)


MUTATIONS = {
    "duplicate_id": ("column id", "duplicate id"),
    "unknown_manager": ("column manager_id", "unknown manager"),
    "second_top": ("column manager_id", "people have no manager"),
    "cycle": ("column manager_id", "cycle"),
    "own_manager": ("column manager_id", "their own manager"),
    "unknown_role": ("column role", "unknown role"),
    "bad_fte": ("column fte", "is not a number in"),
    "empty_unit": ("column unit", "empty"),
    "missing_column": ("missing column", "expected columns id, manager_id, role, unit"),
}


@settings(max_examples=45, **PROFILE)
@given(c=org_charts(), mutation=st.sampled_from(sorted(MUTATIONS)), pick=st.integers(0, 10**6))
def test_one_broken_row_is_refused_naming_file_row_and_column(
    c: dict[str, Any], mutation: str, pick: int
) -> None:
    rows = chart_rows(c)
    n = len(rows)
    top = next(k for k, r in enumerate(rows) if r["manager_id"] == "")
    staff = [k for k in range(n) if k != top]
    k = staff[pick % len(staff)]
    if mutation == "duplicate_id":
        rows[k]["id"] = rows[(k + 1 + pick % (n - 1)) % n]["id"]
    elif mutation == "unknown_manager":
        rows[k]["manager_id"] = "no_such_person"  # "_" is not in ID_CHARS
    elif mutation == "second_top":
        rows[k]["manager_id"] = ""
    elif mutation == "cycle":
        rows[top]["manager_id"] = rows[k]["id"]  # the top reports to one of its own staff
    elif mutation == "own_manager":
        rows[k]["manager_id"] = rows[k]["id"]
    elif mutation == "unknown_role":
        rows[k]["role"] = "Chief Vibes Officer"
    elif mutation == "bad_fte":
        rows[k]["fte"] = ["nan", "-1", "abc", "3", "inf", "0"][pick % 6]
    elif mutation == "empty_unit":
        rows[k]["unit"] = ""
    elif mutation == "missing_column":
        c = {**c, "columns": [col for col in c["columns"] if col != "unit"]}
    where, what = MUTATIONS[mutation]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "broken_chart.csv"
        write_chart(path, c, rows)
        with pytest.raises(OrgChartError) as err:
            parse_org_chart(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert "broken_chart.csv" in msg and "row" in msg and where in msg and what in msg, msg


# ------------------------------------------------------------------ scenario validation
#: Fields that set the model's size are kept small so each example runs in milliseconds; the
#: size limits themselves are tested by the size guard (tests/test_model.py) and the corpus.
SMALL = {
    "organisation.employees": st.integers(10, 80),
    "customers.count": st.integers(10, 400),
    "horizon_weeks": st.integers(1, 260),
    "customers.acquisition_rate": st.floats(0.0, 5.0),
}


def value_for(path: str) -> st.SearchStrategy[Any]:
    """Any accepted value of a scalar field (from its field_specs range)."""
    if path in SMALL:
        return SMALL[path]
    spec = SPECS[path]
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "int":
        return st.integers(int(spec.lo), int(spec.hi))
    return st.floats(spec.lo, spec.hi, allow_nan=False, allow_infinity=False)


@st.composite
def valid_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Dotted overrides of every scalar field, each within its accepted range."""
    over = {p: draw(value_for(p)) for p in SPECS if not p.startswith("organisation.role_mix.")}
    mix = draw(role_mixes())
    for name, share in zip(("sales", "service", "marketing"), mix):
        over[f"organisation.role_mix.{name}"] = share
    over["organisation.structure"] = draw(st.sampled_from(STRUCTURES))
    # the burn-in runs that many weeks before week 1 (ODD 5.1): drawn over a short range so 30
    # examples stay affordable; the weeks it runs are the same processes as any other week
    over["burn_in_weeks"] = draw(st.integers(0, 6))
    if over.get("crm.go_live_week", 0) < -over["burn_in_weeks"]:
        over["crm.go_live_week"] = -over["burn_in_weeks"]
    # a proposed design's change week lies inside the horizon (sim/design.py; validated)
    over["design.change_week"] = min(over.get("design.change_week", 0), over["horizon_weeks"])
    steps = draw(st.lists(st.sampled_from(KOTTER_STEPS), max_size=4, unique=True))
    over["change_programme.steps"] = [{"step": s, "week": draw(st.integers(0, 3))} for s in steps]
    return over


#: Means and shares over an empty set are NaN, never infinite: ``roi`` before anything is
#: spent; ``decision_latency_days`` and ``first_contact_resolution`` in a week without issues.
MAY_BE_NAN = {"roi", "decision_latency_days", "first_contact_resolution"}
#: Means over the people in post: NaN only in a week that leaves nobody in post (possible at the
#: edges of the parameter ranges, e.g. a quit hazard that empties the organisation at once).
NAN_WHEN_NOBODY_IN_POST = {"morale_mean", "psych_safety_mean"}
#: Means over active customers: NaN only in a week with no active customer (the burn-in can lose
#: every customer at the edges of the ranges, e.g. no acquisition and a churn hazard near 1).
NAN_WHEN_NO_CUSTOMER = {"satisfaction_mean"}
#: Means over the active front line: NaN only in a week with nobody in a front-line post.
NAN_WHEN_NO_FRONT_LINE = {"practice_knowledge_mean"}


@settings(max_examples=30, **PROFILE)
@given(over=valid_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_any_valid_scenario_builds_and_runs_a_week_with_finite_metrics(
    over: dict[str, Any], seed: int
) -> None:
    s = Scenario().with_overrides(over)
    df = OrgModel(s, rng=seed).run(steps=1)
    assert len(df) == 1
    row = df.iloc[0]
    for col, v in row.items():
        if (
            col in MAY_BE_NAN
            or (col in NAN_WHEN_NOBODY_IN_POST and row["employees_active"] == 0)
            or (col in NAN_WHEN_NO_CUSTOMER and row["customers_active"] == 0)
            or (col in NAN_WHEN_NO_FRONT_LINE and row["front_line_active"] == 0)
        ):
            assert not math.isinf(v), (col, v)
        else:
            assert math.isfinite(v), (col, v)
    for col in ("adoption_rate", "data_quality"):
        if col in row:
            assert 0.0 <= row[col] <= 1.0, (col, row[col])


NUMERIC = sorted(p for p, f in SPECS.items() if f.kind in ("int", "float"))
BOOLEAN = sorted(p for p, f in SPECS.items() if f.kind == "bool")


@st.composite
def invalid_values(draw: st.DrawFn) -> tuple[str, Any, str]:
    """(field, bad value, what the message must say) for one field."""
    path = draw(st.sampled_from(NUMERIC + BOOLEAN))
    spec = SPECS[path]
    if spec.kind == "bool":
        bad = draw(st.sampled_from([1, 0, "yes", "true", 1.0, [True], {"on": True}]))
        return path, bad, "bool"
    kinds = ["below", "above", "nan", "inf", "text", "list", "bool"]
    if spec.kind == "int":
        kinds.append("fraction")
    kind = draw(st.sampled_from(kinds))
    if kind == "below":
        lo = spec.lo
        bad = (
            lo - draw(st.integers(1, 10**6))
            if spec.kind == "int"
            else lo - draw(st.floats(1e-6, 1e9))
        )
        return path, bad, f"[{spec.lo}, {spec.hi}]"
    if kind == "above":
        hi = spec.hi
        bad = (
            hi + draw(st.integers(1, 10**6))
            if spec.kind == "int"
            else hi * 1.5 + draw(st.floats(1e-3, 1e9))
        )
        return path, bad, f"[{spec.lo}, {spec.hi}]"
    if kind == "nan":
        return path, math.nan, "nan" if spec.kind == "int" else "finite number"
    if kind == "inf":
        return path, draw(st.sampled_from([math.inf, -math.inf])), "inf"
    if kind == "text":
        return path, draw(st.text(max_size=8)), "got "
    if kind == "list":
        return path, [spec.lo, spec.hi], "got ["
    if kind == "bool":
        flag = draw(st.booleans())
        return path, flag, f"got {flag}"
    return path, spec.lo + 0.5, "integer"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(f"\\U{ord(ch):08x}" for ch in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def toml_with(path: str, value: Any) -> str:
    """A scenario file setting one dotted field."""
    *section, key = path.split(".")
    head = f"[{'.'.join(section)}]\n" if section else ""
    return f'name = "prop"\n{head}{key} = {_toml_value(value)}\n'


@settings(max_examples=120, **PROFILE)
@given(case=invalid_values())
def test_one_invalid_field_is_refused_naming_the_field(case: tuple[str, Any, str]) -> None:
    path, bad, fragment = case
    # through an override (the CLI's --set, sweeps, the app's dials)
    with pytest.raises(ScenarioError) as err:
        Scenario().with_overrides({path: bad}, source="--set")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("--set")
    assert path in msg, msg
    if fragment != "bool":
        assert fragment in msg, (fragment, msg)
    # through a scenario file
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "invalid_field.toml"
        f.write_text(toml_with(path, bad), encoding="utf-8")
        with pytest.raises(ScenarioError) as err:
            load_scenario(f)
    msg = str(err.value)
    assert "\n" not in msg
    assert "invalid_field.toml" in msg and path in msg, msg


IDENT = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
SECTIONS = ["", "organisation", "organisation.role_mix", "customers", "culture", "crm", "people"]


@settings(max_examples=40, **PROFILE)
@given(section=st.sampled_from(SECTIONS), key=IDENT)
def test_an_unknown_key_is_refused_naming_it_and_the_accepted_keys(section: str, key: str) -> None:
    path = f"{section}.{key}" if section else key
    known = {p.rsplit(".", 1)[-1] for p in SPECS if p.rsplit(".", 1)[0] == section} | (
        set(Scenario.model_fields) if not section else set()
    )
    if section:
        node: Any = Scenario()
        for part in section.split("."):
            node = getattr(node, part)
        known |= set(type(node).model_fields)
    assume(key not in known)
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "unknown_key.toml"
        f.write_text(toml_with(path, 1), encoding="utf-8")
        with pytest.raises(ScenarioError) as err:
            load_scenario(f)
    msg = str(err.value)
    assert "\n" not in msg
    assert "unknown_key.toml" in msg and f"{path}: unknown key" in msg and "accepted keys" in msg
    with pytest.raises(ScenarioError, match="unknown field"):
        Scenario().with_overrides({path: 1})
