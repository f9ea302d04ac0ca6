"""The trainer's app without a browser: layouts, session, debrief, exports and the page itself.

The page is rendered with ``solara.render`` (widgets in memory, no server, no browser); buttons
are clicked and slider events fired on the widgets directly.
"""

from __future__ import annotations

import csv
import io
import time

import numpy as np
import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402
import ipywidgets as widgets  # noqa: E402
import solara  # noqa: E402

from app.charts import results_csv  # noqa: E402
from app.debrief import ChurnLedger, debrief  # noqa: E402
from app.orgview import build_layout, circles_layout, customer_ring, tree_layout  # noqa: E402
from app.page import Page  # noqa: E402
from app.session import Config, Session, culture_specs, presets  # noqa: E402
from sim.csvsafe import neutralise  # noqa: E402
from sim.inputs import load_scenario  # noqa: E402
from sim.model import OrgModel  # noqa: E402
from sim.structures import build_structure  # noqa: E402

SMALL = {"organisation.employees": 120, "customers.count": 1200}


# ------------------------------------------------------------------ layouts
@pytest.mark.parametrize("kind", ["hierarchical", "functional_silos", "matrix", "self_organised"])
def test_layouts_place_everyone_apart(kind: str) -> None:
    s = build_structure(kind, 300, span=6, rng=np.random.default_rng(1))
    handler = np.arange(3000) % 300
    lay = build_layout(s, handler)
    assert lay.xy.shape == (300, 2) and np.isfinite(lay.xy).all()
    # no two people drawn on the same spot
    assert np.unique(np.round(lay.xy, 3), axis=0).shape[0] == 300
    assert lay.kind == ("circles" if kind == "self_organised" else "tree")
    assert lay.cust_xy.shape == (3000, 2)
    if kind == "functional_silos":  # separate, shaded trees, one per silo
        labels = {b[0] for b in lay.boxes if b[5]}
        assert labels == {"sales", "service", "marketing"}


def test_tree_layout_is_top_down() -> None:
    s = build_structure("hierarchical", 200, span=5, rng=np.random.default_rng(2))
    role_mgr = s.span() > 0
    xy = tree_layout(s.manager, s.level, role_mgr)
    below = np.flatnonzero(s.manager >= 0)
    # every report sits below their manager
    assert (xy[below, 1] < xy[s.manager[below], 1]).all()


def test_circles_layout_rings_members_around_their_lead() -> None:
    s = build_structure("self_organised", 120, span=6, rng=np.random.default_rng(3))
    xy = circles_layout(s.manager, s.level)
    leaves = np.flatnonzero(s.span() == 0)
    d = np.hypot(*(xy[leaves] - xy[s.manager[leaves]]).T)
    # members of one circle are equidistant from their lead link
    for lead in np.unique(s.manager[leaves]):
        dd = d[s.manager[leaves] == lead]
        assert np.allclose(dd, dd[0])


def test_layout_at_scale_places_everyone() -> None:
    """20,000 people and 50,000 customers: every node placed, finite (its time: app.bench)."""
    s = build_structure("hierarchical", 20_000, span=8, rng=np.random.default_rng(4))
    lay = build_layout(s, np.arange(50_000) % 20_000)
    assert lay.xy.shape == (20_000, 2) and lay.cust_xy.shape == (50_000, 2)
    assert np.isfinite(lay.xy).all() and np.isfinite(lay.cust_xy).all()
    assert lay.kind == "tree"


def test_customer_ring_wedges_by_unit() -> None:
    unit = np.array([0, 0, 1, 1])
    xy, wedges = customer_ring(np.array([0, 2, 1, 3, 0, 2]), unit, ("north", "south"))
    assert xy.shape == (6, 2)
    r = np.hypot(xy[:, 0], xy[:, 1])
    assert ((r > 0.5) & (r < 1.0)).all()
    assert [w[0] for w in wedges] == ["north", "south"]


