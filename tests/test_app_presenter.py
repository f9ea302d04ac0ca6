"""What the room sees, in a real headless Chromium: the presenter view at 1280x720 and the keys.

One server for the module (127.0.0.1, a free port); every request must stay on loopback and no
console error may occur. Sizes are measured with Playwright's bounding boxes and computed styles.
The README's presenter screenshot is made by ``python -m app.screenshots`` (app/screenshots.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, Watched

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)

W, H = 1280, 720


def _open(browser: object, url: str) -> Watched:
    w = Watched(browser, url)
    w.page.set_viewport_size({"width": W, "height": H})
    w.page.wait_for_timeout(600)
    return w


def _px(w: Watched, selector: str, prop: str = "font-size") -> list[float]:
    """A computed style (in px) of every visible element matching ``selector``."""
    return w.page.eval_on_selector_all(
        selector,
        f"""els => els.filter(e => e.offsetParent !== null)
              .map(e => parseFloat(getComputedStyle(e).getPropertyValue('{prop}')))""",
    )


def _inside(w: Watched, selector: str) -> list[dict[str, float]]:
    """Bounding boxes of ``selector``'s elements; asserts each lies inside the viewport."""
    boxes = []
    loc = w.page.locator(selector)
    assert loc.count() >= 1, selector
    for i in range(loc.count()):
        b = loc.nth(i).bounding_box()
        assert b is not None, selector
        assert b["x"] >= -0.5 and b["y"] >= -0.5, (selector, b)
        assert b["x"] + b["width"] <= W + 0.5 and b["y"] + b["height"] <= H + 0.5, (selector, b)
        assert b["width"] > 200 and b["height"] > 120, (selector, b)  # drawn, not squeezed away
        boxes.append(b)
    return boxes


def _check_room_view(w: Watched) -> None:
    _inside(w, "img.org-view")
    _inside(w, "img.charts")
    assert min(_px(w, ".week-counter")) >= 32
    assert min(_px(w, ".orgsim-card .v")) >= 32
    assert min(_px(w, ".orgsim-card .t")) >= 20
    assert min(_px(w, ".orgsim-iceberg span:not(.bar), .orgsim-iceberg .name")) >= 20
    assert min(_px(w, ".presenter-switch label, .luck-switch label")) >= 20
    # the controls are folded away; no framework badge, no frame timer
    assert not w.page.get_by_label("Seed").is_visible()
    assert w.page.get_by_text("This website runs on Solara").count() == 0
    assert w.page.locator(".frame-timer").count() == 0


def _present(
    w: Watched, weeks: int, settle_ms: int, key: str = "PageDown", switch: bool = True
) -> None:
    """Into the presenter view (by its switch, unless the page opened in it), ``weeks`` steps
    with the presenter's ``key``, a pause for the last frame, then the room-view checks."""
    if switch:
        w.page.locator(".presenter-switch").click()
        w.page.wait_for_selector(".orgsim-presenter")
    for n in range(1, weeks + 1):
        w.page.keyboard.press(key)
        w.wait_week(n)
    w.page.wait_for_timeout(settle_ms)
    _check_room_view(w)


def test_presenter_view_fits_1280x720(browser: object, server: str, tmp_path: Path) -> None:
    w = _open(browser, server + "?presenter")
    try:
        _present(w, 3, settle_ms=500, key="ArrowRight", switch=False)
        w.page.screenshot(path=str(tmp_path / "presenter.png"))
        assert w.errors == [] and w.outside() == []
    finally:
        w.close()


def test_presenter_switch_with_compare_fits(browser: object, server: str, tmp_path: Path) -> None:
    w = _open(browser, server)
    try:
        assert w.page.locator(".frame-timer").count() == 0  # not shown to the room here either
        w.page.get_by_text("Compare with design B").click()
        w.page.wait_for_function("document.querySelectorAll('.org-view').length == 2")
        _present(w, 2, settle_ms=500)
        assert len(_inside(w, "img.org-view")) == 2
        _inside(w, "img.diff-chart")
        w.page.screenshot(path=str(tmp_path / "presenter_compare.png"))
        w.page.locator(".presenter-switch").click()  # back: the controls return
        w.page.get_by_label("Seed").wait_for()
        assert w.week() == 2
        assert w.errors == [] and w.outside() == []
    finally:
        w.close()


def test_keys_step_play_reset_but_not_while_typing(browser: object, server: str) -> None:
    w = _open(browser, server)
    try:
        k = w.page.keyboard
        k.press("ArrowRight")
        w.wait_week(1)
        k.press("PageDown")
        w.wait_week(2)
        k.press("Space")  # Play
        w.page.get_by_role("button", name="Pause").wait_for()
        w.wait_week_at_least(4)
        k.press("Space")  # Pause
        w.page.get_by_role("button", name="Play").wait_for()
        w.page.wait_for_timeout(400)
        paused = w.week()
        w.page.wait_for_timeout(800)
        assert w.week() == paused >= 4
        k.press("r")  # Reset
        w.wait_week(0)
        # typing in a field never fires a key
        seed = w.page.get_by_label("Seed")
        seed.click()
        for key in ("ArrowRight", "PageDown", "Space", "r"):
            seed.press(key)
        w.page.wait_for_timeout(800)
        assert w.week() == 0
        assert w.page.get_by_role("button", name="Play").is_visible()
        assert w.errors == [] and w.outside() == []
    finally:
        w.close()
