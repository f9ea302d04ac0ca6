"""Output columns: one row per week, one pure function of state per column where possible.

``COLUMNS`` documents every column of ``OrgModel.run()``; the ODD refers to this table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import crm_records, economics, escalation, playbook
from sim.state import State

if TYPE_CHECKING:
    from sim.processes.week import Week

COLUMNS: dict[str, str] = {
    "adoption_rate": "share of active front-line staff who log most interactions (usage >= 0.5)",
    "usage_mean": "mean CRM usage of active front-line staff",
    "data_quality": "mean completeness/freshness of active customers' records, net of duplicates",
    "decision_latency_days": "mean days from an issue to its decision, for decisions this week",
    "first_contact_resolution": "share of this week's new issues resolved at first contact",
    "escalations": "issues escalated above the handler this week",
    "decisions_queued": "escalated decisions waiting in managers' queues at the end of the week "
    "(carried into next week: arrivals beyond what the managers could clear)",
    "managers_overloaded": "positions whose queue this week (backlog carried in plus new "
    "escalations) exceeded what they clear in a week, so a backlog carries over",
    "satisfaction_mean": "mean satisfaction of active customers",
    "dissatisfied_share": "share of active customers below the dissatisfaction line "
    "(customers.unhappy_line)",
    "customers_active": "customers with us at the end of the week",
    "churn_rate": "churned this week / active at the start of the week",
    "churned_total": "customers lost so far",
    "churned_silent_total": "customers lost so far who never complained",
    "complaints_total": "complaints received so far (what management sees)",
    "upsell_to_angry_total": "sales calls so far to customers angry about an issue sales missed",
    "acquired_total": "customers won so far",
    "morale_mean": "mean morale of people in post",
    "psych_safety_mean": "mean felt psychological safety of people in post",
    "employees_active": "positions filled at the end of the week",
    "quits_total": "people who have quit so far",
    "front_line_quits_total": "front-line people who have quit so far",
    "front_line_active": "front-line positions filled (measured before this week's quits)",
    "problems_reported_total": "distinct problems reported so far",
    "problems_fixed_total": "problems fixed so far",
    "problems_unreported": "problems that exist but nobody has reported (management cannot see)",
    "service_quality": "quality of service processes (1 - share of unfixed problems x 0.4)",
    "playbook_knowledge": "share of the playbook (March's code) that matches what works now",
    "practice_knowledge_mean": "mean share of front-line practice that matches what works now",
    "revenue": "recurring revenue booked this week",
    "cost": "all costs this week (goods, staff, hiring, CRM, programme)",
    "net_benefit_total": "cumulative revenue - cost",
    "investment_total": "cumulative CRM and change-programme spend",
    "roi": "(net benefit - counterfactual net benefit) / (investment - counterfactual's), "
    "cumulative: the return on the CRM and its programme; NaN without one",
}

#: Unit of every column of :data:`COLUMNS` (stored with each column in a sweep's Parquet files).
UNITS: dict[str, str] = {
    "adoption_rate": "share (0-1)",
    "usage_mean": "usage (0-1)",
    "data_quality": "quality (0-1)",
    "decision_latency_days": "days",
    "first_contact_resolution": "share (0-1)",
    "escalations": "issues per week",
    "decisions_queued": "decisions",
    "managers_overloaded": "positions",
    "satisfaction_mean": "satisfaction (0-1)",
    "dissatisfied_share": "share (0-1)",
    "customers_active": "customers",
    "churn_rate": "share per week",
    "churned_total": "customers",
    "churned_silent_total": "customers",
    "complaints_total": "complaints",
    "upsell_to_angry_total": "sales calls",
    "acquired_total": "customers",
    "morale_mean": "morale (0-1)",
    "psych_safety_mean": "safety (0-1)",
    "employees_active": "positions",
    "quits_total": "people",
    "front_line_quits_total": "people",
    "front_line_active": "positions",
    "problems_reported_total": "problems",
    "problems_fixed_total": "problems",
    "problems_unreported": "problems (expected, fractional)",
    "service_quality": "quality (0-1)",
    "playbook_knowledge": "share (0-1)",
    "practice_knowledge_mean": "share (0-1)",
    "revenue": "currency per week",
    "cost": "currency per week",
    "net_benefit_total": "currency",
    "investment_total": "currency",
    "roi": "ratio",
}

#: Columns of :data:`COLUMNS` that count things: always whole numbers (stored as integers in a
#: sweep's weekly table). ``tests/test_sweep_experiment_file.py`` checks every preset.
COUNTS: tuple[str, ...] = (
    "escalations",
    "managers_overloaded",
    "customers_active",
    "churned_total",
    "churned_silent_total",
    "complaints_total",
    "upsell_to_angry_total",
    "acquired_total",
    "employees_active",
    "quits_total",
    "front_line_quits_total",
    "front_line_active",
    "problems_reported_total",
    "problems_fixed_total",
)

#: The only columns that may be NaN, and when (never infinite; every other column is always
#: finite). ``tests/test_outputs_finite.py`` runs every preset and the edge cases against this.
NAN_WHEN: dict[str, str] = {
    "roi": "less than economics.MIN_SPEND (1 currency unit) spent on the CRM and its programme "
    "so far beyond the twin's spend (no CRM or programme, before go-live, zero costs), or no "
    "counterfactual twin (counterfactual=False)",
    "decision_latency_days": "no decision this week",
    "first_contact_resolution": "no new issue this week",
    "satisfaction_mean": "no active customer",
    "morale_mean": "nobody in post",
    "psych_safety_mean": "nobody in post",
    "practice_knowledge_mean": "nobody in a front-line post",
}


def front_active(state: State) -> np.ndarray:
    """Mask of filled front-line positions."""
    return state.emp.front & state.emp.filled


def _share(mask: np.ndarray) -> float:
    # count / size is what ``mask.mean()`` computes, without numpy's Python-level mean wrapper
    return np.count_nonzero(mask) / mask.shape[0]


def adoption_rate(state: State, front_active_mask: np.ndarray | None = None) -> float:
    """Share of active front-line staff who use the CRM for most interactions."""
    m = front_active(state) if front_active_mask is None else front_active_mask
    return _share(state.emp.usage[m] >= 0.5) if m.any() else 0.0


def usage_mean(state: State, front_active_mask: np.ndarray | None = None) -> float:
    """Mean usage intensity of active front-line staff."""
    m = front_active(state) if front_active_mask is None else front_active_mask
    return float(state.emp.usage[m].mean()) if m.any() else 0.0


def satisfaction_summary(state: State, line: float) -> tuple[float, float]:
    """Mean satisfaction of active customers and the share of them below ``line``.

    ``(nan, 0.0)`` with no active customer.
    """
    a = state.cust.active
    if not a.any():
        return float("nan"), 0.0
    sat = state.cust.satisfaction[a]
    return float(sat.mean()), _share(sat < line)


def satisfaction_mean(state: State) -> float:
    """Mean satisfaction of active customers."""
    a = state.cust.active
    return float(state.cust.satisfaction[a].mean()) if a.any() else float("nan")


def dissatisfied_share(state: State, line: float) -> float:
    """Share of active customers below the dissatisfaction line (``customers.unhappy_line``)."""
    return satisfaction_summary(state, line)[1]


def morale_mean(state: State) -> float:
    """Mean morale of people in post."""
    f = state.emp.filled
    return float(state.emp.morale[f].mean()) if f.any() else float("nan")


def psych_safety_mean(state: State) -> float:
    """Mean felt psychological safety of people in post."""
    f = state.emp.filled
    return float(state.emp.safety[f].mean()) if f.any() else float("nan")


def practice_knowledge_mean(state: State, front_active_mask: np.ndarray) -> float:
    """Mean share of front-line practice that matches what works now (March's knowledge)."""
    if not front_active_mask.any():
        return float("nan")
    beliefs = state.emp.beliefs[front_active_mask]
    return np.count_nonzero(beliefs == state.org.reality[None, :]) / beliefs.size


def weekly_row(
    state: State,
    week: Week,
    totals: dict[str, float],
    cf_net: float | None,
    unhappy_line: float,
    cf_investment: float = 0.0,
) -> dict[str, float]:
    """One week's row of ``COLUMNS`` from the state after the week and the week's records.

    Args:
        state: The run's state after the week (``state.week`` already counts it).
        week: The records the week's processes handed on.
        totals: The run's running totals after the week.
        cf_net: The no-change twin's cumulative net benefit, or None without a twin.
        unhappy_line: The scenario's dissatisfaction line (``customers.unhappy_line``).
        cf_investment: The twin's cumulative spend: culture changes both runs make (the twin
            pays for the non-CRM interventions it shares), left out of ROI's denominator so ROI
            is the return on the CRM and its programme only.
    """
    t = totals
    e, c, org = state.emp, state.cust, state.org
    start, dec, cw = week.programme, week.decisions, week.customers
    front_now = e.front & e.filled  # after this week's quits and hires
    satisfaction, dissatisfied = satisfaction_summary(state, unhappy_line)
    return {
        "week": state.week,
        "adoption_rate": adoption_rate(state, front_now),
        "usage_mean": usage_mean(state, front_now),
        "data_quality": crm_records.data_quality(c.record, c.active, org.duplicate_share),
        "decision_latency_days": dec.latency_mean,
        "first_contact_resolution": dec.n_fcr / dec.n_new if dec.n_new else float("nan"),
        "escalations": float(dec.n_escalated),
        "decisions_queued": escalation.queue_summary(e.backlog)[0],
        "managers_overloaded": float(escalation.queue_summary(e.backlog)[1]),
        "satisfaction_mean": satisfaction,
        "dissatisfied_share": dissatisfied,
        "customers_active": float(np.count_nonzero(c.active)),
        "churn_rate": cw.churned / dec.active_start if dec.active_start else 0.0,
        "churned_total": t["churned"],
        "churned_silent_total": t["churned_silent"],
        "complaints_total": t["complaints"],
        "upsell_to_angry_total": t["upsell_to_angry"],
        "acquired_total": t["acquired"],
        "morale_mean": morale_mean(state),
        "psych_safety_mean": psych_safety_mean(state),
        "employees_active": float(np.count_nonzero(e.filled)),
        "quits_total": t["quits"],
        "front_line_quits_total": t["quits_front"],
        "front_line_active": float(np.count_nonzero(start.front_f)),
        "problems_reported_total": t["reported"],
        "problems_fixed_total": t["fixed"],
        "problems_unreported": max(org.problems_latent - org.problems_queue, 0.0),
        "service_quality": start.quality,
        "playbook_knowledge": playbook.code_knowledge(org.code, org.reality),
        "practice_knowledge_mean": practice_knowledge_mean(state, start.front_f),
        "revenue": week.accounts.revenue,
        "cost": week.accounts.cost,
        "net_benefit_total": t["net"],
        "investment_total": t["investment"],
        "roi": economics.roi(t["net"], cf_net, t["investment"] - cf_investment)
        if cf_net is not None
        else float("nan"),
    }
