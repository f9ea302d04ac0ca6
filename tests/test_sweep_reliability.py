"""Crash safety of sweeps: random SIGKILLs then --resume, Ctrl-C, dying workers (issue 8).

Each test drives ``python run.py sweep`` in its own session (process group), as a user's terminal
would, and checks the results folder against an uninterrupted sweep: the same table bit for bit,
no run missing or twice, no temporary file left.

``ORGSIM_STRESS=1`` raises the number of random kills from 10 to 40 (about four times longer);
``ORGSIM_KILL_SEED`` changes the seed of the kill times (default 8).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

from sim.sweep import load_results, plan_experiment, run_sweep
from sim.sweep.runner import CRASH_ENV, CRASH_MARKERS_ENV
from tests.conftest import ROOT, RUN, cli, one_error_line
from tests.test_sweep import tables, write_experiment

KILLS = 40 if os.environ.get("ORGSIM_STRESS") == "1" else 10
KILL_SEED = int(os.environ.get("ORGSIM_KILL_SEED", "8"))
# 5 x 3 design points x 2 replicates of a 60-person company over 12 weeks: ~0.1 s a run.
FACTORS = (
    '"culture.psychological_safety" = [0.1, 0.3, 0.5, 0.7, 0.9]\n'
    '"culture.decision_rights" = [0.2, 0.5, 0.8]'
)
WEEKS = 12


def _experiment(folder: Path, replicates: int = 2) -> Path:
    return write_experiment(folder, FACTORS, replicates=replicates, weeks=WEEKS)


def _sweep_args(path: Path, out: Path, *extra: str) -> list[str]:
    return [*RUN, "sweep", str(path), "--out", str(out), *extra]


def _start(args: list[str]) -> subprocess.Popen:
    """The sweep in a session of its own: its process group is the runner and its workers."""
    return subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _saved(out: Path) -> int:
    return len(list((out / "runs").glob("part-*.parquet")))


def _debris(out: Path) -> list[str]:
    """Temporary files and the lock: none may be left once a sweep has ended."""
    return sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if ".tmp-" in p.name or p.name == ".lock"
    )


def _wait_for(cond: Callable[[], bool], proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, f"the sweep ended early: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _assert_same_results(out: Path, reference: Path, n_runs: int) -> None:
    """Identical tables, every run once, no stray file, a consistent manifest."""
    runs, weekly = tables(out)
    assert runs["run_id"].tolist() == list(range(n_runs))  # none missing, none twice
    for a, b in zip((runs, weekly), tables(reference)):
        pd.testing.assert_frame_equal(a, b)
    # the folders as pandas (and DuckDB) read them, without load_results' checks
    assert len(pd.read_parquet(out / "runs")) == n_runs
    assert len(pd.read_parquet(out / "weekly")) == n_runs * WEEKS
    assert _debris(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == {"finished": n_runs, "failed": 0, "complete": True}


# -- random SIGKILL, then --resume ---------------------------------------------------------------


def test_random_sigkills_then_resume_match_an_uninterrupted_sweep(tmp_path: Path) -> None:
    path = _experiment(tmp_path, replicates=3)
    n_runs = plan_experiment(path).runs_total
    assert n_runs == 45
    opts = ("--workers", "2", "--chunk-runs", "1")  # a chunk per run: files land all the time
    reference = tmp_path / "reference"
    res = subprocess.run(_sweep_args(path, reference, *opts), capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr

    # Kill points are drawn in progress, not in seconds, so that they land mid-sweep however
    # loaded the machine is: some at a random time in start-up (imports, planning, creating the
    # folder, starting the pool), the rest once 1 to 4 more runs are saved, plus a random part
    # of a run (so during runs, chunk writes, manifest updates).
    rng = np.random.default_rng(KILL_SEED)
    kills = rounds = 0
    phases: Counter[str] = Counter()
    while kills < KILLS:
        out = tmp_path / f"killed-{rounds}"
        rounds += 1
        for _ in range(4 * n_runs):
            args = _sweep_args(path, out, *opts, *(["--resume"] if out.exists() else []))
            proc = _start(args)
            if kills >= KILLS:  # enough: let this sweep finish
                phase = ""
            elif rng.random() < 0.15:
                phase = "in its first 2 s (imports, planning, folder, pool start)"
                deadline = time.monotonic() + rng.uniform(0.0, 2.0)
                while proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.005)
            else:
                phase = "mid-sweep"
                target = _saved(out) + int(rng.integers(1, 5))
                while proc.poll() is None and _saved(out) < target:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.15))
            if phase and proc.poll() is None:
                if any(".tmp-" in p.name for p in out.rglob("*")):
                    phase += ", a file being written"
                phases[phase] += 1
                os.killpg(proc.pid, signal.SIGKILL)  # the runner and its workers: a power cut
                proc.communicate()
                kills += 1
                continue
            _, err = proc.communicate()
            assert proc.returncode == 0, err
            assert "Traceback" not in err
            break
        else:
            pytest.fail("the sweep never finished")
        _assert_same_results(out, reference, n_runs)
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(phases.items()))
    print(f"\n{kills} SIGKILLs in {rounds} sweep(s) (seed {KILL_SEED}); {summary}")
    assert kills >= KILLS


# -- Ctrl-C ---------------------------------------------------------------------------------------

INTERRUPTED = re.compile(
    r"^interrupted: (\d+) of (\d+) runs saved in (\S+); finish with: (python run\.py sweep .*)$"
)


@pytest.mark.parametrize(
    ("executor", "group", "sig"),
    [
        ("serial", False, signal.SIGINT),  # Ctrl-C to the runner only (kill -INT)
        ("pool", False, signal.SIGINT),
        ("pool", True, signal.SIGINT),  # a terminal's Ctrl-C: SIGINT to every process of the group
        ("dask", True, signal.SIGINT),
        ("serial", False, signal.SIGTERM),  # kill PID
        ("pool", True, signal.SIGTERM),  # a batch scheduler's time limit: the whole job
    ],
)
def test_ctrl_c_saves_finished_runs_and_says_how_to_resume(
    tmp_path: Path, executor: str, group: bool, sig: signal.Signals
) -> None:
    path = _experiment(tmp_path)
    out = tmp_path / "out"
    opts = {
        "serial": ["--workers", "1"],
        "pool": ["--workers", "2"],
        "dask": ["--workers", "2", "--dask", "local"],
    }[executor]
    proc = _start(_sweep_args(path, out, *opts, "--chunk-runs", "2"))
    _wait_for(lambda: _saved(out) >= 2, proc)
    family = psutil.Process(proc.pid).children(recursive=True)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)

    assert proc.returncode == 128 + sig, err  # 130 for SIGINT, 143 for SIGTERM
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    last = err.strip().splitlines()[-1]
    m = INTERRUPTED.match(last)
    assert m, err
    saved, total, folder, command = int(m[1]), int(m[2]), Path(m[3]), m[4]
    assert total == 30 and folder == out and command.endswith(" --resume")
    assert saved == len(load_results(out)) >= 4
    assert _debris(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][-1]["interrupted"] and manifest["status"]["finished"] == saved
    _, alive = psutil.wait_procs(family, timeout=15)  # the workers went with the runner
    assert alive == [], alive

    if executor == "serial":  # the printed command finishes the sweep
        argv = command.split()
        res = subprocess.run(
            [sys.executable, *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert res.returncode == 0, res.stderr
        assert f"resuming: {saved} of 30" in res.stderr
        reference = tmp_path / "reference"
        run_sweep(plan_experiment(path), reference, workers=1, progress=False)
        _assert_same_results(out, reference, 30)


_SCHEDULER_FIRST = """
import sys, time
from sim.sweep.executors import DaskExecutor
ex = DaskExecutor("local", 1)
ex._cluster.sync(ex._cluster.scheduler.close)  # the scheduler goes first, as at a Ctrl-C
time.sleep(4)  # several worker heartbeats (1 s at this size) against a closed scheduler
print("slept", file=sys.stderr, flush=True)
ex.close()
"""


def test_dask_workers_stay_quiet_when_the_scheduler_closes_first() -> None:
    """At Ctrl-C the scheduler can close while a worker's heartbeat is in flight (seen in CI).

    The worker then logs "Failed to communicate with scheduler during heartbeat" with a traceback;
    the user must see only the runner's own message. This closes the scheduler first on purpose,
    so the race is certain rather than rare (with ``silence_logs=ERROR`` it printed three error
    lines with a traceback).
    """
    proc = subprocess.run(
        [sys.executable, "-c", _SCHEDULER_FIRST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "slept" in proc.stderr, proc.stderr  # the workers were alive during the heartbeats
    assert "Traceback" not in proc.stderr and " ERROR " not in proc.stderr, proc.stderr


# -- dying workers --------------------------------------------------------------------------------


def test_killed_dask_worker_is_replaced_and_results_are_identical(tmp_path: Path) -> None:
    path = _experiment(tmp_path, replicates=4)
    out = tmp_path / "out"
    proc = _start(_sweep_args(path, out, "--dask", "local", "--workers", "2", "--chunk-runs", "1"))
    _wait_for(lambda: _saved(out) >= 3, proc)
    workers = [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline())
    ]
    assert len(workers) == 2, [p.cmdline() for p in workers]
    os.kill(workers[0].pid, signal.SIGKILL)  # runs in flight on it are lost
    saved_at_kill = _saved(out)
    res_out, err = proc.communicate(timeout=300)

    assert proc.returncode == 0, err
    assert saved_at_kill < 60, "the sweep was over before the worker died"
    assert "60 of 60 recorded" in res_out and "failed" not in res_out, res_out
    reference = tmp_path / "reference"
    run_sweep(plan_experiment(path), reference, workers=1, progress=False)
    runs = load_results(out)
    assert (runs["status"] == "ok").all() and (runs["attempts"] == 1).all()
    _assert_same_results(out, reference, 60)


def test_pool_survives_a_crashing_worker_and_resume_retries_the_run(tmp_path: Path) -> None:
    path = _experiment(tmp_path)
    out = tmp_path / "out"
    markers = tmp_path / "markers"
    markers.mkdir()
    # run 3 kills its worker every time; run 7 only the first time
    env = {CRASH_ENV: "3,7:once", CRASH_MARKERS_ENV: str(markers)}
    args = ["sweep", str(path), "--out", str(out), "--workers", "2", "--chunk-runs", "4"]
    res = cli(*args, env=env)

    assert res.returncode == 3, res.stderr  # finished with a failed run (issue 15, class 10)
    assert "30 of 30 recorded" in res.stdout and "1 run failed" in res.stdout
    assert (markers / "crashed-7").exists()
    runs = load_results(out).set_index("run_id")
    assert runs.loc[3, "status"] == "failed"
    assert re.search(r"WorkerDied: worker process killed by SIGKILL .*twice", runs.loc[3, "error"])
    assert (runs.drop(index=3)["status"] == "ok").all()
    reference = tmp_path / "reference"
    run_sweep(plan_experiment(path), reference, workers=1, progress=False)
    a, b = tables(out), tables(reference)
    ok = a[0]["run_id"] != 3
    cols = [c for c in a[0].columns if c not in ("status", "attempts", "error")]
    pd.testing.assert_frame_equal(a[0][ok][cols], b[0][ok][cols])
    pd.testing.assert_frame_equal(a[1], b[1][b[1]["run_id"] != 3].reset_index(drop=True))

    # --resume runs the failed run again; it now succeeds and replaces the failure
    res = cli(*args, "--resume")
    assert res.returncode == 0, res.stderr
    assert "resuming: 29 of 30 runs already recorded; running 1 failed run again" in res.stderr
    assert "1 runs" in res.stdout and "30 of 30 recorded" in res.stdout
    _assert_same_results(out, reference, 30)


def test_workers_that_keep_dying_stop_the_sweep_with_a_message(tmp_path: Path) -> None:
    path = _experiment(tmp_path)
    out = tmp_path / "out"
    env = {CRASH_ENV: ",".join(str(i) for i in range(30))}
    res = cli("sweep", str(path), "--out", str(out), "--workers", "2", env=env)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert "worker processes keep dying" in res.stderr.strip().splitlines()[-1]
    runs = load_results(out)  # the runs given up on are recorded; --resume tries them again
    assert 0 < len(runs) < 30 and (runs["status"] == "failed").all()
    assert _debris(out) == []


# -- issue 15: inputs changed under --resume, damaged results, outputs checked first -----------


def _chart_experiment(folder: Path) -> Path:
    """A sweep whose base scenario imports an org chart and a customer file beside it."""
    from tests.test_org_chart import CUSTOMERS, SMALL

    (folder / "chart.csv").write_text(SMALL)
    (folder / "book.csv").write_text(CUSTOMERS)
    (folder / "acme.toml").write_text(
        'name = "acme"\n[organisation]\nstructure = "org_chart"\norg_chart = "chart.csv"\n'
        '[customers]\nfile = "book.csv"\n'
    )
    path = folder / "exp.toml"
    path.write_text(
        'name = "acme_sweep"\nbase = "acme.toml"\ndesign = "grid"\nreplicates = 2\n'
        "root_seed = 5\nhorizon_weeks = 4\n"
        '[factors]\n"culture.psychological_safety" = [0.2, 0.8]\n[outputs]\nweeks = "all"\n'
    )
    return path


@pytest.mark.parametrize("changed", ["chart.csv", "book.csv", "acme.toml", "exp.toml"])
def test_resume_after_an_input_changed_is_refused_naming_the_file(
    tmp_path: Path, changed: str
) -> None:
    """Class 2: interrupt, edit an input, resume: exit 2 naming the file; nothing changed."""
    path = _chart_experiment(tmp_path)
    out = tmp_path / "out"
    plan = plan_experiment(path)
    assert {Path(f).name for f in plan.inputs} == {"exp.toml", "acme.toml", "chart.csv", "book.csv"}
    run_sweep(plan, out, workers=1, progress=False, max_runs=2, chunk_runs=1)  # "interrupted"
    target = tmp_path / changed
    if changed == "chart.csv":  # one more support agent: the chart still loads
        target.write_text(target.read_text() + "s5,t4,Support,Service\n")
    else:  # a comment: the file still parses, only its bytes changed
        target.write_text(
            target.read_text() + "\n" + ("# edited\n" if changed != "book.csv" else "")
        )
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    res = cli("sweep", str(path), "--out", str(out), "--resume", "--workers", "1")
    line = one_error_line(res)
    assert str(target.resolve()) in line and "changed" in line, line
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert len(load_results(out)) == 2


def test_resume_with_unchanged_inputs_finishes_the_sweep(tmp_path: Path) -> None:
    path = _chart_experiment(tmp_path)
    out, reference = tmp_path / "out", tmp_path / "reference"
    run_sweep(plan_experiment(path), out, workers=1, progress=False, max_runs=2, chunk_runs=1)
    run_sweep(plan_experiment(path), out, workers=1, progress=False, resume=True)
    run_sweep(plan_experiment(path), reference, workers=1, progress=False)
    for a, b in zip(tables(out), tables(reference)):
        pd.testing.assert_frame_equal(a, b)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["inputs"]) == set(plan_experiment(path).inputs)


def _finished(tmp_path: Path) -> tuple[Path, Path, int]:
    path = write_experiment(tmp_path, replicates=2, weeks=4)  # 4 points x 2 = 8 runs
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False, chunk_runs=2)
    return path, out, 8


@pytest.mark.parametrize("damage", ["truncate_runs", "delete_weekly", "edit_weekly", "delete_runs"])
def test_damaged_chunks_are_found_set_aside_and_run_again(tmp_path: Path, damage: str) -> None:
    """Class 9: a truncated, edited or deleted chunk is found by its sha256; summarize refuses
    with exit 2 naming it; --resume sets it aside, says so, and runs its runs again."""
    path, out, n = _finished(tmp_path)
    reference = tmp_path / "reference"
    run_sweep(plan_experiment(path), reference, workers=1, progress=False, chunk_runs=2)
    part = "part-000001.parquet"
    folder, how = damage.split("_")[1], damage.split("_")[0]
    victim = out / folder / part
    if how == "truncate":
        victim.write_bytes(victim.read_bytes()[:100])
    elif how == "edit":
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    else:
        victim.unlink()
    res = cli("summarize", str(out), "--no-plots")
    assert res.returncode == 2, res.stderr
    line = res.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, line
    assert f"{folder}/{part}" in line and "--resume" in line, line
    assert not (out / "summary").exists()

    res = cli("sweep", str(path), "--out", str(out), "--resume", "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert f"damaged results: {folder}/{part}" in res.stderr and "will run again" in res.stderr
    assert f"resuming: {n - 2} of {n} runs" in res.stderr  # the chunk's two runs, no more
    runs, weekly = tables(out)
    assert runs["run_id"].tolist() == list(range(n))
    assert len(weekly) == n * 4
    for a, b in zip((runs, weekly), tables(reference)):
        pd.testing.assert_frame_equal(a, b)
    if how != "delete":
        assert (out / "damaged" / f"{folder}-{part}").is_file()  # kept for a look, not read
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == {"finished": n, "failed": 0, "complete": True}
    assert not (out / "chunks.jsonl").exists()  # folded into the manifest
    assert len([k for k in manifest["chunks"] if k.startswith("runs/")]) == len(
        list((out / "runs").glob("part-*.parquet"))
    )
    assert cli_ok(out)


def cli_ok(out: Path) -> bool:
    res = cli("summarize", str(out), "--no-plots")
    return res.returncode == 0


def test_a_kill_before_the_checksums_are_folded_in_loses_nothing(tmp_path: Path) -> None:
    """The journal (chunks.jsonl) of a session killed before it wrote its manifest is read."""
    path = _experiment(tmp_path)
    out = tmp_path / "out"
    proc = _start(_sweep_args(path, out, "--workers", "1", "--chunk-runs", "1"))
    try:
        _wait_for(lambda: _saved(out) >= 3, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert (out / "chunks.jsonl").is_file()
    saved = len(load_results(out))  # every saved chunk verifies against the journal
    assert saved >= 3
    res = cli("sweep", str(path), "--out", str(out), "--resume", "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert "damaged" not in res.stderr and f"resuming: {saved} of 30" in res.stderr


@pytest.mark.parametrize(
    ("setup", "fragments"),
    [
        ("runs_is_a_file", ["runs", "is a file"]),
        ("manifest_is_a_folder", ["manifest.json", "is a folder"]),
        ("read_only", ["cannot write in", "read-only"]),
    ],
)
def test_sweep_output_problems_are_found_before_any_run(
    tmp_path: Path, setup: str, fragments: list[str]
) -> None:
    """Class 12: a companion that is a folder/file or a read-only folder: exit 2 before any run."""
    path = _experiment(tmp_path)
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, workers=1, progress=False, max_runs=2)
    if setup == "runs_is_a_file":
        import shutil

        shutil.rmtree(out / "runs")
        (out / "runs").write_text("not a folder\n")
    elif setup == "manifest_is_a_folder":
        (out / "manifest.json").unlink()
        (out / "manifest.json").mkdir()
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        out.chmod(0o555)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    try:
        res = cli("sweep", str(path), "--out", str(out), "--resume", "--workers", "1")
    finally:
        out.chmod(0o755)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    for f in fragments:
        assert f in res.stderr, res.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
