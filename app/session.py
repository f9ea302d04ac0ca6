"""One browser session's runs: the designs, their models, their pictures. No Solara here.

A ``Session`` belongs to exactly one browser page (the page creates it with ``solara.use_memo``),
so two people on one server never share a model. It holds design A (a preset, the culture dials,
the change-programme switch) and, in compare mode, design B (another preset), both seeded alike so
they run on common random numbers: with the same seed every random stream draws the same numbers
in both runs, and the difference between them is the design, not luck.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image

from app.charts import DIFF_PANELS, PANELS, Charts, results_csv
from app.debrief import ChurnLedger, compare_debrief, debrief
from app.orgview import OrgView
from app.scenario_files import registered
from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.scenario import (
    FieldSpec,
    Scenario,
    ScenarioError,
    field_specs,
    preset_names,
)

DEFAULT_PRESET = "command_and_control"
DEFAULT_B = "culture_first_rollout"
#: The preset whose change programme the switch applies (Kotter's eight steps).
PROGRAMME_PRESET = "kotter_programme"


@functools.cache
def culture_specs() -> tuple[FieldSpec, ...]:
    """The culture dials (``culture.*`` scalar fields) with their label, range and help.

    Kept once computed: every change's name reads it, and a frame names every change made.
    """
    return tuple(f for f in field_specs() if f.path.startswith("culture."))


def scenario_for(name: str) -> Scenario:
    """The validated scenario of a choice: a scenario file the server was started with
    (``run.py app --scenario``, under its scenario ``name``) or a built-in preset.

    Every place in the app that needs a choice's own settings goes through here.

    Raises:
        ScenarioError: for a name that is neither, listing the choices.
    """
    for f in registered():
        if f.name == name:
            return f.scenario
    if name in preset_names():
        return load_scenario(name)
    raise ScenarioError(
        f"{name!r} is not a preset or scenario file; choices: {', '.join(choices())}"
    )


def scenario_file_of(name: str) -> str | None:
    """The file name of a choice that is a scenario file (None for a preset)."""
    return next((f.path.name for f in registered() if f.name == name), None)


@functools.cache
def preset_dials(preset: str) -> tuple[tuple[str, float], ...]:
    """The choice's own culture dial values, as ``(dotted path, value)`` pairs."""
    s = scenario_for(preset)
    return tuple(
        (f.path, float(getattr(s.culture, f.path.split(".", 1)[1]))) for f in culture_specs()
    )


@functools.cache
def has_programme(preset: str) -> bool:
    """Whether the choice (a preset or scenario file) schedules change-programme steps."""
    return bool(scenario_for(preset).change_programme.steps)


def programme_steps(start: int, horizon: int | None = None) -> list[dict[str, Any]]:
    """Kotter's eight steps as the programme preset dates them, moved to begin at ``start``.

    Switching the programme on at week t starts it then (its steps keep their spacing); steps
    that would fall after ``horizon`` are left out.
    """
    steps = load_scenario(PROGRAMME_PRESET).change_programme.model_dump()["steps"]
    out = [{**st, "week": int(st["week"]) + start} for st in steps]
    return [st for st in out if horizon is None or st["week"] <= horizon]


def course_interventions(
    changes: tuple[Change, ...], design: int, horizon: int
) -> list[dict[str, Any]]:
    """A design's changes during the run as scenario ``[[interventions]]`` (week and set).

    The programme switch turned on at week t is Kotter's eight steps from t (up to
    ``horizon``); turned off, no steps from then on. The scenario file (``app.keep``) and the
    band of other seeds (:meth:`Session.course_scenario`) both use this, so the file, the band
    and the live run follow the same course.
    """
    return [
        {
            "week": ch.week,
            "set": {"change_programme.steps": programme_steps(ch.week, horizon) if ch.value else []}
            if ch.key == PROGRAMME
            else {ch.key: float(ch.value)},
        }  # fmt: skip
        for ch in changes
        if ch.design == design
    ]


def check_dial(path: str, value: object) -> float:
    """A culture dial's value as a float in its range.

    Raises:
        ScenarioError: for an unknown dial or a value that is not a number in its range.
    """
    spec = next((f for f in culture_specs() if f.path == path), None)
    if spec is None:
        known = ", ".join(f.path for f in culture_specs())
        raise ScenarioError(f"unknown field {path!r}; accepted keys: {known}")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x = float("nan")
    lo = float(spec.lo if spec.lo is not None else -math.inf)
    hi = float(spec.hi if spec.hi is not None else math.inf)
    if not (math.isfinite(x) and lo <= x <= hi):
        raise ScenarioError(
            f"{path} ({spec.label}): expected a finite number in [{lo}, {hi}], got {value!r}"
        )
    return x


#: The key of the change-programme switch in a :class:`Change` (the dials use their paths).
PROGRAMME = "programme"


#: Shorter names for dials whose label is too long for a chart mark or a legend.
SHORT = {"culture.decision_rights": "decision rights"}


