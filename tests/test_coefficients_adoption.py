"""The adoption coefficients (section ``[adoption]``) are wired into the formulas and the model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.coefficients.adoption import DEFAULT_ADOPTION, Adoption
from sim.mechanisms import adoption, crm_records, leadership
from sim.model import OrgModel
from sim.scenario import Scenario, ScenarioError
from tests.conftest import small


def _with(**kw: float) -> Adoption:
    """The adoption section with some fields set, validated as a scenario override would be."""
    return Scenario().with_overrides({f"adoption.{k}": v for k, v in kw.items()}).adoption


def test_defaults_are_the_schema_defaults() -> None:
    assert Scenario().adoption == DEFAULT_ADOPTION


def test_non_default_values_change_the_formulas() -> None:
    x = np.array([0.2, 0.5, 0.8])
    base = adoption.intention(x, x, x, 0.5, x, urgency=0.3)
    more = adoption.intention(x, x, x, 0.5, x, urgency=0.3, p=_with(weight_usefulness=0.5))
    assert (more > base).all()

    own = np.array([0.4, 0.6])
    u0 = crm_records.perceived_usefulness(0.8, 0.3, own, 0.2, 0.5)
    u1 = crm_records.perceived_usefulness(0.8, 0.3, own, 0.2, 0.5, p=_with(useful_vision=0.0))
    np.testing.assert_allclose(u0 - u1, 0.15 * 0.5)

    ex = leadership.manager_example(
        np.array([-1, 0]), np.array([0.5, 0.0]), np.array([False, False]), np.ones(2, bool)
    )
    ex2 = leadership.manager_example(
        np.array([-1, 0]),
        np.array([0.5, 0.0]),
        np.array([False, False]),
        np.ones(2, bool),
        p=_with(manager_unsupportive=1.0),
    )
    assert ex[1] == pytest.approx(0.3) and ex2[1] == pytest.approx(0.5)

    new, _ = adoption.update_usage(
        np.zeros(1),
        np.ones(1, bool),
        np.zeros(1),
        reinforcing=False,
        anchored=False,
        habit_decay=0.04,
        training=0.0,
        p=_with(start_usage=0.6),
    )
    assert new[0] == pytest.approx(0.6)


def _usage(overrides: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    sc = small("command_and_control", horizon_weeks=30).with_overrides(overrides)
    model = OrgModel(sc, rng=3)
    affinity = model.state.emp.affinity.copy()
    return model.run()["usage_mean"].to_numpy(), affinity


def test_non_default_values_change_the_run() -> None:
    base, aff = _usage({})
    social, aff_s = _usage({"adoption.weight_social": 0.6, "adoption.champion_usage": 1.0})
    assert social[-1] > base[-1]
    np.testing.assert_array_equal(aff, aff_s)  # same initial draws
    _, wide = _usage({"adoption.affinity_sd": 2 * DEFAULT_ADOPTION.affinity_sd})
    np.testing.assert_allclose(wide, 2 * aff)  # the same normal draws, twice the spread
    # the belief spreads act on intention: without them the run differs, the draws do not
    flat, aff_f = _usage({"adoption.usefulness_belief_sd": 0.0, "adoption.ease_belief_sd": 0.0})
    np.testing.assert_array_equal(aff, aff_f)
    assert not np.array_equal(flat, base)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("adoption.weight_usefulness", 1.5),
        ("adoption.affinity_sd", -0.1),
        ("adoption.push_reinforcing", 0.5),
    ],
)
def test_out_of_range_values_are_refused_with_their_path(key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        Scenario().with_overrides({key: value})
