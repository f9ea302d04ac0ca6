"""Psychological safety, learning from reported problems, and culture transmission.

Seed 000 ("Psychological safety is not merely a 'nice to have'; it is fundamental to the
functionality of teams"; "a 'responsive organization' ... intelligently utilize feedback").
People report the problems they meet in proportion to their felt safety (Edmondson 1999); reported
problems are fixed in proportion to responsiveness; fixed problems raise service quality and ease
of use. Safety itself drifts towards the team climate: the culture dial, the manager's style and
whether speaking up has been worth it. Customer orientation spreads by socialisation towards the
team and leader (March 1991 mutual learning; Harrison & Carroll 1991 cultural transmission under
hiring, socialisation and turnover).
"""

from __future__ import annotations

import numpy as np


def encounter_and_report(
    active_front: np.ndarray,
    safety: np.ndarray,
    problems_latent: float,
    problems_queue: float,
    problems_initial: float,
    *,
    rng,
    encounter_rate: float = 0.08,
) -> tuple[int, int]:
    """(problems met, distinct new problems reported) this week."""
    n = active_front.shape[0]
    unreported = max(problems_latent - problems_queue, 0.0)
    p_meet = encounter_rate * unreported / max(problems_initial, 1.0)
    meets = active_front & (rng.random(n) < p_meet)
    reports = meets & (rng.random(n) < safety)
    # several people may report the same problem: distinct reports are capped by what is there
    return int(meets.sum()), int(min(reports.sum(), np.floor(unreported)))


def fix_problems(queue: float, responsiveness: float, *, rng) -> int:
    """Reported problems fixed this week (each with chance proportional to responsiveness)."""
    return int(rng.binomial(int(queue), min(0.35 * responsiveness, 1.0)))


def new_problems(turbulence: float, *, rng) -> int:
    """Problems arising from a changing market, products and processes."""
    return int(rng.poisson(turbulence))


def service_quality(problems_latent: float, problems_initial: float) -> float:
    """Quality of service processes in [0.4, 1]: lower with more unfixed problems."""
    return float(np.clip(1.0 - 0.4 * problems_latent / max(problems_initial, 1.0), 0.4, 1.0))


def safety_climate(
    dial: float, manager_supportive: np.ndarray, voice_efficacy: float
) -> np.ndarray:
    """The climate each person's felt safety drifts towards."""
    return np.clip(0.6 * dial + 0.25 * manager_supportive + 0.15 * voice_efficacy, 0.0, 1.0)


def socialise(
    trait: np.ndarray, norm: np.ndarray, strength: float, tenure: np.ndarray
) -> np.ndarray:
    """Move a culture trait towards the local norm; newcomers are the most malleable."""
    rate = strength * (0.05 + 0.15 * np.exp(-tenure / 26.0))
    return np.clip(trait + rate * (norm - trait), 0.0, 1.0)


def unit_means(values: np.ndarray, unit: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted mean of ``values`` within each unit, broadcast back to every member."""
    k = int(unit.max()) + 1 if unit.size else 0
    num = np.bincount(unit, weights=values * weight, minlength=k)
    den = np.bincount(unit, weights=weight, minlength=k)
    means = np.where(den > 0, num / np.maximum(den, 1e-12), 0.0)
    return means[unit]


def voice_efficacy(previous: float, fixed: int, queue_before: float) -> float:
    """Recent share of reported problems that got fixed (is speaking up worth it?)."""
    if queue_before <= 0:
        return previous
    return 0.9 * previous + 0.1 * min(1.0, 3.0 * fixed / queue_before)


def orientation_norm(
    unit_mean: np.ndarray, manager_orientation: np.ndarray, organisation_norm: float
) -> np.ndarray:
    """The customer-orientation norm a person is socialised towards: team, leader, organisation."""
    return 0.5 * unit_mean + 0.3 * manager_orientation + 0.2 * organisation_norm
