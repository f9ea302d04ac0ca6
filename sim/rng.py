"""Seeds: one integer per run, from which every random stream of the run is derived.

Each mechanism draws from its own stream, spawned from the run's seed with
``numpy.random.SeedSequence``, and draws fixed-size arrays whatever the state. Two runs with the
same seed (a design and its no-change counterfactual, or two designs compared on common random
numbers) therefore see the same customer issues, the same quit draws and so on, and differ only
where the design makes them differ. Replicate seeds come from ``SeedSequence(root).spawn``.
"""

from __future__ import annotations

import math

import numpy as np

STREAMS = (
    "structure",
    "init",
    "issues",
    "escalation",
    "crm",
    "silos",
    "customers",
    "acquisition",
    "learning",
    "adoption",
    "people",
    "playbook",
    "newcomers",
    "playbook_rest",
    "dispositions",
)


def seed_from(
    rng: int | np.integer | np.random.SeedSequence | np.random.Generator | None,
) -> int:
    """Normalise a user seed to a non-negative int, as Mesa's ``Model(rng=...)`` accepts it.

    An int is kept as it is (bit for bit the runs it always gave). A ``SeedSequence`` gives its
    first generated word, a ``Generator`` one integer drawn from it (advancing it), so the same
    input gives the same run; ``None`` draws a seed from OS entropy. The run itself is always
    seeded by the int, so ``model.seed`` reproduces it.
    """
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, dtype=np.uint64)[0] >> 1)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1, dtype=np.int64))
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(
            "rng must be an int seed, a numpy SeedSequence or Generator, or None, not "
            f"{type(rng).__name__}"
        )
    if rng < 0:
        raise ValueError(f"seed must be >= 0 (got {rng})")
    return int(rng)


def make_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per mechanism, all derived from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    # spawn order matters: new streams are appended so existing ones keep their numbers
    return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(STREAMS, children)}


#: Streams drawn outside a run, before it starts (e.g. the report's assumption draws). Each is
#: spawned from the run's seed with a spawn key far past the model's :data:`STREAMS` (which use
#: keys 0, 1, ...), so it never coincides with a model stream and appending either list leaves
#: every existing number as it was.
SIDE_STREAMS = ("assumptions", "summary_bootstrap", "calibration")  # appended only: keys never move
_SIDE_KEY = 10_000


def side_stream(seed: int, name: str) -> np.random.Generator:
    """A generator of its own for draws made outside a run, derived from the run's ``seed``.

    Raises:
        ValueError: for a name not in :data:`SIDE_STREAMS`.
    """
    if name not in SIDE_STREAMS:
        raise ValueError(f"unknown side stream {name!r}; expected one of {SIDE_STREAMS}")
    ss = np.random.SeedSequence(seed, spawn_key=(_SIDE_KEY + SIDE_STREAMS.index(name),))
    return np.random.Generator(np.random.PCG64(ss))


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Per-replicate seeds from a root seed; replicate r gets the same seed in every design."""
    return [
        int(ss.generate_state(1, dtype=np.uint64)[0] >> 1)
        for ss in np.random.SeedSequence(root).spawn(replicates)
    ]


#: Streams that every run must advance alike, week by week, whatever its state: the build-time
#: streams (``structure``, ``init``, ``playbook_rest``: the playbook's settling,
#: ``sim.mechanisms.playbook.settle``) are drawn once before the first week, and ``newcomers`` is
#: the documented exception (practice beliefs drawn for the hires only, so that how many are
#: hired shifts no other stream).
ALIGNED_STREAMS = tuple(
    s for s in STREAMS if s not in ("structure", "init", "playbook_rest", "newcomers")
)


def stream_positions(streams: dict[str, np.random.Generator]) -> dict[str, tuple[int, ...]]:
    """Where each stream stands: its PCG64 state, so two runs can be checked draw for draw.

    Two generators spawned from the same seed are at the same position exactly when they have
    drawn the same number of variates of the same kinds (common random numbers).
    """
    out = {}
    for name, g in streams.items():
        s = g.bit_generator.state
        out[name] = (s["state"]["state"], s["state"]["inc"], s["has_uint32"], s["uinteger"])
    return out


def misaligned(
    a: dict[str, tuple[int, ...]],
    b: dict[str, tuple[int, ...]],
    names: tuple[str, ...] = ALIGNED_STREAMS,
) -> list[str]:
    """The streams among ``names`` at different positions in ``a`` and ``b`` (empty: aligned).

    The rule that keeps paired runs on common random numbers is that every process draws the
    same number of variates from its streams whatever the data; a run whose draw count depends
    on its state shows up here as soon as two designs' states differ.
    """
    return [n for n in names if a[n] != b[n]]


def poisson_from_uniform(u: float, lam: float) -> int:
    """A Poisson(``lam``) variate from one uniform ``u`` in [0, 1), by inverting the CDF.

    numpy's own Poisson sampler takes a number of uniforms that depends on ``lam``, so a run whose
    rate differs from its pair's (more sales people, a different problem queue) would shift every
    later draw of that stream; one uniform per variate keeps paired runs aligned. Exact
    sequential search for ``lam <= 30`` (a few dozen multiplications); scipy's quantile above.
    """
    if lam <= 0.0:
        return 0
    if lam > 30.0:
        return max(int(_stats().poisson.ppf(u, lam)), 0)
    p = math.exp(-lam)
    cdf, k = p, 0
    while u > cdf and p > 0.0:
        k += 1
        p *= lam / k
        cdf += p
    return k


def binomial_from_uniform(u: float, n: int, p: float) -> int:
    """A Binomial(``n``, ``p``) variate from one uniform ``u`` in [0, 1), by inverting the CDF.

    As :func:`poisson_from_uniform`, so that the draw count does not depend on ``n`` or ``p``.
    Exact sequential search for ``n <= 200``; scipy's quantile above.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return int(n)
    if n > 200:
        return min(max(int(_stats().binom.ppf(u, n, p)), 0), int(n))
    q = 1.0 - p
    pk = q**n
    cdf, k = pk, 0
    ratio = p / q
    while u > cdf and k < n:
        pk *= (n - k) / (k + 1) * ratio
        k += 1
        cdf += pk
    return k


def _stats():
    # scipy.stats is slow to import; only large rates need it
    import scipy.stats

    return scipy.stats
