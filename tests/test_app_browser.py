"""The trainer's app end to end, in a real headless Chromium (Debian's, at /usr/bin/chromium).

One server (``python run.py app``) on 127.0.0.1 and a free port for the module; every request
the page makes is recorded and must stay on loopback; console errors fail the test. Screenshots
go to each test's ``tmp_path``. ``ORGSIM_SCREENSHOT=docs/app.png`` also saves the README's
screenshot.

These tests assert what the page does, never how fast: the browser's Step round trip and Play
rate are measured by ``python -m app.bench --browser`` (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, ROOT, Watched, save_screenshot

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it in CI",
        allow_module_level=True,
    )


@pytest.fixture
def watched(browser: object, server: str) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.close()


def _shot(w: Watched, path: Path) -> bytes:
    w.page.screenshot(path=str(path))
    return path.read_bytes()


def test_page_loads_offline_with_no_console_errors(watched: Watched, tmp_path: Path) -> None:
    w = watched
    assert w.week() == 0
    w.page.wait_for_timeout(1000)
    _shot(w, tmp_path / "loaded.png")
    assert w.requests, "no request recorded"
    assert w.outside() == []
    assert w.errors == []
    assert w.page.get_by_text("Preset").first.is_visible()


def test_step_advances_the_week_and_redraws_the_charts(watched: Watched, tmp_path: Path) -> None:
    w = watched
    charts = w.page.locator(".charts").first
    org = w.page.locator(".org-view").first
    w.page.wait_for_timeout(500)
    before = charts.screenshot(path=str(tmp_path / "charts0.png"))
    org_before = org.screenshot()
    for n in range(1, 6):
        w.page.get_by_role("button", name="Step").click()
        w.wait_week(n)
    w.page.wait_for_timeout(500)
    after = charts.screenshot(path=str(tmp_path / "charts5.png"))
    assert after != before
    assert org.screenshot() != org_before
    _shot(w, tmp_path / "after_steps.png")
    assert w.errors == [] and w.outside() == []


def test_play_and_pause(watched: Watched, tmp_path: Path) -> None:
    w = watched
    w.page.get_by_role("button", name="Play").click()
    w.wait_week_at_least(2)  # Play may skip weeks on screen when the machine is busy
    w0 = w.week()
    w.page.wait_for_timeout(3000)
    w1 = w.week()
    w.page.get_by_role("button", name="Pause").click()
    w.page.get_by_role("button", name="Play").wait_for()
    w.page.wait_for_timeout(400)
    paused = w.week()
    w.page.wait_for_timeout(1000)
    assert w.week() == paused
    assert w1 > w0
    _shot(w, tmp_path / "paused.png")
    w.page.get_by_role("button", name="Show debrief").click()  # folded away until opened
    text = w.page.inner_text(".orgsim-debrief")
    assert "customers" in text and "What drove the churn" in text
    assert w.errors == []


def test_choose_a_preset(watched: Watched, tmp_path: Path) -> None:
    w = watched
    w.page.get_by_role("button", name="Step").click()
    w.wait_week(1)
    w.page.locator(".v-select").filter(has_text="Preset").first.click()
    w.page.get_by_role("option", name="self_organised").click()
    w.wait_week(0)
    w.page.wait_for_function(
        "document.body.innerText.includes('Cross-functional circles')", timeout=20_000
    )
    w.page.get_by_role("button", name="Step").click()
    w.wait_week(1)
    _shot(w, tmp_path / "self_organised.png")
    assert w.errors == []


def test_a_dial_at_week_0_sets_the_start_and_downloads_work(watched: Watched) -> None:
    """At week 0 a dial sets the start (later it changes course: tests/test_app_course_browser)."""
    w = watched
    track = w.page.locator(".orgsim-dial").nth(1).locator(".v-slider").bounding_box()
    assert track is not None
    w.page.mouse.click(track["x"] + 0.9 * track["width"], track["y"] + track["height"] / 2)
    w.page.wait_for_function("document.body.innerText.includes('for the customer. (now 0.9')")
    assert w.week() == 0
    w.page.get_by_role("button", name="Step").click()
    w.wait_week(1)
    w.page.get_by_role("button", name="Show files").click()  # folded away until opened
    with w.page.expect_download() as dl:
        w.page.get_by_role("button", name="Data (CSV)").click()
    text = Path(dl.value.path()).read_text()
    assert text.startswith("design,week,adoption_rate") and len(text.splitlines()) == 2
    with w.page.expect_download() as dl:
        w.page.get_by_role("button", name="Charts (PNG)").click()
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.errors == [] and w.outside() == []


def test_a_refused_seed_shows_a_message_and_keeps_the_run(watched: Watched, tmp_path: Path) -> None:
    """Bad input in the page: a message on the page, the runs as they were, no console error."""
    w = watched
    for n in (1, 2):
        w.page.get_by_role("button", name="Step").click()
        w.wait_week(n)
    seed = w.page.get_by_label("Seed")
    seed.fill("-7")
    seed.press("Enter")
    message = w.page.locator(".orgsim-error")
    message.wait_for(timeout=20_000)
    assert "Seed: expected a whole number >= 0, got -7" in message.inner_text()
    _shot(w, tmp_path / "refused_seed.png")
    assert w.week() == 2  # the run was kept: Step goes on from where it was
    w.page.get_by_role("button", name="Step").click()
    w.wait_week(3)
    seed.fill("5")  # a good value clears the message and restarts the run on that seed
    seed.press("Enter")
    w.wait_week(0)
    message.wait_for(state="detached", timeout=20_000)
    assert w.errors == [] and w.outside() == []


#: The README's picture (docs/app.png): A and B on one seed, decision rights moved in A at week
#: 20, shown at week 40 (the page replays the address on load).
SCREENSHOT_QUERY = (
    "preset=command_and_control&seed=1&compare=1&b=culture_first_rollout"
    "&change=20:A:decision_rights:0.8&week=40"
)


def test_compare_shows_two_runs_and_a_difference(
    watched: Watched, server: str, tmp_path: Path
) -> None:
    w = watched
    w.page.get_by_text("Compare with design B").click()
    w.page.wait_for_function("document.querySelectorAll('.org-view').length == 2", timeout=20_000)
    for n in range(1, 4):
        w.page.get_by_role("button", name="Step").click()
        w.wait_week(n)
    assert w.page.locator(".diff-chart").count() == 1
    assert w.page.get_by_text("Difference, B: culture_first_rollout minus A").is_visible()
    w.page.wait_for_timeout(500)
    _shot(w, tmp_path / "compare.png")
    target = os.environ.get("ORGSIM_SCREENSHOT")
    if target:  # the README's picture: compare, a change in A at week 20, at week 40, 1920x1080
        w.page.set_viewport_size({"width": 1920, "height": 1080})
        w.page.goto(f"{server}?{SCREENSHOT_QUERY}")
        w.ready()
        w.wait_week(40)
        w.page.wait_for_function("document.querySelectorAll('.org-view').length == 2")
        w.page.wait_for_timeout(1500)
        # scrolled just enough that the charts (with the change's mark) end in the picture
        w.page.evaluate("document.querySelector('img.charts').scrollIntoView({block: 'end'})")
        w.page.wait_for_timeout(300)
        save_screenshot(w.page, ROOT / target)
    assert w.errors == [] and w.outside() == []


def test_two_browser_contexts_are_isolated(browser: object, server: str) -> None:
    a, b = Watched(browser, server), Watched(browser, server)
    try:
        for n in range(1, 4):
            a.page.get_by_role("button", name="Step").click()
            a.wait_week(n)
        b.page.wait_for_timeout(800)
        assert a.week() == 3
        assert b.week() == 0
        b.page.get_by_role("button", name="Step").click()
        b.wait_week(1)
        a.page.wait_for_timeout(300)
        assert a.week() == 3
    finally:
        a.close()
        b.close()
