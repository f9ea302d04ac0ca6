"""Incentives and the customer lifecycle.

Seed 003 ("The drive to close new customers long has been what gets the kudos and the bonuses.
However, the reality is that profit comes not from that first closed deal but in renewals, upsells
and cross-sells"). Sales effort is split between hunting new accounts and caring for existing ones;
acquisition-only bonuses pull effort away from the accounts that hold the profit. Effort
allocation under multi-task incentives follows Holmstrom & Milgrom (1991).
"""

from __future__ import annotations

from sim.coefficients.sales import DEFAULT_SALES, Sales


def effort_split(incentive_alignment: float, *, p: Sales = DEFAULT_SALES) -> tuple[float, float]:
    """(acquisition effort, account-care effort), each in [0, 1].

    At 0 (acquisition-only bonuses) sales spends almost all effort hunting; at 1 (whole-lifecycle
    rewards) effort shifts to renewals, upsell and service follow-up while hunting continues.
    """
    a = min(max(incentive_alignment, 0.0), 1.0)
    return 1.0 - p.hunting_shift * a, p.care_effort_base + p.care_effort_weight * a


def crm_incentive(incentive_alignment: float) -> float:
    """Pull towards logging in the CRM: lifecycle rewards are measured on the customer record."""
    return min(max(incentive_alignment, 0.0), 1.0)
