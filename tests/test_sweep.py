"""Sweeps through the Python API: experiment files, designs, seeds, executors, resume, stats."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import InputError
from sim.experiment import EXPERIMENT_DIR, load_comparison, paired_differences, summarise
from sim.rng import replicate_seeds
from sim.sweep import load_experiment, load_results, plan_experiment, run_sweep, summarize
from sim.sweep.analysis import differences, find_point, point_summary, sensitivity
from sim.sweep.runner import FAIL_ENV, Plan

SIX_DIALS = {
    "culture.psychological_safety",
    "culture.decision_rights",
    "culture.information_sharing",
    "culture.executive_commitment",
    "culture.incentive_alignment",
    "culture.responsiveness",
}


def write_experiment(
    folder: Path,
    factors: str = '"organisation.structure" = ["hierarchical", "matrix"]\n'
    '"culture.psychological_safety" = [0.2, 0.8]',
    *,
    design: str = "grid",
    header: str = "",
    replicates: int = 2,
    weeks: int = 12,
    outputs: str = 'weeks = "all"',
    name: str = "tiny.toml",
) -> Path:
    """A small experiment (60 people, 300 customers) written to ``folder``."""
    path = folder / name
    path.write_text(
        textwrap.dedent(
            f"""\
            name = "tiny"
            base = "command_and_control"
            design = "{design}"
            replicates = {replicates}
            root_seed = 5
            horizon_weeks = {weeks}
            """
        )
        + header
        + '\n[set]\n"organisation.employees" = 60\n"customers.count" = 300\n'
        + f"\n[factors]\n{factors}\n"
        + f"\n[outputs]\n{outputs}\n"
    )
    return path


def tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs (without the wall-time column) and weekly tables of a sweep folder."""
    return load_results(folder).drop(columns="elapsed_s"), load_results(folder, "weekly")


# -- experiment files ---------------------------------------------------------------------------


def test_shipped_experiments_are_valid_and_main_job_still_loads() -> None:
    plans = {
        p.stem: plan_experiment(p) for p in EXPERIMENT_DIR.glob("*.toml") if p.stem != "main_job"
    }
    assert {"smoke", "culture_structure_grid", "culture_sobol"} <= set(plans)
    assert plans["smoke"].runs_total <= 40
    grid = plans["culture_structure_grid"]
    assert grid.design.kind == "grid" and "organisation.structure" in grid.design.keys
    assert len({p[0] for p in grid.design.points}) == 4
    sobol = plans["culture_sobol"]
    assert sobol.design.kind == "sobol" and set(sobol.design.keys) == SIX_DIALS
    assert sobol.points == 64 * (6 + 2)
    # the comparison file keeps working, and is not mistaken for a sweep
    comp = load_comparison(EXPERIMENT_DIR / "main_job.toml")
    assert comp.baseline == "command_and_control" and len(comp.scenarios) == 7
    with pytest.raises(InputError, match="comparison file"):
        load_experiment(EXPERIMENT_DIR / "main_job.toml")


def test_grid_order_and_common_random_numbers(tmp_path: Path) -> None:
    plan = plan_experiment(write_experiment(tmp_path, replicates=3))
    assert plan.design.points == [
        ("hierarchical", 0.2),
        ("hierarchical", 0.8),
        ("matrix", 0.2),
        ("matrix", 0.8),
    ]
    assert plan.seeds == replicate_seeds(5, 3)
    seeds = np.array([plan.seed(r) for r in range(plan.runs_total)]).reshape(4, 3)
    assert (seeds == seeds[0]).all()  # replicate r has the same seed at every design point
    independent = plan_experiment(
        write_experiment(tmp_path, replicates=3, header="common_random_numbers = false\n")
    )
    own = [independent.seed(r) for r in range(independent.runs_total)]
    assert len(set(own)) == 12 and own == replicate_seeds(5, 12)
    assert independent.fingerprint() != plan.fingerprint()


