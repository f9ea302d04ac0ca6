"""Calibration of ``command_and_control`` at its default size against practitioner ranges.

Each check is that the 95% Student-t confidence interval of the mean over 8 replicates lies inside
the published range (sources in docs/ODD.md, section 7.1):
- annual customer churn 10-30%;
- front-line annual staff turnover 20-50%;
- CRM adoption at week 52 between 25% and 60%;
- first-contact resolution 60-80%;
- at least 80% of churners never complained.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.experiment import headlines_table, mean_ci, run_replicates


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    s = sim.load_scenario("command_and_control")
    weekly = run_replicates({"cc": s}, replicates=8, root_seed=2026)
    heads = headlines_table(weekly)
    heads["adoption_week52"] = weekly[weekly["week"] == 52]["adoption_rate"].to_numpy()
    return heads


@pytest.mark.parametrize(
    ("outcome", "lo", "hi"),
    [
        ("annual_churn", 0.10, 0.30),
        ("annual_staff_turnover", 0.20, 0.50),
        ("adoption_week52", 0.25, 0.60),
        ("first_contact_resolution", 0.60, 0.80),
        ("silent_churn_share", 0.80, 1.00),
    ],
)
def test_command_and_control_in_practitioner_range(
    runs: pd.DataFrame, outcome: str, lo: float, hi: float
) -> None:
    mean, ci_lo, ci_hi = mean_ci(runs[outcome])
    assert lo <= ci_lo and ci_hi <= hi, f"{outcome}: {mean:.3f} [{ci_lo:.3f}, {ci_hi:.3f}]"
