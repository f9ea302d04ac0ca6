"""Granovetter (1978): threshold models of collective behaviour.

Reference:
    Granovetter, M. (1978). Threshold models of collective behavior. *American Journal of
    Sociology*, 83(6), 1420-1443. https://doi.org/10.1086/226707

Each person has a threshold: the number of OTHERS who must already have joined before they join.
On a complete network the process is the iteration ``r[t+1] = #{i : threshold_i <= r[t]}`` from
``r[0] = 0``; it increases to the smallest fixed point. Three equivalent implementations:

* :func:`cascade` -- sorting: with sorted thresholds ``s``, the outcome is the first index ``j``
  with ``s[j] > j`` (``n`` if none): the ``j`` lowest have joined and the next one needs more.
* :func:`cascade_fixed_point` -- the iteration itself, vectorised over a batch of populations.
* :func:`cascade_agents` -- the main model's rule :func:`sim.mechanisms.adoption.adopt_step` with
  ``p = q = 0`` and thresholds expressed as fractions of the ``n - 1`` others (exposure = share of
  the others who have joined), stepped synchronously until nobody moves.

Riot example (Granovetter p. 1424): thresholds 0, 1, ..., 99 give 100 rioters; changing the
threshold-1 person to 2 gives 1 rioter.

Normal thresholds (Granovetter's Figure 2: n = 100, mean 25, sd varied). Two readings:

* the expected (mean-field) curve Granovetter analyses, ``r = n Phi((r - mean) / sd)`` started at
  ``r = 0`` (:func:`normal_equilibrium_meanfield`): the smallest fixed point jumps from a handful of
  rioters to nearly 100 at a critical sd, found by bisection (:func:`critical_sd_meanfield`);
* finite samples of ``n`` normal thresholds (:func:`normal_equilibrium`, mean over many draws),
  where the jump is smoothed by sampling; :func:`critical_sd` scans sd for the first value at
  which the mean outcome exceeds ``n / 2``.

Measured with ``.venv/bin/python -m sim.classic.granovetter`` (seed 1978): mean-field critical sd
12.22 (Granovetter: about 12.2); the mean-field equilibrium is 5.1 rioters at sd 12.17 and 100 at
sd 12.27. With finite samples (10,000 populations of 100 per sd) the mean outcome rises smoothly
(1.1 at sd 10, 18.0 at sd 12, 40.1 at sd 13, 63.6 at sd 14, 91.0 at sd 16) and crosses 50 at
sd 13.4: each sample either fizzles or riots almost completely, and the mean is 100 times the
share of samples that riot.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import norm

from sim.mechanisms.adoption import adopt_step

__all__ = [
    "riot_thresholds",
    "cascade",
    "cascade_fixed_point",
    "cascade_agents",
    "normal_thresholds",
    "normal_equilibrium",
    "normal_equilibrium_meanfield",
    "scan_sd",
    "critical_sd",
    "critical_sd_meanfield",
]


def _rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def riot_thresholds(n: int = 100, perturbed: bool = False) -> np.ndarray:
    """Granovetter's uniform example: thresholds ``0..n-1``; ``perturbed`` turns the 1 into a 2."""
    t = np.arange(n, dtype=float)
    if perturbed:
        t[1] = 2.0
    return t


def cascade(thresholds: np.ndarray) -> np.ndarray | int:
    """Final number of participants by sorting (the smallest equilibrium reached from zero).

    Args:
        thresholds: ``(n,)`` or ``(batch, n)`` thresholds, counts of others (may be non-integer
            or negative; a threshold <= 0 joins at once).

    Returns:
        ``int`` for one population, ``(batch,)`` int array for a batch.
    """
    t = np.sort(np.asarray(thresholds, dtype=float), axis=-1)
    n = t.shape[-1]
    blocked = t > np.arange(n)
    first = np.where(blocked.any(axis=-1), np.argmax(blocked, axis=-1), n)
    return int(first) if t.ndim == 1 else first.astype(np.int64)


def cascade_fixed_point(thresholds: np.ndarray, max_iter: int | None = None) -> np.ndarray | int:
    """Final number of participants by iterated best response ``r <- #{i: t_i <= r}``.

    Args:
        thresholds: ``(n,)`` or ``(batch, n)`` thresholds (counts of others).
        max_iter: Iteration cap (default ``n + 1``, always enough: ``r`` rises each round).

    Returns:
        Same shape convention as :func:`cascade`.
    """
    t = np.atleast_2d(np.asarray(thresholds, dtype=float))
    r = np.zeros(t.shape[0], dtype=np.int64)
    for _ in range(max_iter if max_iter is not None else t.shape[1] + 1):
        new = np.sum(t <= r[:, None], axis=1)
        if np.array_equal(new, r):
            break
        r = new
    return int(r[0]) if np.ndim(thresholds) == 1 else r


def cascade_agents(thresholds: np.ndarray, rng: int | np.random.Generator | None = None) -> int:
    """Final number of participants using the main model's rule ``adopt_step`` with p = q = 0.

    Exposure is the share of the OTHER ``n - 1`` people who have joined and thresholds are given
    as fractions ``threshold / (n - 1)``; with ``p = q = 0`` only the threshold acts, so ``rng``
    only feeds the (unused) uniform draws.

    Args:
        thresholds: ``(n,)`` thresholds (counts of others).
        rng: Seed or generator.

    Returns:
        Number who joined.
    """
    g = _rng(rng)
    t = np.asarray(thresholds, dtype=float)
    n = t.size
    frac_thr = t / (n - 1)
    joined = np.zeros(n, dtype=bool)
    for _ in range(n + 1):
        exposure = (joined.sum() - joined) / (n - 1)
        new = adopt_step(joined, 0.0, 0.0, exposure, frac_thr, rng=g)
        if np.array_equal(new, joined):
            break
        joined = new
    return int(joined.sum())


