"""Changing course mid-run, design B's own dials, keeping a session and the exports, in a real
headless Chromium (Debian's): one server for the module on 127.0.0.1; every request must stay on
loopback and no console error may occur.

The numbers the page shows are checked against the same session computed here (``Session`` on
the same seed and settings): the run is deterministic, so they must agree exactly.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.browser_support import CHROMIUM, Watched

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)

from app.session import Config, Session  # noqa: E402

RIGHTS = "culture.decision_rights"


@pytest.fixture
def watched(browser: object, server: str) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.close()


def _step_to(w: Watched, n: int) -> None:
    while w.week() < n:
        target = w.week() + 1
        w.page.get_by_role("button", name="Step").click()
        w.wait_week(target)


def _move(w: Watched, design: str, path: str, at: float) -> None:
    """Click a dial's track at fraction ``at`` (the slider's change event: a release)."""
    slider = w.page.locator(f'.dial-{design.lower()}:has(input[data-dial="{path}"])')
    slider.scroll_into_view_if_needed()
    track = slider.locator(".v-slider").bounding_box()
    assert track is not None
    w.page.mouse.click(track["x"] + at * track["width"], track["y"] + track["height"] / 2)


def _open(w: Watched, panel: str) -> None:
    """Open a panel folded away until opened ("debrief" or "files"), if it is closed."""
    button = w.page.locator(f".open-{panel}")
    if button.inner_text().strip().lower().startswith("show"):
        button.click()
        w.page.locator(f".open-{panel}", has_text="Hide").wait_for()


def _csv(w: Watched) -> tuple[str, str]:
    _open(w, "files")
    with w.page.expect_download() as dl:
        w.page.get_by_role("button", name="Data (CSV)").click()
    return dl.value.suggested_filename, Path(dl.value.path()).read_text()


def _frame(text: str, design: str = "A") -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(text))
    return df[df["design"].str.startswith(design + ":")].set_index("week")


def _metrics(df: pd.DataFrame) -> pd.DataFrame:
    here = Session().runs[0].df  # the metric columns, in order
    return df[list(here.columns)].astype(float)


def test_a_dial_moved_at_week_n_continues_from_n(watched: Watched, tmp_path: Path) -> None:
    """The week counter stays at N, the run equals the unchanged one up to N and differs after,
    and the page's numbers are those of ``model.intervene`` at week N."""
    w, n = watched, 3
    _step_to(w, n)
    _move(w, "A", RIGHTS, 0.9)
    w.page.wait_for_function(
        "document.body.innerText.includes('decision rights 0.9 from week 3')", timeout=30_000
    )
    assert w.week() == n
    _step_to(w, n + 4)
    w.page.screenshot(path=str(tmp_path / "changed.png"))
    name, text = _csv(w)
    got = _frame(text)
    value = float(got.loc[n + 1, RIGHTS])
    assert got.loc[n, RIGHTS] == pytest.approx(0.15) and value == pytest.approx(0.9, abs=0.011)
    assert got.loc[n + 1, "changes"] == f"decision rights {round(value, 2):g}"
    plain = Session()
    plain.step(n + 4)
    unchanged = plain.runs[0].df
    page = _metrics(got)
    same = np.isclose(page.to_numpy(), unchanged.to_numpy(), rtol=0, atol=0, equal_nan=True)
    assert same[:n].all()  # up to week N: exactly the unchanged run
    assert not same[n:].all()  # after it: another path
    changed = Session()
    changed.step(n)
    changed.change(0, RIGHTS, value)
    changed.step(4)
    assert np.allclose(
        page.to_numpy(), changed.runs[0].df.to_numpy(), rtol=1e-12, atol=0, equal_nan=True
    )
    assert w.errors == [] and w.outside() == []


def test_a_change_during_play_goes_on(watched: Watched) -> None:
    """Moving a dial while playing applies it between two weeks and Play goes on (no restart)."""
    w = watched
    w.page.get_by_role("button", name="Play").click()
    w.wait_week_at_least(3)
    before = w.week()
    _move(w, "A", RIGHTS, 0.8)
    w.page.wait_for_function(
        "document.body.innerText.includes('decision rights 0.8 from week')", timeout=30_000
    )
    w.wait_week_at_least(before + 2)
    assert w.page.get_by_role("button", name="Pause").is_visible()
    w.page.get_by_role("button", name="Pause").click()
    w.page.get_by_role("button", name="Play").wait_for()
    _, text = _csv(w)
    got = _frame(text)
    made = [int(wk) - 1 for wk, ch in got["changes"].items() if isinstance(ch, str) and ch]
    assert len(made) == 1 and made[0] >= before
    assert w.errors == [] and w.outside() == []


