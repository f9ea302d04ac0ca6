"""Model evidence for docs/VALIDATION.md, regenerated in place by one command.

    python run.py evidence [--only oat,sobol,stationarity,capacity,centola,knockouts,utaut]
                           [--quick]
                           [--workers N] [--seed S] [--doc docs/VALIDATION.md]

Each section of docs/VALIDATION.md that this command owns sits between marker comments,
``<!-- evidence:NAME -->`` ... ``<!-- /evidence:NAME -->``; the command replaces what is between
the two markers of the sections it runs and leaves every other byte of the file as it was (a
missing or doubled marker is an error, and nothing is written). Every generated block starts with
the command, the date, the seeds, the sizes and the replicates it was made with.

Sections:

- ``oat``: one dial at a time. Each culture dial of the brief (:data:`DIALS`) at 0.1 vs 0.9 with
  everything else as in the preset, in ``command_and_control`` and ``functional_silos``; every
  (dial, level) runs on the same replicate seeds (common random numbers), so the effect is the
  paired difference 0.9 - 0.1 per replicate, reported as mean and Student-t 95% CI on the
  headline outcomes (:data:`OUTCOMES`). Below it, issue 14 item 10: per dial, the smallest
  two-sided paired t-test p over the outcomes and both presets, Bonferroni-adjusted within the dial
  (times the number of tests, so it is a valid p-value for "the dial has some effect"), then
  Holm-adjusted across the ten dials; a dial is active when that p < 0.01. Last, the plan of
  the confirmatory test derived from the table by a fixed rule (:func:`confirm_plan`); the
  effects are also written at full precision beside the document
  (``docs/VALIDATION_oat_effects.csv``, :func:`effects_path`), the plan's source.
- ``sobol``: global sensitivity. The parameters flagged ``uncertain=True`` in the schema are
  many (over a hundred), so they are screened first with Morris elementary effects
  (``SALib.sample.morris`` / ``SALib.analyze.morris``) together with the dials, each varied over
  its plausible range (the dials over [0.1, 0.9]); the ``top`` uncertain parameters by the
  largest normalised mu* over the outcomes, plus ``organisation.manager_capacity`` always, are
  carried with the dials into Saltelli's scheme (``SALib.sample.sobol``, total indices from
  ``SALib.analyze.sobol`` with bootstrap 95% CIs). One run per design point, all on the same
  seed (common random numbers).
- ``stationarity``: ``sim.validation.stationarity_table`` (``python -m sim.validation
  stationarity``).
- ``capacity``: ``sim.capacity_sweep`` (decision rights across manager capacity).
- ``centola``: ``sim.validation.run_checks(["centola"])`` (clustered vs random ties).
- ``utaut``: issue 14 item 9 (docs/ODD.md 8.U). A UTAUT survey of the simulated staff in every
  preset (``sim.utaut_survey``): standardised paths of intention on performance expectancy,
  effort expectancy and social influence, and R2, over the trained staff 4, 13 and 26 weeks after
  go-live, mean and Student-t 95% CI over seeds, against the published bands
  (``sim.utaut_survey.BANDS``).
- ``knockouts``: issue 14 item 3 (docs/ODD.md 8.W). Per dial, its effect (0.9 - 0.1, paired
  seeds, mean and Student-t 95% CI) on churn, satisfaction and first-contact resolution
  (:data:`KO_OUTCOMES`) in ``command_and_control``, intact and with its mechanisms switched off
  (``sim.knockouts.knockout``), and how many knocked-out pairs are identical on those outcomes.

Runs go through the sweep package's executors (:func:`sim.sweep.executors.make_executor`), so
``--workers 2`` uses both cores of the build container; results do not depend on the worker
count (each run depends only on its scenario and seed and is put back in order).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.assumptions import ROLE_SALARIES
from sim.assumptions import uncertain_factors as _all_uncertain_factors
from sim.csvsafe import to_csv
from sim.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def uncertain_factors() -> list[tuple[str, float, float, str]]:
    """The uncertain parameters the evidence screens: the presets pay a flat salary, so the
    salaries by role are not among them (drawing one would switch the pay model, ODD 8.L)."""
    return [f for f in _all_uncertain_factors() if f[0] not in ROLE_SALARIES]


DOC = ROOT / "docs" / "VALIDATION.md"

#: The culture dials of the model brief (issue 14 item 10).
DIALS = (
    "psychological_safety",
    "decision_rights",
    "information_sharing",
    "executive_commitment",
    "executive_support",
    "incentive_alignment",
    "responsiveness",
    "customer_orientation",
    "socialisation",
    "supportive_leadership",
)
PRESETS = ("command_and_control", "functional_silos")
LEVELS = (0.1, 0.9)
#: Headline outcomes reported (``sim.experiment.HEADLINES`` without ``roi``, which needs the
#: no-change twin: these runs have none, so every run costs one model).
OUTCOMES = (
    "annual_churn",
    "adoption_rate",
    "satisfaction_mean",
    "first_contact_resolution",
    "decision_latency_days",
    "silent_churn_share",
    "complaints_per_churner",
    "morale_mean",
    "annual_staff_turnover",
    "data_quality",
    "net_benefit_total",
)
#: Short column names and how a value is printed (scale, format).
SHORT = {
    "annual_churn": ("churn (pts)", 100.0, "{:+.1f}"),
    "adoption_rate": ("adoption (pts)", 100.0, "{:+.1f}"),
    "satisfaction_mean": ("satisfaction", 1.0, "{:+.3f}"),
    "first_contact_resolution": ("FCR (pts)", 100.0, "{:+.1f}"),
    "decision_latency_days": ("latency (days)", 1.0, "{:+.2f}"),
    "silent_churn_share": ("silent share (pts)", 100.0, "{:+.1f}"),
    "complaints_per_churner": ("complaints/churner", 1.0, "{:+.2f}"),
    "morale_mean": ("morale", 1.0, "{:+.3f}"),
    "annual_staff_turnover": ("turnover (pts)", 100.0, "{:+.1f}"),
    "data_quality": ("data quality", 1.0, "{:+.3f}"),
    "net_benefit_total": ("net benefit (k)", 1e-3, "{:+,.0f}"),
}
SECTIONS = ("oat", "sobol", "stationarity", "capacity", "centola", "knockouts", "utaut")
#: Outcomes of the knock-out section and its preset.
KO_OUTCOMES = ("annual_churn", "satisfaction_mean", "first_contact_resolution")
KO_PRESET = "command_and_control"
#: Test size of the model (as ``tests/conftest.py::SMALL``).
TEST_SIZE = {"organisation.employees": 150, "customers.count": 1500}
ALPHA = 0.01


@dataclass(frozen=True)
class Size:
    """How big each section is run.

    Attributes:
        name: ``full`` or ``quick``.
        oat_replicates: paired replicates per (preset, dial, level).
        oat_weeks: horizon of the one-at-a-time runs.
        oat_size: their organisation size (people, customers).
        screen_size: organisation size of the Morris and Sobol runs.
        screen_weeks: their horizon.
        morris_r: Morris trajectories.
        sobol_n: Saltelli's N (a power of 2); N x (D + 2) runs per preset.
        sobol_presets: presets of the Sobol step (Morris runs on the first).
        top: uncertain parameters carried into Sobol (plus manager capacity).
        bootstrap: bootstrap resamples of the Sobol CIs.
        stat_presets / stat_replicates / stat_years: the stationarity check.
        cap_capacities / cap_replicates: the capacity sweep.
        centola_size: ``full`` or ``ci``.
        ko_replicates: paired replicates per (dial, intact or knocked out, level) of the
            knock-out section (at ``oat_size`` and ``oat_weeks``).
        utaut_replicates: seeds per preset of the UTAUT survey (at ``oat_size``).
    """

    name: str
    oat_replicates: int
    oat_weeks: int
    oat_size: tuple[int, int]
    screen_size: tuple[int, int]
    screen_weeks: int
    morris_r: int
    sobol_n: int
    sobol_presets: tuple[str, ...]
    top: int
    bootstrap: int
    stat_presets: tuple[str, ...] | None
    stat_replicates: int
    stat_years: int
    cap_capacities: tuple[float, ...]
    cap_replicates: int
    centola_size: str
    ko_replicates: int
    utaut_replicates: int


FULL = Size(
    name="full",
    oat_replicates=12,
    oat_weeks=104,
    oat_size=(TEST_SIZE["organisation.employees"], TEST_SIZE["customers.count"]),
    screen_size=(150, 1500),
    screen_weeks=104,
    morris_r=4,
    sobol_n=32,
    sobol_presets=PRESETS,
    top=5,
    bootstrap=200,
    stat_presets=None,
    stat_replicates=30,  # as tests/test_rest.py: at 10 the turnover TOST has little power (ODD 8.A)
    stat_years=3,
    cap_capacities=(3.0, 6.0, 12.0, 24.0),
    cap_replicates=12,
    centola_size="full",
    ko_replicates=6,
    utaut_replicates=8,
)
QUICK = Size(
    name="quick",
    # the quick tables check the command and the document, not the model: the model test of
    # item 10 is tests/test_evidence.py::test_every_dial_matters_somewhere, on its own replicates
    oat_replicates=2,
    oat_weeks=52,
    oat_size=(60, 600),
    screen_size=(60, 600),
    screen_weeks=52,
    morris_r=2,
    sobol_n=4,
    sobol_presets=("command_and_control",),
    top=3,
    bootstrap=50,
    stat_presets=PRESETS,
    stat_replicates=3,
    stat_years=3,
    cap_capacities=(3.0, 12.0),
    cap_replicates=3,
    centola_size="ci",
    ko_replicates=2,
    utaut_replicates=2,
)


# ---------------------------------------------------------------------------- running runs
def _run(job: tuple[Any, Any, int]) -> tuple[Any, dict[str, float]]:
    """One run (in a worker): ``(key, scenario, seed)`` -> ``(key, headline outcomes)``."""
    from sim.experiment import headline
    from sim.model import OrgModel

    key, scenario, seed = job
    df = OrgModel(scenario, rng=seed, counterfactual=False).run()
    return key, headline(df)


def run_all(
    jobs: Sequence[tuple[Any, Any, int]], workers: int = 1, label: str = ""
) -> dict[Any, dict[str, float]]:
    """Headline outcomes of every job, keyed by its key, on the sweep package's executors."""
    from sim.sweep.executors import make_executor

    ex = make_executor(workers, None)
    out: dict[Any, dict[str, float]] = {}
    t0 = time.perf_counter()
    try:
        for _job, res in ex.imap_unordered(_run, jobs):
            if isinstance(res, BaseException):
                raise res
            key, heads = res
            out[key] = heads
    finally:
        ex.close()
    if label:
        print(f"  {label}: {len(jobs)} runs in {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def _base(preset: str, people: int, customers: int, weeks: int) -> Any:
    from sim.inputs import load_scenario

    return load_scenario(preset).with_overrides(
        {"organisation.employees": people, "customers.count": customers, "horizon_weeks": weeks}
    )


# --------------------------------------------------------------------------- one at a time
def oat_runs(
    size: Size,
    seed: int,
    workers: int,
    cells: Sequence[tuple[str, str, int]] | None = None,
) -> pd.DataFrame:
    """Tidy table: preset, dial, level, replicate, outcomes (paired seeds across everything).

    Args:
        size: the evidence size (organisation size, horizon, replicates).
        seed: root seed; replicate r has the same seed in every cell and level
            (``sim.rng.replicate_seeds``, whose first seeds do not depend on the count).
        workers: processes.
        cells: ``(preset, dial, replicates)`` to run; by default every preset and dial at
            ``size.oat_replicates``.
    """
    from sim.rng import replicate_seeds

    if cells is None:
        cells = [(p, d, size.oat_replicates) for p in PRESETS for d in DIALS]
    seeds = replicate_seeds(seed, max((c[2] for c in cells), default=0))
    bases: dict[str, Any] = {}
    jobs = []
    for preset, dial, reps in cells:
        if preset not in bases:
            bases[preset] = _base(preset, *size.oat_size, size.oat_weeks)
        for level in LEVELS:
            sc = bases[preset].with_overrides({f"culture.{dial}": level})
            for r, s in enumerate(seeds[:reps]):
                jobs.append(((preset, dial, level, r), sc, s))
    res = run_all(jobs, workers, "one at a time")
    rows = [
        {"preset": k[0], "dial": k[1], "level": k[2], "replicate": k[3], **res[k]}
        for k in sorted(res, key=lambda k: (PRESETS.index(k[0]), DIALS.index(k[1]), k[2], k[3]))
    ]
    return pd.DataFrame(rows)


def oat_effects(runs: pd.DataFrame) -> pd.DataFrame:
    """Per preset, dial and outcome: paired effect (0.9 - 0.1), 95% CI and two-sided t-test p."""
    from sim.experiment import mean_ci

    rows = []
    for (preset, dial), g in runs.groupby(["preset", "dial"], sort=False):
        lo = g[g["level"] == LEVELS[0]].sort_values("replicate")
        hi = g[g["level"] == LEVELS[1]].sort_values("replicate")
        for k in OUTCOMES:
            d = hi[k].to_numpy(float) - lo[k].to_numpy(float)
            d = d[np.isfinite(d)]
            m, a, b = mean_ci(d)
            if d.size > 1 and np.ptp(d) > 0:
                p = float(stats.ttest_1samp(d, 0.0).pvalue)
            else:  # no variation: exactly zero effect, or a constant (and so certain) one
                p = 1.0 if d.size == 0 or np.all(d == 0) else 0.0
            rows.append(
                {
                    "preset": preset,
                    "dial": dial,
                    "outcome": k,
                    "low_mean": float(np.nanmean(lo[k])),
                    "effect": m,
                    "ci_low": a,
                    "ci_high": b,
                    "p": p,
                    "n": int(d.size),
                    "sd": float(np.std(d, ddof=1)) if d.size > 1 else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def dial_activity(effects: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Issue 14 item 10: is each dial's effect significant somewhere?

    Per dial: the smallest paired t-test p over every (preset, outcome), times the number of
    those tests (Bonferroni within the dial), then Holm across the dials
    (``scipy.stats.false_discovery_control`` has no Holm, so it is computed here).
    """
    rows = []
    for dial, g in effects.groupby("dial", sort=False):
        i = int(np.argmin(g["p"].to_numpy()))
        best = g.iloc[i]
        rows.append(
            {
                "dial": dial,
                "tests": len(g),
                "p_min": float(best["p"]),
                "where": f"{best['outcome']} in {best['preset']}",
                "p_dial": min(1.0, float(best["p"]) * len(g)),
            }
        )
    t = pd.DataFrame(rows)
    order = np.argsort(t["p_dial"].to_numpy(), kind="stable")
    m = len(t)
    adj = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * t["p_dial"].iloc[idx]))
        adj[idx] = running
    t["p_holm"] = adj
    t["active"] = t["p_holm"] < alpha
    return t


#: Target power of each confirmatory test (:func:`confirm_plan`).
PLAN_POWER = 0.9
#: Fewest and most paired replicates a confirmatory test is given.
PLAN_REPLICATES = (6, 60)


def paired_t_power(n: int, d: float, alpha: float) -> float:
    """Power of the two-sided one-sample t-test on ``n`` paired differences at level ``alpha``
    when the true standardised effect (mean / sd of the differences) is ``d`` (noncentral t)."""
    if n < 2:
        return 0.0
    if not np.isfinite(d):
        return 1.0
    df = n - 1
    crit = float(stats.t.ppf(1.0 - alpha / 2.0, df))
    nc = abs(d) * np.sqrt(n)
    # P(T > crit) + P(T < -crit); the lower tail as P(T > crit) under -nc (scipy's nct.cdf
    # gives nan far in the tail), a nan of either tail (far in it) counting as 0
    upper, lower = (float(stats.nct.sf(crit, df, x)) for x in (nc, -nc))
    return float(min(1.0, np.nan_to_num(upper) + np.nan_to_num(lower)))


def confirm_plan(
    effects: pd.DataFrame,
    *,
    alpha: float = ALPHA,
    power: float = PLAN_POWER,
    replicates: tuple[int, int] = PLAN_REPLICATES,
) -> dict[str, tuple[str, str, int]]:
    """The pre-registered plan of the confirmatory test, derived from an exploratory table.

    A fixed rule, so the plan cannot be picked by hand (``tests/test_evidence.py`` applies it
    to the committed table, ``docs/VALIDATION_oat_effects.csv``):

    - per dial, the (preset, outcome) with the smallest paired t-test p of the table (the
      largest |t|, the replicates being equal; ties go to the first in :data:`PRESETS` x
      :data:`OUTCOMES` order);
    - its replicates: the fewest ``n`` in ``replicates`` whose two-sided paired t-test at
      ``alpha / len(DIALS)`` (Holm's strictest step, so the test holds whatever the other dials
      do) has ``power`` against the table's standardised effect ``|effect| / sd``
      (:func:`paired_t_power`); the upper bound when none does (a difference with no spread
      and a non-zero mean is certain: the lower bound).

    The table's effect of the chosen cell is the largest of many, so it tends to overstate the
    true one (the winner's curse); the confirmatory replicates are independent of it, so the
    test stays valid, only its power may be lower than ``power``.

    Returns:
        ``{dial: (preset, outcome, replicates)}`` for every dial of the table.
    """
    lo, hi = replicates
    level = alpha / len(DIALS)
    e = effects.copy()
    e["_order"] = [(PRESETS.index(r.preset), OUTCOMES.index(r.outcome)) for r in e.itertuples()]
    plan: dict[str, tuple[str, str, int]] = {}
    for dial in [d for d in DIALS if d in set(e["dial"])]:
        g = e[(e["dial"] == dial) & np.isfinite(e["p"])].sort_values("_order", kind="stable")
        best = g.iloc[int(np.argmin(g["p"].to_numpy()))]
        sd = float(best["sd"])
        if sd > 0:
            d = abs(float(best["effect"])) / sd
        else:
            d = float("inf") if float(best["effect"]) != 0 else 0.0
        n = next((k for k in range(lo, hi + 1) if paired_t_power(k, d, level) >= power), hi)
        plan[dial] = (str(best["preset"]), str(best["outcome"]), int(n))
    return plan


def effects_path(doc: Path) -> Path:
    """The oat section's effects at full precision, beside the document (the plan's source)."""
    doc = Path(doc)
    return doc.with_name(f"{doc.stem}_oat_effects.csv")


#: Columns of :func:`effects_path`'s table (:func:`oat_effects`).
EFFECT_COLUMNS = ("preset", "dial", "outcome", "low_mean", "effect", "ci_low", "ci_high")
EFFECT_COLUMNS += ("p", "n", "sd")


def plan_markdown(plan: dict[str, tuple[str, str, int]]) -> str:
    """The confirmatory plan derived from this table (:func:`confirm_plan`), as a table."""
    lines = [
        f"Confirmatory plan derived from this table by `sim.evidence.confirm_plan` (per dial the "
        f"preset and outcome of its smallest p; replicates for power {PLAN_POWER} of a two-sided "
        f"paired t-test at {ALPHA} / {len(DIALS)} against the table's effect / sd, "
        f"{PLAN_REPLICATES[0]}-{PLAN_REPLICATES[1]}), run on its own seed by "
        f"`tests/test_evidence.py::test_every_dial_matters_somewhere`; the effects at full "
        f"precision are in `docs/VALIDATION_oat_effects.csv`.",
        "",
        "| dial | preset | outcome | replicates |",
        "|---|---|---|---:|",
    ]
    for dial, (preset, outcome, reps) in plan.items():
        lines.append(f"| {dial} | {preset} | {outcome} | {reps} |")
    return "\n".join(lines)


def _cell(outcome: str, m: float, lo: float, hi: float) -> str:
    _, scale, fmt = SHORT[outcome]
    if not np.isfinite(m):
        return "n/a"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return fmt.format(m * scale)
    return f"{fmt.format(m * scale)} [{fmt.format(lo * scale)}, {fmt.format(hi * scale)}]"


def oat_markdown(effects: pd.DataFrame, activity: pd.DataFrame) -> str:
    lines = []
    for preset in PRESETS:
        e = effects[effects["preset"] == preset]
        lines += [
            f"**{preset}**: effect of the dial at 0.9 minus 0.1 (paired mean [95% CI]).",
            "",
            "| dial | " + " | ".join(SHORT[k][0] for k in OUTCOMES) + " |",
            "|---|" + "---:|" * len(OUTCOMES),
        ]
        for dial in DIALS:
            g = e[e["dial"] == dial].set_index("outcome")
            cells = [
                _cell(k, g.at[k, "effect"], g.at[k, "ci_low"], g.at[k, "ci_high"]) for k in OUTCOMES
            ]
            lines.append(f"| {dial} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        f"Every dial matters somewhere (issue 14 item 10): smallest two-sided paired t-test p over "
        f"the {len(OUTCOMES)} outcomes x {len(PRESETS)} presets, Bonferroni-adjusted within the "
        f"dial, then Holm across the {len(DIALS)} dials; active = Holm p < {ALPHA}.",
        "",
        "| dial | smallest p | where | Holm-adjusted p | active |",
        "|---|---:|---|---:|---|",
    ]
    for r in activity.itertuples():
        lines.append(
            f"| {r.dial} | {r.p_min:.2g} | {r.where} | {r.p_holm:.2g} | "
            f"{'yes' if r.active else 'NO'} |"
        )
    return "\n".join(lines)


def section_oat(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    runs = oat_runs(size, seed, workers)
    eff = oat_effects(runs)
    act = dial_activity(eff)
    head = (
        f"{size.oat_size[0]} people / {size.oat_size[1]:,} "
        f"customers, {size.oat_weeks} weeks after the burn-in, {size.oat_replicates} paired "
        f"replicates (root seed {seed}, `sim.rng.replicate_seeds`; the same seeds for every dial "
        f"and level), CRM and programme as in the preset, no no-change twin."
    )
    plan = confirm_plan(eff)
    body = head + "\n\n" + oat_markdown(eff, act) + "\n\n" + plan_markdown(plan)
    return body, {"runs": runs, "effects": eff, "activity": act, "plan": plan}


# ------------------------------------------------------------------ Morris screen and Sobol
def _dial_factors() -> list[tuple[str, float, float, str]]:
    return [(f"culture.{d}", LEVELS[0], LEVELS[1], "float") for d in DIALS]


def _value(x: float, kind: str) -> Any:
    return int(round(x)) if kind == "int" else float(x)


def _point_jobs(base: Any, factors, sample: np.ndarray, seed: int, tag: str):
    jobs = []
    for i, row in enumerate(sample):
        o = {k: _value(x, kind) for (k, _, _, kind), x in zip(factors, row)}
        jobs.append(((tag, i), base.with_overrides(o), seed))
    return jobs


def _outcome_matrix(res: dict, tag: str, n: int) -> np.ndarray:
    return np.array([[res[(tag, i)][k] for k in OUTCOMES] for i in range(n)], dtype=float)


def morris_screen(
    size: Size, seed: int, workers: int
) -> tuple[pd.DataFrame, list[tuple[str, float, float, str]]]:
    """Morris elementary effects of the dials and every uncertain parameter (first preset)."""
    from SALib.analyze import morris as morris_a
    from SALib.sample import morris as morris_s

    from sim.rng import replicate_seeds

    factors = _dial_factors() + uncertain_factors()
    problem = {
        "num_vars": len(factors),
        "names": [f[0] for f in factors],
        "bounds": [[f[1], f[2]] for f in factors],
    }
    X = morris_s.sample(problem, size.morris_r, num_levels=4, seed=seed)
    preset = PRESETS[0]
    base = _base(preset, *size.screen_size, size.screen_weeks)
    run_seed = replicate_seeds(seed, 1)[0]
    res = run_all(_point_jobs(base, factors, X, run_seed, "morris"), workers, "Morris screen")
    Y = _outcome_matrix(res, "morris", len(X))
    rows = {f[0]: {"factor": f[0]} for f in factors}
    for j, k in enumerate(OUTCOMES):
        y = Y[:, j]
        y = np.where(np.isfinite(y), y, np.nanmean(y) if np.isfinite(y).any() else 0.0)
        sd = float(np.std(y))
        a = morris_a.analyze(problem, X, y, num_levels=4, seed=seed)
        for name, mu in zip(problem["names"], a["mu_star"]):
            rows[name][k] = float(mu) / sd if sd > 0 else 0.0
    t = pd.DataFrame(rows.values())
    t["max_mu_star"] = t[list(OUTCOMES)].max(axis=1)
    t["where"] = t[list(OUTCOMES)].idxmax(axis=1)
    t["dial"] = t["factor"].isin([f[0] for f in _dial_factors()])
    t = t.sort_values("max_mu_star", ascending=False, kind="stable").reset_index(drop=True)
    unc = {f[0]: f for f in uncertain_factors()}
    chosen = [f for f in t.loc[~t["dial"], "factor"] if f in unc][: size.top]
    if "organisation.manager_capacity" not in chosen:
        chosen.append("organisation.manager_capacity")
    return t, [unc[c] for c in chosen]


def sobol_indices(preset: str, factors, size: Size, seed: int, workers: int) -> pd.DataFrame:
    """Total (and first-order) Sobol indices per factor and outcome, with bootstrap CIs."""
    from SALib.analyze import sobol as sobol_a
    from SALib.sample import sobol as sobol_s

    from sim.rng import replicate_seeds

    problem = {
        "num_vars": len(factors),
        "names": [f[0] for f in factors],
        "bounds": [[f[1], f[2]] for f in factors],
    }
    X = sobol_s.sample(problem, size.sobol_n, calc_second_order=False, seed=seed)
    base = _base(preset, *size.screen_size, size.screen_weeks)
    run_seed = replicate_seeds(seed, 1)[0]
    res = run_all(_point_jobs(base, factors, X, run_seed, preset), workers, f"Sobol {preset}")
    Y = _outcome_matrix(res, preset, len(X))
    rows = []
    for j, k in enumerate(OUTCOMES):
        y = Y[:, j]
        y = np.where(np.isfinite(y), y, np.nanmean(y) if np.isfinite(y).any() else 0.0)
        if np.ptp(y) == 0:
            for name in problem["names"]:
                rows.append(
                    {
                        "preset": preset,
                        "factor": name,
                        "outcome": k,
                        "ST": 0.0,
                        "ST_conf": 0.0,
                        "S1": 0.0,
                    }
                )
            continue
        a = sobol_a.analyze(
            problem, y, calc_second_order=False, num_resamples=size.bootstrap, seed=seed
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "preset": preset,
                    "factor": name,
                    "outcome": k,
                    "ST": float(a["ST"][i]),
                    "ST_conf": float(a["ST_conf"][i]),
                    "S1": float(a["S1"][i]),
                }
            )
    return pd.DataFrame(rows)


def _short_factor(name: str) -> str:
    return name.replace("culture.", "")


def section_sobol(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    screen, chosen = morris_screen(size, seed, workers)
    factors = _dial_factors() + chosen
    n_unc = len(uncertain_factors())
    people, customers = size.screen_size
    d = len(factors)
    lines = [
        f"{people} people / {customers:,} customers, {size.screen_weeks} weeks after the burn-in; "
        f"one run per design point, all on one seed (`replicate_seeds({seed}, 1)`, common "
        f"random numbers). Step 1, screening: Morris elementary effects (SALib, "
        f"{size.morris_r} trajectories, 4 levels, sampler seed {seed}) of the {len(DIALS)} dials "
        f"(over [0.1, 0.9]) and all {n_unc} parameters flagged uncertain (over their plausible "
        f"ranges) in {PRESETS[0]}: {size.morris_r * (len(DIALS) + n_unc + 1)} runs. mu* is "
        f"divided by the outcome's sd over the screening runs, so outcomes compare; a factor's "
        f"score is its largest normalised mu* over the {len(OUTCOMES)} outcomes.",
        "",
        f"Top {min(15, len(screen))} of the screen:",
        "",
        "| rank | factor | max normalised mu* | on | dial |",
        "|---:|---|---:|---|---|",
    ]
    for i, r in screen.head(15).iterrows():
        lines.append(
            f"| {i + 1} | {_short_factor(r['factor'])} | {r['max_mu_star']:.2f} | "
            f"{SHORT[r['where']][0]} | {'yes' if r['dial'] else ''} |"
        )
    inert = screen.loc[screen["max_mu_star"] < 0.05, "factor"].tolist()
    lines += [
        "",
        f"Uncertain parameters with max normalised mu* < 0.05 (no measurable effect in the "
        f"screen): {len(inert)} of {n_unc}.",
        "",
        f"Step 2: Sobol total indices ST (Saltelli's scheme, SALib, N = {size.sobol_n}, "
        f"{size.sobol_n * (d + 2)} runs per preset, bootstrap 95% half-width in brackets, "
        f"{size.bootstrap} resamples) of the {len(DIALS)} dials plus the top {size.top} "
        f"uncertain parameters of the screen and organisation.manager_capacity "
        f"({len(chosen)} parameters: {', '.join(c[0] for c in chosen)}). With N this small the "
        f"indices rank factors; their sizes are rough.",
        "",
    ]
    out: dict[str, Any] = {"screen": screen, "chosen": chosen}
    for preset in size.sobol_presets:
        t = sobol_indices(preset, factors, size, seed, workers)
        out[preset] = t
        lines += [
            f"**{preset}**: total index ST [± 95%].",
            "",
            "| factor | " + " | ".join(SHORT[k][0].split(" (")[0] for k in OUTCOMES) + " |",
            "|---|" + "---:|" * len(OUTCOMES),
        ]
        for f in factors:
            g = t[t["factor"] == f[0]].set_index("outcome")
            cells = [f"{g.at[k, 'ST']:.2f} [{g.at[k, 'ST_conf']:.2f}]" for k in OUTCOMES]
            lines.append(f"| {_short_factor(f[0])} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip(), out


# --------------------------------------------------------------- the existing generated ones
def section_stationarity(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    from sim.validation import STATIONARITY_PRESETS, stationarity_table

    presets = size.stat_presets or STATIONARITY_PRESETS
    text = stationarity_table(
        presets=tuple(presets),
        replicates=size.stat_replicates,
        seed=seed,
        years=size.stat_years,
        **TEST_SIZE,
    )
    return text, {}


def section_capacity(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    from sim.capacity_sweep import markdown, sweep

    table = sweep(
        capacities=size.cap_capacities, replicates=size.cap_replicates, seed=seed, workers=workers
    )
    return markdown(table, size.cap_replicates, seed=seed).rstrip(), {}


def section_centola(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    from sim.validation import format_table, run_checks

    df = run_checks(["centola"], size=size.centola_size, seed=seed)
    df.attrs.pop("seconds", None)  # wall-clock time would make the section differ run to run
    return "```text\n" + format_table(df) + "\n```", {}


# ------------------------------------------------------------------------------ UTAUT paths
def utaut_markdown(summary: pd.DataFrame) -> str:
    """The survey table: one row per preset and wave, each path with its CI and band verdict."""
    from sim.utaut_survey import BANDS

    figs = ("beta_pe", "beta_ee", "beta_si", "r2")
    head = ["preset", "weeks after go-live", "PE -> BI", "EE -> BI", "SI -> BI", "R2"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    inside = total = 0
    for (name, wave), g in summary.groupby(["scenario", "wave"], sort=False):
        cells = [f"`{name}`", str(wave)]
        for k in figs:
            r = g[g["figure"] == k].iloc[0]
            lo, hi = BANDS[k][:2]
            ok = lo <= r["mean"] <= hi
            inside += ok
            total += 1
            cells.append(f"{r['mean']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]"
                         + ("" if ok else " (outside)"))
        lines.append("| " + " | ".join(cells) + " |")
    bands = "; ".join(f"{k}: {lo:g} to {hi:g} ({why})" for k, (lo, hi, why) in BANDS.items())
    return "\n".join(lines) + (
        f"\n\n{inside} of {total} means inside their bands. Bands: {bands}.\n"
    )


def section_utaut(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    from sim.scenario import preset_names
    from sim.utaut_survey import summarise, survey_runs

    people, customers = size.oat_size
    designs = {p: _base(p, people, customers, size.oat_weeks) for p in preset_names()}
    designs = {p: sc for p, sc in designs.items() if sc.crm.enabled}
    # seeds seed, seed + 1, ...: the survey is sequential, so this is the whole seed plan
    runs = survey_runs(designs, range(seed, seed + size.utaut_replicates))
    text = (
        f"{len(designs)} presets x {size.utaut_replicates} seeds "
        f"({seed}-{seed + size.utaut_replicates - 1}), {people} people / {customers} customers; "
        "the trained staff in post at each wave.\n\n" + utaut_markdown(summarise(runs))
    )
    return text, {"replicates": size.utaut_replicates}


# -------------------------------------------------------------------------------- knock-outs
def knockout_runs(size: Size, seed: int, workers: int) -> pd.DataFrame:
    """Tidy table: dial, knocked (bool), level, replicate, outcomes, in :data:`KO_PRESET`.

    Replicate r has the same seed (``sim.rng.replicate_seeds``) in every dial, level and arm.
    """
    from sim.knockouts import knockout
    from sim.rng import replicate_seeds

    seeds = replicate_seeds(seed, size.ko_replicates)
    base = _base(KO_PRESET, *size.oat_size, size.oat_weeks)
    jobs = []
    for dial in DIALS:
        for knocked in (False, True):
            over = knockout(dial) if knocked else {}
            for level in LEVELS:
                sc = base.with_overrides({**over, f"culture.{dial}": level})
                for r, s in enumerate(seeds):
                    jobs.append(((dial, knocked, level, r), sc, s))
    res = run_all(jobs, workers, "knock-outs")
    rows = [
        {"dial": k[0], "knocked": k[1], "level": k[2], "replicate": k[3], **res[k]}
        for k in sorted(res, key=lambda k: (DIALS.index(k[0]), k[1], k[2], k[3]))
    ]
    return pd.DataFrame(rows)


def knockout_effects(runs: pd.DataFrame) -> pd.DataFrame:
    """Per dial, arm and outcome: paired effect (0.9 - 0.1), 95% CI, and identical pairs."""
    from sim.experiment import mean_ci

    rows = []
    for (dial, knocked), g in runs.groupby(["dial", "knocked"], sort=False):
        lo = g[g["level"] == LEVELS[0]].sort_values("replicate")
        hi = g[g["level"] == LEVELS[1]].sort_values("replicate")
        same = np.ones(len(lo), dtype=bool)
        for k in KO_OUTCOMES:
            a, b = lo[k].to_numpy(float), hi[k].to_numpy(float)
            same &= (a == b) | (np.isnan(a) & np.isnan(b))
        for k in KO_OUTCOMES:
            d = hi[k].to_numpy(float) - lo[k].to_numpy(float)
            m, a, b = mean_ci(d[np.isfinite(d)])
            rows.append(
                {
                    "dial": dial,
                    "knocked": bool(knocked),
                    "outcome": k,
                    "effect": m,
                    "ci_low": a,
                    "ci_high": b,
                    "identical": int(same.sum()),
                    "n": int(len(lo)),
                }
            )
    return pd.DataFrame(rows)


def knockout_markdown(effects: pd.DataFrame) -> str:
    lines = [
        f"**{KO_PRESET}**: effect of the dial at 0.9 minus 0.1 (paired mean [95% CI]), intact "
        f"and with its mechanisms switched off (`sim.knockouts.knockout`, docs/ODD.md 8.W); "
        f"identical = knocked-out pairs whose three outcomes are exactly equal.",
        "",
        "| dial | "
        + " | ".join(f"{SHORT[k][0]} {arm}" for k in KO_OUTCOMES for arm in ("intact", "KO"))
        + " | identical |",
        "|---|" + "---:|" * (2 * len(KO_OUTCOMES) + 1),
    ]
    for dial in DIALS:
        g = effects[effects["dial"] == dial]
        cells = []
        for k in KO_OUTCOMES:
            for knocked in (False, True):
                r = g[(g["outcome"] == k) & (g["knocked"] == knocked)].iloc[0]
                cells.append(_cell(k, r["effect"], r["ci_low"], r["ci_high"]))
        ko_row = g[g["knocked"]].iloc[0]
        cells.append(f"{ko_row['identical']}/{ko_row['n']}")
        lines.append(f"| {dial} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section_knockouts(size: Size, seed: int, workers: int) -> tuple[str, dict[str, Any]]:
    runs = knockout_runs(size, seed, workers)
    eff = knockout_effects(runs)
    head = (
        f"{size.oat_size[0]} people / {size.oat_size[1]:,} customers, {size.oat_weeks} weeks "
        f"after the burn-in, {size.ko_replicates} paired replicates (root seed {seed}, "
        f"`sim.rng.replicate_seeds`; the same seeds for every dial, level and arm), "
        f"{KO_PRESET}, no no-change twin: {len(runs)} runs."
    )
    return head + "\n\n" + knockout_markdown(eff), {"runs": runs, "effects": eff}


BUILDERS: dict[str, Callable[[Size, int, int], tuple[str, dict[str, Any]]]] = {
    "oat": section_oat,
    "sobol": section_sobol,
    "stationarity": section_stationarity,
    "capacity": section_capacity,
    "centola": section_centola,
    "knockouts": section_knockouts,
    "utaut": section_utaut,
}
#: Default seeds, per section (the stationarity and capacity tables' own defaults kept).
SEEDS = {
    "oat": 7,
    "sobol": 11,
    "stationarity": 7,
    "capacity": 7,
    "centola": 1991,
    "knockouts": 7,
    "utaut": 7,
}


# ---------------------------------------------------------------------------- the document
def _markers(name: str) -> tuple[str, str]:
    return f"<!-- evidence:{name} -->", f"<!-- /evidence:{name} -->"


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with what lies between the markers of section ``name`` replaced by ``body``."""
    start, end = _markers(name)
    if text.count(start) != 1 or text.count(end) != 1:
        raise InputError(
            f"section {name!r}: expected exactly one {start} and one {end} in the document "
            f"(found {text.count(start)} and {text.count(end)})"
        )
    i = text.index(start) + len(start)
    j = text.index(end)
    if j < i:
        raise InputError(f"section {name!r}: {end} comes before {start}")
    return text[:i] + "\n" + body.rstrip("\n") + "\n" + text[j:]


def command_line(name: str, quick: bool, seed: int | None) -> str:
    cmd = f"python run.py evidence --only {name}"
    if quick:
        cmd += " --quick"
    if seed is not None:
        cmd += f" --seed {seed}"
    return cmd


def regenerate(
    only: Sequence[str] = SECTIONS,
    *,
    quick: bool = False,
    workers: int = 1,
    seed: int | None = None,
    doc: Path = DOC,
    today: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Run the named sections and write them into ``doc`` between their markers.

    The document is checked for every section's markers before anything runs, then read again
    and written once at the end (atomically, through a temporary file beside it), so an error
    leaves it unchanged and edits made to it while the runs went on are kept.

    Returns:
        Per section, the tables it computed (for tests).
    """
    unknown = [s for s in only if s not in BUILDERS]
    if unknown:
        raise InputError(f"--only: unknown section {unknown[0]!r} (known: {', '.join(SECTIONS)})")
    doc = Path(doc)
    text = doc.read_text(encoding="utf-8")
    for name in only:
        replace_section(text, name, "")  # markers present and well-formed
    size = QUICK if quick else FULL
    today = today or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")
    results: dict[str, dict[str, Any]] = {}
    bodies: dict[str, str] = {}
    for name in only:
        s = SEEDS[name] if seed is None else seed
        print(f"evidence: {name} ({size.name} size, seed {s})", flush=True)
        t0 = time.perf_counter()
        body, tables = BUILDERS[name](size, s, workers)
        secs = time.perf_counter() - t0
        header = (
            f"Generated by `{command_line(name, quick, seed)}` on {today} "
            f"({size.name} size, seed {s})."
        )
        bodies[name] = header + "\n\n" + body
        results[name] = {**tables, "seconds": secs}
        print(f"evidence: {name} done in {secs:.0f} s", flush=True)
    text = doc.read_text(encoding="utf-8")
    for name, body in bodies.items():
        text = replace_section(text, name, body)
    from sim.outputs import write_text

    if "oat" in bodies:  # first, so a document naming a table always has that table beside it
        eff = results["oat"]["effects"].loc[:, list(EFFECT_COLUMNS)]
        write_text(to_csv(eff) or "", effects_path(doc))  # text cells neutralised
    write_text(text, doc)  # a temporary file beside it, then os.replace
    return results


def parse_only(text: str | None) -> list[str]:
    if not text:
        return list(SECTIONS)
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in BUILDERS]
    if bad:
        raise InputError(f"--only: unknown section {bad[0]!r} (known: {', '.join(SECTIONS)})")
    return list(dict.fromkeys(names))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", help=f"comma list of sections (default all: {','.join(SECTIONS)})")
    p.add_argument("--quick", action="store_true", help="small sizes (the test's)")
    p.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    p.add_argument("--seed", type=int, default=None, help="root seed of every section")
    p.add_argument("--doc", type=Path, default=DOC, help="the document (docs/VALIDATION.md)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.evidence", description=__doc__)
    add_arguments(ap)
    a = ap.parse_args(argv)
    regenerate(parse_only(a.only), quick=a.quick, workers=a.workers, seed=a.seed, doc=a.doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
