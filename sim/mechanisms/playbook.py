"""The organisation's playbook: March's (1991) mutual learning, wired into the main model.

Seed 000 ("continuously evolve, intelligently utilize feedback"; "learning cycles") and the model
brief's mechanism 5. March (1991), "Exploration and exploitation in organizational learning": the
organisation's code (here its playbook of customer-handling practice) and its people's beliefs
learn from each other. People are socialised into the playbook at the culture-strength rate (p1);
the playbook learns from front-line people who outperform it at the responsiveness rate (p2);
turnover (p3) is the main model's own quits and hires; market turbulence (p4) flips what works.

The rules are those of ``sim.classic.march1991`` (validated there against March's figures);
socialisation here draws one uniform per belief every week, whatever the state, so paired runs
keep their random streams aligned.
"""

from __future__ import annotations

import numpy as np

from sim.classic.march1991 import BELIEF, act, learn_code, performance, turbulence
from sim.coefficients.learning import DEFAULT_LEARNING


def initial_playbook(
    m: int,
    n: int,
    code_knowledge: float,
    socialised: float,
    blank_share: float = DEFAULT_LEARNING.initial_blank_share,
    *,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reality, code, beliefs) of an established organisation.

    The code matches reality on about ``code_knowledge`` of the dimensions (``blank_share`` of
    the rest are blank); each belief equals the code with probability ``socialised`` where the
    code is set, and is otherwise drawn uniformly from {-1, 0, +1}.
    """
    reality = rng.choice(np.array([-1, 1], dtype=BELIEF), size=m)
    u = rng.random(m)
    blank = (u >= code_knowledge) & (u < code_knowledge + blank_share * (1 - code_knowledge))
    code = np.where(u < code_knowledge, reality, np.where(blank, 0, -reality)).astype(BELIEF)
    fresh = rng.integers(-1, 2, size=(n, m)).astype(BELIEF)
    take = (rng.random((n, m)) < socialised) & (code != 0)[None, :]
    return reality, code, np.where(take, code[None, :], fresh).astype(BELIEF)


def socialise_fixed(
    beliefs: np.ndarray, code: np.ndarray, p1: np.ndarray | float, *, rng: np.random.Generator
) -> np.ndarray:
    """March's socialisation with one uniform drawn per belief (see module docstring).

    On each dimension where the code is non-zero and differs from the belief, with probability
    ``p1`` (scalar or per person) the belief moves one step towards the code.
    """
    n, m = beliefs.shape
    u = rng.random(beliefs.shape).reshape(-1)
    # only beliefs that differ from a set code can move: few once people are socialised
    idx = np.flatnonzero((code[None, :] != 0) & (beliefs != code[None, :]))
    p = np.asarray(p1, dtype=float)
    p_idx = np.broadcast_to(p.reshape(-1), (n,))[idx // m] if p.ndim else p
    sel = idx[u[idx] < p_idx]
    out = beliefs.copy()
    flat = out.reshape(-1)
    flat[sel] += np.sign(code[sel % m] - flat[sel]).astype(BELIEF)
    return out


def playbook_week(
    reality: np.ndarray,
    code: np.ndarray,
    beliefs: np.ndarray,
    learners: np.ndarray,
    p1: float,
    p2: float,
    p4: float,
    *,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One week of March's cycle after the model's own turnover: returns (reality, code, beliefs).

    Order as in March (1991): turbulence, individuals act, socialisation, code learning.
    ``learners`` masks the people in post whose performance the playbook can learn from.
    """
    reality = turbulence(reality, p4, rng)
    actions = act(beliefs, rng)
    perf = performance(actions, reality[None, :])
    perf = np.where(learners, perf, np.iinfo(np.int32).min)
    code_score = performance(code, reality)
    beliefs = socialise_fixed(beliefs, code, np.where(learners, p1, 0.0), rng=rng)
    code = learn_code(code[None, :], actions[None], perf[None], np.atleast_1d(code_score), p2, rng)[
        0
    ]
    return reality, code, beliefs


def practice_knowledge(beliefs: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Share of dimensions on which each person's belief matches what works."""
    return (beliefs == reality[None, :]).mean(axis=1)


def code_knowledge(code: np.ndarray, reality: np.ndarray) -> float:
    """Share of dimensions on which the playbook matches what works (March's knowledge)."""
    return float((code == reality).mean())


def knowhow(practice: np.ndarray, *, base: float, weight: float) -> np.ndarray:
    """Multiplier on skill from practice that fits what works (about 1 for an average person).

    ``base`` and ``weight``: the scenario's ``decisions.knowhow_base`` and
    ``decisions.knowhow_practice_weight``.
    """
    return base + weight * practice
