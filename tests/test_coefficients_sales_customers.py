"""The sales and customers coefficients are wired: a non-default value changes the model."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.coefficients.customers import CustomerCoefficients
from sim.coefficients.sales import Sales
from sim.mechanisms import customers, incentives, silos
from sim.metrics import dissatisfied_share
from sim.scenario import Scenario, ScenarioError

TINY = {"organisation.employees": 60, "customers.count": 400, "horizon_weeks": 20}


def test_defaults_are_todays_values() -> None:
    s, c = Scenario().sales, Scenario().customers
    assert (s.angry_call_cost, s.campaign_rate, s.spike_workload) == (0.12, 0.15, 0.4)
    assert (c.unhappy_line, c.angry_line, c.churn_pivot, c.fcr_gain) == (0.45, 0.40, 0.7, 0.04)
    assert isinstance(c, CustomerCoefficients)


def test_sales_fields_change_their_formulas() -> None:
    base = Scenario()
    sc = base.with_overrides({"sales.hunting_shift": 0.6, "sales.upsell_chance": 0.6})
    assert incentives.effort_split(1.0, p=sc.sales)[0] == pytest.approx(0.4)
    assert incentives.effort_split(1.0, p=base.sales)[0] == pytest.approx(0.7)
    s, o = np.array([0.8]), np.array([0.5])
    one = np.ones(1)
    assert silos.upsell_probability(s, o, one, one, 0.0, p=sc.sales) == pytest.approx(
        2 * silos.upsell_probability(s, o, one, one, 0.0, p=base.sales)
    )
    same, tie = np.array([True, False]), np.array([False, False])
    tight = base.with_overrides({"sales.perm_same_group": 0.9}).sales
    assert silos.permeability(0.0, same, tie, 0.0, p=tight)[0] == pytest.approx(0.9)
    assert silos.permeability(0.0, same, tie, 0.0)[0] == pytest.approx(0.6)


def test_customer_fields_change_their_formulas() -> None:
    base = Scenario()
    sc = base.with_overrides({"customers.churn_pivot": 0.9, "customers.unhappy_line": 0.6})
    act = np.ones(20_000, dtype=bool)
    sat = np.full(20_000, 0.75)
    lo = customers.churn(act, sat, 0.0, 20.0, rng=np.random.default_rng(1), p=base.customers)
    hi = customers.churn(act, sat, 0.0, 20.0, rng=np.random.default_rng(1), p=sc.customers)
    assert lo.sum() == 0 and hi.sum() > 0  # above the default pivot only the base hazard acts
    # complaints start where churn risk rises: at the churn pivot
    sat = np.full(1000, 0.75)
    assert not customers.complaints(act[:1000], sat, 1.0, rng=np.random.default_rng(2)).any()
    assert customers.complaints(
        act[:1000], sat, 1.0, rng=np.random.default_rng(2), p=sc.customers
    ).any()


def test_fields_change_the_run() -> None:
    base = Scenario().with_overrides(TINY)
    a = sim.OrgModel(base, rng=3).run()
    changed = base.with_overrides(
        {
            "customers.unhappy_line": 0.7,
            "sales.angry_call_cost": 0.5,
            "customers.expectation_sd": 0.3,
        }
    )
    b = sim.OrgModel(changed, rng=3).run()
    assert not np.allclose(a["dissatisfied_share"], b["dissatisfied_share"])
    assert not np.allclose(a["satisfaction_mean"], b["satisfaction_mean"])
    # the metrics' line is the scenario's
    m = sim.OrgModel(changed, rng=3)
    m.run(1)
    row = m.results().iloc[-1]
    assert row["dissatisfied_share"] == pytest.approx(dissatisfied_share(m.state, 0.7))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("sales.campaign_rate", 1.5),
        ("sales.angry_call_cost", -0.1),
        ("customers.unhappy_line", 1.2),
        ("customers.churn_pivot", 0.0),
    ],
)
def test_out_of_range_values_are_refused(key: str, value: float) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        Scenario().with_overrides({key: value})


def test_sections_are_frozen_defaults() -> None:
    assert Sales() == Scenario().sales
    assert CustomerCoefficients().unhappy_line == Scenario().customers.unhappy_line
