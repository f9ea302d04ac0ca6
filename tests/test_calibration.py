"""Calibration of ``command_and_control`` at its default size against practitioner ranges.

Each check is that the 95% Student-t confidence interval of the mean over 8 replicates lies inside
the published range (``sim.practitioner.PRACTITIONER_RANGES``, the one definition the report's
"Compared with practitioner ranges" check reads too; sources in docs/ODD.md, section 7.1):
annual customer churn, front-line annual staff turnover, CRM adoption at week 52, first-contact
resolution and the share of churners who never complained.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.experiment import headlines_table, mean_ci, run_replicates
from sim.practitioner import ADOPTION_WEEK, PRACTITIONER_RANGES, PractitionerRange, adoption_at_week

#: Every test reads the module fixture's one batch of runs: one xdist group (``--dist loadgroup``
#: in pyproject's addopts), so the batch is run on one worker, not on each.
pytestmark = pytest.mark.xdist_group("calibration_ranges")


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    s = sim.load_scenario("command_and_control")
    # no no-change twins: only roi reads them and no range is on roi
    weekly = run_replicates({"cc": s}, replicates=8, root_seed=2026, counterfactual=False)
    heads = headlines_table(weekly)
    heads[f"adoption_week{ADOPTION_WEEK}"] = adoption_at_week(weekly).to_numpy()
    return heads


@pytest.mark.parametrize("target", PRACTITIONER_RANGES, ids=lambda r: r.key)
def test_command_and_control_in_practitioner_range(
    runs: pd.DataFrame, target: PractitionerRange
) -> None:
    mean, ci_lo, ci_hi = mean_ci(runs[target.key])
    assert target.low <= ci_lo and ci_hi <= target.high, (
        f"{target.key}: {mean:.3f} [{ci_lo:.3f}, {ci_hi:.3f}]"
    )