# ------------------------------------------------------------------ session and model wiring
def _config(**kw: object) -> Config:
    return Config.for_preset("command_and_control", **kw)


def test_programme_switch_adds_and_removes_kotter_steps() -> None:
    on = _config(programme=True).scenario_a()
    assert [s.step for s in on.change_programme.steps][:2] == ["urgency", "coalition"]
    off = Config.for_preset("kotter_programme")
    assert off.programme is True
    assert off.scenario_a().change_programme.steps
    from dataclasses import replace

    assert not replace(off, programme=False).scenario_a().change_programme.steps


def test_dials_are_the_culture_fields_with_labels_and_help() -> None:
    specs = culture_specs()
    assert len(specs) >= 8
    assert all(s.path.startswith("culture.") and s.label and s.help for s in specs)
    moved = _config().with_dial("culture.decision_rights", 0.9).scenario_a()
    assert moved.culture.decision_rights == pytest.approx(0.9)


def test_compare_runs_on_common_random_numbers() -> None:
    # the same design as A and B on one seed: B - A must be exactly zero, week by week
    cfg = _config(compare=True, preset_b="command_and_control")
    s = Session(cfg)
    s.step(6)
    a, b = (r.df for r in s.runs)
    assert len(a) == len(b) == 6
    assert np.allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True)
    f = s.frame()
    assert len(f.orgs) == 2 and f.diff is not None


def test_reset_replays_the_same_run() -> None:
    s = Session(_config(seed=5))
    s.step(4)
    first = s.runs[0].df.copy()
    s.reset()
    assert s.week == 0
    s.step(4)
    assert np.allclose(
        first.to_numpy(dtype=float), s.runs[0].df.to_numpy(dtype=float), equal_nan=True
    )


def test_step_stops_at_the_horizon() -> None:
    s = Session(_config())
    s.runs[0].scenario.horizon_weeks  # noqa: B018
    s.runs[0].model.state.week = s.horizon - 1  # jump near the end
    assert s.step(5) == 1
    assert s.done and s.step() == 0


def test_frame_timing_is_reported() -> None:
    """Each frame carries its render time, a finite number of milliseconds (the page shows it).

    How long a week and a frame take is measured by ``python -m app.bench``, not asserted here.
    """
    s = Session(_config())
    for week in (1, 2, 3):
        s.step()
        f = s.frame()
        assert f.week == week
        assert isinstance(f.render_ms, float) and np.isfinite(f.render_ms) and f.render_ms >= 0
        assert f.orgs and all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in f.orgs)


# ------------------------------------------------------------------ debrief and exports
def test_ledger_accounts_for_every_departure_and_debrief_uses_the_data() -> None:
    sc = load_scenario("command_and_control").with_overrides(SMALL)
    m = OrgModel(sc, rng=3)
    led = ChurnLedger()
    for _ in range(30):
        led.before(m)
        m.step()
        led.after(m, m.results().iloc[-1])
    df = m.results()
    assert led.churned == int(df["churned_total"].iloc[-1])
    att = led.attribution()
    assert sum(att.values()) == pytest.approx(led.churned)
    assert 0 < att["base"] < led.churned
    text = " ".join(debrief(df, sc, led, m.programme_log, m.state.levers.reinforce_until))
    assert f"lost {int(df['churned_total'].iloc[-1]):,} customers" in text
    assert "What drove the churn" in text
    silent = df["churned_silent_total"].iloc[-1] / df["churned_total"].iloc[-1]
    assert f"{100 * silent:.0f}% of those who left never complained" in text


def test_debrief_differs_between_designs() -> None:
    texts = []
    for preset in ("command_and_control", "self_organised"):
        s = Session(Config.for_preset(preset))
        s.step(20)
        texts.append(s.debrief())
    assert texts[0] != texts[1]


