"""Customer experience, complaints and silent churn.

Seeds 001 ("In many cases, the customer will not express their dissatisfaction ... In this way, a
possible churn is never recognized") and 003 ("One bad experience with an employee will undo all
you've built"). Satisfaction follows experienced quality and waiting (expectation-confirmation,
Oliver 1980); churn hazard rises as satisfaction falls; customers may complain across the same
range, but only a minority do and fewer where complaining has not been seen to work, so
complaints - management's view - understate churn risk (docs/ODD.md, customers submodel).
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.customers import DEFAULT_CUSTOMERS, CustomerCoefficients
from sim.rng import poisson_from_uniform


def weekly_hazard(annual_rate: float) -> float:
    """Weekly probability equivalent to an annual rate of leaving (constant hazard)."""
    return (
        float(-np.log1p(-min(annual_rate, 0.999)) / 52.0) if annual_rate < 1 else annual_rate / 52
    )


def beta23_quantile(u: np.ndarray) -> np.ndarray:
    """Quantile function of Beta(2, 3): the severity whose CDF is ``u``.

    The CDF is the quartic ``6x^2 - 8x^3 + 3x^4``; Newton's method from its tail approximations
    (``6x^2`` below the mode, ``1 - 4(1 - x)^3`` above) reaches machine precision in five steps
    (tested against ``scipy.special.betaincinv``, which is five times slower here).
    """
    u = np.asarray(u, dtype=float)
    x = np.where(u < 0.4074, np.sqrt(u / 6.0), 1.0 - np.cbrt((1.0 - u) / 4.0))
    for _ in range(5):
        cdf = x * x * (6.0 - x * (8.0 - 3.0 * x))
        pdf = 12.0 * x * (1.0 - x) ** 2
        x = np.clip(x - (cdf - u) / np.maximum(pdf, 1e-300), 1e-12, 1.0 - 1e-12)
    return x


def new_issues(
    active: np.ndarray, issue_open: np.ndarray, rate: float, decision_share: float, *, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Which customers raise an issue this week, and the severity of the decision each needs.

    Severity 0 means an information request the handler can settle if they have the facts; the
    others need a decision of Beta(2, 3) severity (most small, a few large). Every slot takes
    three uniforms each week (issue, decision, severity), whatever happens, so paired runs keep
    drawing the same numbers for the same customer; the severity uniform is turned into a Beta
    draw by its quantile function only for the few customers who need a decision.
    """
    m = active.shape[0]
    u = rng.random((m, 3))
    new = active & ~issue_open & (u[:, 0] < rate)
    decide = np.flatnonzero(new & (u[:, 1] < decision_share))
    sev = np.zeros(m)
    sev[decide] = np.maximum(beta23_quantile(u[decide, 2]), 1e-6)
    return new, sev


