"""Replicated runs of several designs on common random numbers, and their summaries.

Replicate r of every design uses the same seed (``sim.rng.replicate_seeds``), so designs are
compared pairwise on the same customers' issues, the same quit draws and so on. Results are
ordered by (design, replicate) whatever order the workers finish in, so the table is identical
for any worker count.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from sim.errors import InputError
from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.rng import replicate_seeds
from sim.scenario import Scenario, read_toml_file

EXPERIMENT_DIR = Path(__file__).resolve().parent.parent / "experiments"


class Comparison(BaseModel):
    """A comparison file: designs run over replicates on common random numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(min_length=1)
    description: str = ""
    scenarios: list[str] = Field(min_length=1, description="preset names or scenario files")
    baseline: str | None = None
    replicates: int = Field(8, ge=1, le=100_000)
    root_seed: int = Field(2026, ge=0)

    @model_validator(mode="after")
    def _baseline_is_a_design(self) -> Comparison:
        if self.baseline is not None and self.baseline not in self.scenarios:
            raise ValueError(f"baseline {self.baseline!r} is not one of the scenarios")
        return self

    def load_designs(self, relative_to: Path) -> dict[str, Scenario]:
        """Scenario per design name; file paths are read relative to the comparison file."""
        out: dict[str, Scenario] = {}
        for ref in self.scenarios:
            p = relative_to / ref
            s = load_scenario(p if ref.endswith(".toml") else ref)
            out[s.name if s.name not in out else f"{s.name}#{len(out)}"] = s
        return out


def load_comparison(path: str | Path) -> Comparison:
    """Read and validate a comparison file (see ``experiments/main_job.toml``)."""
    path = Path(path)
    data = read_toml_file(path, "comparison", InputError)[2]
    try:
        return Comparison.model_validate(data)
    except ValidationError as err:
        msgs = [
            f"{path}: {'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in err.errors()
        ]
        raise InputError("\n".join(msgs)) from None


# Headline outcomes at the horizon: name -> (label, how to read it)
HEADLINES: dict[str, str] = {
    "adoption_rate": "CRM adoption (share of front line using it for most work), final week",
    "data_quality": "CRM data quality, final week",
    "decision_latency_days": "days to a customer decision, mean of the last 13 weeks",
    "first_contact_resolution": "first-contact resolution, mean of the last 13 weeks",
    "satisfaction_mean": "customer satisfaction, final week",
    "annual_churn": "customer churn over the last 52 weeks",
    "silent_churn_share": "share of all churners who never complained",
    "complaints_per_churner": "complaints received per customer lost (management's view)",
    "morale_mean": "employee morale, final week",
    "annual_staff_turnover": "front-line quits over the last 52 weeks / front-line headcount",
    "net_benefit_total": "cumulative revenue minus all costs",
    "roi": "ROI of CRM and programme spend against no change, same random numbers",
}

#: Unit of each headline outcome (stored with each column in a sweep's Parquet files).
HEADLINE_UNITS: dict[str, str] = {
    "adoption_rate": "share (0-1)",
    "data_quality": "quality (0-1)",
    "decision_latency_days": "days",
    "first_contact_resolution": "share (0-1)",
    "satisfaction_mean": "satisfaction (0-1)",
    "annual_churn": "share of customers per year",
    "silent_churn_share": "share (0-1)",
    "complaints_per_churner": "complaints per customer lost",
    "morale_mean": "morale (0-1)",
    "annual_staff_turnover": "share of front-line headcount per year",
    "net_benefit_total": "currency",
    "roi": "ratio",
}

#: Bounds of each headline outcome (None: unbounded on that side). A confidence interval of a
#: bounded outcome's mean is kept inside them (sim.sweep.analysis, ``ci_method``).
HEADLINE_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "adoption_rate": (0.0, 1.0),
    "data_quality": (0.0, 1.0),
    "decision_latency_days": (0.0, None),
    "first_contact_resolution": (0.0, 1.0),
    "satisfaction_mean": (0.0, 1.0),
    "annual_churn": (0.0, None),
    "silent_churn_share": (0.0, 1.0),
    "complaints_per_churner": (0.0, None),
    "morale_mean": (0.0, 1.0),
    "annual_staff_turnover": (0.0, None),
    "net_benefit_total": (None, None),
    "roi": (None, None),
}

