"""The decisions coefficients (sim/coefficients/decisions.py) are wired into the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.coefficients.decisions import Decisions
from sim.mechanisms import escalation, playbook, silos
from sim.scenario import ScenarioError


@pytest.fixture(scope="module")
def tiny() -> sim.Scenario:
    return sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 1000, "horizon_weeks": 12}
    )


def test_formulas_read_the_coefficients() -> None:
    skill, know, facts = np.full(2, 0.5), np.ones(2), np.array([0.0, 1.0])
    base = escalation.first_contact_probability(skill, know, 0.8, facts)
    low = escalation.first_contact_probability(
        skill, know, 0.8, facts, p=Decisions(fcr_base=0.2, fcr_facts_weight=0.4)
    )
    np.testing.assert_allclose(low - base, [-0.25, -0.05])
    assert escalation.effective_authority(np.zeros(1), 1.0, p=Decisions(rights_reach=0.5))[0] == 0.5
    cap = escalation.manager_capacity(
        10.0, np.array([True, False]), p=Decisions(vacant_manager_capacity=0.2)
    )
    np.testing.assert_allclose(cap, [10.0, 2.0])
    assert silos.facts_at_hand(np.zeros(1), np.zeros(1), np.ones(1), other_unit=0.9)[0] == 0.9
    assert playbook.knowhow(np.ones(1), base=0.1, weight=0.2)[0] == pytest.approx(0.3)


def test_scenario_values_change_the_run(tiny: sim.Scenario) -> None:
    base = sim.OrgModel(tiny, rng=3).run()
    more = sim.OrgModel(tiny.with_overrides({"decisions.decision_share": 0.8}), rng=3).run()
    assert more["escalations"].sum() > base["escalations"].sum()
    slow = sim.OrgModel(tiny.with_overrides({"decisions.callback_days": 10.0}), rng=3).run()
    assert not slow["satisfaction_mean"].equals(base["satisfaction_mean"])
    edge = sim.OrgModel(tiny.with_overrides({"decisions.edge_decision_days": 3.0}), rng=3).run()
    assert edge["decision_latency_days"].mean() > base["decision_latency_days"].mean()
    # the defaults are the model's own values: setting them changes nothing
    same = sim.OrgModel(tiny.with_overrides({"decisions.fcr_base": 0.45}), rng=3).run()
    pd.testing.assert_frame_equal(same, base)


@pytest.mark.parametrize(
    "key, value",
    [
        ("decisions.decision_share", 1.5),
        ("decisions.max_wait_days", 0.0),
        ("decisions.fcr_base", -0.1),
    ],
)
def test_out_of_range_values_are_refused(tiny: sim.Scenario, key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        tiny.with_overrides({key: value})
