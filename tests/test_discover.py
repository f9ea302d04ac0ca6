"""``python run.py discover``: PRIM scenario discovery over a sweep's results (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.errors import InputError
from sim.sweep import load_results, plan_experiment, run_sweep
from tests.test_cli import assert_bad_input, cli

pytest.importorskip("ema_workbench", reason="the ema extra is not installed")

EXPERIMENT = """
name = "discover_test"
base = "command_and_control"
design = "grid"
replicates = 2
root_seed = 5
horizon_weeks = 26

[set]
"organisation.employees" = 60
"customers.count" = 300

[factors]
"culture.decision_rights" = [0.1, 0.4, 0.7, 0.95]
"culture.socialisation" = [0.2, 0.8]
"organisation.structure" = { values = ["hierarchical", "matrix"] }

[outputs]
weeks = "final"
"""


#: The tests reading the module fixture ``sweep`` (a sweep on 2 processes) are one xdist group
#: (``--dist loadgroup`` in pyproject's addopts): the batch is built once, on one worker, not once
#: on each worker that runs one of them.
SHARED = pytest.mark.xdist_group("discover_sweep")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("discover")
    path = root / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    out = root / "results"
    run_sweep(plan_experiment(path), out, workers=2, progress=False)
    return out


@SHARED
def test_box_names_decision_rights_behind_high_first_contact_resolution(sweep: Path) -> None:
    from sim.sweep.discover import discover

    runs = load_results(sweep)
    points = runs.groupby("point")[["culture.decision_rights", "first_contact_resolution"]].mean()
    cut = float(points["first_contact_resolution"].median())
    d = discover(sweep, "first_contact_resolution", f"> {cut}")
    assert d.points == 16 and d.runs_used == 32
    assert d.cases == int((points["first_contact_resolution"] > cut).sum())
    box = d.boxes[0]
    # authority at the front line resolves issues at first contact (ODD 6.1): the box asks for
    # high decision rights, and it is far denser in cases than the sample
    low, high = box.limits["culture.decision_rights"]
    assert low > 0.1
    assert box.density > d.cases / d.points
    assert 0 < box.coverage <= 1 and 0 < box.mass <= 1
    # the trajectory table and the plot, the chosen step marked once
    t = pd.read_csv(sweep / "discover-first_contact_resolution.csv")
    assert set(t.columns) >= {"box", "step", "coverage", "density", "mass", "chosen"}
    chosen = t[t["chosen"]]
    assert len(chosen) == 1 and chosen["coverage"].iloc[0] == pytest.approx(box.coverage)
    assert (sweep / "discover-first_contact_resolution.png").read_bytes()[:4] == b"\x89PNG"


@SHARED
def test_cli_prints_the_box_and_refuses_bad_questions(sweep: Path, tmp_path: Path) -> None:
    res = cli(
        "discover",
        str(sweep),
        "--outcome",
        "annual_churn",
        "--where",
        "> 0",
        "--out",
        str(tmp_path / "d.csv"),
    )
    # every point has churn above 0: a question with no contrast is refused, not answered
    assert_bad_input(res, "every design point", "annual_churn")
    fcr = load_results(sweep).groupby("point")["first_contact_resolution"].mean()
    out = tmp_path / "d.csv"
    res = cli(
        "discover",
        str(sweep),
        "--outcome",
        "first_contact_resolution",
        "--where",
        f"> {float(fcr.median())}",
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "box 1: coverage" in res.stdout and "culture.decision_rights" in res.stdout
    assert out.exists() and out.with_suffix(".png").exists()
    assert_bad_input(
        cli("discover", str(sweep), "--outcome", "churn", "--where", "> 1"),
        "--outcome 'churn'",
        "annual_churn",
    )
    assert_bad_input(
        cli("discover", str(sweep), "--outcome", "annual_churn", "--where", "big"),
        "--where 'big'",
        "'> 0.15'",
    )
    assert_bad_input(
        cli("discover", str(tmp_path / "nope"), "--outcome", "annual_churn", "--where", "> 1"),
        "no such folder",
    )


def test_where_is_parsed_strictly() -> None:
    from sim.sweep.discover import parse_where

    assert parse_where("> 0.15") == (">", 0.15)
    assert parse_where("<=1e-2") == ("<=", 0.01)
    for bad in ("0.15", "=> 1", "> x", "> nan", "> inf", ""):
        with pytest.raises(InputError, match="--where"):
            parse_where(bad)
