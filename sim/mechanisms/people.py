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

from sim.coefficients.people import DEFAULT_PEOPLE, PeopleCoefficients


def morale_target(
    overload: np.ndarray,
    powerless: np.ndarray,
    angry_share: np.ndarray,
    supportive_manager: np.ndarray,
    *,
    p: PeopleCoefficients = DEFAULT_PEOPLE,
) -> np.ndarray:
    """Morale each person drifts towards.

    Felt safety has no term of its own (issue 14 item 3): it reaches morale only through what
    speaking up achieves, i.e. problems reported and fixed raise service quality, which means
    fewer angry customers and less rework (``angry_share``, ``overload``).
    """
    t = (
        p.morale_base
        - p.morale_overload_weight * overload
        - p.morale_powerless_weight * powerless
        - p.morale_angry_weight * angry_share
        + p.morale_support_weight * supportive_manager
    )
    return np.clip(t, 0.0, 1.0)


def quit_hazard(
    morale: np.ndarray,
    base_annual: float,
    front: np.ndarray,
    *,
    p: PeopleCoefficients = DEFAULT_PEOPLE,
) -> np.ndarray:
    """Weekly quit probability: the base rate at the pivot morale, rising steeply below it."""
    cap = p.quit_rate_cap
    base = -np.log1p(-min(base_annual, cap)) / 52.0 if base_annual < 1 else base_annual / 52.0
    scale = np.where(front, 1.0, p.manager_quit_scale)  # managers move less often
    return np.clip(base * scale * np.exp(p.quit_slope * (p.quit_morale_pivot - morale)), 0.0, 1.0)


def quits(filled: np.ndarray, hazard: np.ndarray, *, rng) -> np.ndarray:
    """Who quits this week."""
    return filled & (rng.random(filled.shape[0]) < hazard)


def skill_growth(skill: np.ndarray, learning_weeks: float) -> np.ndarray:
    """Learning on the job closes the gap to full skill with time constant ``learning_weeks``."""
    return skill + (1.0 - skill) / learning_weeks


def relationship_loss(record: np.ndarray, *, p: PeopleCoefficients = DEFAULT_PEOPLE) -> np.ndarray:
    """Satisfaction a customer loses when their account owner or service handler leaves.

    The person takes the relationship and what they knew of the customer; the account starts a
    new relationship with whoever is next. What survives is the customer's CRM record: a
    complete record (``record`` 1) keeps ``p.record_softening`` of the loss away.
    """
    r = np.clip(record, 0.0, 1.0)
    return p.relationship_loss * (1.0 - p.record_softening * r)


def workload(
    book: np.ndarray,
    reference_book: np.ndarray,
    vacancy_share: np.ndarray,
    busywork: np.ndarray,
    spike: np.ndarray,
    front: np.ndarray,
    backlog: np.ndarray,
    capacity: np.ndarray,
    *,
    p: PeopleCoefficients = DEFAULT_PEOPLE,
) -> np.ndarray:
    """Workload relative to the staffing plan (1 = as planned).

    Front line: own accounts or cases over the plan's, stretched to cover vacancies in the unit,
    plus CRM busywork and unannounced-campaign spikes. Managers: their escalation backlog.
    """
    cover = 1.0 / (1.0 - np.minimum(vacancy_share, p.vacancy_cover_cap))
    wl = np.where(reference_book > 0, book / np.maximum(reference_book, 1e-12), 1.0)
    wl = wl * cover + busywork + spike
    return np.where(
        front,
        wl,
        p.manager_workload_base + p.manager_backlog_weight * backlog / np.maximum(capacity, 1e-9),
    )


def share_of(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """counts / totals, 0 where the total is 0."""
    return np.where(totals > 0, counts / np.maximum(totals, 1), 0.0)
