"""Practitioner ranges of an organisation's levels: one definition for calibration and report.

The ranges are the calibration targets of docs/ODD.md section 7 (sources in 7.1, the measured
``command_and_control`` preset in 7.2). ``tests/test_calibration.py`` checks the preset against
them and ``sim.report`` compares the current design with them, so both read this table and
neither repeats a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PractitionerRange:
    """A level practitioners report for a typical organisation.

    Attributes:
        key: the outcome (a headline column, or ``adoption_week52``: CRM adoption at week 52).
        label: plain words for the report.
        low: lowest typical value.
        high: highest typical value.
        source: where the range comes from (docs/ODD.md 7.1).
    """

    key: str
    label: str
    low: float
    high: float
    source: str


#: Week at which CRM adoption is compared with its range (a year after the start).
ADOPTION_WEEK = 52

PRACTITIONER_RANGES: tuple[PractitionerRange, ...] = (
    PractitionerRange(
        "annual_churn",
        "Annual customer churn",
        0.10,
        0.30,
        "B2B/B2C churn benchmarks (Recurly, ProfitWell 2019-2022; Reichheld & Sasser 1990)",
    ),
    PractitionerRange(
        "annual_staff_turnover",
        "Front-line staff turnover (a year)",
        0.20,
        0.50,
        "contact-centre and inside-sales attrition surveys (SQM; BLS JOLTS)",
    ),
    PractitionerRange(
        "adoption_week52",
        f"CRM adoption at week {ADOPTION_WEEK}",
        0.25,
        0.60,
        "CRM failure and adoption estimates (Gartner, Forrester, CSO Insights)",
    ),
    PractitionerRange(
        "first_contact_resolution",
        "Issues settled at first contact",
        0.60,
        0.80,
        "SQM Group first-contact resolution benchmark",
    ),
    PractitionerRange(
        "silent_churn_share",
        "Share of lost customers who never complained",
        0.80,
        1.00,
        "TARP / U.S. Office of Consumer Affairs (Goodman 1999), contested (ODD 8.B)",
    ),
)


def adoption_at_week(weekly: pd.DataFrame, week: int = ADOPTION_WEEK) -> pd.Series:
    """CRM adoption at ``week`` per run (indexed as the runs' rows at that week; NaN if the run
    is shorter)."""
    return weekly[weekly["week"] == week]["adoption_rate"]


def outside(value: float, r: PractitionerRange) -> bool:
    """True when a finite ``value`` lies outside the range (NaN: not judged)."""
    return bool(np.isfinite(value) and not (r.low <= value <= r.high))


__all__ = [
    "ADOPTION_WEEK",
    "PRACTITIONER_RANGES",
    "PractitionerRange",
    "adoption_at_week",
    "outside",
]
