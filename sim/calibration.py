"""Calibration: fit the uncertain parameters to an organisation's own figures (docs/ODD.md 8.K).

A strategy team knows its churn, staff turnover, first-contact resolution and days to a
decision. :func:`calibrate` takes those figures (an *observed file*, :func:`load_observed`) and
returns the parameter sets that reproduce them (:class:`Posterior`), by likelihood-free Bayesian
inference: ABC-SMC (approximate Bayesian computation, sequential Monte Carlo; Toni et al. 2009,
Del Moral et al. 2012) as pyabc implements it (Schaelte et al. 2022).

- **What the figures describe.** The organisation as it is at the start of a run: the scenario
  with everything it schedules removed (go-live, change programme, interventions, a proposed
  design's changes), a CRM already live before the start kept (:func:`at_start`). Each target
  is measured over the first year from that rest state, as the headline outcomes are
  (``sim.experiment.headline`` over 52 weeks).
- **Priors** are uniform over each parameter's plausible range (``sim.parameters``); by default
  the parameters flagged ``uncertain``, or the ones named.
- **Distance**: the Euclidean distance between simulated and observed figures, each divided by
  its observed ``sd`` (so a figure known to within 1 point weighs ten times one known to within
  10 points).
- **Determinism.** pyabc's own parallel samplers accept particles in the order they finish, so
  their results depend on the number of workers. :class:`OrderedSampler` proposes particles in
  batches with seeds derived from (seed, generation, particle index), runs each batch through
  the project's executors (``sim.sweep.executors``: this process, a process pool or Dask) and
  accepts in index order until the population is full: the same seed gives the same posterior on
  any executor and worker count.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import InputError
from sim.scenario import Scenario

#: Headline outcomes that can be targets: all but ROI, which needs a change to be measured.
TARGETS = (
    "adoption_rate",
    "data_quality",
    "decision_latency_days",
    "first_contact_resolution",
    "satisfaction_mean",
    "annual_churn",
    "silent_churn_share",
    "complaints_per_churner",
    "morale_mean",
    "annual_staff_turnover",
    "net_benefit_total",
)
#: Targets with a per-week column of the same name, so they can be given as a series.
SERIES_TARGETS = (
    "adoption_rate",
    "data_quality",
    "decision_latency_days",
    "first_contact_resolution",
    "satisfaction_mean",
    "morale_mean",
)
#: Weeks measured from the start: the first year, as the headline outcomes are.
WINDOW_WEEKS = 52
#: A parameter whose posterior 90% interval is at least this share of its prior's is reported as
#: not pinned down by the figures (the data narrowed it by less than a fifth).
WEAK_NARROWING = 0.8
#: A posterior whose effective sample size (Kish) is below this share of its particles rests on
#: too few of them for an interval: every parameter is then reported as not pinned down.
FEW_EFFECTIVE = 0.1
#: A target is reported as not reached when the observed value lies more than this many of its
#: sds outside the posterior predictive 90% interval.
UNREACHED_SDS = 2.0
#: A fit stops before a generation whose tolerance is less than this share below the last one's:
#: the tolerance has stopped falling (the runs' own spread, simulation noise and the parameters
#: left to their priors, is the floor) and a generation costs more runs than the last while
#: barely moving the posterior (an assumption, docs/ODD.md 8.K).
MIN_TOLERANCE_FALL = 0.05


# ------------------------------------------------------------------ the observed file
class Target(BaseModel):
    """One observed figure: a value and its uncertainty, or a series of values."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    value: float | None = Field(None, description="The figure (e.g. 0.08 for 8% churn a year).")
    sd: float = Field(gt=0, description="Its uncertainty, one standard deviation, same unit.")
    series: list[float] | None = Field(
        None, min_length=1, max_length=520, description="Values every every_weeks weeks."
    )
    every_weeks: int = Field(4, ge=1, le=52, description="Weeks between the series' values.")
    period: str = Field("", max_length=200, description="The period the figure covers.")

    def points(self) -> int:
        """How many numbers this target contributes to the distance."""
        return 1 if self.series is None else len(self.series)


class Observed(BaseModel):
    """An observed-figures file: ``[targets.NAME]`` tables (see examples/acme/observed.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    description: str = Field("", max_length=5000)
    targets: dict[str, Target] = Field(min_length=1)

    def window(self) -> int:
        """Weeks to run from the start to measure every target (at least a year)."""
        weeks = [WINDOW_WEEKS]
        for t in self.targets.values():
            if t.series is not None:
                weeks.append(len(t.series) * t.every_weeks)
        return max(weeks)

    def statistics(self) -> dict[str, float]:
        """The observed figures as flat named numbers (a series as ``NAME[i]``)."""
        out: dict[str, float] = {}
        for name, t in self.targets.items():
            if t.series is None:
                out[name] = float(t.value)  # type: ignore[arg-type]
            else:
                out.update({f"{name}[{i}]": float(v) for i, v in enumerate(t.series)})
        return out

    def sds(self) -> dict[str, float]:
        """Each flat statistic's sd (a series' points share the target's)."""
        out: dict[str, float] = {}
        for name, t in self.targets.items():
            if t.series is None:
                out[name] = t.sd
            else:
                out.update({f"{name}[{i}]": t.sd for i in range(len(t.series))})
        return out


def _err_loc(loc: Sequence[Any]) -> str:
    return ".".join(str(x) for x in loc) or "(top)"


def parse_observed(data: Mapping[str, Any], source: str = "observed") -> Observed:
    """Validate observed-figures data.

    Raises:
        InputError: one line per problem naming ``targets.NAME.field`` and what is expected; an
            unknown target is listed with the known ones.
    """
    targets = data.get("targets")
    msgs: list[str] = []
    if isinstance(targets, dict):
        for name, t in targets.items():
            if name not in TARGETS:
                msgs.append(
                    f"{source}: targets.{name}: unknown target; expected one of "
                    f"{', '.join(TARGETS)}"
                )
            elif isinstance(t, dict):
                if t.get("value") is None and t.get("series") is None:
                    msgs.append(f"{source}: targets.{name}: expected value = ... or series = [...]")
                elif t.get("value") is not None and t.get("series") is not None:
                    msgs.append(f"{source}: targets.{name}: expected value or series, not both")
                if t.get("series") is not None and name not in SERIES_TARGETS:
                    msgs.append(
                        f"{source}: targets.{name}.series: {name} has no weekly value; a series "
                        f"is accepted for {', '.join(SERIES_TARGETS)}"
                    )
            else:
                msgs.append(
                    f"{source}: targets.{name}: expected a table with value and sd "
                    f"([targets.{name}] value = ... sd = ...)"
                )
    if not msgs:
        try:
            return Observed.model_validate(dict(data))
        except ValidationError as err:
            for e in err.errors():
                got = e.get("input")
                shown = (
                    "" if isinstance(got, (dict, list)) or "input" not in e else f" (got {got!r})"
                )
                msgs.append(f"{source}: {_err_loc(e['loc'])}: {e['msg']}{shown}")
    raise InputError("\n".join(msgs))


def load_observed(path: str | Path) -> Observed:
    """Read and validate an observed-figures file (TOML).

    Raises:
        InputError: for a missing, unreadable or malformed file, or invalid contents (the file,
            the dotted field and what is expected).
    """
    from sim.scenario import read_toml_file

    path = Path(path)
    data = read_toml_file(path, "observed figures", InputError)[2]
    return parse_observed(data, str(path))