def test_reset_returns_to_week_0_and_the_starting_dials(watched: Watched) -> None:
    w = watched
    _step_to(w, 2)
    _move(w, "A", RIGHTS, 0.7)
    w.page.wait_for_function("document.body.innerText.includes('from week 2')", timeout=30_000)
    w.page.get_by_role("button", name="Reset", exact=True).click()
    w.wait_week(0)
    w.page.wait_for_function("!document.body.innerText.includes('from week 2')", timeout=30_000)
    assert w.page.locator(".first-hint").is_visible()  # the new trainer's first line is back
    assert w.errors == []


def test_b_has_its_own_dials_and_names(watched: Watched, tmp_path: Path) -> None:
    w = watched
    w.page.get_by_text("Compare with design B").click()
    w.page.wait_for_function("document.querySelectorAll('.org-view').length == 2", timeout=30_000)
    w.page.get_by_role("button", name="Copy A").click()
    w.page.wait_for_function(
        "document.querySelector('.orgsim-names').innerText.includes('B: same as A')",
        timeout=30_000,
    )
    assert w.page.locator('.dial-a:has(input[data-dial="culture.decision_rights"])').count() == 1
    assert w.page.locator('.dial-b:has(input[data-dial="culture.decision_rights"])').count() == 1
    _step_to(w, 2)
    _move(w, "B", RIGHTS, 0.8)
    w.page.wait_for_function(
        "/B: A \\+ decision rights 0\\.\\d+ from week 2/"
        ".test(document.querySelector('.orgsim-names').innerText)",
        timeout=30_000,
    )
    assert w.week() == 2
    names = w.page.inner_text(".orgsim-names")
    assert "A: command_and_control" in names and "decision rights" not in names.split("B:")[0]
    _step_to(w, 4)
    _, text = _csv(w)
    a, b = _frame(text, "A"), _frame(text, "B")
    assert (a[RIGHTS] == 0.15).all()  # A's dial did not move
    value = float(b.loc[3, RIGHTS])
    assert value == pytest.approx(0.8, abs=0.011)
    w.page.screenshot(path=str(tmp_path / "b_dials.png"))
    _open(w, "debrief")
    debrief = w.page.inner_text(".orgsim-debrief")
    assert f"B differs from A in: decision rights {round(value, 2):g} from week 2" in debrief
    assert "-0 points" not in debrief and "+0 points" not in debrief
    assert w.errors == [] and w.outside() == []


def test_a_reload_restores_the_same_run(watched: Watched) -> None:
    """The address keeps preset, seed, dials, B and changes: a reload shows the same numbers."""
    w = watched
    seed = w.page.get_by_label("Seed")
    seed.fill("4")
    seed.press("Enter")
    w.page.wait_for_function("location.search.includes('seed=4')", timeout=30_000)
    w.page.get_by_text("Compare with design B").click()
    w.page.wait_for_function("document.querySelectorAll('.org-view').length == 2", timeout=30_000)
    _step_to(w, 2)
    _move(w, "A", RIGHTS, 0.6)
    w.page.wait_for_function("location.search.includes('change=2')", timeout=30_000)
    _step_to(w, 5)
    w.page.wait_for_function("location.search.includes('week=5')", timeout=30_000)
    _, before = _csv(w)
    address = w.page.url
    assert "compare=1" in address and "seed=4" in address
    w.page.reload()
    w.ready()
    w.wait_week(5)
    _, after = _csv(w)
    assert after == before
    # a shared link: a new browser context, the same address
    other = Watched(w.context.browser, address)
    try:
        other.wait_week(5)
        _, shared = _csv(other)
        assert shared == before
        assert other.errors == []
    finally:
        other.close()
    assert w.errors == [] and w.outside() == []


def test_a_bad_address_shows_the_reason(browser: object, server: str) -> None:
    w = Watched(browser, server + "?preset=nope&seed=2")
    try:
        message = w.page.locator(".orgsim-error").first
        message.wait_for(timeout=30_000)
        assert "address preset: 'nope' is not a preset" in message.inner_text()
        assert w.week() == 0 and w.errors == []
    finally:
        w.close()


