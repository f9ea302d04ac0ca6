"""Scenario schema: loading, validation messages, overrides and field metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.inputs import load_scenario
from sim.scenario import (
    Scenario,
    ScenarioError,
    field_specs,
    parse_override,
    preset_names,
)

PRESETS = [
    "command_and_control",
    "functional_silos",
    "matrix",
    "self_organised",
    "technology_only_rollout",
    "culture_first_rollout",
    "kotter_programme",
]

DIALS = [
    "psychological_safety",
    "decision_rights",
    "information_sharing",
    "executive_commitment",
    "incentive_alignment",
    "responsiveness",
]


def test_presets_are_exactly_the_named_ones() -> None:
    assert sorted(preset_names()) == sorted(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads_with_readable_description(name: str) -> None:
    s = load_scenario(name)
    assert s.name == name
    assert len(s.description.split()) >= 25  # something a trainer can read aloud
    for dial in DIALS:
        assert 0.0 <= getattr(s.culture, dial) <= 1.0


def test_required_keys_exist_with_attribute_access() -> None:
    s = sim.load_scenario("command_and_control")
    assert s.horizon_weeks > 0
    assert s.organisation.structure == "hierarchical"
    assert s.organisation.employees == 300
    assert s.customers.count == 3000


def _write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_key_names_file_and_dotted_path(tmp_path: Path) -> None:
    p = _write(tmp_path, "[culture]\npsychological_safty = 0.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert str(p) in msg and "culture.psychological_safty" in msg and "unknown key" in msg


def test_out_of_range_names_the_accepted_range(tmp_path: Path) -> None:
    p = _write(tmp_path, "[culture]\ndecision_rights = 1.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert "culture.decision_rights" in msg and "[0.0, 1.0]" in msg and "1.5" in msg


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('[organisation]\nemployees = "many"\n', "organisation.employees"),
        ('[organisation]\nstructure = "tree"\n', "organisation.structure"),
        ("horizon_weeks = 0\n", "horizon_weeks"),
        ("[customers]\ncount = -5\n", "customers.count"),
        ("[culture]\nresponsiveness = nan\n", "culture.responsiveness"),
        ("[culture]\nresponsiveness = inf\n", "culture.responsiveness"),
        ("[organisation.role_mix]\nsales = 0.9\nservice = 0.9\nmarketing = 0.0\n", "role_mix"),
        ('[[change_programme.steps]]\nstep = "pray"\nweek = 1\n', "change_programme.steps.0.step"),
        ("culture = 3\n", "culture"),
    ],
)
def test_invalid_values_rejected_with_path(tmp_path: Path, text: str, path: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    assert path in str(err.value)
    assert str(p) in str(err.value)


def test_toml_syntax_error_is_reported_with_line(tmp_path: Path) -> None:
    p = _write(tmp_path, "name = 'x'\n[culture\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    assert "TOML syntax error" in str(err.value) and "line 2" in str(err.value)


def test_binary_and_non_utf8_files_rejected(tmp_path: Path) -> None:
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00\x01name = 1")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(p)


def test_utf8_bom_accepted(tmp_path: Path) -> None:
    p = tmp_path / "bom.toml"
    p.write_bytes(b"\xef\xbb\xbfname = 'bom'\n")
    assert load_scenario(p).name == "bom"


def test_missing_file_and_unknown_preset(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="presets: "):
        load_scenario("no_such_preset")


def test_overrides_return_validated_copy() -> None:
    s = load_scenario("command_and_control")
    t = s.with_overrides({"culture.psychological_safety": 0.8, "organisation.employees": 1000})
    assert t.culture.psychological_safety == 0.8
    assert t.organisation.employees == 1000
    assert s.culture.psychological_safety == 0.25  # original untouched
    with pytest.raises(ScenarioError, match="culture.psych"):
        s.with_overrides({"culture.psych": 0.1})
    with pytest.raises(ScenarioError, match=r"\[0.0, 1.0\]"):
        s.with_overrides({"culture.responsiveness": 2})


def test_scenario_is_immutable() -> None:
    s = load_scenario("matrix")
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error type
        s.culture.responsiveness = 0.9  # type: ignore[misc]


def test_counterfactual_removes_crm_and_programme() -> None:
    cf = load_scenario("kotter_programme").counterfactual()
    assert not cf.crm.enabled and cf.change_programme.steps == []


def test_parse_override_reads_toml_values() -> None:
    assert parse_override("culture.responsiveness=0.8") == ("culture.responsiveness", 0.8)
    assert parse_override("crm.enabled=false") == ("crm.enabled", False)
    assert parse_override("organisation.structure=matrix") == ("organisation.structure", "matrix")
    with pytest.raises(ScenarioError, match="key=value"):
        parse_override("culture.responsiveness")


def test_field_specs_cover_every_dial_with_range_and_help() -> None:
    specs = {f.path: f for f in field_specs()}
    for dial in DIALS:
        f = specs[f"culture.{dial}"]
        assert (f.lo, f.hi) == (0.0, 1.0) and f.label and f.help
    assert specs["organisation.employees"].kind == "int"


dial_values = st.fixed_dictionaries(
    {f"culture.{d}": st.floats(0.0, 1.0, allow_nan=False) for d in DIALS}
)


@settings(max_examples=25, deadline=None)
@given(
    dials=dial_values,
    structure=st.sampled_from(["hierarchical", "functional_silos", "matrix", "self_organised"]),
    employees=st.integers(10, 120),
    customers=st.integers(10, 600),
)
def test_any_valid_scenario_builds_and_runs_a_week(
    dials: dict[str, float], structure: str, employees: int, customers: int
) -> None:
    s = Scenario().with_overrides(
        {
            **dials,
            "organisation.structure": structure,
            "organisation.employees": employees,
            "customers.count": customers,
            "crm.go_live_week": 0,
        }
    )
    df = sim.OrgModel(s, rng=3).run(steps=1)
    assert len(df) == 1
    assert 0.0 <= df["adoption_rate"].iloc[0] <= 1.0


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=5)))
def test_any_invalid_dial_is_rejected_with_a_message(value: object) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    if ok:
        return
    with pytest.raises(ScenarioError, match="culture.responsiveness"):
        Scenario().with_overrides({"culture.responsiveness": value})
