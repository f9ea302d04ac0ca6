"""Every number of the schema is a documented parameter: unit, source, ranges, and its listing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pydantic import BaseModel, Field

from sim.inputs import load_scenario
from sim.parameters import (
    COLUMNS,
    DOC_COMMAND,
    SOURCE_PREFIXES,
    UNITS,
    SchemaError,
    _f,
    check_parameters,
    field_specs,
    parameter_rows,
    render_parameters,
)
from sim.scenario import SCENARIO_DIR
from tests.test_cli import ROOT, assert_bad_input, cli

SPECS = field_specs(items=True)
DOC = ROOT / "docs" / "PARAMETERS.md"

#: Values users are typically unsure of: each must be flagged, with a plausible range.
MUST_BE_UNCERTAIN = (
    "organisation.manager_capacity",
    "organisation.hop_days",
    "customers.complaint_propensity",
    "customers.dissatisfied_churn_annual",
    "customers.base_churn_annual",
    "customers.issue_rate",
    "crm.innovation",
    "crm.imitation",
    "crm.threshold_mean",
    "crm.habit_decay",
    "people.base_quit_annual",
    "people.learning_weeks",
    "people.newcomer_skill",
    "change_programme.intensity",
)


def test_docs_parameters_md_is_up_to_date() -> None:
    expected = render_parameters(parameter_rows(), "markdown")
    assert DOC.read_text(encoding="utf-8") == expected, (
        f"docs/PARAMETERS.md is out of date with the schema; regenerate it with: {DOC_COMMAND}"
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.path)
def test_every_parameter_has_a_unit_and_a_source(spec) -> None:
    assert spec.unit in UNITS
    assert spec.source.startswith(SOURCE_PREFIXES)
    assert spec.source.partition(":")[2].strip(), "a source says where the value comes from"
    assert spec.label and spec.help


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.path)
def test_defaults_lie_in_their_range(spec) -> None:
    if spec.default is None or spec.kind == "bool":
        return
    assert spec.lo is not None and spec.hi is not None
    assert spec.lo <= spec.default <= spec.hi


def test_uncertain_parameters_have_a_plausible_range_around_the_default() -> None:
    by_path = {s.path: s for s in SPECS}
    assert all(by_path[p].uncertain for p in MUST_BE_UNCERTAIN)
    for s in SPECS:
        if s.uncertain and s.default is None:  # unset by default (salaries by role, 8.L)
            assert s.lo <= s.plausible_lo < s.plausible_hi <= s.hi, s.path
        elif s.uncertain:
            assert s.lo <= s.plausible_lo <= s.default <= s.plausible_hi <= s.hi, s.path
        else:
            assert s.plausible_lo is None and s.plausible_hi is None, s.path


def test_dotted_specs_unchanged_list_items_only_with_items() -> None:
    # sweeps, --set and the app use the dotted paths only; list items are extra rows
    dotted = [s.path for s in field_specs()]
    assert dotted == [s.path for s in SPECS if "[" not in s.path]
    assert "change_programme.steps[].week" in {s.path for s in SPECS}
    assert "transformations[decision_rights].authority" in {s.path for s in SPECS}


def test_unit_and_source_are_required_keywords() -> None:
    with pytest.raises(TypeError, match="unit"):
        _f(0.5, 0.0, 1.0, "X", "Help.", source="assumption: a test")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="source"):
        _f(0.5, 0.0, 1.0, "X", "Help.", unit="share 0-1")  # type: ignore[call-arg]


def _bad(**kw: object) -> type[BaseModel]:
    meta = {"unit": "share 0-1", "source": "assumption: a test"} | kw

    class M(BaseModel):
        x: float = _f(0.5, 0.0, 1.0, "X", "Help.", **meta)

    return M


@pytest.mark.parametrize(
    ("meta", "fragment"),
    [
        ({"unit": "furlongs"}, "unit 'furlongs'"),
        ({"source": "a guess"}, "source must start with"),
        ({"source": "assumption:  "}, "nothing after its prefix"),
        ({"uncertain": True}, "needs plausible"),
        ({"uncertain": True, "plausible": (0.6, 0.9)}, "does not contain the default"),
        ({"uncertain": True, "plausible": (-0.1, 0.9)}, "not inside [0.0, 1.0]"),
    ],
)
def test_check_parameters_refuses_bad_metadata(meta: dict, fragment: str) -> None:
    with pytest.raises(SchemaError, match="x: ") as err:
        check_parameters(field_specs(_bad(**meta)))
    assert fragment in str(err.value)


def test_check_parameters_refuses_a_number_without_param() -> None:
    class M(BaseModel):
        y: int = Field(3, ge=0, le=9)

    with pytest.raises(SchemaError, match="y: unit None"):
        check_parameters(field_specs(M))


def test_csv_has_the_seven_columns_first_and_one_row_per_parameter() -> None:
    text = render_parameters(parameter_rows(), "csv")
    df = pd.read_csv(io.StringIO(text))
    assert list(df.columns[:7]) == ["path", "value", "low", "high", "unit", "source", "help"]
    assert list(df.columns) == list(COLUMNS)
    assert df["path"].tolist() == [s.path for s in SPECS]


def test_values_are_the_scenarios() -> None:
    s = load_scenario("kotter_programme")
    rows = {r["path"]: r for r in parameter_rows(s)}
    assert rows["culture.psychological_safety"]["value"] == s.culture.psychological_safety
    assert rows["organisation.employees"]["value"] == s.organisation.employees
    weeks = ", ".join(str(step.week) for step in s.change_programme.steps)
    assert rows["change_programme.steps[].week"]["value"] == weeks


def test_table_lists_every_parameter_within_the_width() -> None:
    text = render_parameters(parameter_rows(), "table", width=100)
    for s in SPECS:
        assert s.path in text
    wrapped = [ln for ln in text.splitlines() if ln.startswith("    ")]
    assert wrapped and all(len(ln) <= 100 for ln in wrapped)


def test_cli_params_csv_exits_0() -> None:
    res = cli("params", "command_and_control", "--format", "csv")
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(io.StringIO(res.stdout))
    assert len(df) == len(SPECS)
    assert float(df.set_index("path").loc["culture.psychological_safety", "value"]) == 0.25


def test_cli_params_writes_markdown_atomically(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "params.md"
    res = cli("params", "--out", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert out.read_text(encoding="utf-8").startswith("# Parameters: schema defaults")
    assert [p.name for p in out.parent.iterdir()] == ["params.md"]  # no temporary file left


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["params", "no_such_preset"], "presets:"),
        (["params", "--format", "xml"], "--format"),
        (["params", "broken.toml"], "TOML syntax error"),
    ],
)
def test_cli_params_bad_input_exits_2_with_one_line(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    (tmp_path / "broken.toml").write_text("[culture\n", encoding="utf-8")
    res = cli(*args, cwd=tmp_path)
    assert_bad_input(res, fragment)
    assert len(res.stderr.strip().splitlines()) == 1
    assert res.stdout == ""


def test_cli_params_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    scenario = tmp_path / "mine.toml"
    shutil.copy(SCENARIO_DIR / "command_and_control.toml", scenario)
    before = scenario.read_bytes()
    res = cli("params", str(scenario), "--format", "markdown", "--out", str(scenario))
    assert_bad_input(res, "would overwrite", "an input of this command")
    assert scenario.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]