def test_csv_neutralises_formula_cells() -> None:
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for bad in ("+1", "-1", "@SUM(A1)", "\tx"):
        assert neutralise(bad).startswith("'")
    assert neutralise("fine") == "fine" and neutralise(-1.5) == -1.5
    s = Session(_config())
    s.step(3)
    df = s.runs[0].df
    text = results_csv([("=cmd|' /C calc'!A0", df, [(0, "urgency", 0.7)])])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert all(r["design"].startswith("'=") for r in rows)
    assert rows[0]["programme_steps"] == "urgency"
    for r in rows:
        for val in r.values():
            if val and val[0] in "=+-@":
                float(val)  # only numbers may start with a sign


def test_png_exports() -> None:
    s = Session(_config(compare=True))
    s.step(2)
    for png in (s.charts_png(), s.org_png(), s.frame().charts):
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ the server
def test_server_stays_local_and_offline() -> None:
    from app import server

    assert server.is_loopback("127.0.0.1") and server.is_loopback("localhost")
    assert server.is_loopback("::1") and not server.is_loopback("0.0.0.0")
    assert server.url_for("0.0.0.0", 9000) == "http://127.0.0.1:9000/"
    cmd = server.command("127.0.0.1", 9000)
    assert "--no-check-version" in cmd and "--production" in cmd
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert server.environment()["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    out, err = io.StringIO(), io.StringIO()
    server.announce("127.0.0.1", 8765, out, err)
    assert "http://127.0.0.1:8765/" in out.getvalue() and err.getvalue() == ""
    server.announce("0.0.0.0", 8765, out, err)
    assert "warning" in err.getvalue() and "beyond this machine" in err.getvalue()


def test_app_binds_loopback_unless_told_and_warns_when_exposed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run.py app`` binds 127.0.0.1 by default; ``--host 0.0.0.0`` is passed on with a warning.

    Nothing is bound: the process replacement (``os.execve``) is intercepted and stops there.
    """
    import run
    from app import server

    class Started(BaseException):  # not an Exception: run.main must not catch it
        pass

    assert run._parser().parse_args(["app"]).host == server.DEFAULT_HOST == "127.0.0.1"
    started: list[list[str]] = []

    def fake_execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        started.append(argv)
        raise Started

    monkeypatch.setattr(server.os, "execve", fake_execve)
    monkeypatch.setattr(server.os, "chdir", lambda path: None)
    for argv, host, warned in (
        (["app"], "127.0.0.1", False),
        (["app", "--host", "localhost"], "localhost", False),
        (["app", "--host", "0.0.0.0"], "0.0.0.0", True),
        (["app", "--host", "192.168.1.20", "--port", "9000"], "192.168.1.20", True),
    ):
        with pytest.raises(Started):
            run.main(argv)
        cmd = started.pop()
        assert cmd[cmd.index("--host") + 1] == host
        err = capsys.readouterr().err
        assert ("warning: listening on" in err and "beyond this machine" in err) is warned, argv


def test_abandoned_sessions_are_released_after_a_cull_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server culls a vanished browser's session after 5 minutes (solara's default: 24 h)."""
    from solara.util import parse_timedelta

    from app import server

    monkeypatch.delenv("SOLARA_KERNEL_CULL_TIMEOUT", raising=False)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("REACTON_FAST", raising=False)
    env = server.environment()
    assert parse_timedelta(env["SOLARA_KERNEL_CULL_TIMEOUT"]) == 300
    assert env["MALLOC_ARENA_MAX"] == "2"  # freed memory goes back to fewer, denser heaps
    assert env["REACTON_FAST"] == "1"  # a render walks only the components that changed
    monkeypatch.setenv("SOLARA_KERNEL_CULL_TIMEOUT", "30s")  # the operator's choice wins
    assert server.environment()["SOLARA_KERNEL_CULL_TIMEOUT"] == "30s"
    monkeypatch.setenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "True")  # the offline switches do not
    assert server.environment()["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_run_py_app_rejects_a_bad_port() -> None:
    import run

    assert run.main(["app", "--port", "0"]) == 2


# ------------------------------------------------------------------ the page
def _week(rc: object) -> str:
    return rc.find(v.Html, class_="week-counter").widget.children[0]  # type: ignore[attr-defined]


def _images(rc: object) -> list[bytes]:
    return [w.value for w in rc.find(widgets.Image).widgets]  # type: ignore[attr-defined]


def _html(rc: object) -> str:
    """All HTML blocks of the page (cards, debrief) as one string."""
    found = rc.find(solara.widgets.HTML).widgets  # type: ignore[attr-defined]
    return " ".join(w.unsafe_innerHTML for w in found)


def test_page_step_reset_and_controls() -> None:
    box, rc = solara.render(Page(), handle_error=False)
    assert _week(rc) == "Week 0 of 104"
    assert rc.find(v.Select, label="Preset").widget.v_model == presets()[0]
    assert len(rc.find(v.Slider).widgets) == len(culture_specs())
    before = _images(rc)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _week(rc) == "Week 1 of 104"
    after = _images(rc)
    assert after[0] != before[0] and after[1] != before[1]  # org view and charts redrawn
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _week(rc) == "Week 2 of 104"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _week(rc) == "Week 0 of 104"
    # a dial, released: restarts with the new value
    slider = rc.find(v.Slider, label="Decision rights at the edge").widget
    slider.fire_event("change", 0.85)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _week(rc) == "Week 1 of 104"
    # the preset selector
    rc.find(v.Select, label="Preset").widget.v_model = "self_organised"
    assert _week(rc) == "Week 0 of 104"
    assert any(
        "self-organised" in str(w.children) or "circles" in str(w.children)
        for w in rc.find(v.Html, class_="orgsim-help").widgets
    )
    rc.find(v.Btn, children=["Show debrief"]).widget.click()  # folded away until opened
    assert "Nothing has happened yet" in _html(rc)
    rc.close()


def test_page_play_and_pause() -> None:
    box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Btn, children=["Play"]).widget.click()
    deadline = time.time() + 60
    while time.time() < deadline and _week(rc) in ("Week 0 of 104", "Week 1 of 104"):
        time.sleep(0.05)
    pause = rc.find(v.Btn, children=["Pause"])
    if pause.widgets:  # on a very busy machine the run may already have reached its end
        pause.widget.click()
    else:
        assert _week(rc) == "Week 104 of 104"
    time.sleep(0.5)
    paused = _week(rc)
    assert paused not in ("Week 0 of 104", "Week 1 of 104")
    time.sleep(0.6)
    assert _week(rc) == paused
    rc.find(v.Btn, children=["Play"]).assert_single()
    rc.close()


