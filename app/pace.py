"""Play's pace: how many weeks each frame advances so that a run plays at ``PLAY_RATE`` weeks a
second, on a fast machine or a slow one. No Solara here (the page's Play loop and ``app.bench``
both use it, so the bench measures the page's own pacing).

Weeks fall due at ``PLAY_RATE`` a second of wall time; a frame steps the weeks due (at least one,
at most ``MAX_WEEKS_PER_FRAME``), then waits until the next week is due (at least
``MIN_YIELD_S``, so the server's other threads get in: sending frames, hearing "Pause"; only
that when the frame itself took a week's time or more). Weeks owed beyond one more than a frame
may step are dropped: when frames are slow (a busy machine, compare mode with changes in force)
each frame advances as many weeks as keep the rate, up to ``MAX_WEEKS_PER_FRAME``, never
catching up in bursts and never falling back to one week a frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Weeks per second while playing.
PLAY_RATE = 6.0
#: Most weeks one frame advances (the org view and charts are drawn once per frame).
MAX_WEEKS_PER_FRAME = 4
#: Shortest pause between two frames (seconds).
MIN_YIELD_S = 0.02


class Pace:
    """The weeks due for each frame of Play, from a clock (``time.perf_counter`` by default)."""

    def __init__(
        self,
        rate: float = PLAY_RATE,
        most: int = MAX_WEEKS_PER_FRAME,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.rate, self.most, self.clock = float(rate), int(most), clock
        self.due = 1.0  # the first frame steps one week at once
        self.last = self.started = clock()

    def weeks(self) -> int:
        """Weeks the next frame should step (1 to ``most``); call it as the frame starts."""
        now = self.clock()
        # owed: at most one week beyond what a frame may step (the fraction carries over)
        self.due = min(self.due + (now - self.last) * self.rate, float(self.most + 1))
        self.last = self.started = now
        return min(max(1, int(self.due)), self.most)

    def stepped(self, n: int) -> float:
        """Count ``n`` weeks as played once the frame is made; returns the seconds to wait.

        A frame that took less than a week's time waits for the next week to fall due; a
        slower one waits only ``MIN_YIELD_S`` (waiting longer would only lose time).
        """
        self.due = max(self.due - n, 0.0)
        if self.clock() - self.started >= 1.0 / self.rate:
            return MIN_YIELD_S
        return max((1.0 - self.due) / self.rate, MIN_YIELD_S)