def _num(x: float) -> str:
    """A dial value in a name: two decimals at most, no trailing zeros (0.8, 0.25, 1)."""
    return f"{round(float(x), 2):g}"


def plain_name(key: str, value: float | bool) -> str:
    """A setting in plain words: ``decision rights at the edge 0.8``, ``change programme on``."""
    if key == PROGRAMME:
        return f"change programme {'on' if value else 'off'}"
    spec = next((f for f in culture_specs() if f.path == key), None)
    label = SHORT.get(key) or (spec.label if spec is not None else key)
    return f"{label[:1].lower()}{label[1:]} {_num(float(value))}"


@dataclass(frozen=True)
class Change:
    """A change made during a run: one dial or the programme switch, from ``week`` on.

    Attributes:
        week: the week the change takes effect (the model's week when it was made).
        design: 0 for design A, 1 for design B.
        key: a culture dial's dotted path, or :data:`PROGRAMME`.
        value: the dial's new value, or whether the programme runs from now on.
    """

    week: int
    design: int
    key: str
    value: float | bool

    @property
    def name(self) -> str:
        """The change in plain words (the charts' mark)."""
        return plain_name(self.key, self.value)

    def check(self) -> Change:
        """This change with its value checked (a dial in range, a switch as a bool).

        Raises:
            ScenarioError: for a week below 1, a design other than A or B, an unknown key or a
                value out of range.
        """
        if not isinstance(self.week, int) or self.week < 1:
            raise ScenarioError(f"change week: expected a whole number >= 1, got {self.week!r}")
        if self.design not in (0, 1):
            raise ScenarioError(f"change design: expected A or B, got {self.design!r}")
        if self.key == PROGRAMME:
            return replace(self, value=bool(self.value))
        return replace(self, value=check_dial(self.key, self.value))


@dataclass(frozen=True)
class Config:
    """Everything the trainer chooses; a change of config restarts the runs at week 0.

    Attributes:
        preset: design A's preset.
        dials: design A's culture dials as ``(path, value)`` pairs.
        programme: whether design A runs the change programme (Kotter's steps).
        seed: the seed of both runs (common random numbers).
        compare: whether design B runs beside A.
        preset_b: design B's preset.
        dials_b: design B's culture dials (empty: the preset's own).
        programme_b: whether design B runs the change programme (None: as its preset does).
    """

    preset: str = DEFAULT_PRESET
    dials: tuple[tuple[str, float], ...] = ()
    programme: bool = False
    seed: int = 1
    compare: bool = False
    preset_b: str = DEFAULT_B
    dials_b: tuple[tuple[str, float], ...] = ()
    programme_b: bool | None = None

    @classmethod
    def for_preset(cls, preset: str, **kw: object) -> Config:
        """A config with the preset's own dials and programme setting."""
        base: dict[str, object] = {
            "dials": preset_dials(preset),
            "programme": has_programme(preset),
        }
        base.update(kw)
        return cls(preset=preset, **base)  # type: ignore[arg-type]

    def with_preset(self, preset: str) -> Config:
        """Switch design A to another preset (its own dials and programme setting)."""
        return replace(
            self, preset=preset, dials=preset_dials(preset), programme=has_programme(preset)
        )

    def with_dial(self, path: str, value: float, design: int = 0) -> Config:
        """Move one culture dial of design A (``design=0``) or B (``design=1``).

        Raises:
            ScenarioError: for an unknown dial or a value that is not a number in its range.
        """
        x = check_dial(path, value)
        d = dict(self.dials_of(design))
        d[path] = x
        if design == 0:
            return replace(self, dials=tuple(d.items()))
        return replace(self, dials_b=tuple(d.items()))

    def with_preset_b(self, preset: str) -> Config:
        """Switch design B to another preset (its own dials and programme setting)."""
        return replace(self, preset_b=preset, dials_b=(), programme_b=None)

    def copy_a(self) -> Config:
        """Design B becomes a copy of design A (preset, dials, programme), ready to change."""
        return replace(
            self, preset_b=self.preset, dials_b=self.dials_of(0), programme_b=self.programme
        )

    def dials_of(self, design: int) -> tuple[tuple[str, float], ...]:
        """A design's culture dials (B's default to its preset's own)."""
        if design == 0:
            return self.dials or preset_dials(self.preset)
        return self.dials_b or preset_dials(self.preset_b)

    def programme_of(self, design: int) -> bool:
        """Whether a design runs the change programme."""
        if design == 0:
            return self.programme
        return has_programme(self.preset_b) if self.programme_b is None else self.programme_b

    def preset_of(self, design: int) -> str:
        """A design's preset."""
        return self.preset if design == 0 else self.preset_b

    def scenario_of(self, design: int) -> Scenario:
        """A design's validated scenario: its preset (or scenario file) with its dials and
        programme setting."""
        s = scenario_for(self.preset_of(design))
        over: dict[str, object] = dict(self.dials_of(design))
        if self.programme_of(design) != bool(s.change_programme.steps):
            over["change_programme.steps"] = programme_steps(0) if self.programme_of(design) else []
        return s.with_overrides(over) if over else s

    def scenario_a(self) -> Scenario:
        """Design A's validated scenario."""
        return self.scenario_of(0)

    def scenario_b(self) -> Scenario:
        """Design B's validated scenario."""
        return self.scenario_of(1)