@pytest.mark.parametrize(
    ("design", "samples", "count"),
    [("lhs", 10, 10), ("sobol", 8, 8 * (3 + 2)), ("morris", 3, 3 * (3 + 1))],
)
def test_sampling_designs(tmp_path: Path, design: str, samples: int, count: int) -> None:
    factors = (
        '"culture.responsiveness" = { range = [0.1, 0.9] }\n'
        '"organisation.span_of_control" = { range = [3, 9] }\n'
        '"organisation.structure" = { values = ["hierarchical", "matrix", "self_organised"] }'
    )
    path = write_experiment(
        tmp_path, factors, design=design, header=f"samples = {samples}\n", replicates=1
    )
    plan = plan_experiment(path)
    assert plan.points == count
    resp, span, structure = zip(*plan.design.points)
    assert all(0.1 <= x <= 0.9 and isinstance(x, float) for x in resp)
    assert all(3 <= x <= 9 and isinstance(x, int) for x in span)
    assert set(structure) <= {"hierarchical", "matrix", "self_organised"}
    if design != "morris":
        assert len(set(structure)) == 3
    assert plan_experiment(path).design.points == plan.design.points  # seeded by root_seed
    again = path.read_text().replace("root_seed = 5", "root_seed = 6")
    other = tmp_path / "other.toml"
    other.write_text(again)
    assert plan_experiment(other).design.points != plan.design.points


def test_range_in_a_grid_needs_levels(tmp_path: Path) -> None:
    bad = write_experiment(tmp_path, '"culture.responsiveness" = { range = [0.2, 0.8] }')
    with pytest.raises(InputError, match=r"factors\.culture\.responsiveness: .*levels"):
        plan_experiment(bad)
    good = write_experiment(
        tmp_path, '"culture.responsiveness" = { range = [0.2, 0.8], levels = 4 }', name="g.toml"
    )
    values = [p[0] for p in plan_experiment(good).design.points]
    assert values == pytest.approx([0.2, 0.4, 0.6, 0.8])


