"""The people coefficients (sim/coefficients/people.py) are wired into the model and validated."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.coefficients.people import PeopleCoefficients
from sim.mechanisms import people
from sim.scenario import People, Scenario, ScenarioError


@pytest.fixture(scope="module")
def small() -> sim.Scenario:
    return sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 1000, "horizon_weeks": 20}
    )


def test_people_section_carries_the_coefficients() -> None:
    assert issubclass(People, PeopleCoefficients)
    assert People().morale_base == PeopleCoefficients().morale_base == 0.69


def test_fields_change_the_formulas() -> None:
    s = Scenario().with_overrides({"people.quit_slope": 6.0, "people.morale_base": 0.6})
    z = np.zeros(2)
    assert (people.morale_target(z, z, z, z, p=s.people) < people.morale_target(z, z, z, z)).all()
    low = np.array([0.3, 0.3])
    front = np.ones(2, dtype=bool)
    assert (
        people.quit_hazard(low, 0.3, front, p=s.people) > people.quit_hazard(low, 0.3, front)
    ).all()


def test_fields_change_the_run(small: sim.Scenario) -> None:
    """Each field reaches the run.

    The initial-state fields set the organisation at the start of the burn-in (version 2, ODD
    5.1 and 8.A): without a burn-in they are the state at week 0; after the default burn-in
    the people who never left carry their drawn tenure plus the burn-in (their replacements
    start at 0), and the initial morale is forgotten (morale at rest).
    """
    at_start = small.with_overrides({"burn_in_weeks": 0})
    base = sim.OrgModel(at_start, rng=5)
    assert base.state.emp.tenure.min() >= 26
    long = {"people.tenure_min_weeks": 600, "people.tenure_span_weeks": 10}
    m = sim.OrgModel(at_start.with_overrides(long), rng=5)
    assert m.state.emp.tenure.min() >= 600 and m.state.emp.tenure.max() < 610
    weeks = small.burn_in_weeks
    e = sim.OrgModel(small.with_overrides(long), rng=5).state.emp
    t = e.tenure
    # a position left in the burn-in and still vacant keeps its leaver's tenure, which stopped
    # growing at the quit (people.step: tenure grows only while filled)
    stayers = (t >= weeks) & e.filled
    assert stayers.mean() > 0.5
    assert t[stayers].min() >= 600 + weeks and t[stayers].max() < 610 + weeks
    a = base.run()
    b = sim.OrgModel(at_start.with_overrides({"people.initial_morale_mean": 0.3}), rng=5).run()
    assert b["morale_mean"].iloc[0] < a["morale_mean"].iloc[0] - 0.1
    a = sim.OrgModel(small, rng=5).run()
    b = sim.OrgModel(small.with_overrides({"people.initial_morale_mean": 0.3}), rng=5).run()
    assert abs(b["morale_mean"].iloc[0] - a["morale_mean"].iloc[0]) < 0.02  # forgotten at rest
    c = sim.OrgModel(small.with_overrides({"people.morale_drift": 0.5}), rng=5).run()
    assert not np.array_equal(c["morale_mean"].to_numpy(), a["morale_mean"].to_numpy())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("people.morale_drift", 2.0),
        ("people.quit_rate_cap", 1.0),
        ("people.skill_beta_a", 0.0),
        ("people.tenure_span_weeks", 0),
    ],
)
def test_out_of_range_is_refused_with_the_path(key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        Scenario().with_overrides({key: value})