def _setting_diffs(
    dials: tuple[tuple[str, float], ...],
    programme: bool,
    ref_dials: tuple[tuple[str, float], ...],
    ref_programme: bool,
) -> list[str]:
    """What a design's settings change from a reference, in plain words (dial order)."""
    ref = dict(ref_dials)
    out = [plain_name(path, v) for path, v in dials if path in ref and _num(v) != _num(ref[path])]
    if programme != ref_programme:
        out.append(plain_name(PROGRAMME, programme))
    return out


def design_names(config: Config, changes: tuple[Change, ...] = ()) -> tuple[str, str]:
    """The names of designs A and B, made from what differs.

    A is its preset, plus the dials it moved from the preset's own; B is "A + ..." when it
    starts from A's preset (what it sets differently from A), or its preset and what it moved
    from that preset's own otherwise. Changes made during the run follow with their week
    ("decision rights at the edge 0.8 from week 30"); a change made alike in both designs is not
    a difference of B.
    """
    c = config

    def own(design: int) -> list[str]:
        return _setting_diffs(
            c.dials_of(design), c.programme_of(design),
            preset_dials(c.preset_of(design)), has_programme(c.preset_of(design)),
        )  # fmt: skip

    def during(design: int, skip: set[tuple[int, str, str]]) -> list[str]:
        return [
            f"{ch.name} from week {ch.week}"
            for ch in changes
            if ch.design == design and (ch.week, ch.key, _num(float(ch.value))) not in skip
        ]

    parts_a = own(0) + during(0, set())
    name_a = c.preset + (" + " + ", ".join(parts_a) if parts_a else "")
    if c.preset_b == c.preset:
        in_a = {(ch.week, ch.key, _num(float(ch.value))) for ch in changes if ch.design == 0}
        parts_b = _setting_diffs(c.dials_of(1), c.programme_of(1), c.dials_of(0), c.programme)
        parts_b += during(1, in_a)
        in_b = {(ch.week, ch.key, _num(float(ch.value))) for ch in changes if ch.design == 1}
        undone = [ch for ch in changes if ch.design == 0 and
                  (ch.week, ch.key, _num(float(ch.value))) not in in_b]  # fmt: skip
        parts_b += [f"without A's {ch.name} from week {ch.week}" for ch in undone]
        name_b = "A + " + ", ".join(parts_b) if parts_b else "same as A"
    else:
        parts_b = own(1) + during(1, set())
        name_b = c.preset_b + (" + " + ", ".join(parts_b) if parts_b else "")
    return name_a, name_b


class Table:
    """A model's per-week table (``model.results()``), kept up to date a row at a time.

    ``OrgModel.results()`` builds its DataFrame from every week's row of dicts: 1.4 ms at week
    50 and growing with the weeks, and a compare Step with both designs changed asked for it
    four times (each design and each path without its change). Here the table is a float
    matrix that gains the model's ``latest`` row when the model is one week further on, and
    the frame is one block over it (a tenth of a millisecond). The result equals
    ``model.results()`` (tests/test_app_room.py); whenever this path cannot be sure of that
    (a column that is not float, the model more than one week ahead, or behind) it is rebuilt
    from ``model.results()``.
    """

    def __init__(self, model: OrgModel) -> None:
        self.model = model
        self._rebuild()

    def _rebuild(self) -> None:
        df = self.model.results()
        self.df = df
        self.week = self.model.week
        self._cols = list(df.columns)
        # only an all-float table can be held as one float matrix without changing a dtype
        self._fast = all(dt == np.float64 for dt in df.dtypes) and df.index.dtype == np.int64
        cap = max(2 * len(df), 16)
        self._data = np.empty((cap, len(self._cols)))
        self._weeks = np.empty(cap, dtype=np.int64)
        self._n = len(df)
        if self._fast:
            self._data[: self._n] = df.to_numpy()
            self._weeks[: self._n] = df.index.to_numpy()

    def update(self) -> pd.DataFrame:
        """The table after the model's latest week (the same frame when it did not step)."""
        m = self.model
        if m.week == self.week:
            return self.df
        if not self._fast or m.week != self.week + 1:
            self._rebuild()
            return self.df
        row = m.latest
        if row.get("week") != m.week or len(row) != len(self._cols) + 1:
            self._rebuild()
            return self.df
        if self._n == self._data.shape[0]:
            self._data = np.concatenate([self._data, np.empty_like(self._data)])
            self._weeks = np.concatenate([self._weeks, np.empty_like(self._weeks)])
        self._data[self._n] = [row[c] for c in self._cols]
        self._weeks[self._n] = m.week
        self._n += 1
        self.week = m.week
        self.df = pd.DataFrame(
            self._data[: self._n].copy(),
            index=pd.Index(self._weeks[: self._n].copy(), name="week"),
            columns=self._cols,
        )
        return self.df