# ------------------------------------------------------------------ the organisation at rest
def at_start(scenario: Scenario, weeks: int = WINDOW_WEEKS) -> Scenario:
    """The organisation the observed figures describe: ``scenario`` with nothing scheduled.

    The CRM is switched off unless it went live before the start (``crm.go_live_week < 0``,
    then it is part of the organisation at rest); the change programme, interventions and a
    proposed design's changes are removed; the horizon is ``weeks``.

    Raises:
        InputError: for a proposed design reached from a base file (calibrate the base, the
            organisation as it is).
    """
    if scenario.design.from_base:
        raise InputError(
            f"{scenario.name}: a proposed design (it names a base file); calibrate the current "
            "design, the organisation as it is, and base the proposal on the calibrated file"
        )
    live = scenario.crm.enabled and scenario.crm.go_live_week < 0
    # a calibrated file fitted again starts from its priors, not its posterior
    scenario = scenario.model_copy(update={"calibration": None})
    return scenario.with_overrides(
        {
            "crm.enabled": live,
            "change_programme.steps": [],
            "interventions": [],
            "design.set": {},
            "horizon_weeks": weeks,
        },
        source="at_start",
    )


def measure(weekly: pd.DataFrame, observed: Observed) -> dict[str, float]:
    """The observed statistics of one run's per-week table (first year; series by week)."""
    from sim.experiment import headline

    heads = headline(weekly.iloc[:WINDOW_WEEKS])
    out: dict[str, float] = {}
    for name, t in observed.targets.items():
        if t.series is None:
            out[name] = float(heads[name])
        else:
            col = weekly[name].to_numpy(dtype=float)
            for i in range(len(t.series)):
                out[f"{name}[{i}]"] = float(col[(i + 1) * t.every_weeks - 1])
    return out


def simulate(job: tuple[Scenario, dict[str, Any], int, Observed]) -> dict[str, float]:
    """One run of the organisation at rest with a parameter set: its observed statistics.

    ``job`` is ``(scenario at start, overrides, seed, observed)``; module level so that worker
    processes and Dask can run it.
    """
    from sim.model import OrgModel

    scenario, overrides, seed, observed = job
    model = OrgModel(
        scenario.with_overrides(overrides, "calibration"), rng=seed, counterfactual=False
    )
    return measure(model.run(), observed)


# ------------------------------------------------------------------ parameters and priors
@dataclass(frozen=True)
class Prior:
    """A calibrated parameter: uniform over [low, high]."""

    path: str
    low: float
    high: float
    kind: str
    label: str

    @property
    def key(self) -> str:
        """pyabc's name for it (no dots)."""
        return self.path.replace(".", "__")