@pytest.mark.parametrize(
    ("factors", "header", "fragments"),
    [
        ('"culture.nonsense" = [0.1, 0.2]', "", ["factors.culture.nonsense", "unknown"]),
        ('"culture.psychological_safty" = [0.1]', "", ["did you mean"]),
        (
            '"culture.responsiveness" = { range = [0.5, 1.5] }',
            "samples = 8\n",
            ["[0.0, 1.0]", "outside"],
        ),
        (
            '"culture.responsiveness" = [0.5, 0.9]',
            "samples = 8\n",
            ["a bare list", "{ range = [0.5, 0.9] }", "{ values = [0.5, 0.9] }"],
        ),
        ('"culture.responsiveness" = [0.5, 1.5]', "", ["factors.culture.responsiveness", "1.5"]),
        ('"organisation.structure" = ["tree"]', "", ["organisation.structure", "hierarchical"]),
        ('"organisation.span_of_control" = [6.5]', "", ["span_of_control", "integer"]),
        ('"culture" = [1]', "", ["section"]),
        ('"culture.responsiveness" = { range = [0.2, 0.4] }', "samples = 3\n", ["power of 2"]),
    ],
)
def test_bad_factors_name_file_and_field(
    tmp_path: Path, factors: str, header: str, fragments: list[str]
) -> None:
    design = "sobol" if "samples" in header else "grid"
    path = write_experiment(tmp_path, factors, design=design, header=header)
    with pytest.raises(InputError) as err:
        plan_experiment(path)
    assert str(path) in str(err.value)
    for f in fragments:
        assert f in str(err.value)


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (("replicates = 2", "replicates = 0"), "replicates: Input should be greater than"),
        (('design = "grid"', 'design = "factorial"'), "design: Input should be 'grid'"),
        (('name = "tiny"', 'name = "tiny"\nfoo = 1'), "foo: unknown key"),
        (("replicates = 2", 'replicates = "2"'), "replicates: Input should be a valid integer"),
        (('weeks = "all"', "weeks = [0, 5]"), "outputs.weeks: week 0"),
        (('weeks = "all"', 'metrics = ["adoption"]'), "outputs.metrics"),
        (('"customers.count" = 300', '"customers.cont" = 300'), "set.customers.cont"),
        (('base = "command_and_control"', 'base = "nope"'), "base: nope"),
    ],
)
def test_bad_experiment_fields(tmp_path: Path, edit: tuple[str, str], fragment: str) -> None:
    path = write_experiment(tmp_path)
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(InputError) as err:
        plan_experiment(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_baseline_from_file_and_selector(tmp_path: Path) -> None:
    header = (
        '\n[baseline]\n"organisation.structure" = "matrix"\n"culture.psychological_safety" = 0.2\n'
    )
    path = write_experiment(tmp_path)
    path.write_text(path.read_text() + header)
    plan = plan_experiment(path)
    assert plan.baseline == 2
    assert find_point(plan.design, "structure=matrix,psychological_safety=0.8") == 3
    assert find_point(plan.design, "1") == 1
    with pytest.raises(InputError, match="no design point"):
        find_point(plan.design, "structure=matrix,psychological_safety=0.5")
    with pytest.raises(InputError, match="points match"):
        find_point(plan.design, "structure=matrix")


# -- running ------------------------------------------------------------------------------------


def test_identical_results_serial_pool_and_dask(tmp_path: Path) -> None:
    plan = plan_experiment(write_experiment(tmp_path))
    results = {}
    for label, workers, dask in (("serial", 1, None), ("pool", 2, None), ("dask", 2, "local")):
        rep = run_sweep(plan, tmp_path / label, workers=workers, dask=dask, progress=False)
        assert rep.complete and rep.failed == 0 and rep.ran == 8
        results[label] = tables(tmp_path / label)
    runs, weekly = results["serial"]
    assert runs["run_id"].tolist() == list(range(8))
    assert len(weekly) == 8 * 12 and (runs["status"] == "ok").all()
    for label in ("pool", "dask"):
        pd.testing.assert_frame_equal(results[label][0], runs)
        pd.testing.assert_frame_equal(results[label][1], weekly)


def test_failed_run_is_recorded_and_the_sweep_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAIL_ENV, "1,5:once")
    plan = plan_experiment(write_experiment(tmp_path))
    rep = run_sweep(plan, tmp_path / "out", workers=1, progress=False, chunk_runs=3)
    assert rep.complete and rep.failed == 1 and rep.failed_total == 1
    runs, weekly = tables(tmp_path / "out")
    failed = runs.set_index("run_id").loc[1]
    assert failed["status"] == "failed" and failed["attempts"] == 2
    assert "injected failure" in failed["error"] and np.isnan(failed["adoption_rate"])
    retried = runs.set_index("run_id").loc[5]
    assert retried["status"] == "ok" and retried["attempts"] == 2
    assert (runs.drop(index=1)["status"] == "ok").all()
    assert 1 not in set(weekly["run_id"]) and weekly["run_id"].nunique() == 7
    s = summarize(tmp_path / "out", plots=False)
    assert s.failed == 1 and any("failed" in n for n in s.notes)
    n = s.summary.set_index(["point", "outcome"])["n"]
    assert n[(0, "adoption_rate")] == 1 and n[(1, "adoption_rate")] == 2


