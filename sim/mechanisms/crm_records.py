"""The CRM as shared information: logging, record decay and a network externality.

Seeds 003 ("Dead-End Processes": data "collected ... only to sit unread") and 004 ("CRM software
can provide important information to both management and frontline staff"). Each interaction is
logged with the handler's usage probability; records go stale without new logging; the value a
person sees in the CRM grows with how much others log (a network externality, Katz & Shapiro 1985)
and with whether the data is actually used.
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.adoption import DEFAULT_ADOPTION, Adoption
from sim.coefficients.customers import DEFAULT_CUSTOMERS, CustomerCoefficients


def decay(record: np.ndarray, *, p: CustomerCoefficients = DEFAULT_CUSTOMERS) -> np.ndarray:
    """A week passes: records lose freshness unless something new is logged."""
    return record * (1.0 - p.record_stale_rate)


def log_interactions(
    record: np.ndarray,
    touched: np.ndarray,
    usage_of_toucher: np.ndarray,
    *,
    rng,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> tuple[np.ndarray, np.ndarray]:
    """Log each interaction with the toucher's usage probability.

    Returns the new records and the boolean array of logged interactions.
    """
    logged = touched & (rng.random(record.shape[0]) < usage_of_toucher)
    return np.where(logged, record + p.log_gain * (1.0 - record), record), logged


def log_interactions_at(
    record: np.ndarray,
    touched: np.ndarray,
    usage_of_toucher: np.ndarray,
    *,
    rng,
    p: CustomerCoefficients = DEFAULT_CUSTOMERS,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`log_interactions` for the customers at indices ``touched`` only.

    Draws one uniform per customer slot, as :func:`log_interactions` does, so both consume the
    random stream alike; updates ``record`` in place and returns it with the boolean array of
    logged interactions (aligned with ``touched``).
    """
    logged = rng.random(record.shape[0])[touched] < usage_of_toucher
    hit = touched[logged]
    record[hit] = record[hit] + p.log_gain * (1.0 - record[hit])
    return record, logged


def data_quality(record: np.ndarray, active: np.ndarray, duplicate_share: float) -> float:
    """Completeness and freshness of active customers' records, net of duplicated contacts."""
    if not active.any():
        return 0.0
    return float(record[active].mean() * (1.0 - duplicate_share))


def effective_data_use(
    data_use: float, executive_commitment: float, *, p: Adoption = DEFAULT_ADOPTION
) -> float:
    """Committed leaders run the business on CRM data, so less of it is dead-end."""
    return data_use + (1.0 - data_use) * p.data_use_commitment * executive_commitment


def perceived_usefulness(
    tool_quality: float,
    org_usage: float,
    own_records: np.ndarray,
    data_use: float,
    vision: float,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Usefulness each person sees: the tool, what others put in, and whether it is used."""
    network = p.network_org * org_usage + p.network_own * own_records
    return np.clip(
        tool_quality
        * (p.useful_base + p.useful_network * network)
        * (p.useful_data_base + p.useful_data_weight * data_use)
        + p.useful_vision * vision,
        0,
        1,
    )
