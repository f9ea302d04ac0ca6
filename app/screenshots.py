"""Make the README's two pictures of the workshop app again, from the real server and a browser.

    .venv/bin/python -m app.screenshots              # both, into docs/
    .venv/bin/python -m app.screenshots --only presenter --out /tmp/shots

Run it from the repository root with the app extra installed (``pip install -e ".[app]"``). It
starts ``python run.py app`` on a free loopback port and drives Debian's headless Chromium
(``/usr/bin/chromium``) with Playwright, as the browser tests do (``tests/browser_support.py``;
never ``playwright install``). No request leaves the machine.

- ``app.png``: the normal view at 1920x1080, compare mode (A ``command_and_control``, B
  ``culture_first_rollout``, seed 1) with decision rights moved to 0.8 in A at week 20, at week
  40: the controls on the left, the debrief and the files folded away, both org views, the
  iceberg, the charts with the change's mark and the faint path without it, scrolled so that the
  charts end at the bottom of the picture.
- ``app-presenter.png``: the presenter view (``?presenter``) at 1280x720, ``kotter_programme``
  with decision rights moved to 0.8 at week 24, at week 40, with the band of 20 other seeds of
  that course (computed in the background: a minute or more on a busy machine).

The pictures are saved as small as they go without losing colours
(``tests.browser_support.save_screenshot``). Look at them before committing them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: The normal view's picture: what the README's caption describes.
NORMAL_QUERY = (
    "?preset=command_and_control&seed=1&compare=1&b=culture_first_rollout"
    "&change=20:A:decision_rights:0.8&week=40"
)
NORMAL_SIZE = (1920, 1080)
#: The presenter view's picture.
PRESENTER_QUERY = (
    "?presenter&preset=kotter_programme&seed=1&change=24:A:decision_rights:0.8&week=40"
)
PRESENTER_SIZE = (1280, 720)
WEEK = 40


def _normal(browser: object, url: str, out: Path) -> Path:
    """The normal view in compare mode at week 40, saved as ``out/app.png``."""
    from tests.browser_support import Watched, save_screenshot

    w = Watched(browser, url + NORMAL_QUERY)
    try:
        w.page.set_viewport_size({"width": NORMAL_SIZE[0], "height": NORMAL_SIZE[1]})
        w.wait_week(WEEK, timeout=300_000)  # the page replays the address in the background
        w.page.wait_for_function("document.querySelectorAll('img.org-view').length == 2")
        w.page.wait_for_function("document.querySelectorAll('img.diff-chart').length == 1")
        w.page.wait_for_timeout(1500)  # the last pictures of the replay arrive and are drawn
        # scrolled just enough that the charts (with the change's mark) end in the picture
        w.page.evaluate("document.querySelector('img.charts').scrollIntoView({block: 'end'})")
        w.page.wait_for_timeout(300)
        _check(w)
        path = out / "app.png"
        save_screenshot(w.page, path)
        return path
    finally:
        w.close()


def _presenter(browser: object, url: str, out: Path) -> Path:
    """The presenter view at week 40 with the band of other seeds, as ``out/app-presenter.png``."""
    from tests.browser_support import Watched, save_screenshot

    w = Watched(browser, url + PRESENTER_QUERY)
    try:
        w.page.set_viewport_size({"width": PRESENTER_SIZE[0], "height": PRESENTER_SIZE[1]})
        w.wait_week(WEEK, timeout=300_000)
        w.page.locator(".luck-switch").click()  # the band of 20 other seeds of this course
        w.page.wait_for_function(
            "(document.querySelector('.luck-status') || {}).innerText?.includes('Shaded')",
            timeout=900_000,
        )  # drawn when ready, with no click: the page waits for the band itself
        w.page.wait_for_timeout(1500)
        _check(w)
        line = w.page.locator(".luck-status").bounding_box()  # under the charts, not cut off
        if line is None or line["y"] + line["height"] > PRESENTER_SIZE[1] + 0.5:
            raise RuntimeError(f"the band's status line is outside the screen: {line}")
        path = out / "app-presenter.png"
        save_screenshot(w.page, path)
        return path
    finally:
        w.close()


def _check(w: object) -> None:
    """Refuse a picture of a broken page: a console error or a request off the machine."""
    errors, outside = w.errors, w.outside()  # type: ignore[attr-defined]
    if errors or outside:
        raise RuntimeError(f"the page was not clean: errors {errors}, requests {outside}")


def main(argv: list[str] | None = None) -> int:
    """Make the pictures asked for; 2 when Playwright or Chromium is missing or ``--out`` is bad.

    Args:
        argv: command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    p = argparse.ArgumentParser(prog="python -m app.screenshots", description=__doc__)
    p.add_argument("--out", type=Path, default=Path("docs"), help="folder (default docs)")
    p.add_argument("--only", choices=("normal", "presenter"), help="make one picture only")
    args = p.parse_args(argv)
    if not args.out.is_dir():
        print(f"app.screenshots: --out {args.out}: not a folder", file=sys.stderr)
        return 2
    try:
        import playwright.sync_api  # noqa: F401

        from tests.browser_support import CHROMIUM, app_server, chromium
    except ImportError as e:
        print(f"app.screenshots: needs Playwright and the app extra ({e})", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"app.screenshots: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    makers = {"normal": _normal, "presenter": _presenter}
    with app_server() as server, chromium() as browser:
        for name, make in makers.items():
            if args.only in (None, name):
                path = make(browser, server.url, args.out)
                print(f"app.screenshots: wrote {path} ({path.stat().st_size:,} bytes)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
