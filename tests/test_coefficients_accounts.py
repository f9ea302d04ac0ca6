"""The accounts coefficients (sim/coefficients/accounts.py) are wired into the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.coefficients.accounts import AccountCoefficients
from sim.mechanisms import economics
from sim.scenario import ScenarioError


def test_staff_cost_reads_the_salary_factor() -> None:
    filled, front = np.array([True, True]), np.array([True, False])
    assert economics.weekly_staff_cost(filled, front, 52.0) == pytest.approx(2.6)
    p = AccountCoefficients(manager_salary_factor=3.0)
    assert economics.weekly_staff_cost(filled, front, 52.0, p=p) == pytest.approx(4.0)


def test_scenario_value_changes_the_cost_only() -> None:
    s = sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 1000, "horizon_weeks": 6}
    )
    base = sim.OrgModel(s, rng=2).run()
    dear = sim.OrgModel(s.with_overrides({"economics.manager_salary_factor": 2.5}), rng=2).run()
    assert (dear["cost"] > base["cost"]).all()
    pd.testing.assert_series_equal(dear["revenue"], base["revenue"])
    with pytest.raises(ScenarioError, match=r"economics\.manager_salary_factor"):
        s.with_overrides({"economics.manager_salary_factor": -1.0})
