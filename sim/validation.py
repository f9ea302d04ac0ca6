"""Validation runner: the main model's mechanisms checked against published models.

Each named check in :data:`CHECKS` re-runs one published model from :mod:`sim.classic` and
compares it with the published result, returning one :class:`CheckResult` per comparison:

* ``"march1991"`` -- March (1991) mutual learning (the main model's playbook): Figure 1 cells
  and ordering, turnover, turbulence and mixed learners.
* ``"bass"`` -- Bass (1969) diffusion from the main model's adoption rule
  (:func:`sim.mechanisms.adoption.adopt_step` with thresholds off) against the closed form.
* ``"granovetter"`` -- Granovetter (1978) threshold cascades from the same rule with
  ``p = q = 0``: the riot example (exact) and the critical sd of normal thresholds (mean field).
* ``"centola"`` -- Centola (2010): the same rule (threshold two of six contacts) spreads further
  and faster on a clustered ring lattice than on a degree-preserving random rewiring of it.

Two sizes: ``"full"`` uses the published sizes (March 80 runs, Bass n = 10,000 with 20 runs,
Granovetter exact and mean field); ``"ci"`` is small enough for the test suite (all checks in a
few seconds). Settings, published values and tolerances are documented in ``docs/VALIDATION.md``.

Usage::

    from sim.validation import run_checks, format_table
    print(format_table(run_checks(None, "full")))
"""

from __future__ import annotations

import math
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.classic import bass, centola, granovetter
from sim.classic import march1991 as m91
from sim.errors import InputError

__all__ = [
    "CheckResult",
    "CHECKS",
    "COLUMNS",
    "SIZES",
    "check_march1991",
    "check_bass",
    "check_granovetter",
    "check_centola",
    "run_checks",
    "format_table",
]

SIZES = ("full", "ci")
"""Accepted values of ``size``."""

MARCH = "March 1991"
BASS = "Bass 1969"
GRANOVETTER = "Granovetter 1978"
CENTOLA = "Centola 2010"

WELCH_ALPHA = 0.01
"""Significance level of the one-sided Welch tests of March's orderings."""


@dataclass(frozen=True)
class CheckResult:
    """One comparison between our re-run and a published value.

    Attributes:
        model: Published model (``"March 1991"``, ``"Bass 1969"``, ``"Granovetter 1978"``).
        setting: The setting in plain words (parameters, sizes, measure).
        published: The published value or finding, as text.
        citation: Short source: author, year, figure or page.
        ours_mean: Our value (a mean over runs, a difference of means, or an exact value).
        ours_se: Its standard error over runs; NaN where the value is exact.
        tolerance: The pass criterion, as text.
        passed: Whether the criterion holds.
    """

    model: str
    setting: str
    published: str
    citation: str
    ours_mean: float
    ours_se: float
    tolerance: str
    passed: bool


Check = Callable[[str, int], list[CheckResult]]

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _check_size(size: str) -> None:
    if size not in SIZES:
        raise InputError(f"size {size!r} is not one of: {', '.join(SIZES)}")


