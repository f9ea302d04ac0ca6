"""The [learning] section (sim/coefficients/learning.py) is wired into the model and validated."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.coefficients.learning import Learning
from sim.mechanisms import learning, playbook
from sim.scenario import Scenario, ScenarioError


@pytest.fixture(scope="module")
def small() -> sim.Scenario:
    return sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 1000, "horizon_weeks": 20}
    )


def test_fields_change_the_formulas() -> None:
    s = Scenario().with_overrides(
        {"learning.quality_slope": 0.8, "learning.climate_dial_weight": 0.2}
    )
    assert s.learning.quality_slope == 0.8
    default, changed = Learning(), s.learning
    assert learning.service_quality(20, 50, p=changed) < learning.service_quality(20, 50)
    assert learning.service_quality(20, 50, p=default) == learning.service_quality(20, 50)
    ones = np.ones(3)
    assert (
        learning.safety_climate(0.9, ones, 0.5, p=changed) < learning.safety_climate(0.9, ones, 0.5)
    ).all()


def test_defaults_are_todays_values() -> None:
    p = Learning()
    # March's per-period values over a 16-week period (docs/ODD.md 8.A, version 2 wave 3)
    assert (p.playbook_p1, p.playbook_p2, p.playbook_dimensions) == (0.134, 0.134, 30)
    assert (p.playbook_reference_people, p.playbook_rest_weeks) == (50, 780)
    assert 1.0 - p.voice_weight == 0.9  # voice efficacy's memory, bit for bit
    assert learning.voice_efficacy(0.5, 10, 10.0) == pytest.approx(0.55)


def test_fields_change_the_run(small: sim.Scenario) -> None:
    """Each field reaches the run.

    The fix rate is measured at rest (version 2, ODD 5.1 and 8.A): the problem stock starts at
    its balance, where problems are fixed as fast as they arise whatever the fix rate, so a
    faster fix rate shows as a smaller queue of known problems and better service quality, not
    as more fixes (version 1 counted the fixes of a stock set too high for the fix rate).
    """
    base = sim.OrgModel(small, rng=3).run()
    model = sim.OrgModel(small.with_overrides({"learning.playbook_dimensions": 12}), rng=3)
    assert model.state.org.code.shape == (12,)
    slow_q, fast_q, slow_sq, fast_sq = [], [], [], []
    for seed in range(3, 8):
        slow = sim.OrgModel(small, rng=seed)
        fast = sim.OrgModel(small.with_overrides({"learning.fix_rate": 0.9}), rng=seed)
        slow_q.append(slow.state.org.problems_queue)
        fast_q.append(fast.state.org.problems_queue)
        slow_sq.append(slow.run()["service_quality"].mean())
        fast_sq.append(fast.run()["service_quality"].mean())
    assert sum(fast_q) < sum(slow_q)
    assert np.mean(fast_sq) > np.mean(slow_sq)
    more = sim.OrgModel(small.with_overrides({"learning.problems_base": 60.0}), rng=3).run()
    assert more["problems_unreported"].iloc[0] > base["problems_unreported"].iloc[0]


def test_blank_share_sets_the_blanks() -> None:
    _, code, _ = playbook.initial_playbook(
        4000, 2, 0.5, 0.6, blank_share=0.0, rng=np.random.default_rng(1)
    )
    assert (code == 0).sum() == 0
    _, code, _ = playbook.initial_playbook(4000, 2, 0.5, 0.6, rng=np.random.default_rng(1))
    assert abs((code == 0).mean() - 0.1) < 0.02  # the default 0.2 of the wrong half


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("learning.fix_rate", 1.5),
        ("learning.playbook_p1", -0.1),
        ("learning.playbook_dimensions", 0),
    ],
)
def test_out_of_range_is_refused_with_the_path(key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        Scenario().with_overrides({key: value})
