"""Incentives and the customer lifecycle.

Seed 003 ("The drive to close new customers long has been what gets the kudos and the bonuses.
However, the reality is that profit comes not from that first closed deal but in renewals, upsells
and cross-sells"). Sales effort is split between hunting new accounts and caring for existing ones;
acquisition-only bonuses pull effort away from the accounts that hold the profit. Effort
allocation under multi-task incentives follows Holmstrom & Milgrom (1991).
"""

from __future__ import annotations

import numpy as np

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


def owner_care(
    care_effort: float,
    orientation: np.ndarray,
    overload: np.ndarray,
    *,
    p: Sales = DEFAULT_SALES,
) -> np.ndarray:
    """Each account owner's account-care behaviour (per position), in [0, 1].

    The incentive split sets the effort the organisation asks for; the owner's customer
    orientation decides how much of it turns into care (calls, follow-up of open issues),
    ``care_orientation_weight`` per unit of orientation around ``care_orientation_centre``; and an
    overloaded owner (workload over the norm, e.g. a lead flood nobody announced) drops care
    first, ``1 / (1 + overload_care_loss * overload)``. With the weight at 0 orientation acts on
    no customer through care (the knock-out of tests/test_silos_channels.py).
    """
    by_orientation = orientation_factor(orientation, p=p)
    return np.clip(care_effort * by_orientation / (1.0 + p.overload_care_loss * overload), 0.0, 1.0)


def orientation_factor(orientation: np.ndarray, *, p: Sales = DEFAULT_SALES) -> np.ndarray:
    """How much of the asked-for care an owner of this customer orientation gives (1 at the
    centre): ``max(1 + care_orientation_weight * (orientation - care_orientation_centre), 0)``."""
    return np.maximum(
        1.0 + p.care_orientation_weight * (np.asarray(orientation) - p.care_orientation_centre),
        0.0,
    )