def _streams(rng_seed: int, k: int) -> list[np.random.Generator]:
    """``k`` independent generators derived from one seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(rng_seed).spawn(k)]


def _se(x: np.ndarray) -> float:
    """Standard error of the mean over runs."""
    return float(np.std(x, ddof=1) / math.sqrt(len(x)))


def _welch(high: np.ndarray, low: np.ndarray) -> tuple[float, float, float]:
    """Difference of means, its standard error and the one-sided Welch p (``high > low``)."""
    diff = float(high.mean() - low.mean())
    se = math.sqrt(_se(high) ** 2 + _se(low) ** 2)
    p = float(stats.ttest_ind(high, low, equal_var=False, alternative="greater").pvalue)
    return diff, se, p


def _code_knowledge_paths(
    p1: float, p2: float, p3: float, p4: float, runs: int, periods: int, rng: np.random.Generator
) -> np.ndarray:
    """Per-run code knowledge (fraction correct) at periods ``0..periods``: ``(runs, periods+1)``.

    Same dynamics as :func:`sim.classic.march1991.simulate` (runs that reach equilibrium without
    turnover are frozen while reality keeps drifting), but keeps every run so that standard
    errors over runs can be taken of any window.
    """
    state = m91.initial_state(runs, 50, 30, p1, rng)
    out = np.empty((runs, periods + 1))
    out[:, 0] = m91.knowledge(state.code, state.reality)
    for t in range(1, periods + 1):
        state = m91.step(state, p2, p3, p4, rng)
        out[:, t] = m91.knowledge(state.code, state.reality)
    return out


# ---------------------------------------------------------------------------------------------
# March (1991)
# ---------------------------------------------------------------------------------------------

_MARCH_SIZES: dict[str, dict[str, int]] = {
    # runs per cell (March used 80 "iterations"); turbulence horizon in periods
    "full": {"runs": 80, "turbulence_periods": 500},
    "ci": {"runs": 80, "turbulence_periods": 200},
}
_LATE_FROM = 100
"""First period of the late window in the turbulence check."""


def check_march1991(size: str, rng_seed: int) -> list[CheckResult]:
    """March (1991): Figure 1 at p2 = 0.9, turnover, turbulence and mixed learners.

    n = 50 individuals, m = 30 dimensions throughout. The Figure 1 cells use the score
    ``(correct - incorrect) / m``, the quantity March plotted (see ``docs/VALIDATION.md``); the
    qualitative variants use the fraction of dimensions correct, the model brief's measure (the
    orderings hold under both).

    Args:
        size: ``"full"`` or ``"ci"`` (the same 80 runs per cell; ``"ci"`` runs the turbulence
            check for 200 periods rather than 500).
        rng_seed: Root seed; each comparison gets its own independent stream.

    Returns:
        Eight results.
    """
    _check_size(size)
    cfg = _MARCH_SIZES[size]
    runs, horizon = cfg["runs"], cfg["turbulence_periods"]
    g = _streams(rng_seed, 8)
    base = f"n=50, m=30, {runs} runs"
    out: list[CheckResult] = []

    # Figure 1 at p2 = 0.9: slow (p1 = 0.1) vs fast (p1 = 0.9) socialisation, score measure
    slow = np.asarray(
        m91.equilibrium_knowledge_runs(0.1, 0.9, runs=runs, rng=g[0], measure="score")
    )
    fast = np.asarray(
        m91.equilibrium_knowledge_runs(0.9, 0.9, runs=runs, rng=g[1], measure="score")
    )
    fig1 = "March 1991, Fig. 1"
    out.append(
        CheckResult(
            MARCH,
            f"p1=0.1, p2=0.9, {base}, equilibrium score",
            "about 0.9 or more; 0.972 in Workiewicz's 10,000-run recreation",
            fig1,
            float(slow.mean()),
            _se(slow),
            "score >= 0.9",
            bool(slow.mean() >= 0.9),
        )
    )
    out.append(
        CheckResult(
            MARCH,
            f"p1=0.9, p2=0.9, {base}, equilibrium score",
            "about 0.7; 0.728 in Workiewicz's 10,000-run recreation",
            fig1,
            float(fast.mean()),
            _se(fast),
            "0.62 < score < 0.82",
            bool(0.62 < fast.mean() < 0.82),
        )
    )
    diff, se, p = _welch(slow, fast)
    out.append(
        CheckResult(
            MARCH,
            f"slow (p1=0.1) minus fast (p1=0.9) socialisation, p2=0.9, {base} each, score",
            "slow socialisation beats fast",
            fig1,
            diff,
            se,
            f"> 0, Welch one-sided p < {WELCH_ALPHA} (p={p:.1g})",
            bool(diff > 0 and p < WELCH_ALPHA),
        )
    )

    # Turnover: p1 = 0.9, p2 = 0.5, code knowledge at period 100 with p3 = 0.1 vs none
    none = np.asarray(
        m91.equilibrium_knowledge_runs(0.9, 0.5, runs=runs, rng=g[2], max_periods=100)
    )
    some = np.asarray(
        m91.equilibrium_knowledge_runs(0.9, 0.5, p3=0.1, runs=runs, rng=g[3], max_periods=100)
    )
    diff, se, p = _welch(some, none)
    out.append(
        CheckResult(
            MARCH,
            f"turnover p3=0.1 minus none, p1=0.9, p2=0.5, {base} each, fraction at period 100",
            "moderate turnover raises knowledge when socialisation is fast",
            "March 1991, Fig. 3",
            diff,
            se,
            f"> 0, Welch one-sided p < {WELCH_ALPHA} (p={p:.1g})",
            bool(diff > 0 and p < WELCH_ALPHA),
        )
    )

    # Turbulence: p4 = 0.02, p1 = p2 = 0.5, without and with turnover
    calm = _code_knowledge_paths(0.5, 0.5, 0.0, 0.02, runs, horizon, g[4])
    churn = _code_knowledge_paths(0.5, 0.5, 0.1, 0.02, runs, horizon, g[5])
    mean_path = calm.mean(axis=0)
    peak, t_peak = float(mean_path.max()), int(mean_path.argmax())
    late_calm = calm[:, _LATE_FROM:].mean(axis=1)
    late_churn = churn[:, _LATE_FROM:].mean(axis=1)
    window = f"fraction, mean of periods {_LATE_FROM}-{horizon}"
    fig4 = "March 1991, Fig. 4"
    late = float(late_calm.mean())
    out.append(
        CheckResult(
            MARCH,
            f"turbulence p4=0.02, p1=p2=0.5, no turnover, {base}, {window}",
            "code knowledge rises, then decays as reality drifts",
            fig4,
            late,
            _se(late_calm),
            f"< 0.58 and < peak - 0.1 (peak {peak:.2f} at t={t_peak})",
            bool(late < 0.58 and late < peak - 0.1),
        )
    )
    diff = float(late_churn.mean() - late)
    se = math.sqrt(_se(late_churn) ** 2 + _se(late_calm) ** 2)
    out.append(
        CheckResult(
            MARCH,
            f"same with turnover p3=0.1 minus without, {base} each, {window}",
            "turnover sustains code knowledge under turbulence",
            fig4,
            diff,
            se,
            "> 0.15",
            bool(diff > 0.15),
        )
    )

    # Mixed learners: half fast (0.9), half slow (0.1) vs everyone at the mean rate 0.5
    mixed = np.asarray(
        m91.equilibrium_knowledge_runs(
            0.5, 0.5, runs=runs, rng=g[6], fast_fraction=0.5, p1_fast=0.9, p1_slow=0.1
        )
    )
    homog = np.asarray(m91.equilibrium_knowledge_runs(0.5, 0.5, runs=runs, rng=g[7]))
    diff, se, p = _welch(mixed, homog)
    out.append(
        CheckResult(
            MARCH,
            f"half p1=0.9, half p1=0.1 minus all p1=0.5, p2=0.5, {base} each, equilibrium fraction",
            "a mix of fast and slow learners beats a homogeneous population at the same mean p1",
            "March 1991, Fig. 2",
            diff,
            se,
            f"> 0, Welch one-sided p < {WELCH_ALPHA} (p={p:.1g})",
            bool(diff > 0 and p < WELCH_ALPHA),
        )
    )
    return out


# ---------------------------------------------------------------------------------------------
# Bass (1969)
# ---------------------------------------------------------------------------------------------

BASS_DT = 0.05
"""Step length of the Bass check, in the time unit of p and q."""

_BASS_SIZES: dict[str, dict[str, float]] = {
    # tolerance = deterministic time-step bias at dt = 0.05 (0.0056) plus about four standard
    # deviations of the max gap's sampling noise, measured over 30 seeds (docs/VALIDATION.md)
    "full": {"n": 10_000, "runs": 20, "tol": 0.015},
    "ci": {"n": 10_000, "runs": 8, "tol": 0.02},
}


def check_bass(size: str, rng_seed: int) -> list[CheckResult]:
    """Bass (1969): the main model's adoption rule against the closed form ``F(t)``.

    :func:`sim.classic.bass.simulate_agents_batch` steps ``adopt_step`` on complete networks
    with thresholds off (``np.inf``), p = 0.03 and q = 0.38 (Sultan et al. 1990 means) and
    dt = 0.05 over t in [0, 30]. The reported value is the largest absolute gap between the
    mean trajectory over runs and ``F(t)``; its SE is the standard error over runs at the time
    of that largest gap.

    Args:
        size: ``"full"`` (n = 10,000, 20 runs) or ``"ci"`` (n = 10,000, 8 runs).
        rng_seed: Seed.

    Returns:
        One result.
    """
    _check_size(size)
    cfg = _BASS_SIZES[size]
    n, runs, tol = int(cfg["n"]), int(cfg["runs"]), cfg["tol"]
    p, q = bass.SFL_P, bass.SFL_Q
    times, frac = bass.simulate_agents_batch(n, p, q, 30.0, BASS_DT, runs, _streams(rng_seed, 1)[0])
    gap = np.abs(frac.mean(axis=0) - bass.bass_cdf(times, p, q))
    k = int(gap.argmax())
    t_grid, rec = bass.bass_discrete(p, q, 30.0, BASS_DT)
    bias = float(np.max(np.abs(rec - bass.bass_cdf(t_grid, p, q))))
    return [
        CheckResult(
            BASS,
            f"adopt_step, thresholds off, p={p}, q={q}, n={n:,}, {runs} runs, dt={BASS_DT}, "
            f"t in [0, 30]; max |mean F_agents(t) - F(t)| (at t={times[k]:.2f})",
            "closed form F(t) (p, q: Sultan et al. 1990 means)",
            "Bass 1969, closed form",
            float(gap[k]),
            _se(frac[:, k]),
            f"|gap| < {tol} (time-step bias {bias:.4f} + sampling noise)",
            bool(gap[k] < tol),
        )
    ]


# ---------------------------------------------------------------------------------------------
# Granovetter (1978)
# ---------------------------------------------------------------------------------------------

GRANOVETTER_CRITICAL_SD = 12.2
"""Critical standard deviation of normal thresholds (n = 100, mean 25) read off Figure 2."""


def check_granovetter(size: str, rng_seed: int) -> list[CheckResult]:
    """Granovetter (1978): the riot example, exactly, and the critical sd in the mean field.

    The riot example is solved three ways (sorting, fixed-point iteration, and the main model's
    ``adopt_step`` with p = q = 0 and thresholds as fractions of the others); the check needs all
    three to give the published count. The critical sd is found by bisection on the mean-field
    equilibrium ``r = n Phi((r - 25) / sd)``. Both are deterministic, so the two sizes are the
    same and ``rng_seed`` only feeds the (unused) uniform draws of ``adopt_step``.

    Args:
        size: ``"full"`` or ``"ci"`` (identical).
        rng_seed: Seed.

    Returns:
        Three results.
    """
    _check_size(size)
    out: list[CheckResult] = []
    page = "Granovetter 1978, p. 1424"
    for perturbed, published in ((False, 100), (True, 1)):
        thr = granovetter.riot_thresholds(perturbed=perturbed)
        agents = granovetter.cascade_agents(thr, rng=rng_seed)
        values = {granovetter.cascade(thr), granovetter.cascade_fixed_point(thr), agents}
        setting = (
            "thresholds 0, 1, ..., 99 (n=100), complete network"
            if not perturbed
            else "same, but the threshold-1 person raised to 2"
        )
        out.append(
            CheckResult(
                GRANOVETTER,
                setting + "; rioters at equilibrium",
                f"{published} rioter{'s' if published != 1 else ''}",
                page,
                float(agents),
                math.nan,
                "exact, in all three forms (sorting, fixed point, adopt_step)",
                values == {published},
            )
        )
    crit = granovetter.critical_sd_meanfield(25.0, 100)
    below = granovetter.normal_equilibrium_meanfield(25.0, crit - 0.1)
    above = granovetter.normal_equilibrium_meanfield(25.0, crit + 0.1)
    ok = abs(crit - GRANOVETTER_CRITICAL_SD) < 0.1 and below < 10 and above > 95
    out.append(
        CheckResult(
            GRANOVETTER,
            "normal thresholds, n=100, mean 25; sd at which the mean-field equilibrium jumps",
            f"about {GRANOVETTER_CRITICAL_SD}",
            "Granovetter 1978, Fig. 2",
            float(crit),
            math.nan,
            f"|sd - 12.2| < 0.1; rioters {below:.0f} at sd-0.1, {above:.0f} at sd+0.1 "
            "(need < 10 and > 95)",
            bool(ok),
        )
    )
    return out


# ---------------------------------------------------------------------------------------------
# Centola (2010)
# ---------------------------------------------------------------------------------------------

CENTOLA_N, CENTOLA_K, CENTOLA_STEPS = 128, 6, 40
"""Network size and degree (Centola's networks: 98-144 people, degree 6) and the horizon."""

CENTOLA_THRESHOLD = 2 / 6 - 1e-9
"""Adopt for sure at two adopting contacts of six: the reinforcement Centola's design tested."""

_CENTOLA_RUNS = {"full": 60, "ci": 30}


def check_centola(size: str, rng_seed: int) -> list[CheckResult]:
    """Centola (2010): clustered vs random ties of equal degree under the model's adoption rule.

    Each run builds a ring lattice (n = 128, degree 6), rewires a copy by degree-preserving
    double-edge swaps (10 per edge), seeds node 0 and its contacts in both, and steps
    :func:`sim.mechanisms.adoption.adopt_step` with p = q = 0 and threshold 2/6 for 40 steps
    with the same random numbers in both. Reported: final adoption (clustered minus random)
    and speed, the mean share adopted over the 40 steps (the area under the adoption curve,
    clustered minus random). Centola found both in favour of clustered networks (about 54% vs
    38% final adoption); the tolerance is the direction: each difference > 0 by a one-sided
    paired t-test at ``WELCH_ALPHA``.
    """
    _check_size(size)
    runs = _CENTOLA_RUNS[size]
    final = np.empty((runs, 2))
    area = np.empty((runs, 2))
    for r in range(runs):
        g = centola.lattice(CENTOLA_N, CENTOLA_K)
        h = centola.rewired(g, seed=rng_seed + r)
        for j, net in enumerate((g, h)):
            curve = centola.spread(
                net,
                threshold=CENTOLA_THRESHOLD,
                q=0.0,
                steps=CENTOLA_STEPS,
                rng=np.random.default_rng([rng_seed, r]),
            )
            final[r, j], area[r, j] = curve[-1], curve[1:].mean()
    out: list[CheckResult] = []
    for what, x, published in (
        ("final adoption", final, "clustered above random (about 54% vs 38%)"),
        ("speed (mean share adopted over the steps)", area, "clustered faster than random"),
    ):
        d = x[:, 0] - x[:, 1]
        pv = float(stats.ttest_rel(x[:, 0], x[:, 1], alternative="greater").pvalue)
        out.append(
            CheckResult(
                CENTOLA,
                f"adopt_step, threshold 2 of 6 contacts, p=q=0, ring lattice n={CENTOLA_N} "
                f"k={CENTOLA_K} vs degree-preserving rewiring, {runs} paired runs, "
                f"{CENTOLA_STEPS} steps; {what}, clustered minus random (clustered "
                f"{x[:, 0].mean():.2f}, random {x[:, 1].mean():.2f})",
                published,
                "Centola 2010, Science, Fig. 2",
                float(d.mean()),
                _se(d),
                f"> 0, one-sided paired t-test p < {WELCH_ALPHA} (p = {pv:.2g})",
                bool(d.mean() > 0 and pv < WELCH_ALPHA),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# registry and runner
# ---------------------------------------------------------------------------------------------

CHECKS: dict[str, Check] = {
    "march1991": check_march1991,
    "bass": check_bass,
    "granovetter": check_granovetter,
    "centola": check_centola,
}
"""Named checks, each ``(size, rng_seed) -> list[CheckResult]``."""

COLUMNS = ["check", *(f.name for f in fields(CheckResult))]
"""Columns of the :func:`run_checks` table."""


def run_checks(names: list[str] | str | None, size: str = "full", seed: int = 1991) -> pd.DataFrame:
    """Run named checks (all when ``names`` is None) and tabulate their results.

    Every check receives the same ``seed`` and derives its own streams from it, so a check gives
    the same rows whether it runs alone or with the others.

    Args:
        names: Check names from :data:`CHECKS` (a single name may be given as a string), or
            None for all of them in registry order.
        size: ``"full"`` (published sizes) or ``"ci"`` (small, for the test suite).
        seed: Root seed.

    Returns:
        One row per :class:`CheckResult`, columns :data:`COLUMNS` (``check`` then the
        dataclass fields). ``df.attrs["seconds"]`` maps each check to its wall-clock time and
        ``df.attrs["size"]``, ``df.attrs["seed"]`` record the call.

    Raises:
        InputError: An unknown check name or size.
    """
    _check_size(size)
    if isinstance(names, str):  # a single name, as the command line passes it
        names = [names]
    selected = list(CHECKS) if names is None else list(names)
    unknown = [n for n in selected if n not in CHECKS]
    if unknown:
        raise InputError(
            f"unknown check {', '.join(map(repr, unknown))}; accepted: {', '.join(CHECKS)}"
        )
    rows: list[dict[str, object]] = []
    seconds: dict[str, float] = {}
    for name in selected:
        t0 = time.perf_counter()
        results = CHECKS[name](size, seed)
        seconds[name] = time.perf_counter() - t0
        rows.extend({"check": name, **asdict(r)} for r in results)
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update({"seconds": seconds, "size": size, "seed": seed})
    return df


def _number(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if float(x).is_integer() and abs(x) >= 1:
        return f"{int(x)}"
    return f"{x:.3g}" if abs(x) < 0.01 else f"{x:.3f}" if abs(x) < 10 else f"{x:.2f}"


def _ours(mean: float, se: float) -> str:
    if math.isnan(se):
        exact = float(mean).is_integer()
        return f"{_number(mean)} ({'exact' if exact else 'deterministic'})"
    return f"{_number(mean)} ± {se:.2g}"


_TABLE = (
    # header, width of the wrapped column
    ("model", 16),
    ("setting", 44),
    ("published (citation)", 34),
    ("ours mean ± SE", 21),
    ("tolerance", 30),
    ("result", 6),
)


def format_table(df: pd.DataFrame, *, wrap: bool = True) -> str:
    """Plain-text table of a :func:`run_checks` result.

    Columns: model, setting, published (citation), ours mean ± SE, tolerance, PASS/FAIL. A
    footer gives the number passed and, when recorded, the size, seed and time per check.

    Args:
        df: Output of :func:`run_checks`.
        wrap: Wrap long cells to fixed column widths (about 180 characters a line); when false,
            each result is one line and columns are as wide as their longest cell.

    Returns:
        The table as text (no trailing newline).
    """
    header = [h for h, _ in _TABLE]
    body = [
        [
            str(r.model),
            str(r.setting),
            f"{r.published} ({r.citation})",
            _ours(float(r.ours_mean), float(r.ours_se)),
            str(r.tolerance),
            "PASS" if r.passed else "FAIL",
        ]
        for r in df.itertuples(index=False)
    ]
    if wrap:
        widths = [w for _, w in _TABLE]
    else:
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    sep = "-+-".join("-" * w for w in widths)

    def line(cells: list[str]) -> list[str]:
        wrapped = [
            (textwrap.wrap(c, w) or [""]) if wrap else [c]
            for c, w in zip(cells, widths, strict=True)
        ]
        height = max(len(c) for c in wrapped)
        return [
            " | ".join(
                (c[i] if i < len(c) else "").ljust(w) for c, w in zip(wrapped, widths, strict=True)
            ).rstrip()
            for i in range(height)
        ]

    out = line(header)
    out.append(sep)
    for row in body:
        out.extend(line(row))
        if wrap:
            out.append(sep)
    n_pass = int(df["passed"].sum()) if len(df) else 0
    footer = f"{n_pass}/{len(df)} passed"
    if "size" in df.attrs:
        footer += f"; size {df.attrs['size']}, seed {df.attrs['seed']}"
    if "seconds" in df.attrs:
        secs = ", ".join(f"{k} {v:.1f} s" for k, v in df.attrs["seconds"].items())
        footer += f"; time: {secs}"
    out.append(footer)
    return "\n".join(out)


# ---------------------------------------------------------------------- stationarity (at rest)
STATIONARITY_OUTCOMES = {
    "churn": "annual churn (lost / mean active)",
    "turnover": "front-line turnover (quits / mean front-line staff)",
    "satisfaction": "mean customer satisfaction",
    "morale": "mean morale",
    "quality": "service quality",
    "playbook": "playbook knowledge (share of March's code that matches what works)",
}
"""Yearly outcomes of the stationarity check (``yearly_at_rest``), with what each one is."""

STATIONARITY_MARGINS = {
    "churn": 0.015,
    "turnover": 0.05,
    "satisfaction": 0.02,
    "morale": 0.02,
    "quality": 0.03,
    "playbook": 0.06,
}
"""TOST equivalence margins of year 1 vs year 3: 1.5 points of churn, 5 of front-line turnover
(about one Poisson sd of a year's quits at 150 people), 0.02 of satisfaction and morale, 0.03 of
service quality (set when the problem stock at rest was a handful of problems; since it is
counted per team of front-line staff, ``learning.problems_reference_front``, a year's mean varies
by about 0.01 between replicates at 150 people) and 0.06 of playbook knowledge, two of its 30
dimensions: a code moves one dimension at a time, so a year's mean varies by about 0.08 between
replicates and the paired year 3 - year 1 difference has a standard error of about 0.014 at 30
replicates (the drift it must catch was -0.10, 0.65 -> 0.56, before the playbook settled)."""

STATIONARITY_PRESETS = (
    "command_and_control",
    "functional_silos",
    "technology_only_rollout",
    "culture_first_rollout",
    "kotter_programme",
    "matrix",
    "self_organised",
)


def yearly_at_rest(weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per year of a weekly results table: the outcomes of ``STATIONARITY_OUTCOMES``.

    Years are weeks 1-52, 53-104, ... (year 1, 2, ...); a partial last year is dropped.
    """
    df = weekly.reset_index()
    df = df[df["week"] <= (len(df) // 52) * 52]
    year = (df["week"] - 1) // 52 + 1
    g = df.groupby(year)
    ends = g[["churned_total", "front_line_quits_total"]].last()
    flows = ends.diff().fillna(ends)
    out = pd.DataFrame(
        {
            "churn": flows["churned_total"] / g["customers_active"].mean(),
            "turnover": flows["front_line_quits_total"] / g["front_line_active"].mean(),
            "satisfaction": g["satisfaction_mean"].mean(),
            "morale": g["morale_mean"].mean(),
            "quality": g["service_quality"].mean(),
            "playbook": g["playbook_knowledge"].mean(),
        }
    )
    out.index.name = "year"
    return out


def at_rest(name: str, **overrides: object) -> Any:
    """Preset ``name`` with its CRM and change programme switched off (nothing scheduled)."""
    from sim.inputs import load_scenario

    o = {"crm.enabled": False, "change_programme.steps": [], "interventions": [], **overrides}
    return load_scenario(name).with_overrides(o)


def stationarity_runs(
    scenario: Any, replicates: int, seed: int = 7, years: int = 3
) -> pd.DataFrame:
    """Yearly outcomes of ``replicates`` runs of ``years`` years (columns replicate, year, ...).

    Replicate r runs on seed ``seed + r`` (paired across scenarios).
    """
    from sim.model import OrgModel

    sc = scenario.with_overrides({"horizon_weeks": 52 * years})
    frames = []
    for r in range(replicates):
        y = yearly_at_rest(OrgModel(sc, rng=seed + r, counterfactual=False).run())
        frames.append(y.reset_index().assign(replicate=r))
    return pd.concat(frames, ignore_index=True)


def stationarity_tests(
    runs: pd.DataFrame, first: int = 1, last: int = 3, alpha: float = 0.05
) -> pd.DataFrame:
    """Year ``first`` vs year ``last`` per outcome: paired TOST and a trend test.

    TOST (two one-sided paired t-tests, ``scipy.stats.ttest_rel``) against
    ``STATIONARITY_MARGINS``: equivalent when both p < ``alpha``. Trend: the per-replicate OLS
    slope over all years, one-sample t-test against 0 (two-sided): no trend when p >= ``alpha``.
    """
    rows = []
    wide = {
        k: runs.pivot(index="replicate", columns="year", values=k) for k in STATIONARITY_MARGINS
    }
    for k, margin in STATIONARITY_MARGINS.items():
        w = wide[k]
        a, b = w[first].to_numpy(float), w[last].to_numpy(float)
        d = b - a
        p_lo = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
        p_hi = stats.ttest_1samp(d, margin, alternative="less").pvalue
        yrs = np.asarray(w.columns, float)
        slopes = np.array([np.polyfit(yrs, row, 1)[0] for row in w.to_numpy(float)])
        p_trend = stats.ttest_1samp(slopes, 0.0).pvalue if np.ptp(slopes) > 0 else 1.0
        rows.append(
            {
                "outcome": k,
                "year_first": float(a.mean()),
                "year_last": float(b.mean()),
                "diff": float(d.mean()),
                "margin": margin,
                "p_tost": float(max(p_lo, p_hi)),
                "slope_per_year": float(slopes.mean()),
                "p_trend": float(p_trend),
                "stationary": bool(max(p_lo, p_hi) < alpha and p_trend >= alpha),
            }
        )
    return pd.DataFrame(rows)


def stationarity_table(
    presets: tuple[str, ...] = STATIONARITY_PRESETS,
    replicates: int = 10,
    seed: int = 7,
    years: int = 3,
    **overrides: object,
) -> str:
    """Markdown: year-by-year means (and the year 1 vs last tests) for each preset at rest."""
    lines = [
        f"{replicates} paired replicates (seeds {seed}..{seed + replicates - 1}), CRM and "
        f"programme off, {years} years after the burn-in; overrides {overrides or 'none'}.",
        "",
        "| preset | year | churn | front-line turnover | satisfaction | morale | quality "
        "| playbook |",
        "|---|---|---|---|---|---|---|---|",
    ]
    tests = []
    for name in presets:
        runs = stationarity_runs(at_rest(name, **overrides), replicates, seed, years)
        m = runs.groupby("year")[list(STATIONARITY_OUTCOMES)].mean()
        for yr, r in m.iterrows():
            lines.append(
                f"| {name} | {yr} | {r.churn:.1%} | {r.turnover:.1%} | {r.satisfaction:.3f} "
                f"| {r.morale:.3f} | {r.quality:.3f} | {r.playbook:.3f} |"
            )
        tests.append(stationarity_tests(runs, 1, years).assign(preset=name))
    t = pd.concat(tests, ignore_index=True)
    lines += [
        "",
        f"Year 1 vs year {years}: paired TOST p (margins {STATIONARITY_MARGINS}) / trend p "
        "(per-replicate slope, one-sample t-test); stationary = TOST p < 0.05 and trend p >= 0.05.",
        "",
        "| preset | " + " | ".join(STATIONARITY_OUTCOMES) + " |",
        "|---|" + "---|" * len(STATIONARITY_OUTCOMES),
    ]
    for name, g in t.groupby("preset", sort=False):
        cells = [
            f"{r.diff:+.3f}: {r.p_tost:.3f} / {r.p_trend:.2f} {'ok' if r.stationary else 'NO'}"
            for r in g.itertuples()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.validation stationarity [--replicates N] [--years Y] [--people P]``."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sim.validation")
    ap.add_argument("check", choices=["stationarity"])
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--people", type=int, default=150)
    ap.add_argument("--customers", type=int, default=1500)
    ap.add_argument("--burn-in", type=int, default=None)
    a = ap.parse_args(argv)
    o: dict[str, object] = {"organisation.employees": a.people, "customers.count": a.customers}
    if a.burn_in is not None:
        o["burn_in_weeks"] = a.burn_in
    print(stationarity_table(replicates=a.replicates, seed=a.seed, years=a.years, **o))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