def test_resume_finishes_without_losing_or_repeating_runs(tmp_path: Path) -> None:
    plan = plan_experiment(write_experiment(tmp_path, replicates=3))
    run_sweep(plan, tmp_path / "full", workers=1, progress=False)
    part = tmp_path / "part"
    first = run_sweep(plan, part, workers=1, progress=False, max_runs=5, chunk_runs=2)
    assert first.ran == 5 and not first.complete
    # debris of a crash: a temporary file and a weekly part whose runs part never landed
    (part / "runs" / ".part-000009.parquet.tmp-1").write_bytes(b"partial")
    orphan = part / "weekly" / "part-000007.parquet"
    orphan.write_bytes((part / "weekly" / "part-000000.parquet").read_bytes())
    with pytest.raises(InputError, match="--resume"):
        run_sweep(plan, part, workers=1, progress=False)
    second = run_sweep(plan, part, workers=2, resume=True, progress=False)
    assert second.done_before == 5 and second.ran == 7 and second.complete
    for a, b in zip(tables(part), tables(tmp_path / "full")):
        pd.testing.assert_frame_equal(a, b)
    left = [p.name for p in part.rglob("*") if ".tmp-" in p.name or p.name == ".lock"]
    assert left == [] and not orphan.exists()


def test_resume_runs_failed_runs_again_and_replaces_their_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_experiment(write_experiment(tmp_path))
    run_sweep(plan, tmp_path / "full", workers=1, progress=False)
    out = tmp_path / "out"
    monkeypatch.setenv(FAIL_ENV, "1,6")
    first = run_sweep(plan, out, workers=1, progress=False, chunk_runs=2)
    assert first.complete and first.failed_total == 2
    # still failing: recorded again, once
    monkeypatch.setenv(FAIL_ENV, "6")
    messages: list[str] = []
    second = run_sweep(plan, out, workers=1, progress=False, resume=True, log=messages.append)
    assert "resuming: 6 of 8 runs already recorded; running 2 failed runs again" in messages
    assert second.done_before == 6 and second.ran == 2 and second.failed_total == 1
    assert len(pd.read_parquet(out / "runs")) == 8  # the folder as read directly: no duplicates
    monkeypatch.delenv(FAIL_ENV)
    third = run_sweep(plan, out, workers=1, progress=False, resume=True)
    assert third.ran == 1 and third.failed_total == 0 and third.complete
    for a, b in zip(tables(out), tables(tmp_path / "full")):
        pd.testing.assert_frame_equal(a, b)
    assert len(pd.read_parquet(out / "runs")) == 8
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["failed_rerun"] for s in sessions] == [0, 2, 1]
    # nothing left to run: no workers are started
    fourth = run_sweep(plan, out, workers=2, progress=False, resume=True)
    assert fourth.ran == 0 and fourth.executor == "serial"


def test_a_folder_killed_while_being_created_is_started_afresh(tmp_path: Path) -> None:
    plan = plan_experiment(write_experiment(tmp_path, replicates=1))
    out = tmp_path / "out"
    for sub in ("runs", "weekly"):  # what a sweep writes before its manifest
        (out / sub).mkdir(parents=True)
    (out / ".lock").touch()
    (out / "experiment.toml").write_text("old")
    (out / "inputs" / "files").mkdir(parents=True)
    (out / "inputs" / "files" / "stale.toml").write_text("old copy")
    (out / ".design.parquet.tmp-99").write_bytes(b"partial")
    rep = run_sweep(plan, out, workers=1, progress=False, resume=True)
    assert rep.complete and rep.done_before == 0
    stored = (out / "experiment.toml").read_text()  # the experiment, pointing at the copies
    assert 'base = "inputs/presets/command_and_control.toml"' in stored
    assert sorted(p.name for p in (out / "inputs").rglob("*.toml")) == [
        "command_and_control.toml",
        "tiny.toml",
    ]
    assert len(load_results(out, "design")) == 4
    # a folder with anything else in it is still refused
    other = tmp_path / "other"
    (other / "runs").mkdir(parents=True)
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a sweep's"):
        run_sweep(plan, other, workers=1, progress=False)


