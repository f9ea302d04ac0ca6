"""A board-ready report comparing a current and a proposed org design, with uncertainty.

``python run.py report --current CURRENT.toml --proposed PROPOSED.toml --out report.html`` runs
both designs over replicates on common random numbers (replicate r uses the same seed in both
designs, so the differences are paired), then:

- **the effect of each change** (``sim.breakdown``): each of the proposal's transformations
  alone and the proposal with each one left out, on the same seeds;
- **the assumptions** (``sim.assumptions``): the pair again with every parameter the schema
  flags as uncertain drawn jointly per replicate (the same draw in both designs), and a grouped
  Morris screen (SALib) of the same parameters on the paired difference.

It writes one self-contained HTML file (inline CSS, charts as embedded base64 PNG, no external
resources), a CSV with every number shown (same stem, ``.csv``) and the breakdown
(``STEM-breakdown.csv``), all atomically.

Uncertainty, in two kinds, shown side by side:

- **Simulation noise.** Each outcome's mean over replicates at the scenario's own parameter
  values and its 95% Student-t confidence interval; each difference is paired by replicate
  (``sim.experiment.paired_differences``).
- **Assumptions and noise.** The paired difference over replicates whose uncertain parameters
  are drawn from their plausible ranges: its mean and a 95% prediction interval (where the
  difference falls in 95% of plausible worlds, ``sim.experiment.prediction_interval``). The
  screen says which assumptions move it most.

Every number in the HTML carries ``data-key="section|key|column"`` and ``data-value`` (full
precision) attributes that match the CSV's rows and columns (section ``breakdown``: the
breakdown CSV's, by change number).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim import csvsafe
from sim.assumptions import Draw
from sim.breakdown import breakdown_columns, breakdown_designs, breakdown_path, breakdown_table
from sim.errors import InputError
from sim.experiment import (
    headlines_table,
    paired_differences,
    prediction_interval,
    run_jobs,
    summarise,
)
from sim.inputs import load_scenario
from sim.outpaths import Output, check_outputs, scenario_inputs
from sim.outputs import write_text
from sim.rng import replicate_seeds
from sim.scenario import Scenario

DEFAULT_REPLICATES = 6
BREAKDOWN_COLUMNS = breakdown_columns()
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Outcome:
    """A key outcome and how to say it in words."""

    key: str
    label: str
    kind: str  # pct, money, days, score, ratio
    better: str | None  # "higher", "lower" or None (neither is better by itself)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("annual_churn", "Annual customer churn", "pct", "lower"),
    Outcome(
        "net_benefit_total", "Cumulative net benefit (revenue minus all costs)", "money", "higher"
    ),
    Outcome("satisfaction_mean", "Customer satisfaction (0-1)", "score", "higher"),
    Outcome("decision_latency_days", "Days to a customer decision", "days", "lower"),
    Outcome("first_contact_resolution", "Issues settled at first contact", "pct", "higher"),
    Outcome("adoption_rate", "CRM adoption (front line using it for most work)", "pct", "higher"),
    Outcome("data_quality", "CRM data quality (0-1)", "score", "higher"),
    Outcome("annual_staff_turnover", "Front-line staff turnover (a year)", "pct", "lower"),
    Outcome("morale_mean", "Employee morale (0-1)", "score", "higher"),
    Outcome("silent_churn_share", "Share of lost customers who never complained", "pct", None),
    Outcome("complaints_per_churner", "Complaints heard per customer lost", "ratio", None),
    Outcome(
        "roi", "ROI of CRM and programme spend (vs same design without them)", "ratio", "higher"
    ),
)
#: Outcomes in the executive summary (the rest are in the full table).
SUMMARY_KEYS = (
    "annual_churn",
    "net_benefit_total",
    "satisfaction_mean",
    "decision_latency_days",
    "first_contact_resolution",
    "adoption_rate",
    "annual_staff_turnover",
)
#: The main results the assumption screen follows (proposed minus current).
SCREEN_KEYS = ("net_benefit_total", "annual_churn")
#: Morris trajectories of the assumption screen (each runs both designs once per group + 1).
DEFAULT_SCREEN_TRAJECTORIES = 4

CSV_COLUMNS = (
    "section",
    "key",
    "label",
    "current",
    "current_ci_low",
    "current_ci_high",
    "proposed",
    "proposed_ci_low",
    "proposed_ci_high",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "replicates",
    "range_low",
    "range_high",
    "mu_star",
    "sigma",
    "parameters",
)


@dataclass
class ReportData:
    """Everything the report shows, computed once; HTML and CSV are views of it."""

    current: Scenario
    proposed: Scenario
    current_path: Path
    proposed_path: Path
    replicates: int
    root_seed: int
    seeds: list[int]
    weekly: pd.DataFrame  # the two main designs, every week of every replicate
    heads: pd.DataFrame  # headline outcomes of every run (breakdown, draws and screen included)
    table: pd.DataFrame  # CSV_COLUMNS: every number in the report
    structures: dict[str, dict[str, float]]
    changes: list[str]
    settings_diff: list[tuple[str, Any, Any]]
    files: list[tuple[str, str]]  # (path, sha256)
    elapsed: float
    overrides: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    breakdown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BREAKDOWN_COLUMNS))
    out_name: str = ""  # the report's file name (the breakdown CSV is named after it)
    spans: dict[str, Any] = field(default_factory=dict)  # design -> chart_preview.Spans
    factors: int = 0  # uncertain parameters drawn and screened
    excluded: list[str] = field(default_factory=list)  # uncertain ones the designs set
    screen_trajectories: int = DEFAULT_SCREEN_TRAJECTORIES
    screen_runs: int = 0
    stages: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds
    run_seconds: dict[str, float] = field(default_factory=dict)  # design -> seconds in runs

    @property
    def currency(self) -> str:
        """The code of every amount of money (``economics.currency``, the same in both designs)."""
        return self.current.economics.currency


# ---------------------------------------------------------------------------------------------
# Computing
# ---------------------------------------------------------------------------------------------


def _effective_front_authority(scenario: Scenario, base: np.ndarray) -> float:
    """Mean front-line authority in effect once the design's settings are reached.

    The model lets a position decide up to ``base + (1 - base) * rights_reach * decision_rights``
    (``sim.mechanisms.escalation.effective_authority``): a chart whose base authority is 0
    still decides small issues when the decision-rights culture is above 0. A proposed design
    reached from its base holds the values it moves to in ``design.set``.
    """
    from sim.mechanisms.escalation import effective_authority

    target = scenario.design.set
    rights = float(target.get("culture.decision_rights", scenario.culture.decision_rights))
    reach = float(target.get("decisions.rights_reach", scenario.decisions.rights_reach))
    p = scenario.decisions.model_copy(update={"rights_reach": reach})
    return float(effective_authority(base, rights, p=p).mean()) if base.size else 0.0


def _structure_summary(scenario: Scenario, seed: int) -> dict[str, float]:
    """Headcount, managers, layers, span, units, authority and ties of the first run's structure."""
    from sim.mechanisms.economics import position_pay
    from sim.model import OrgModel
    from sim.structures import FRONT_LINE

    m = OrgModel(scenario, rng=seed, counterfactual=False)
    s, emp = m.structure, m.state.emp
    pay = position_pay(
        emp.role, emp.salary, emp.fte, scenario.people.salary_annual, scenario.economics
    )
    span = s.span()
    mgr = span > 0
    front = np.isin(s.role, FRONT_LINE)
    return {
        "people": float(s.n),
        "managers": float(mgr.sum()),
        "front_line": float(front.sum()),
        "layers": float(s.level.max() + 1),
        "mean_span": float(span[mgr].mean()) if mgr.any() else 0.0,
        "units": float(np.unique(s.unit).shape[0]),
        "front_line_effective_authority": _effective_front_authority(scenario, s.authority[front]),
        "front_line_authority": float(s.authority[front].mean()) if front.any() else 0.0,
        "cross_unit_tie_share": s.cross_unit_tie_share(),
        # the business case from the chart (docs/ODD.md 8.L): every position filled
        "payroll_year": float(pay.sum()),
        "payroll_horizon": float(pay.sum() * scenario.horizon_weeks / 52.0),
        "salaries_given": float((~np.isnan(emp.salary)).sum()),
    }


def _change_cost(scenario: Scenario, seed: int) -> dict[str, float]:
    """What reaching the design costs in replicate 0 (docs/ODD.md 8.H).

    Runs the design (no twin) to the end of its change week and reads what its design change
    and interventions queued: money (culture moves and restructuring, booked as investment),
    front-line weeks away from customers scheduled in the change week, people whose manager or
    unit changes and positions removed. A current design (no base) has nothing to pay.
    """
    from sim.mechanisms.change_programme import restructure_cost
    from sim.model import OrgModel

    inputs = scenario.inputs
    moved = inputs.moved if inputs is not None and inputs.moved is not None else None
    week = scenario.design.change_week
    m = OrgModel(scenario, rng=seed, counterfactual=False)
    m.run(steps=week + 1)
    ch, e = m.ctx.changes, m.state.emp
    front = int((e.front & e.filled).sum())
    away = sum((stop - first) * share for first, stop, share in ch.away if first == week)
    severance = hiring = 0.0
    if moved is not None:
        cp, pe = scenario.change_programme, scenario.people
        pay = m.removed_pay(scenario)
        if pay is None:  # no salaries given: staff pay, manager pay for positions with reports
            severance = restructure_cost(
                0,
                inputs.removed - inputs.removed_staff,
                pe.salary_annual * scenario.economics.manager_salary_factor,
                p=cp,
                n_removed_staff=inputs.removed_staff,
                staff_pay_annual=pe.salary_annual,
            )
        else:
            severance = restructure_cost(0, 1, pay, p=cp)
        hiring = inputs.added * (pe.hiring_cost + pe.training_cost)
    return {
        "money": float(ch.paid),
        "severance": float(severance),
        "hiring_added": float(hiring),
        "away_person_weeks": float(away * front),
        "people_moved": float(moved.sum()) if moved is not None else 0.0,
        "positions_removed": float(inputs.removed) if moved is not None else 0.0,
        "positions_added": float(inputs.added) if moved is not None else 0.0,
    }


CHANGE_LABELS = {
    "money": "Cost of the change (culture moves and restructuring; booked as investment)",
    "severance": "of which severance: weeks of pay of each removed position (its own salary)",
    "hiring_added": "of which hiring and training for each added position",
    "away_person_weeks": "Front-line weeks away from customers for the change",
    "people_moved": "People whose manager or unit changes",
    "positions_removed": "Positions removed",
    "positions_added": "Positions added (hired and trained)",
}


