"""Seeds: one integer per run, from which every random stream of the run is derived.

Each mechanism draws from its own stream, spawned from the run's seed with
``numpy.random.SeedSequence``, and draws fixed-size arrays whatever the state. Two runs with the
same seed (a design and its no-change counterfactual, or two designs compared on common random
numbers) therefore see the same customer issues, the same quit draws and so on, and differ only
where the design makes them differ. Replicate seeds come from ``SeedSequence(root).spawn``.
"""

from __future__ import annotations

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


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Per-replicate seeds from a root seed; replicate r gets the same seed in every design."""
    return [
        int(ss.generate_state(1, dtype=np.uint64)[0] >> 1)
        for ss in np.random.SeedSequence(root).spawn(replicates)
    ]
