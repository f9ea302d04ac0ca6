"""March (1991): mutual learning between an organisational code and its members.

Reference:
    March, J. G. (1991). Exploration and exploitation in organizational learning.
    *Organization Science*, 2(1), 71-87. https://doi.org/10.1287/orsc.2.1.71

The paper leaves some steps unstated (the order of the steps, gradual socialisation, and that
the code compares *performance*, not knowledge); they are filled in as in the note by Christensen
(2015), as cited and implemented in M. Workiewicz's recreation (github.com/Mac13kW/
March_1991_Original), whose reading reproduces the published Figure 1:

* Reality has ``m`` dimensions, each +1 or -1 with probability 1/2. Each of ``n`` individuals holds
  a belief in {-1, 0, +1} per dimension (uniform); the organisational code starts all 0.
* Each period, in this order:

  1. **turnover** -- each individual is replaced, with probability ``p3``, by a newcomer with fresh
     uniform beliefs (the position keeps its socialisation rate);
  2. **turbulence** -- each dimension of reality flips with probability ``p4``;
  3. **action** -- a +1/-1 belief acts as itself, a 0 belief acts +1 or -1 by a fair coin drawn
     anew each period; performance is ``sum(action * reality)``;
  4. **socialisation** -- on each dimension where the code is non-zero and differs from the
     belief, with probability ``p1`` the belief moves one step towards the code (-1 -> 0 -> +1);
  5. **code learning** -- the superior group is everyone whose performance (step 3, i.e. before
     socialisation) strictly exceeds the code's score ``sum(code * reality)``. On each dimension
     where a *strict* majority of that group's actions differs from the code, the code takes the
     majority value with probability ``1 - (1 - p2) ** k``, ``k`` = majority count minus minority
     count (March's footnote 1). Ties leave the code unchanged.

* **Equilibrium**: every individual's beliefs equal the code on every dimension *and* the code has
  no 0 entry. Then every action equals the code, nobody can outperform it, socialisation has
  nothing to do, and the state is absorbing (this is the same test as Christensen's "no individual
  could still beat the code and nobody differs from it": with a 0 left in the code, coin-flip
  actions could still beat it). Absorbing only without turnover; with ``p3 > 0`` runs are never
  frozen and are read at a period limit instead (as in March's turnover/turbulence figures).

Knowledge measures. ``"fraction"`` (default) is the share of dimensions on which the code (or a
belief) equals reality. ``"score"`` is ``sum(code * reality) / m`` in [-1, 1], the quantity the
Christensen (2015) recreation plots; for a code with no zero entries ``score = 2 * fraction - 1``.

Measured with ``.venv/bin/python -m sim.classic.march1991 10000`` (n = 50, m = 30, 10,000 runs,
seed 1991), equilibrium reached in every run; fraction correct / score, standard errors <= 0.001:

=========  ===============  ===============  ===============
           p2 = 0.1         p2 = 0.5         p2 = 0.9
=========  ===============  ===============  ===============
p1 = 0.1   0.931 / 0.863    0.977 / 0.954    0.987 / 0.973
p1 = 0.5   0.900 / 0.800    0.905 / 0.811    0.920 / 0.839
p1 = 0.9   0.906 / 0.813    0.871 / 0.741    0.864 / 0.728
=========  ===============  ===============  ===============

The score column matches the 10,000-run recreation of Figure 1 by Workiewicz (its stored
output, 0.863 / 0.954 / 0.972, 0.799 / 0.811 / 0.840, 0.813 / 0.742 / 0.728) to within 0.003 in
every cell, and the values read off March's Figure 1 (at p2 = 0.9: about 0.9 or more for
p1 = 0.1, about 0.7 for p1 = 0.9). The *fraction* reading is higher (0.86 rather than 0.73 at
p1 = p2 = 0.9), so comparisons with the published figure must use ``measure="score"``. The
orderings hold under both: knowledge rises with p2 when socialisation is slow (and falls slightly
with p2 when it is fast, the crossing of March's curves), and at high p2 slow socialisation
beats fast. 80-run
figures and the variants are in ``docs/VALIDATION.md``. Cost: about 1.5 s per
1,000 runs at p1 = 0.1 (about 110 periods to equilibrium), far less for fast socialisation.

Playbook reuse (for the main model): the *code* is the organisation's playbook (its shared way of
working with customers and the CRM), *socialisation* ``p1`` is culture strength (how fast people
conform to the playbook), *code learning* ``p2`` is responsiveness to front-line performers (how
readily the playbook adopts what the people who outperform it actually do), turnover ``p3`` is
staff churn and turbulence ``p4`` is market change. :func:`step` applies one period to a
:class:`MarchState` holding many runs (or many organisations) at once; the per-rule functions
(:func:`turnover`, :func:`turbulence`, :func:`act`, :func:`socialise`, :func:`learn_code`) are
pure and can be wired into the main model one at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

__all__ = [
    "MarchState",
    "initial_state",
    "turnover",
    "turbulence",
    "act",
    "performance",
    "socialise",
    "learn_code",
    "at_equilibrium",
    "knowledge",
    "step",
    "equilibrium_knowledge_runs",
    "equilibrium_knowledge",
    "simulate",
    "individual_p1",
]

BELIEF = np.int8
"""dtype of beliefs, code, actions and reality (values in {-1, 0, +1})."""

DEFAULT_MAX_PERIODS_CLOSED = 5_000
"""Period limit when ``p3 = p4 = 0`` (almost every run reaches equilibrium far earlier)."""

DEFAULT_MAX_PERIODS_OPEN = 100
"""Period at which knowledge is read when ``p3 > 0`` or ``p4 > 0`` (no stable equilibrium)."""


def _rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


@dataclass(frozen=True)
class MarchState:
    """State of many independent organisations (runs) at once.

    Attributes:
        reality: ``(runs, m)`` int8 in {-1, +1}.
        code: ``(runs, m)`` int8 in {-1, 0, +1}, the organisational code (the playbook).
        beliefs: ``(runs, n, m)`` int8 in {-1, 0, +1}.
        p1: ``(runs, n)`` float, each individual's socialisation rate (kept by the position
            across turnover).
        frozen: ``(runs,)`` bool, runs that reached an absorbing equilibrium; their beliefs and
            code no longer change (reality, being exogenous, still follows turbulence).
        period: Number of periods already applied.
        equilibrium_period: ``(runs,)`` int, period at which each run froze, -1 if not yet.
    """

    reality: np.ndarray
    code: np.ndarray
    beliefs: np.ndarray
    p1: np.ndarray
    frozen: np.ndarray
    period: int = 0
    equilibrium_period: np.ndarray | None = None

    @property
    def runs(self) -> int:
        """Number of runs held."""
        return int(self.reality.shape[0])

    def take(self, idx: np.ndarray) -> MarchState:
        """Sub-state with the runs selected by ``idx`` (index or boolean mask)."""
        eq = None if self.equilibrium_period is None else self.equilibrium_period[idx]
        return MarchState(
            self.reality[idx],
            self.code[idx],
            self.beliefs[idx],
            self.p1[idx],
            self.frozen[idx],
            self.period,
            eq,
        )


def _random_beliefs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return (rng.integers(0, 3, size=shape, dtype=BELIEF) - 1).astype(BELIEF)


def individual_p1(
    p1: float | np.ndarray,
    n: int,
    fast_fraction: float | None = None,
    p1_fast: float | None = None,
    p1_slow: float | None = None,
) -> np.ndarray:
    """Socialisation rate of each of ``n`` individuals (March's mixed fast/slow learners).

    Args:
        p1: Common rate, used when ``fast_fraction`` is None (scalar or ``(n,)`` array).
        n: Number of individuals.
        fast_fraction: Share of the population that learns fast; ``round(fast_fraction * n)``
            individuals get ``p1_fast``, the rest ``p1_slow``.
        p1_fast: Rate of the fast learners (March used 0.9).
        p1_slow: Rate of the slow learners (March used 0.1).

    Returns:
        ``(n,)`` float array.
    """
    if fast_fraction is None:
        return np.broadcast_to(np.asarray(p1, dtype=float), (n,)).copy()
    if p1_fast is None or p1_slow is None:
        raise ValueError("fast_fraction needs both p1_fast and p1_slow")
    if not 0.0 <= fast_fraction <= 1.0:
        raise ValueError("fast_fraction must lie in [0, 1]")
    n_fast = int(round(fast_fraction * n))
    out = np.full(n, float(p1_slow))
    out[:n_fast] = float(p1_fast)
    return out


def initial_state(
    runs: int,
    n: int = 50,
    m: int = 30,
    p1: float | np.ndarray = 0.5,
    rng: int | np.random.Generator | None = None,
) -> MarchState:
    """Fresh organisations: random reality, uniform beliefs, neutral (all-0) code.

    Args:
        runs: Number of independent organisations.
        n: Individuals per organisation.
        m: Dimensions of reality.
        p1: Socialisation rate, scalar or ``(n,)`` (see :func:`individual_p1`) or ``(runs, n)``.
        rng: Seed or generator.

    Returns:
        The period-0 state.
    """
    g = _rng(rng)
    reality = (2 * g.integers(0, 2, size=(runs, m), dtype=BELIEF) - 1).astype(BELIEF)
    beliefs = _random_beliefs(g, (runs, n, m))
    code = np.zeros((runs, m), dtype=BELIEF)
    p1_arr = np.broadcast_to(np.asarray(p1, dtype=float), (runs, n)).copy()
    return MarchState(
        reality,
        code,
        beliefs,
        p1_arr,
        np.zeros(runs, dtype=bool),
        0,
        np.full(runs, -1, dtype=np.int64),
    )


def turnover(beliefs: np.ndarray, p3: float, rng: np.random.Generator) -> np.ndarray:
    """Replace each individual, with probability ``p3``, by one with fresh uniform beliefs.

    Args:
        beliefs: ``(..., n, m)`` beliefs.
        p3: Turnover probability per individual per period.
        rng: Generator.

    Returns:
        New beliefs array (the input is not modified).
    """
    if p3 <= 0.0:
        return beliefs.copy()
    leave = rng.random(beliefs.shape[:-1]) < p3
    out = beliefs.copy()
    out[leave] = _random_beliefs(rng, (int(leave.sum()), beliefs.shape[-1]))
    return out


def turbulence(reality: np.ndarray, p4: float, rng: np.random.Generator) -> np.ndarray:
    """Flip each dimension of reality with probability ``p4``; returns a new array."""
    if p4 <= 0.0:
        return reality.copy()
    flip = rng.random(reality.shape) < p4
    return np.where(flip, -reality, reality).astype(BELIEF)


def act(beliefs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions: a +1/-1 belief acts as itself, a 0 belief acts +1 or -1 by a fresh fair coin."""
    size = beliefs.size
    raw = np.frombuffer(rng.bytes((size + 7) // 8), dtype=np.uint8)
    bits = np.unpackbits(raw, count=size).reshape(beliefs.shape).view(BELIEF)
    coin = 2 * bits - 1  # fair +/-1 from one random bit per entry
    return beliefs + (beliefs == 0) * coin  # (np.where is much slower on int8)


def performance(actions: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Score ``sum(action * reality)`` of ``(runs, n, m)`` actions against ``(runs, m)`` reality.

    Also serves for the code's own score: ``performance(code, reality)`` with ``(runs, m)`` code.
    """
    if actions.ndim == reality.ndim:
        return np.einsum("...m,...m->...", actions, reality, dtype=np.int32)
    return np.einsum("rnm,rm->rn", actions, reality, dtype=np.int32)


def socialise(
    beliefs: np.ndarray, code: np.ndarray, p1: float | np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Move beliefs one step towards a non-zero code, independently per dimension.

    On each dimension where the code is non-zero and differs from the belief, with probability
    ``p1`` the belief moves one step towards the code (-1 -> 0 -> +1 or +1 -> 0 -> -1). Dimensions
    where the code is 0 are left alone.

    Args:
        beliefs: ``(runs, n, m)``.
        code: ``(runs, m)``.
        p1: Socialisation rate: scalar, ``(n,)`` or ``(runs, n)`` (per individual).
        rng: Generator.

    Returns:
        New beliefs array.
    """
    runs, n, m = beliefs.shape
    c = code[:, None, :]
    # uniforms are drawn only for the entries that can move (few once the runs converge)
    idx = np.flatnonzero((c != 0) & (beliefs != c))
    p = np.asarray(p1, dtype=float)
    if p.ndim >= 1:
        p = np.broadcast_to(p, (runs, n)).reshape(-1)[idx // m]
    sel = idx[rng.random(idx.size) < p]
    out = beliefs.copy()
    flat = out.reshape(-1)
    target = code[sel // (n * m), sel % m]
    flat[sel] += np.sign(target - flat[sel]).astype(BELIEF)
    return out


def learn_code(
    code: np.ndarray,
    actions: np.ndarray,
    perf: np.ndarray,
    code_score: np.ndarray,
    p2: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The code learns from the actions of the individuals who outperform it.

    The superior group is everyone with ``perf > code_score``. On each dimension where a strict
    majority of that group's actions differs from the code, the code adopts the majority value
    with probability ``1 - (1 - p2) ** k``, ``k`` = majority count minus minority count.

    Args:
        code: ``(runs, m)``.
        actions: ``(runs, n, m)`` actions taken this period.
        perf: ``(runs, n)`` performance of those actions.
        code_score: ``(runs,)`` the code's own score ``sum(code * reality)``.
        p2: Code learning rate.
        rng: Generator.

    Returns:
        New code array.
    """
    superior = (perf > code_score[:, None]).astype(BELIEF)
    # actions are +1/-1, so their sum over the superior group is (plus count) - (minus count)
    diff = np.einsum("rn,rnm->rm", superior, actions, dtype=np.int32)
    majority = np.sign(diff).astype(BELIEF)
    k = np.abs(diff)
    prob = -np.expm1(k * np.log1p(-p2)) if p2 < 1.0 else (k > 0).astype(float)
    change = (majority != 0) & (majority != code) & (rng.random(code.shape) < prob)
    return np.where(change, majority, code).astype(BELIEF)


def at_equilibrium(beliefs: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Runs in which all beliefs equal the code and the code has no 0 entry: ``(runs,)`` bool."""
    return np.all(beliefs == code[:, None, :], axis=(1, 2)) & np.all(code != 0, axis=1)


def knowledge(
    beliefs_or_code: np.ndarray, reality: np.ndarray, measure: str = "fraction"
) -> np.ndarray:
    """Knowledge of a code ``(runs, m)`` or of beliefs ``(runs, n, m)`` about reality ``(runs, m)``.

    Args:
        beliefs_or_code: Code or beliefs.
        reality: Reality.
        measure: ``"fraction"`` (share of dimensions equal to reality) or ``"score"``
            (``sum(x * reality) / m``).

    Returns:
        ``(runs,)`` or ``(runs, n)`` floats.
    """
    r = reality if beliefs_or_code.ndim == reality.ndim else reality[:, None, :]
    if measure == "fraction":
        return np.mean(beliefs_or_code == r, axis=-1)
    if measure == "score":
        return np.mean(beliefs_or_code.astype(np.int32) * r, axis=-1)
    raise ValueError(f"unknown measure {measure!r}")


def step(
    state: MarchState,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    rng: int | np.random.Generator | None = None,
    *,
    freeze: bool = True,
) -> MarchState:
    """Apply one period (turnover, turbulence, action, socialisation, code learning).

    Pure: returns a new state. Runs already frozen keep their beliefs and code (their state is
    absorbing under the rules; freezing merely makes that explicit). With ``freeze`` true and no
    turnover, runs reaching equilibrium at the end of this period are frozen.

    Args:
        state: Current state (any number of runs).
        p2: Code learning rate (responsiveness of the playbook to front-line performers).
        p3: Turnover probability per individual per period.
        p4: Turbulence probability per dimension per period.
        rng: Seed or generator.
        freeze: Whether to freeze runs that reach equilibrium.

    Returns:
        The state after the period.
    """
    g = _rng(rng)
    beliefs = turnover(state.beliefs, p3, g)
    reality = turbulence(state.reality, p4, g)
    actions = act(beliefs, g)
    perf = performance(actions, reality)
    code_score = performance(state.code, reality)
    new_beliefs = socialise(beliefs, state.code, state.p1, g)
    new_code = learn_code(state.code, actions, perf, code_score, p2, g)
    fz = state.frozen
    if fz.any():
        new_beliefs[fz] = state.beliefs[fz]
        new_code[fz] = state.code[fz]
    frozen = fz.copy()
    eq_period = (
        np.full(state.runs, -1, dtype=np.int64)
        if state.equilibrium_period is None
        else state.equilibrium_period.copy()
    )
    if freeze and p3 <= 0.0:
        newly = ~fz & at_equilibrium(new_beliefs, new_code)
        frozen |= newly
        eq_period[newly] = state.period + 1
    return replace(
        state,
        reality=reality,
        code=new_code,
        beliefs=new_beliefs,
        frozen=frozen,
        period=state.period + 1,
        equilibrium_period=eq_period,
    )


def equilibrium_knowledge_runs(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    rng: int | np.random.Generator | None = None,
    max_periods: int | None = None,
    *,
    fast_fraction: float | None = None,
    p1_fast: float | None = None,
    p1_slow: float | None = None,
    measure: str = "fraction",
    return_periods: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Per-run code knowledge at equilibrium (or at the period limit).

    Without turnover and turbulence each run is read at the period it reaches equilibrium; runs
    still moving at ``max_periods`` (default 5,000) are read there. With ``p3 > 0`` or ``p4 > 0``
    there is no stable equilibrium and every run is read at ``max_periods`` (default 100).
    Finished runs are dropped from the working arrays, so the cost follows the slowest runs only.

    Args:
        p1: Socialisation rate (ignored when ``fast_fraction`` is given).
        p2: Code learning rate.
        p3: Turnover.
        p4: Turbulence.
        m: Dimensions.
        n: Individuals.
        runs: Number of runs.
        rng: Seed or generator.
        max_periods: Period limit (see above).
        fast_fraction: Share of fast learners for March's mixed population.
        p1_fast: Socialisation rate of fast learners.
        p1_slow: Socialisation rate of slow learners.
        measure: ``"fraction"`` or ``"score"`` (see :func:`knowledge`).
        return_periods: Also return the period at which each run was read.

    Returns:
        ``(runs,)`` knowledge values, and optionally ``(runs,)`` periods (equal to
        ``max_periods`` for runs read at the limit).
    """
    g = _rng(rng)
    closed = p3 <= 0.0 and p4 <= 0.0
    if max_periods is None:
        max_periods = DEFAULT_MAX_PERIODS_CLOSED if closed else DEFAULT_MAX_PERIODS_OPEN
    p1_vec = individual_p1(p1, n, fast_fraction, p1_fast, p1_slow)
    state = initial_state(runs, n, m, p1_vec, g)
    out = np.empty(runs)
    read_at = np.full(runs, max_periods, dtype=np.int64)
    alive = np.arange(runs)
    for _ in range(max_periods):
        state = step(state, p2, p3, p4, g, freeze=closed)
        if closed and state.frozen.any():
            done = state.frozen
            out[alive[done]] = knowledge(state.code[done], state.reality[done], measure)
            read_at[alive[done]] = state.period
            keep = ~done
            alive = alive[keep]
            state = state.take(keep)
            if alive.size == 0:
                break
    if alive.size:
        out[alive] = knowledge(state.code, state.reality, measure)
    return (out, read_at) if return_periods else out


def equilibrium_knowledge(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    rng: int | np.random.Generator | None = None,
    max_periods: int | None = None,
    **kwargs: object,
) -> float:
    """Mean over runs of the code's knowledge at equilibrium or at the period limit.

    Same arguments as :func:`equilibrium_knowledge_runs` (keyword extras ``fast_fraction``,
    ``p1_fast``, ``p1_slow``, ``measure`` are passed through).

    Returns:
        Mean code knowledge (fraction of dimensions correct by default).
    """
    vals = equilibrium_knowledge_runs(
        p1,
        p2,
        p3,
        p4,
        m,
        n,
        runs,
        rng,
        max_periods,
        **kwargs,  # type: ignore[arg-type]
    )
    return float(np.mean(vals))


def simulate(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    periods: int = 100,
    rng: int | np.random.Generator | None = None,
    fast_fraction: float | None = None,
    p1_fast: float | None = None,
    p1_slow: float | None = None,
    measure: str = "fraction",
) -> pd.DataFrame:
    """Per-period trajectories, mean and standard error over runs.

    Runs reaching equilibrium (only possible without turnover) are frozen: their beliefs and code
    stay put while reality, if turbulent, keeps drifting -- which is how knowledge decays under
    turbulence without turnover (March 1991, turbulence section).

    Args:
        p1: Socialisation rate (ignored when ``fast_fraction`` is given).
        p2: Code learning rate.
        p3: Turnover.
        p4: Turbulence.
        m: Dimensions.
        n: Individuals.
        runs: Number of runs.
        periods: Number of periods simulated.
        rng: Seed or generator.
        fast_fraction: Share of fast learners (mixed population).
        p1_fast: Rate of the fast learners.
        p1_slow: Rate of the slow learners.
        measure: ``"fraction"`` or ``"score"``.

    Returns:
        DataFrame with one row per period ``0..periods`` and columns ``period``,
        ``code_knowledge``, ``code_knowledge_se``, ``individual_knowledge``,
        ``individual_knowledge_se`` (average over individuals, then mean/SE over runs),
        ``fast_knowledge``/``slow_knowledge`` (mixed populations only) and ``at_equilibrium``
        (share of runs frozen).
    """
    g = _rng(rng)
    p1_vec = individual_p1(p1, n, fast_fraction, p1_fast, p1_slow)
    fast_mask = p1_vec == (p1_fast if fast_fraction is not None else np.nan)
    state = initial_state(runs, n, m, p1_vec, g)
    rows = []
    sq = np.sqrt(max(runs, 1))

    def record(s: MarchState) -> None:
        ck = knowledge(s.code, s.reality, measure)
        ik_all = knowledge(s.beliefs, s.reality, measure)
        ik = ik_all.mean(axis=1)
        row = {
            "period": s.period,
            "code_knowledge": ck.mean(),
            "code_knowledge_se": ck.std(ddof=1) / sq if runs > 1 else np.nan,
            "individual_knowledge": ik.mean(),
            "individual_knowledge_se": ik.std(ddof=1) / sq if runs > 1 else np.nan,
        }
        if fast_fraction is not None:
            row["fast_knowledge"] = ik_all[:, fast_mask].mean() if fast_mask.any() else np.nan
            row["slow_knowledge"] = ik_all[:, ~fast_mask].mean() if (~fast_mask).any() else np.nan
        row["at_equilibrium"] = s.frozen.mean()
        rows.append(row)

    record(state)
    for _ in range(periods):
        state = step(state, p2, p3, p4, g)
        record(state)
    return pd.DataFrame(rows)


def _se(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / np.sqrt(len(x)))


def main(runs: int = 80, seed: int = 1991) -> None:  # pragma: no cover - reporting helper
    """Print the validation tables (``python -m sim.classic.march1991``)."""
    print(f"March (1991) equilibrium code knowledge, n=50, m=30, {runs} runs, seed {seed}")
    print("p1   p2   fraction(mean, se)   score(mean, se)   mean periods   seconds")
    for p2 in (0.1, 0.5, 0.9):
        for p1 in (0.1, 0.5, 0.9):
            t0 = time.perf_counter()
            frac, per = equilibrium_knowledge_runs(p1, p2, runs=runs, rng=seed, return_periods=True)
            score = equilibrium_knowledge_runs(p1, p2, runs=runs, rng=seed, measure="score")
            dt = time.perf_counter() - t0
            print(
                f"{p1:.1f}  {p2:.1f}  {frac.mean():.3f} ({_se(frac):.3f})      "
                f"{score.mean():.3f} ({_se(score):.3f})    {per.mean():7.1f}   {dt:6.2f}"
            )
    print(
        "\nMixed learners (p1_fast=0.9, p1_slow=0.1, p2=0.5): share fast -> code knowledge"
        " | homogeneous population at the same mean p1"
    )
    for ff in (0.0, 0.2, 0.5, 0.8, 1.0):
        k = equilibrium_knowledge_runs(
            0.5, 0.5, runs=runs, rng=seed, fast_fraction=ff, p1_fast=0.9, p1_slow=0.1
        )
        p1_bar = 0.1 + 0.8 * ff
        h = equilibrium_knowledge_runs(p1_bar, 0.5, runs=runs, rng=seed + 1)
        print(
            f"  fast={ff:.1f}: {k.mean():.3f} ({_se(k):.3f}) | p1={p1_bar:.2f}: "
            f"{h.mean():.3f} ({_se(h):.3f})"
        )
    print("\nTurnover (p2=0.5, knowledge at period 100): p3 -> code knowledge for p1=0.9 / 0.5")
    for p3 in (0.0, 0.05, 0.1, 0.2, 0.5):
        a = equilibrium_knowledge_runs(0.9, 0.5, p3=p3, runs=runs, rng=seed, max_periods=100)
        b = equilibrium_knowledge_runs(0.5, 0.5, p3=p3, runs=runs, rng=seed, max_periods=100)
        print(f"  p3={p3:.2f}: {a.mean():.3f} ({_se(a):.3f}) / {b.mean():.3f} ({_se(b):.3f})")
    print("\nTurbulence p4=0.02, p1=p2=0.5: code knowledge by period (p3=0 / p3=0.1)")
    a = simulate(0.5, 0.5, p3=0.0, p4=0.02, runs=runs, periods=500, rng=seed)
    b = simulate(0.5, 0.5, p3=0.1, p4=0.02, runs=runs, periods=500, rng=seed)
    for t in (0, 25, 50, 100, 200, 300, 400, 500):
        print(
            f"  t={t:3d}: {a.code_knowledge[t]:.3f} ({a.code_knowledge_se[t]:.3f}) / "
            f"{b.code_knowledge[t]:.3f} ({b.code_knowledge_se[t]:.3f})"
        )


if __name__ == "__main__":  # pragma: no cover
    import sys

    main(*(int(a) for a in sys.argv[1:3]))
