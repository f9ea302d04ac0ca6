"""What the room sees, without a browser: desks, silent churn, labels, iceberg, prediction."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

from app.charts import Charts  # noqa: E402
from app.orgview import desk_load  # noqa: E402
from app.presenter import Guess, Iceberg, apply_layout, prediction_rows  # noqa: E402
from app.session import Config, Session  # noqa: E402


def _session(preset: str = "command_and_control", weeks: int = 12, **kw: object) -> Session:
    s = Session(Config.for_preset(preset, **kw))
    s.step(weeks)
    return s


def test_desks_show_this_weeks_escalations_against_capacity() -> None:
    """command_and_control: the carried backlog stays small, the week's arrivals fill desks."""
    s = _session()
    m = s.runs[0].model
    load, backlog = desk_load(m)
    dec = m.last_week.decisions
    assert np.isfinite(load).all() and (load >= 0).all()
    # arrivals are the model's own (this week's escalations, one per manager passed on the way)
    assert dec.arrivals.sum() >= dec.n_escalated > 0
    assert (load > 0.5).any()  # some desk at least half full this week: the picture shows it
    np.testing.assert_array_equal(backlog, m.state.emp.backlog)


def test_desk_load_is_zero_before_the_first_week() -> None:
    s = Session(Config.for_preset("command_and_control"))
    load, _ = desk_load(s.runs[0].model)
    assert (load == 0).all()


@pytest.mark.parametrize("presenter", [False, True])
def test_wedge_labels_lie_inside_the_picture(presenter: bool) -> None:
    s = _session("command_and_control", 2)
    apply_layout(s, presenter)
    s.frame()
    view = s.runs[0].view
    assert view is not None and view.wedge_texts
    r = view.canvas.get_renderer()
    fb = view.fig.bbox
    for t in view.wedge_texts:
        b = t.get_window_extent(r)
        assert fb.x0 <= b.x0 and b.x1 <= fb.x1 and fb.y0 <= b.y0 and b.y1 <= fb.y1, t.get_text()


def test_programme_labels_never_overlap() -> None:
    s = _session("kotter_programme", 60, compare=True)
    s.frame()
    ch = s.charts
    assert ch is not None and ch.strip is not None
    ch.draw()
    r = ch.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ch.strip.texts]
    assert len(boxes) >= 6
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    assert all(ax.get_xlabel() == "week" for ax in ch.axes[3:6])


def test_band_is_drawn_behind_the_lines() -> None:
    ch = Charts(10)
    weeks = np.arange(1, 11)
    ch.set_band(0, {"adoption_rate": (weeks, np.zeros(10), np.full(10, 0.5))})
    assert len(ch.band_artists) == 1
    assert ch.band_artists[0].get_zorder() < ch.lines[0][0][0].get_zorder()
    ch.resize((8.0, 6.9), (3, 2), 1.25)  # the presenter layout keeps the band
    assert len(ch.axes[0].collections) == 1


def test_iceberg_from_the_runs_metrics() -> None:
    s = _session(weeks=20)
    df = s.runs[0].df
    b = Iceberg.of(df)
    last = df.iloc[-1]
    assert b.left_silent == round(last["churned_silent_total"])
    assert b.left_silent + b.left_complained == round(last["churned_total"])
    assert b.complaints == int(last["complaints_total"])
    assert b.left_silent > b.left_complained  # the point of the picture in this preset


def test_prediction_reveal_reads_week_52_or_so_far() -> None:
    s = _session(weeks=10)
    df = s.runs[0].df
    rows = prediction_rows(Guess(100, 40.0, True), df)
    assert [r[1] for r in rows] == ["100", "40%", "positive"]
    assert "so far (week 10)" in rows[0][2]
    assert rows[0][2].startswith(f"{df['churned_total'].iloc[-1]:,.0f}")
    s.step(50)
    rows = prediction_rows(Guess(), s.runs[0].df)
    assert rows[0][1] == "–"
    assert rows[0][2] == f"{s.runs[0].df['churned_total'].iloc[51]:,.0f} by week 52"


def test_live_pictures_are_palette_pngs_close_to_the_drawing() -> None:
    """The frames sent each week are PNGs of at most 256 colours (a third to two thirds of the
    bytes), and no pixel of the charts moves far from what matplotlib drew, band included."""
    import io

    from PIL import Image

    from app.render import FRAME_COLOURS

    s = _session(compare=True, weeks=20)
    weeks = np.arange(1, 105)
    s.charts.set_band(0, {"adoption_rate": (weeks, np.zeros(104), np.full(104, 0.5))}, "k")
    f = s.frame()
    for png in (*f.orgs, f.charts, f.diff):
        im = Image.open(io.BytesIO(png))
        assert im.format == "PNG" and im.mode == "P"
        assert len(im.getcolors(maxcolors=1024) or []) <= FRAME_COLOURS
    drawn = np.array(s.charts.canvas.buffer_rgba())[..., :3].astype(int)
    sent = np.asarray(Image.open(io.BytesIO(f.charts)).convert("RGB"), dtype=int)
    assert sent.shape == drawn.shape
    assert np.abs(sent - drawn).max() <= 24


