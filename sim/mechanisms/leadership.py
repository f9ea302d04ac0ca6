"""Executive commitment versus support, and managers as role models.

Seed 004: "Executive Commitment not just executive support ... top leadership to be actively
involved in making sometimes difficult decisions" (change the structure, the process, the staff).
Seed 001: "it depends on the leadership style, not the hierarchy". Support is words: a small push
on social influence. Commitment is decisions: it moves the structural levers when obstacles are
removed, makes CRM data feed decisions, and keeps resources in place after go-live. Line managers
influence their reports by example (Venkatesh et al. 2003 social influence; transformational
leadership literature): a supportive manager who uses the CRM pulls the team more.
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.adoption import DEFAULT_ADOPTION, Adoption


def manager_example(
    manager: np.ndarray,
    usage: np.ndarray,
    supportive: np.ndarray,
    filled: np.ndarray,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Example set by each person's line manager: their usage, counted fully if they coach."""
    has = manager >= 0
    m = np.maximum(manager, 0)
    weight = np.where(supportive[m], 1.0, p.manager_unsupportive)
    return np.where(has & filled[m], usage[m] * weight, 0.0)


def commitment_decisions(
    levers_now: dict[str, float], commitment: float, strength: float
) -> dict[str, float]:
    """New values of the structural levers when leaders remove obstacles.

    Each lever moves towards 1 by ``strength * commitment`` of its gap: committed leaders move
    decision rights, open silos and change incentives; supportive-only leaders change nothing.
    """
    step = min(max(strength * commitment, 0.0), 1.0)
    return {k: v + (1.0 - v) * step for k, v in levers_now.items()}