#: Payroll rows (section ``payroll``): salaries x FTE of every position, all filled.
PAYROLL_LABELS = {
    "payroll_year": "Payroll a year (every position filled, salary x FTE)",
    "payroll_horizon": "Payroll over the horizon (every position filled)",
    "salaries_given": "People whose salary the org chart gives (the rest: their role's)",
}


STRUCTURE_LABELS = {
    "people": "People",
    "managers": "Managers (people with reports)",
    "front_line": "Front line (sales, service, marketing)",
    "layers": "Layers (top to front line)",
    "mean_span": "Mean span of control",
    "units": "Units",
    "front_line_effective_authority": "Front-line decision authority in effect (0-1: the "
    "gravest issue settled alone, with the decision-rights culture)",
    "front_line_authority": "Front-line decision authority in the chart (0-1, before the "
    "decision-rights culture)",
    "cross_unit_tie_share": "Share of working ties across units",
}


def _describe_changes(current: Scenario, proposed: Scenario) -> list[str]:
    """The proposed design's own transformations in plain words, with what each one touched.

    Transformations the proposed design inherits from the current one (a common prefix) are
    part of both designs and are not listed.
    """
    from sim.structures.org_chart import load_org_chart
    from sim.structures.transform import STRUCTURAL, apply_structural, rescaled_authority

    shared = current.transformations
    todo = proposed.transformations
    if todo[: len(shared)] == shared:
        todo = todo[len(shared) :]
    else:
        shared = []
    out: list[str] = []
    chart = None
    if proposed.organisation.structure == "org_chart" and proposed.organisation.org_chart:
        org = proposed.organisation
        chart = apply_structural(load_org_chart(org.org_chart, org.org_chart_map), shared)
    for t in todo:
        before = chart
        if chart is not None and t.kind in STRUCTURAL:
            chart = apply_structural(chart, [t])
        rescaled = (
            rescaled_authority(before, chart)
            if before is not None and chart is not None and t.kind in _RESCALING
            else []
        )
        if t.kind == "remove_layer":
            sel = " and ".join(
                p
                for p in (f"level {t.level}" if t.level else "", f"'{t.title}'" if t.title else "")
                if p
            )
            where = f" in {', '.join(t.units)}" if t.units else ""
            gone = before.n - chart.n if before is not None and chart is not None else 0
            out.append(
                f"Remove the management layer {sel}{where}: {gone} manager"
                f"{'s' if gone != 1 else ''} go; their reports now report to the layer above."
                + _rescaled_text(rescaled)
            )
        elif t.kind == "merge_units":
            pods = (
                sum(1 for u in chart.unit_names if u.startswith(f"{t.into} "))
                if chart is not None
                else 0
            )
            out.append(
                f"Merge {', '.join(t.units)} into {pods} cross-functional pods ('{t.into} 1', ...) "
                "led by the current team leads; sales and service people of a pod share a unit."
            )
        elif t.kind == "decision_rights":
            where = f" in {', '.join(t.units)}" if t.units else ""
            out.append(
                f"Decision rights: {', '.join(t.roles)} staff{where} may settle customer issues up "
                f"to severity {t.authority:.2f} on their own (base authority, 0-1)."
            )
        elif t.kind == "incentives":
            out.append(
                f"Bonus rules: incentive alignment {current.culture.incentive_alignment:.2f} -> "
                f"{t.incentive_alignment:.2f} (0 = new deals only, 1 = the whole customer "
                "lifecycle)."
            )
        elif t.kind == "change_programme":
            steps = ", ".join(f"{s.step.replace('_', ' ')} (week {s.week})" for s in t.steps)
            out.append(f"Change programme: {steps}.")
        elif t.kind == "move":
            to = [f"to the manager {t.to_manager}" if t.to_manager else "", ""]
            if t.unit:
                to[1] = f"into unit '{t.unit}'" + (" with their teams" if t.with_team else "")
            out.append(
                f"Move {_ids_text(t.ids)} {' and '.join(x for x in to if x)}; their own "
                "reports stay with them."
            )
        elif t.kind == "split_team":
            out.append(
                f"Split the team of {t.manager} into {t.teams} teams: {t.teams - 1} new lead "
                f"position{'s' if t.teams > 2 else ''} beside them, reports dealt evenly by role."
            )
        elif t.kind == "merge_teams":
            out.append(
                f"Merge the teams of {', '.join(t.managers)} under {t.managers[0]}; the other "
                f"{len(t.managers) - 1} lead position{'s' if len(t.managers) > 2 else ''} go."
                + _rescaled_text(rescaled)
            )
        elif t.kind == "add_positions":
            out.append(
                f"Add {t.count} {t.title} position{'s' if t.count != 1 else ''} ({t.role}, "
                f"FTE {t.fte:g}"
                + (
                    f", {fmt_money(t.salary, proposed.economics.currency)} a year"
                    if t.salary is not None
                    else ""
                )
                + f") under {t.manager}"
                + (f" in unit '{t.unit}'" if t.unit else "")
                + "."
            )
        elif t.kind == "remove_positions":
            out.append(
                f"Remove the positions of {_ids_text(t.ids)}; their reports move to the manager "
                "above." + _rescaled_text(rescaled)
            )
    if not out:
        out.append("No transformations declared; the designs differ in the settings below.")
    return out


#: Transformations that remove positions, so the levels the default authority is scaled on
#: may change (``sim.structures.transform.rescaled_authority``).
_RESCALING = ("remove_layer", "merge_teams", "remove_positions")


def _ids_text(ids: Sequence[str], limit: int = 5) -> str:
    """'E1, E2 and 3 more'."""
    more = len(ids) - limit
    return ", ".join(ids[:limit]) + (f" and {more} more" if more > 0 else "")


def _rescaled_text(changes: list[tuple[str, float, float, int]], limit: int = 4) -> str:
    """The default authority a restructuring re-scales, in words ('' when none)."""
    if not changes:
        return ""
    n = sum(c[3] for c in changes)
    shown = "; ".join(f"{t} {a:.2f} -> {b:.2f} ({k})" for t, a, b, k in changes[:limit])
    more = f"; and {len(changes) - limit} more" if len(changes) > limit else ""
    return (
        f" The chart is shallower, so the default decision authority (scaled on the depth, "
        f"1 at the top) of {n} {'person' if n == 1 else 'people'} re-scales: {shown}{more}."
    )


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


#: Plain names of the settings that are not numeric parameters (the schema labels the rest).
OTHER_LABELS = {
    "customers.file": "Customer file",
    "organisation.org_chart": "Org chart file",
    "organisation.org_chart_map": "Org chart mapping file",
    "organisation.structure": "Structure",
    "change_programme.steps": "Change programme steps",
    "economics.currency": "Currency",
    "interventions": "Scheduled changes",
}


def setting_label(key: str, currency: str = "") -> str:
    """A setting in plain words, with its unit: ``people.salary_annual`` -> 'Salary (USD a year)'.

    The schema's label and unit (``sim.parameters.field_specs``); money units name the currency.
    A key the schema does not label is written from its last part ('go_live' -> 'Go live').
    """
    from sim.parameters import field_specs

    specs = {f.path: f for f in field_specs()}
    spec = specs.get(key)
    if spec is None:
        return OTHER_LABELS.get(key, key.rsplit(".", 1)[-1].replace("_", " ").capitalize())
    unit = spec.unit or ""
    code = currency or "currency"
    unit = {
        "currency": code,
        "currency/year": f"{code} a year",
        "currency/week": f"{code} a week",
    }.get(unit, unit)
    return f"{spec.label} ({unit})" if unit and unit != "yes/no" else spec.label


def _settings_diff(current: Scenario, proposed: Scenario) -> list[tuple[str, Any, Any]]:
    """Settings that differ; the proposed design's are those it changes to (``design.set``)."""
    a = _flatten(current.model_dump(mode="json"))
    b = _flatten(proposed.model_dump(mode="json"))
    b.update(proposed.model_dump(mode="json")["design"]["set"])
    skip = {"name", "description", "transformations"}
    return [
        (k, a.get(k), b.get(k))
        for k in dict.fromkeys([*a, *b])
        if k not in skip and not k.startswith("design.") and a.get(k) != b.get(k)
    ]


def _git_revision() -> str | None:
    """The repository's commit, read from ``.git`` files (no git command is run)."""
    root = Path(__file__).resolve().parent.parent
    git = root / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = (root / git.read_text().split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head[:40] or None
        ref = head.split(":", 1)[1].strip()
        bases = [git]
        if (git / "commondir").is_file():  # a worktree's branches live in the main .git
            bases.append((git / (git / "commondir").read_text().strip()).resolve())
        for base in bases:
            p = base / ref
            if p.is_file():
                return p.read_text().strip()[:40]
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0][:40]
    except (OSError, IndexError, ValueError):
        return None
    return None


def _row(section: str, key: str, label: str, **values: float) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, np.nan)
    row.update(section=section, key=key, label=label)
    row.update(values)
    return row


@dataclass(frozen=True)
class _Uncertainty:
    """What the assumption part of the report ran: factors, draws and the screen's design."""

    factors: list[Any]
    excluded: list[str]
    draws: list[dict[str, Any]]
    screen_x: np.ndarray
    screen_points: list[dict[str, Any]]


def _jobs(
    designs: dict[str, Scenario],
    current: Scenario,
    proposed: Scenario,
    seeds: list[int],
    unc: _Uncertainty,
) -> list[tuple[str, int, int, Scenario, bool]]:
    """Every run of the report, as ``sim.experiment.run_jobs`` jobs.

    The pair (with its no-change twins, for ROI) and the breakdown designs on every replicate
    seed; the pair with replicate r's joint draw on seed r (``drawn:*``); the pair at each
    screen point on the first seed (``screen:j:*``, common random numbers across points).
    """
    jobs = [
        (name, r, sd, s, name in ("current", "proposed"))
        for name, s in designs.items()
        for r, sd in enumerate(seeds)
    ]
    for tag, s in (("current", current), ("proposed", proposed)):
        jobs += [
            (f"drawn:{tag}", r, sd, s.with_overrides(o, source="assumption draw"), False)
            for r, (sd, o) in enumerate(zip(seeds, unc.draws))
        ]
    for j, o in enumerate(unc.screen_points):
        for tag, s in (("current", current), ("proposed", proposed)):
            jobs.append(
                (f"screen:{j}:{tag}", 0, seeds[0], s.with_overrides(o, source="screen"), False)
            )
    return jobs