def normal_thresholds(
    mean: float, sd: float, n: int, rng: int | np.random.Generator | None, draws: int = 1
) -> np.ndarray:
    """``(draws, n)`` thresholds from ``N(mean, sd)`` (continuous; negatives join at once)."""
    return _rng(rng).normal(mean, sd, size=(draws, n))


def normal_equilibrium(
    mean: float,
    sd: float,
    n: int = 100,
    rng: int | np.random.Generator | None = None,
    draws: int = 1,
) -> np.ndarray | int:
    """Equilibrium number of participants for normally distributed thresholds.

    Args:
        mean: Mean threshold (count of others).
        sd: Standard deviation.
        n: Population size.
        rng: Seed or generator.
        draws: Number of independent populations.

    Returns:
        ``int`` if ``draws == 1``, else ``(draws,)`` int array.
    """
    out = cascade(normal_thresholds(mean, sd, n, rng, draws))
    return int(out[0]) if draws == 1 else out


def normal_equilibrium_meanfield(mean: float, sd: float, n: int = 100, tol: float = 1e-9) -> float:
    """Smallest fixed point of ``r = n Phi((r - mean) / sd)`` reached from ``r = 0``.

    This is Granovetter's expected-value reading of a normal threshold distribution.
    """
    r = 0.0
    for _ in range(1_000_000):
        new = n * norm.cdf((r - mean) / sd)
        if abs(new - r) < tol:
            return float(new)
        r = new
    return float(r)


def scan_sd(
    mean: float,
    sds: np.ndarray,
    n: int = 100,
    draws: int = 2000,
    rng: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the sampled equilibrium over ``draws`` populations per sd."""
    g = _rng(rng)
    means, ses = [], []
    for sd in np.asarray(sds, dtype=float):
        r = cascade(normal_thresholds(mean, sd, n, g, draws))
        means.append(r.mean())
        ses.append(r.std(ddof=1) / np.sqrt(draws))
    return np.asarray(means), np.asarray(ses)


def critical_sd(
    mean: float = 25.0,
    n: int = 100,
    sds: np.ndarray | None = None,
    draws: int = 2000,
    rng: int | np.random.Generator | None = None,
) -> float:
    """First sd on a grid at which the mean sampled equilibrium exceeds ``n / 2``.

    Linear interpolation between the two grid points around the crossing; ``nan`` if none.

    Args:
        mean: Mean threshold.
        n: Population size.
        sds: Grid of sd values (default 0.1 steps from 1 to 30).
        draws: Populations per grid point.
        rng: Seed or generator.
    """
    grid = np.round(np.arange(1.0, 30.0001, 0.1), 10) if sds is None else np.asarray(sds, float)
    means, _ = scan_sd(mean, grid, n, draws, rng)
    above = np.nonzero(means > n / 2)[0]
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(grid[0])
    x0, x1, y0, y1 = grid[i - 1], grid[i], means[i - 1], means[i]
    return float(x0 + (n / 2 - y0) * (x1 - x0) / (y1 - y0))


def critical_sd_meanfield(
    mean: float = 25.0, n: int = 100, lo: float = 1.0, hi: float = 50.0, tol: float = 1e-4
) -> float:
    """Bisection for the sd at which the mean-field equilibrium jumps above ``n / 2``."""
    if normal_equilibrium_meanfield(mean, lo, n) > n / 2 or (
        normal_equilibrium_meanfield(mean, hi, n) <= n / 2
    ):
        raise ValueError("no jump in [lo, hi]")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if normal_equilibrium_meanfield(mean, mid, n) > n / 2:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def main(seed: int = 1978, draws: int = 10_000) -> None:  # pragma: no cover - reporting helper
    """Print the validation figures (``python -m sim.classic.granovetter``)."""
    print(
        "Riot example: 0..99 ->",
        cascade(riot_thresholds()),
        "| perturbed ->",
        cascade(riot_thresholds(perturbed=True)),
    )
    t0 = time.perf_counter()
    c_mf = critical_sd_meanfield(25.0, 100)
    print(f"Mean-field critical sd (n=100, mean 25): {c_mf:.3f}  ({time.perf_counter() - t0:.2f}s)")
    for sd in (c_mf - 0.05, c_mf + 0.05):
        print(
            f"  mean-field equilibrium at sd={sd:.2f}: {normal_equilibrium_meanfield(25, sd):.1f}"
        )
    t0 = time.perf_counter()
    c = critical_sd(25.0, 100, draws=draws, rng=seed)
    print(
        f"Sampled critical sd ({draws} draws per sd, 0.1 grid): {c:.2f}"
        f"  ({time.perf_counter() - t0:.2f}s)"
    )
    sds = np.array([4.0, 8.0, 10.0, 11.0, 12.0, 12.2, 12.5, 13.0, 14.0, 16.0, 20.0])
    m, s = scan_sd(25.0, sds, 100, draws, seed)
    print("sd      sampled mean (se)   mean-field")
    for sd, mm, ss in zip(sds, m, s, strict=True):
        print(f"{sd:5.1f}   {mm:7.2f} ({ss:.2f})       {normal_equilibrium_meanfield(25, sd):6.1f}")


if __name__ == "__main__":  # pragma: no cover
    main()
