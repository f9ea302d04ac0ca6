"""Sweeps through the command line, as a researcher runs them: sweep, kill, resume, summarize."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.sweep import load_results, plan_experiment, run_sweep
from sim.sweep.runner import FAIL_ENV
from tests.conftest import ROOT, RUN, cli
from tests.test_cli import assert_bad_input
from tests.test_sweep import tables, write_experiment

SMOKE = ROOT / "experiments" / "smoke.toml"


def test_smoke_sweep_then_summarize(tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    res = cli("sweep", str(SMOKE), "--out", str(out), "--workers", "2")
    assert res.returncode == 0, res.stderr
    assert "32 of 32 recorded" in res.stdout and "summarize" in res.stdout
    names = {p.name for p in out.iterdir()}
    assert names == {
        "manifest.json",
        "experiment.toml",
        "design.parquet",
        "inputs",
        "runs",
        "weekly",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"]["sha256"] == hashlib.sha256(SMOKE.read_bytes()).hexdigest()
    assert manifest["status"] == {"finished": 32, "failed": 0, "complete": True}
    assert len(manifest["seeds"]) == 4 and len(manifest["design"]["points"]) == 8
    assert {"numpy", "mesa", "SALib", "python"} <= set(manifest["versions"])
    assert "git_revision" in manifest
    runs = pd.read_parquet(out / "runs")  # pandas reads the folder directly
    assert len(runs) == 32 and (runs["status"] == "ok").all()
    seeds = runs.pivot(index="replicate", columns="point", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # common random numbers
    assert len(pd.read_parquet(out / "weekly")) == 32 * 26

    again = cli("sweep", str(SMOKE), "--out", str(out))
    assert_bad_input(again, "--resume")

    res = cli(
        "summarize",
        str(out),
        "--no-plots",
        "--baseline",
        "structure=self_organised,psychological_safety=0.2,decision_rights=0.2",
    )
    assert res.returncode == 0, res.stderr
    assert "95% CI" in res.stdout and "Difference from point 4" in res.stdout
    summary = pd.read_csv(out / "summary" / "summary.csv")
    assert len(summary) == 8 * 12 and set(summary["n"]) == {4}
    diffs = pd.read_csv(out / "summary" / "paired_differences.csv")
    assert set(diffs["point"]) == {0, 1, 2, 3, 5, 6, 7} and set(diffs["method"]) == {"paired"}
    sens = pd.read_csv(out / "summary" / "sensitivity.csv")
    assert set(sens["method"]) == {"friedman"}  # replicates as blocks: common random numbers


def _bad(tmp_path: Path, old: str, new: str) -> Path:
    path = write_experiment(tmp_path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            '"culture.psychological_safety" = [0.2, 0.8]',
            '"culture.psychological_safety" = [0.2, 0.8]\n"culture.bogus" = [1, 2]',
            ["factors.culture.bogus", "unknown scenario field"],
        ),
        (
            'design = "grid"',
            'design = "lhs"\nsamples = 4',
            ["factors.organisation.structure", "bare list"],  # values or range: say which
        ),
        (
            '"culture.psychological_safety" = [0.2, 0.8]',
            '"culture.psychological_safety" = { range = [-0.5, 0.8], levels = 3 }',
            ["factors.culture.psychological_safety", "outside", "[0.0, 1.0]"],
        ),
        ("replicates = 2", "replicates = 0", ["replicates", "greater than or equal to 1"]),
        ('design = "grid"', 'design = "montecarlo"', ["design", "'grid', 'lhs', 'sobol'"]),
    ],
)
def test_bad_experiment_file_exits_2_and_writes_nothing(
    tmp_path: Path, old: str, new: str, fragments: list[str]
) -> None:
    path = _bad(tmp_path, old, new)
    out = tmp_path / "out"
    res = cli("sweep", str(path), "--out", str(out), cwd=tmp_path)
    assert_bad_input(res, str(path), *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


def test_bad_cli_arguments_exit_2(tmp_path: Path) -> None:
    assert_bad_input(cli("sweep", "nope.toml", cwd=tmp_path), "nope.toml")
    assert_bad_input(cli("sweep", str(SMOKE), "--workers", "0", cwd=tmp_path), "--workers")
    assert_bad_input(cli("summarize", str(tmp_path), cwd=tmp_path), "not a sweep results folder")
    assert list(tmp_path.iterdir()) == []


def test_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    res = cli("sweep", str(path), "--out", str(out), "--workers", "2", env={FAIL_ENV: "3"})
    # issue 15, class 10: finished with failed runs is exit 3, not 0, with one line saying so
    assert res.returncode == 3, res.stderr
    assert "1 run failed" in res.stdout
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("error: finished with 1 failed run of 8") and "--resume" in last
    assert "Traceback" not in res.stderr
    runs = load_results(out)
    assert runs["run_id"].tolist() == list(range(8))
    assert runs.loc[3, "status"] == "failed" and "injected failure" in runs.loc[3, "error"]
    assert (runs.drop(index=3)["status"] == "ok").all()
    res = cli("summarize", str(out), "--no-plots")
    assert res.returncode == 3, res.stderr  # the summary is written, without the failed run
    assert "1 failed" in res.stdout and (out / "summary" / "summary.csv").is_file()
    assert "1 of 8 recorded runs failed" in res.stderr and "--resume" in res.stderr
    # --resume runs it again; with it fixed, the sweep and its summary exit 0
    res = cli("sweep", str(path), "--out", str(out), "--resume")
    assert res.returncode == 0, res.stderr
    assert cli("summarize", str(out), "--no-plots").returncode == 0


def test_every_run_failed_exit_3_and_summarize_writes_nothing(tmp_path: Path) -> None:
    """issue 15, class 10: summarize crashed (after writing CSVs) when every run had failed."""
    path = write_experiment(tmp_path, replicates=1, weeks=4)
    out = tmp_path / "out"
    env = {FAIL_ENV: "0,1,2,3"}
    res = cli("sweep", str(path), "--out", str(out), "--workers", "1", env=env)
    assert res.returncode == 3, res.stderr
    assert "finished with 4 failed runs of 4" in res.stderr
    for plots in ([], ["--no-plots"]):
        res = cli("summarize", str(out), *plots)
        assert res.returncode == 3, res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
        assert "all 4 recorded runs failed" in lines[0] and "nothing written" in lines[0]
        assert "injected failure" in lines[0] and "--resume" in lines[0]
        assert not (out / "summary").exists()


def test_resume_after_sigkill_matches_an_uninterrupted_sweep(tmp_path: Path) -> None:
    path = write_experiment(
        tmp_path,
        '"culture.psychological_safety" = [0.1, 0.3, 0.5, 0.7, 0.9]\n'
        '"culture.decision_rights" = [0.2, 0.8]',
        replicates=4,
        weeks=12,
    )
    plan = plan_experiment(path)
    assert plan.runs_total == 40
    out = tmp_path / "killed"
    args = [*RUN, "sweep", str(path), "--out", str(out), "--workers", "2", "--chunk-runs", "2"]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "runs").glob("part-*.parquet"))) >= 3:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the runner and its workers: a power cut
        proc.wait()
    finished = len(load_results(out))
    assert 6 <= finished < 40

    res = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert f"resuming: {finished} of 40" in res.stderr
    reference = tmp_path / "reference"
    run_sweep(plan, reference, workers=1, progress=False)
    runs, weekly = tables(out)
    assert runs["run_id"].tolist() == list(range(40))  # none missing, none twice
    assert len(weekly) == 40 * 12
    for a, b in zip((runs, weekly), tables(reference)):
        pd.testing.assert_frame_equal(a, b)
    left = [p.name for p in out.rglob("*") if ".tmp-" in p.name or p.name == ".lock"]
    assert left == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"]["complete"] and len(manifest["sessions"]) == 1


# ------------------------------------------------------------------ issue 15, class 4
def _chart_experiment(folder: Path, levels: list[str], sweep_set: str = "") -> Path:
    """An experiment next to two org charts whose factor is the org chart itself."""
    import shutil

    (folder / "charts").mkdir(parents=True)
    for name in ("a.csv", "b.csv"):
        shutil.copy(
            ROOT / "tests" / "bad_inputs" / "customers" / "_chart.csv", folder / "charts" / name
        )
    (folder / "current.toml").write_text(
        'name = "current"\n[organisation]\nstructure = "org_chart"\norg_chart = "charts/a.csv"\n'
    )
    path = folder / "e.toml"
    quoted = ", ".join(f'"{v}"' for v in levels)
    path.write_text(
        'name = "charts"\nbase = "current.toml"\ndesign = "grid"\nreplicates = 1\nroot_seed = 1\n'
        f'horizon_weeks = 2\n{sweep_set}[factors]\n"organisation.org_chart" = [{quoted}]\n'
        '[baseline]\n"organisation.org_chart" = "charts/a.csv"\n'
    )
    return path


def test_file_valued_factor_levels_resolve_against_the_experiment_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _chart_experiment(tmp_path / "exp", ["charts/a.csv", "charts/b.csv"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the experiment's folder
    plan = plan_experiment(path)
    (factor,) = plan.exp.factors
    assert factor.values == tuple(str(tmp_path / "exp" / "charts" / n) for n in ("a.csv", "b.csv"))
    assert plan.baseline == 0
    for p in range(2):
        assert Path(plan.scenario(p).organisation.org_chart).parent == tmp_path / "exp" / "charts"


@pytest.mark.parametrize(
    ("level", "fragment"),
    [("charts/missing.csv", "no such file"), ("current.toml", "column"), ("/dev/zero", "device")],
)
def test_every_level_of_a_file_factor_is_read_before_any_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, level: str, fragment: str
) -> None:
    from sim.errors import InputError

    path = _chart_experiment(tmp_path, ["charts/a.csv", level])
    monkeypatch.chdir(tmp_path / "charts")
    with pytest.raises(InputError) as err:
        plan_experiment(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: factors.organisation.org_chart: level ")
    assert Path(level).name in msg and fragment in msg