#: The report's stages, in order (progress lines and ``ReportData.stages``); writing the files
#: (``WRITE_STAGE``) follows them in :func:`report_command`.
STAGES = (
    "reading and checking the inputs",
    "building the structures and the designs of each change",
    "running the simulations",
    "tabulating the results",
)
WRITE_STAGE = "drawing the charts and writing the files"


class _Stages:
    """Wall time per stage; tells ``stage`` when each one starts."""

    def __init__(self, stage: Callable[[str], None] | None) -> None:
        self.stage = stage
        self.seconds: dict[str, float] = {}
        self.current: str | None = None
        self.t0 = 0.0

    def start(self, name: str) -> None:
        self.stop()
        if self.stage is not None:
            self.stage(name)
        self.current, self.t0 = name, time.perf_counter()

    def stop(self) -> None:
        if self.current is not None:
            self.seconds[self.current] = time.perf_counter() - self.t0
            self.current = None


def compute_report(
    current_path: str | Path,
    proposed_path: str | Path,
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    overrides: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    command: str = "",
    on_start: Callable[[int], None] | None = None,
    out: Path | None = None,
    draw: Draw | None = None,
    screen_trajectories: int = DEFAULT_SCREEN_TRAJECTORIES,
    stage: Callable[[str], None] | None = None,
) -> ReportData:
    """Load both designs, run them paired (breakdown, draws and screen too), and tabulate.

    Args:
        current_path: the current design's scenario file.
        proposed_path: the proposed design's scenario file.
        replicates: paired replicates per design (>= 2, for confidence intervals).
        seed: root seed of the replicate seeds (shared by every design).
        workers: processes.
        overrides: dotted field values applied to both designs (``--set``).
        progress: called with 1 after each finished run.
        command: the command line, for the reproducibility footer.
        on_start: called with the number of runs once the inputs are validated.
        out: the HTML file to be written: it and its CSVs are checked against every input file
            (scenarios, base files, org charts, customer files) before any run.
        draw: the joint draw of assumptions per replicate (``rng -> overrides``); default
            uniform over the plausible ranges of the uncertain parameters the designs do not
            set (``sim.assumptions.prior_draw``). A calibration's posterior sampler fits here.
        screen_trajectories: Morris trajectories of the assumption screen (>= 2).
        stage: called with the name of each stage as it starts (progress lines); the wall
            time of each stage is in ``ReportData.stages``.

    Returns:
        The report's data.

    Raises:
        InputError: for a bad scenario, org chart, customer file or argument.
    """
    if replicates < 2:
        raise InputError(
            f"--replicates must be at least 2 for a confidence interval (got {replicates})"
        )
    if seed < 0:
        raise InputError(f"--seed must be >= 0 (got {seed})")
    if screen_trajectories < 2:
        raise InputError(
            f"--screen-trajectories must be at least 2 for a Morris screen (got "
            f"{screen_trajectories})"
        )
    from sim.assumptions import (
        calibrated_draw,
        morris_screen_points,
        prior_draw,
        replicate_draws,
    )
    from sim.breakdown import changes_of
    from sim.design import file_sha256, input_files, resolve_inputs

    clock = _Stages(stage)
    clock.start(STAGES[0])
    paths = (Path(current_path), Path(proposed_path))
    loaded = [load_scenario(p) for p in paths]
    if overrides:  # an overridden org chart or customer file is read here, before any model
        loaded = [resolve_inputs(s.with_overrides(overrides)) for s in loaded]
    current, proposed = loaded
    cal = current.calibration
    if cal is not None and proposed.calibration is None:
        # the posterior describes the organisation (run.py calibrate), so every design of it
        # runs on it: a proposal based on the uncalibrated file gets the current's
        proposed = proposed.model_copy(update={"calibration": cal})
    if current.horizon_weeks != proposed.horizon_weeks:
        raise InputError(
            f"{paths[1]}: horizon_weeks is {proposed.horizon_weeks} but {paths[0]} has "
            f"{current.horizon_weeks}; expected the same horizon for a paired comparison"
        )
    if current.economics.currency != proposed.economics.currency:
        raise InputError(
            f"{paths[1]}: economics.currency is {proposed.economics.currency} but {paths[0]} has "
            f"{current.economics.currency}; expected both designs in one currency (nothing is "
            "converted)"
        )
    if out is not None:
        check_out_path(out, [f for p, s in zip(paths, loaded) for f in scenario_inputs(p, s)])
    files: list[tuple[str, str]] = []
    for p in paths:
        for f in input_files(p):
            if str(f) not in {x for x, _ in files}:
                files.append((str(f), file_sha256(f)))
    seeds = replicate_seeds(seed, replicates)
    clock.start(STAGES[1])
    structures = {
        "current": _structure_summary(current, seeds[0]),
        "proposed": _structure_summary(proposed, seeds[0]),
    }
    change_costs = {
        "current": _change_cost(current, seeds[0]),
        "proposed": _change_cost(proposed, seeds[0]),
    }
    changes = _describe_changes(current, proposed)
    spans = {k: _spans(s) for k, s in (("current", current), ("proposed", proposed))}
    each = changes_of(paths[1], proposed, overrides)
    designs: dict[str, Scenario] = {"current": current, "proposed": proposed}
    designs.update(
        {
            k: s
            if cal is None or s.calibration is not None
            else s.model_copy(update={"calibration": cal})
            for k, s in breakdown_designs(each).items()
        }
    )
    excluded, fs = assumption_factors(current, proposed, overrides)
    if draw is None and cal is not None:
        draw = calibrated_draw(cal, prior_draw(fs))
    X, points = morris_screen_points(fs, screen_trajectories, seed)
    unc = _Uncertainty(
        factors=fs,
        excluded=[k for k in excluded if k in {f[0] for f in _all_uncertain()}],
        draws=replicate_draws(draw or prior_draw(fs), seeds),
        screen_x=X,
        screen_points=points,
    )
    jobs = _jobs(designs, current, proposed, seeds, unc)
    if on_start is not None:
        on_start(len(jobs))

    clock.start(STAGES[2])
    t0 = time.perf_counter()
    run_seconds: dict[str, float] = {}
    weekly_all = run_jobs(jobs, workers=workers, progress=progress, seconds=run_seconds)
    elapsed = time.perf_counter() - t0
    clock.start(STAGES[3])
    heads = headlines_table(weekly_all)
    weekly = weekly_all[weekly_all["scenario"].isin(["current", "proposed"])].reset_index(drop=True)
    table = _tabulate(heads, structures, replicates, change_costs, unc, seed, spans)
    table = pd.concat(
        [table, pd.DataFrame(_practitioner_rows(heads, weekly), columns=list(CSV_COLUMNS))],
        ignore_index=True,
    )
    table = _money_labels(table, current.economics.currency)
    breakdown = breakdown_table(heads, each, replicates)
    clock.stop()
    return ReportData(
        current=current,
        proposed=proposed,
        current_path=paths[0],
        proposed_path=paths[1],
        replicates=replicates,
        root_seed=seed,
        seeds=seeds,
        weekly=weekly,
        heads=heads,
        table=table,
        structures=structures,
        changes=changes,
        settings_diff=_settings_diff(current, proposed),
        files=files,
        elapsed=elapsed,
        overrides=dict(overrides or {}),
        command=command,
        breakdown=breakdown,
        out_name=str(out) if out is not None else "",
        factors=len(fs),
        spans={k: v for k, v in spans.items() if v is not None},
        excluded=unc.excluded,
        screen_trajectories=screen_trajectories,
        screen_runs=2 * len(points),
        stages=clock.seconds,
        run_seconds=run_seconds,
    )


def _spans(scenario: Scenario) -> Any:
    """Spans and layers of the design's chart (``sim.chart_preview.spans``; None without one)."""
    from sim.chart_preview import spans

    inputs = scenario.inputs
    return spans(inputs.chart) if inputs is not None else None


#: Rows of the spans table: key -> (label, attribute of chart_preview.Spans).
SPAN_LABELS = {
    "layers": "Layers (top to the deepest person)",
    "managers": "Managers (people with reports)",
    "staff": "Staff without reports",
    "per_staff": "Managers per staff member",
    "mean": "Mean span of control",
    "median": "Median span of control",
    "widest": "Widest span",
}


def _span_rows(spans: dict[str, Any]) -> list[dict[str, Any]]:
    """Spans and layers of both designs' charts, and the span distribution."""
    if spans.get("current") is None or spans.get("proposed") is None:
        return []
    c, p = spans["current"], spans["proposed"]
    rows = []
    for key, label in SPAN_LABELS.items():
        a, b = float(getattr(c, key)), float(getattr(p, key))
        rows.append(_row("spans", key, label, current=a, proposed=b, difference=b - a))
    for (label, a), (_, b) in zip(c.distribution, p.distribution):
        rows.append(
            _row(
                "spans",
                f"span_{label}",
                f"Managers with {label} reports",
                current=float(a),
                proposed=float(b),
                difference=float(b - a),
            )
        )
    return rows


def assumption_factors(
    current: Scenario, proposed: Scenario, overrides: dict[str, Any] | None = None
) -> tuple[list[str], list[Any]]:
    """What the joint draws and the screen vary: (the keys left out as decisions, the factors).

    Decisions of the designs (and ``--set`` values) are not assumptions: never drawn. Calibrated
    parameters (the current design's ``[calibration]``) are drawn from the posterior, not from
    their plausible ranges. The salaries by role are drawn only when both designs already pay by
    role (``sim.assumptions.pay_keys_not_drawn``, docs/ODD.md 8.L): on flat pay they stay unset.
    """
    from sim.assumptions import design_keys, factors, pay_keys_not_drawn

    cal = current.calibration
    excluded = sorted(design_keys(current, proposed) | set(overrides or {}))
    fs = factors(
        exclude=[
            *excluded,
            *(cal.parameters if cal is not None else []),
            *pay_keys_not_drawn(current, proposed),
        ]
    )
    return excluded, fs


def _all_uncertain() -> list[tuple[str, float, float, str]]:
    from sim.assumptions import uncertain_factors

    return uncertain_factors()


