"""Play's pace (app.pace): the weeks each frame steps, on a simulated clock (no wall time)."""

from __future__ import annotations

import pytest

from app.pace import MAX_WEEKS_PER_FRAME, MIN_YIELD_S, PLAY_RATE, Pace


def _play(frame_s: float, seconds: float = 60.0) -> tuple[float, list[int]]:
    """Play for ``seconds`` of simulated time with frames that take ``frame_s`` each."""
    now = [0.0]
    pace = Pace(clock=lambda: now[0])
    weeks: list[int] = []
    while now[0] < seconds:
        n = pace.weeks()
        weeks.append(n)
        now[0] += frame_s  # stepping and drawing the frame
        now[0] += pace.stepped(n)  # the pause before the next frame
    return sum(weeks) / now[0], weeks


def test_fast_frames_play_at_the_rate_one_week_a_frame() -> None:
    rate, weeks = _play(0.01)
    assert rate == pytest.approx(PLAY_RATE, rel=0.02)
    assert set(weeks) == {1}


@pytest.mark.parametrize("frame_s", [0.25, 0.4, 0.6])
def test_slow_frames_step_several_weeks_and_keep_the_rate(frame_s: float) -> None:
    """Frames slower than a week's time: several weeks a frame, the rate kept while the most a
    frame may step allows it."""
    rate, weeks = _play(frame_s)
    best = min(PLAY_RATE, MAX_WEEKS_PER_FRAME / (frame_s + MIN_YIELD_S))
    assert rate == pytest.approx(best, rel=0.05)
    assert max(weeks) <= MAX_WEEKS_PER_FRAME


def test_very_slow_frames_never_fall_back_to_one_week_or_burst() -> None:
    rate, weeks = _play(1.5)
    assert weeks[0] == 1 and set(weeks[1:]) == {MAX_WEEKS_PER_FRAME}
    assert rate == pytest.approx(MAX_WEEKS_PER_FRAME / (1.5 + MIN_YIELD_S), rel=0.05)
