"""Inputs are resolved before the model: scenarios carry their tables, models open no file."""

from __future__ import annotations

import ast
import builtins
import io
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim.structures.org_chart as org_chart
from sim.design import resolve_inputs
from sim.errors import InputError
from sim.experiment import run_replicates
from sim.inputs import load_scenario
from sim.model import OrgModel

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme"
SHORT = {"horizon_weeks": 12}


def acme_copy(tmp_path: Path) -> Path:
    """The acme example in a folder of its own, so its CSVs can be moved away."""
    for name in ("current.toml", "proposed.toml", "org_chart.csv", "customers.csv"):
        shutil.copy(ACME / name, tmp_path / name)
    return tmp_path


def hide_csvs(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the CSVs away, empty the read caches and make reading any input file raise.

    Other files stay readable: the memory check before a run reads ``/proc/meminfo``.
    """
    for name in ("org_chart.csv", "customers.csv"):
        (folder / name).rename(folder / f"{name}.away")
    org_chart._cached_chart.cache_clear()
    org_chart._cached_customers.cache_clear()

    def guard(original: Callable[..., Any]) -> Callable[..., Any]:
        def opener(file: Any, *args: Any, **kwargs: Any) -> Any:
            name = str(file)
            if name.startswith(str(folder)) or name.endswith((".csv", ".toml", ".away")):
                raise AssertionError(f"{name} was opened while building or running a model")
            return original(file, *args, **kwargs)

        return opener

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    for method in ("open", "read_bytes", "read_text"):
        monkeypatch.setattr(Path, method, guard(getattr(Path, method)))
    monkeypatch.setattr(pd, "read_csv", guard(pd.read_csv))


def test_model_opens_no_file_after_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = acme_copy(tmp_path)
    proposed = load_scenario(d / "proposed.toml")
    short = proposed.with_overrides(SHORT)
    expected = OrgModel(short, rng=5).run()
    hide_csvs(d, monkeypatch)
    got = OrgModel(short, rng=5).run()  # with its counterfactual twin (counterfactual())
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    model = OrgModel(proposed, rng=5, counterfactual=False)  # as loaded, no override
    assert model.structure.n == proposed.inputs.chart.n
    monkeypatch.undo()
    with pytest.raises(InputError, match="org_chart.csv: no such file"):
        load_scenario(d / "proposed.toml")  # loading is what reads the files


def test_loaded_scenario_pickles_with_its_tables(tmp_path: Path) -> None:
    d = acme_copy(tmp_path)
    short = load_scenario(d / "proposed.toml").with_overrides(SHORT)
    back = pickle.loads(pickle.dumps(short))
    assert back == short and back.inputs is not None
    a, b = short.inputs, back.inputs
    assert b.chart.n == a.chart.n and b.chart.unit_names == a.chart.unit_names
    for name in ("ids", "manager", "role", "unit", "authority"):
        np.testing.assert_array_equal(getattr(b.chart, name), getattr(a.chart, name))
    np.testing.assert_array_equal(b.customers.annual_value, a.customers.annual_value)
    np.testing.assert_array_equal(b.customers.owner_id, a.customers.owner_id)
    pd.testing.assert_frame_equal(
        OrgModel(back, rng=3).run(), OrgModel(short, rng=3).run(), check_exact=True
    )


def test_sweep_workers_need_no_files(tmp_path: Path) -> None:
    d = acme_copy(tmp_path)
    short = load_scenario(d / "proposed.toml").with_overrides(SHORT)
    here = run_replicates({"proposed": short}, 2, 11, counterfactual=False)
    for name in ("org_chart.csv", "customers.csv"):
        (d / name).unlink()
    org_chart._cached_chart.cache_clear()
    org_chart._cached_customers.cache_clear()
    pooled = run_replicates({"proposed": short}, 2, 11, workers=2, counterfactual=False)
    pd.testing.assert_frame_equal(pooled, here, check_exact=True)


def test_tables_travel_with_the_scenario_but_not_into_its_data() -> None:
    s = load_scenario(ACME / "proposed.toml")
    assert s.inputs is not None and s.inputs.customers is not None
    assert len(s.inputs.customers) == s.customers.count
    for twin in (s.counterfactual(), s.model_copy(), s.with_overrides({"crm.training": 0.9})):
        assert twin.inputs is s.inputs
    assert s == load_scenario(ACME / "proposed.toml")  # compared by fields, as before
    dumped = repr(s.model_dump()) + repr(s.to_toml_dict())
    assert "ResolvedInputs" not in dumped and "OrgChart" not in dumped
    assert s.to_toml_dict()["organisation"]["org_chart"] == str(ACME / "org_chart.csv")


def test_overriding_a_file_reference_drops_the_tables() -> None:
    s = load_scenario(ACME / "proposed.toml")
    other = s.with_overrides({"transformations": []})
    assert other.inputs is None
    with pytest.raises(InputError, match="org chart not loaded; load the scenario with"):
        OrgModel(other, rng=1)
    again = resolve_inputs(other)
    assert again.inputs is not None
    assert again.inputs.chart.n == load_scenario(ACME / "current.toml").inputs.chart.n
    assert resolve_inputs(again) is again  # attached tables are not read again
    moved = s.with_overrides({"organisation.org_chart": str(ACME / "org_chart.csv")})
    assert moved.inputs is s.inputs  # the same file: nothing to re-read


def test_scenarios_without_files_carry_nothing() -> None:
    s = load_scenario("command_and_control")
    assert s.inputs is None and resolve_inputs(s) is s


def _imports(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_no_import_cycle_between_inputs_and_scenario() -> None:
    layers = ["sim.scenario", "sim.design", "sim.inputs"]  # each may import only those before it
    for i, mod in enumerate(layers):
        imported = _imports(ROOT / "sim" / f"{mod.removeprefix('sim.')}.py")
        later = [m for m in layers[i + 1 :] if m in imported]  # also catches lazy imports
        assert not later, f"{mod} imports {later}"
    for mod in layers:  # and each imports on its own in a fresh interpreter
        subprocess.run([sys.executable, "-c", f"import {mod}"], cwd=ROOT, check=True)


# ------------------------------------------------------------------ issue 15, classes 6 and 8
# Anything but a regular file is refused before it is opened (a FIFO blocks a reader until a
# writer comes, a device never ends); the CLI runs in a subprocess with a timeout, so a
# regression fails instead of hanging the suite.
FIFO_TIMEOUT_S = 120  # only stops a hang: a refusal takes the CLI's start-up time


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, str(ROOT / "run.py"), *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=FIFO_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"run.py {' '.join(args)} did not return: it blocked on a FIFO")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("role", ["scenario", "base", "org_chart", "customers", "experiment"])
def test_a_fifo_input_is_refused_without_blocking(tmp_path: Path, role: str) -> None:
    import os

    shutil.copy(ACME / "org_chart.csv", tmp_path / "chart.csv")
    fifo = tmp_path / ("pipe.toml" if role in ("scenario", "base", "experiment") else "pipe.csv")
    os.mkfifo(fifo)
    scenario = tmp_path / "s.toml"
    chart = 'name = "c"\n[organisation]\nstructure = "org_chart"\n'
    text = {
        "scenario": None,
        "base": 'name = "b"\nbase = "pipe.toml"\n',
        "org_chart": chart + 'org_chart = "pipe.csv"\n',
        "customers": chart + 'org_chart = "chart.csv"\n[customers]\nfile = "pipe.csv"\n',
        "experiment": None,
    }[role]
    if text is not None:
        scenario.write_text(text)
    if role == "experiment":
        args = ["sweep", str(fifo), "--out", str(tmp_path / "out")]
    else:
        args = ["run", str(fifo if text is None else scenario), "--weeks", "1"]
    res = _cli(args, tmp_path)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "pipe." in lines[0] and "is a FIFO (named pipe), not a regular file" in lines[0]
    assert not (tmp_path / "out").exists()


def test_read_regular_caps_what_it_reads_not_the_reported_size(tmp_path: Path) -> None:
    from sim.textfile import NotReadable, count_lines, read_regular

    f = tmp_path / "f.txt"
    f.write_bytes(b"x\n" * 50)
    assert read_regular(f, 100) == b"x\n" * 50
    assert count_lines(f, 100) == 50
    with pytest.raises(NotReadable) as err:
        read_regular(f, 99)
    assert err.value.kind == "too_large"
    # /proc files are regular files that report size 0 but hold text: the cap holds on what is
    # read (at most limit + 1 bytes), not on the size the file reports
    status = Path("/proc/self/status")
    if status.is_file() and status.stat().st_size == 0:
        with pytest.raises(NotReadable) as err:
            read_regular(status, 10)
        assert err.value.kind == "too_large" and err.value.size == 11
    for device in ("/dev/zero", "/dev/null"):
        if Path(device).exists():
            with pytest.raises(NotReadable) as err:
                read_regular(device, 10)
            assert (err.value.kind, err.value.detail) == ("special", "a character device")
    with pytest.raises(NotReadable) as err:
        read_regular(tmp_path, 10)
    assert err.value.kind == "folder"
    with pytest.raises(NotReadable) as err:
        read_regular(tmp_path / "nope", 10)
    assert err.value.kind == "missing"


def test_every_shipped_toml_file_passes_the_shape_check() -> None:
    """The nesting, key-length and key-count bounds refuse no real scenario or experiment."""
    from sim.scenario import check_toml_shape

    files = [*ROOT.glob("scenarios/*.toml"), *ROOT.glob("experiments/*.toml")]
    files += [*ROOT.glob("examples/**/*.toml")]
    assert len(files) >= 10
    for f in files:
        check_toml_shape(f.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a = 1\nb = " + "[" * 33 + "]" * 33, 2, "nested more than 32 deep"),
        ("a = " + "{b = " * 33 + "1" + "}" * 33, 1, "nested more than 32 deep"),
        ("a = [\n" + "[" * 32 + "1" + "]" * 32 + ",\n]", 2, "nested more than 32 deep"),
        ("x = 1\n[" + ".".join("t" * 17) + "]\n", 2, "more than 16 parts"),
        ("x = {" + ".".join("k" * 17) + " = 1}", 1, "more than 16 parts"),
        ("".join(f"k{i} = {i}\n" for i in range(20_001)), 20_001, "more than 20000 keys"),
    ],
)
def test_the_shape_check_refuses_deep_long_and_many(text: str, line: int, fragment: str) -> None:
    import tomllib

    from sim.scenario import TomlShapeError, check_toml_shape

    with pytest.raises(TomlShapeError, match=fragment) as err:
        check_toml_shape(text)
    assert err.value.line == line
    tomllib.loads(text)  # valid TOML: the bounds are ours, not a syntax error


@pytest.mark.parametrize(
    "text",
    [
        'a = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["',  # brackets inside strings
        "a = '{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'",
        'a = """\n' + "[" * 40 + '\n"""',
        "# " + "[" * 40 + "\na = 1",
        'a = "x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p"',  # dots in a value
        '"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q" = 1',  # one quoted key
        "v = 1.5\nw = 1979-05-27T07:32:00.999\n" + "[[t]]\nx = [[1, 2], [3, 4]]\n" * 3,
    ],
)
def test_the_shape_check_skips_strings_comments_and_values(text: str) -> None:
    import tomllib

    from sim.scenario import check_toml_shape

    check_toml_shape(text)
    tomllib.loads(text)