def _outcome_rows(
    heads: pd.DataFrame, cur: str, prop: str, section: str, label: str = ""
) -> list[dict[str, Any]]:
    """Per outcome: both designs' means and CIs, the paired difference with its CI and its 95%
    prediction interval over replicates (``range_low``/``range_high``)."""
    keys = [o.key for o in OUTCOMES]
    main = heads[heads["scenario"].isin([cur, prop])]
    summ = summarise(main, keys).set_index(["scenario", "outcome"])
    diff = paired_differences(main, baseline=cur, outcomes=keys).set_index("outcome")
    a = main[main["scenario"] == cur].set_index("replicate")
    b = main[main["scenario"] == prop].set_index("replicate")
    rows = []
    for o in OUTCOMES:
        c, p, d = summ.loc[(cur, o.key)], summ.loc[(prop, o.key)], diff.loc[o.key]
        lo, hi = prediction_interval((b[o.key] - a.loc[b.index, o.key]).to_numpy(float))
        rows.append(
            _row(
                section,
                o.key,
                o.label + label,
                current=c["mean"],
                current_ci_low=c["ci_low"],
                current_ci_high=c["ci_high"],
                proposed=p["mean"],
                proposed_ci_low=p["ci_low"],
                proposed_ci_high=p["ci_high"],
                difference=d["diff"],
                difference_ci_low=d["ci_low"],
                difference_ci_high=d["ci_high"],
                replicates=float(d["n"]),
                range_low=lo,
                range_high=hi,
            )
        )
    return rows


def _screen_rows(heads: pd.DataFrame, unc: _Uncertainty, seed: int) -> list[dict[str, Any]]:
    """Morris mu* and sigma of each group on each screened difference (proposed - current)."""
    from sim.assumptions import morris_effects

    h = heads.set_index("scenario")
    n = len(unc.screen_points)
    rows = []
    for key in SCREEN_KEYS:
        y = np.array(
            [
                float(h.loc[f"screen:{j}:proposed", key]) - float(h.loc[f"screen:{j}:current", key])
                for j in range(n)
            ]
        )
        for r in morris_effects(unc.factors, unc.screen_x, y, seed):
            rows.append(
                _row(
                    f"screen:{key}",
                    r["group"],
                    r["group"],
                    mu_star=r["mu_star"],
                    sigma=r["sigma"],
                    parameters=float(r["parameters"]),
                    replicates=1.0,
                )
            )
    return rows


#: Rows of the report's table that are amounts of money: (section, key); the outcome rows of
#: kind "money" too. (The screen's rows are named by group; their section names the outcome.)
MONEY_ROWS = {
    ("change_cost", "money"),
    ("change_cost", "severance"),
    ("change_cost", "hiring_added"),
    ("payroll", "payroll_year"),
    ("payroll", "payroll_horizon"),
}


