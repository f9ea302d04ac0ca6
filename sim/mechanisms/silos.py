"""Silos and information sharing between units.

Seed 003: "service fails to tell sales about support issues, so upselling efforts fall completely
flat as sales people call customers who are actively angry at the company"; "marketing launches an
effort that succeeds spectacularly, but sales and operations are blindsided ... overwhelmed by
leads"; "they send over only data about hot leads ... Sales people may be prospecting as well,
duplicating contacts". Permeability between units is the ``information_sharing`` dial, helped by
direct collaboration ties and by the CRM itself when the issue was logged and the owner reads it.
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.sales import DEFAULT_SALES, Sales
from sim.mechanisms import incentives


def permeability(
    information_sharing: float,
    same_group: np.ndarray,
    tie: np.ndarray,
    cross_unit_share: float,
    *,
    p: Sales = DEFAULT_SALES,
) -> np.ndarray:
    """Chance that what one side knows about a customer reaches the other, without the CRM.

    People in the same team or circle mostly talk; across units it takes the sharing culture,
    and a direct collaboration tie (or a structure rich in cross-unit ties) helps it through.
    """
    structure = min(cross_unit_share / p.cross_unit_reference, 1)
    across = information_sharing * np.where(
        tie, p.perm_tie, p.perm_across + p.perm_structure * structure
    )
    return np.where(
        same_group, p.perm_same_group + p.perm_same_group_sharing * information_sharing, across
    )


def knows_probability(
    perm: np.ndarray, logged: np.ndarray, record: np.ndarray, owner_usage: np.ndarray
) -> np.ndarray:
    """Chance the account owner knows about an angry customer before calling.

    Word of mouth across the silo (``perm``), or the CRM when the issue was logged, the record is
    complete and the owner reads it.
    """
    via_crm = logged * record * owner_usage
    return 1.0 - (1.0 - perm) * (1.0 - via_crm)


def campaign(
    n_marketing: int, information_sharing: float, *, rng, p: Sales = DEFAULT_SALES
) -> tuple[float, bool]:
    """A marketing campaign this week: (lead boost to acquisition, announced to sales?).

    Unannounced campaigns still bring leads, but they land on sales as a workload spike.
    """
    fires = rng.random() < p.campaign_rate
    announced = rng.random() < information_sharing
    if not fires or n_marketing == 0:
        return 0.0, True
    return p.campaign_boost, bool(announced)


def duplicate_growth(
    information_sharing: float,
    sales_usage: float,
    campaign_fired: bool,
    *,
    p: Sales = DEFAULT_SALES,
) -> float:
    """Share of contacts duplicated by a campaign when marketing hoards its lists."""
    if not campaign_fired:
        return 0.0
    return p.duplicate_growth * (1.0 - information_sharing) * (1.0 - sales_usage)


def facts_at_hand(
    usage: np.ndarray, record: np.ndarray, perm: np.ndarray, *, other_unit: float
) -> np.ndarray:
    """Chance the facts on a customer are at hand: in the CRM, or asked of the other unit.

    ``other_unit`` is the chance asking gets them when what that unit knows gets through
    (``decisions.other_unit_facts``).
    """
    return 1.0 - (1.0 - usage * record) * (1.0 - other_unit * perm)


def care_gain(orientation: np.ndarray, *, p: Sales = DEFAULT_SALES) -> np.ndarray:
    """Satisfaction from an informed call to an unhappy customer (account care): the owner
    follows the open issue up, the more so the more customer-oriented
    (``incentives.orientation_factor``)."""
    return p.care_gain * incentives.orientation_factor(orientation, p=p)


def upsell_probability(
    satisfaction: np.ndarray,
    orientation: np.ndarray,
    usage: np.ndarray,
    record: np.ndarray,
    data_use: float,
    *,
    p: Sales = DEFAULT_SALES,
) -> np.ndarray:
    """Chance a happy customer buys more; CRM insight (record x usage x data use) helps."""
    insight = 1.0 + usage * record * data_use
    return (
        p.upsell_chance
        * satisfaction
        * (p.upsell_base + p.upsell_orientation_weight * orientation)
        * insight
    )


def next_duplicate_share(
    share: float,
    information_sharing: float,
    sales_usage: float,
    campaign_fired: bool,
    *,
    p: Sales = DEFAULT_SALES,
) -> float:
    """Duplicates: grown by hoarded lists, cleaned by sales people who use the CRM.

    Seed 003: marketing "send[s] over only data about hot leads ... Sales people may be
    prospecting as well, duplicating contacts": every week sales prospects what marketing kept
    (``duplicate_prospecting`` times the hoarded share), and a campaign's hoarded list adds more.
    """
    grown = share * (1 - p.duplicate_cleaning * sales_usage)
    grown += duplicate_growth(information_sharing, sales_usage, campaign_fired, p=p)
    grown += p.duplicate_prospecting * (1.0 - information_sharing) * (1.0 - sales_usage)
    return float(np.clip(grown, 0.0, p.duplicate_cap))


def usable_record(
    record: np.ndarray, duplicate_share: float, *, p: Sales = DEFAULT_SALES
) -> np.ndarray:
    """Share of a record's facts found where one looks: duplicates split what was logged.

    A contact logged twice keeps half its history on the copy nobody opened, so the CRM is less
    useful to service and sales in proportion to the duplicated share.
    """
    return record * (1.0 - p.duplicate_record_loss * duplicate_share)


def next_lead_flood(flood: float, unannounced: bool, *, p: Sales = DEFAULT_SALES) -> float:
    """Sales workload still owed to unannounced campaigns' leads (seed 003: "blindsided ...
    overwhelmed by leads"): each one lands ``spike_workload`` on every sales person, worked off
    at ``flood_clear_rate`` a week."""
    return flood * (1.0 - p.flood_clear_rate) + (p.spike_workload if unannounced else 0.0)