#: The only headline outcomes that may be NaN, and when (never infinite).
HEADLINE_NAN_WHEN: dict[str, str] = {
    "roi": "as the weekly roi column (sim.metrics.NAN_WHEN) in the final week",
    "decision_latency_days": "no decision in the last 13 weeks",
    "first_contact_resolution": "no new issue in the last 13 weeks",
    "satisfaction_mean": "no active customer in the final week",
    "silent_churn_share": "no customer lost",
    "complaints_per_churner": "no customer lost",
    "morale_mean": "nobody in post in the final week",
}


def headline(df: pd.DataFrame) -> dict[str, float]:
    """Headline outcomes of one run from its per-week table."""
    last = df.iloc[-1]
    tail = df.iloc[-13:]
    year = df.iloc[-52:]
    start_idx = max(len(df) - 53, 0)
    active_start = (
        df["customers_active"].iloc[start_idx]
        if len(df) > 52
        else df["customers_active"].iloc[0] + df["churned_total"].iloc[0]
    )
    churned_year = last["churned_total"] - (
        df["churned_total"].iloc[start_idx] if len(df) > 52 else 0.0
    )
    q = df["front_line_quits_total"]
    quits_year = last["front_line_quits_total"] - (q.iloc[start_idx] if len(df) > 52 else 0)
    scale = 52.0 / min(len(df), 52)
    return {
        "adoption_rate": float(last["adoption_rate"]),
        "data_quality": float(last["data_quality"]),
        "decision_latency_days": float(tail["decision_latency_days"].mean()),
        "first_contact_resolution": float(tail["first_contact_resolution"].mean()),
        "satisfaction_mean": float(last["satisfaction_mean"]),
        "annual_churn": float(churned_year / max(active_start, 1.0) * scale),
        "silent_churn_share": float(last["churned_silent_total"] / last["churned_total"])
        if last["churned_total"] > 0
        else float("nan"),
        "complaints_per_churner": float(last["complaints_total"] / last["churned_total"])
        if last["churned_total"] > 0
        else float("nan"),
        "morale_mean": float(last["morale_mean"]),
        "annual_staff_turnover": float(
            quits_year / max(year["front_line_active"].mean(), 1.0) * scale
        ),
        "net_benefit_total": float(last["net_benefit_total"]),
        "roi": float(last["roi"]),
    }


def _run_job(job: tuple[Any, ...]) -> tuple[str, int, int, pd.DataFrame]:
    name, rep, seed, scenario = job[:4]
    counterfactual = job[4] if len(job) > 4 else True  # (name, rep, seed, scenario[, cf])
    df = OrgModel(scenario, rng=seed, counterfactual=counterfactual).run()
    return name, rep, seed, df


def _timed_job(job: tuple[Any, ...]) -> tuple[tuple[str, int, int, pd.DataFrame], float]:
    """:func:`_run_job` and the seconds it took in its process (for the report's benchmark)."""
    t0 = time.perf_counter()
    res = _run_job(job)
    return res, time.perf_counter() - t0


