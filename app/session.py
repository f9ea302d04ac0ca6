"""One browser session's runs: the designs, their models, their pictures. No Solara here.

A ``Session`` belongs to exactly one browser page (the page creates it with ``solara.use_memo``),
so two people on one server never share a model. It holds design A (a preset, the culture dials,
the change-programme switch) and, in compare mode, design B (another preset), both seeded alike so
they run on common random numbers: with the same seed every random stream draws the same numbers
in both runs, and the difference between them is the design, not luck.
"""

from __future__ import annotations

import io
import math
import threading
import time
from dataclasses import dataclass, field, replace

import pandas as pd
from PIL import Image

from app.charts import DIFF_PANELS, PANELS, Charts, results_csv
from app.debrief import ChurnLedger, compare_debrief, debrief
from app.orgview import OrgView
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


def culture_specs() -> list[FieldSpec]:
    """The culture dials (``culture.*`` scalar fields) with their label, range and help."""
    return [f for f in field_specs() if f.path.startswith("culture.")]


def preset_dials(preset: str) -> tuple[tuple[str, float], ...]:
    """The preset's own culture dial values, as ``(dotted path, value)`` pairs."""
    s = load_scenario(preset)
    return tuple(
        (f.path, float(getattr(s.culture, f.path.split(".", 1)[1]))) for f in culture_specs()
    )


def has_programme(preset: str) -> bool:
    """Whether the preset schedules change-programme steps of its own."""
    return bool(load_scenario(preset).change_programme.steps)


@dataclass(frozen=True)
class Config:
    """Everything the trainer chooses; a change of config restarts the runs at week 0.

    Attributes:
        preset: design A's preset.
        dials: design A's culture dials as ``(path, value)`` pairs.
        programme: whether design A runs the change programme (Kotter's steps).
        seed: the seed of both runs (common random numbers).
        compare: whether design B runs beside A.
        preset_b: design B's preset (as the preset defines it).
    """

    preset: str = DEFAULT_PRESET
    dials: tuple[tuple[str, float], ...] = ()
    programme: bool = False
    seed: int = 1
    compare: bool = False
    preset_b: str = DEFAULT_B

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

    def with_dial(self, path: str, value: float) -> Config:
        """Move one culture dial.

        Raises:
            ScenarioError: for an unknown dial or a value that is not a number in its range.
        """
        spec = next((f for f in culture_specs() if f.path == path), None)
        if spec is None:
            known = ", ".join(f.path for f in culture_specs())
            raise ScenarioError(f"unknown field {path!r}; accepted keys: {known}")
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = float("nan")
        lo = float(spec.lo if spec.lo is not None else -math.inf)
        hi = float(spec.hi if spec.hi is not None else math.inf)
        if not (math.isfinite(x) and lo <= x <= hi):
            raise ScenarioError(
                f"{path} ({spec.label}): expected a finite number in [{lo}, {hi}], got {value!r}"
            )
        d = dict(self.dials)
        d[path] = x
        return replace(self, dials=tuple(d.items()))

    def scenario_a(self) -> Scenario:
        """Design A's validated scenario."""
        s = load_scenario(self.preset)
        over: dict[str, object] = dict(self.dials)
        if self.programme != bool(s.change_programme.steps):
            steps = (
                load_scenario(PROGRAMME_PRESET).change_programme.model_dump()["steps"]
                if self.programme
                else []
            )
            over["change_programme.steps"] = steps
        return s.with_overrides(over) if over else s

    def scenario_b(self) -> Scenario:
        """Design B's validated scenario (the preset as it is)."""
        return load_scenario(self.preset_b)


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

    def __post_init__(self) -> None:
        self.model = OrgModel(self.scenario, rng=self.seed)
        self.ledger = ChurnLedger()
        self.df = self.model.results()

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
        self.df = self.model.results()
        self.ledger.after(self.model, self.df.iloc[-1])

    def org_png(self, size: tuple[float, float]) -> bytes:
        """The org view for this week."""
        if self.view is None:
            self.view = OrgView(
                self.model.structure, self.model.state.cust.handler, title=self.title, size=size
            )
        self.view.update(self.model)
        return self.view.png()

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


class Session:
    """The runs of one browser session and their pictures.

    Thread-safe: the page's Play loop and its buttons may call in from different threads.
    """

    ORG_SIZE = (11.0, 4.6)
    ORG_SIZE_COMPARE = (8.2, 4.8)

    def __init__(self, config: Config | None = None) -> None:
        self.lock = threading.RLock()
        self.config = config or Config.for_preset(DEFAULT_PRESET)
        self.runs: list[Run] = []
        self.charts: Charts | None = None
        self.diff: Charts | None = None
        self.version = 0
        self._build()

    # ----------------------------------------------------------------- setup
    def _build(self) -> None:
        c = self.config
        runs = [Run("A", c.preset, c.scenario_a(), c.seed)]
        if c.compare:
            runs.append(Run("B", c.preset_b, c.scenario_b(), c.seed))
        self.runs = runs
        labels = [f"{r.label}: {r.name}" for r in runs]
        book = runs[0].scenario.customers.count
        self.charts = Charts(self.horizon, labels, PANELS, book=book)
        self.diff = (
            Charts(self.horizon, labels, DIFF_PANELS, diff=True, book=book) if c.compare else None
        )
        self.version += 1

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
        """Back to week 0 with the same config (same seed, same random numbers)."""
        with self.lock:
            self._build()

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
    def frame(self) -> Frame:
        """Render this week's pictures and numbers."""
        with self.lock:
            t0 = time.perf_counter()
            size = self.ORG_SIZE_COMPARE if len(self.runs) > 1 else self.ORG_SIZE
            orgs = tuple(r.org_png(size) for r in self.runs)
            frames = [r.df for r in self.runs]
            logs = [r.model.programme_log for r in self.runs]
            assert self.charts is not None
            self.charts.update(frames, logs, [r.go_live() for r in self.runs])
            charts = self.charts.png()
            diff = None
            if self.diff is not None:
                self.diff.update(frames, [], [])
                diff = self.diff.png()
            return Frame(
                week=self.week,
                horizon=self.horizon,
                labels=tuple(f"{r.label}: {r.name}" for r in self.runs),
                orgs=orgs,
                charts=charts,
                diff=diff,
                cards=cards_for(self.runs),
                captions=tuple(r.caption() for r in self.runs),
                render_ms=1000 * (time.perf_counter() - t0),
            )

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
                out["Difference"] = compare_debrief(f"A ({a.name})", a.df, f"B ({b.name})", b.df)
            return out

    def csv(self) -> str:
        """The runs' per-week data as CSV (text cells neutralised)."""
        with self.lock:
            return results_csv(
                [(f"{r.label}: {r.name}", r.df, r.model.programme_log) for r in self.runs]
            )

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


def presets() -> list[str]:
    """The built-in presets, the default first."""
    names = preset_names()
    return [DEFAULT_PRESET, *[n for n in names if n != DEFAULT_PRESET]]