def test_page_compare_shows_two_runs_and_a_difference() -> None:
    box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Switch, label="Compare with design B").widget.v_model = True
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert len(rc.find(widgets.Image).widgets) == 4  # two org views, charts, difference
    text = str([w.children for w in rc.find(v.Html).widgets]) + _html(rc)
    assert "Difference" in text and "B: culture_first_rollout" in text
    rc.close()


def test_two_pages_are_isolated() -> None:
    _, rc1 = solara.render(Page(), handle_error=False)
    _, rc2 = solara.render(Page(), handle_error=False)
    for _ in range(3):
        rc1.find(v.Btn, children=["Step"]).widget.click()
    assert _week(rc1) == "Week 3 of 104"
    assert _week(rc2) == "Week 0 of 104"
    rc1.close()
    rc2.close()


def test_a_changed_courses_band_is_drawn_when_ready_without_a_click(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Is it luck? with a change made: the band asked for is the changed course's, and the page
    draws it as soon as it is ready, with no Step (the page waits for it in a task)."""
    from concurrent.futures import ThreadPoolExecutor

    import app.page as page
    from app.luck import LuckBands

    asked: list[object] = []
    pool = ThreadPoolExecutor(max_workers=1)

    def slow_band(scenario: object, seed: int) -> dict:
        time.sleep(0.5)  # ready well after the page rendered its status line
        weeks = np.arange(1, 105)
        return {"adoption_rate": (weeks, np.zeros(104), np.full(104, 0.5))}

    class QuickBands(LuckBands):
        def request(self, scenario: object, seed: int) -> str:  # type: ignore[override]
            k = self.key(scenario, seed)  # type: ignore[arg-type]
            if k not in self._jobs:
                asked.append(scenario)
                self._jobs[k] = pool.submit(slow_band, scenario, seed)
            return k

    monkeypatch.setattr(page, "LuckBands", QuickBands)
    start = page._start
    query = "?preset=command_and_control&seed=1&change=2:A:decision_rights:0.8&week=3"
    monkeypatch.setattr(page, "_start", lambda _q: start(query))
    box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Switch, label="Is it luck? (20 other runs)").widget.v_model = True
    deadline = time.time() + 30
    status = ""
    while time.time() < deadline:
        found = [w for w in rc.find(v.Html).widgets if "luck-status" in (w.class_ or "")]
        status = found[0].children[0] if found else ""
        if status.startswith("Shaded"):
            break
        time.sleep(0.05)
    assert status.startswith("Shaded") and "this course" in status, status
    assert [iv.week for iv in asked[0].interventions] == [2]  # type: ignore[attr-defined]
    rc.close()
    pool.shutdown()


# ------------------------------------------------------------------ what a Step renders
def _texts(rc: object) -> str:
    """The page's plain text blocks (help lines, headings) as one string."""
    return str([w.children for w in rc.find(v.Html).widgets])  # type: ignore[attr-defined]


def test_closed_debrief_and_files_are_not_rendered_again_at_a_step() -> None:
    """The debrief and the files panel are folded away until opened; closed, a Step renders
    neither (no debrief written, no file names sent); opened, they follow the week."""
    import app.page as page

    box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Switch, label="Compare with design B").widget.v_model = True
    step = rc.find(v.Btn, children=["Step"]).widget
    step.click()
    written = []
    real = Session.debrief
    try:
        Session.debrief = lambda self: written.append(self.week) or real(self)  # type: ignore[method-assign]
        debrief0, export0 = page.Debrief.render_count, page.Export.render_count
        for _ in range(3):
            step.click()
        assert _week(rc) == "Week 4 of 104"
        assert (page.Debrief.render_count, page.Export.render_count) == (debrief0, export0)
        assert written == [] and "<h4>" not in _html(rc)  # no debrief on the page
        assert "A scenario file holds one design" not in _texts(rc)  # no files panel
        # opened: written for the week reached, and again at the next Step
        rc.find(v.Btn, children=["Show debrief"]).widget.click()
        rc.find(v.Btn, children=["Show files"]).widget.click()
        assert written == [4] and "Difference" in _html(rc)
        assert "A scenario file holds one design" in _texts(rc)
        step.click()
        assert written == [4, 5]
        # closed again: no more renders
        rc.find(v.Btn, children=["Hide debrief"]).widget.click()
        rc.find(v.Btn, children=["Hide files"]).widget.click()
        debrief0, export0 = page.Debrief.render_count, page.Export.render_count
        step.click()
        assert (page.Debrief.render_count, page.Export.render_count) == (debrief0, export0)
        assert written == [4, 5]
    finally:
        Session.debrief = real  # type: ignore[method-assign]
    rc.close()


