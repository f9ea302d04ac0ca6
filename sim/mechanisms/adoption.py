"""CRM adoption as a social and cultural decision.

Seeds 000, 002 and 004 (adoption is cultural, "the system is underused" after go-live); published
grounding: Bass (1969) diffusion, Granovetter (1978) thresholds, Centola & Macy (2007) complex
contagion, and TAM/UTAUT (Davis 1989; Venkatesh et al. 2003) for what builds the intention to use.

The adoption decision of one non-adopter in one step of length ``dt`` is::

    adopt with certainty            if exposure >= threshold        (Granovetter)
    else adopt with prob 1 - exp(-(p + q * exposure) * dt)          (Bass hazard)

where ``exposure`` is the fraction of the person's contacts who already use the system. With
thresholds above 1 the rule is the agent form of Bass diffusion; with ``p = q = 0`` it is the
threshold model. The full model sets ``p``, ``q`` and the thresholds from the intention (see
``intention``).
"""

from __future__ import annotations

import numpy as np


def adoption_probability(
    p: np.ndarray | float,
    q: np.ndarray | float,
    exposure: np.ndarray,
    threshold: np.ndarray | float,
    dt: float = 1.0,
) -> np.ndarray:
    """Probability that a non-adopter adopts during one step.

    Args:
        p: Innovation (external influence) hazard per unit time, >= 0.
        q: Imitation (social influence) hazard per unit time at full exposure, >= 0.
        exposure: Fraction in [0, 1] of each person's contacts who have adopted.
        threshold: Granovetter threshold: at or above this exposure the person adopts for sure.
            Use ``np.inf`` to switch the threshold rule off.
        dt: Length of the step in the hazard's time unit.

    Returns:
        Array of probabilities in [0, 1], one per person.
    """
    exposure = np.asarray(exposure, dtype=float)
    hazard = np.maximum(np.asarray(p, dtype=float) + np.asarray(q, dtype=float) * exposure, 0.0)
    prob = -np.expm1(-hazard * dt)
    return np.where(exposure >= threshold, 1.0, prob)


def adopt_step(
    adopted: np.ndarray,
    p: np.ndarray | float,
    q: np.ndarray | float,
    exposure: np.ndarray,
    threshold: np.ndarray | float,
    *,
    rng: np.random.Generator,
    dt: float = 1.0,
) -> np.ndarray:
    """One synchronous adoption step: returns the new boolean adoption array.

    Adopters stay adopters here (discontinuance is a separate rule in ``decay``). One uniform
    number is drawn per person whatever their state, so random streams stay aligned between
    paired runs (common random numbers).
    """
    u = rng.random(adopted.shape[0])
    prob = adoption_probability(p, q, exposure, threshold, dt)
    return adopted | (u < prob)


# Weights of the UTAUT-style determinants of the intention to use (Venkatesh et al. 2003):
# performance expectancy, effort expectancy, social influence, facilitating conditions, plus
# incentives and the customer-orientation trait (seed 000: adoption is a question of mindset).
INTENTION_WEIGHTS = {
    "usefulness": 0.25,
    "ease": 0.15,
    "social": 0.20,
    "facilitating": 0.20,
    "incentive": 0.10,
    "orientation": 0.10,
}


def exposure(adjacency, adopted: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Share of each person's collaboration contacts who use the CRM (0 for isolates)."""
    users = adjacency @ adopted.astype(float)
    return np.where(degree > 0, users / np.maximum(degree, 1.0), 0.0)


def social_influence(
    exposure_: np.ndarray, manager_example: np.ndarray, executive_support: float
) -> np.ndarray:
    """Peers (complex contagion), the line manager's example and executives' words."""
    return np.clip(0.55 * exposure_ + 0.35 * manager_example + 0.10 * executive_support, 0, 1)


def facilitating_conditions(
    executive_commitment: float, reinforcing: bool, training: float
) -> float:
    """Resources and follow-up: commitment is durable, project reinforcement is temporary."""
    project = 0.5 + 0.5 * training if reinforcing else 0.1
    return 0.5 * executive_commitment + 0.5 * project


def intention(
    usefulness: np.ndarray,
    ease: np.ndarray | float,
    social: np.ndarray,
    facilitating: float,
    incentive: float,
    orientation: np.ndarray,
    urgency: float = 0.0,
    affinity: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Intention to use the CRM in [0, 1] (UTAUT weights above, plus the felt urgency).

    ``affinity`` is each person's attitude to technology (TAM's attitude term, Davis 1989), the
    individual difference that makes the same organisation produce early and late adopters.
    """
    w = INTENTION_WEIGHTS
    i = (
        w["usefulness"] * usefulness
        + w["ease"] * ease
        + w["social"] * social
        + w["facilitating"] * facilitating
        + w["incentive"] * incentive
        + w["orientation"] * orientation
        + 0.15 * urgency
        + affinity
    )
    return np.clip(i, 0.0, 1.0)


def update_usage(
    usage: np.ndarray,
    adopted: np.ndarray,
    intention_: np.ndarray,
    *,
    reinforcing: bool,
    anchored: bool,
    habit_decay: float,
    training: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Move adopters' usage towards what their intention sustains; drop those who fall off.

    While the project reinforces use (coaching, checks), usage is pulled up beyond intention;
    afterwards it slides back towards intention at ``habit_decay`` per week (seed 002: "the system
    is underused" after go-live). Anchoring in the culture (Kotter's eighth step) turns use into a
    habit and slows the slide fivefold.

    Returns (usage, adopted).
    """
    target = np.clip(1.3 * intention_ - 0.1, 0.0, 1.0)
    if reinforcing:
        target = np.clip(target + 0.3 * training, 0.0, 1.0)
    rate_up = 0.25
    rate_down = habit_decay * (0.2 if anchored else 1.0)
    rate = np.where(target > usage, rate_up, rate_down)
    new = np.where(adopted, usage + rate * (target - usage), 0.0)
    # a new adopter starts at a modest level, not at zero
    new = np.where(adopted & (usage == 0.0), np.maximum(new, 0.3), new)
    still = adopted & (new >= 0.05)
    return np.where(still, new, 0.0), still


def ease_of_use(
    tool_quality: float,
    training: float,
    skill: np.ndarray,
    problem_share: float,
    communication: float,
) -> np.ndarray:
    """Effort expectancy: the tool, training and skill, dented by unfixed process problems."""
    ease = tool_quality * (0.5 + 0.3 * training + 0.2 * skill) * (1 - 0.4 * problem_share)
    return np.clip(ease + 0.1 * communication, 0, 1)


def push(urgency: float, reinforcing: bool) -> float:
    """Multiplier on own initiative from felt urgency and project reinforcement."""
    return (1.0 + 2.0 * urgency) * (2.0 if reinforcing else 1.0)
