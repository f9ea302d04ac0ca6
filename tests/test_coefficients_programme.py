"""The change-programme coefficients (sim/coefficients/programme.py) are wired into the model."""

from __future__ import annotations

import pytest

import sim
from sim.coefficients.programme import ProgrammeCoefficients
from sim.design import apply_parameter_transformations
from sim.mechanisms import change_programme
from sim.scenario import Scenario, ScenarioError


@pytest.fixture(scope="module")
def kotter() -> sim.Scenario:
    return sim.load_scenario("kotter_programme").with_overrides(
        {"organisation.employees": 120, "customers.count": 1000, "horizon_weeks": 40}
    )


def test_step_strength_reads_the_coefficients() -> None:
    p = ProgrammeCoefficients(step_floor=0.2, step_foundation_gain=0.8)
    assert change_programme.step_strength("anchor", [], 1.0, p=p) == pytest.approx(0.2)
    done = list(change_programme.KOTTER_STEPS[:-1])
    assert change_programme.step_strength("anchor", done, 0.5, p=p) == pytest.approx(0.5)


def test_scenario_values_change_the_run(kotter: sim.Scenario) -> None:
    base = sim.OrgModel(kotter, rng=5).run()
    fast = kotter.with_overrides({"change_programme.urgency_retention": 0.5})
    assert not sim.OrgModel(fast, rng=5).run()["adoption_rate"].equals(base["adoption_rate"])
    # Quick wins fix a share of the known, queued problems. At rest (version 2, ODD 8.A) the
    # queue is often empty at the defaults, so both runs get a slow fix rate that keeps one.
    queued = kotter.with_overrides({"learning.fix_rate": 0.05})
    slow = sim.OrgModel(queued, rng=5)
    assert slow.state.org.problems_queue >= 5
    slow_fixed = slow.run()["problems_fixed_total"]
    wins = queued.with_overrides({"change_programme.quick_win_fix_share": 1.0})
    fixed = sim.OrgModel(wins, rng=5).run()["problems_fixed_total"]
    assert (fixed.loc[:16] == slow_fixed.loc[:16]).all()
    assert fixed.loc[17] > slow_fixed.loc[17]  # the step fires in week 16


def test_transformations_and_counterfactual_keep_the_coefficients(kotter: sim.Scenario) -> None:
    s = kotter.with_overrides({"change_programme.anchor_safety_gain": 0.3})
    cf = s.counterfactual()
    assert cf.change_programme.steps == [] and cf.change_programme.anchor_safety_gain == 0.3
    designed = Scenario.model_validate(
        {
            "change_programme": {"vision_norm_gain": 0.4},
            "transformations": [
                {"kind": "change_programme", "steps": [{"step": "vision", "week": 3}]}
            ],
        }
    )
    out = apply_parameter_transformations(designed)
    assert [st.step for st in out.change_programme.steps] == ["vision"]
    assert out.change_programme.vision_norm_gain == 0.4


@pytest.mark.parametrize(
    "key, value",
    [
        ("change_programme.consolidate_reference_intensity", 0.0),
        ("change_programme.urgency_retention", 1.2),
        ("change_programme.step_floor", -0.5),
    ],
)
def test_out_of_range_values_are_refused(kotter: sim.Scenario, key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        kotter.with_overrides({key: value})
