"""End-to-end tests through the command line, as a user runs it."""

from __future__ import annotations

import io
import json
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, RUN, cli  # noqa: F401 (ROOT: other test modules import it here)

TINY = ["--set", "organisation.employees=60", "--set", "customers.count=300"]


def assert_bad_input(res: subprocess.CompletedProcess, *fragments: str) -> None:
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    lines = [x for x in res.stderr.strip().splitlines() if x]
    assert lines and lines[0].startswith(("error:", "usage:")), res.stderr
    for f in fragments:
        assert f in res.stderr


def test_run_writes_weekly_table(tmp_path: Path) -> None:
    out = tmp_path / "cc.csv"
    res = cli("run", "command_and_control", "--weeks", "6", "--seed", "3", *TINY, "--out", str(out))
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(out)
    assert df["week"].tolist() == list(range(1, 7))
    assert "adoption_rate" in res.stdout and "annual_churn" in res.stdout


def test_run_parquet_and_same_seed_same_numbers(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    for p in (a, b):
        res = cli("run", "matrix", "--weeks", "5", "--seed", "9", *TINY, "--out", str(p))
        assert res.returncode == 0, res.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["run", "command_and_control", "--set", "culture.responsiveness=2"],
            ["culture.responsiveness", "[0.0, 1.0]"],
        ),
        (["run", "command_and_control", "--set", "culture.nonsense=1"], ["culture.nonsense"]),
        (["run", "command_and_control", "--set", "noequals"], ["key=value"]),
        (["run", "no_such_preset"], ["presets:"]),
        (["run", "missing.toml"], ["missing.toml"]),
        (["run", "command_and_control", "--weeks", "0"], ["--weeks"]),
        (["run", "command_and_control", "--seed", "-4"], ["--seed"]),
        (["run", "command_and_control", "--out", "x.txt"], [".csv or .parquet"]),
        (["compare", "matrix", "--replicates", "0"], ["--replicates"]),
        (["compare", "matrix", "--workers", "0"], ["--workers"]),
        (["frobnicate"], ["invalid choice"]),
        (["run", "command_and_control", "--weeks", "ten"], ["invalid int"]),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    res = cli(*args, cwd=tmp_path)
    assert_bad_input(res, *fragments)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bad_scenario_file_named_with_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text("[culture]\ndecision_rights = 7\n")
    out = tmp_path / "out.csv"
    res = cli("run", str(p), "--out", str(out))
    assert_bad_input(res, str(p), "culture.decision_rights", "[0.0, 1.0]")
    assert not out.exists()