def _money_labels(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The table with the currency after the label of every row that is money ('... (USD)').

    The HTML shows the code beside each amount; the CSV has no unit column, so its labels
    carry it.
    """
    money = {o.key for o in OUTCOMES if o.kind == "money"}
    is_money = [
        (sec, key) in MONEY_ROWS or (key in money and sec in ("outcome", "with_assumptions"))
        for sec, key in zip(table["section"], table["key"])
    ]
    out = table.copy()
    out.loc[is_money, "label"] = out.loc[is_money, "label"].astype(str) + f" ({currency})"
    return out


def _tabulate(
    heads: pd.DataFrame,
    structures: dict[str, dict[str, float]],
    replicates: int,
    change_costs: dict[str, dict[str, float]] | None,
    unc: _Uncertainty,
    seed: int,
    spans: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every number the report shows, one row per item (CSV_COLUMNS)."""
    rows = _outcome_rows(heads, "current", "proposed", "outcome")
    rows += _outcome_rows(
        heads, "drawn:current", "drawn:proposed", "with_assumptions", " (assumptions drawn)"
    )
    rows += _screen_rows(heads, unc, seed)
    for key, label in STRUCTURE_LABELS.items():
        c, p = structures["current"][key], structures["proposed"][key]
        rows.append(_row("structure", key, label, current=c, proposed=p, difference=p - c))
    rows += _span_rows(spans or {})
    for key, label in PAYROLL_LABELS.items():
        c, p = structures["current"].get(key), structures["proposed"].get(key)
        if c is not None and p is not None:
            rows.append(_row("payroll", key, label, current=c, proposed=p, difference=p - c))
    for key, label in CHANGE_LABELS.items() if change_costs else ():
        c, p = change_costs["current"][key], change_costs["proposed"][key]
        rows.append(_row("change_cost", key, label, current=c, proposed=p, difference=p - c))
    return pd.DataFrame(rows, columns=list(CSV_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def _payroll_html(t: pd.DataFrame, money: str, weeks: int) -> list[str]:
    """The payroll of both designs (docs/ODD.md 8.L): a year and over the horizon, in the
    currency; where each salary comes from."""
    rows = t[t["section"] == "payroll"]
    if not len(rows):
        return []
    out = [
        "<p>Payroll (salaries x FTE with every position filled; the cumulative net benefit "
        "counts it week by week, where a vacancy pays nothing):</p><table><tr><th>payroll</th>"
        "<th>current</th><th>proposed</th><th>change</th></tr>"
    ]
    for r in rows.itertuples():
        f = "{:,.0f}".format if r.key == "salaries_given" else (lambda v: fmt_money(v, money))
        sign = "+" if r.difference > 0 else ("-" if r.difference < 0 else "")
        out.append(
            f"<tr><td>{html.escape(str(r.label).replace('the horizon', f'{weeks} weeks'))}</td>"
            + _num("payroll", r.key, "current", r.current, f(r.current))
            + _num("payroll", r.key, "proposed", r.proposed, f(r.proposed))
            + _num("payroll", r.key, "difference", r.difference, sign + f(abs(r.difference)))
            + "</tr>"
        )
    out.append("</table>")
    return out


def _money_unit(currency: str) -> str:
    """' EUR' after an amount, or nothing when no currency is given."""
    return f" {currency}" if currency else ""


def _in_unit(kind: str, v: float, percent: str, currency: str = "") -> str:
    """``v`` in the outcome's unit; shares as percent with the suffix ``percent``, money with
    ``currency`` after it."""
    if kind == "pct":
        return f"{100 * v:.1f}{percent}"
    if kind == "money":
        amount = f"{v / 1e6:,.2f}M" if abs(v) >= 1e5 else f"{v:,.0f}"
        return amount + _money_unit(currency)
    if kind == "days":
        return f"{v:.1f} days"
    if kind == "ratio":
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_value(kind: str, v: float, currency: str = "") -> str:
    """A level in the outcome's unit (12.0%, 3.4 days, 64.35M USD, 0.612).

    Args:
        kind: the outcome's kind (pct, money, days, ratio, score).
        v: the value.
        currency: code written after an amount of money (``economics.currency``).
    """
    if v is None or not np.isfinite(v):
        return "-"
    return _in_unit(kind, v, "%", currency)


def fmt_change(kind: str, v: float, signed: bool = False, currency: str = "") -> str:
    """A difference in the outcome's unit (3.4 points, 7.74M USD, 1.2 days).

    Args:
        kind: the outcome's kind (pct, money, days, ratio, score).
        v: the difference.
        signed: write a + or - sign.
        currency: code written after an amount of money (``economics.currency``).
    """
    if v is None or not np.isfinite(v):
        return "-"
    sign = ("+" if v > 0 else "-" if v < 0 else "") if signed else ""
    return sign + _in_unit(kind, abs(v) if signed else v, " points", currency)


def verdict(o: Outcome, diff: float, lo: float, hi: float) -> str:
    """'better', 'worse', 'clear' (a clear change neither better nor worse) or 'unclear'."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
        return "unclear"
    if o.better is None:
        return "clear"
    up = diff > 0
    return "better" if up == (o.better == "higher") else "worse"


#: Over which part of the horizon each outcome is measured (``sim.experiment.HEADLINES``);
#: ``{w}`` is the horizon in weeks.
WHEN = {
    "net_benefit_total": "over {w} weeks",
    "roi": "over {w} weeks",
    "annual_churn": "in the last 52 of {w} weeks",
    "annual_staff_turnover": "in the last 52 of {w} weeks",
    "decision_latency_days": "in the last 13 of {w} weeks",
    "first_contact_resolution": "in the last 13 of {w} weeks",
    "silent_churn_share": "over {w} weeks",
    "complaints_per_churner": "over {w} weeks",
}


def when(o: Outcome, weeks: int) -> str:
    """When the outcome is measured, in words ('over 104 weeks, cumulative', 'at week 104').

    Yearly rates of a run shorter than a year are annualised from the weeks there are.
    """
    text = WHEN.get(o.key, "at week {w}")
    if weeks < 52 and "52 of" in text:
        text = "over {w} weeks, as a yearly rate"
    if weeks < 13 and "13 of" in text:
        text = "over {w} weeks"
    return text.format(w=weeks)


def sentence(o: Outcome, row: pd.Series, weeks: int, currency: str = "") -> str:
    """One plain-words sentence on an outcome: levels, change and 95% CI, with its horizon.

    Args:
        o: the outcome.
        row: its row of the outcome table.
        weeks: the horizon (said in the sentence: ``when``).
        currency: code written after amounts of money.
    """
    cur = fmt_value(o.kind, row["current"], currency)
    prop = fmt_value(o.kind, row["proposed"], currency)
    d, lo, hi = row["difference"], row["difference_ci_low"], row["difference_ci_high"]
    v = verdict(o, d, lo, hi)
    lo_t, hi_t = fmt_change(o.kind, lo, True, currency), fmt_change(o.kind, hi, True, currency)
    label = f"{o.label}, {when(o, weeks)},"
    if v == "unclear":
        return (
            f"{label} shows no clear difference ({cur} now, {prop} proposed; the change could be "
            f"anywhere from {lo_t} to {hi_t})."
        )
    direction = "rises" if d > 0 else "falls"
    return (
        f"{label} {direction} from {cur} to {prop}, by "
        f"{fmt_change(o.kind, abs(d), currency=currency)} (95% CI {lo_t} to {hi_t})."
    )


def fmt_money(v: float, currency: str = "") -> str:
    """Money as in the outcome tables (0, 81,510 USD, 1.23M USD)."""
    return fmt_value("money", v, currency)


def _reached_text(data: ReportData) -> str:
    """In plain words: the proposed design is reached gradually from the current one."""
    t = data.table
    rows = t[t["section"] == "change_cost"].set_index("key")
    prop, cp = data.proposed, data.proposed.change_programme
    if not prop.design.from_base or rows.empty:
        return (
            "The proposed design is compared as if it had always been in place: it does not name "
            "the current design as its base, so no cost or delay of getting there is counted."
        )
    week = prop.design.change_week + 1
    p = rows["proposed"]
    parts = [
        "How the proposed design is reached. It is not compared as if it had always been in "
        "place: both designs start from the current organisation's settings at rest, and from "
        f"week {week} the proposed changes are made."
    ]
    if prop.design.set:
        parts.append(
            "Culture settings move towards their new values gradually, half the remaining way "
            f"every {cp.structure_half_life_weeks:g} weeks for rules, rights, leaders' "
            "commitment and onboarding (socialisation), every "
            f"{cp.coaching_half_life_weeks:g} weeks for managers learning to coach and every "
            f"{cp.norm_half_life_weeks:g} weeks for shared norms (safety, customer orientation, "
            "information sharing)."
        )
    if p["people_moved"] or p["positions_removed"]:
        parts.append(
            f"The new structure moves {p['people_moved']:.0f} people to a new manager or unit "
            f"and removes {p['positions_removed']:.0f} positions; the model cannot switch "
            f"structures during a run, so the new chart is in place from week {week} and its "
            "switch is paid then, in money, time away from customers and customers' handovers."
        )
    cur_money = float(rows.loc["money", "current"])
    parts.append(
        f"Getting there costs {fmt_money(float(p['money']), data.currency)} and about "
        f"{p['away_person_weeks']:,.0f} front-line weeks away from customers (first paired run); "
        + (
            "the current design pays nothing."
            if cur_money == 0
            else f"the current design pays {fmt_money(cur_money, data.currency)} for its own "
            "scheduled changes."
        )
    )
    return " ".join(parts)


def _clear(o: Outcome, m: float, lo: float, hi: float) -> str:
    """'better', 'worse' or 'unclear' for an effect with its CI (NaN: 'unclear')."""
    return verdict(o, m, lo, hi) if np.isfinite(m) else "unclear"


def breakdown_findings(
    bd: pd.DataFrame, full: pd.Series | None = None, currency: str = ""
) -> list[str]:
    """In words, from the breakdown's numbers: which change carries the result, which is
    harmful on its own, which only works together with the others.

    Args:
        bd: the breakdown table (``sim.breakdown.breakdown_table``).
        full: the proposal's net-benefit row of the outcome table (for the sum of the parts).
        currency: code written after amounts of money.
    """
    net, churn = _outcome_by_key("net_benefit_total"), _outcome_by_key("annual_churn")

    def money(v: float, signed: bool = True) -> str:
        return fmt_change("money", v, signed, currency)

    out: list[str] = []
    if bd.empty:
        return out
    ok = bd[np.isfinite(bd["contribution_net_benefit_total"].to_numpy(float))]
    if len(ok) > 1:
        top = ok.loc[ok["contribution_net_benefit_total"].idxmax()]
        v = _clear(
            net,
            top["contribution_net_benefit_total"],
            top["contribution_net_benefit_total_ci_low"],
            top["contribution_net_benefit_total_ci_high"],
        )
        if v == "better":
            out.append(
                f"{top['label']} carries most of the result: leaving it out of the proposal "
                "lowers the cumulative net benefit by "
                f"{money(top['contribution_net_benefit_total'], False)} (95% CI "
                f"{money(top['contribution_net_benefit_total_ci_low'])} to "
                f"{money(top['contribution_net_benefit_total_ci_high'])})."
            )
    for r in bd.itertuples():
        row = r._asdict()
        a_net = [row[f"alone_net_benefit_total{x}"] for x in ("", "_ci_low", "_ci_high")]
        a_ch = [row[f"alone_annual_churn{x}"] for x in ("", "_ci_low", "_ci_high")]
        c_net = [row[f"contribution_net_benefit_total{x}"] for x in ("", "_ci_low", "_ci_high")]
        c_ch = [row[f"contribution_annual_churn{x}"] for x in ("", "_ci_low", "_ci_high")]
        alone_v = (_clear(net, *a_net), _clear(churn, *a_ch))
        with_v = (_clear(net, *c_net), _clear(churn, *c_ch))
        alone_text = (
            f"alone it changes net benefit by {money(a_net[0])} and churn by "
            f"{fmt_change('pct', a_ch[0], True)}"
        )
        if "worse" in alone_v:
            tail = (
                "; inside the proposal it adds "
                f"{money(c_net[0])} of net benefit and "
                f"{fmt_change('pct', c_ch[0], True)} of churn, so it only works together with "
                "the other changes."
                if "better" in with_v and "worse" not in with_v
                else "."
            )
            out.append(f"{r.label} is harmful on its own: {alone_text}{tail}")
        elif "better" not in alone_v and "better" in with_v:
            out.append(
                f"{r.label} only works together with the other changes: {alone_text} (no clear "
                f"gain), but leaving it out loses {money(c_net[0], False)} of net benefit."
            )
    if full is not None and len(ok) > 1:
        parts = float(ok["alone_net_benefit_total"].sum())
        whole = float(full["difference"])
        out.append(
            f"The changes alone add up to {money(parts)} of net benefit; "
            f"together they give {money(whole)}: "
            + (
                "they reinforce each other."
                if whole > parts
                else "together they give less than the sum of their parts."
            )
        )
    return out


def _compare_row(section: str, r: Any, f: str) -> str:
    """One table row: label, current, proposed and the signed change, each cell formatted by ``f``."""
    sign = "+" if r.difference > 0 else ""
    return (
        f"<tr><td>{html.escape(str(r.label))}</td>"
        + _num(section, r.key, "current", r.current, f.format(r.current))
        + _num(section, r.key, "proposed", r.proposed, f.format(r.proposed))
        + _num(section, r.key, "difference", r.difference, sign + f.format(r.difference))
        + "</tr>"
    )


def _spans_html(data: ReportData) -> list[str]:
    """Spans and layers of both charts, the widest spans and the overloaded managers by name."""
    from sim.chart_preview import WIDE_SPAN

    e = html.escape
    rows = data.table[data.table["section"] == "spans"]
    if rows.empty:
        return []
    parts = [
        "<h3>Spans and layers</h3><p>From the org charts as the designs have them (the same "
        "figures as <code>python run.py chart</code>).</p><table><tr><th>spans and layers</th>"
        "<th>current</th><th>proposed</th><th>change</th></tr>"
    ]
    for r in rows.itertuples():
        f = "{:.3f}" if r.key == "per_staff" else "{:.2f}" if r.key == "mean" else "{:g}"
        parts.append(_compare_row("spans", r, f))
    parts.append("</table>")
    for name in ("current", "proposed"):
        sp = data.spans[name]
        widest = "; ".join(f"{w}: {k} reports" for w, k in sp.top)
        parts.append(f"<p><b>Widest spans, {name} design:</b> {e(widest)}.</p>")
        if sp.overloaded:
            shown = sp.overloaded[:12]
            more = len(sp.overloaded) - len(shown)
            names = "; ".join(f"{w}: {k} reports" for w, k in shown)
            parts.append(
                f"<p class='warn'><b>Overloaded managers, {name} design</b> (more than "
                f"{WIDE_SPAN} reports): {e(names)}"
                + (f"; and {more} more" if more > 0 else "")
                + ".</p>"
            )
    return parts


def _breakdown_html(data: ReportData) -> list[str]:
    """The section 'The effect of each change': findings in words and the table."""
    e = html.escape
    bd = data.breakdown
    if bd.empty:
        return []
    weeks = data.current.horizon_weeks
    out = data.table[data.table["section"] == "outcome"].set_index("key")
    parts = [
        "<h2>The effect of each change</h2><p>Each change of the proposal run on its own (the "
        "current design plus that change) and the proposal with that change left out, on the "
        f"same {data.replicates} paired runs. Effects are on cumulative net benefit over "
        f"{weeks} weeks and on annual churn, with 95% confidence intervals (simulation noise); "
        "'if left out' is what the proposal loses without the change.</p><ul>"
    ]
    parts += [
        f"<li>{e(x)}</li>"
        for x in breakdown_findings(bd, out.loc["net_benefit_total"], data.currency)
    ]
    parts.append(
        "</ul><table><tr><th>change</th><th>net benefit, alone</th><th>95% CI</th>"
        "<th>net benefit lost if left out</th><th>95% CI</th><th>churn, alone</th>"
        "<th>95% CI</th><th>churn change if left in (vs left out)</th><th>95% CI</th></tr>"
    )
    for r in bd.itertuples():
        row = r._asdict()
        cells = []
        for col, kind in (
            ("alone_net_benefit_total", "money"),
            ("contribution_net_benefit_total", "money"),
            ("alone_annual_churn", "pct"),
            ("contribution_annual_churn", "pct"),
        ):
            m, lo, hi = row[col], row[f"{col}_ci_low"], row[f"{col}_ci_high"]
            cur = data.currency if kind == "money" else ""
            cells.append(
                _num("breakdown", str(r.change), col, m, fmt_change(kind, m, True, cur))
                + f"<td class='n'>{e(fmt_change(kind, lo, True, cur))} to "
                f"{e(fmt_change(kind, hi, True, cur))}</td>"
            )
        note = f" <i>({e(r.note)})</i>" if r.note else ""
        parts.append(f"<tr><td>{r.change}. {e(r.label)}{note}</td>{''.join(cells)}</tr>")
    parts.append(
        "</table><p>All numbers, the proposal without each change included, are in "
        f"<code>{e(breakdown_path(Path(data.out_name)).name if data.out_name else 'STEM-breakdown.csv')}"
        "</code>.</p>"
    )
    return parts


def assumption_sentence(data: ReportData, key: str) -> str:
    """The difference with assumptions drawn, beside the noise-only interval, in words."""
    o = _outcome_by_key(key)
    t = data.table.set_index(["section", "key"])
    a, n = t.loc[("with_assumptions", key)], t.loc[("outcome", key)]
    weeks = data.current.horizon_weeks

    def ch(v: float) -> str:
        return fmt_change(o.kind, v, True, data.currency)

    return (
        f"{o.label} ({when(o, weeks)}), proposed minus current: allowing for {data.factors} "
        "uncertain assumptions drawn jointly from their plausible ranges "
        f"({data.replicates} paired runs, one draw each), the change averages {ch(a['difference'])} and "
        f"lies between {ch(a['range_low'])} and "
        f"{ch(a['range_high'])} in 95% of plausible worlds (prediction "
        f"interval); with the scenario's own values it is {ch(n['difference'])}"
        f", 95% CI {ch(n['difference_ci_low'])} to "
        f"{ch(n['difference_ci_high'])} (simulation noise only)."
    )


def _depends_on(table: pd.DataFrame, key: str, currency: str = "") -> str:
    """What the difference depends on most, from the Morris screen's rows."""
    o = _outcome_by_key(key)
    t = table[table["section"] == f"screen:{key}"].sort_values("mu_star", ascending=False)
    if t.empty:
        return ""
    top = [
        f"{r.label.lower()} (about {fmt_change(o.kind, r.mu_star, currency=currency)} over its "
        "range)"
        for r in t.iloc[:3].itertuples()
    ]
    return (
        f"The difference in {o.label.split(' (')[0].lower()} moves most with "
        + ", ".join(top[:-1])
        + (" and " if len(top) > 1 else "")
        + top[-1]
        + "."
    )


def _uncertainty_html(data: ReportData) -> list[str]:
    """The section 'What the result depends on': both intervals, the screen chart and table."""
    e = html.escape
    t = data.table
    cur = data.currency
    rows = t[t["section"] == "with_assumptions"].set_index("key")
    out = t[t["section"] == "outcome"].set_index("key")
    groups = int((t["section"] == f"screen:{SCREEN_KEYS[0]}").sum())
    parts = [
        "<h2>What the result depends on</h2><p>The model's parameters are plausible, not measured "
        f"on this company. {data.factors} of them are flagged as uncertain in the schema, each "
        "with a plausible range. The results above use the scenario's values; here every one is "
        "drawn at once, uniformly from its range, for each paired run (the same draw for both "
        "designs), so the spread covers the assumptions as well as the simulation's noise. The "
        "95% range is a prediction interval: where the change falls in 95% of plausible "
        "worlds.</p><table><tr><th>change (proposed minus current)</th><th>scenario values: "
        "change</th><th>95% CI (noise only)</th><th>assumptions drawn: mean change</th>"
        "<th colspan='2'>95% range over plausible worlds (from, to)</th></tr>"
    ]
    for o in OUTCOMES:
        if o.key not in SUMMARY_KEYS:
            continue
        a, n = rows.loc[o.key], out.loc[o.key]
        parts.append(
            f"<tr><td>{e(o.label)}</td>"
            + _num(
                "outcome",
                o.key,
                "difference",
                n["difference"],
                fmt_change(o.kind, n["difference"], True, cur),
            )
            + f"<td class='n'>{e(fmt_change(o.kind, n['difference_ci_low'], True, cur))} to "
            f"{e(fmt_change(o.kind, n['difference_ci_high'], True, cur))}</td>"
            + _num(
                "with_assumptions",
                o.key,
                "difference",
                a["difference"],
                fmt_change(o.kind, a["difference"], True, cur),
            )
            + _num(
                "with_assumptions",
                o.key,
                "range_low",
                a["range_low"],
                fmt_change(o.kind, a["range_low"], True, cur),
            )
            + _num(
                "with_assumptions",
                o.key,
                "range_high",
                a["range_high"],
                fmt_change(o.kind, a["range_high"], True, cur),
            )
            + "</tr>"
        )
    parts.append("</table>")
    if data.excluded:
        parts.append(
            "<p>Not drawn, because the designs set them (decisions, not assumptions): "
            + ", ".join(e(setting_label(k, cur)) for k in data.excluded)
            + ".</p>"
        )
    parts.append(
        "<p>Which assumptions matter most: a global screen (Morris elementary effects, SALib; "
        f"{data.screen_trajectories} trajectories, {data.screen_runs} runs on one seed) moves "
        f"the uncertain parameters over their ranges in {groups} groups: the assumptions the "
        "result was found to hang on one by one, the others by the mechanism they belong to "
        "(the number of parameters in brackets). A bar is about how far the difference moves "
        "when the group goes from the low to the high end of its range (mu*); the thin line is "
        "sigma, large when the effect depends on the other assumptions.</p>"
        f"<img alt='assumption screen' src='data:image/png;base64,{chart_screen(data)}'>"
        "<table><tr><th>assumptions</th><th>parameters</th>"
    )
    for key in SCREEN_KEYS:
        o = _outcome_by_key(key)
        parts.append(f"<th>{e(o.label.split(' (')[0])}: mu*</th><th>sigma</th>")
    parts.append("</tr>")
    screens = {k: t[t["section"] == f"screen:{k}"].set_index("key") for k in SCREEN_KEYS}
    for g in screens[SCREEN_KEYS[0]].index:
        first = screens[SCREEN_KEYS[0]].loc[g]
        parts.append(f"<tr><td>{e(str(g))}</td><td class='n'>{int(first['parameters'])}</td>")
        for key in SCREEN_KEYS:
            o = _outcome_by_key(key)
            r = screens[key].loc[g]
            sec = f"screen:{key}"
            parts.append(
                _num(
                    sec,
                    str(g),
                    "mu_star",
                    r["mu_star"],
                    fmt_change(o.kind, r["mu_star"], currency=cur),
                )
                + _num(
                    sec, str(g), "sigma", r["sigma"], fmt_change(o.kind, r["sigma"], currency=cur)
                )
            )
        parts.append("</tr>")
    parts.append("</table>")
    return parts


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------

COLOURS = {"current": "#6b7280", "proposed": "#0f766e"}
TIME_CHARTS = (
    ("adoption_rate", "CRM adoption", "pct"),
    ("satisfaction_mean", "Customer satisfaction", "score"),
    ("churn_rate", "Weekly churn (8-week mean)", "pct"),
    ("decision_latency_days", "Days to a customer decision", "days"),
    ("morale_mean", "Employee morale", "score"),
    ("net_benefit_total", "Cumulative net benefit (M)", "money"),
)


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _band(piv: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    m = piv.mean(axis=1)
    k = piv.shape[1]
    if k < 2:
        return m, m, m
    half = stats.t.ppf(0.975, k - 1) * piv.std(axis=1, ddof=1) / np.sqrt(k)
    return m, m - half, m + half


def chart_over_time(data: ReportData) -> str:
    """Six outcomes per week, both designs, mean and 95% band over replicates (base64 PNG)."""
    plt = _plt()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), constrained_layout=True)
    labels = {"current": "current", "proposed": "proposed"}
    for ax, (col, title, kind) in zip(axes.ravel(), TIME_CHARTS):
        for name, g in data.weekly.groupby("scenario", sort=False):
            piv = g.pivot(index="week", columns="replicate", values=col)
            if col == "churn_rate":
                piv = piv.rolling(8, min_periods=1).mean()
            scale = 1e-6 if kind == "money" else 100.0 if kind == "pct" else 1.0
            m, lo, hi = (x * scale for x in _band(piv))
            if kind == "pct":
                lo, hi = lo.clip(lower=0), hi.clip(upper=100)
            ax.plot(m.index, m.values, color=COLOURS[name], lw=1.8, label=labels[name])
            ax.fill_between(m.index, lo, hi, color=COLOURS[name], alpha=0.18, lw=0)
        ax.set_title(title + (" (%)" if kind == "pct" else ""), fontsize=11)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=9, loc="best")
    return _png(fig)


def chart_churn_seen(data: ReportData) -> str:
    """Customers lost vs complaints management hears, cumulative, per design (base64 PNG)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.2), sharey=True, constrained_layout=True)
    for ax, (name, g) in zip(axes, data.weekly.groupby("scenario", sort=False)):
        for col, label, style in (
            ("churned_total", "customers lost (truth)", "-"),
            ("churned_silent_total", "lost without ever complaining", ":"),
            ("complaints_total", "complaints received (what management sees)", "--"),
        ):
            m, lo, hi = _band(g.pivot(index="week", columns="replicate", values=col))
            ax.plot(m.index, m.values, ls=style, color=COLOURS[name], lw=1.8, label=label)
            ax.fill_between(m.index, lo, hi, color=COLOURS[name], alpha=0.12, lw=0)
        ax.set_title(f"{name}: churn as it is and as management sees it", fontsize=11)
        ax.set_xlabel("week")
        ax.set_ylabel("customers (cumulative)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    return _png(fig)


def chart_screen(data: ReportData) -> str:
    """Which assumptions move the result most: Morris mu* per group, both results (base64 PNG).

    Bars are mu*, about how far the difference moves when the group goes from the low to the
    high end of its plausible range; the thin line is sigma (the effect's spread: interactions
    or non-linearity). Labels are plain names, one per line, in a wide left margin.
    """
    plt = _plt()
    n = int((data.table["section"] == f"screen:{SCREEN_KEYS[0]}").sum())
    fig, axes = plt.subplots(
        1, len(SCREEN_KEYS), figsize=(13, 1.2 + 0.36 * max(n, 4)), constrained_layout=True
    )
    for ax, key in zip(np.atleast_1d(axes), SCREEN_KEYS):
        o = _outcome_by_key(key)
        t = data.table[data.table["section"] == f"screen:{key}"].copy()
        t = t.sort_values("mu_star", ascending=True, kind="stable")
        scale = 1e-6 if o.kind == "money" else 100.0 if o.kind == "pct" else 1.0
        y = np.arange(len(t))
        mu = t["mu_star"].to_numpy(float) * scale
        sd = np.nan_to_num(t["sigma"].to_numpy(float) * scale)
        ax.barh(y, mu, color="#0f766e", alpha=0.8, height=0.6, label="mu* (mean effect size)")
        ax.errorbar(mu, y, xerr=[np.zeros_like(sd), sd], fmt="none", ecolor="#374151", lw=0.8)
        names = [f"{g} ({int(k)})" if k > 1 else g for g, k in zip(t["label"], t["parameters"])]
        ax.set_yticks(y, names, fontsize=9)  # each panel has its own order
        unit = " (M)" if o.kind == "money" else " (points)" if o.kind == "pct" else ""
        ax.set_xlabel(f"mu*: effect over the plausible range{unit}")
        ax.set_title(f"Difference in {o.label.split(' (')[0].lower()}", fontsize=11)
        ax.grid(alpha=0.3, axis="x")
        ax.set_xlim(left=0)
    return _png(fig)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1.2em;color:#111827;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.1em}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.2em;
margin-top:1.8em}.sub{color:#6b7280;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.92em}
th,td{border-bottom:1px solid #e5e7eb;padding:.35em .5em;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
th{background:#f9fafb}.better{color:#047857;font-weight:600}.worse{color:#b91c1c;
font-weight:600}.unclear{color:#6b7280}.clear{color:#1f2937;font-weight:600}
.warn{background:#fef2f2;border-left:4px solid #b91c1c;padding:.4em .8em}
.box{background:#f0fdfa;border-left:4px solid #0f766e;padding:.6em 1em;margin:1em 0}
ul.summary li{margin:.35em 0}img{max-width:100%;height:auto}
footer{margin-top:2.5em;font-size:.8em;color:#4b5563;border-top:1px solid #e5e7eb;padding-top:.8em}
code{background:#f3f4f6;padding:0 .25em;border-radius:3px;font-size:.9em}
"""


def _v(value: float | None) -> str:
    """A number at full precision for a data-value attribute ('nan' when missing)."""
    return "nan" if value is None or not np.isfinite(value) else repr(float(value))


def _num(section: str, key: str, column: str, value: float, text: str) -> str:
    """A table cell whose number matches the CSV (data-key/data-value)."""
    v = _v(value)
    return (
        f'<td class="n" data-key="{html.escape(f"{section}|{key}|{column}")}" data-value="{v}">'
        f"{html.escape(text)}</td>"
    )


def _show(value: Any) -> str:
    """A scenario setting as text (programme steps as 'urgency (week 0), ...')."""
    steps = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
    if steps and all({"step", "week"} <= set(v) for v in value):
        return ", ".join(f"{v['step']} (week {v['week']})" for v in value)
    return str(value)


def _outcome_by_key(key: str) -> Outcome:
    return next(o for o in OUTCOMES if o.key == key)


def _designs_html(data: ReportData) -> list[str]:
    """The two designs as their files describe themselves (name, file, description)."""
    e = html.escape
    parts = ["<h2>The designs</h2><dl>"]
    for what, s, path in (
        ("Current design", data.current, data.current_path),
        ("Proposed design", data.proposed, data.proposed_path),
    ):
        text = " ".join(s.description.split()) or "(the file gives no description)"
        parts.append(
            f"<dt><b>{what}: {e(s.name)}</b> <span class='sub'>({e(Path(path).name)})</span></dt>"
            f"<dd>{e(text)}</dd>"
        )
    parts.append("</dl>")
    return parts


def _practitioner_rows(heads: pd.DataFrame, weekly: pd.DataFrame) -> list[dict[str, Any]]:
    """The current design's levels beside the practitioner ranges (``sim.practitioner``).

    Mean and 95% CI over the paired runs of the current design; CRM adoption is read at
    ``ADOPTION_WEEK`` (NaN when the horizon is shorter).
    """
    from sim.experiment import mean_ci
    from sim.practitioner import PRACTITIONER_RANGES, adoption_at_week

    cur = heads[heads["scenario"] == "current"]
    rows = []
    for r in PRACTITIONER_RANGES:
        if r.key == "adoption_week52":
            values = adoption_at_week(weekly[weekly["scenario"] == "current"])
        else:
            values = cur[r.key]
        values = values.to_numpy(float)
        m, lo, hi = mean_ci(values)
        rows.append(
            _row(
                "practitioner",
                r.key,
                r.label,
                current=m,
                current_ci_low=lo,
                current_ci_high=hi,
                replicates=float(np.isfinite(values).sum()),
                range_low=r.low,
                range_high=r.high,
            )
        )
    return rows


def practitioner_html(table: pd.DataFrame, weeks: int) -> list[str]:
    """'Compared with practitioner ranges': the current design's levels, with a warning when
    any mean lies outside its range.

    Args:
        table: the report's table (its ``practitioner`` rows).
        weeks: the horizon.
    """
    from sim.practitioner import PRACTITIONER_RANGES, outside

    e = html.escape
    rows = table[table["section"] == "practitioner"].set_index("key")
    if rows.empty:
        return []
    kinds = {o.key: o.kind for o in OUTCOMES}
    out_of_range, body = [], []
    for r in PRACTITIONER_RANGES:
        row = rows.loc[r.key]
        kind = kinds.get(r.key, "pct")
        m = float(row["current"])
        span = f"{fmt_value(kind, r.low)} to {fmt_value(kind, r.high)}"
        if not np.isfinite(m):
            verdict_text, cls = "not measured (the run is too short)", "unclear"
        elif outside(m, r):
            verdict_text, cls = "outside", "worse"
            out_of_range.append(f"{r.label.lower()} {fmt_value(kind, m)} (typical {span})")
        else:
            verdict_text, cls = "inside", "better"
        body.append(
            f"<tr><td>{e(r.label)}</td>"
            + _num("practitioner", r.key, "current", m, fmt_value(kind, m))
            + f"<td class='n'>{e(fmt_value(kind, row['current_ci_low']))} to "
            f"{e(fmt_value(kind, row['current_ci_high']))}</td>"
            + _num("practitioner", r.key, "range_low", r.low, fmt_value(kind, r.low))
            + _num("practitioner", r.key, "range_high", r.high, fmt_value(kind, r.high))
            + f"<td class='{cls}'>{e(verdict_text)}</td><td>{e(r.source)}</td></tr>"
        )
    parts = [
        "<h3>Compared with practitioner ranges</h3><p>The current design's levels in the model "
        f"(mean over its runs, {weeks} weeks) beside the ranges practitioners report for "
        "typical organisations (the model's calibration targets, docs/ODD.md section 7).</p>"
    ]
    if out_of_range:
        parts.append(
            "<p class='warn'><b>Warning: the current organisation is outside practitioner "
            "ranges</b>: "
            + e("; ".join(out_of_range))
            + ". Levels this far from typical mean the model's defaults may not describe this "
            "organisation: check the inputs (org chart, customer book, culture scores) and "
            "calibrate before reading the differences as a forecast.</p>"
        )
    parts.append(
        "<table><tr><th>level</th><th>current design</th><th>95% CI</th><th>typical from</th>"
        "<th>typical to</th><th></th><th>source</th></tr>" + "".join(body) + "</table>"
    )
    return parts


def render_html(data: ReportData) -> str:
    """The self-contained HTML report."""
    e = html.escape
    t = data.table
    out = t[t["section"] == "outcome"].set_index("key")
    cur, prop = data.current, data.proposed
    weeks = cur.horizon_weeks
    money = data.currency
    parts: list[str] = []
    parts.append(
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Org design test: "
        f"{e(prop.name)} vs {e(cur.name)}</title><style>{CSS}</style></head><body>"
    )
    parts.append(f"<h1>Org design test: {e(prop.name)} vs {e(cur.name)}</h1>")
    parts.append(
        f"<p class='sub'>{data.replicates} paired simulation runs per design over {weeks} weeks, "
        f"on common random numbers. Generated {dt.datetime.now():%Y-%m-%d %H:%M}.</p>"
    )
    parts.extend(_designs_html(data))
    # executive summary
    parts.append("<h2>Executive summary</h2>")
    churn, net = out.loc["annual_churn"], out.loc["net_benefit_total"]
    parts.append(
        "<div class='box'><p><b>Bottom line.</b> "
        + e(sentence(_outcome_by_key("net_benefit_total"), net, weeks, money))
        + " "
        + e(sentence(_outcome_by_key("annual_churn"), churn, weeks, money))
        + "</p><p><b>How sure we are.</b> "
        + e(assumption_sentence(data, "net_benefit_total"))
        + " "
        + e(assumption_sentence(data, "annual_churn"))
        + " <b>What it depends on.</b> "
        + e(_depends_on(t, "net_benefit_total", money))
        + " "
        + e(_depends_on(t, "annual_churn", money))
        + "</p></div>"
    )
    parts.extend(practitioner_html(t, weeks))
    parts.append(f"<p>{e(_reached_text(data))}</p>")
    parts.append("<ul class='summary'>")
    for key in SUMMARY_KEYS:
        o = _outcome_by_key(key)
        r = out.loc[key]
        v = verdict(o, r["difference"], r["difference_ci_low"], r["difference_ci_high"])
        tag = {"better": "better", "worse": "worse", "unclear": "no clear change", "clear": "clear"}
        parts.append(
            f"<li><span class='{v}'>[{tag[v]}]</span> {e(sentence(o, r, weeks, money))}</li>"
        )
    parts.append("</ul>")
    # what changes
    parts.append("<h2>What changes</h2><ol>")
    parts.extend(f"<li>{e(c)}</li>" for c in data.changes)
    parts.append("</ol>")
    parts.append(
        "<table><tr><th>Organisation</th><th>current</th><th>proposed</th><th>change</th></tr>"
    )
    for r in t[t["section"] == "structure"].itertuples():
        f = (
            "{:.2f}"
            if r.key
            in (
                "mean_span",
                "front_line_authority",
                "front_line_effective_authority",
                "cross_unit_tie_share",
            )
            else "{:.0f}"
        )
        parts.append(_compare_row("structure", r, f))
    parts.append("</table>")
    parts.extend(_payroll_html(t, money, weeks))
    parts.extend(_spans_html(data))
    cost_rows = t[t["section"] == "change_cost"]
    if len(cost_rows):
        parts.append(
            "<p>The cost of moving from the current design to the proposed one (first paired run; "
            "the money is inside the cumulative net benefit):</p><table><tr><th>change</th>"
            "<th>current</th><th>proposed</th></tr>"
        )
        for r in cost_rows.itertuples():
            is_money = ("change_cost", r.key) in MONEY_ROWS
            f = (lambda v: fmt_money(v, money)) if is_money else "{:,.0f}".format
            parts.append(
                f"<tr><td>{e(r.label)}</td>"
                + _num("change_cost", r.key, "current", r.current, f(r.current))
                + _num("change_cost", r.key, "proposed", r.proposed, f(r.proposed))
                + "</tr>"
            )
        parts.append("</table>")
    if data.settings_diff:
        reached = (
            f" (the proposed values are reached from week {prop.design.change_week + 1})"
            if prop.design.from_base
            else ""
        )
        parts.append(
            f"<p>Scenario settings that differ{e(reached)}:</p><table><tr><th>setting</th>"
            "<th>current</th><th>proposed</th></tr>"
        )
        for k, a, b in data.settings_diff:
            parts.append(
                f"<tr><td>{e(setting_label(k, money))}</td><td>{e(_show(a))}</td>"
                f"<td>{e(_show(b))}</td></tr>"
            )
        parts.append("</table>")
    parts.extend(_breakdown_html(data))
    # results table
    parts.append(
        f"<h2>Results over {weeks} weeks</h2><p>Mean over {data.replicates} runs with its 95% "
        "confidence interval; the change is proposed minus current, paired run by run. Each "
        "outcome says when it is measured.</p>"
        "<table><tr><th>outcome</th><th>current</th><th>proposed</th><th>change</th>"
        "<th>95% CI of the change</th><th></th></tr>"
    )
    for o in OUTCOMES:
        r = out.loc[o.key]
        v = verdict(o, r["difference"], r["difference_ci_low"], r["difference_ci_high"])
        ci_text = (
            f"{fmt_change(o.kind, r['difference_ci_low'], True, money)} to "
            f"{fmt_change(o.kind, r['difference_ci_high'], True, money)}"
        )
        change_text = fmt_change(o.kind, r["difference"], True, money)
        tag = "changed" if v == "clear" else v
        parts.append(
            f"<tr><td>{e(o.label)} ({e(when(o, weeks))})</td>"
            + _num(
                "outcome", o.key, "current", r["current"], fmt_value(o.kind, r["current"], money)
            )
            + _num(
                "outcome", o.key, "proposed", r["proposed"], fmt_value(o.kind, r["proposed"], money)
            )
            + _num("outcome", o.key, "difference", r["difference"], change_text)
            + f"<td class='n'>{e(ci_text)}</td><td class='{v}'>{tag}</td></tr>"
        )
    parts.append("</table>")
    # charts
    parts.append(
        "<h2>Over time</h2><p>Mean per week over the runs, with a 95% band. The shaded bands "
        "overlap where the designs cannot be told apart.</p>"
        f"<img alt='outcomes over time' src='data:image/png;base64,{chart_over_time(data)}'>"
    )
    parts.append(
        "<h2>Churn as it is, and as management sees it</h2><p>Most unhappy customers leave "
        "without complaining, so complaints understate churn. Lines: customers lost (truth), those "
        "of them who never complained, and complaints received.</p>"
    )
    seen = [
        sentence(_outcome_by_key(k), out.loc[k], weeks, money)
        for k in ("silent_churn_share", "complaints_per_churner")
    ]
    parts.append(
        f"<p>{e(' '.join(seen))}</p>"
        f"<img alt='churn vs complaints' src='data:image/png;base64,{chart_churn_seen(data)}'>"
    )
    parts.extend(_uncertainty_html(data))
    parts.append("<h2>Assumptions</h2><p>Key settings of the current design:</p><table>")
    flat = _flatten(cur.model_dump(mode="json"))
    for k in (
        "horizon_weeks",
        "economics.currency",
        "customers.count",
        "customers.file" if cur.customers.file else "customers.annual_value",
        "customers.base_churn_annual",
        "people.salary_annual",
        "economics.gross_margin",
        "crm.go_live_week",
        "crm.tool_quality",
        "crm.licence_cost_per_user_week",
        "crm.implementation_cost",
        "culture.psychological_safety",
        "culture.decision_rights",
        "culture.information_sharing",
        "culture.executive_commitment",
        "culture.responsiveness",
    ):
        parts.append(
            f"<tr><td>{e(setting_label(k, money))}</td><td>{e(_show(flat.get(k)))}</td></tr>"
        )
    parts.append(
        "</table><p>Every mechanism and its source is in <code>docs/ODD.md</code>. The model "
        "compares designs on common random numbers; its parameters are plausible rather than "
        "estimated from this company's data, so read the differences, not the levels, and test "
        "the assumptions that matter most (above) against your own data. Every parameter, its "
        "range and source: <code>python run.py params</code>.</p>"
    )
    # footer
    from sim import __version__

    rev = _git_revision()
    seeds = ", ".join(str(s) for s in data.seeds)
    files = "".join(f"<li><code>{e(p)}</code> sha256 <code>{h}</code></li>" for p, h in data.files)
    over = (
        ", ".join(f"{setting_label(k, money)} = {v}" for k, v in data.overrides.items()) or "none"
    )
    parts.append(
        "<footer><b>Reproducibility.</b> orgsim-crm "
        f"{e(__version__)}; git revision {e(rev or 'not available')}; Python "
        f"{e(platform.python_version())}, numpy {e(np.__version__)}, pandas {e(pd.__version__)}. "
        f"Root seed {data.root_seed}; seeds of the paired runs (shared by both designs, every "
        f"breakdown design and the assumption draws; the screen runs on the first): {seeds}. "
        f"Overrides: {e(over)}. {len(data.heads)} runs in {data.elapsed:.0f} s."
        + (f" Command: <code>{e(data.command)}</code>." if data.command else "")
        + f"<ul>{files}</ul></footer></body></html>"
    )
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def csv_path(out: Path) -> Path:
    """The CSV written beside the report (same stem)."""
    return Path(out).with_suffix(".csv")


def report_outputs(out: Path) -> list[Output]:
    """What ``report --out`` writes: the HTML and, beside it, its CSV (same stem)."""
    out = Path(out)
    return [
        Output(out),
        Output(csv_path(out), what="the report's CSV", given=out),
        Output(breakdown_path(out), what="the report's breakdown CSV", given=out),
    ]


def check_out_path(out: Path, inputs: Sequence[str | Path] = ()) -> None:
    """Raise InputError unless ``out`` and its CSV can be written and are none of ``inputs``.

    Nothing is written. The CSV companion takes ``out``'s stem, so ``--out acme/customers.html``
    would replace ``acme/customers.csv``: refused when that file is an input.
    """
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--out {out}: expected an .html file name")
    if out.is_dir():
        raise InputError(f"--out {out}: is a folder; expected an .html file name")
    check_outputs(report_outputs(out), inputs)


def write_report(data: ReportData, out: Path) -> tuple[Path, Path]:
    """Render and write the HTML and CSV atomically (temporary file + ``os.replace``).

    Returns:
        (html path, csv path).
    """
    out = Path(out)
    page = render_html(data)
    table = str(csvsafe.to_csv(data.table))  # text cells neutralised for spreadsheets
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_out = csv_path(out)
    write_text(table, csv_out)
    # the breakdown's net-benefit effects are money: its CSV says in which currency
    breakdown = data.breakdown.assign(currency=data.currency)
    write_text(str(csvsafe.to_csv(breakdown)), breakdown_path(out))
    write_text(page, out)
    return out, csv_out


def print_summary(data: ReportData, stream: Any = None) -> None:
    """The executive summary's sentences on the terminal."""
    stream = stream or sys.stdout
    out = data.table[data.table["section"] == "outcome"].set_index("key")
    for key in SUMMARY_KEYS:
        o = _outcome_by_key(key)
        print(
            "- " + sentence(o, out.loc[key], data.current.horizon_weeks, data.currency), file=stream
        )


class Progress:
    """What a running report tells its user: a bar on a terminal, plain lines otherwise.

    When the stream is not a terminal (output redirected to a file or a pipe, a CI log) a bar
    would be one endless line of carriage returns, and tqdm then shows nothing at all; so each
    stage is one line, and the runs one line every ``step`` percent: ``Report: runs 40% (98 of
    244), 23 s``.
    """

    def __init__(self, stream: Any, *, step: int = 10, tty: bool | None = None) -> None:
        self.stream = stream
        self.step = step
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty()) if tty is None else tty
        self.bar: Any = None
        self.total = self.done = 0
        self.next_pct = step
        self.pending: list[tuple[str, float]] = []
        self.t0 = time.perf_counter()

    def _line(self, text: str) -> None:
        print(
            f"Report: {text}, {time.perf_counter() - self.t0:.0f} s", file=self.stream, flush=True
        )

    def stage(self, name: str) -> None:
        """A stage starts. Stages before the runs are said once the inputs have passed their
        checks (at :meth:`runs`), so bad input still gets a one-line error and nothing else."""
        if self.total == 0:
            self.pending.append((name, time.perf_counter() - self.t0))
            return
        self._line(name)

    def runs(self, n: int) -> None:
        """The simulations start: ``n`` runs."""
        for name, at in self.pending:
            print(f"Report: {name}, {at:.0f} s", file=self.stream, flush=True)
        self.pending = []
        self.total, self.done, self.next_pct = n, 0, self.step
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(total=n, unit="run", file=self.stream)

    def advance(self, k: int) -> None:
        """``k`` more runs finished."""
        self.done += k
        if self.bar is not None:
            self.bar.update(k)
            return
        pct = 100 * self.done // max(self.total, 1)
        if pct >= self.next_pct:
            self._line(f"runs {pct}% ({self.done} of {self.total})")
            self.next_pct = (pct // self.step + 1) * self.step

    def close(self) -> None:
        """Close the bar, if there is one."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def report_command(
    current: Path,
    proposed: Path,
    out: Path,
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    overrides: dict[str, Any] | None = None,
    command: str = "",
    screen_trajectories: int = DEFAULT_SCREEN_TRAJECTORIES,
) -> tuple[Path, Path]:
    """``run.py report``: check the output path, compute, print the summary, write the files."""
    check_out_path(out)
    if workers < 1:
        raise InputError(f"--workers must be at least 1 (got {workers})")
    shown = Progress(sys.stderr)

    def start(n: int) -> None:
        print(
            f"Report: {n} runs (the pair over {replicates} paired runs, each change alone "
            "and left out, the pair with assumptions drawn, and the assumption screen), root "
            f"seed {seed}, {workers} worker{'s' if workers > 1 else ''}",
            file=sys.stderr,
            flush=True,
        )
        shown.runs(n)

    try:
        data = compute_report(
            current,
            proposed,
            replicates=replicates,
            seed=seed,
            workers=workers if replicates >= 2 else 1,
            overrides=overrides,
            screen_trajectories=screen_trajectories,
            progress=shown.advance,
            command=command,
            on_start=start,
            out=out,
            stage=shown.stage,
        )
    finally:
        shown.close()
    shown.stage(WRITE_STAGE)
    paths = write_report(data, out)
    print_summary(data)
    print(f"Report written to {paths[0]} (numbers in {paths[1]}) in {data.elapsed:.0f} s")
    return paths


__all__ = [
    "OUTCOMES",
    "ReportData",
    "compute_report",
    "render_html",
    "report_command",
    "write_report",
]