# ------------------------------------------------------------------ replay in the background
def test_a_page_opened_at_a_late_week_replays_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page opened with a late week: the replay runs in a thread, the page shows "week k of n"
    meanwhile with Step, Play, Reset and the controls disabled (a click does nothing), and ends
    on exactly the run a foreground replay gives."""
    import threading

    import pandas as pd

    import app.page as page
    from app.keep import from_query
    from app.session import Restart

    query = (
        "?preset=command_and_control&seed=4&compare=1&b=culture_first_rollout"
        "&change=6:A:decision_rights:0.8&change=9:B:responsiveness:0.7&week=24"
    )
    halfway, go_on = threading.Event(), threading.Event()
    seen: list[tuple[int, int]] = []
    run = Restart.run

    def gated(self: Restart, progress: object = None) -> Session:
        def tick(k: int, n: int) -> None:
            seen.append((k, n))
            progress(k, n)  # type: ignore[operator]
            if k == 12:
                halfway.set()
                go_on.wait(60)

        return run(self, tick)

    monkeypatch.setattr(Restart, "run", gated)
    sessions: list[Session] = []
    start = page._start

    def started(_q: str) -> tuple[Session, str, Restart | None]:
        out = start(query)
        sessions.append(out[0])
        return out

    monkeypatch.setattr(page, "_start", started)
    box, rc = solara.render(Page(), handle_error=False)
    try:
        assert halfway.wait(60)
        status = rc.find(v.Html, class_="replay-status").widget.children[0]
        assert status == "Replaying the run: week 12 of 24"
        assert _week(rc) == "Week 0 of 104"  # the page answers, showing the run as it was
        step = rc.find(v.Btn, children=["Step"]).widget
        assert step.disabled and rc.find(v.Btn, children=["Reset"]).widget.disabled
        assert rc.find(v.Btn, children=["Play"]).widget.disabled
        assert all(s.disabled for s in rc.find(v.Slider).widgets)
        assert rc.find(v.Btn, children=["Copy A"]).widget.disabled
        step.click()  # ignored while replaying
        assert _week(rc) == "Week 0 of 104"
    finally:
        go_on.set()
    deadline = time.time() + 60
    while time.time() < deadline and (
        _week(rc) != "Week 24 of 104" or rc.find(v.Html, class_="replay-status").widgets
    ):
        time.sleep(0.05)
    assert _week(rc) == "Week 24 of 104"
    assert [k for k, _ in seen] == list(range(1, 25)) and {n for _, n in seen} == {24}
    assert not rc.find(v.Html, class_="replay-status").widgets
    assert not rc.find(v.Btn, children=["Step"]).widget.disabled
    saved = from_query(query)
    assert saved is not None
    direct = Session(saved.config, saved.changes, saved.week)  # in the foreground
    (session,) = sessions
    assert session.changes == direct.changes and session.labels == direct.labels
    for a, b in zip(session.runs, direct.runs, strict=True):
        pd.testing.assert_frame_equal(a.df, b.df)
    assert session.csv() == direct.csv()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _week(rc) == "Week 25 of 104"
    rc.close()


def test_dials_sit_on_their_sliders_grid() -> None:
    """Every dial's slider holds a value on its own grid (min + k * step): a value between two
    marks is moved to the nearest by the browser, sent back, and set again at every Step."""
    box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Switch, label="Compare with design B").widget.v_model = True
    sliders = rc.find(v.Slider).widgets
    assert len(sliders) == 2 * len(culture_specs())
    for s in sliders:
        k = (s.v_model - s.min) / s.step
        assert abs(k - round(k)) < 1e-6 and s.min <= s.v_model <= s.max, (s.label, s.v_model)
    # the help line still gives the value in force
    assert any(
        "(now 0.00)" in str(w.children) for w in rc.find(v.Html, class_="orgsim-help").widgets
    )
    rc.close()


def test_an_error_shown_keeps_the_live_views_state() -> None:
    """A refused input shows a message above the live view; the view keeps its state (an
    opened panel stays open: it is keyed, not placed by position)."""
    box, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Show files"]).widget.click()
    assert "A scenario file holds one design" in _texts(rc)
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "-3"
    seed.fire_event("focusout", None)  # the seed is read when the field is left
    assert rc.find(v.Alert).widgets  # the message
    assert "A scenario file holds one design" in _texts(rc)
    assert _week(rc) == "Week 1 of 104"
    rc.close()