def test_compare_writes_folder_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    res = cli(
        "compare",
        "command_and_control",
        "self_organised",
        "--replicates",
        "2",
        "--workers",
        "2",
        *TINY,
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    names = {p.name for p in out.iterdir()}
    assert {
        "weekly.parquet",
        "summary.csv",
        "paired_differences.csv",
        "chart.png",
        "manifest.json",
        "headlines.csv",
    } <= names
    weekly = pd.read_parquet(out / "weekly.parquet")
    assert set(weekly["scenario"]) == {"command_and_control", "self_organised"}
    # common random numbers: replicate r has the same seed in both designs
    seeds = weekly.groupby(["replicate", "scenario"])["seed"].first().unstack()
    assert (seeds["command_and_control"] == seeds["self_organised"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicates"] == 2 and len(manifest["seeds"]) == 2
    before = sorted((p.name, p.stat().st_mtime_ns) for p in out.iterdir())
    again = cli("compare", "matrix", "--replicates", "1", *TINY, "--out", str(out))
    assert_bad_input(again, "not empty")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in out.iterdir()) == before


def test_compare_identical_for_any_worker_count(tmp_path: Path) -> None:
    frames = []
    for w in ("1", "2"):
        out = tmp_path / f"w{w}"
        res = cli(
            "compare",
            "matrix",
            "functional_silos",
            "--replicates",
            "2",
            "--workers",
            w,
            *TINY,
            "--out",
            str(out),
        )
        assert res.returncode == 0, res.stderr
        frames.append(pd.read_parquet(out / "weekly.parquet"))
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_presets_listed() -> None:
    res = cli("presets")
    assert res.returncode == 0
    for name in ("command_and_control", "kotter_programme", "self_organised"):
        assert name in res.stdout


def test_main_job_compares_presets_and_saves_results(tmp_path: Path) -> None:
    res = cli(cwd=tmp_path, timeout=900)
    assert res.returncode == 0, res.stderr
    folders = list((tmp_path / "results").iterdir())
    assert len(folders) == 1
    out = folders[0]
    assert (out / "weekly.parquet").exists() and (out / "chart.png").exists()
    summary = pd.read_csv(out / "summary.csv")
    assert summary["scenario"].nunique() == 7
    assert {
        "adoption_rate",
        "annual_churn",
        "silent_churn_share",
        "morale_mean",
        "annual_staff_turnover",
        "roi",
    } <= set(summary["outcome"])
    assert "95% CI" in res.stdout and "command_and_control" in res.stdout
    # no temporary folders left behind
    assert not [p for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]


def test_validate_passes_at_ci_size_and_rejects_unknown_names(tmp_path: Path) -> None:
    res = cli("validate", "granovetter", "--size", "ci")
    assert res.returncode == 0, res.stderr
    assert "PASS" in res.stdout and "Granovetter 1978" in res.stdout
    assert_bad_input(cli("validate", "nonsense", cwd=tmp_path), "march1991")


def test_validate_exits_1_when_a_check_fails(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import run
    import sim.validation

    table = sim.validation.run_checks(["granovetter"], size="ci")
    table.loc[0, "passed"] = False
    monkeypatch.setattr(sim.validation, "run_checks", lambda *a, **k: table)
    assert run.main(["validate", "granovetter"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_too_large_a_model_is_refused_before_building(tmp_path: Path) -> None:
    env = {**os.environ, "SIM_MEMORY_LIMIT_MB": "200"}
    res = subprocess.run(
        [*RUN, "run", "command_and_control", "--set", "customers.count=5000000"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert_bad_input(res, "GB is available", "customers.count")


def test_same_seed_same_table_across_hash_seeds(tmp_path: Path) -> None:
    outs = []
    for hs in ("0", "12345"):
        out = tmp_path / f"h{hs}.csv"
        env = {**os.environ, "PYTHONHASHSEED": hs}
        res = subprocess.run(
            [*RUN, "run", "functional_silos", "--weeks", "8", *TINY, "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert res.returncode == 0, res.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


INTERVENTIONS = (
    'base = "command_and_control"\nname = "changed"\n'
    '[[interventions]]\nweek = 2\nset = { "culture.decision_rights" = 0.8 }\n'
)


def test_run_prints_and_saves_the_interventions_table(tmp_path: Path) -> None:
    """A scenario with [[interventions]]: the changes are printed and written next to --out."""
    sc = tmp_path / "changed.toml"
    sc.write_text(INTERVENTIONS)
    out = tmp_path / "weekly.csv"
    res = cli("run", str(sc), "--weeks", "4", "--seed", "3", *TINY, "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "changes during the run" in res.stdout
    assert "week 2: culture.decision_rights" in res.stdout and "-> 0.8" in res.stdout
    changes = pd.read_csv(tmp_path / "weekly_interventions.csv")
    assert list(changes.columns) == ["week", "field", "old", "new"]
    assert changes[["week", "field"]].values.tolist() == [[2, "culture.decision_rights"]]
    assert float(changes["new"].iloc[0]) == 0.8
    assert pd.read_csv(out)["week"].tolist() == [1, 2, 3, 4]
    # without [[interventions]] there is no such table
    plain = tmp_path / "plain.csv"
    res = cli("run", "command_and_control", "--weeks", "2", *TINY, "--out", str(plain))
    assert res.returncode == 0, res.stderr
    assert "changes during the run" not in res.stdout
    assert not (tmp_path / "plain_interventions.csv").exists()


def test_run_refuses_an_out_whose_interventions_table_would_overwrite_an_input(
    tmp_path: Path,
) -> None:
    """The companion <stem>_interventions file may not replace an input: exit 2 before any work."""
    from tests.test_org_chart import CUSTOMERS, SMALL

    (tmp_path / "chart.csv").write_text(SMALL)
    book = tmp_path / "weekly_interventions.csv"
    book.write_text(CUSTOMERS)
    sc = tmp_path / "chart.toml"
    sc.write_text(
        'name = "chart"\nhorizon_weeks = 4\n[organisation]\nstructure = "org_chart"\n'
        'org_chart = "chart.csv"\n[customers]\nfile = "weekly_interventions.csv"\n'
        '[[interventions]]\nweek = 1\nset = { "culture.decision_rights" = 0.8 }\n'
    )
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir())
    res = cli("run", str(sc), "--out", str(tmp_path / "weekly.csv"))
    assert_bad_input(res, "--out", "weekly_interventions.csv", "input")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir()) == before
    assert book.read_text() == CUSTOMERS
    # the per-week table itself may not replace an input either
    res = cli("run", str(sc), "--out", str(tmp_path / "chart.csv"))
    assert_bad_input(res, "chart.csv", "input")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir()) == before
    # without [[interventions]] no companion is written, so that name is fine
    sc.write_text(sc.read_text().split("[[interventions]]")[0])
    res = cli("run", str(sc), "--weeks", "2", "--out", str(tmp_path / "weekly.csv"))
    assert res.returncode == 0, res.stderr
    assert book.read_text() == CUSTOMERS


# -- issue 15, classes 1 and 12: outputs checked before any work (sim/outpaths.py) -------------


def _chart_scenario(folder: Path) -> Path:
    from tests.test_org_chart import CUSTOMERS, SMALL

    (folder / "chart.csv").write_text(SMALL)
    (folder / "book.csv").write_text(CUSTOMERS)
    sc = folder / "acme.toml"
    sc.write_text(
        'name = "acme"\nhorizon_weeks = 2\n[organisation]\nstructure = "org_chart"\n'
        'org_chart = "chart.csv"\n[customers]\nfile = "book.csv"\n'
    )
    return sc


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_run_and_params_refuse_an_out_that_is_an_input_by_another_name(tmp_path: Path) -> None:
    """A hard link, a symlink, or a path through a symlinked folder is the input itself."""
    import run

    src = tmp_path / "src"
    src.mkdir()
    sc = _chart_scenario(src)
    os.link(src / "chart.csv", tmp_path / "hard.csv")
    (tmp_path / "soft.csv").symlink_to(src / "book.csv")
    (tmp_path / "via").symlink_to(src)
    before = _files(src)
    cases = [
        (["run", str(sc), "--out", str(tmp_path / "hard.csv")], "chart.csv"),
        (["run", str(sc), "--out", str(tmp_path / "soft.csv")], "book.csv"),
        (["run", str(sc), "--out", str(tmp_path / "via" / "chart.csv")], "chart.csv"),
        (["params", str(sc), "--out", str(tmp_path / "hard.csv")], "chart.csv"),
        (
            ["params", str(sc), "--format", "csv", "--out", str(tmp_path / "via" / "acme.toml")],
            "acme.toml",
        ),
        (
            [
                "run",
                str(sc),
                "--set",
                "customers.file=" + str(src / "book.csv"),
                "--out",
                str(tmp_path / "soft.csv"),
            ],
            "book.csv",
        ),
    ]
    for argv, victim in cases:
        err = io.StringIO()
        with redirect_stderr(err), redirect_stdout(io.StringIO()):
            code = run.main(argv)
        assert code == 2, (argv, err.getvalue())
        line = err.getvalue().strip()
        assert "\n" not in line and "would overwrite" in line and victim in line, line
    assert _files(src) == before


def test_compare_out_on_a_mount_point_is_refused_before_any_run(tmp_path: Path) -> None:
    """Class 12: compare renames its folder into place, which a mount point cannot take."""
    mount = Path("/dev/shm")
    if not (os.path.ismount(mount) and mount.is_dir()):  # refused before its contents matter
        pytest.skip("needs a mount point (/dev/shm)")
    res = cli("compare", "matrix", "--replicates", "1", *TINY, "--out", str(mount), cwd=tmp_path)
    assert_bad_input(res, "--out", str(mount), "mount point")
    assert "Comparing" not in res.stderr  # refused before any run
    assert list(tmp_path.iterdir()) == []


def test_summarize_refuses_a_summary_path_that_is_a_file_before_reading(tmp_path: Path) -> None:
    import run

    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "summary").write_text("keep me\n")
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = run.main(["summarize", str(tmp_path / "sweep")])
    assert code == 2 and "summary: is a file" in err.getvalue(), err.getvalue()
    assert (tmp_path / "sweep" / "summary").read_text() == "keep me\n"


def test_read_only_output_folders_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder (or file system): refused for files, companions and folders alike.

    As root the permission bits do not stop a write, so ``os.access`` answers for a read-only
    file system here: it is made to say "read-only" for ``ro``.
    """
    from sim.errors import InputError
    from sim.outpaths import Output, check_outputs

    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == ro else real(p, mode, **kw)
    )
    for outs, fragment in (
        ([Output(ro / "t.csv")], "--out"),
        (
            [Output(tmp_path / "r.html"), Output(ro / "r.csv", what="the report's CSV")],
            "the report's CSV",
        ),
        ([Output(ro / "new" / "deep", kind="folder")], "--out"),
        ([Output(ro, kind="folder", replaced=False, members=("runs/",))], "--out"),
    ):
        with pytest.raises(InputError, match="read-only") as e:
            check_outputs(outs)
        assert fragment in str(e.value)
    check_outputs([Output(tmp_path / "fine" / "t.csv")])  # a writable place is fine


def test_two_outputs_may_not_be_the_same_file(tmp_path: Path) -> None:
    from sim.errors import InputError
    from sim.outpaths import Output, check_outputs, same_file

    a = tmp_path / "a.csv"
    a.write_text("x")
    os.link(a, tmp_path / "b.csv")
    assert same_file(a, tmp_path / "b.csv") and not same_file(a, tmp_path / "c.csv")
    with pytest.raises(InputError, match="two different names"):
        check_outputs([Output(a), Output(tmp_path / "b.csv", what="its table")])


def test_run_uses_the_files_run_seed_unless_seed_is_given(tmp_path: Path) -> None:
    """``[run] seed`` (what the app saves) is run.py run's default seed; --seed overrides it."""
    body = 'name = "seeded"\nhorizon_weeks = 4\n[run]\nseed = 3\n'
    f = tmp_path / "seeded.toml"
    f.write_text(body, encoding="utf-8")
    outs = {k: tmp_path / f"{k}.csv" for k in ("file", "flag", "other")}
    for k, extra in (("file", []), ("flag", ["--seed", "3"]), ("other", ["--seed", "4"])):
        res = cli("run", str(f), *TINY, *extra, "--out", str(outs[k]))
        assert res.returncode == 0, res.stderr
        assert f"seed {extra[1] if extra else 3}" in res.stdout
    pd.testing.assert_frame_equal(pd.read_csv(outs["file"]), pd.read_csv(outs["flag"]))
    assert not pd.read_csv(outs["file"]).equals(pd.read_csv(outs["other"]))
    f.write_text(body.replace("seed = 3", "seed = -2"), encoding="utf-8")
    assert_bad_input(cli("run", str(f), *TINY), "seeded.toml", "run.seed")