@dataclass
class Run:
    """One design's model with its ledger, its org view and its per-week table."""

    label: str
    name: str
    scenario: Scenario
    seed: int
    model: OrgModel = field(init=False)
    ledger: ChurnLedger = field(init=False)
    view: OrgView | None = field(init=False, default=None)
    df: pd.DataFrame = field(init=False)
    #: The path without the latest change: a copy of the model made just before it, stepped
    #: alongside (None before any change).
    ghost: OrgModel | None = field(init=False, default=None)
    _org: tuple[tuple[Any, ...], bytes] | None = field(init=False, default=None, repr=False)
    _ghost_df: Table | None = field(init=False, default=None, repr=False)
    _table: Table = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.model = OrgModel(self.scenario, rng=self.seed)
        self.ledger = ChurnLedger()
        self._table = Table(self.model)
        self.df = self._table.df

    def change(self, changes: dict[str, Any]) -> None:
        """Apply ``changes`` from this week on (``model.intervene``), keeping the unchanged path.

        The copy is made before the change, so it runs on as the model would have without it
        (same state, same random streams: common random numbers).

        Raises:
            ScenarioError: when the model refuses the change (nothing changes then).
        """
        before = copy.deepcopy(self.model)
        self.model.intervene(changes)
        self.ghost, self._ghost_df = before, Table(before)

    def ghost_df(self) -> pd.DataFrame | None:
        """The unchanged path's per-week table (None before any change)."""
        if self.ghost is None:
            return None
        if self._ghost_df is None or self._ghost_df.model is not self.ghost:
            self._ghost_df = Table(self.ghost)
        return self._ghost_df.update()

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.model.week

    @property
    def title(self) -> str:
        """Title of the org view."""
        return f"{self.label}: {self.name}  ({self.scenario.organisation.structure})"

    def step(self) -> None:
        """One week, with the ledger's books kept around it."""
        self.ledger.before(self.model)
        self.model.step()
        if self._table.model is not self.model:  # the model was replaced: start its table
            self._table = Table(self.model)
        self.df = self._table.update()
        self.ledger.after(self.model, self.df.iloc[-1])
        if self.ghost is not None and self.ghost.week < self.model.week:
            self.ghost.step()

    def org_png(self, size: tuple[float, float]) -> bytes:
        """The org view for this week (drawn again only when the week, the title or the view's
        size changed: a frame made for another reason, a band, reuses it)."""
        if self.view is None:
            self.view = OrgView(
                self.model.structure, self.model.state.cust.handler, title=self.title, size=size
            )
        key = (self.model.week, self.title, tuple(self.view.size), self.view.font, id(self.view))
        if self._org is None or self._org[0] != key:
            self.view.update(self.model, title=self.title)
            self._org = (key, self.view.png())
        return self._org[1]

    def caption(self) -> str:
        """One line under the org view: the customer book right now."""
        c = self.model.state.cust
        gone = c.exists & ~c.active
        silent = int((gone & ~c.complained).sum())
        return (
            f"Customers: {int(c.active.sum()):,} active, {int(gone.sum()):,} left "
            f"({silent:,} of them without ever complaining)"
        )

    def go_live(self) -> int | None:
        """Go-live week of the CRM (None without one)."""
        return self.scenario.crm.go_live_week if self.scenario.crm.enabled else None


@dataclass(frozen=True)
class Card:
    """One metric card: its title, one value per design and a one-line note."""

    title: str
    values: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Frame:
    """What the page shows after a week: pictures, numbers and words."""

    week: int
    horizon: int
    labels: tuple[str, ...]
    orgs: tuple[bytes, ...]
    charts: bytes
    diff: bytes | None
    cards: tuple[Card, ...]
    captions: tuple[str, ...]
    render_ms: float


def _fmt(x: float, kind: str) -> str:
    if x != x:  # NaN
        return "–"
    if kind == "pct":
        return f"{100 * x:.0f}%"
    if kind == "days":
        return f"{x:.1f} d"
    if kind == "roi":
        return f"{x:+.2f}"
    if kind == "int":
        return f"{x:,.0f}"
    return f"{x:.2f}"


