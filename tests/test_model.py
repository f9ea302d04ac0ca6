"""OrgModel API, determinism, agents and common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.agents import Customer, Employee, Manager
from sim.metrics import COLUMNS

REQUIRED = [
    "adoption_rate",
    "usage_mean",
    "data_quality",
    "decision_latency_days",
    "first_contact_resolution",
    "escalations",
    "satisfaction_mean",
    "customers_active",
    "churn_rate",
    "churned_total",
    "churned_silent_total",
    "complaints_total",
    "morale_mean",
    "psych_safety_mean",
    "employees_active",
    "quits_total",
    "problems_reported_total",
    "problems_fixed_total",
    "revenue",
    "cost",
    "roi",
]


@pytest.fixture(scope="module")
def small_cc() -> sim.Scenario:
    return sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 1000, "horizon_weeks": 30}
    )


def test_run_returns_tidy_weekly_table(small_cc: sim.Scenario) -> None:
    df = sim.OrgModel(small_cc, rng=1).run()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "week" and df.index.tolist() == list(range(1, 31))
    for col in REQUIRED:
        assert col in df.columns
    assert list(df.columns) == list(COLUMNS)
    assert df["adoption_rate"].between(0, 1).all()
    assert df["churned_silent_total"].le(df["churned_total"]).all()
    assert df["churned_total"].is_monotonic_increasing
    assert (df["churn_rate"] >= 0).all()


def test_run_steps_continues_where_it_stopped(small_cc: sim.Scenario) -> None:
    whole = sim.OrgModel(small_cc, rng=4).run()
    m = sim.OrgModel(small_cc, rng=4)
    m.run(steps=10)
    parts = m.run(steps=5)
    assert m.week == 15 and len(parts) == 15
    pd.testing.assert_frame_equal(parts, whole.iloc[:15])
    rest = m.run()
    pd.testing.assert_frame_equal(rest, whole)


def test_same_seed_identical_different_seed_differs(small_cc: sim.Scenario) -> None:
    a = sim.OrgModel(small_cc, rng=123).run()
    b = sim.OrgModel(small_cc, rng=123).run()
    c = sim.OrgModel(small_cc, rng=124).run()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_counterfactual_shares_random_numbers(small_cc: sim.Scenario) -> None:
    """Without a CRM or programme the model and its counterfactual are the same organisation."""
    m = sim.OrgModel(small_cc, rng=9)
    m.run(steps=3)  # before go-live (week 4) nothing differs
    cf = m.counterfactual
    assert cf is not None and cf.counterfactual is None
    pd.testing.assert_frame_equal(
        m.results().drop(columns=["roi", "investment_total", "cost", "net_benefit_total"]),
        cf.results().drop(columns=["roi", "investment_total", "cost", "net_benefit_total"]),
    )


def test_roi_is_nan_without_any_change(small_cc: sim.Scenario) -> None:
    s = small_cc.counterfactual()
    m = sim.OrgModel(s, rng=1)
    assert m.counterfactual is None
    assert m.run(steps=3)["roi"].isna().all()


def test_agents_are_thin_handles_onto_the_arrays(small_cc: sim.Scenario) -> None:
    m = sim.OrgModel(small_cc, rng=2)
    m.run(steps=12)
    e = m.state.emp
    assert len(m.employees) == e.n
    assert all(isinstance(a, (Employee, Manager)) for a in m.employees)
    managers = [a for a in m.employees if isinstance(a, Manager)]
    assert managers and all(a.span > 0 or a.role == "manager" for a in managers)
    top = next(a for a in managers if a.manager_index == -1)
    assert top.role == "executive"
    a = m.employees[int(np.flatnonzero(e.front)[0])]
    assert a.usage == e.usage[a.index]
    e.usage[a.index] = 0.77  # a handle reads the array, never a copy
    assert a.usage == 0.77 and a.uses_crm
    # customer agents are made when first touched (or when model.agents is read: tests/test_mesa.py)
    assert m.customers.materialised == 0
    assert len(m.customers) == int(m.state.cust.exists.sum()) > small_cc.customers.count
    custs = list(m.customers)
    assert m.customers[-1] is custs[-1] and m.customers[3] is custs[3]
    assert [c.index for c in m.customers[2:5]] == [2, 3, 4]
    assert all(isinstance(x, Customer) for x in custs)
    assert {x.index for x in custs} == set(range(len(custs)))
    churned = [x for x in custs if x.churned]
    assert churned and all(not x.active for x in churned)
    assert custs[0].satisfaction == m.state.cust.satisfaction[0]
    in_mesa = [x for x in m.agents if isinstance(x, Customer)]
    assert len(in_mesa) == len(custs)
    assert len(m.agents) == e.n + len(custs)
    with pytest.raises(IndexError):
        m.customers[len(custs)]


def test_seed_validation() -> None:
    s = sim.load_scenario("matrix")
    with pytest.raises(ValueError):
        sim.OrgModel(s, rng=-1)
    with pytest.raises(TypeError):
        sim.OrgModel(s, rng="seed")  # type: ignore[arg-type]
    m = sim.OrgModel(s.with_overrides({"organisation.employees": 20, "customers.count": 50}))
    assert isinstance(m.seed, int) and m.seed >= 0


@pytest.mark.parametrize(
    "structure", ["hierarchical", "functional_silos", "matrix", "self_organised"]
)
def test_every_structure_runs_with_a_programme(structure: str) -> None:
    s = sim.load_scenario("kotter_programme").with_overrides(
        {
            "organisation.structure": structure,
            "organisation.employees": 80,
            "customers.count": 500,
            "horizon_weeks": 45,
        }
    )
    m = sim.OrgModel(s, rng=5)
    df = m.run()
    assert [step for _, step, _ in m.programme_log] == [x.step for x in s.change_programme.steps]
    assert df["adoption_rate"].iloc[-1] > 0
    assert np.isfinite(df["roi"].iloc[-1])


def test_size_guard_refuses_a_model_that_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.sizing import ModelTooLarge, estimate_bytes

    s = sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 2_000_000, "customers.count": 20_000_000}
    )
    monkeypatch.setenv("SIM_MEMORY_LIMIT_MB", "4000")
    with pytest.raises(ModelTooLarge, match=r"need about .* GB, but 4.0 GB is available"):
        sim.OrgModel(s, rng=1)
    small = sim.load_scenario("matrix")
    assert estimate_bytes(small) < 4e9
    sim.OrgModel(small, rng=1)  # fits: builds
    assert estimate_bytes(s, counterfactual=False) < estimate_bytes(s)


# ------------------------------------------------------------------ issue 15, class 3
def _past_horizon_scenario() -> sim.Scenario:
    return sim.load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 60, "customers.count": 300, "horizon_weeks": 13}
    )


def test_a_run_past_the_horizon_keeps_acquiring_customers() -> None:
    """Slots are sized for the horizon; stepping 300 weeks on a 13-week horizon grows them (in
    the model and its no-change twin alike) instead of stopping acquisition when they run out
    (before: no customer won after about week 150)."""
    sc = _past_horizon_scenario()
    m = sim.OrgModel(sc, rng=4)
    cap0 = m.state.cust.capacity
    df = m.run(steps=300)
    c = m.state.cust
    assert c.capacity > cap0
    assert int(c.exists.sum()) < c.capacity  # room left: nothing was turned away
    assert m.counterfactual is not None and m.counterfactual.state.cust.capacity == c.capacity
    won = df["acquired_total"].diff().fillna(df["acquired_total"].iloc[0])
    assert won.iloc[-100:].sum() > 0.5 * won.iloc[:100].sum() > 0
    again = sim.OrgModel(sc, rng=4).run(steps=300)
    pd.testing.assert_frame_equal(df, again)  # same seed, same numbers


def test_more_customers_won_than_slots_left_are_all_added(monkeypatch: pytest.MonkeyPatch) -> None:
    """A week that wins more customers than the room kept adds slots; none is dropped."""
    from sim.mechanisms import customers as mech

    sc = _past_horizon_scenario()
    m = sim.OrgModel(sc, rng=5)
    m.run(steps=2)
    c = m.state.cust
    big = c.capacity  # more than the free slots
    before = int(c.exists.sum())
    monkeypatch.setattr(mech, "acquisitions", lambda *a, **k: big)
    m.step()
    assert int(m.state.cust.exists.sum()) - before == big
    assert m.last_week is not None and m.last_week.customers.acquired == big
    c = m.state.cust
    assert all(getattr(c, f).shape[0] == c.capacity for f in vars(c))