def priors(names: Iterable[str] | None = None) -> list[Prior]:
    """The parameters to calibrate: the flagged uncertain ones (but the salaries by role, which
    no target is informed by), or ``names``.

    A named parameter that is not flagged uncertain gets its schema range (``lo``..``hi``).

    Raises:
        InputError: for an unknown, non-numeric or unbounded parameter, naming it.
    """
    from sim.assumptions import ROLE_SALARIES
    from sim.scenario import field_specs

    specs = {s.path: s for s in field_specs()}
    if names is None:
        # no target (churn, turnover, adoption, FCR, ...) is informed by pay: the salaries by
        # role would only widen the fit (ODD 8.L); name one to fit it
        return [
            Prior(s.path, float(s.plausible_lo), float(s.plausible_hi), s.kind, s.label)
            for s in specs.values()
            if s.uncertain
            and s.path not in ROLE_SALARIES
            and s.plausible_lo is not None
            and s.plausible_hi is not None
            and s.plausible_hi > s.plausible_lo
        ]
    out: list[Prior] = []
    for name in names:
        s = specs.get(name)
        if s is None or s.kind == "bool":
            import difflib

            close = difflib.get_close_matches(name, list(specs), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(
                f"--parameters {name}: not a numeric scenario field{hint} (python run.py params "
                "lists them)"
            )
        lo, hi = (s.plausible_lo, s.plausible_hi) if s.uncertain else (s.lo, s.hi)
        if lo is None or hi is None or not hi > lo:
            raise InputError(
                f"--parameters {name}: has no bounded range to draw a prior from; expected a "
                "parameter with a plausible range (python run.py params --uncertain)"
            )
        if name in {p.path for p in out}:
            raise InputError(f"--parameters {name}: named twice")
        out.append(Prior(name, float(lo), float(hi), s.kind, s.label))
    if not out:
        raise InputError("--parameters: name at least one parameter")
    return out


def overrides_of(ps: Sequence[Prior], values: Sequence[float]) -> dict[str, Any]:
    """Dotted overrides for one parameter set (integers rounded)."""
    return {p.path: int(round(v)) if p.kind == "int" else float(v) for p, v in zip(ps, values)}


# ------------------------------------------------------------------ the screen
#: Family-wise error rate of the screen: a parameter is selected when its Spearman correlation
#: with some target has a Holm-adjusted p-value below this.
SCREEN_ALPHA = 0.05
#: The default fit keeps at most population // PARTICLES_PER_PARAMETER parameters: at least ten
#: accepted particles per fitted parameter (an assumption: fewer and the weighted 90% intervals
#: of a generation rest on a handful of particles per dimension, 8.K).
PARTICLES_PER_PARAMETER = 10
#: What a screened fit does with the flagged parameters the screen leaves out (the first is the
#: default): hold them at the scenario's values, or draw them from their priors in every run.
OTHERS = ("held", "drawn")
#: The default number of screen points: this share of the budget (in addition to it).
SCREEN_SHARE = 0.2
SCREEN_COLUMNS = ("parameter", "target", "rho", "p", "p_adjusted", "selected")


def default_screen_points(budget: int) -> int:
    """The screen's prior points when ``--screen`` is not given: a fifth of the budget."""
    return max(0, int(budget * SCREEN_SHARE))


def screen_cap(population: int) -> int:
    """Most parameters the default fit keeps: population >= 10 x parameters (at least one)."""
    return max(1, population // PARTICLES_PER_PARAMETER)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error over all of ``p``)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def target_summaries(stats_: Mapping[str, float], observed: Observed) -> dict[str, float]:
    """One number per target from a run's flat statistics: the value, or a series' mean."""
    out: dict[str, float] = {}
    for name, t in observed.targets.items():
        if t.series is None:
            out[name] = float(stats_[name])
        else:
            out[name] = float(np.mean([stats_[f"{name}[{i}]"] for i in range(len(t.series))]))
    return out


@dataclass
class Screen:
    """The screen's result: one row per (parameter, target) and the parameters selected."""

    table: pd.DataFrame
    selected: list[str]
    points: int
    cap: int
    #: median distance to the observed figures over the points (the prior predictive's, on
    #: one seed): the fit's first tolerance instead of a prior sample of its own (inf if
    #: fewer than half the points have every statistic)
    epsilon0: float = float("inf")
    #: each point's distance to the observed figures (the sd-scaled Euclidean of the fit)
    distances: np.ndarray = field(default_factory=lambda: np.zeros(0))


def select_parameters(t: pd.DataFrame, *, cap: int, alpha: float = SCREEN_ALPHA) -> list[str]:
    """The screen's rule: parameters with a Holm-adjusted p below ``alpha`` for some target,
    the targets taking turns.

    ``t`` has the columns ``parameter, target, rho, p_adjusted`` (one row per parameter and
    target). Each target ranks the parameters that pass for it, strongest first (smallest
    adjusted p, then largest |rho|); the targets then take turns, each adding its strongest
    parameter not yet chosen (within a round, the strongest of those first), until ``cap``
    parameters are chosen or none passes. Taking turns keeps one target whose several
    parameters all correlate strongly (staff turnover's quit rates, say) from filling the cap
    while another target is left without its own levers (churn, whose correlations are weaker):
    a target with no fitted parameter can only be matched by luck. When none passes, the single
    strongest, so the fit has a parameter (its rows then say it did not pass).
    """
    ranked = t.assign(abs_rho=t["rho"].abs()).sort_values(
        ["p_adjusted", "abs_rho"], ascending=[True, False], kind="stable"
    )
    passed = ranked[ranked["p_adjusted"] < alpha]
    if not len(passed):
        return list(ranked["parameter"].head(1))
    queues = {
        name: list(g[["parameter", "p_adjusted", "abs_rho"]].itertuples(index=False))
        for name, g in passed.groupby("target", sort=False)
    }
    chosen: list[str] = []

    def head(q: list[Any]) -> Any:
        while q and q[0].parameter in chosen:
            q.pop(0)
        return q[0] if q else None

    while len(chosen) < cap and any(head(q) is not None for q in queues.values()):
        # one round: each target with a parameter left adds one, the strongest head first
        for q in sorted(
            (q for q in queues.values() if head(q) is not None),
            key=lambda q: (q[0].p_adjusted, -q[0].abs_rho),
        ):
            h = head(q)  # a target earlier in the round may have taken this one
            if h is not None and len(chosen) < cap:
                chosen.append(q.pop(0).parameter)
    return chosen


def screen(
    scenario: Scenario,
    observed: Observed,
    ps: Sequence[Prior],
    points: int,
    *,
    seed: int = 2026,
    cap: int = 10,
    workers: int = 1,
    dask: str | None = None,
    alpha: float = SCREEN_ALPHA,
) -> Screen:
    """Which parameters the figures can inform: a rank-correlation screen over the priors.

    ``points`` parameter sets are drawn uniformly from the priors (generator from the calibration
    seed's spawn key 5) and run at rest on one common seed (spawn key 6: common random numbers,
    so a correlation is the parameter's and not noise), through the same executors as the fit
    (results keyed by point, so they do not depend on the worker count). For each parameter and
    target, Spearman's rank correlation (``scipy.stats.spearmanr``) of the parameter with the
    target's summary (its value, or a series' mean) and its p-value; the p-values are adjusted
    by Holm's step-down method over all parameters x targets (family-wise error ``alpha``).
    Selected by :func:`select_parameters`: the parameters with a Holm-adjusted p below ``alpha``
    for some target, the targets taking turns (each its strongest not yet chosen), at most
    ``cap``; when none passes, the single strongest, so the fit has a parameter (its rows say
    it did not pass).

    Raises:
        InputError: for fewer than 3 points.
    """
    from scipy.stats import spearmanr

    from sim.sweep.executors import make_executor

    if points < 3:
        raise InputError(f"--screen {points}: expected 0 (no screen) or at least 3 prior points")
    base = at_start(scenario, observed.window())
    rng = np.random.Generator(np.random.PCG64(_child(seed, _SCREEN_POINTS)))
    lows = np.array([p.low for p in ps])
    highs = np.array([p.high for p in ps])
    X = rng.uniform(lows, highs, size=(points, len(ps)))
    run_seed = seed_from_child(seed, _SCREEN_RUN)
    sets = [overrides_of(ps, row) for row in X]
    jobs = [(i, (base, o, run_seed, observed)) for i, o in enumerate(sets)]
    ex = make_executor(workers, dask, key_prefix="calibrate-screen")
    try:
        got = {job[0]: res for job, res in ex.imap_unordered(_numbered, jobs)}
    finally:
        ex.close()
    names = list(observed.targets)
    Y = np.empty((points, len(names)))
    dist = _distance(observed.sds())
    x0 = observed.statistics()
    dists = np.empty(points)
    for i in range(points):
        res = got[i]
        if isinstance(res, BaseException):
            raise RuntimeError(f"screen run failed: {res}") from res
        dists[i] = dist(res, x0)
        summ = target_summaries(res, observed)
        Y[i] = [summ[n] for n in names]
    # the parameters as run (integers rounded), so a rank is of the value the model saw
    Xrun = np.array([[float(o[p.path]) for p in ps] for o in sets])
    rows = []
    for j, p in enumerate(ps):
        for k, name in enumerate(names):
            x, y = Xrun[:, j], Y[:, k]
            ok = np.isfinite(y)
            if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
                rho, pv = 0.0, 1.0
            else:
                r = spearmanr(x[ok], y[ok])
                rho, pv = float(r.statistic), float(r.pvalue)
            rows.append({"parameter": p.path, "target": name, "rho": rho, "p": pv})
    t = pd.DataFrame(rows, columns=["parameter", "target", "rho", "p"])
    t["p_adjusted"] = holm(t["p"].to_numpy()) if len(t) else []
    chosen = select_parameters(t, cap=cap, alpha=alpha)
    t["selected"] = t["parameter"].isin(chosen)
    order = {p: i for i, p in enumerate(chosen)}
    return Screen(
        t[list(SCREEN_COLUMNS)],
        sorted(chosen, key=order.__getitem__),
        points,
        cap,
        float(np.median(dists)),
        dists,
    )


def write_screen(sc: Screen, out: Path) -> Path:
    """``screen.csv`` in ``out``, written atomically (a temporary file renamed into place)."""
    from sim.csvsafe import to_csv

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / SCREEN_FILE
    _atomic_text(path, to_csv(sc.table, index=False) or "")
    return path


def read_screen_selection(out: Path) -> list[str] | None:
    """The parameters a folder's ``screen.csv`` selected (for ``--resume``), or None."""
    path = Path(out) / SCREEN_FILE
    if not path.exists():
        return None
    t = pd.read_csv(path)
    return list(dict.fromkeys(t.loc[t["selected"].astype(bool), "parameter"]))


# ------------------------------------------------------------------ the perturbation kernel
#: Logit-space coordinates are clipped to a unit-interval position in [_EDGE, 1 - _EDGE]: a
#: proposal never lands on a bound (where the logit is infinite), far below any bandwidth.
_EDGE = 1e-12


def box_transition_class() -> type:
    """The :class:`BoxTransition` class (pyabc is imported only when calibrating)."""
    from pyabc import Parameter
    from pyabc.transition import Transition
    from pyabc.transition.multivariatenormal import silverman_rule_of_thumb

    class BoxTransition(Transition):
        """A normal kernel in logit space over the parameters the population has narrowed, the
        prior over the others: every proposal inside the uniform prior's box.

        Each parameter's position in its range, ``u = (x - low) / (high - low)``, is mapped to
        ``z = logit(u)``, an unbounded coordinate. A parameter the previous population has
        *narrowed* (its weighted 90% interval less than ``WEAK_NARROWING`` of the prior's, the
        summary's rule) is perturbed: the weighted mixture, over the previous particles, of
        normals centred on them in ``z`` with the weighted covariance of ``z`` times Silverman's
        bandwidth factor squared (pyabc's ``MultivariateNormalTransition``, in ``z`` and over
        the narrowed parameters). Where that covariance is singular (fewer effective particles
        than narrowed parameters + 2) its diagonal is used: a singular kernel proposes only in
        the previous particles' affine hull, a set of prior probability zero. Every other
        parameter is drawn afresh from its uniform prior. In many dimensions that is what keeps
        the importance weights prior / kernel usable: a kernel centred on 100 particles in 144
        dimensions has a density that varies by many orders of magnitude from one proposal to
        the next, so one particle took all the weight (acme, 144 parameters: an effective
        sample size of 1.0 of 100 from the second generation on); drawn from the prior, a
        parameter the figures do not inform contributes a factor 1 to every weight.

        Proposals are always inside the box, so pyabc never rejects one for prior density zero
        (the stall of its normal kernel in ``x`` in many dimensions). :meth:`pdf` is the
        proposal's density in ``x``: the mixture density in ``z`` times the Jacobian
        ``prod 1 / ((high - low) u (1 - u))`` over the narrowed parameters, times
        ``1 / (high - low)`` for each other one, so pyabc's importance weights are the right ones.

        Args:
            bounds: each pyabc parameter name's (low, high).
            scaling: multiplies the covariance (1: Silverman's rule as is).
            narrowed: the interval share below which a parameter is perturbed (inf: every one).
        """

        def __init__(
            self,
            bounds: Mapping[str, tuple[float, float]] | None = None,
            scaling: float = 1.0,
            narrowed: float = WEAK_NARROWING,
        ) -> None:
            self.bounds = dict(bounds or {})
            self.scaling = scaling
            self.narrowed = narrowed

        def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
            from pyabc.transition import NotEnoughParticles

            if len(X) == 0:
                raise NotEnoughParticles("Fitting not possible.")
            self._cols = list(X.columns)
            lo = np.array([float(self.bounds[c][0]) for c in self._cols])
            width = np.array([float(self.bounds[c][1]) for c in self._cols]) - lo
            x = X[self._cols].to_numpy(dtype=float)
            self._w = np.asarray(w, dtype=float) / float(np.sum(w))
            u = np.clip((x - lo) / width, _EDGE, 1 - _EDGE)
            share = np.array(
                [
                    (
                        weighted_quantile(u[:, j], self._w, 0.95)
                        - weighted_quantile(u[:, j], self._w, 0.05)
                    )
                    / 0.9
                    for j in range(u.shape[1])
                ]
            )
            self.perturbed = share < self.narrowed  # the others are drawn from the prior
            self._lo_all, self._width_all = lo, width
            self._lo, self._width = lo[self.perturbed], width[self.perturbed]
            uu = u[:, self.perturbed]
            self._Z = np.log(uu) - np.log1p(-uu)
            n, d = self._Z.shape
            ess = 1.0 / float(np.sum(self._w**2))
            self.full = False
            if d == 0:
                self._L = self._Linv = np.zeros((0, 0))
                self._logdet = 0.0
                return
            h2 = silverman_rule_of_thumb(ess, d) ** 2 * self.scaling
            if n > 1:
                cov = np.atleast_2d(np.cov(self._Z, aweights=self._w, rowvar=False))
            else:
                cov = np.eye(d)
            var = np.maximum(np.diag(cov), 1e-12)
            self.full = ess > d + 1
            chol = None
            if self.full:
                try:
                    chol = np.linalg.cholesky(cov * h2)
                except np.linalg.LinAlgError:
                    self.full = False
            if chol is None:
                chol = np.diag(np.sqrt(var * h2))
            self._L = chol
            self._Linv = np.linalg.inv(chol)
            self._logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))

        def rvs_single(self) -> Any:
            # numpy's global generator, as pyabc's own kernels: the sampler seeds it per particle
            i = int(np.random.choice(len(self._w), p=self._w))
            out = self._lo_all + self._width_all * np.random.uniform(size=len(self._cols))
            if self._Z.shape[1]:
                z = self._Z[i] + self._L @ np.random.standard_normal(self._Z.shape[1])
                u = np.clip(1.0 / (1.0 + np.exp(-z)), _EDGE, 1 - _EDGE)
                out[self.perturbed] = self._lo + self._width * u
            return Parameter(dict(zip(self._cols, (float(v) for v in out))))

        def log_pdf(self, x: np.ndarray) -> np.ndarray:
            """Log density of the kernel at rows ``x`` (columns in fitted order, own units)."""
            from scipy.special import logsumexp

            x = np.atleast_2d(np.asarray(x, dtype=float))
            inside = np.all((x >= self._lo_all) & (x <= self._lo_all + self._width_all), axis=1)
            flat = -float(np.sum(np.log(self._width_all[~self.perturbed])))
            n, d = self._Z.shape
            if d == 0:
                return np.where(inside, flat, -np.inf)
            u = np.clip((x[:, self.perturbed] - self._lo) / self._width, _EDGE, 1 - _EDGE)
            z = np.log(u) - np.log1p(-u)
            const = -0.5 * (self._logdet + d * math.log(2 * math.pi))
            white = self._Z @ self._Linv.T  # particles in whitened coordinates
            out = np.empty(len(z))
            step = max(1, 2_000_000 // (n * d))  # rows at a time: bounded memory
            for a in range(0, len(z), step):
                zw = z[a : a + step] @ self._Linv.T
                sq = np.sum((zw[:, None, :] - white[None, :, :]) ** 2, axis=2)
                out[a : a + step] = logsumexp(const - 0.5 * sq, b=self._w, axis=1)
            jac = -np.sum(np.log(self._width) + np.log(u) + np.log1p(-u), axis=1)
            return np.where(inside, out + jac + flat, -np.inf)

        def pdf(self, x: Any) -> float | np.ndarray:
            if isinstance(x, (Parameter, pd.Series, dict)):
                return float(np.exp(self.log_pdf(np.array([[x[k] for k in self._cols]]))[0]))
            return np.exp(self.log_pdf(x[self._cols].to_numpy(dtype=float)))

    return BoxTransition


# ------------------------------------------------------------------ the sampler
def _child(seed: int, *key: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=tuple(int(k) for k in key))


#: Spawn-key roots of the calibration's own seeds: pyabc's proposal of particle i in generation
#: t, and the simulation of that particle (both from the calibration seed, not a run's seed);
#: 3 and 4 are the posterior predictive's; the screen's points and their common run seed; the
#: draw of the parameters left to their priors in a fit's run and in a predictive run.
_PROPOSAL, _RUN = 1, 2
_SCREEN_POINTS, _SCREEN_RUN, _REST, _REST_PREDICT = 5, 6, 7, 8


def rest_draw(rest: Sequence[Prior], seed: int, *key: int) -> dict[str, Any]:
    """The parameters not fitted, drawn from their uniform priors for one run."""
    if not rest:
        return {}
    rng = np.random.Generator(np.random.PCG64(_child(seed, *key)))
    x = rng.uniform([p.low for p in rest], [p.high for p in rest])
    return overrides_of(rest, x)


class Interrupted(Exception):
    """Raised by a progress callback to stop a calibration at the next batch (tests, the CLI)."""


class _Proxy:
    """The model pyabc calls: records what it proposes, then replays the batch's results.

    pyabc's ``simulate_one`` samples a parameter set, calls the model and decides acceptance in
    one call. The sampler calls it twice per particle with the same global numpy seed: first in
    ``record`` mode (the parameters are kept, a placeholder is returned and the decision
    ignored), then, once the batch's runs are done, in ``replay`` mode (the run's result is
    returned), so the accepted particle is the one run.
    """

    def __init__(self, placeholder: dict[str, float]) -> None:
        self.placeholder = placeholder
        self.mode = "record"
        self.seen: dict[str, float] | None = None
        self.result: dict[str, float] | None = None

    def __call__(self, pars: Mapping[str, float]) -> dict[str, float]:
        if self.mode == "record":
            self.seen = dict(pars)
            return dict(self.placeholder)
        if dict(pars) != self.seen:  # pragma: no cover - pyabc drew differently the second time
            raise RuntimeError("pyabc proposed different parameters on replay")
        assert self.result is not None
        return self.result


def _seed_numpy(seed: int, t: int, i: int) -> None:
    # pyabc draws proposals from numpy's global generator (scipy.stats without random_state)
    np.random.seed(_child(seed, _PROPOSAL, t + 1, i).generate_state(4))


def ordered_sampler_class() -> type:
    """The :class:`OrderedSampler` class (pyabc is imported only when calibrating)."""
    from pyabc.sampler import Sampler

    class OrderedSampler(Sampler):
        """Fixed-seed batches through a project executor, accepted in particle-index order.

        Args:
            executor: a ``sim.sweep.executors`` executor.
            run: ``(pars, seed) -> job`` for ``simulate`` (the job the executor runs).
            proxy: the model pyabc calls (:class:`_Proxy`).
            keys: pyabc's parameter names, in prior order.
            seed: the calibration seed.
            budget: most runs in all (None: no limit); a generation that would pass it stops
                the calibration, its partial results discarded.
            on_batch: called after each batch with (t, accepted, n, runs in this generation);
                it may raise :class:`Interrupted` or KeyboardInterrupt to stop.
            min_batch: smallest batch (a batch is sized from the last acceptance rate).
            tolerance: ``t -> epsilon`` of generation ``t`` (pyabc's), to stop a fit whose
                tolerance has stopped falling (:data:`MIN_TOLERANCE_FALL`); None: never.

        A generation is not started (the sample is returned empty and not ok, so pyabc stops and
        the last complete generation is the posterior; :attr:`stopped` says why) when its
        expected runs would pass the budget, or when its tolerance is less than
        :data:`MIN_TOLERANCE_FALL` below the previous generation's. Why: a generation the
        budget cannot finish is discarded, so its runs were wasted (on acme, the third
        generation's several hundred runs); both rules depend only on earlier generations, so
        the same seed still gives the same posterior on any executor.
        """

        def __init__(
            self,
            executor: Any,
            run: Callable[[dict[str, float], int], Any],
            proxy: _Proxy,
            seed: int,
            budget: int | None = None,
            on_batch: Callable[[int, int, int, int], None] | None = None,
            min_batch: int = 8,
            tolerance: Callable[[int], float] | None = None,
        ) -> None:
            super().__init__()
            self.tolerance = tolerance
            self.rates: list[float] = []  # each completed generation's acceptance rate
            self.stopped = ""  # why the last generation was not started ("budget", "tolerance")
            self.executor = executor
            self.run = run
            self.proxy = proxy
            self.seed = seed
            self.budget = budget
            self.on_batch = on_batch
            self.min_batch = min_batch
            self.runs = 0  # every run this sampler started and finished (discarded ones too)
            self.rate = 0.5  # acceptance rate expected of the next batch

        def sample_until_n_accepted(
            self,
            n: int,
            simulate_one: Callable[[], Any],
            t: int,
            *,
            max_eval: float = np.inf,
            all_accepted: bool = False,
            ana_vars: Any = None,
        ) -> Any:
            sample = self._create_empty_sample()
            accepted = considered = index = 0
            rate = 1.0 if all_accepted else self.rate
            if not all_accepted:
                self.stopped = self.stop_before(t, n)
                if self.stopped:
                    sample.ok = False
                    self.nr_evaluations_ = 0
                    return sample
            while accepted < n:
                size = max(self.min_batch, math.ceil((n - accepted) / max(rate, 0.01)))
                size = min(size, 4 * n)
                if self.budget is not None:
                    size = min(size, self.budget - self.runs)
                if considered + size > max_eval:
                    size = int(max_eval - considered)
                if size <= 0:
                    sample.ok = False
                    break
                batch = range(index, index + size)
                proposed: list[dict[str, float]] = []
                self.proxy.mode = "record"
                for i in batch:
                    _seed_numpy(self.seed, t, i)
                    simulate_one()
                    proposed.append(self.proxy.seen)  # type: ignore[arg-type]
                jobs = (
                    (i, self.run(p, _run_seed(self.seed, t, i))) for i, p in zip(batch, proposed)
                )
                # accept in index order as soon as the runs before are in: the same particles
                # whatever order the workers finish in, and a serial run stops at the n-th
                results: dict[int, Any] = {}
                following = index
                for job, res in self.executor.imap_unordered(_numbered, jobs):
                    if isinstance(res, BaseException):
                        raise RuntimeError(f"calibration run failed: {res}") from res
                    results[job[0]] = res
                    self.runs += 1
                    while following in results and accepted < n:
                        self.proxy.mode = "replay"
                        self.proxy.seen = proposed[following - index]
                        self.proxy.result = results.pop(following)
                        _seed_numpy(self.seed, t, following)
                        particle = simulate_one()
                        sample.append(particle)
                        considered += 1
                        accepted += bool(particle.accepted)
                        following += 1
                    if self.on_batch is not None:
                        self.on_batch(t, accepted, n, considered)
                    if accepted >= n:
                        break
                index += size
                rate = accepted / max(considered, 1)
            if not all_accepted and considered:
                self.rate = max(accepted / considered, 0.01)
                if accepted >= n:
                    self.rates.append(accepted / considered)
            self.nr_evaluations_ = considered
            if sample.n_accepted < n:
                sample.ok = False
            return sample

        def expected_runs(self, n: int) -> int:
            """Runs the next generation is expected to take: ``n`` over its expected acceptance
            rate, the last one's times the last fall (acceptance falls as the tolerance does)."""
            rate = self.rate
            if len(self.rates) >= 2 and self.rates[-2] > 0:
                rate *= min(1.0, self.rates[-1] / self.rates[-2])
            return math.ceil(n / max(rate, 0.01))

        def stop_before(self, t: int, n: int) -> str:
            """Why generation ``t`` should not start: "budget", "tolerance", or "" (start)."""
            if t >= 1 and self.tolerance is not None:
                now, before = float(self.tolerance(t)), float(self.tolerance(t - 1))
                if math.isfinite(before) and now > (1.0 - MIN_TOLERANCE_FALL) * before:
                    return "tolerance"
            # the first generation is always tried: it has no rate to predict from
            if (
                t >= 1
                and self.budget is not None
                and self.runs + self.expected_runs(n) > self.budget
            ):
                return "budget"
            return ""

    return OrderedSampler


def _run_seed(seed: int, t: int, i: int) -> int:
    from sim.rng import seed_from

    return seed_from(_child(seed, _RUN, t + 1, i))


def _numbered(job: tuple[int, Any]) -> dict[str, float]:
    return simulate(job[1])


# ------------------------------------------------------------------ the posterior
def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` with weights ``w`` (linear between weighted midpoints)."""
    order = np.argsort(x)
    xs, ws = x[order], w[order] / w.sum()
    cdf = np.cumsum(ws) - ws / 2
    return float(np.interp(q, cdf, xs))


@dataclass
class Generation:
    """One ABC-SMC generation: its tolerance, the runs it took and its acceptance rate."""

    t: int
    epsilon: float
    runs: int
    acceptance: float
    ess: float = float("nan")  # effective sample size of its weights (Kish): sum(w)^2 / sum(w^2)


@dataclass
class Posterior:
    """Weighted parameter sets that reproduce the observed figures (the last ABC-SMC population).

    Attributes:
        scenario: the scenario calibrated (as given: its schedule is kept for runs from it).
        observed: the observed figures.
        priors: the parameters, in the particles' column order.
        particles: one row per particle.
        weights: normalised weights.
        generations: the ABC-SMC generations run.
        runs: model runs made by the calibration (discarded ones too).
        seed: the calibration seed.
    """

    scenario: Scenario
    observed: Observed
    priors: list[Prior]
    particles: np.ndarray
    weights: np.ndarray
    generations: list[Generation] = field(default_factory=list)
    runs: int = 0
    seed: int = 0
    complete: bool = True
    observed_path: str | None = None
    rest: list[Prior] = field(default_factory=list)  # drawn from their priors in every run
    #: flagged parameters the screen left out and the fit held at the scenario's values
    #: (``others="held"``): the posterior is conditional on them
    held: list[str] = field(default_factory=list)
    screen: Screen | None = None  # the screen that chose ``priors`` (a default fit)
    #: why the fit ended before ``generations``: "budget" (the next generation would not fit
    #: in it), "tolerance" (it stopped falling, MIN_TOLERANCE_FALL) or "" (neither)
    stopped: str = ""

    @property
    def ess(self) -> float:
        """Effective sample size of the weights (Kish): 1 / sum(w^2) for normalised weights."""
        return float(1.0 / np.sum(np.asarray(self.weights, dtype=float) ** 2))

    @property
    def names(self) -> list[str]:
        """The calibrated parameters' dotted names."""
        return [p.path for p in self.priors]

    def frame(self) -> pd.DataFrame:
        """Particles as a table: one column per parameter and ``weight``."""
        df = pd.DataFrame(self.particles, columns=self.names)
        df["weight"] = self.weights
        return df

    def summary(self) -> pd.DataFrame:
        """Per parameter: prior range, posterior mean and 90% interval, and a warning where the
        posterior interval is barely narrower than the prior's (the figures do not pin it down).
        """
        rows = []
        ess, n = self.ess, len(self.weights)
        few = ess < FEW_EFFECTIVE * n
        for j, p in enumerate(self.priors):
            x = self.particles[:, j]
            lo, hi = (
                weighted_quantile(x, self.weights, 0.05),
                weighted_quantile(x, self.weights, 0.95),
            )
            ratio = (hi - lo) / (0.9 * (p.high - p.low))
            rows.append(
                {
                    "parameter": p.path,
                    "label": p.label,
                    "prior_low": p.low,
                    "prior_high": p.high,
                    "mean": float(np.average(x, weights=self.weights)),
                    "low_90": lo,
                    "high_90": hi,
                    "width_vs_prior": float(ratio),
                    "warning": (
                        f"not pinned down: the posterior rests on {ess:.1f} effective "
                        f"particles of {n}, too few for an interval"
                        if few
                        else f"not pinned down by the figures: its 90% interval is {ratio:.0%} "
                        "of the prior's"
                        if ratio >= WEAK_NARROWING
                        else ""
                    ),
                }
            )
        return pd.DataFrame(rows)

    def sample(self, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        """``n`` parameter sets drawn by weight (dotted overrides)."""
        idx = rng.choice(len(self.weights), size=n, p=self.weights)
        return [overrides_of(self.priors, self.particles[k]) for k in idx]

    def scenarios(self, n: int, rng: np.random.Generator) -> list[Scenario]:
        """``n`` copies of the calibrated scenario, each with a parameter set drawn by weight."""
        return [self.scenario.with_overrides(o, "calibration") for o in self.sample(n, rng)]

    def draw(self, rng: np.random.Generator) -> dict[str, Any]:
        """One parameter set (a ``sim.assumptions.Draw``: the report's ``draw=`` accepts it)."""
        return self.sample(1, rng)[0]

    def calibration(self, observed: str = "", fitted: str = "") -> Any:
        """The posterior as a scenario's ``[calibration]`` table (``sim.scenario.Calibration``)."""
        from sim.scenario import Calibration

        return Calibration(
            parameters=self.names,
            particles=[[float(v) for v in row] for row in self.particles],
            weights=[float(w) for w in self.weights],
            observed=observed,
            fitted=fitted,
            drawn_from_priors=[p.path for p in self.rest],
            held_at_file_values=list(self.held),
        )

    def predict(
        self, runs: int = 40, seed: int | None = None, workers: int = 1, dask: str | None = None
    ) -> pd.DataFrame:
        """Posterior predictive: ``runs`` runs at rest, each a parameter set drawn by weight.

        Returns:
            One row per run: ``run``, the overrides' values, then each observed statistic.
        """
        from sim.sweep.executors import make_executor

        seed = self.seed if seed is None else seed
        rng = np.random.Generator(np.random.PCG64(_child(seed, 3)))
        sets = self.sample(runs, rng)
        base = at_start(self.scenario, self.observed.window())
        # the parameters the fit left to their priors are drawn for each run, as in the fit
        sets = [{**o, **rest_draw(self.rest, seed, _REST_PREDICT, i)} for i, o in enumerate(sets)]
        jobs = [
            (i, (base, o, seed_from_child(seed, 4, i), self.observed)) for i, o in enumerate(sets)
        ]
        ex = make_executor(workers, dask, key_prefix="calibrate-predict")
        try:
            got = {job[0]: res for job, res in ex.imap_unordered(_numbered, jobs)}
        finally:
            ex.close()
        rows = []
        for i, o in enumerate(sets):
            res = got[i]
            if isinstance(res, BaseException):
                raise RuntimeError(f"posterior predictive run failed: {res}") from res
            rows.append({"run": i, **o, **res})
        return pd.DataFrame(rows)

    def fit(self, predictive: pd.DataFrame) -> pd.DataFrame:
        """Each observed statistic against the posterior predictive: mean and 90% interval, and
        whether the model reaches it (observed within ``UNREACHED_SDS`` sds of the interval)."""
        obs, sds = self.observed.statistics(), self.observed.sds()
        rows = []
        for k, v in obs.items():
            y = predictive[k].to_numpy(dtype=float)
            y = y[np.isfinite(y)]
            mean = float(y.mean()) if y.size else float("nan")
            lo = float(np.quantile(y, 0.05)) if y.size else float("nan")
            hi = float(np.quantile(y, 0.95)) if y.size else float("nan")
            gap = max(lo - v, v - hi, 0.0) / sds[k] if y.size else float("inf")
            rows.append(
                {
                    "target": k,
                    "observed": v,
                    "sd": sds[k],
                    "predicted_mean": mean,
                    "predicted_low_90": lo,
                    "predicted_high_90": hi,
                    "gap_sds": gap,
                    "reached": bool(gap <= UNREACHED_SDS),
                }
            )
        return pd.DataFrame(rows)


def seed_from_child(seed: int, *key: int) -> int:
    """An int run seed from the calibration seed and a spawn key."""
    from sim.rng import seed_from

    return seed_from(_child(seed, *key))


# ------------------------------------------------------------------ calibrate
def _distance(sds: dict[str, float]) -> Callable[[dict, dict], float]:
    def distance(x: dict, x0: dict) -> float:
        total = 0.0
        for k, s in sds.items():
            d = (float(x[k]) - float(x0[k])) / s
            if not math.isfinite(d):  # a run without the statistic (no decision, no issue)
                return float("inf")
            total += d * d
        return math.sqrt(total)

    return distance


def _tolerance(abc: Any, t: int) -> float:
    """Generation ``t``'s tolerance: pyabc's, or the history's for one made before a resume
    (a loaded history's epsilon knows only the generation it continues with)."""
    try:
        return float(abc.eps(t))
    except KeyError:
        pops = abc.history.get_all_populations()
        row = pops[pops.t == t]
        return float(row.epsilon.iloc[0]) if len(row) else float("nan")


def history_path(out: Path) -> Path:
    """Where the ABC-SMC history (pyabc's sqlite database) is kept, so a run can resume."""
    return Path(out) / "history.db"


def split_others(left: Sequence[str], others: str) -> tuple[list[str] | None, list[str] | None]:
    """The parameters a screened fit leaves out, as ``(rest, held)`` for :func:`calibrate`:
    drawn from their priors in every run (``others="drawn"``) or held at the scenario's values.

    Raises:
        InputError: for ``others`` not in :data:`OTHERS`.
    """
    if others not in OTHERS:
        raise InputError(f"--others {others}: expected one of {', '.join(OTHERS)}")
    return (list(left), None) if others == "drawn" else (None, list(left))


def calibrate(
    scenario: Scenario | str | os.PathLike[str],
    observed: Observed | str | os.PathLike[str],
    parameters: Sequence[str] | None = None,
    *,
    budget: int = 1200,
    population: int = 100,
    generations: int = 8,
    workers: int = 1,
    dask: str | None = None,
    seed: int = 2026,
    db: str | os.PathLike[str] | None = None,
    resume: bool = False,
    on_batch: Callable[[int, int, int, int, float], None] | None = None,
    screen_points: int | None = None,
    rest: Sequence[str] | None = None,
    initial_epsilon: float | None = None,
    others: str = "held",
    held: Sequence[str] | None = None,
) -> Posterior:
    """Fit parameters to observed figures by ABC-SMC (pyabc), deterministically.

    With no ``parameters`` the fit is screened first (:func:`screen`, ``screen_points`` prior
    points, by default a fifth of ``budget``, run in addition to it): only the parameters whose
    rank correlation with a target passes the screen are fitted (at most
    :func:`screen_cap` of the population), and every other flagged parameter is held at the
    scenario's value (``others="held"``, the default: the posterior is conditional on them, as
    in factor fixing, and the report's assumption draws vary them) or drawn from its prior in
    each run of the fit and of the posterior predictive (``others="drawn"``: the posterior is
    averaged over them, which on the example leaves the tolerance at 13 sds and nothing
    narrowed, docs/ODD.md 8.K). ``screen_points=0`` fits every flagged parameter (no screen).

    Args:
        scenario: the organisation (a ``Scenario``, a preset name or a scenario file); the
            figures describe it at the start (:func:`at_start`).
        observed: an :class:`Observed` or an observed-figures file.
        parameters: dotted names to fit; None for every parameter flagged uncertain.
        budget: most model runs in all (resumed runs count their earlier runs).
        population: accepted particles per generation.
        generations: most ABC-SMC generations (in all, resumed ones included).
        workers: processes on this machine (1: this process).
        dask: ``"local"`` or a scheduler address, to run on Dask.
        seed: the calibration seed: the same seed gives the same posterior on any executor.
        db: the pyabc history database file (sqlite); None for a temporary one.
        resume: continue the history in ``db`` (same scenario, figures, parameters and seed).
        on_batch: called after each batch with (generation, accepted, population, runs of the
            generation, tolerance); may raise KeyboardInterrupt or :class:`Interrupted`.
        screen_points: prior points of the screen when ``parameters`` is None (None: a fifth of
            ``budget``; 0: no screen, fit every flagged parameter); ignored with ``parameters``.
        rest: parameters drawn from their priors in every run instead of fitted (what the
            screen left out; the CLI passes them with the screen's selection).
        others: what a screened fit does with the flagged parameters it does not fit:
            ``"held"`` at the scenario's values or ``"drawn"`` from their priors in every run.
        held: a record of the parameters held at the scenario's values (the CLI passes what
            its screen left out with ``others="held"``); they are not varied either way.
        initial_epsilon: the first generation's tolerance (the CLI passes the screen's
            :attr:`Screen.epsilon0`); None: pyabc's, the median distance of a prior sample of
            one population (``population`` runs more). A default fit uses its screen's.

    Returns:
        The posterior (the last complete generation).

    Raises:
        InputError: for a bad scenario, file, parameter or argument.
        KeyboardInterrupt, Interrupted: from ``on_batch``; the finished generations are in
            ``db``.
    """
    import logging
    import tempfile

    import pyabc

    from sim.inputs import load_scenario
    from sim.sweep.executors import make_executor

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    observed_path = None
    if not isinstance(observed, Observed):
        observed_path = str(observed)
        observed = load_observed(observed)
    if budget < population:
        raise InputError(f"--budget {budget}: expected at least one generation's {population} runs")
    if others not in OTHERS:
        raise InputError(f"--others {others}: expected one of {', '.join(OTHERS)}")
    screened = None
    if parameters is None:
        n = default_screen_points(budget) if screen_points is None else int(screen_points)
        if n < 0:
            raise InputError(f"--screen {n}: expected 0 (no screen) or a number of points")
        if n > 0:
            everything = priors()
            screened = screen(
                scenario,
                observed,
                everything,
                n,
                seed=seed,
                cap=screen_cap(population),
                workers=workers,
                dask=dask,
            )
            parameters = screened.selected
            left = [p.path for p in everything if p.path not in set(parameters)]
            rest, held = split_others(left, others)
            if initial_epsilon is None:
                initial_epsilon = screened.epsilon0
    ps = priors(parameters)
    rs = priors(rest) if rest else []
    if {p.path for p in ps} & {p.path for p in rs}:
        raise InputError("rest: a parameter is both fitted and drawn from its prior")
    base = at_start(scenario, observed.window())
    x0 = observed.statistics()
    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's per-generation log lines
    for name in ("Sampler", "Epsilon", "Distance", "Acceptor", "History", "Transition", "Data"):
        logging.getLogger(f"ABC.{name}").setLevel(logging.WARNING)
    # prior / kernel weights are small numbers in many dimensions (the posterior's volume over
    # the prior's) and pyabc warns of a small total although it normalises them exactly
    logging.getLogger("ABC.Population").setLevel(logging.ERROR)

    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in ps})
    proxy = _Proxy(dict(x0))
    keys = [p.key for p in ps]

    def run(pars: dict[str, float], run_seed: int) -> tuple[Any, ...]:
        o = overrides_of(ps, [pars[k] for k in keys])
        o.update(rest_draw(rs, seed, _REST, run_seed))  # the parameters not fitted
        return (base, o, run_seed, observed)

    ex = make_executor(workers, dask, key_prefix="calibrate")
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="calibrate-")
        db = Path(tmp.name) / "history.db"
    db = Path(db)
    state: dict[str, Any] = {"abc": None}

    def batch(t: int, acc: int, n: int, runs: int) -> None:
        if on_batch is not None:
            abc_ = state["abc"]
            eps = float(abc_.eps(t)) if abc_ is not None and t >= 0 else float("nan")
            on_batch(t, acc, n, runs, eps)

    try:
        sampler = ordered_sampler_class()(
            ex,
            run,
            proxy,
            seed,
            budget=None,
            on_batch=batch,
            tolerance=lambda t: _tolerance(state["abc"], t),
        )
        sampler.show_progress = False
        first = (
            "from_sample"
            if initial_epsilon is None or not math.isfinite(initial_epsilon)
            else float(initial_epsilon)
        )
        abc = pyabc.ABCSMC(
            proxy,
            prior,
            _distance(observed.sds()),
            population_size=population,
            sampler=sampler,
            transitions=box_transition_class()({p.key: (p.low, p.high) for p in ps}),
            # pyabc's default but for the first tolerance: the screen's prior points already
            # measured the prior predictive's distances, so no prior sample is run for it
            eps=pyabc.MedianEpsilon(initial_epsilon=first),
        )
        state["abc"] = abc
        url = f"sqlite:///{db.resolve()}"
        if resume and db.exists():
            abc.load(url, 1)
            done = int(abc.history.total_nr_simulations)
            sampler.runs = done
            if abc.history.max_t >= 0:
                pop = abc.history.get_all_populations()
                done_pops = pop[pop.t >= 0].sort_values("t")
                sampler.rates = [population / max(float(x), 1.0) for x in done_pops.samples]
                if sampler.rates:
                    sampler.rate = max(sampler.rates[-1], 0.01)
        else:
            if db.exists():
                db.unlink()
            abc.new(url, x0)
        sampler.budget = budget
        left = generations - (abc.history.max_t + 1)
        complete = True
        if left > 0 and sampler.runs < budget:
            history = abc.run(
                max_nr_populations=left, max_total_nr_simulations=budget, min_eps_diff=0.0
            )
        else:
            history = abc.history
        if history.max_t < 0:
            raise InputError(
                f"--budget {budget}: not enough runs for one generation of {population} "
                "accepted particles; raise --budget or lower --population"
            )
        # stopped because the tolerance stopped falling: finished; by the budget: not
        complete = sampler.stopped != "budget" and (
            sampler.runs < budget or history.max_t + 1 >= generations
        )
        df, w = history.get_distribution(m=0, t=history.max_t)
        particles = df[keys].to_numpy(dtype=float)
        pops = history.get_all_populations()
        gens = []
        for r in pops[pops.t >= 0].itertuples():
            wt = np.asarray(history.get_distribution(m=0, t=int(r.t))[1], dtype=float)
            gens.append(
                Generation(
                    int(r.t),
                    float(r.epsilon),
                    int(r.samples),
                    population / max(float(r.samples), 1),
                    float(np.sum(wt) ** 2 / np.sum(wt**2)),
                )
            )
        return Posterior(
            scenario=scenario,
            observed=observed,
            priors=ps,
            particles=particles,
            weights=np.asarray(w, dtype=float) / float(np.sum(w)),
            generations=gens,
            runs=sampler.runs,
            seed=seed,
            complete=complete,
            observed_path=observed_path,
            rest=rs,
            held=list(held or []),
            screen=screened,
            stopped=sampler.stopped,
        )
    finally:
        ex.close(abort=True)
        if tmp is not None:
            with contextlib.suppress(Exception):
                tmp.cleanup()


# ------------------------------------------------------------------ outputs
#: What ``run.py calibrate`` writes in its folder (besides the pyabc history it resumes from).
OUTPUTS = ("posterior.parquet", "summary.csv", "fit.csv", "fit.png", "calibrated.toml")
SETTINGS = "settings.json"
#: The screen's table (a default fit), written as soon as the screen is done.
SCREEN_FILE = "screen.csv"


def settings_of(
    scenario_ref: str,
    observed: Observed,
    ps: Sequence[Prior],
    seed: int,
    population: int,
    drawn: Sequence[str] = (),
) -> dict[str, Any]:
    """What a resumed calibration must share with the one it continues (``drawn``: the
    parameters drawn from their priors in every run)."""
    return {
        "scenario": scenario_ref,
        "observed": observed.statistics(),
        "sds": observed.sds(),
        "parameters": [p.path for p in ps],
        "drawn": list(drawn),
        "seed": seed,
        "population": population,
    }


def check_resume(out: Path, settings: dict[str, Any]) -> None:
    """Refuse ``--resume`` of a folder with no history or one made with other settings.

    Raises:
        InputError: naming the folder and the setting that differs.
    """
    import json

    f = Path(out) / SETTINGS
    if not history_path(out).exists() or not f.exists():
        raise InputError(
            f"--resume: {out} holds no calibration to continue (no {history_path(out).name}); "
            "expected the --out folder of an interrupted calibration"
        )
    try:
        before = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"--resume: {f}: unreadable ({e})") from None
    for key, value in settings.items():
        if before.get(key) != json.loads(json.dumps(value)):
            raise InputError(
                f"--resume: {out} was calibrated with another {key} ({before.get(key)!r}); "
                "expected the same scenario, observed file, parameters, seed and population"
            )


def read_settings(out: Path) -> dict[str, Any]:
    """The settings a folder's calibration was started with ({} when there are none)."""
    import json

    f = Path(out) / SETTINGS
    try:
        return dict(json.loads(f.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def write_settings(out: Path, settings: dict[str, Any]) -> None:
    """Record the settings a later ``--resume`` is checked against."""
    import json

    Path(out).mkdir(parents=True, exist_ok=True)
    _atomic_text(Path(out) / SETTINGS, json.dumps(settings, indent=1))


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def calibrated_toml(post: Posterior, scenario_file: Path, out_dir: Path, fitted: str = "") -> str:
    """The calibrated scenario's TOML: the input file's, plus the ``[calibration]`` table.

    File references (org chart, customer file) are written relative to ``out_dir``, so the
    folder can be moved with the inputs beside it.
    """
    from sim.design import expand
    from sim.scenario import read_toml
    from sim.tomlwrite import dumps_toml

    data = expand(read_toml(scenario_file), scenario_file)
    for sec, key in (
        ("organisation", "org_chart"),
        ("organisation", "org_chart_map"),
        ("customers", "file"),
    ):
        table = data.get(sec)
        if isinstance(table, dict) and isinstance(table.get(key), str):
            table[key] = os.path.relpath(table[key], Path(out_dir).resolve())
    data["name"] = f"{data.get('name', post.scenario.name)}_calibrated"
    cal = post.calibration(observed=str(post.observed_path or ""), fitted=fitted)
    data.pop("calibration", None)
    head = (
        f"# {post.scenario.name} calibrated to {post.observed_path or 'observed figures'} "
        f"(python run.py calibrate; docs/ODD.md 8.K).\n# Each run draws its values of the "
        f"{len(post.priors)} parameters in [calibration] from the posterior's particles.\n"
    )
    if post.held:
        head += (
            f"# What varies: the {len(post.priors)} fitted parameters (calibration.parameters) "
            f"follow the posterior; the other {len(post.held)} flagged parameters\n# "
            "(calibration.held_at_file_values) were held at this file's values in the fit, so "
            "the posterior is conditional\n# on them: run and compare use those values; the "
            "report's assumption draws vary them.\n"
        )
    if post.rest:
        head += (
            f"# What varies: the {len(post.priors)} fitted parameters (calibration.parameters) "
            f"follow the posterior; the other {len(post.rest)} flagged parameters\n# "
            "(calibration.drawn_from_priors) were drawn from their ranges in every run of the "
            "fit, so the posterior is averaged\n# over them: the report draws them from their "
            "ranges again; run and compare use the values in this file.\n"
        )
    return head + dumps_toml(data) + "\n" + _calibration_table(cal)


def _calibration_table(cal: Any) -> str:
    """The ``[calibration]`` table, one particle a line (a generic writer would put every number on its own line)."""
    import json

    # JSON strings and numbers are valid TOML basic strings and floats
    lines = ["[calibration]"]
    lines.append(f"observed = {json.dumps(cal.observed)}")
    lines.append(f"fitted = {json.dumps(cal.fitted)}")
    # the parameters the posterior is averaged over, one a line (a reader's list of what varies)
    if cal.drawn_from_priors:
        lines.append("drawn_from_priors = [")
        lines += [f"    {json.dumps(name)}," for name in cal.drawn_from_priors]
        lines.append("]")
    if cal.held_at_file_values:
        lines.append("held_at_file_values = [")
        lines += [f"    {json.dumps(name)}," for name in cal.held_at_file_values]
        lines.append("]")
    lines.append("parameters = [" + ", ".join(json.dumps(p) for p in cal.parameters) + "]")
    lines.append("weights = [" + ", ".join(repr(float(w)) for w in cal.weights) + "]")
    lines.append("particles = [")
    lines += ["    [" + ", ".join(repr(float(x)) for x in row) + "]," for row in cal.particles]
    lines.append("]")
    return "\n".join(lines) + "\n"


def fit_plot(fit: pd.DataFrame, path: Path) -> None:
    """Each target: observed (with 2 sds) against the posterior predictive's 90% interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(fit)
    fig, axes = plt.subplots(1, n, figsize=(2.6 * n + 0.6, 3.0), squeeze=False)
    for ax, r in zip(axes[0], fit.itertuples()):
        ax.errorbar(
            [0],
            [r.observed],
            yerr=[2 * r.sd],
            fmt="o",
            color="black",
            capsize=4,
            label="observed (2 sd)",
        )
        lo, hi = r.predicted_low_90, r.predicted_high_90
        ax.errorbar(
            [1],
            [r.predicted_mean],
            yerr=[[r.predicted_mean - lo], [hi - r.predicted_mean]],
            fmt="s",
            color="tab:blue" if r.reached else "tab:red",
            capsize=4,
            label="predicted (90%)",
        )
        ax.set_xticks([0, 1], ["observed", "model"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(r.target + ("" if r.reached else "\nNOT REACHED"), fontsize=9)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(
    post: Posterior,
    fit: pd.DataFrame,
    out: Path,
    scenario_file: Path,
    fitted: str = "",
) -> dict[str, Path]:
    """Write posterior.parquet, summary.csv, fit.csv, fit.png and calibrated.toml in ``out``."""
    from sim.csvsafe import to_csv

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in OUTPUTS}
    tmp = out / ".posterior.parquet.tmp"
    post.frame().to_parquet(tmp, index=False)
    os.replace(tmp, paths["posterior.parquet"])
    _atomic_text(paths["summary.csv"], to_csv(post.summary(), index=False) or "")
    _atomic_text(paths["fit.csv"], to_csv(fit, index=False) or "")
    fit_plot(fit, paths["fit.png"])
    _atomic_text(paths["calibrated.toml"], calibrated_toml(post, scenario_file, out, fitted))
    return paths


__all__ = [
    "Observed",
    "Posterior",
    "Prior",
    "TARGETS",
    "Target",
    "at_start",
    "calibrate",
    "load_observed",
    "measure",
    "parse_observed",
    "priors",
]
