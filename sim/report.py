"""A board-ready report comparing a current and a proposed org design, with uncertainty.

``python run.py report --current CURRENT.toml --proposed PROPOSED.toml --out report.html`` runs
both designs over replicates on common random numbers (``sim.experiment.run_replicates``:
replicate r uses the same seed in both designs, so the differences are paired), then re-runs the
pair with each of the five most uncertain assumptions (:data:`ASSUMPTIONS`) at the low and at
the high end of its documented range (a tornado analysis, same seeds again). It writes one
self-contained HTML file (inline CSS, charts as embedded base64 PNG, no external resources) and
a CSV with every number shown (same stem, ``.csv``), both atomically.

Uncertainty, in two kinds:

- **Simulation noise.** Each outcome's mean over replicates and its 95% Student-t confidence
  interval; each difference is paired by replicate (``sim.experiment.paired_differences``).
- **Assumptions.** The tornado chart: how the main result (the difference in cumulative net
  benefit, and in annual churn) moves when one assumption moves across its range, the others
  held at the scenario's values.

Every number in the HTML carries ``data-key="section|key|column"`` and ``data-value`` (full
precision) attributes that match the CSV's rows and columns.
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
from sim.breakdown import breakdown_columns, breakdown_designs, breakdown_path, breakdown_table
from sim.errors import InputError
from sim.experiment import (
    headlines_table,
    paired_differences,
    run_replicates,
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
class Assumption:
    """An uncertain scenario field and the range the tornado analysis tries."""

    path: str
    low: float
    high: float
    label: str
    why: str


#: The five assumptions the main result is most exposed to, with documented ranges.
ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "customers.issue_rate",
        0.03,
        0.10,
        "Service issues per customer per week",
        "A customer raises an issue every 10 to 33 weeks: the span of B2B help-desk benchmarks "
        "(about 1.5 to 5 tickets per account a year).",
    ),
    Assumption(
        "customers.dissatisfied_churn_annual",
        1.5,
        5.0,
        "How fast unhappy customers leave (yearly hazard)",
        "Half to 1.7 times the calibrated 3.0; keeps annual churn of the calibration preset "
        "inside the 10-30% benchmark range (docs/ODD.md 7.1).",
    ),
    Assumption(
        "people.base_quit_annual",
        0.15,
        0.45,
        "Front-line staff turnover at middling morale",
        "Contact-centre and inside-sales attrition surveys: 20-50% a year (docs/ODD.md 7.1).",
    ),
    Assumption(
        "crm.threshold_mean",
        0.40,
        0.70,
        "Share of colleagues who must use the CRM before a person follows",
        "Granovetter thresholds around the calibrated 0.55; spans CRM adoption at week 52 of "
        "25-60% (docs/ODD.md 7.1).",
    ),
    Assumption(
        "customers.complaint_propensity",
        0.006,
        0.025,
        "Chance a very unhappy customer complains to the firm in a week",
        "Contested: 'about 1 in 26 dissatisfied customers complains' (attributed to TARP for the "
        "U.S. Office of Consumer Affairs, Goodman 1999) against TARP's 1979 finding that most "
        "households with a problem complained to someone; the range spans both readings "
        "(docs/ODD.md 8.B). How willing customers are also depends on how the organisation "
        "listens (responsiveness).",
    ),
)


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
#: The main results the tornado analysis follows (proposed minus current).
TORNADO_KEYS = ("net_benefit_total", "annual_churn")

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
    "setting_low",
    "setting_base",
    "setting_high",
    "result_at_low",
    "result_at_high",
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
    heads: pd.DataFrame  # headline outcomes of every run (tornado runs included)
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


# ---------------------------------------------------------------------------------------------
# Computing
# ---------------------------------------------------------------------------------------------


def _structure_summary(scenario: Scenario, seed: int) -> dict[str, float]:
    """Headcount, managers, layers, span, units and ties of the structure of replicate 0."""
    from sim.model import OrgModel
    from sim.structures import FRONT_LINE

    s = OrgModel(scenario, rng=seed, counterfactual=False).structure
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
        "front_line_authority": float(s.authority[front].mean()) if front.any() else 0.0,
        "cross_unit_tie_share": s.cross_unit_tie_share(),
    }


def _change_cost(scenario: Scenario, seed: int) -> dict[str, float]:
    """What reaching the design costs in replicate 0 (docs/ODD.md 8.H).

    Runs the design (no twin) to the end of its change week and reads what its design change
    and interventions queued: money (culture moves and restructuring, booked as investment),
    front-line weeks away from customers scheduled in the change week, people whose manager or
    unit changes and positions removed. A current design (no base) has nothing to pay.
    """
    from sim.model import OrgModel

    inputs = scenario.inputs
    moved = inputs.moved if inputs is not None and inputs.moved is not None else None
    week = scenario.design.change_week
    m = OrgModel(scenario, rng=seed, counterfactual=False)
    m.run(steps=week + 1)
    ch, e = m.ctx.changes, m.state.emp
    front = int((e.front & e.filled).sum())
    away = sum((stop - first) * share for first, stop, share in ch.away if first == week)
    return {
        "money": float(ch.paid),
        "away_person_weeks": float(away * front),
        "people_moved": float(moved.sum()) if moved is not None else 0.0,
        "positions_removed": float(inputs.removed) if moved is not None else 0.0,
    }


CHANGE_LABELS = {
    "money": "Cost of the change (culture moves and restructuring; booked as investment)",
    "away_person_weeks": "Front-line weeks away from customers for the change",
    "people_moved": "People whose manager or unit changes",
    "positions_removed": "Positions removed",
}


STRUCTURE_LABELS = {
    "people": "People",
    "managers": "Managers (people with reports)",
    "front_line": "Front line (sales, service, marketing)",
    "layers": "Layers (top to front line)",
    "mean_span": "Mean span of control",
    "units": "Units",
    "front_line_authority": "Mean front-line decision authority (0-1)",
    "cross_unit_tie_share": "Share of working ties across units",
}


def _describe_changes(current: Scenario, proposed: Scenario) -> list[str]:
    """The proposed design's own transformations in plain words, with what each one touched.

    Transformations the proposed design inherits from the current one (a common prefix) are
    part of both designs and are not listed.
    """
    from sim.structures.org_chart import load_org_chart
    from sim.structures.transform import apply_structural

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
        if chart is not None and t.kind in ("remove_layer", "merge_units", "decision_rights"):
            chart = apply_structural(chart, [t])
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
    if not out:
        out.append("No transformations declared; the designs differ in the settings below.")
    return out


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


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


def _designs(
    current: Scenario, proposed: Scenario
) -> tuple[dict[str, Scenario], dict[tuple[str, str], tuple[str, str]]]:
    """All designs to run: the pair, and the pair at each assumption's low and high."""
    designs = {"current": current, "proposed": proposed}
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for a in ASSUMPTIONS:
        for level, value in (("low", a.low), ("high", a.high)):
            names = (f"{a.path}@{level}/current", f"{a.path}@{level}/proposed")
            designs[names[0]] = current.with_overrides({a.path: value})
            designs[names[1]] = proposed.with_overrides({a.path: value})
            pairs[(a.path, level)] = names
    return designs, pairs


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
) -> ReportData:
    """Load both designs, run them paired (and the tornado re-runs), and tabulate.

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
        out: the HTML file to be written: it and its CSV are checked against every input file
            (scenarios, base files, org charts, customer files) before any run.

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
    from sim.design import file_sha256, input_files, resolve_inputs

    paths = (Path(current_path), Path(proposed_path))
    loaded = [load_scenario(p) for p in paths]
    if overrides:  # an overridden org chart or customer file is read here, before any model
        loaded = [resolve_inputs(s.with_overrides(overrides)) for s in loaded]
    current, proposed = loaded
    if current.horizon_weeks != proposed.horizon_weeks:
        raise InputError(
            f"{paths[1]}: horizon_weeks is {proposed.horizon_weeks} but {paths[0]} has "
            f"{current.horizon_weeks}; expected the same horizon for a paired comparison"
        )
    if out is not None:
        check_out_path(out, [f for p, s in zip(paths, loaded) for f in scenario_inputs(p, s)])
    files: list[tuple[str, str]] = []
    for p in paths:
        for f in input_files(p):
            if str(f) not in {x for x, _ in files}:
                files.append((str(f), file_sha256(f)))
    seeds = replicate_seeds(seed, replicates)
    structures = {
        "current": _structure_summary(current, seeds[0]),
        "proposed": _structure_summary(proposed, seeds[0]),
    }
    change_costs = {
        "current": _change_cost(current, seeds[0]),
        "proposed": _change_cost(proposed, seeds[0]),
    }
    changes = _describe_changes(current, proposed)
    from sim.breakdown import changes_of

    each = changes_of(paths[1], proposed, overrides)
    designs, pairs = _designs(current, proposed)
    designs.update(breakdown_designs(each))
    if on_start is not None:
        on_start(len(designs) * replicates)

    t0 = time.perf_counter()
    weekly_all = run_replicates(
        designs,
        replicates,
        seed,
        workers=workers,
        progress=progress,
        counterfactual=("current", "proposed"),  # the tornado runs do not need ROI
    )
    elapsed = time.perf_counter() - t0
    heads = headlines_table(weekly_all)
    weekly = weekly_all[weekly_all["scenario"].isin(["current", "proposed"])].reset_index(drop=True)
    table = _tabulate(heads, pairs, structures, replicates, current, change_costs)
    breakdown = breakdown_table(heads, each, replicates)
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
    )


def _pair_diff(heads: pd.DataFrame, names: tuple[str, str], outcome: str) -> float:
    sub = heads[heads["scenario"].isin(names)]
    d = paired_differences(sub, baseline=names[0], outcomes=[outcome])
    return float(d["diff"].iloc[0])


def _tabulate(
    heads: pd.DataFrame,
    pairs: dict[tuple[str, str], tuple[str, str]],
    structures: dict[str, dict[str, float]],
    replicates: int,
    current: Scenario,
    change_costs: dict[str, dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Every number the report shows, one row per item (CSV_COLUMNS)."""
    keys = [o.key for o in OUTCOMES]
    main = heads[heads["scenario"].isin(["current", "proposed"])]
    summ = summarise(main, keys).set_index(["scenario", "outcome"])
    diff = paired_differences(main, baseline="current", outcomes=keys).set_index("outcome")
    rows = []
    for o in OUTCOMES:
        c, p, d = summ.loc[("current", o.key)], summ.loc[("proposed", o.key)], diff.loc[o.key]
        rows.append(
            _row(
                "outcome",
                o.key,
                o.label,
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
            )
        )
    flat = _flatten(current.model_dump(mode="json"))
    for key in TORNADO_KEYS:
        base = float(diff.loc[key, "diff"])
        for a in ASSUMPTIONS:
            rows.append(
                _row(
                    f"tornado:{key}",
                    a.path,
                    a.label,
                    difference=base,
                    setting_low=a.low,
                    setting_base=float(flat[a.path]),
                    setting_high=a.high,
                    result_at_low=_pair_diff(heads, pairs[(a.path, "low")], key),
                    result_at_high=_pair_diff(heads, pairs[(a.path, "high")], key),
                    replicates=float(replicates),
                )
            )
    for key, label in STRUCTURE_LABELS.items():
        c, p = structures["current"][key], structures["proposed"][key]
        rows.append(_row("structure", key, label, current=c, proposed=p, difference=p - c))
    for key, label in CHANGE_LABELS.items() if change_costs else ():
        c, p = change_costs["current"][key], change_costs["proposed"][key]
        rows.append(_row("change_cost", key, label, current=c, proposed=p, difference=p - c))
    return pd.DataFrame(rows, columns=list(CSV_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def fmt_value(kind: str, v: float) -> str:
    """A level in the outcome's unit (12.0%, 3.4 days, 64.35M, 0.612)."""
    if v is None or not np.isfinite(v):
        return "-"
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "money":
        return f"{v / 1e6:,.2f}M" if abs(v) >= 1e5 else f"{v:,.0f}"
    if kind == "days":
        return f"{v:.1f} days"
    if kind == "ratio":
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_change(kind: str, v: float, signed: bool = False) -> str:
    """A difference in the outcome's unit (3.4 points, 7.74M, 1.2 days)."""
    if v is None or not np.isfinite(v):
        return "-"
    sign = ("+" if v > 0 else "-" if v < 0 else "") if signed else ""
    a = abs(v) if signed else v
    if kind == "pct":
        return f"{sign}{100 * a:.1f} points"
    if kind == "money":
        return f"{sign}{a / 1e6:,.2f}M" if abs(a) >= 1e5 else f"{sign}{a:,.0f}"
    if kind == "days":
        return f"{sign}{a:.1f} days"
    if kind == "ratio":
        return f"{sign}{a:.2f}"
    return f"{sign}{a:.3f}"


def verdict(o: Outcome, diff: float, lo: float, hi: float) -> str:
    """'better', 'worse', 'clear' (a clear change neither better nor worse) or 'unclear'."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
        return "unclear"
    if o.better is None:
        return "clear"
    up = diff > 0
    return "better" if up == (o.better == "higher") else "worse"


def sentence(o: Outcome, row: pd.Series) -> str:
    """One plain-words sentence on an outcome: levels, change and 95% CI."""
    cur, prop = fmt_value(o.kind, row["current"]), fmt_value(o.kind, row["proposed"])
    d, lo, hi = row["difference"], row["difference_ci_low"], row["difference_ci_high"]
    v = verdict(o, d, lo, hi)
    ci = f"95% CI {fmt_change(o.kind, lo, True)} to {fmt_change(o.kind, hi, True)}"
    if v == "unclear":
        return (
            f"{o.label}: no clear difference ({cur} now, {prop} proposed; the change could be "
            f"anywhere from {fmt_change(o.kind, lo, True)} to {fmt_change(o.kind, hi, True)})."
        )
    direction = "rises" if d > 0 else "falls"
    return f"{o.label} {direction} from {cur} to {prop}, by {fmt_change(o.kind, abs(d))} ({ci})."


def fmt_money(v: float) -> str:
    """Money as in the outcome tables (0, 81,510, 1.23M)."""
    return fmt_value("money", v)


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
            f"every {cp.structure_half_life_weeks:g} weeks for rules, rights and leaders' "
            f"commitment and every {cp.norm_half_life_weeks:g} weeks for shared norms (safety, "
            "customer orientation, information sharing)."
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
        f"Getting there costs {fmt_money(float(p['money']))} and about "
        f"{p['away_person_weeks']:,.0f} front-line weeks away from customers (replicate 1); "
        + (
            "the current design pays nothing."
            if cur_money == 0
            else f"the current design pays {fmt_money(cur_money)} for its own scheduled changes."
        )
    )
    return " ".join(parts)


def _clear(o: Outcome, m: float, lo: float, hi: float) -> str:
    """'better', 'worse' or 'unclear' for an effect with its CI (NaN: 'unclear')."""
    return verdict(o, m, lo, hi) if np.isfinite(m) else "unclear"


def breakdown_findings(bd: pd.DataFrame, full: pd.Series | None = None) -> list[str]:
    """In words, from the breakdown's numbers: which change carries the result, which is
    harmful on its own, which only works together with the others.

    Args:
        bd: the breakdown table (``sim.breakdown.breakdown_table``).
        full: the proposal's net-benefit row of the outcome table (for the sum of the parts).
    """
    net, churn = _outcome_by_key("net_benefit_total"), _outcome_by_key("annual_churn")
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
                f"{fmt_change('money', top['contribution_net_benefit_total'])} (95% CI "
                f"{fmt_change('money', top['contribution_net_benefit_total_ci_low'], True)} to "
                f"{fmt_change('money', top['contribution_net_benefit_total_ci_high'], True)})."
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
            f"alone it changes net benefit by {fmt_change('money', a_net[0], True)} and churn by "
            f"{fmt_change('pct', a_ch[0], True)}"
        )
        if "worse" in alone_v:
            tail = (
                "; inside the proposal it adds "
                f"{fmt_change('money', c_net[0], True)} of net benefit and "
                f"{fmt_change('pct', c_ch[0], True)} of churn, so it only works together with "
                "the other changes."
                if "better" in with_v and "worse" not in with_v
                else "."
            )
            out.append(f"{r.label} is harmful on its own: {alone_text}{tail}")
        elif "better" not in alone_v and "better" in with_v:
            out.append(
                f"{r.label} only works together with the other changes: {alone_text} (no clear "
                f"gain), but leaving it out loses {fmt_change('money', c_net[0])} of net benefit."
            )
    if full is not None and len(ok) > 1:
        parts = float(ok["alone_net_benefit_total"].sum())
        whole = float(full["difference"])
        out.append(
            f"The changes alone add up to {fmt_change('money', parts, True)} of net benefit; "
            f"together they give {fmt_change('money', whole, True)}: "
            + (
                "they reinforce each other."
                if whole > parts
                else "together they give less than the sum of their parts."
            )
        )
    return out


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
        f"<li>{e(x)}</li>" for x in breakdown_findings(bd, out.loc["net_benefit_total"])
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
            cells.append(
                _num("breakdown", str(r.change), col, m, fmt_change(kind, m, True))
                + f"<td class='n'>{e(fmt_change(kind, lo, True))} to "
                f"{e(fmt_change(kind, hi, True))}</td>"
            )
        note = f" <i>({e(r.note)})</i>" if r.note else ""
        parts.append(f"<tr><td>{r.change}. {e(r.label)}{note}</td>{''.join(cells)}</tr>")
    parts.append(
        "</table><p>All numbers, the proposal without each change included, are in "
        f"<code>{e(breakdown_path(Path(data.out_name)).name if data.out_name else 'STEM-breakdown.csv')}"
        "</code>.</p>"
    )
    return parts


def _depends_on(table: pd.DataFrame, key: str) -> str:
    """What the main result depends on, from the tornado rows."""
    o = next(x for x in OUTCOMES if x.key == key)
    t = table[table["section"] == f"tornado:{key}"].copy()
    t["swing"] = (t["result_at_high"] - t["result_at_low"]).abs()
    t = t.sort_values("swing", ascending=False)
    base = float(t["difference"].iloc[0])
    top = t.iloc[:2]
    parts = [
        f"{r.label.lower()} ({fmt_change(o.kind, r.result_at_low, True)} at {r.setting_low:g}, "
        f"{fmt_change(o.kind, r.result_at_high, True)} at {r.setting_high:g})"
        for r in top.itertuples()
    ]
    ends = np.r_[t["result_at_low"].to_numpy(float), t["result_at_high"].to_numpy(float)]
    flips = [
        f"{r.label.lower()} at {lvl} ({val:g})"
        for r in t.itertuples()
        for lvl, val, res in (
            ("its low end", r.setting_low, r.result_at_low),
            ("its high end", r.setting_high, r.result_at_high),
        )
        if np.sign(res) != np.sign(base) and np.isfinite(res)
    ]
    if flips:
        sign_text = (
            "The difference changes sign when " + "; ".join(flips) + ": the case rests on these "
            "assumptions."
        )
    else:
        sign_text = (
            f"It keeps its sign ({'+' if base > 0 else '-'}) across every tested range (from "
            f"{fmt_change(o.kind, float(ends.min()), True)} to "
            f"{fmt_change(o.kind, float(ends.max()), True)})."
        )
    return (
        f"The difference in {o.label.lower()} ({fmt_change(o.kind, base, True)}) moves most with "
        + " and ".join(parts)
        + ". "
        + sign_text
    )


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


def chart_tornado(data: ReportData) -> str:
    """How each main result moves over each assumption's range (base64 PNG)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(TORNADO_KEYS), figsize=(13, 4.4), constrained_layout=True)
    for ax, key in zip(np.atleast_1d(axes), TORNADO_KEYS):
        o = next(x for x in OUTCOMES if x.key == key)
        t = data.table[data.table["section"] == f"tornado:{key}"].copy()
        t["swing"] = (t["result_at_high"] - t["result_at_low"]).abs()
        t = t.sort_values("swing", ascending=True)
        scale = 1e-6 if o.kind == "money" else 100.0 if o.kind == "pct" else 1.0
        base = float(t["difference"].iloc[0]) * scale
        y = np.arange(len(t))
        for col, colour, name in (
            ("result_at_low", "#2563eb", "assumption at low end"),
            ("result_at_high", "#dc2626", "assumption at high end"),
        ):
            vals = t[col].to_numpy(float) * scale
            ax.barh(y, vals - base, left=base, color=colour, alpha=0.75, height=0.6, label=name)
        for i, r in enumerate(t.itertuples()):
            for x, setting in (
                (r.result_at_low * scale, r.setting_low),
                (r.result_at_high * scale, r.setting_high),
            ):
                side = "right" if x < base else "left"
                ax.text(x, i, f" {setting:g} ", va="center", ha=side, fontsize=8)
        ax.axvline(base, color="black", lw=1)
        ax.axvline(0, color="#9ca3af", lw=0.8, ls="--")
        ax.set_yticks(y, [k.split(".", 1)[1] for k in t["key"]], fontsize=9)
        unit = " (M)" if o.kind == "money" else " (points)" if o.kind == "pct" else ""
        ax.set_xlabel(f"proposed minus current{unit}")
        ax.set_title(f"Difference in {o.label.split(' (')[0].lower()}", fontsize=11)
        ax.grid(alpha=0.3, axis="x")
        lo, hi = ax.get_xlim()
        pad = 0.12 * (hi - lo)
        ax.set_xlim(lo - pad, hi + pad)
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="lower right")
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
.box{background:#f0fdfa;border-left:4px solid #0f766e;padding:.6em 1em;margin:1em 0}
ul.summary li{margin:.35em 0}img{max-width:100%;height:auto}
footer{margin-top:2.5em;font-size:.8em;color:#4b5563;border-top:1px solid #e5e7eb;padding-top:.8em}
code{background:#f3f4f6;padding:0 .25em;border-radius:3px;font-size:.9em}
"""


def _num(section: str, key: str, column: str, value: float, text: str) -> str:
    """A table cell whose number matches the CSV (data-key/data-value)."""
    v = "nan" if value is None or not np.isfinite(value) else repr(float(value))
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


def render_html(data: ReportData) -> str:
    """The self-contained HTML report."""
    e = html.escape
    t = data.table
    out = t[t["section"] == "outcome"].set_index("key")
    cur, prop = data.current, data.proposed
    weeks = cur.horizon_weeks
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
    # executive summary
    parts.append("<h2>Executive summary</h2>")
    churn, net = out.loc["annual_churn"], out.loc["net_benefit_total"]
    parts.append(
        "<div class='box'><p><b>Bottom line.</b> "
        + e(sentence(_outcome_by_key("net_benefit_total"), net))
        + " "
        + e(sentence(_outcome_by_key("annual_churn"), churn))
        + "</p><p><b>How sure we are.</b> Each range is a 95% confidence interval over "
        f"{data.replicates} paired runs: it measures the simulation's own noise, not whether the "
        "model's assumptions are right. <b>What it depends on.</b> "
        + e(_depends_on(t, "net_benefit_total"))
        + " "
        + e(_depends_on(t, "annual_churn"))
        + "</p></div>"
    )
    parts.append(f"<p>{e(_reached_text(data))}</p>")
    parts.append("<ul class='summary'>")
    for key in SUMMARY_KEYS:
        o = _outcome_by_key(key)
        r = out.loc[key]
        v = verdict(o, r["difference"], r["difference_ci_low"], r["difference_ci_high"])
        tag = {"better": "better", "worse": "worse", "unclear": "no clear change", "clear": "clear"}
        parts.append(f"<li><span class='{v}'>[{tag[v]}]</span> {e(sentence(o, r))}</li>")
    parts.append("</ul>")
    # what changes
    parts.append("<h2>What changes</h2><ol>")
    parts.extend(f"<li>{e(c)}</li>" for c in data.changes)
    parts.append("</ol>")
    parts.append(
        "<table><tr><th>Organisation (replicate 1)</th><th>current</th><th>proposed</th>"
        "<th>change</th></tr>"
    )
    for r in t[t["section"] == "structure"].itertuples():
        f = (
            "{:.2f}"
            if r.key in ("mean_span", "front_line_authority", "cross_unit_tie_share")
            else "{:.0f}"
        )
        sign = "+" if r.difference > 0 else ""
        parts.append(
            f"<tr><td>{e(r.label)}</td>"
            + _num("structure", r.key, "current", r.current, f.format(r.current))
            + _num("structure", r.key, "proposed", r.proposed, f.format(r.proposed))
            + _num("structure", r.key, "difference", r.difference, sign + f.format(r.difference))
            + "</tr>"
        )
    parts.append("</table>")
    cost_rows = t[t["section"] == "change_cost"]
    if len(cost_rows):
        parts.append(
            "<p>The cost of moving from the current design to the proposed one (replicate 1; "
            "the money is inside the cumulative net benefit):</p><table><tr><th>change</th>"
            "<th>current</th><th>proposed</th></tr>"
        )
        for r in cost_rows.itertuples():
            f = fmt_money if r.key == "money" else "{:,.0f}".format
            parts.append(
                f"<tr><td>{e(r.label)}</td>"
                + _num("change_cost", r.key, "current", r.current, f(r.current))
                + _num("change_cost", r.key, "proposed", r.proposed, f(r.proposed))
                + "</tr>"
            )
        parts.append("</table>")
    if data.settings_diff:
        when = (
            f" (the proposed values are reached from week {prop.design.change_week + 1})"
            if prop.design.from_base
            else ""
        )
        parts.append(
            f"<p>Scenario settings that differ{e(when)}:</p><table><tr><th>setting</th>"
            "<th>current</th><th>proposed</th></tr>"
        )
        for k, a, b in data.settings_diff:
            parts.append(
                f"<tr><td><code>{e(k)}</code></td><td>{e(_show(a))}</td><td>{e(_show(b))}</td></tr>"
            )
        parts.append("</table>")
    parts.extend(_breakdown_html(data))
    # results table
    parts.append(
        f"<h2>Results at week {weeks}</h2><p>Mean over {data.replicates} runs with its 95% "
        "confidence interval; the change is proposed minus current, paired run by run.</p>"
        "<table><tr><th>outcome</th><th>current</th><th>proposed</th><th>change</th>"
        "<th>95% CI of the change</th><th></th></tr>"
    )
    for o in OUTCOMES:
        r = out.loc[o.key]
        v = verdict(o, r["difference"], r["difference_ci_low"], r["difference_ci_high"])
        ci_text = (
            f"{fmt_change(o.kind, r['difference_ci_low'], True)} to "
            f"{fmt_change(o.kind, r['difference_ci_high'], True)}"
        )
        change_text = fmt_change(o.kind, r["difference"], True)
        tag = "changed" if v == "clear" else v
        parts.append(
            f"<tr><td>{e(o.label)}</td>"
            + _num("outcome", o.key, "current", r["current"], fmt_value(o.kind, r["current"]))
            + _num("outcome", o.key, "proposed", r["proposed"], fmt_value(o.kind, r["proposed"]))
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
        sentence(_outcome_by_key(k), out.loc[k])
        for k in ("silent_churn_share", "complaints_per_churner")
    ]
    parts.append(
        f"<p>{e(' '.join(seen))}</p>"
        f"<img alt='churn vs complaints' src='data:image/png;base64,{chart_churn_seen(data)}'>"
    )
    parts.append(
        "<h2>What the result depends on</h2><p>Each bar re-runs both designs (same seeds) with one "
        "assumption at the low (blue) or high (red) end of its range, the others as in the "
        "scenario; the black line is the result above. Numbers at the bar ends are the settings "
        "tried.</p>"
        f"<img alt='tornado chart' src='data:image/png;base64,{chart_tornado(data)}'>"
    )
    for key in TORNADO_KEYS:
        o = _outcome_by_key(key)
        parts.append(
            f"<table><tr><th>{e(o.label)}: change at ...</th><th>low</th><th>scenario</th>"
            "<th>high</th><th>result at low</th><th>result at high</th></tr>"
        )
        sec = f"tornado:{key}"
        for r in t[t["section"] == sec].itertuples():
            low_text = fmt_change(o.kind, r.result_at_low, True)
            high_text = fmt_change(o.kind, r.result_at_high, True)
            parts.append(
                f"<tr><td>{e(r.label)} (<code>{e(r.key)}</code>)</td>"
                + _num(sec, r.key, "setting_low", r.setting_low, f"{r.setting_low:g}")
                + _num(sec, r.key, "setting_base", r.setting_base, f"{r.setting_base:g}")
                + _num(sec, r.key, "setting_high", r.setting_high, f"{r.setting_high:g}")
                + _num(sec, r.key, "result_at_low", r.result_at_low, low_text)
                + _num(sec, r.key, "result_at_high", r.result_at_high, high_text)
                + "</tr>"
            )
        parts.append("</table>")
    # assumptions
    parts.append(
        "<h2>Assumptions</h2><p>The five most uncertain assumptions and the ranges tried:</p>"
        "<table><tr><th>assumption</th><th>setting</th><th>scenario</th><th>range</th>"
        "<th>why this range</th></tr>"
    )
    flat = _flatten(cur.model_dump(mode="json"))
    for a in ASSUMPTIONS:
        parts.append(
            f"<tr><td>{e(a.label)}</td><td><code>{e(a.path)}</code></td><td>{flat[a.path]:g}</td>"
            f"<td>{a.low:g} - {a.high:g}</td><td>{e(a.why)}</td></tr>"
        )
    parts.append("</table><p>Other key settings of the current design:</p><table>")
    for k in (
        "horizon_weeks",
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
        parts.append(f"<tr><td><code>{e(k)}</code></td><td>{e(str(flat.get(k)))}</td></tr>")
    parts.append(
        "</table><p>Every mechanism and its source is in <code>docs/ODD.md</code>. The model "
        "compares designs on common random numbers; its parameters are plausible rather than "
        "estimated from this company's data, so read the differences, not the levels, and test "
        "the assumptions that matter most (above) against your own data.</p>"
    )
    # footer
    from sim import __version__

    rev = _git_revision()
    seeds = ", ".join(str(s) for s in data.seeds)
    files = "".join(f"<li><code>{e(p)}</code> sha256 <code>{h}</code></li>" for p, h in data.files)
    over = ", ".join(f"{k}={v}" for k, v in data.overrides.items()) or "none"
    parts.append(
        "<footer><b>Reproducibility.</b> orgsim-crm "
        f"{e(__version__)}; git revision {e(rev or 'not available')}; Python "
        f"{e(platform.python_version())}, numpy {e(np.__version__)}, pandas {e(pd.__version__)}. "
        f"Root seed {data.root_seed}; replicate seeds (shared by both designs and every tornado "
        f"run): {seeds}. Overrides: {e(over)}. {len(data.heads)} runs in {data.elapsed:.0f} s."
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
    write_text(str(csvsafe.to_csv(data.breakdown)), breakdown_path(out))
    write_text(page, out)
    return out, csv_out


def print_summary(data: ReportData, stream: Any = None) -> None:
    """The executive summary's sentences on the terminal."""
    stream = stream or sys.stdout
    out = data.table[data.table["section"] == "outcome"].set_index("key")
    for key in SUMMARY_KEYS:
        print("- " + sentence(_outcome_by_key(key), out.loc[key]), file=stream)


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
) -> tuple[Path, Path]:
    """``run.py report``: check the output path, compute, print the summary, write the files."""
    from tqdm import tqdm

    check_out_path(out)
    if workers < 1:
        raise InputError(f"--workers must be at least 1 (got {workers})")
    total = replicates * (2 + 4 * len(ASSUMPTIONS))
    bar: Any = None

    def start(n: int) -> None:
        nonlocal bar
        print(
            f"Report: {replicates} paired replicates x {n // replicates} designs (the pair, each "
            f"change alone and left out, {len(ASSUMPTIONS)} assumptions at low and high) = {n} "
            f"runs, root seed {seed}, "
            f"{workers} worker{'s' if workers > 1 else ''}",
            file=sys.stderr,
        )
        bar = tqdm(total=n, unit="run", file=sys.stderr, disable=None)

    def progress(k: int) -> None:
        if bar is not None:
            bar.update(k)

    try:
        data = compute_report(
            current,
            proposed,
            replicates=replicates,
            seed=seed,
            workers=min(workers, total) if replicates >= 2 else 1,
            overrides=overrides,
            progress=progress,
            command=command,
            on_start=start,
            out=out,
        )
    finally:
        if bar is not None:
            bar.close()
    paths = write_report(data, out)
    print_summary(data)
    print(f"Report written to {paths[0]} (numbers in {paths[1]}) in {data.elapsed:.0f} s")
    return paths


__all__ = [
    "ASSUMPTIONS",
    "OUTCOMES",
    "ReportData",
    "compute_report",
    "render_html",
    "report_command",
    "write_report",
]