def cards_for(runs: list[Run]) -> tuple[Card, ...]:
    """The metric cards for the current week of each run."""

    def last(r: Run, col: str) -> float:
        return float(r.df[col].iloc[-1]) if len(r.df) else float("nan")

    def churn(r: Run) -> str:
        if not len(r.df):
            return "–"
        lost = last(r, "churned_total")
        seen = lost - last(r, "churned_silent_total")
        return f"{lost:,.0f} / {seen:,.0f} seen"

    return (
        Card(
            "CRM adoption",
            tuple(_fmt(last(r, "adoption_rate"), "pct") for r in runs),
            "front-line staff logging most of their work",
        ),
        Card(
            "Customers lost",
            tuple(churn(r) for r in runs),
            "true churn / what complaints showed management",
        ),
        Card(
            "Satisfaction",
            tuple(_fmt(last(r, "satisfaction_mean"), "") for r in runs),
            "mean of active customers, 0 to 1",
        ),
        Card("Morale", tuple(_fmt(last(r, "morale_mean"), "") for r in runs), "staff, 0 to 1"),
        Card(
            "Decision latency",
            tuple(_fmt(last(r, "decision_latency_days"), "days") for r in runs),
            "days from a customer issue to its decision",
        ),
        Card(
            "ROI",
            tuple(_fmt(last(r, "roi"), "roi") for r in runs),
            "vs the same company without the change",
        ),
    )


#: Called after each week of a replay with the week reached and the week it replays to.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Restart:
    """A restart worked out by :meth:`Session.plan`: the config to run, the changes to replay
    at their weeks, the week to replay to, and what to tell the page about the changes.

    ``run`` replays it into a new session of its own (nothing shared with the page's session,
    so it can run in a worker thread while the page keeps showing the current run); the page
    then hands it to :meth:`Session.adopt`. The result is the same run, week by week, as
    :meth:`Session.reconfigure` in the foreground (the same code: :meth:`Session.replay`).
    """

    config: Config
    changes: tuple[Change, ...] = ()
    week: int = 0
    #: Changes made before the restart, and how many of them are replayed.
    made: int = 0
    kept: int = 0
    copy_a: bool = False
    why: str = ""

    @property
    def replays(self) -> bool:
        """Whether it has weeks to replay (else it is a plain restart at week 0)."""
        return bool(self.changes) or self.week > 0

    def run(self, progress: Progress | None = None) -> Session:
        """Replay it in a new session (``progress(k, n)`` after each week).

        Raises:
            ScenarioError: when the config or a change is refused.
        """
        return Session(self.config, self.changes, self.week, progress)

    def message(self, week: int) -> str:
        """One sentence for the page once the runs reached ``week`` (empty when there were no
        changes to keep or clear)."""
        if not self.made:
            return ""
        if not self.changes:
            return (
                f"The run restarted at week 0 and the {self.made} change(s) made during "
                f"it were cleared ({self.why})."
            )
        kept = f"replayed {self.kept} change(s) at their weeks"
        if self.copy_a:
            kept += " (B got a copy of A's)"
        dropped = self.made - self.kept
        tail = f"; {dropped} of B's cleared ({self.why})" if dropped else ""
        return f"Restarted and {kept} up to week {week}{tail}."


