"""The bad-input corpus (tests/bad_inputs/cases.toml): every case is refused cleanly.

Each case runs ``python run.py ...`` on one bad scenario, experiment, org chart, customer file,
design file or command line and must give exit code 2 and exactly one line on stderr that names
the file (and line, row or field) and what is accepted: no traceback, and no file created or
modified in the working folder. Binary and oversized files are made at run time (``make`` in the
manifest) rather than committed. Most cases call ``run.main`` in-process (a subprocess costs
about a second of start-up each); the ones marked ``subprocess = true`` run the real command.

The app's inputs (seed, culture dials) are checked at the end through ``app.session`` directly.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_big_chart

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["case"]
CATEGORIES = ("scenario", "experiment", "org_chart", "customers", "design", "cli", "observed")
CASE_KEYS = {"id", "file", "make", "wrap", "mkdir", "touch", "argv", "expect", "subprocess", "env"}

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00"


def _make(kind: str, path: Path) -> None:
    """Write a binary or oversized input at run time (see ``make`` in cases.toml)."""
    if kind == "png":
        path.write_bytes(PNG_HEADER + bytes(range(256)))
    elif kind == "nul":
        text = "id,manager_id,role,unit\n" if path.suffix == ".csv" else 'name = "x"\n'
        path.write_bytes(text.encode() + b"\x00\x00\x00\x00 binary\n")
    elif kind == "huge_toml":
        from sim.scenario import MAX_TOML_BYTES

        line = b"# " + b"x" * 97 + b"\n"  # valid TOML (comments): only the size is wrong
        with path.open("wb") as f:
            f.write(b'name = "huge"\n')
            f.write(line * (MAX_TOML_BYTES // len(line) + 1))
    elif kind == "oversize_csv":
        from sim.structures.org_chart import MAX_BYTES

        with path.open("wb") as f:  # sparse: takes no disk space
            f.truncate(MAX_BYTES + 1)
    elif kind == "zero_link":
        path.symlink_to("/dev/zero")
    elif kind in ("big_chart", "big_chart_sweep"):
        chart = path if kind == "big_chart" else path.with_name("_big_chart.csv")
        write_big_chart(chart, 20_000, managers=100)
        if kind == "big_chart_sweep":
            path.write_text(
                'name = "big"\nbase = "_current.toml"\ndesign = "grid"\nreplicates = 1\n'
                'root_seed = 1\n[set]\n"organisation.org_chart" = "_big_chart.csv"\n'
                '[factors]\n"culture.decision_rights" = [0.2, 0.8]\n'
            )
    elif kind == "big_customers":
        rows = "".join(f"K{i},SMB,1000,S{1 + i % 3}\n" for i in range(100_000))
        path.write_text("id,segment,annual_value,owner_id\n" + rows)
    elif kind == "deep_tables":
        path.write_text('name = "deep"\nx = ' + "{a = " * 5000 + "1" + "}" * 5000 + "\n")
    elif kind == "long_key":
        path.write_text('name = "long"\n' + "a" + ".a" * 50_000 + " = 1\n")
    elif kind == "many_keys":
        path.write_text('name = "many"\n' + "".join(f"culture.k{i} = 1\n" for i in range(20_001)))
    elif kind == "base_chain":
        for i in range(40):
            base = f'base = "chain_{i + 1}.toml"\n' if i < 39 else ""
            (path.parent / f"chain_{i}.toml").write_text(f'{base}name = "c{i}"\n')
        path.write_text('base = "chain_0.toml"\nname = "top"\n')
    else:
        raise ValueError(f"unknown make kind {kind!r}")


def _prepare(case: dict[str, Any], tmp: Path) -> list[str]:
    """Lay out the case in ``tmp`` and return its argv with the placeholders filled in."""
    fill = {"tmp": str(tmp), "out": str(tmp / "out"), "root": str(ROOT)}
    if "file" in case:
        rel = Path(case["file"])
        folder = tmp / rel.parent
        shutil.copytree(CORPUS / rel.parent, folder)
        target = folder / rel.name
        if "make" in case:
            _make(case["make"], target)
        assert target.exists(), f"{case['id']}: {rel} is neither in the corpus nor made"
        fill.update(case=str(target), dir=str(folder))
        if "wrap" in case:
            wrapper = folder / "_run.toml"
            text = MANIFEST["templates"][case["wrap"]].replace("{case_name}", rel.name)
            wrapper.write_text(text, encoding="utf-8")
            fill["scenario"] = str(wrapper)
    for d in case.get("mkdir", []):
        (tmp / d).mkdir(parents=True)
    for f in case.get("touch", []):
        (tmp / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp / f).write_text("keep me\n")
    return [a.format(**fill) for a in case["argv"]]


def _snapshot(tmp: Path) -> dict[str, tuple[bool, int, int]]:
    """Every path under ``tmp`` with (is folder, size, modification time)."""
    out = {}
    for p in sorted(tmp.rglob("*")):
        st = p.stat()
        out[str(p.relative_to(tmp))] = (p.is_dir(), st.st_size, st.st_mtime_ns)
    return out


def _run_in_process(argv: list[str], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    import run

    monkeypatch.chdir(tmp)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = run.main(argv)
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue(), err.getvalue()


def _run_subprocess(argv: list[str], tmp: Path) -> tuple:
    res = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *argv],
        capture_output=True,
        text=True,
        cwd=tmp,
        env=os.environ.copy(),
        timeout=300,
    )
    return res.returncode, res.stdout, res.stderr


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIM_DEBUG", raising=False)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_refused_with_one_clear_line(
    case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = _prepare(case, tmp_path)
    for key, value in case.get("env", {}).items():
        monkeypatch.setenv(key, value)
    before = _snapshot(tmp_path)
    if case.get("subprocess"):
        code, out, err = _run_subprocess(argv, tmp_path)
    else:
        code, out, err = _run_in_process(argv, tmp_path, monkeypatch)
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, f"exit {code}: {err}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    line = lines[0]
    assert line.startswith("error: "), line
    assert len(line) < 1200, f"message too long ({len(line)} characters)"
    missing = [frag for frag in case["expect"] if frag not in line]
    assert not missing, f"missing {missing} in: {line}"
    assert out == "", f"nothing should be printed on stdout: {out}"
    assert _snapshot(tmp_path) == before, "a file was created or modified"


# ------------------------------------------------------------------ the corpus itself
def test_manifest_is_consistent() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids repeat"
    for c in CASES:
        category = c["id"].split("/")[0]
        assert category in CATEGORIES, c["id"]
        assert set(c) <= CASE_KEYS, c["id"]
        assert c["expect"], c["id"]
        if "file" in c:
            assert c["file"].split("/")[0] == category, c["id"]
            assert ("make" in c) != (CORPUS / c["file"]).is_file(), c["id"]
    # every committed case file is used; helpers start with "_"
    used = {c["file"] for c in CASES if "file" in c}
    committed = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "cases.toml" and not p.name.startswith("_")
    }
    referenced_by_others = {"design/cycle_b.toml"}  # the other half of a base cycle
    assert committed - used - referenced_by_others == set()
    assert len(committed) >= 45
    per_category = {k: sum(c["id"].startswith(k + "/") for c in CASES) for k in CATEGORIES}
    assert all(n >= 5 for n in per_category.values()), per_category
    assert sum(bool(c.get("subprocess")) for c in CASES) >= 5


# ------------------------------------------------------------------ the app's inputs
# The page (app/page.py) clamps a dial to its range and ignores a slider value that is not a
# number; solara's InputInt shows "Value must be an integer" next to a seed that is not one.
# What reaches app.session must still be refused with a message naming the field and range.
@pytest.fixture
def app_session() -> Any:
    return pytest.importorskip("app.session", reason="the app extra is not installed")


def test_app_dial_out_of_range_is_refused_with_field_and_range(app_session: Any) -> None:
    from sim.scenario import ScenarioError

    cfg = app_session.Config.for_preset("command_and_control")
    for value, fragment in ((1.5, "got 1.5"), (-0.1, "got -0.1"), (float("nan"), "finite")):
        with pytest.raises(ScenarioError) as err:
            cfg.with_dial("culture.responsiveness", value)
        msg = str(err.value)
        assert "\n" not in msg
        assert "culture.responsiveness" in msg and "[0.0, 1.0]" in msg and fragment in msg


def test_app_unknown_dial_is_refused_with_accepted_keys(app_session: Any) -> None:
    from sim.scenario import ScenarioError

    cfg = app_session.Config.for_preset("command_and_control")
    with pytest.raises(ScenarioError, match="unknown field 'culture.bravery'.*accepted keys"):
        cfg.with_dial("culture.bravery", 0.5)


def test_app_negative_seed_is_refused_with_a_message(app_session: Any) -> None:
    cfg = app_session.Config.for_preset("command_and_control")
    with pytest.raises(ValueError, match=r"seed must be >= 0 \(got -1\)"):
        app_session.Session(app_session.Config(**{**cfg.__dict__, "seed": -1}))


def test_app_unknown_preset_is_refused_with_the_presets(app_session: Any) -> None:
    from sim.scenario import ScenarioError

    cfg = app_session.Config.for_preset("command_and_control")
    with pytest.raises(ScenarioError, match="no_such_preset.*not a preset.*choices: .*matrix"):
        cfg.with_preset("no_such_preset")


def test_app_rejected_config_leaves_the_session_unchanged(app_session: Any) -> None:
    from sim.scenario import ScenarioError

    session = app_session.Session(app_session.Config.for_preset("command_and_control"))
    before = session.config
    # a config built around Config.with_dial's own check (as a stale browser message might)
    nan_dial = "culture.responsiveness"
    dials = tuple((p, float("nan") if p == nan_dial else v) for p, v in before.dials)
    bad = dataclasses.replace(before, dials=dials)
    with pytest.raises(ScenarioError):
        session.apply(bad)
    assert session.config == before
    session.reset()  # still usable


def test_app_dial_text_value_is_refused_with_field_and_range(app_session: Any) -> None:
    from sim.errors import InputError

    cfg = app_session.Config.for_preset("command_and_control")
    with pytest.raises(InputError, match=r"culture.responsiveness.*\[0.0, 1.0\]"):
        cfg.with_dial("culture.responsiveness", "high").scenario_a()  # type: ignore[arg-type]