def test_a_frame_maps_what_changed_to_the_last_palette_within_the_tolerance() -> None:
    """Week after week every sent picture stays within ``PALETTE_TOLERANCE`` of what was drawn
    (the customers painted in too), most frames of the charts keep the last frame's palette
    (only the changed rectangle is mapped), and a frame with nothing new is the same picture."""
    import io

    from PIL import Image

    from app.render import PALETTE_TOLERANCE

    s = _session(compare=True, weeks=30)  # past the go-live and the first rescaled axes
    s.frame()
    figures = [r.view for r in s.runs] + [s.charts, s.diff]
    kept = dict.fromkeys(range(4), 0)
    last = [None] * 4
    for _ in range(12):
        s.step()
        f = s.frame()
        for i, (fig, png) in enumerate(zip(figures, (*f.orgs, f.charts, f.diff))):
            im = Image.open(io.BytesIO(png))
            assert im.mode == "P"
            drawn = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
            sent = np.asarray(im.convert("RGB"), dtype=int)
            assert np.abs(sent - drawn).max() <= PALETTE_TOLERANCE
            kept[i] += last[i] is not None and im.getpalette() == last[i]
            last[i] = im.getpalette()
    assert kept[2] >= 6 and kept[3] >= 6, kept  # the charts: a new palette only now and then
    again = s.charts.png()  # nothing changed since the last frame: the same picture
    assert again == f.charts


def _count_full_draws(fig: object) -> dict[str, int]:
    """Count the full redraws of a figure's canvas from now on (``["n"]``)."""
    full_draws = {"n": 0}
    canvas = fig.canvas  # type: ignore[attr-defined]
    draw = canvas.draw

    def counted() -> None:
        full_draws["n"] += 1
        draw()

    canvas.draw = counted
    return full_draws


def test_markers_are_painted_onto_the_background_without_a_full_redraw() -> None:
    """The CRM go-live and a change's mark are painted onto the charts' cached background (no
    full redraw: about 110 ms of CPU each), and the picture stays what a full redraw draws but
    for the few pixels where a mark crosses a legend's text (a missing mark's lines alone
    would differ in over a thousand)."""
    s = _session(compare=True, weeks=2)
    s.change(0, "culture.decision_rights", 0.8)
    s.frame()
    full_draws = _count_full_draws(s.charts)
    for _ in range(14):  # past both go-lives (weeks 4 and 12 in these two designs)
        s.step()
        s.frame()
    assert len(s.charts.go_live) == 2 and s.changes
    assert full_draws["n"] == 0
    painted = np.asarray(s.charts.canvas.buffer_rgba())[..., :3].astype(int).copy()
    s.charts.invalidate()
    s.charts.draw()
    s.charts.overlay(np.asarray(s.charts.canvas.buffer_rgba()))
    redrawn = np.asarray(s.charts.canvas.buffer_rgba())[..., :3].astype(int)
    differ = int((np.abs(painted - redrawn).max(axis=2) > 16).sum())
    assert differ <= 200, differ


def test_the_incremental_tables_equal_the_models_results() -> None:
    """Each design's table and each path without its change, kept a row at a time
    (``app.session.Table``), equal ``model.results()`` exactly, week after week and after
    several weeks at once."""
    import pandas as pd

    s = _session(compare=True, weeks=3)
    s.change(0, "culture.decision_rights", 0.8)
    s.change(1, "culture.decision_rights", 0.6)
    for weeks in (1, 1, 1, 4, 1):
        s.step(weeks)
        for r in s.runs:
            pd.testing.assert_frame_equal(r.df, r.model.results(), check_exact=True)
            pd.testing.assert_frame_equal(r.ghost_df(), r.ghost.results(), check_exact=True)


def test_a_rescaled_panel_is_drawn_again_alone_and_as_a_full_redraw_draws_it() -> None:
    """When a panel's y axis grows (the difference chart's, here at weeks 25 and 27), only that
    panel is cleared and drawn again on the cached background, and the picture is what a full
    redraw of the figure draws."""
    s = _session(compare=True, weeks=2, preset_b="culture_first_rollout")
    s.change(0, "culture.decision_rights", 0.8)
    s.change(1, "culture.decision_rights", 0.6)
    s.frame()
    assert s.diff is not None
    limits = list(s.diff.limits)
    full_draws = _count_full_draws(s.diff)
    for _ in range(28):
        s.step()
        s.frame()
    assert s.diff.limits != limits  # some panel was rescaled
    assert full_draws["n"] == 0
    painted = np.asarray(s.diff.canvas.buffer_rgba())[..., :3].astype(int).copy()
    s.diff.invalidate()
    s.diff.draw()
    redrawn = np.asarray(s.diff.canvas.buffer_rgba())[..., :3].astype(int)
    assert int((np.abs(painted - redrawn).max(axis=2) > 16).sum()) <= 20