def test_resume_refuses_a_different_experiment(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, replicates=1)
    run_sweep(plan_experiment(path), tmp_path / "out", workers=1, progress=False, max_runs=2)
    before = sorted((p, p.stat().st_mtime_ns) for p in (tmp_path / "out").rglob("*"))
    path.write_text(path.read_text().replace("root_seed = 5", "root_seed = 9"))
    with pytest.raises(InputError, match="different experiment"):
        run_sweep(plan_experiment(path), tmp_path / "out", resume=True, progress=False)
    assert sorted((p, p.stat().st_mtime_ns) for p in (tmp_path / "out").rglob("*")) == before


# -- statistics ---------------------------------------------------------------------------------


def test_summary_and_paired_differences_match_the_experiment_helpers() -> None:
    rng = np.random.default_rng(3)
    runs = pd.DataFrame(
        {
            "point": np.repeat([0, 1, 2], 5),
            "replicate": np.tile(range(5), 3),
            "status": "ok",
            "a": rng.normal(size=15),
            "b": rng.normal(size=15),
        }
    )
    runs.loc[7, "a"] = np.nan  # a failed run
    ours = point_summary(runs, ["a", "b"]).drop(columns="ci_method")
    heads = runs.rename(columns={"point": "scenario"})
    ref = summarise(heads, ["a", "b"])
    pd.testing.assert_frame_equal(
        ours.drop(columns="point").reset_index(drop=True),
        ref.drop(columns="scenario").reset_index(drop=True),
    )
    d = differences(runs, 0, ["a", "b"])
    ref_d = paired_differences(heads, 0, ["a", "b"])
    cols = ["outcome", "diff", "ci_low", "ci_high", "n"]
    pd.testing.assert_frame_equal(d[cols].reset_index(drop=True), ref_d[cols])


@pytest.mark.parametrize(("design", "samples"), [("sobol", 64), ("morris", 10)])
def test_sensitivity_finds_the_factor_that_matters(
    tmp_path: Path, design: str, samples: int
) -> None:
    factors = (
        '"culture.responsiveness" = { range = [0.0, 1.0] }\n'
        '"culture.decision_rights" = { range = [0.0, 1.0] }'
    )
    plan: Plan = plan_experiment(
        write_experiment(tmp_path, factors, design=design, header=f"samples = {samples}\n")
    )
    x = np.array(plan.design.points)
    runs = pd.DataFrame(
        {
            "point": range(plan.points),
            "status": "ok",
            "y": 5 * x[:, 0] + 0.01 * x[:, 1],
        }
    )
    sens = sensitivity(runs, plan.design, ["y"], seed=1).set_index(["factor", "index"])["value"]
    if design == "sobol":
        assert sens[("culture.responsiveness", "ST")] > 0.9
        assert sens[("culture.decision_rights", "ST")] < 0.05
    else:
        assert sens[("culture.responsiveness", "mu_star")] == pytest.approx(5, rel=1e-6)
        assert sens[("culture.decision_rights", "mu_star")] < 0.05


def test_sobol_sweep_summary_plots_and_duckdb(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    factors = (
        '"culture.responsiveness" = { range = [0.1, 0.9] }\n'
        '"culture.decision_rights" = { range = [0.1, 0.9] }'
    )
    path = write_experiment(
        tmp_path,
        factors,
        design="sobol",
        header="samples = 4\n",
        replicates=1,
        weeks=8,
        outputs="weeks = [4, 8]",
    )
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False)
    s = summarize(out)
    assert s.complete and s.out == out / "summary"
    assert {p.name for p in (out / "summary" / "plots").iterdir()} >= {"adoption_rate.png"}
    sobol = s.sensitivity[s.sensitivity["method"] == "sobol"]
    assert set(sobol["factor"]) == {"culture.responsiveness", "culture.decision_rights"}
    assert set(pd.read_csv(out / "summary" / "summary.csv")["n"]) == {1}
    weekly = load_results(out, "weekly")
    assert sorted(set(weekly["week"])) == [4, 8] and len(weekly) == 16 * 2
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{out}/runs/*.parquet')").fetchone()[0]
    assert n == 16
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True),
        load_results(out),
    )
