"""Server-side speed of the app: one week plus one frame, as the Step button does it.

    python -m app.bench [--weeks 30]

Prints the median and 90th percentile of "step every design one week + render the org views,
the charts and (in compare mode) the difference chart to PNG" at the default preset size
(300 people, 3,000 customers), for one design and for two in compare mode. What a browser adds
on top (websocket, image decoding) is measured by ``tests/test_app_browser.py``.
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


def main(argv: list[str] | None = None) -> int:
    """Print the timings of a single design and of compare mode."""
    p = argparse.ArgumentParser(prog="python -m app.bench", description=__doc__)
    p.add_argument("--weeks", type=int, default=30)
    args = p.parse_args(argv)
    for label, cfg in (
        ("one design", Config.for_preset("command_and_control")),
        ("compare A/B", Config.for_preset("command_and_control", compare=True)),
    ):
        r = measure(cfg, args.weeks)
        print(
            f"{label:12s} step {r['step_median']:5.1f} ms + frame {r['frame_median']:5.1f} ms = "
            f"{r['total_median']:5.1f} ms median, {r['total_p90']:5.1f} ms p90 "
            f"(max {1000 / r['total_median']:.0f} weeks/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