def satisfaction_target(
    service_quality: float,
    care: np.ndarray | float,
    expectation: np.ndarray,
    *,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Satisfaction a customer settles at when nothing goes wrong, net of their expectations.

    ``care`` is the account owner's care behaviour (``incentives.owner_care``: the incentive
    effort as the owner's customer orientation turns it into calls and follow-up); orientation
    has no term of its own.
    """
    base = p.target_base + p.target_quality_weight * service_quality + p.target_care_weight * care
    return np.clip(base - expectation, 0, 1)


def update_satisfaction(
    satisfaction: np.ndarray,
    target: np.ndarray,
    delta: np.ndarray,
    *,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Drift towards the target plus this week's experiences (``delta``), clipped to [0, 1]."""
    return np.clip(satisfaction + p.satisfaction_drift * (target - satisfaction) + delta, 0.0, 1.0)


def churn(
    active: np.ndarray,
    satisfaction: np.ndarray,
    base_annual: float,
    dissatisfied_annual: float,
    *,
    rng,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Who leaves this week: a base hazard plus one that grows as satisfaction falls
    (:func:`churn_hazard`)."""
    u = rng.random(active.shape[0])
    return active & (u < churn_hazard(satisfaction, base_annual, dissatisfied_annual, p=p))


def churn_hazard(
    satisfaction: np.ndarray,
    base_annual: float,
    dissatisfied_annual: float,
    *,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Each customer's chance of leaving this week at ``satisfaction``.

    The weekly equivalent of ``base_annual`` (moves, mergers) plus ``dissatisfied_annual / 52``
    times the squared satisfaction gap below ``p.churn_pivot`` (0 at the pivot, 1 at the bottom
    of the scale); docs/ODD.md 6.9. The burn-in reads it as the expected churn of a customer
    week (``OrgModel._rest_book``).
    """
    gap = np.clip((p.churn_pivot - satisfaction) / p.churn_pivot, 0.0, 1.0)
    return weekly_hazard(base_annual) + dissatisfied_annual / 52.0 * gap**2


def voice(responsiveness: float, *, p: CustomerCoefficients = DEFAULT_CUSTOMERS) -> float:
    """Willingness to complain: customers speak up where complaining has been seen to work.

    ``p.voice_base`` of it whatever the organisation does, plus ``p.voice_listening_weight``
    times its responsiveness (complaints recovered are what customers learn from).
    """
    return p.voice_base + p.voice_listening_weight * responsiveness


def complaint_probability(
    satisfaction: np.ndarray,
    waiting: np.ndarray,
    propensity: float,
    willingness: float,
    *,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Chance per week each customer complains.

    Over the whole range where churn risk rises (below ``p.churn_pivot``), in proportion to the
    same satisfaction gap churn uses; ``propensity`` is the chance at the bottom of the scale,
    times the organisation's ``willingness`` (:func:`voice`) and ``1 + p.complaint_waiting_weight``
    for a customer whose issue is still waiting.
    """
    gap = np.clip((p.churn_pivot - satisfaction) / p.churn_pivot, 0.0, 1.0)
    boost = 1.0 + p.complaint_waiting_weight * waiting
    return np.clip(propensity * willingness * gap * boost, 0.0, 1.0)


def complaints(
    active: np.ndarray,
    satisfaction: np.ndarray,
    propensity: float,
    *,
    rng,
    waiting: np.ndarray | None = None,
    willingness: float = 1.0,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Who complains this week (:func:`complaint_probability`); one uniform per slot."""
    u = rng.random(active.shape[0])
    w = np.zeros(active.shape[0], dtype=bool) if waiting is None else waiting
    return active & (u < complaint_probability(satisfaction, w, propensity, willingness, p=p))


def retention_contacts(
    active: np.ndarray,
    satisfaction: np.ndarray,
    record: np.ndarray,
    owner_usage: np.ndarray,
    data_use: float,
    *,
    rng,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Customers at risk whom CRM data singles out for a retention call this week.

    Targeting needs the risk to be in the data (record), the owner to look (usage) and the
    organisation to act on its data (``data_use``); only customers below ``p.churn_pivot``
    are at risk. One uniform per slot whatever happens.
    """
    u = rng.random(active.shape[0])
    chance = p.retention_rate * data_use * owner_usage * record
    return active & (satisfaction < p.churn_pivot) & (u < chance)


def repeat_contact_cost(
    satisfaction: np.ndarray, *, p: CustomerCoefficients = DEFAULT_CUSTOMERS
) -> np.ndarray:
    """Satisfaction lost when an issue is not settled at first contact (a repeat contact)."""
    return p.repeat_contact_cost * satisfaction


def acquisitions(n_sales: int, rate: float, effort: float, lead_boost: float, *, rng) -> int:
    """New customers won this week (Poisson in sales capacity and acquisition effort).

    One uniform a week whatever the rate (``sim.rng.poisson_from_uniform``): numpy's Poisson
    sampler takes a rate-dependent number of uniforms, which put paired designs off common random
    numbers from the first week their sales capacity or effort differed.
    """
    return poisson_from_uniform(rng.random(), acquisition_mean(n_sales, rate, effort, lead_boost))


def acquisition_mean(n_sales: int, rate: float, effort: float, lead_boost: float) -> float:
    """Expected customers won this week: ``rate x sales people x effort x (1 + lead boost)``.

    The Poisson mean of :func:`acquisitions` (docs/ODD.md 6.9); the burn-in balances the
    book with it (``OrgModel._burn_in``).
    """
    return max(rate * n_sales * effort * (1.0 + lead_boost), 0.0)


def wait_a_week(
    waiting: np.ndarray,
    days_left: np.ndarray,
    days: np.ndarray,
    severity: np.ndarray,
    *,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A week passes for the open issues: (satisfaction delta, days_left, days, resolved)."""
    waited = np.minimum(days_left, 7.0)
    delta = -np.where(
        waiting,
        p.wait_cost_per_day * np.maximum(waited - p.wait_grace_days, 0.0) * (1 + severity),
        0,
    )
    days = np.where(waiting, days + waited, days)
    days_left = np.where(waiting, days_left - 7.0, days_left)
    resolved = waiting & (days_left <= 0)
    delta = delta + np.where(resolved, p.resolved_gain, 0.0)
    return delta, days_left, days, resolved


def complaint_response(
    complained: np.ndarray,
    responsiveness: float,
    *,
    rng: np.random.Generator,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> np.ndarray:
    """Satisfaction change from this week's complaints (recovered with p = responsiveness)."""
    recovered = complained & (rng.random(complained.shape[0]) < responsiveness)
    return np.where(recovered, p.recovery_gain, 0.0) - np.where(
        complained & ~recovered, p.unrecovered_loss, 0
    )
