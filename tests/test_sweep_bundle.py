"""Self-contained results folders: input copies, ``run.py rerun``, the stored experiment."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import InputError
from sim.sweep import load_results, plan_experiment, run_sweep
from sim.sweep.bundle import dumps_toml, rerun
from tests.test_sweep import tables, write_experiment

ROOT = Path(__file__).resolve().parent.parent
RUN = [sys.executable, str(ROOT / "run.py")]


def _stored(folder: Path, run_id: int) -> tuple[pd.Series, pd.DataFrame]:
    runs = load_results(folder)
    weekly = load_results(folder, "weekly")
    row = runs[runs["run_id"] == run_id].iloc[0]
    return row, weekly[weekly["run_id"] == run_id].reset_index(drop=True)


def test_rerun_equals_the_stored_rows(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, weeks=6)  # 4 points x 2 replicates, a preset base
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False)
    assert (out / "inputs" / "presets" / "command_and_control.toml").is_file()
    for run_id in (0, 5, 7):
        r = rerun(out, run_id)
        row, weekly = _stored(out, run_id)
        pd.testing.assert_frame_equal(r.weekly, weekly, check_exact=True)
        for k, v in r.run.items():
            if k in row.index and k != "error":
                assert (isinstance(v, float) and math.isnan(v) and math.isnan(row[k])) or v == row[
                    k
                ], k
        assert r.matches is True and r.stored


def _chain_experiment(folder: Path, data: Path) -> Path:
    """A sweep whose base is a scenario file with a base preset named by name, an org chart
    given by an absolute path in another folder, and a customer book as a factor."""
    from tests.test_org_chart import CUSTOMERS, SMALL

    data.mkdir(parents=True)
    (data / "chart.csv").write_text(SMALL)
    (data / "book.csv").write_text(CUSTOMERS)
    (data / "book2.csv").write_text(CUSTOMERS.replace("\n", "\n", 1))
    (folder / "scen").mkdir(parents=True)
    (folder / "scen" / "acme.toml").write_text(
        'name = "acme"\nbase = "command_and_control"\n[organisation]\nstructure = "org_chart"\n'
        f'org_chart = "{data / "chart.csv"}"\n'
    )
    path = folder / "exp" / "exp.toml"
    path.parent.mkdir()
    path.write_text(
        'name = "chain"\nbase = "../scen/acme.toml"\ndesign = "grid"\nreplicates = 2\n'
        "root_seed = 9\nhorizon_weeks = 4\n"
        '[factors]\n"culture.decision_rights" = [0.2, 0.8]\n'
        f'"customers.file" = ["{data / "book.csv"}", "{data / "book2.csv"}"]\n'
        '[outputs]\nweeks = "all"\n'
    )
    return path


def test_rerun_works_after_moving_the_folder_and_deleting_the_originals(tmp_path: Path) -> None:
    src, data = tmp_path / "work", tmp_path / "elsewhere"
    path = _chain_experiment(src, data)
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    sources = {Path(r["source"]).name for r in manifest["input_copies"].values()}
    assert sources == {
        "exp.toml",
        "acme.toml",
        "command_and_control.toml",
        "chart.csv",
        "book.csv",
        "book2.csv",
    }
    # the rewritten scenario copy names the chart's copy; a preset base stays a name
    acme = next(n for n in manifest["input_copies"] if n.endswith("acme.toml"))
    copied = tomllib.loads((out / acme).read_text())
    assert (out / acme).parent.joinpath(copied["organisation"]["org_chart"]).resolve() == (
        out / next(n for n in manifest["input_copies"] if n.endswith("chart.csv"))
    ).resolve()
    assert copied["base"] == "command_and_control"
    stored_row, stored_weekly = _stored(out, 6)

    moved = tmp_path / "moved" / "results"
    moved.parent.mkdir()
    shutil.move(out, moved)
    shutil.rmtree(src)
    shutil.rmtree(data)
    target = tmp_path / "run6.parquet"
    res = subprocess.run(
        [*RUN, "rerun", str(moved), "--run-id", "6", "--out", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "identical to the stored rows" in res.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(target), stored_weekly, check_exact=True)
    assert stored_row["customers.file"] == str(data / "book2.csv")  # as recorded, not moved

    # the stored experiment repeats the whole sweep from the copies
    again = tmp_path / "again"
    run_sweep(plan_experiment(moved / "experiment.toml"), again, workers=1, progress=False)
    (a_runs, a_weekly), (b_runs, b_weekly) = tables(again), tables(moved)
    key = "customers.file"
    assert [Path(v).name for v in a_runs[key]] == [Path(v).name for v in b_runs[key]]
    pd.testing.assert_frame_equal(a_runs.drop(columns=key), b_runs.drop(columns=key))
    pd.testing.assert_frame_equal(a_weekly.drop(columns=key), b_weekly.drop(columns=key))


def test_rerun_refuses_a_changed_copy_and_a_bad_run_id(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, weeks=4)
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False)
    with pytest.raises(InputError, match=r"--run-id 8: the sweep has runs 0 to 7"):
        rerun(out, 8)
    copy = out / "inputs" / "files" / "tiny.toml"
    copy.write_text(copy.read_text() + "# edited\n")
    res = subprocess.run(
        [*RUN, "rerun", str(out), "--run-id", "1"], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 2
    line = res.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert str(copy) in line and "changed" in line


def test_rerun_refuses_an_out_inside_the_folder(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, weeks=4)
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False)
    victim = next((out / "weekly").iterdir())
    before = victim.read_bytes()
    res = subprocess.run(
        [*RUN, "rerun", str(out), "--run-id", "1", "--out", str(victim)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert victim.read_bytes() == before


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x", "n": 3, "f": 0.1, "b": True, "s": 'a "quoted" \\ line\nnext é'},
        {"set": {"culture.responsiveness": 0.5, "a-b": [1, 2]}, "top": [1.5, -2.0]},
        {"transformations": [{"kind": "merge", "units": ["a", "b"]}], "org": {"x": {"y": 1}}},
        {"weird key": {"nan": float("inf"), "list": [[1, 2], ["a"]]}},
    ],
)
def test_dumps_toml_round_trips(data: dict) -> None:
    assert tomllib.loads(dumps_toml(data)) == data


def test_a_proposed_design_on_its_current_file_reruns_from_the_copies(tmp_path: Path) -> None:
    """A base that is itself based on a file (reached gradually, sim/design.py) and reads an
    org chart and a customer book: the copies keep their layout, so the chain still holds."""
    acme = tmp_path / "acme"
    shutil.copytree(ROOT / "examples" / "acme", acme)
    path = tmp_path / "exp.toml"
    path.write_text(
        'name = "acme"\nbase = "acme/proposed.toml"\ndesign = "grid"\nreplicates = 1\n'
        'horizon_weeks = 3\n[set]\n"burn_in_weeks" = 4\n'
        '[factors]\n"culture.responsiveness" = [0.3, 0.7]\n'
    )
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False)
    names = {Path(n).name for n in json.loads((out / "manifest.json").read_text())["input_copies"]}
    assert {"proposed.toml", "current.toml", "org_chart.csv", "customers.csv"} <= names
    stored_row, stored_weekly = _stored(out, 1)
    moved = tmp_path / "moved"
    shutil.move(out, moved)
    shutil.rmtree(acme)
    r = rerun(moved, 1)
    assert r.matches is True, r.difference
    pd.testing.assert_frame_equal(r.weekly, stored_weekly, check_exact=True)
    assert r.run["annual_churn"] == stored_row["annual_churn"]
