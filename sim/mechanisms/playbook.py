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

from collections.abc import Callable

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


def reference_panel(front: np.ndarray, size: int) -> np.ndarray:
    """Mask of the playbook's reference panel: ``size`` front-line positions, evenly spread.

    Every ``len(front) / size``-th front-line position in the structure's order (so the panel
    spans the units), or the whole front line when it is smaller. No random draw: the panel is
    the same in a model and its twin, and at every week (its people change with turnover).
    """
    idx = np.flatnonzero(front)
    panel = np.zeros(front.shape[0], dtype=bool)
    if idx.shape[0] <= size:
        panel[idx] = True
    else:  # spacing >= 1, so the floored positions are distinct
        panel[idx[np.linspace(0, idx.shape[0] - 1, size).astype(np.int64)]] = True
    return panel


def playbook_week(
    reality: np.ndarray,
    code: np.ndarray,
    beliefs: np.ndarray,
    learners: np.ndarray,
    p1: np.ndarray | float,
    p2: float,
    p4: float,
    *,
    rng: np.random.Generator,
    panel: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One week of March's cycle after the model's own turnover: returns (reality, code, beliefs).

    Order as in March (1991): turbulence, individuals act, socialisation, code learning.
    ``learners`` masks the people in post, who are socialised into the playbook; the playbook
    learns from those of them in ``panel`` (:func:`reference_panel`; None: every learner), as
    March's code learns from his organisation of 50. Learning from every learner made March's
    margin ``k`` grow with the front line: ``1 - (1 - p2) ** k`` saturated, p2 stopped mattering
    and the playbook's level at rest depended on the organisation's size.
    """
    reality = turbulence(reality, p4, rng)
    actions = act(beliefs, rng)
    perf = performance(actions, reality[None, :])
    seen = learners if panel is None else learners & panel
    perf = np.where(seen, perf, np.iinfo(np.int32).min)
    code_score = performance(code, reality)
    beliefs = socialise_fixed(beliefs, code, np.where(learners, p1, 0.0), rng=rng)
    code = learn_code(code[None, :], actions[None], perf[None], np.atleast_1d(code_score), p2, rng)[
        0
    ]
    return reality, code, beliefs


def settle(
    reality: np.ndarray,
    code: np.ndarray,
    beliefs: np.ndarray,
    tenure: np.ndarray,
    panel: np.ndarray,
    p1_of_tenure: Callable[[np.ndarray], np.ndarray],
    p2: float,
    p3: float,
    p4: float,
    weeks: int,
    *,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The playbook and a front line's beliefs after ``weeks`` of March's cycle at rest.

    Pure: runs :func:`playbook_week` on copies of the arrays alone (no customers, no other
    stock), every row a front-line position in post, the playbook learning from the rows in
    ``panel``; after each week's cycle (as the model's people process follows its learning)
    each row is replaced with probability ``p3`` (March's turnover) by a newcomer with uniform
    beliefs and tenure 0 (so onboarding's faster socialisation applies). ``p1_of_tenure``
    gives each row's socialisation rate from its tenure
    (``sim.mechanisms.learning.playbook_rate``). Returns (reality, code, beliefs).

    Why: the playbook relaxes to its balance of learning, turbulence and turnover over years
    (docs/ODD.md 8.A), far longer than the burn-in; starting there makes the playbook, and the
    know-how it gives first-contact resolution, stationary from week 1.
    """
    n, m = beliefs.shape
    beliefs = beliefs.copy()
    tenure = np.asarray(tenure).copy()
    learners = np.ones(n, dtype=bool)
    for _ in range(weeks):
        reality, code, beliefs = playbook_week(
            reality, code, beliefs, learners, p1_of_tenure(tenure), p2, p4, rng=rng, panel=panel
        )
        leave = np.flatnonzero(rng.random(n) < p3)
        beliefs[leave] = rng.integers(-1, 2, size=(leave.shape[0], m), dtype=BELIEF)
        tenure += 1
        tenure[leave] = 0
    return reality, code, beliefs


def settle_front_line(
    reality: np.ndarray,
    code: np.ndarray,
    beliefs: np.ndarray,
    front: np.ndarray,
    tenure: np.ndarray,
    p1_of_tenure: Callable[[np.ndarray], np.ndarray],
    p2: float,
    p3: float,
    p4: float,
    weeks: int,
    *,
    panel_size: int,
    cohort: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`settle` on the front line (``front``), on a cohort of at most ``cohort`` of them.

    The cohort is the reference panel (:func:`reference_panel`, whose rows alone teach the
    playbook) and, above ``cohort`` front-line positions, a random draw of the others to fill
    it; every front-line position outside it then takes the settled beliefs of a non-panel
    cohort member drawn at random. The rest of the front line only follows the playbook, so a
    cohort of followers far larger than the panel settles as the whole would, at a cost that
    does not grow with the organisation. Other rows (managers, whose beliefs the playbook never
    reads) keep theirs. Returns (reality, code, beliefs), new arrays.
    """
    idx = np.flatnonzero(front)
    out = beliefs.copy()
    if weeks <= 0 or idx.shape[0] == 0:
        return reality.copy(), code.copy(), out
    panel = reference_panel(front, panel_size)
    others = np.flatnonzero(front & ~panel)
    extra = max(cohort - int(panel.sum()), 1)
    big = others.shape[0] > extra
    followers = np.sort(rng.choice(others, size=extra, replace=False)) if big else others
    chosen = np.sort(np.concatenate([np.flatnonzero(panel), followers]))
    reality, code, settled = settle(
        reality,
        code,
        beliefs[chosen],
        tenure[chosen],
        panel[chosen],
        p1_of_tenure,
        p2,
        p3,
        p4,
        weeks,
        rng=rng,
    )
    out[chosen] = settled
    if big:
        rest = np.setdiff1d(others, followers, assume_unique=True)
        out[rest] = out[followers[rng.integers(0, extra, size=rest.shape[0])]]
    return reality, code, out


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
