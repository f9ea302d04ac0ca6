"""Changes during a run: OrgModel.intervene, [[interventions]], Mesa's running flag and rng."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import OrgModel
from sim.inputs import load_scenario
from sim.mechanisms import escalation
from sim.scenario import Scenario, ScenarioError

WEEK = 6


@pytest.fixture(scope="module")
def small() -> Scenario:
    """A small, short run: the rules do not depend on size."""
    return load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 800, "horizon_weeks": 14}
    )


def _run(scenario: Scenario, seed: int = 3, changes: dict | None = None) -> OrgModel:
    m = OrgModel(scenario, rng=seed)
    m.run(steps=WEEK)
    if changes:
        m.intervene(changes)
    m.run()
    return m


def _scheduled(scenario: Scenario, changes: dict, week: int = WEEK) -> Scenario:
    return scenario.with_overrides({"interventions": [{"week": week, "set": changes}]})


def test_same_before_the_week_different_after(small) -> None:
    base = _run(small).results()
    changed = _run(small, changes={"culture.decision_rights": 0.9}).results()
    pd.testing.assert_frame_equal(base.loc[:WEEK], changed.loc[:WEEK])
    assert not base.loc[WEEK + 1 :].equals(changed.loc[WEEK + 1 :])
    assert list(base.columns) == list(changed.columns)


def test_intervention_sets_the_lever_and_authority(small) -> None:
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    m.intervene({"culture.decision_rights": 0.9, "culture.customer_orientation": 0.7})
    assert m.state.levers.decision_rights == 0.9
    assert m.state.levers.orientation_norm == 0.7
    expected = escalation.effective_authority(m.state.emp.base_authority, 0.9)
    np.testing.assert_array_equal(m.authority, expected)
    assert m.scenario_in_force.culture.decision_rights == 0.9
    assert m.scenario.culture.decision_rights == small.culture.decision_rights


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"culture.decison_rights": 0.5}, "culture.decison_rights"),
        ({"culture.decision_rights": 1.5}, "culture.decision_rights"),
        ({"organisation.employees": 200}, "organisation.employees"),
        ({"organisation": {"span_of_control": 4}}, "organisation.span_of_control"),
        ({"customers.count": 10}, "customers.count"),
        ({"horizon_weeks": 2}, "horizon_weeks"),
        ({"crm.go_live_week": 9}, "crm.go_live_week"),  # already live since week 4
        ({"culture.decision_rights": 0.9, "culture.x": 1}, "culture.x"),
    ],
)
def test_refused_change_names_the_field_and_changes_nothing(small, changes, field) -> None:
    untouched = _run(small)
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    with pytest.raises(ScenarioError, match=field.replace(".", r"\.")):
        m.intervene(changes)
    assert m.interventions == [] and m.counterfactual.interventions == []
    m.run()
    pd.testing.assert_frame_equal(m.results(), untouched.results())


def test_structural_field_message_says_it_cannot_change(small) -> None:
    m = OrgModel(small, rng=3)
    with pytest.raises(ScenarioError, match="cannot change during a run"):
        m.intervene({"organisation.structure": "matrix"})


def test_scheduled_and_api_give_identical_tables(small) -> None:
    changes = {"culture.decision_rights": 0.9, "crm.training": 0.9}
    api = _run(small, changes=changes)
    sched = OrgModel(_scheduled(small, changes), rng=3)
    sched.run()
    pd.testing.assert_frame_equal(api.results(), sched.results())
    assert api.interventions == sched.interventions
    assert api.counterfactual.interventions == sched.counterfactual.interventions


def test_interventions_are_recorded(small) -> None:
    m = _run(small, changes={"culture.decision_rights": 0.9})
    old = small.culture.decision_rights
    assert m.interventions == [(WEEK, "culture.decision_rights", old, 0.9)]
    table = m.interventions_table()
    assert list(table.columns) == ["week", "field", "old", "new"]
    assert table.iloc[0].tolist() == [WEEK, "culture.decision_rights", old, 0.9]


def test_twin_gets_culture_but_not_crm_changes(small) -> None:
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    m.intervene({"culture.responsiveness": 0.9, "crm.training": 0.9})
    cf = m.counterfactual
    assert [f for _, f, _, _ in cf.interventions] == ["culture.responsiveness"]
    assert cf.state.levers.responsiveness == 0.9
    assert cf.scenario_in_force.crm.training == small.crm.training
    assert not cf.scenario_in_force.crm.enabled
    sc = _scheduled(small, {"culture.responsiveness": 0.9, "crm.training": 0.9}).counterfactual()
    assert [iv.set for iv in sc.interventions] == [{"culture.responsiveness": 0.9}]


def test_enabling_the_crm_late_goes_live_that_week(small) -> None:
    off = small.with_overrides({"crm.enabled": False})
    m = OrgModel(off, rng=3, counterfactual=False)
    m.run(steps=WEEK)
    m.intervene({"crm.enabled": True})
    assert (WEEK, "crm.go_live_week", small.crm.go_live_week, WEEK) in m.interventions
    m.step()
    assert m.results()["investment_total"].iloc[-1] > 0


def test_programme_step_in_the_past_is_refused(small) -> None:
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    with pytest.raises(ScenarioError, match="change_programme.steps"):
        m.intervene({"change_programme.steps": [{"step": "urgency", "week": 2}]})
    m.intervene({"change_programme.steps": [{"step": "urgency", "week": WEEK + 1}]})
    m.run(steps=2)
    assert [s for _, s, _ in m.programme_log] == ["urgency"]


def test_bad_scheduled_intervention_is_refused_on_load(small) -> None:
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.set\.culture\.x"):
        _scheduled(small, {"culture.x": 0.8})
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.week"):
        _scheduled(small, {"culture.decision_rights": 0.8}, week=small.horizon_weeks + 1)
    with pytest.raises(ScenarioError, match="cannot change during a run"):
        _scheduled(small, {"customers.count": 100})


def test_scenario_file_with_interventions(tmp_path) -> None:
    path = tmp_path / "late.toml"
    path.write_text(
        'name = "late"\nhorizon_weeks = 12\n[organisation]\nemployees = 60\n'
        "[customers]\ncount = 300\n"
        '[[interventions]]\nweek = 5\nset = { "culture.decision_rights" = 0.8 }\n',
        encoding="utf-8",
    )
    sc = load_scenario(path)
    assert sc.interventions[0].week == 5
    m = OrgModel(sc, rng=1)
    m.run()
    assert m.interventions == [(5, "culture.decision_rights", 0.2, 0.8)]


def test_running_turns_false_at_the_horizon(small) -> None:
    m = OrgModel(small, rng=3)
    assert m.running
    m.run(steps=small.horizon_weeks - 1)
    assert m.running
    m.step()
    assert not m.running


def test_mesa_batch_run_loop_stops_at_the_horizon(small) -> None:
    # mesa.batch_run's loop; batch_run itself also wants a DataCollector, which OrgModel does
    # not keep (its per-week table is results())
    m = OrgModel(small, rng=1, counterfactual=False)
    while m.running and m.steps < 1000:
        m.step()
    assert m.steps == m.week == small.horizon_weeks


def test_rng_seed_sequence_and_generator_are_deterministic(small) -> None:
    def table(rng):
        return OrgModel(small, rng=rng, counterfactual=False).run(steps=3)

    pd.testing.assert_frame_equal(
        table(np.random.SeedSequence(7)), table(np.random.SeedSequence(7))
    )
    pd.testing.assert_frame_equal(table(np.random.default_rng(7)), table(np.random.default_rng(7)))
    m = OrgModel(small, rng=np.random.default_rng(7), counterfactual=False)
    assert isinstance(m.seed, int)
    # an int seed is used as it is: the same table as before rng took other types
    pd.testing.assert_frame_equal(table(5), table(np.int64(5)))
    assert OrgModel(small, rng=5, counterfactual=False).seed == 5
