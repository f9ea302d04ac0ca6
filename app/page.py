"""The trainer's page: controls on the left, the live organisation, charts and debrief on the right.

Every browser session gets its own :class:`app.session.Session` (created with
``solara.use_memo`` inside :func:`Page`, never at module level), so two people on one server never
see each other's run. Only the right-hand :func:`LiveView` re-renders each week; the controls
re-render only when the trainer changes something, which restarts the runs at week 0.

No ``solara.Markdown`` (its maths renderer would ask for assets that are not shipped) and no
Altair: pictures are matplotlib PNGs and text is plain HTML, so the page works offline.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import reacton.ipyvuetify as rv
import solara
import solara.lab

from app import presenter as pv
from app.address import Address, Upload
from app.keep import from_query, read_scenario_upload, saved_from_scenario, to_query
from app.luck import LuckBands
from app.pace import Pace
from app.session import (
    PROGRAMME,
    Config,
    Frame,
    Restart,
    Session,
    choices,
    culture_specs,
    scenario_file_of,
    scenario_for,
)
from sim.errors import InputError
from sim.scenario import FieldSpec

CSS = """
.orgsim-app { padding: 8px 16px; }
.orgsim-app .week-counter { font-size: 1.6rem; font-weight: 700; margin-right: 16px; }
.orgsim-cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.orgsim-card { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; min-width: 150px;
  flex: 1 1 150px; background: #fafafa; }
.orgsim-card .t { font-size: 0.8rem; color: #555; }
.orgsim-card .v { font-size: 1.3rem; font-weight: 700; }
.orgsim-card .v .b { color: #e07b00; margin-left: 10px; }
.orgsim-card .v span { white-space: nowrap; display: inline-block; }
.orgsim-card .v .a { color: #1f5fa8; }
.orgsim-card .n { font-size: 0.72rem; color: #777; }
.orgsim-help { font-size: 0.75rem; color: #666; margin: -4px 0 8px 0; line-height: 1.2; }
.orgsim-caption { font-size: 0.85rem; color: #444; margin: 0 0 6px 4px; }
.orgsim-debrief p { margin: 0 0 6px 0; }
.orgsim-section { font-size: 1.05rem; font-weight: 700; margin: 10px 0 4px 0; }
.orgsim-img img { width: 100%; height: auto; }
.orgsim-app .v-label { font-size: 16px; }
.orgsim-names { flex: 1 1 100%; font-size: 0.95rem; font-weight: 600; }
.orgsim-names .a { color: #1f5fa8; margin-right: 18px; }
.orgsim-names .b { color: #b35900; }
.orgsim-presenter .orgsim-names { display: none; }
/* the empty place of the replay line: out of the flex flow, or the column's gap shows */
.no-replay { display: none; }
.first-hint { font-size: 1.05rem; background: #fff8d6; border-left: 4px solid #e0b000;
  padding: 4px 10px; margin: 4px 0; color: #222; }
.orgsim-design-b { border-left: 4px solid #e07b00; padding-left: 8px; margin-top: 8px; }
"""


@solara.component
def Dial(
    spec: FieldSpec,
    value: float,
    on_change: Callable[[str, float], None],
    disabled: bool = False,
    design: str = "A",
):
    """One culture dial of design ``design``: a slider with its label and its one-line help.

    The value is applied when the slider is released (its ``change`` event), not while dragging:
    at week 0 it sets the start, later the run continues from that week with the new value.
    """
    lo, hi = float(spec.lo or 0.0), float(spec.hi or 1.0)
    step = (hi - lo) / 100.0
    # the slider shows the value on its own grid: given a value between two marks, the browser
    # moves it to the nearest and sends that back, and the page set it again at every Step
    # (four messages a Step for market turbulence, 0.0013 on a grid of 0.002)
    shown = min(max(lo + round((value - lo) / step) * step, lo), hi) if step > 0 else value
    slider = rv.Slider(
        v_model=round(shown, 12),
        min=lo,
        max=hi,
        step=step,
        label=spec.label,
        thumb_label=True,
        hide_details=True,
        disabled=disabled,
        class_=f"orgsim-dial dial-{design.lower()}",
        attributes={"data-dial": spec.path, "data-design": design},
    )

    def changed(widget: object, event: str, data: object) -> None:
        del widget, event
        try:
            value = float(data)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        if math.isfinite(value):  # NaN would pass the clamp below
            on_change(spec.path, min(max(value, lo), hi))

    rv.use_event(slider, "change", changed)
    solara.Div(children=[f"{spec.help} (now {value:.2f})"], classes=["orgsim-help"])


#: The one line a new trainer reads first (shown at week 0).
FIRST_HINT = (
    "Start here: take the room's guesses (the prediction moment below), press Play (or Space), "
    'and move a dial whenever someone asks "what if we changed this now?"'
)

#: How a dial acts, under the dials' heading.
DIAL_HELP = (
    "At week 0 a dial sets the start. Later, the run goes on from this week with the new value "
    "(marked on every chart; the faint line is the path without the change)."
)


@solara.component
def Controls(
    config: Config,
    change: Callable[..., None],
    disabled: bool = False,
    report: Callable[[str], None] = lambda _msg: None,
    move: Callable[[int, str, float | bool], None] | None = None,
    setting: Callable[[int, str], float | bool] | None = None,
    rev: int = 0,
):
    """Preset, seed, change programme, compare, the culture dials of A, and design B's own.

    ``change`` applies a new config (a restart, ``Session.reconfigure``); ``move`` moves a dial
    or the programme switch of design A (0) or B (1) from the current week, and ``setting``
    reads the value in force (``rev`` changes with every move, so the dials show it).
    ``report`` shows a refused input's message on the page. The controls stay usable while
    playing: a move waits for the week being computed, then the run goes on.
    """
    del rev  # only here to re-render the controls after a change during the run
    names = choices()  # the presets, then the scenario files the server was started with

    def guarded(act: Callable[[], None]) -> None:
        # a refused input shows a message on the page and leaves the runs as they were
        try:
            act()
        except InputError as e:
            report(str(e))

    def moved(design: int, key: str, value: float | bool) -> None:
        if move is not None:
            guarded(lambda: move(design, key, value))
        elif key == PROGRAMME:
            change(replace(config, programme=bool(value)))
        else:
            guarded(lambda: change(config.with_dial(key, float(value), design)))

    def now(design: int, key: str) -> float | bool:
        if setting is not None:
            return setting(design, key)
        if key == PROGRAMME:
            return config.programme_of(design)
        return dict(config.dials_of(design))[key]

    solara.Select(
        label="Preset",
        value=config.preset,
        values=names,
        on_value=lambda p: change(config.with_preset(p)),
        disabled=disabled,
    )
    own = scenario_for(config.preset)
    desc = " ".join(own.description.split())
    if own.calibration is not None:
        # the runs and the band draw a parameter set per seed: say so, the numbers move with it
        n = len(own.calibration.parameters)
        fitted = f"{n} fitted parameter{'s' if n != 1 else ''}"
        desc = f"Calibrated: each seed draws a parameter set ({fitted}) from the posterior. {desc}"
    if scenario_file_of(config.preset):
        desc = f"Scenario file {scenario_file_of(config.preset)}. {desc}"
    solara.Div(children=[desc], classes=["orgsim-help"])

    def set_seed(s: int | None) -> None:
        if s is None:
            return
        if s < 0:
            raise InputError(f"Seed: expected a whole number >= 0, got {s}")
        change(replace(config, seed=int(s)))

    solara.InputInt(
        "Seed",
        value=config.seed,
        on_value=lambda v: guarded(lambda: set_seed(v)),
        disabled=disabled,
    )
    solara.Div(
        children=["Same seed, same random numbers: runs repeat exactly."],
        classes=["orgsim-help"],
    )
    solara.Switch(
        label="Change programme (Kotter's eight steps)",
        value=bool(now(0, PROGRAMME)),
        on_value=lambda on: moved(0, PROGRAMME, bool(on)),
        disabled=disabled,
        classes=["programme-a"],
    )
    solara.Switch(
        label="Compare with design B",
        value=config.compare,
        on_value=lambda on: change(replace(config, compare=bool(on))),
        disabled=disabled,
    )

    def dials(design: int) -> None:
        name = "AB"[design]
        solara.Div(children=[f"Culture dials (design {name})"], classes=["orgsim-section"])
        for spec in culture_specs():
            Dial(
                spec,
                float(now(design, spec.path)),
                lambda path, val: moved(design, path, val),
                disabled,
                name,
            )

    solara.Div(children=[DIAL_HELP], classes=["orgsim-help"])
    dials(0)
    if not config.compare:
        return
    with solara.Div(classes=["orgsim-design-b"]):
        solara.Div(children=["Design B"], classes=["orgsim-section"])
        solara.Select(
            label="Design B preset",
            value=config.preset_b,
            values=names,
            on_value=lambda p: change(config.with_preset_b(p)),
            disabled=disabled,
        )
        solara.Button(
            "Copy A",
            on_click=lambda: change(config.copy_a(), True),
            disabled=disabled,
            outlined=True,
            classes=["copy-a"],
        )
        solara.Div(
            children=[
                "B gets A's preset, dials, programme and changes so far (the run is replayed "
                "to this week)."
            ],
            classes=["orgsim-help"],
        )
        solara.Switch(
            label="Change programme in B",
            value=bool(now(1, PROGRAMME)),
            on_value=lambda on: moved(1, PROGRAMME, bool(on)),
            disabled=disabled,
            classes=["programme-b"],
        )
        dials(1)


@solara.component
def Cards(frame: Frame):
    """The metric cards (one value per design), as one HTML block: one widget update a week."""
    parts = []
    for i, card in enumerate(frame.cards):
        vals = "".join(
            f'<span class="{"a" if i == 0 else "b"}">{html.escape(v)}</span>'
            for i, v in enumerate(card.values)
        )
        parts.append(
            f'<div class="orgsim-card{" churn" if i == 1 else ""}">'
            f'<div class="t">{html.escape(card.title)}</div>'
            f'<div class="v">{vals}</div><div class="n">{html.escape(card.note)}</div></div>'
        )
    names = " ".join(
        f'<span class="{"a" if i == 0 else "b"}">{html.escape(lab)}</span>'
        for i, lab in enumerate(frame.labels)
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f'<div class="orgsim-names">{names}</div>' + "".join(parts),
        classes=["orgsim-cards"],
    )


@solara.component
def Fold(title: str, shown: solara.Reactive[bool], name: str):
    """A panel's heading that opens and closes it (``shown``); ``name`` classes the button
    (``open-<name>``) for the keys and the browser tests."""
    solara.Button(
        f"{'Hide' if shown.value else 'Show'} {title.lower()}",
        on_click=lambda: shown.set(not shown.value),
        text=True,
        classes=[f"open-{name}"],
    )


#: What a closed panel is given instead of the week: its arguments then stay the same from
#: one Step to the next, so it is not rendered again (nothing computed, nothing sent).
CLOSED = -1


@solara.component
def Debrief(session: Session, playing: bool, week: int, shown: solara.Reactive[bool] | None = None):
    """The plain-language debrief (written from the run's data; paused runs only).

    Folded away until opened (``shown``): the page then passes ``week`` = ``CLOSED`` and
    ``playing`` = False whatever they are, so a Step does not render it again; opening it writes
    the debrief of the week reached.
    """
    with solara.Row(style={"align-items": "center"}):
        solara.Div(children=["Debrief"], classes=["orgsim-section"])
        if shown is not None:
            Fold("Debrief", shown, "debrief")
    # closed is read from the week given, not from ``shown``: reading it here would render this
    # panel on its own before the page passes the week (the debrief written twice on opening)
    closed = shown is not None and week == CLOSED
    text = solara.use_memo(
        lambda: {} if playing or closed else session.debrief(),
        [week, session.version, playing, closed],
    )
    if closed:
        return
    if playing:
        solara.Div(children=["Pause to read the debrief."], classes=["orgsim-help"])
        return
    body = "".join(
        f"<h4>{html.escape(title)}</h4>" + "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        for title, paras in text.items()
    )
    solara.HTML(tag="div", unsafe_innerHTML=body, classes=["orgsim-debrief"])


@solara.component
def Export(
    session: Session,
    week: int,
    on_open: Callable[[int, str, int, bytes], None],
    shown: solara.Reactive[bool] | None = None,
):
    """Downloads named by preset, design and week: the charts and the org view as PNG, the data
    as CSV (with the seed, dials and changes), each design as a scenario file; and the upload
    of a scenario file into design A or B (the run restarts from it).

    Folded away until opened (``shown``), like :func:`Debrief`: closed, it gets ``week`` =
    ``CLOSED`` and is not rendered again at each Step (its file names would change every week).
    """
    with solara.Row(style={"align-items": "center"}):
        solara.Div(children=["Files"], classes=["orgsim-section"])
        if shown is not None:
            Fold("Files", shown, "files")
    if shown is not None and week == CLOSED:  # as in Debrief: not shown.value
        return
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.FileDownload(
            session.charts_png,
            filename=session.export_name("charts", "png"),
            label="Charts (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            session.org_png,
            filename=session.export_name("org-A", "png"),
            label="Org view (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            session.csv,
            filename=session.export_name("data", "csv"),
            label="Data (CSV)",
            mime_type="text/csv",
        )
        for d, r in enumerate(session.runs):
            solara.FileDownload(
                lambda d=d: session.scenario_toml(d),
                filename=session.export_name(f"scenario-{r.label}", "toml"),
                label=f"Scenario {r.label} (TOML)",
                mime_type="application/toml",
            )
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        for d, r in enumerate(session.runs):
            Upload(
                f"Open a scenario file as design {r.label}",
                lambda name, size, raw, d=d: on_open(d, name, size, raw),
            )
    solara.Div(
        children=[
            "A scenario file holds one design: its preset, dials, programme and the changes "
            "made during the run (with their weeks). The address holds the whole session: copy "
            "it to share the run, or reload to get it back."
        ],
        classes=["orgsim-help"],
    )


@solara.lab.task
def play(session: Session, playing: solara.Reactive[bool], tick: solara.Reactive[int]) -> None:
    """The Play loop (a thread per browser session): steps the runs at ``PLAY_RATE`` weeks a second
    (``app.pace.Pace``: several weeks a frame when frames are slow, at most
    ``MAX_WEEKS_PER_FRAME``).

    A module-level task on purpose: ``solara.lab.use_task`` inside a component registers its
    function in a process-wide list (solara 1.58, fixed upstream in widgetti/solara#1180), so the
    closure, and with it the session's models and figures, would outlive the browser session.
    Here the session travels as an argument and is kept only in the kernel's own task state.
    """
    pace = Pace()
    while playing.value and play.is_current():
        if session.done:
            playing.set(False)
            break
        n = session.step(pace.weeks())
        tick.set(tick.value + 1)
        # at least a short pause: the server's other threads get in (sending frames, "Pause")
        time.sleep(pace.stepped(n))


class _Stale(Exception):
    """Raised in a background replay that a newer one replaced (it stops there)."""


@solara.lab.task
def replay(
    session: Session,
    job: Restart,
    progress: solara.Reactive[tuple[int, int]],
    finished: Callable[[Restart, str], None],
) -> None:
    """Replay ``job`` in a thread, then hand the runs to ``session`` (``Session.adopt``).

    The replay runs in a session of its own (``Restart.run``), so the page keeps drawing the
    current run, answers clicks and shows ``progress`` (week k of n) meanwhile; the controls that
    would conflict are disabled until ``finished(job, error)`` (error empty on success). Module
    level for the reason given at :func:`play`; the sessions travel as arguments.
    """

    def tick(k: int, n: int) -> None:
        if not replay.is_current():
            raise _Stale
        progress.set((k, n))

    try:
        fresh = job.run(tick)
    except _Stale:
        return
    except InputError as e:  # the session keeps its runs
        finished(job, str(e))
        return
    except Exception as e:  # never leave the page waiting for a replay that died
        finished(job, f"The replay failed: {e}")
        raise
    if not replay.is_current():
        return
    session.adopt(fresh)
    finished(job, "")


@solara.component
def ReplayBar(progress: solara.Reactive[tuple[int, int]], on: bool):
    """The line "Replaying the run: week k of n" with a bar while ``on`` (only this re-renders
    as the replay goes on). Always in the tree, empty when off: a child that comes and goes
    would shift the widgets after it and the page would make them anew."""
    k, n = progress.value
    if not on:
        solara.Div(classes=["no-replay"])
        return
    with solara.Div(classes=["replay-progress"]):
        solara.Text(f"Replaying the run: week {k} of {n}", classes=["replay-status"])
        rv.ProgressLinear(value=100.0 * k / max(n, 1), height=6, color="primary")


def _bands(session: Session, luck: LuckBands, on: bool) -> str:
    """Ask for each design's band of other seeds, draw the ready ones; the status line.

    The band is of the course each design is on (``Session.course_scenario``: the changes made
    during the run at their weeks), so after a change the starting design's band is taken off
    and the changed course's is computed in the background and drawn when ready.
    """
    if not on or session.charts is None:
        return ""
    keys = []
    for d, r in enumerate(session.runs):
        k = luck.request(session.course_scenario(d), r.seed)
        keys.append(k)
        if session.charts.band_keys.get(d) == k:
            continue
        band = luck.result(k)
        if band is not None:
            session.charts.set_band(d, band, k)
        elif d in session.charts.bands:
            session.charts.clear_band(d)  # the band of a course no longer followed
    return luck.status(keys, changed=bool(session.changes))


@solara.lab.task
def wait_bands(luck: LuckBands, keys: tuple[str, ...], ready: solara.Reactive[int]) -> None:
    """Wait (in a thread) for the bands asked for, then have the page draw them: without it a
    paused page would show a band only at its next Step."""
    luck.wait(keys)
    if wait_bands.is_current():
        ready.set(ready.value + 1)


@solara.component
def RoomBar(presenter: solara.Reactive[bool], luck_on: solara.Reactive[bool]):
    """The room's switches: presenter view and the band of other seeds."""
    with solara.Row(style={"align-items": "center", "gap": "4px"}):
        solara.Switch(label="Presenter view", value=presenter, classes=["presenter-switch"])
        solara.Switch(label="Is it luck? (20 other runs)", value=luck_on, classes=["luck-switch"])


@solara.component
def LiveView(
    session: Session,
    playing: solara.Reactive[bool],
    config: Config,
    presenter: solara.Reactive[bool] | None = None,
    debug: bool = False,
    rev: solara.Reactive[int] | None = None,
    on_open: Callable[[int, str, int, bytes], None] = lambda *_: None,
    flags: tuple[str, ...] = (),
    busy: Restart | None = None,
    progress: solara.Reactive[tuple[int, int]] | None = None,
):
    """Week counter, Step/Play/Reset, cards, org views, charts, difference, debrief, export.

    ``busy`` is the restart being replayed in the background (``replay``): meanwhile the view
    shows the run as it was with ``progress`` (week k of n) above it, Step, Play, Reset and the
    keys do nothing, no band is asked for, and the address already holds the run being replayed
    (a reload gets it). The debrief and the files are folded away until opened (they cost a
    render and a message at each Step otherwise).

    ``config`` is passed so that a change of settings re-renders this view at week 0, and
    ``rev`` counts the changes made during the run (Reset counts too, so the controls show the
    starting values again). In the presenter view (``presenter``) the org view and every chart
    share one screen, in larger type; ``debug`` shows the frame timer (never shown to the room
    otherwise). ``on_open`` opens an uploaded scenario file as design A (0) or B (1); the
    address keeps the settings, the changes and the week (with ``flags`` such as ``debug``).
    """
    tick = solara.use_reactive(0)
    rev = rev if rev is not None else solara.use_reactive(0)
    presenter = presenter if presenter is not None else solara.use_reactive(False)
    luck_on = solara.use_reactive(False)
    luck = solara.use_memo(LuckBands, [])
    band_ready = solara.use_reactive(0)
    debrief_shown = solara.use_reactive(False)
    own_progress = solara.use_reactive((0, 0))
    files_shown = solara.use_reactive(False)

    def start_playing() -> None:
        if playing.value:
            play(session, playing, tick)

    solara.use_effect(start_playing, [playing.value])

    def render() -> tuple[Frame, str]:
        with session.lock:
            pv.apply_layout(session, presenter.value)
            status = _bands(session, luck, luck_on.value and busy is None)
            return session.frame(), status

    frame, luck_status = solara.use_memo(
        render,
        [
            tick.value, session.version, config, presenter.value, luck_on.value, rev.value,
            band_ready.value, busy is None,
        ],
    )  # fmt: skip
    pending = luck.pending() if luck_on.value and busy is None else ()

    def wait_for_bands() -> None:
        if pending:
            wait_bands(luck, pending, band_ready)

    solara.use_effect(wait_for_bands, [pending])

    def do_step() -> None:
        if playing.value or session.done or busy is not None:
            return
        session.step()
        tick.set(tick.value + 1)

    def do_reset() -> None:
        if busy is not None:
            return
        playing.set(False)
        session.reset()
        tick.set(tick.value + 1)
        rev.set(rev.value + 1)

    def do_play() -> None:
        if busy is None and (playing.value or not session.done):
            playing.set(not playing.value)

    def on_key(action: str) -> None:
        {"play": do_play, "step": do_step, "reset": do_reset}[action]()

    pv.Keys(on_key)
    room_flags = (
        *(f for f in flags if f != "presenter"),
        *(["presenter"] if presenter.value else []),
    )
    if busy is not None:  # the run being replayed: a reload or a shared link gets it
        Address(to_query(busy.config, busy.changes, busy.week, tuple(room_flags)))
    else:
        Address(to_query(session.config, session.changes, frame.week, tuple(room_flags)))
    waiting = busy is not None
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(f"Week {frame.week} of {frame.horizon}", classes=["week-counter"])
        solara.Button(
            "Step",
            on_click=do_step,
            disabled=playing.value or session.done or waiting,
            color="primary",
        )
        solara.Button(
            "Pause" if playing.value else "Play",
            on_click=lambda: playing.set(not playing.value),
            disabled=(session.done and not playing.value) or waiting,
            color="primary",
        )
        solara.Button("Reset", on_click=do_reset, outlined=True, disabled=waiting)
        RoomBar(presenter, luck_on)
        if debug:
            solara.Text(
                f"frame {frame.render_ms:.0f} ms",
                style={"color": "#555", "font-size": "0.75rem"},
                classes=["frame-timer"],
            )
    ReplayBar(progress if progress is not None else own_progress, waiting)
    Cards(frame)
    bergs = [(lab, pv.Iceberg.of(r.df)) for lab, r in zip(frame.labels, session.runs)]
    if presenter.value:
        PresenterBody(frame, bergs, luck_status)
        return
    # always in the tree (empty after week 0): a child that comes and goes would shift the
    # widgets after it, and the page would make them anew (an upload under way would be lost)
    fresh = frame.week == 0 and not session.changes
    solara.Div(
        children=[FIRST_HINT] if fresh else [], classes=["first-hint" if fresh else "no-hint"]
    )
    if luck_status:
        solara.Div(children=[luck_status], classes=["orgsim-help", "luck-status"])
    pv.Prediction(session.runs[0].df, frame.week)
    if len(frame.orgs) == 1:
        solara.Image(frame.orgs[0], width="100%", classes=["orgsim-img", "org-view"])
        solara.Div(children=[frame.captions[0]], classes=["orgsim-caption"])
    else:
        with solara.Columns([1, 1]):
            for png, cap in zip(frame.orgs, frame.captions):
                with solara.Column():
                    solara.Image(png, width="100%", classes=["orgsim-img", "org-view"])
                    solara.Div(children=[cap], classes=["orgsim-caption"])
    pv.IcebergPanel(bergs)
    solara.Image(frame.charts, width="100%", classes=["orgsim-img", "charts"])
    if frame.diff is not None:
        solara.Div(
            children=[f"Difference, {frame.labels[1]} minus {frame.labels[0]} (same seed)"],
            classes=["orgsim-section"],
        )
        solara.Image(frame.diff, width="100%", classes=["orgsim-img", "diff-chart"])
    # closed panels get the same arguments every week (CLOSED): no render, no message
    if debrief_shown.value:
        Debrief(session, playing.value, frame.week, debrief_shown)
    else:
        Debrief(session, False, CLOSED, debrief_shown)
    Export(session, frame.week if files_shown.value else CLOSED, on_open, files_shown)


@solara.component
def PresenterBody(frame: Frame, bergs: list[tuple[str, pv.Iceberg]], luck_status: str):
    """The presenter view under the cards: org view(s) and iceberg left, every chart right."""
    # with the band's status line under the charts, the charts leave room for it
    room = ["luck"] if luck_status else []
    with solara.Div(classes=["pres-main", f"n{len(frame.orgs)}", *room]):
        with solara.Div(classes=["pres-col"]):
            for png in frame.orgs:
                solara.Image(png, classes=["orgsim-img", "org-view"])
            pv.IcebergPanel(bergs)
        with solara.Div(classes=["pres-col"]):
            solara.Image(frame.charts, classes=["orgsim-img", "charts"])
            if frame.diff is not None:
                solara.Image(frame.diff, classes=["orgsim-img", "diff-chart"])
            if luck_status:
                solara.Div(children=[luck_status], classes=["orgsim-caption", "luck-status"])


def _start(search: str) -> tuple[Session, str, Restart | None]:
    """The page's session: the one the address describes, or the default with the reason the
    address was refused; and the replay to its changes and week, when it has any (the page runs
    it in the background, ``replay``, showing week 0 of the same settings meanwhile)."""
    try:
        saved = from_query(search)
        if saved is None:
            return Session(), "", None
        job = Restart(saved.config, saved.changes, saved.week)
        return Session(saved.config), "", job if job.replays else None
    except InputError as e:
        return Session(), f"{e} (the default run is shown instead)", None


@solara.component
def Page():
    """The whole page, restored from the address it was opened at (:func:`App`).

    Only the first address is read: the page rewrites its own address every week
    (``app.address``), and the router then changes, so everything under the component that
    reads the router would render again at every Step (the controls and every dial).
    """
    router = solara.use_router()
    first = solara.use_memo(lambda: router.search or "", [])
    App(first)


@solara.component
def App(query: str):
    """The whole page; one ``Session`` per browser session, restored from ``query``."""
    flags = tuple(
        dict.fromkeys(
            k
            for k in (p.split("=", 1)[0] for p in query.lstrip("?").split("&") if p)
            if k in ("presenter", "debug")
        )
    )
    session, refused, opening = solara.use_memo(lambda: _start(query), [])
    config, set_config = solara.use_state(session.config)
    playing = solara.use_reactive(False)
    rev = solara.use_reactive(0)

    error, set_error = solara.use_state(refused)

    notice, set_notice = solara.use_state("")
    # the restart being replayed in the background (None: none), its progress, and what to say
    # when it is done (from the thread: read when it finishes)
    busy = solara.use_reactive(opening)
    progress = solara.use_reactive((0, 0))
    said_when_done: solara.Ref[Callable[[], str]] = solara.use_ref(lambda: "")

    def finished(job: Restart, failed: str) -> None:
        # called by the replay's thread: the runs are the job's now (or unchanged on failure)
        if busy.value is not job:
            return
        if failed:
            set_error(failed)
            set_notice("")
        else:
            set_error("")
            set_notice(said_when_done.current())
            set_config(session.config)
        rev.set(rev.value + 1)
        busy.set(None)

    def run_in_background(job: Restart, said: Callable[[], str] = lambda: "") -> None:
        said_when_done.current = said
        progress.set((0, job.week))
        busy.set(job)
        replay(session, job, progress, finished)

    def start_opening() -> None:
        if opening is not None:
            run_in_background(opening)

    solara.use_effect(start_opening, [])

    def change(new: Config, copy_a: bool = False) -> None:
        # a restart: Play stops; the changes made during the run are replayed where they still
        # apply (another seed, design B switched or changed) or cleared (another preset), and
        # the page says which (Session.plan); a replay of weeks runs in the background
        if busy.value is not None:
            return
        playing.set(False)
        try:
            with session.lock:
                plan = session.plan(new, copy_a=copy_a)
                if plan is not None and not plan.replays:  # week 0: no weeks to replay
                    session.restore(plan.config)
        except InputError as e:  # the session keeps its runs (Session.restore)
            set_error(str(e))
            return
        if plan is not None and plan.replays:
            set_error("")
            set_notice("")
            run_in_background(plan, lambda: plan.message(session.week))
            return
        set_error("")
        set_notice(plan.message(0) if plan is not None else "")
        set_config(new)
        rev.set(rev.value + 1)

    def move(design: int, key: str, value: float | bool) -> None:
        # under the session's lock: during Play the change waits for the week being computed,
        # is applied between two weeks, and Play goes on from there
        with session.lock:
            session.change(design, key, value)  # a refusal raises: Controls shows it
            new = session.config
        set_error("")
        set_notice("")
        set_config(new)
        rev.set(rev.value + 1)

    def open_file(design: int, name: str, size: int, raw: bytes) -> None:
        if busy.value is not None:
            set_error("A replay is under way: open the file again when it has finished.")
            return
        playing.set(False)
        try:
            scenario = read_scenario_upload(name, raw, size)
            with session.lock:
                old = session.config
                saved = saved_from_scenario(scenario, old, design)
                # the other design keeps its changes (replayed at their weeks, to the week
                # reached by the file's last change or theirs)
                other = tuple(ch for ch in session.changes if ch.design != design)
                if design == 0 and not saved.config.compare:
                    other = ()
                week = max([saved.week, *(ch.week for ch in other)])
                job = Restart(saved.config, saved.changes + other, week)
                if not job.replays:
                    session.restore(job.config)
        except InputError as e:  # the session keeps its runs (Session.restore)
            set_error(str(e))
            return
        new = job.config
        said = (
            f"Opened {Path(name).name or 'the file'} as design {'AB'[design]}"
            + (f"; its seed {new.seed} is the run's seed now (was {old.seed})"
               if new.seed != old.seed else f" (seed {new.seed})")
            + "."
        )  # fmt: skip
        set_error("")
        if job.replays:  # its changes and week are replayed in the background
            set_notice("")
            run_in_background(job, lambda: said)
            return
        set_notice(said)
        set_config(new)
        rev.set(rev.value + 1)

    presenter = solara.use_reactive("presenter" in flags)

    solara.Style(CSS + pv.ICEBERG_CSS + pv.PRESENTER_CSS)
    solara.Title("orgsim-crm: the organisation, live")
    # presenter view: the controls are folded away by CSS (kept in the tree, so switching views
    # keeps every component's state) and the live view takes the whole screen
    room = ["orgsim-presenter"] if presenter.value else []
    with solara.Column(classes=["orgsim-app", *room]), solara.Columns([1, 3.2]):
        with solara.Column(classes=["orgsim-controls"]):
            if error:
                solara.Error(error, classes=["orgsim-error"])
            Controls(
                config, change, busy.value is not None, set_error, move, session.setting, rev.value
            ).key("controls")
        with solara.Column(classes=["orgsim-live"]):
            if error:  # beside the live view too: an upload's refusal shows where it was made
                solara.Error(error, classes=["live-error"])
            if notice:  # what a restart did with the changes made during the run
                solara.Info(notice, classes=["restart-notice"])
            # keyed: the error and the notice above it come and go, and a child that moves
            # would be made anew (its state lost: the panels opened, the band switch)
            LiveView(
                session, playing, config, presenter, "debug" in flags, rev, open_file, flags,
                busy.value, progress,
            ).key("live-view")  # fmt: skip
