"""Scenario files offered in the app (``python run.py app --scenario FILE``), without a browser.

The registry (``app.scenario_files``), the one name-to-scenario mapping the app uses
(``app.session.scenario_for``), the address and a saved design of a file's choice, and the
refusals through ``run.main`` (exit 2, one line naming the file and the field) before any server
starts. The browser test is tests/test_app_scenario_browser.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import run  # noqa: E402
from app.keep import (  # noqa: E402
    from_query,
    read_scenario_upload,
    saved_from_scenario,
    to_query,
)
from app.scenario_files import SCENARIOS_VAR, from_env, load_files, registered  # noqa: E402
from app.server import environment  # noqa: E402
from app.session import (  # noqa: E402
    Config,
    Session,
    choices,
    has_programme,
    preset_dials,
    presets,
    scenario_file_of,
    scenario_for,
)
from sim.scenario import ScenarioError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme" / "current.toml"

#: A small calibrated scenario written by hand: two particles of customer churn, far apart, so
#: which one a run drew shows in the model's settings.
CALIBRATED = """name = "small_fit"
description = "A small organisation fitted by hand."
base = "command_and_control"
burn_in_weeks = 26
horizon_weeks = 30
[organisation]
employees = 60
[customers]
count = 600
[culture]
decision_rights = 0.65
[calibration]
parameters = ["customers.base_churn_annual"]
particles = [[0.05], [0.30]]
weights = [0.5, 0.5]
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A server's environment offering the small calibrated file (the registry read afresh)."""
    path = _write(tmp_path, "calibrated.toml", CALIBRATED)
    monkeypatch.setenv(SCENARIOS_VAR, json.dumps([str(path)]))
    _clear()
    yield path
    monkeypatch.delenv(SCENARIOS_VAR, raising=False)
    _clear()


def _clear() -> None:
    # the registry and the dials are read once per server: a test that changes the files
    # offered reads them again
    registered.cache_clear()
    preset_dials.cache_clear()
    has_programme.cache_clear()


def _main(argv: list[object]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ the registry
def test_a_file_is_offered_under_its_scenario_name_with_its_absolute_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ACME.parent)
    (f,) = load_files(["current.toml"])
    assert f.name == "acme_current" and f.path == ACME
    assert f.scenario.organisation.structure == "org_chart"


def test_a_base_file_and_a_calibration_table_are_accepted(tmp_path: Path) -> None:
    (f,) = load_files([_write(tmp_path, "c.toml", CALIBRATED)])
    assert f.scenario.calibration is not None
    assert f.scenario.calibration.parameters == ["customers.base_churn_annual"]
    assert f.scenario.organisation.employees == 60  # the base's settings with the file's own


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ('name = "x"\n[culture]\ndecision_rights = 7\n', ["bad.toml", "culture.decision_rights"]),
        ('name = "x"\n[culture\n', ["bad.toml"]),
        ('name = "command_and_control"\n', ["bad.toml", "'command_and_control'", "preset"]),
    ],
)
def test_a_bad_file_or_a_preset_name_is_refused(
    tmp_path: Path, text: str, expect: list[str]
) -> None:
    with pytest.raises(ScenarioError) as e:
        load_files([_write(tmp_path, "bad.toml", text)])
    assert all(x in str(e.value) for x in expect), str(e.value)