def run_replicates(
    scenarios: dict[str, Scenario],
    replicates: int,
    root_seed: int,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    counterfactual: bool | Collection[str] = True,
) -> pd.DataFrame:
    """Run every design ``replicates`` times on common random numbers.

    Args:
        scenarios: design name -> scenario.
        replicates: runs per design (>= 1).
        root_seed: seed from which the replicate seeds are spawned.
        workers: processes to use (1 runs in this process).
        progress: called with 1 after each finished run (e.g. a tqdm ``update``).
        counterfactual: also run each design's no-change twin (needed for ``roi`` only; every
            other column is the same without it): True, False, or the design names that need it.

    Returns:
        Tidy per-week table: columns ``scenario, replicate, seed, week`` then every metric.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    seeds = replicate_seeds(root_seed, replicates)
    cf = {
        n: counterfactual if isinstance(counterfactual, bool) else n in counterfactual
        for n in scenarios
    }
    jobs = [(n, r, seeds[r], s, cf[n]) for n, s in scenarios.items() for r in range(replicates)]
    return run_jobs(jobs, workers=workers, progress=progress)


def run_jobs(
    jobs: Sequence[tuple[str, int, int, Scenario, bool]],
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    seconds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Run ``(design, replicate, seed, scenario, with_twin)`` jobs, in order whatever the workers.

    :func:`run_replicates` builds the jobs of designs that are the same in every replicate; a
    caller whose scenario differs by replicate (the report's assumption draws) builds its own.

    Args:
        jobs: the runs.
        workers: processes (1 runs in this process).
        progress: called with 1 after each finished run.
        seconds: if given, each design name's runs add the seconds they took (in their worker
            process) to ``seconds[name]``: what the runs' time is spent on.

    Returns:
        Tidy per-week table: columns ``scenario, replicate, seed, week`` then every metric,
        ordered by design (first appearance in ``jobs``) and replicate.
    """
    out: list[tuple[str, int, int, pd.DataFrame]] = []

    def done(res: tuple[tuple[str, int, int, pd.DataFrame], float]) -> None:
        out.append(res[0])
        if seconds is not None:
            seconds[res[0][0]] = seconds.get(res[0][0], 0.0) + res[1]
        if progress:
            progress(1)

    if workers <= 1:
        for job in jobs:
            done(_timed_job(job))
    else:
        ctx = mp.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            for res in pool.map(_timed_job, jobs, chunksize=1):
                done(res)
    order: dict[str, int] = {}
    for job in jobs:
        order.setdefault(job[0], len(order))
    out.sort(key=lambda t: (order[t[0]], t[1]))
    frames = []
    for name, rep, seed, df in out:
        df = df.reset_index()
        df.insert(0, "seed", seed)
        df.insert(0, "replicate", rep)
        df.insert(0, "scenario", name)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def headlines_table(weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per (scenario, replicate) with the headline outcomes."""
    rows = []
    for (name, rep), g in weekly.groupby(["scenario", "replicate"], sort=False):
        rows.append({"scenario": name, "replicate": rep, **headline(g.set_index("week"))})
    return pd.DataFrame(rows)


def mean_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval (NaNs dropped); a single value has no interval."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def prediction_interval(
    values: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """Where one more draw would fall: mean +/- t * sd * sqrt(1 + 1/n) (NaNs dropped).

    The range over replicates of a quantity that varies between replicates by design (the
    report's joint draws of assumptions), not the uncertainty of its mean (:func:`mean_ci`).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return float("nan"), float("nan")
    m = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) * np.sqrt(1 + 1 / x.size))
    return m - half, m + half


def summarise(heads: pd.DataFrame, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean, sd and 95% CI of each headline outcome per scenario (long format)."""
    outcomes = list(outcomes or HEADLINES)
    rows = []
    for name, g in heads.groupby("scenario", sort=False):
        for k in outcomes:
            m, lo, hi = mean_ci(g[k])
            rows.append(
                {
                    "scenario": name,
                    "outcome": k,
                    "mean": m,
                    "sd": float(np.nanstd(g[k], ddof=1)) if g[k].notna().sum() > 1 else np.nan,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": int(g[k].notna().sum()),
                }
            )
    return pd.DataFrame(rows)


def paired_differences(
    heads: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Each scenario minus the baseline, paired by replicate (common random numbers)."""
    outcomes = list(outcomes or HEADLINES)
    base = heads[heads["scenario"] == baseline].set_index("replicate")
    rows = []
    for name, g in heads.groupby("scenario", sort=False):
        if name == baseline:
            continue
        g = g.set_index("replicate")
        common = g.index.intersection(base.index)
        for k in outcomes:
            d = (g.loc[common, k] - base.loc[common, k]).to_numpy(dtype=float)
            m, lo, hi = mean_ci(d)
            rows.append(
                {
                    "scenario": name,
                    "baseline": baseline,
                    "outcome": k,
                    "diff": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": int(np.isfinite(d).sum()),
                }
            )
    return pd.DataFrame(rows)