class Session:
    """The runs of one browser session and their pictures.

    Thread-safe: the page's Play loop and its buttons may call in from different threads.
    """

    ORG_SIZE = (11.0, 4.6)
    ORG_SIZE_COMPARE = (8.2, 4.8)

    def __init__(
        self,
        config: Config | None = None,
        changes: tuple[Change, ...] = (),
        week: int = 0,
        progress: Progress | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.config = config or Config.for_preset(DEFAULT_PRESET)
        self.runs: list[Run] = []
        self.charts: Charts | None = None
        self.diff: Charts | None = None
        self.version = 0
        self._last_frame: tuple[tuple[Any, ...], Frame] | None = None
        #: The changes made during the run, in the order they were made.
        self.changes: tuple[Change, ...] = ()
        if changes or week:
            self.replay(changes, week, progress)  # builds the runs first
        else:
            self._build()

    # ----------------------------------------------------------------- setup
    def _build(self) -> None:
        c = self.config
        names = design_names(c)
        runs = [Run("A", names[0], c.scenario_a(), c.seed)]
        if c.compare:
            runs.append(Run("B", names[1], c.scenario_b(), c.seed))
        self.runs, self.changes = runs, ()
        labels = self.labels
        book = runs[0].scenario.customers.count
        self.charts = Charts(self.horizon, labels, PANELS, book=book)
        self.diff = (
            Charts(self.horizon, labels, DIFF_PANELS, diff=True, book=book) if c.compare else None
        )
        self.version += 1

    @property
    def labels(self) -> list[str]:
        """Each design's label and name, as the legends, org views and debrief show it."""
        return [f"{r.label}: {r.name}" for r in self.runs]

    def _rename(self) -> None:
        names = design_names(self.config, self.changes)
        for r, name in zip(self.runs, names):
            r.name = name
        for ch in (self.charts, self.diff):
            if ch is not None:
                ch.set_labels(self.labels)

    def apply(self, config: Config) -> bool:
        """Use a new config; restarts at week 0 when it differs. Returns whether it restarted."""
        with self.lock:
            if config == self.config:
                return False
            # a config that fails to build leaves the session as it was
            old = self.config
            self.config = config
            try:
                self._build()
            except Exception:
                self.config = old
                raise
            return True

    def reset(self) -> None:
        """Back to week 0 with the same config (same seed, same random numbers).

        The changes made during the run are dropped: the run starts again from its settings.
        """
        with self.lock:
            self._build()

    def what_differs(self) -> str:
        """How B differs from A in plain words (empty without B)."""
        if len(self.runs) < 2:
            return ""
        name_b = self.runs[1].name
        if name_b.startswith("A + "):
            return name_b.removeprefix("A + ")
        if name_b == "same as A":
            return "nothing (the same settings)"
        return f"its preset and settings ({name_b}, where A is {self.runs[0].name})"

    # ----------------------------------------------------------------- changes during the run
    def setting(self, design: int, key: str) -> float | bool:
        """A dial's value (or the programme switch) in force now: the last change, else the
        config's."""
        for ch in reversed(self.changes):
            if ch.design == design and ch.key == key:
                return ch.value
        if key == PROGRAMME:
            return self.config.programme_of(design)
        return dict(self.config.dials_of(design))[key]

    def change(self, design: int, key: str, value: float | bool) -> bool:
        """Move a dial (or the programme switch) of design A (0) or B (1).

        At week 0 this is a change of settings (the run restarts, still at week 0); later it
        is a change during the run: the model continues from this week with the new value
        (``model.intervene``), the charts mark it and keep the path without it as a faint line.

        Returns:
            Whether it was a change during the run (False: a change of settings, or nothing
            to change).

        Raises:
            ScenarioError: for a value out of range, a design that does not run, or a change
                the model refuses (nothing changes then).
        """
        with self.lock:
            if design >= len(self.runs):
                raise ScenarioError("design B: switch on 'Compare with design B' first")
            if self.week == 0:
                c = self.config
                if key == PROGRAMME:
                    new = (
                        replace(c, programme=bool(value))
                        if design == 0
                        else replace(c, programme_b=bool(value))
                    )
                else:
                    new = c.with_dial(key, float(value), design)  # type: ignore[arg-type]
                self.apply(new)
                return False
            ch = Change(self.week, design, key, value).check()
            if ch.value == self.setting(design, key):
                return False
            run = self.runs[design]
            if key == PROGRAMME:
                steps = programme_steps(self.week, self.horizon) if ch.value else []
                run.change({"change_programme.steps": steps})
            else:
                run.change({key: ch.value})
            self.changes = (*self.changes, ch)
            self._rename()
            self.version += 1
            return True

    def replay(
        self, changes: tuple[Change, ...], week: int = 0, progress: Progress | None = None
    ) -> None:
        """Run from week 0 making ``changes`` at their weeks, then on to ``week``.

        The same seed, settings and changes give the same run week by week (a shared link or
        a scenario file restores it). ``progress(k, n)`` is called after each week replayed
        (week ``k`` of ``n``; the page shows it while the replay runs in the background, see
        :class:`Restart`); an exception it raises stops the replay.

        Raises:
            ScenarioError: for a change out of range or one the model refuses, naming it.
        """
        with self.lock:
            self._build()
            todo = sorted(changes, key=lambda c: c.week)  # stable: same-week order kept
            last = max([0, *(ch.week for ch in todo)])
            total = max(min(last, self.horizon), min(week, self.horizon))

            def advance(weeks: int) -> None:
                for _ in range(weeks):
                    if not self.step():
                        return
                    if progress is not None:
                        progress(self.week, total)

            for ch in todo:
                ch = ch.check()
                if ch.week > self.horizon:
                    raise ScenarioError(
                        f"change {ch.name!r}: week {ch.week} is after the horizon, week "
                        f"{self.horizon}"
                    )
                advance(ch.week - self.week)
                try:
                    self.change(ch.design, ch.key, ch.value)
                except ScenarioError as e:
                    raise ScenarioError(f"change {ch.name!r} at week {ch.week}: {e}") from None
            advance(max(0, min(week, self.horizon) - self.week))

    def course_scenario(self, design: int) -> Scenario:
        """The course a design is on: its scenario with the changes made so far as
        ``[[interventions]]`` at their weeks (the scenario itself before any change).

        Run on the session's seed it gives the live run week by week; the band of other seeds
        (``app.luck``) runs it on 20 others, so after a change the band is that of the changed
        course, not of the starting design.
        """
        with self.lock:
            run = self.runs[design]
            ivs = course_interventions(self.changes, design, self.horizon)
            return run.scenario.with_overrides({"interventions": ivs}) if ivs else run.scenario

    def reconfigure(self, config: Config, *, copy_a: bool = False) -> str:
        """Use a new config (a restart), keeping what still makes sense; returns what happened.

        The runs restart from week 0 and, where the changes made during the run still apply,
        replay them at their weeks back to the week reached:

        - another seed: every change is replayed on the new seed (the same course, other luck);
        - compare switched on or off, design B's preset changed: A's changes are replayed, B's
          dropped (B starts from its own settings);
        - *Copy A* (``copy_a``): B becomes a copy of A with A's changes too, so A and B are the
          same run until the next change of one of them;
        - design A's preset changed: another organisation, so the run starts at week 0 and every
          change is cleared.

        Returns:
            One sentence for the page (empty when there were no changes to keep or clear).

        Raises:
            ScenarioError: when the new config or a replayed change is refused (the session is
                left as it was).
        """
        with self.lock:
            plan = self.plan(config, copy_a=copy_a)
            if plan is None:
                return ""
            self.restore(plan.config, plan.changes, plan.week)
            return plan.message(self.week)

    def plan(self, config: Config, *, copy_a: bool = False) -> Restart | None:
        """What :meth:`reconfigure` would run (the config, the changes kept and the week to
        replay to) and say, without running it; None when nothing changes.

        The page runs a plan that replays weeks in the background (:meth:`Restart.run`, then
        :meth:`adopt`) and keeps the current run on screen meanwhile.
        """
        with self.lock:
            old, changes, week = self.config, self.changes, self.week
            if config == old and not copy_a:
                return None
            a = tuple(ch for ch in changes if ch.design == 0)
            if config.preset != old.preset:
                keep: tuple[Change, ...] = ()
                week = 0
            elif copy_a:
                keep = a + tuple(replace(ch, design=1) for ch in a)
            elif (config.compare, config.preset_b, config.dials_b, config.programme_b) != (
                old.compare, old.preset_b, old.dials_b, old.programme_b,
            ):  # fmt: skip
                keep = a
            else:
                keep = changes
            if not keep:
                week = 0
            why = (
                "another preset is another organisation"
                if config.preset != old.preset
                else "design B restarted from its own settings"
            )
            return Restart(
                config,
                keep,
                week,
                made=len(changes),
                kept=len([ch for ch in keep if ch in changes]),
                copy_a=copy_a,
                why=why,
            )

    def adopt(self, other: Session) -> None:
        """Take over the runs of ``other`` (a session replayed in the background, see
        :meth:`Restart.run`): this session then is what ``other`` is, week by week; ``other``
        must not be used afterwards."""
        with self.lock, other.lock:
            self.config, self.runs, self.changes = other.config, other.runs, other.changes
            self.charts, self.diff = other.charts, other.diff
            self._last_frame = None
            self.version += 1

    # ----------------------------------------------------------------- running
    @property
    def horizon(self) -> int:
        """Last week of the runs (the shortest horizon of the designs)."""
        return min(r.scenario.horizon_weeks for r in self.runs)

    @property
    def week(self) -> int:
        """Weeks simulated so far (all designs step in lockstep)."""
        return self.runs[0].week

    @property
    def done(self) -> bool:
        """Whether the runs reached their horizon."""
        return self.week >= self.horizon

    def step(self, weeks: int = 1) -> int:
        """Advance every design by up to ``weeks`` weeks in lockstep; returns weeks advanced."""
        with self.lock:
            n = 0
            for _ in range(weeks):
                if self.done:
                    break
                for r in self.runs:
                    r.step()
                n += 1
            return n

    # ----------------------------------------------------------------- output
    def _frame_key(self) -> tuple[Any, ...]:
        """What a frame shows: when it has not changed, the last frame is shown again."""
        size = self.ORG_SIZE_COMPARE if len(self.runs) > 1 else self.ORG_SIZE
        figs = tuple(
            (id(ch), ch.size, ch.grid, ch.font, tuple(sorted(ch.band_keys.items())))
            for ch in (self.charts, self.diff)
            if ch is not None
        )
        return (self.version, self.week, tuple(self.labels), tuple(size), figs)

    def frame(self) -> Frame:
        """Render this week's pictures and numbers (the last frame again when nothing it shows
        changed: a re-render of the page for another reason draws nothing)."""
        with self.lock:
            key = self._frame_key()
            if self._last_frame is not None and self._last_frame[0] == key:
                return self._last_frame[1]
            t0 = time.perf_counter()
            size = self.ORG_SIZE_COMPARE if len(self.runs) > 1 else self.ORG_SIZE
            orgs = tuple(r.org_png(size) for r in self.runs)
            frames = [r.df for r in self.runs]
            logs = [r.model.programme_log for r in self.runs]
            marks = [(ch.week, ch.name, ch.design) for ch in self.changes]
            ghosts = [r.ghost_df() for r in self.runs]
            assert self.charts is not None
            self.charts.update(frames, logs, [r.go_live() for r in self.runs], marks, ghosts)
            charts = self.charts.png()
            diff = None
            if self.diff is not None:
                self.diff.update(frames, [], [], marks)
                diff = self.diff.png()
            out = Frame(
                week=self.week,
                horizon=self.horizon,
                labels=tuple(self.labels),
                orgs=orgs,
                charts=charts,
                diff=diff,
                cards=cards_for(self.runs),
                captions=tuple(r.caption() for r in self.runs),
                render_ms=1000 * (time.perf_counter() - t0),
            )
            self._last_frame = (key, out)
            return out

    def debrief(self) -> dict[str, list[str]]:
        """Plain-language debrief per design, and of the difference in compare mode."""
        with self.lock:
            out = {
                f"{r.label}: {r.name}": debrief(
                    r.df,
                    r.scenario,
                    r.ledger,
                    r.model.programme_log,
                    r.model.state.levers.reinforce_until,
                )
                for r in self.runs
            }
            if len(self.runs) == 2:
                a, b = self.runs
                out["Difference"] = compare_debrief(
                    f"A ({a.name})", a.df, f"B ({b.name})", b.df, self.what_differs()
                )
            return out

    def settings_table(self, design: int) -> pd.DataFrame:
        """Row by row, what a design ran with: preset, seed, programme, each dial in force and
        the changes that took effect that week (row ``w`` is after week ``w``, so a change made
        at week ``t`` shows from row ``t + 1``)."""
        with self.lock:
            weeks = self.runs[design].df.index.to_numpy()
            c = self.config
            out = pd.DataFrame(index=pd.Index(weeks, name="week"))
            out["preset"] = c.preset_of(design)
            out["seed"] = c.seed
            keys = [PROGRAMME, *(p for p, _ in c.dials_of(design))]
            start = {PROGRAMME: c.programme_of(design), **dict(c.dials_of(design))}
            for key in keys:
                vals = []
                for w in weeks:
                    v = start[key]
                    for ch in self.changes:
                        if ch.design == design and ch.key == key and ch.week < w:
                            v = ch.value
                    vals.append(v)
                out[key] = vals
            out["changes"] = [
                "; ".join(
                    ch.name for ch in self.changes if ch.design == design and ch.week + 1 == w
                )
                for w in weeks
            ]
            return out

    def csv(self) -> str:
        """The runs' per-week data as CSV (text cells neutralised), with each row's settings:
        preset, seed, programme, every dial in force, and the changes made that week."""
        with self.lock:
            return results_csv(
                [(f"{r.label}: {r.name}", r.df, r.model.programme_log) for r in self.runs],
                [self.settings_table(d) for d in range(len(self.runs))],
            )

    def export_name(self, what: str, ext: str) -> str:
        """A download's file name: preset and design of each run, the week, and what it is
        (``orgsim_command_and_control-A_vs_culture_first_rollout-B_week30_data.csv``)."""
        with self.lock:
            designs = "_vs_".join(
                f"{file_part(self.config.preset_of(d))}-{r.label}" for d, r in enumerate(self.runs)
            )
            return f"orgsim_{designs}_week{self.week}_{what}.{ext}"

    def scenario_toml(self, design: int) -> str:
        """One design as a scenario file, with the changes made so far (``app.keep``)."""
        from app.keep import scenario_toml

        with self.lock:
            return scenario_toml(self.config, self.changes, design, self.week, self.horizon)

    def restore(
        self,
        config: Config,
        changes: tuple[Change, ...] = (),
        week: int = 0,
        progress: Progress | None = None,
    ) -> None:
        """Start again from ``config``, make ``changes`` at their weeks and run to ``week``.

        Raises:
            ScenarioError: when a change is refused; the session is left as it was.
        """
        with self.lock:
            old = (self.config, self.runs, self.changes, self.charts, self.diff)
            self.config = config
            try:
                self.replay(changes, week, progress)
            except Exception:
                self.config, self.runs, self.changes, self.charts, self.diff = old
                self.version += 1
                raise

    def charts_png(self) -> bytes:
        """The charts (and the difference chart in compare mode) as one PNG, full redraw."""
        with self.lock:
            assert self.charts is not None
            if self.diff is None:
                return self.charts.full_png(dpi=120)
            a = Image.open(io.BytesIO(self.charts.full_png(dpi=120)))
            b = Image.open(io.BytesIO(self.diff.full_png(dpi=120)))
            out = Image.new("RGB", (max(a.width, b.width), a.height + b.height), "white")
            out.paste(a, (0, 0))
            out.paste(b, (0, a.height))
            buf = io.BytesIO()
            out.save(buf, format="png")
            return buf.getvalue()

    def org_png(self) -> bytes:
        """Design A's org view at print resolution."""
        with self.lock:
            r = self.runs[0]
            if r.view is None:
                r.org_png(self.ORG_SIZE)
            assert r.view is not None
            return r.view.full_png(dpi=120)


def file_part(name: str) -> str:
    """A choice's name as part of a download's file name: a scenario file's ``name`` may be any
    text (``"Acme / today"``), and a browser would turn a path separator or a control character
    into something else or refuse it. Letters, digits, ``.``, ``_`` and ``-`` are kept, every
    other run of characters becomes one ``_``; an empty result is ``"scenario"``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "scenario"


def presets() -> list[str]:
    """The built-in presets, the default first."""
    names = preset_names()
    return [DEFAULT_PRESET, *[n for n in names if n != DEFAULT_PRESET]]


def choices() -> list[str]:
    """What design A and B can start from: the presets, then the scenario files the server
    was started with (``run.py app --scenario``), each under its scenario ``name``."""
    return [*presets(), *(f.name for f in registered())]