def test_a_bare_name_is_not_read_as_a_preset(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_files(["matrix"])


def test_two_files_with_one_name_are_refused(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.toml", 'name = "ours"\n')
    b = _write(tmp_path, "b.toml", 'name = "ours"\n')
    with pytest.raises(ScenarioError) as e:
        load_files([a, b])
    assert "b.toml" in str(e.value) and str(a) in str(e.value) and "'ours'" in str(e.value)
    with pytest.raises(ScenarioError, match="the same file given twice"):
        load_files([a, a])


@pytest.mark.parametrize("value", ["[not json", '{"a": 1}', "[1, 2]"])
def test_a_malformed_environment_value_is_refused(value: str) -> None:
    with pytest.raises(ScenarioError, match=SCENARIOS_VAR):
        from_env(value)


def test_the_server_environment_carries_absolute_paths_and_nothing_inherited(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SCENARIOS_VAR, json.dumps(["/left/over.toml"]))
    assert SCENARIOS_VAR not in environment()
    monkeypatch.chdir(tmp_path)
    env = environment([Path("x.toml")])
    assert json.loads(env[SCENARIOS_VAR]) == [str(tmp_path / "x.toml")]


# ------------------------------------------------------------------ refused before the server
@pytest.mark.parametrize(
    ("files", "expect"),
    [
        (
            [("bad.toml", "[culture]\nresponsiveness = -1\n")],
            ["bad.toml", "culture.responsiveness"],
        ),
        ([("p.toml", 'name = "matrix"\n')], ["p.toml", "'matrix'", "preset"]),
        ([("a.toml", 'name = "ours"\n'), ("b.toml", 'name = "ours"\n')], ["b.toml", "'ours'"]),
        ([("missing.toml", None)], ["missing.toml", "no such scenario file"]),
    ],
)
def test_run_app_refuses_a_bad_file_or_a_clash_with_exit_2(
    tmp_path: Path, files: list[tuple[str, str | None]], expect: list[str]
) -> None:
    argv: list[object] = ["app", "--port", 1]  # never reached: the files are checked first
    for name, text in files:
        argv += ["--scenario", _write(tmp_path, name, text) if text else tmp_path / name]
    code, out, err = _main(argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert all(x in err for x in expect), err


# ------------------------------------------------------------------ a file's choice in the app
def test_a_file_is_a_choice_after_the_presets_with_its_own_dials(offered: Path) -> None:
    assert choices() == [*presets(), "small_fit"]
    assert scenario_file_of("small_fit") == "calibrated.toml"
    assert scenario_file_of("matrix") is None
    c = Config.for_preset("small_fit")
    assert dict(c.dials)["culture.decision_rights"] == 0.65
    assert c.programme is False
    assert c.scenario_a().calibration == scenario_for("small_fit").calibration
    b = Config.for_preset("matrix").with_preset_b("small_fit")
    assert dict(b.dials_of(1))["culture.decision_rights"] == 0.65


def test_an_unknown_choice_is_refused_listing_the_choices(offered: Path) -> None:
    with pytest.raises(ScenarioError, match="'nope' is not a preset or scenario file.*small_fit"):
        scenario_for("nope")


def test_a_calibrated_choice_draws_a_particle_per_seed(offered: Path) -> None:
    """Each seed's run draws its parameter set from the posterior (inside OrgModel); the course
    the band of other seeds runs keeps the posterior, so each of its seeds draws too."""
    drawn = set()
    for seed in range(1, 7):
        s = Session(Config.for_preset("small_fit", seed=seed))
        drawn.add(s.runs[0].model.scenario.validated.customers.base_churn_annual)
        assert s.course_scenario(0).calibration == scenario_for("small_fit").calibration
    assert drawn == {0.05, 0.30}
    s.step(2)
    frame = s.frame()
    assert frame.week == 2 and frame.labels == ("A: small_fit",)


def test_the_address_restores_a_file_choice_only_on_a_server_with_the_file(
    offered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = Config.for_preset("small_fit", seed=4).with_dial("culture.responsiveness", 0.9)
    c = replace(c, compare=True).with_preset_b("small_fit")
    q = to_query(c)
    assert "preset=small_fit" in q and "b=small_fit" in q
    saved = from_query(q)
    assert saved is not None and saved.config == c
    monkeypatch.setenv(SCENARIOS_VAR, "[]")  # the same address on a server without the file
    _clear()
    with pytest.raises(ScenarioError) as e:
        from_query(q)
    assert "'small_fit' is not a preset or a scenario file this server was started with" in str(
        e.value
    )


def test_a_design_saved_from_a_file_choice_opens_again(offered: Path) -> None:
    s = Session(Config.for_preset("small_fit", seed=3))
    s.step(2)
    s.change(0, "culture.decision_rights", 0.9)
    text = s.scenario_toml(0)
    up = read_scenario_upload("saved.toml", text.encode())
    assert up.calibration == scenario_for("small_fit").calibration
    saved = saved_from_scenario(up, Config(), 0)
    assert saved.config == s.config
    assert [(ch.week, ch.key, ch.value) for ch in saved.changes] == [
        (2, "culture.decision_rights", 0.9)
    ]


def test_an_upload_naming_an_org_chart_is_still_refused(offered: Path) -> None:
    """A file given on the command line may name other files; an upload may not."""
    with pytest.raises(ScenarioError, match="may not name other files"):
        read_scenario_upload("current.toml", ACME.read_bytes())


def test_the_server_stops_on_a_file_gone_bad_since_run_py_checked_it(tmp_path: Path) -> None:
    """``app.launch`` reads the files before the first page: a bad one stops it with exit 2."""
    import os
    import subprocess
    import sys

    bad = _write(tmp_path, "gone_bad.toml", "[culture]\nresponsiveness = 9\n")
    env = {**os.environ, SCENARIOS_VAR: json.dumps([str(bad)]), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "app.launch", "run", "app.page", "--port", "1"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "gone_bad.toml" in done.stderr and "culture.responsiveness" in done.stderr


def test_a_scenario_name_becomes_a_safe_part_of_a_download_name() -> None:
    from app.session import file_part

    assert file_part("command_and_control") == "command_and_control"  # a preset unchanged
    assert file_part("acme_current_calibrated") == "acme_current_calibrated"
    assert file_part("Acme / today") == "Acme_today"
    assert file_part("../../etc/passwd") == "etc_passwd"
    assert file_part("a\nb\tc") == "a_b_c"
    assert file_part("///") == "scenario" and file_part("..") == "scenario"
