"""Morale, turnover and newcomers.

Seeds 001 ("The employee: He sees the frustrated customer AND feels his powerlessness") and 002
("their business case is breaking down because expected costs savings are evaporating due to
turnover"). Morale drifts towards a level set by workload, powerlessness (own customers' issues
stuck in escalation), angry customers, leadership style and felt safety (job demands-resources,
Bakker & Demerouti 2007). Low morale raises the quit hazard (Mobley 1977; Griffeth, Hom &
Gaertner 2000). Positions stay vacant for the hiring delay; newcomers arrive with low skill, no
CRM habit and the hiring pool's culture.
"""

from __future__ import annotations

import numpy as np


def morale_target(
    overload: np.ndarray,
    powerless: np.ndarray,
    angry_share: np.ndarray,
    supportive_manager: np.ndarray,
    safety: np.ndarray,
) -> np.ndarray:
    """Morale each person drifts towards."""
    t = (
        0.72
        - 0.35 * overload
        - 0.25 * powerless
        - 0.25 * angry_share
        + 0.08 * supportive_manager
        + 0.15 * (safety - 0.5)
    )
    return np.clip(t, 0.0, 1.0)


def quit_hazard(morale: np.ndarray, base_annual: float, front: np.ndarray) -> np.ndarray:
    """Weekly quit probability: the base rate at morale 0.6, rising steeply below it."""
    base = -np.log1p(-min(base_annual, 0.95)) / 52.0 if base_annual < 1 else base_annual / 52.0
    scale = np.where(front, 1.0, 0.5)  # managers move less often
    return np.clip(base * scale * np.exp(3.0 * (0.6 - morale)), 0.0, 1.0)


def quits(filled: np.ndarray, hazard: np.ndarray, *, rng) -> np.ndarray:
    """Who quits this week."""
    return filled & (rng.random(filled.shape[0]) < hazard)


def skill_growth(skill: np.ndarray, learning_weeks: float) -> np.ndarray:
    """Learning on the job closes the gap to full skill with time constant ``learning_weeks``."""
    return skill + (1.0 - skill) / learning_weeks


def workload(
    book: np.ndarray,
    reference_book: np.ndarray,
    vacancy_share: np.ndarray,
    busywork: np.ndarray,
    spike: np.ndarray,
    front: np.ndarray,
    backlog: np.ndarray,
    capacity: np.ndarray,
) -> np.ndarray:
    """Workload relative to the staffing plan (1 = as planned).

    Front line: own accounts or cases over the plan's, stretched to cover vacancies in the unit,
    plus CRM busywork and unannounced-campaign spikes. Managers: their escalation backlog.
    """
    cover = 1.0 / (1.0 - np.minimum(vacancy_share, 0.5))
    wl = np.where(reference_book > 0, book / np.maximum(reference_book, 1e-12), 1.0)
    wl = wl * cover + busywork + spike
    return np.where(front, wl, 0.7 + 0.5 * backlog / np.maximum(capacity, 1e-9))


def share_of(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """counts / totals, 0 where the total is 0."""
    return np.where(totals > 0, counts / np.maximum(totals, 1), 0.0)
