"""Speed of the app: a week plus a frame, the org layout at scale and (optionally) a browser.

    python -m app.bench [--weeks 30] [--browser]

Prints, on this machine:

- the median and 90th percentile of "step every design one week + render the org views, the
  charts and (in compare mode) the difference chart to PNG" at the default preset size (300
  people, 3,000 customers), for one design and for two in compare mode, as the Step button does
  it;
- the time to lay out 20,000 people and 50,000 customers (``app.orgview.build_layout``; the
  median of 3);
- with ``--browser`` (needs Playwright and Chromium at /usr/bin/chromium; run from the repository
  root): the real server and a headless page, the Step click to week-counter round trip (median
  of 10) and the weeks per second Play reaches over 3 s.

These are the figures the tests used to assert as wall-clock bounds (tests assert behaviour, not
speed; docs/PERFORMANCE.md keeps the measured figures and the command).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from app.session import Config, Session


def measure(config: Config, weeks: int) -> dict[str, float]:
    """Step + frame timings in milliseconds for ``weeks`` weeks (after one warm-up frame)."""
    s = Session(config)
    s.frame()
    step_ms, frame_ms = [], []
    for _ in range(weeks):
        t0 = time.perf_counter()
        s.step()
        t1 = time.perf_counter()
        s.frame()
        t2 = time.perf_counter()
        step_ms.append(1000 * (t1 - t0))
        frame_ms.append(1000 * (t2 - t1))
    total = np.add(step_ms, frame_ms)
    return {
        "step_median": float(np.median(step_ms)),
        "frame_median": float(np.median(frame_ms)),
        "total_median": float(np.median(total)),
        "total_p90": float(np.quantile(total, 0.9)),
    }


def measure_layout(people: int = 20_000, customers: int = 50_000, repeats: int = 3) -> float:
    """Median seconds of ``build_layout`` for a hierarchy of ``people`` and ``customers``."""
    from app.orgview import build_layout
    from sim.structures import build_structure

    s = build_structure("hierarchical", people, span=8, rng=np.random.default_rng(4))
    handler = np.arange(customers) % people
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        build_layout(s, handler)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def measure_browser(steps: int = 10, play_s: float = 3.0) -> dict[str, float] | None:
    """The page in headless Chromium: Step round trip (ms) and Play rate (weeks/s); None if
    Playwright or Chromium is missing."""
    from pathlib import Path

    try:
        import playwright.sync_api  # noqa: F401

        from tests.browser_support import CHROMIUM, Watched, app_server, chromium
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    with app_server() as server, chromium() as browser:
        w = Watched(browser, server.url)
        try:
            step_ms = []
            for n in range(1, steps + 1):
                t0 = time.perf_counter()
                w.page.get_by_role("button", name="Step").click()
                w.wait_week(n)
                step_ms.append(1000 * (time.perf_counter() - t0))
            w.page.get_by_role("button", name="Play").click()
            w.wait_week_at_least(steps + 2)
            t0, w0 = time.perf_counter(), w.week()
            w.page.wait_for_timeout(1000 * play_s)
            t1, w1 = time.perf_counter(), w.week()
            w.page.get_by_role("button", name="Pause").click()
        finally:
            w.close()
    return {
        "step_median": float(np.median(step_ms)),
        "step_max": float(np.max(step_ms)),
        "play_rate": (w1 - w0) / (t1 - t0),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the timings of a single design, of compare mode, of the layout (and the browser)."""
    p = argparse.ArgumentParser(prog="python -m app.bench", description=__doc__)
    p.add_argument("--weeks", type=int, default=30)
    p.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = p.parse_args(argv)
    for label, cfg in (
        ("one design", Config.for_preset("command_and_control")),
        ("compare A/B", Config.for_preset("command_and_control", compare=True)),
    ):
        r = measure(cfg, args.weeks)
        print(
            f"{label:12s} step {r['step_median']:5.1f} ms + frame {r['frame_median']:5.1f} ms = "
            f"{r['total_median']:5.1f} ms median, {r['total_p90']:5.1f} ms p90 "
            f"(max {1000 / r['total_median']:.0f} weeks/s)",
            flush=True,
        )
    lay = measure_layout()
    print(f"{'layout':12s} 20,000 people + 50,000 customers: {lay:.2f} s median of 3", flush=True)
    if args.browser:
        b = measure_browser()
        if b is None:
            print(f"{'browser':12s} skipped (Playwright or /usr/bin/chromium missing)")
        else:
            print(
                f"{'browser':12s} Step click -> week counter: {b['step_median']:.0f} ms median, "
                f"{b['step_max']:.0f} ms max of 10; Play {b['play_rate']:.1f} weeks/s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