def test_scenario_file_download_upload_and_refusal(watched: Watched, tmp_path: Path) -> None:
    w = watched
    _step_to(w, 2)
    _move(w, "A", RIGHTS, 0.8)
    w.page.wait_for_function("document.body.innerText.includes('from week 2')", timeout=30_000)
    _step_to(w, 3)
    _open(w, "files")
    with w.page.expect_download() as dl:
        w.page.get_by_role("button", name="Scenario A (TOML)").click()
    assert dl.value.suggested_filename == ("orgsim_command_and_control-A_week3_scenario-A.toml")
    toml = Path(dl.value.path()).read_bytes()
    assert b"[[interventions]]" in toml and b"week = 2" in toml
    upload = w.page.locator(".orgsim-upload-input").first
    # refused: a file that is not UTF-8 text; the reason on the page, the run kept
    upload.set_input_files(
        files=[{"name": "bad.toml", "mimeType": "text/plain", "buffer": b"name = \xff\n"}]
    )
    message = w.page.locator(".live-error")
    message.wait_for(timeout=30_000)
    assert "bad.toml" in message.inner_text() and "UTF-8" in message.inner_text()
    assert w.week() == 3
    # refused: a file naming another file on the server
    upload.set_input_files(
        files=[{"name": "based.toml", "mimeType": "text/plain",
                "buffer": b'name = "command_and_control"\nbase = "/etc/passwd"\n'}]
    )  # fmt: skip
    w.page.wait_for_function(
        "document.querySelector('.live-error').innerText.includes('may not name other files')",
        timeout=30_000,
    )
    # too large: refused by its size
    upload.set_input_files(
        files=[{"name": "big.toml", "mimeType": "text/plain", "buffer": b"#" * 300_000}]
    )
    w.page.wait_for_function(
        "document.querySelector('.live-error').innerText.includes('300000 bytes')",
        timeout=30_000,
    )
    w.page.get_by_role("button", name="Reset", exact=True).click()
    w.wait_week(0)
    upload.set_input_files(files=[{"name": "saved.toml", "mimeType": "text/plain", "buffer": toml}])
    w.wait_week(2)  # replayed to the file's last change
    message.wait_for(state="detached", timeout=30_000)
    assert "seed 1" in w.page.inner_text(".restart-notice")  # the file's [run] seed
    assert "decision rights 0.8 from week 2" in w.page.inner_text(".orgsim-names")
    assert w.errors == [] and w.outside() == []


def test_exports_are_named_and_carry_the_settings(watched: Watched) -> None:
    w = watched
    _step_to(w, 2)
    name, text = _csv(w)
    assert name == "orgsim_command_and_control-A_week2_data.csv"
    df = pd.read_csv(io.StringIO(text))
    assert list(df.columns[:3]) == ["design", "week", "adoption_rate"]
    assert {"preset", "seed", "programme", RIGHTS, "changes"} <= set(df.columns)
    assert (df["seed"] == 1).all() and (df["preset"] == "command_and_control").all()
    with w.page.expect_download() as dl:
        w.page.get_by_role("button", name="Charts (PNG)").click()
    assert dl.value.suggested_filename == "orgsim_command_and_control-A_week2_charts.png"
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Config.for_preset("command_and_control").seed == 1
    assert w.errors == [] and w.outside() == []


def test_restarts_say_what_became_of_the_changes(watched: Watched) -> None:
    """Another seed replays the change at its week up to the week reached (the page equals the
    same course computed here); another preset clears it, and the page says so each time."""
    w = watched
    _step_to(w, 3)
    _move(w, "A", RIGHTS, 0.8)
    w.page.wait_for_function("document.body.innerText.includes('from week 3')", timeout=30_000)
    _step_to(w, 5)
    seed = w.page.get_by_label("Seed")
    seed.fill("7")
    seed.press("Enter")
    notice = w.page.locator(".restart-notice")
    notice.wait_for(timeout=30_000)
    assert "replayed 1 change(s) at their weeks up to week 5" in notice.inner_text()
    assert w.week() == 5 and "from week 3" in w.page.inner_text(".orgsim-names")
    _, text = _csv(w)
    got = _frame(text)
    assert set(got["seed"]) == {7}
    value = float(got.loc[4, RIGHTS])
    same = Session(Config.for_preset("command_and_control", seed=7))
    same.step(3)
    same.change(0, RIGHTS, value)
    same.step(2)
    assert np.allclose(_metrics(got).to_numpy(), same.runs[0].df.to_numpy(), rtol=1e-12,
                       atol=0, equal_nan=True)  # fmt: skip
    w.page.locator(".v-select").filter(has_text="Preset").first.click()
    w.page.get_by_role("option", name="self_organised").click()
    w.wait_week(0)
    w.page.wait_for_function(
        "document.querySelector('.restart-notice').innerText.includes('were cleared')",
        timeout=30_000,
    )
    assert "from week 3" not in w.page.inner_text(".orgsim-names")
    assert w.errors == [] and w.outside() == []
