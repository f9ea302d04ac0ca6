"""Changes during a run: OrgModel.intervene, [[interventions]], Mesa's running flag and rng."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import OrgModel
from sim.inputs import load_scenario
from sim.mechanisms import escalation
from sim.scenario import Scenario, ScenarioError
from tests.conftest import run_with_change

WEEK = 6


@pytest.fixture(scope="module")
def small() -> Scenario:
    """A small, short run: the rules do not depend on size."""
    return load_scenario("command_and_control").with_overrides(
        {"organisation.employees": 120, "customers.count": 800, "horizon_weeks": 14}
    )


def _run(scenario: Scenario, seed: int = 3, changes: dict | None = None) -> OrgModel:
    return run_with_change(scenario, seed, WEEK, changes)


def _scheduled(scenario: Scenario, changes: dict, week: int = WEEK) -> Scenario:
    return scenario.with_overrides({"interventions": [{"week": week, "set": changes}]})


def test_same_before_the_week_different_after(small) -> None:
    base = _run(small).results()
    changed = _run(small, changes={"culture.decision_rights": 0.9}).results()
    pd.testing.assert_frame_equal(base.loc[:WEEK], changed.loc[:WEEK])
    assert not base.loc[WEEK + 1 :].equals(changed.loc[WEEK + 1 :])
    assert list(base.columns) == list(changed.columns)


#: The knock-out of ODD 6.1's costs and lags: culture change instant and free, as in version 1.
INSTANT = {
    "change_programme.structure_half_life_weeks": 0.0,
    "change_programme.norm_half_life_weeks": 0.0,
    "change_programme.coaching_half_life_weeks": 0.0,
    "change_programme.change_cost_per_person_point": 0.0,
    "change_programme.change_away_weeks_per_point": 0.0,
}


def test_intervention_sets_the_lever_and_authority(small) -> None:
    m = OrgModel(small.with_overrides(INSTANT), rng=3)
    m.run(steps=WEEK)
    m.intervene({"culture.decision_rights": 0.9, "culture.customer_orientation": 0.7})
    assert m.state.levers.decision_rights == 0.9
    assert m.state.levers.orientation_norm == 0.7
    expected = escalation.effective_authority(m.state.emp.base_authority, 0.9, p=small.decisions)
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
    """The twin makes the same non-CRM change, lagged and paid for, but none of the crm.* ones.

    Restated for the merge decision of version 2 (ODD 6.11, 8.G): the twin used to make the
    change for free, which charged the CRM's ROI with a change both runs made; it now pays.
    """
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    m.intervene({"culture.responsiveness": 0.9, "crm.training": 0.9})
    cf = m.counterfactual
    assert [f for _, f, _, _ in cf.interventions] == ["culture.responsiveness"]
    assert cf.ctx.changes.target == {"responsiveness": 0.9}  # the same dial move, lagged
    # ... and paid for (merge decision, ODD 6.11 and 8.G): the same cost of the same move for
    # the twin's own staff, and the same time away, so the change cancels in ROI's numerator
    moved = 0.9 - small.culture.responsiveness
    cost, away, weeks = change_programme.change_cost(
        moved, int(cf.state.emp.filled.sum()), p=small.change_programme
    )
    assert cost > 0 and cf.ctx.changes.spend == [pytest.approx(cost, rel=1e-12)]
    assert cf.ctx.changes.away == [(WEEK, WEEK + weeks, pytest.approx(away, rel=1e-12))]
    assert cf.ctx.changes.away == m.ctx.changes.away
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


# ------------------------------------------------------------ costs and lags of culture change
# ODD 6.1, "Costs and lags of culture change": a dial moved by an intervention (or a programme
# step) takes effect with a half-life, costs money booked as investment, and takes the affected
# front line's time away from account care for some weeks; the twin makes the same non-CRM
# changes and pays for them too (so they cancel in ROI's numerator), but makes none of its own.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import stats  # noqa: E402

from sim.mechanisms import change_programme  # noqa: E402

BIG = {  # a large culture change: three norm dials to 0.9
    "culture.customer_orientation": 0.9,
    "culture.psychological_safety": 0.9,
    "culture.information_sharing": 0.9,
}

unit = st.floats(0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(unit, unit, st.integers(1, 104))
def test_lag_formula_monotone_reaches_target_half_life(start, target, half) -> None:
    values = [start]
    for _ in range(40 * half):
        values.append(change_programme.value_in_force(values[-1], target, half))
    gaps = [abs(target - v) for v in values]
    assert all(g1 <= g0 for g0, g1 in zip(gaps, gaps[1:], strict=False))  # monotone
    lo, hi = min(start, target), max(start, target)
    assert all(lo <= v <= hi for v in values)  # never overshoots
    assert values[-1] == target  # reaches it
    if gaps[0] > 1e-3:  # half the gap is left after one half-life
        assert gaps[half] == pytest.approx(gaps[0] / 2, rel=1e-9)


@given(unit, unit)
def test_lag_formula_half_life_zero_is_instant(start, target) -> None:
    assert change_programme.value_in_force(start, target, 0.0) == target


def test_dial_in_force_approaches_the_target_gradually(small) -> None:
    m = _run(small, changes={"culture.decision_rights": 0.9})
    dial = m.culture_in_force()["decision_rights"]
    old, half = small.culture.decision_rights, small.change_programme.structure_half_life_weeks
    assert (dial.loc[:WEEK] == old).all()
    after = dial.loc[WEEK + 1 :].to_numpy()
    assert old < after[0] < 0.9 and (np.diff(after) > 0).all()
    k = np.arange(1, after.shape[0] + 1)
    np.testing.assert_allclose(0.9 - after, (0.9 - old) * 0.5 ** (k / half), rtol=1e-9)
    # the lever in force is what the authority is computed from
    expected = escalation.effective_authority(
        m.state.emp.base_authority, after[-1], p=small.decisions
    )
    np.testing.assert_array_equal(m.authority, expected)


def test_norms_move_slower_than_structure(small) -> None:
    m = _run(small, changes={"culture.decision_rights": 0.9, "culture.psychological_safety": 0.9})
    row = m.culture_in_force().loc[WEEK + 4]
    gap_rights = (0.9 - row["decision_rights"]) / (0.9 - small.culture.decision_rights)
    gap_safety = (0.9 - row["psychological_safety"]) / (0.9 - small.culture.psychological_safety)
    assert gap_rights < gap_safety


def test_change_costs_investment_exactly(small) -> None:
    """Same seed, change vs none: investment rises by cost x points moved x people affected.

    The twin pays the same for its own staff (version 2 merge decision, ODD 6.11) and ROI stays
    (net benefit - twin's net benefit) / investment.
    """
    base = _run(small)
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    staff = int(m.state.emp.filled.sum())
    cf_staff = int(m.counterfactual.state.emp.filled.sum())
    m.intervene(BIG)
    m.run()
    cp, cu = small.change_programme, small.culture
    points = (0.9 - cu.customer_orientation) + (0.9 - cu.psychological_safety)
    points += 0.9 - cu.information_sharing
    extra = m.results()["investment_total"] - base.results()["investment_total"]
    assert (extra.loc[:WEEK] == 0).all()
    assert extra.loc[WEEK + 1 :].to_numpy() == pytest.approx(
        cp.change_cost_per_person_point * points * staff, rel=1e-9
    )
    # the twin makes the same change and pays for it for its own staff (ODD 6.11, merge decision
    # of version 2); with nothing else to spend on, that is all of its investment
    cf = m.counterfactual
    assert cf.totals["investment"] == pytest.approx(
        cp.change_cost_per_person_point * points * cf_staff, rel=1e-9
    )
    away = cf.culture_in_force()["away"]
    assert (away.loc[:WEEK] == 0).all() and (away.loc[WEEK + 1 :] > 0).any()
    pd.testing.assert_series_equal(away, m.culture_in_force()["away"])
    # ROI is the return on the CRM and its programme: the change both runs make cancels above
    # and below the line, (net - twin's net) / (investment - twin's investment), every week
    r, cfr = m.results(), cf.results()
    expected = (r["net_benefit_total"] - cfr["net_benefit_total"]) / (
        r["investment_total"] - cfr["investment_total"]
    )
    np.testing.assert_allclose(r["roi"].to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_time_away_dips_customer_care_then_recovers() -> None:
    """A large change vs the same change without time away, 10 paired seeds, 52 weeks.

    One-sided paired t-test (alpha 0.01): mean satisfaction over the 12 weeks after the change
    is lower with the time away; after the spread ends the away share is 0 again.
    """
    from tests.conftest import small as small_preset

    w = 26
    sc = small_preset("command_and_control", horizon_weeks=w + 16)
    free = sc.with_overrides({"change_programme.change_away_weeks_per_point": 0.0})
    diffs = []
    for seed in range(10):
        sat, models = [], []
        for scenario in (sc, free):
            m = OrgModel(scenario, rng=seed)
            m.run(steps=w)
            m.intervene(BIG)
            m.run()
            sat.append(m.results().loc[w + 1 : w + 12, "satisfaction_mean"].mean())
            models.append(m)
        diffs.append(sat[0] - sat[1])
    assert stats.ttest_1samp(diffs, 0.0, alternative="less").pvalue < 0.01
    away = models[0].culture_in_force()["away"]
    spread = int(sc.change_programme.change_away_spread_weeks)
    assert (away.loc[w + 1 : w + spread] > 0).all() and away.loc[w + spread + 1 :].eq(0).all()


def test_knock_out_gives_the_instant_free_change(small) -> None:
    """Cost and lag parameters at 0: the dial is in force at once and costs nothing."""
    sc = small.with_overrides(INSTANT)
    base = _run(sc)
    m = _run(sc, changes=BIG)
    dials = m.culture_in_force()
    assert (dials.loc[WEEK + 1 :, "orientation_norm"] == 0.9).all()
    assert (dials.loc[WEEK + 1 :, "psychological_safety"] == 0.9).all()
    assert (dials["away"] == 0).all()
    pd.testing.assert_series_equal(
        m.results()["investment_total"], base.results()["investment_total"]
    )


def test_scheduled_and_api_identical_with_costs_and_lags(small) -> None:
    api = _run(small, changes=BIG)
    sched = OrgModel(_scheduled(small, BIG), rng=3)
    sched.run()
    pd.testing.assert_frame_equal(api.results(), sched.results())
    pd.testing.assert_frame_equal(api.culture_in_force(), sched.culture_in_force())
    pd.testing.assert_frame_equal(
        api.counterfactual.culture_in_force(), sched.counterfactual.culture_in_force()
    )


# ---------------------------------------------------------------- the two remaining dials (8.G)
# socialisation (an onboarding practice: structure half-life, everyone affected) and supportive
# leadership (leaders' behaviour: coaching half-life, managers affected, no front-line time away)
W26 = 26


def _lever_run(
    changes: dict, *, horizon: int, instant: bool = False, seed: int = 4
) -> tuple[OrgModel, OrgModel, dict[str, list[float]]]:
    """Paired runs of command_and_control at test size: ``changes`` after week 26 and none.

    Returns the changed model, the unchanged one and, for the changed model, the socialisation
    strength each week's orientation and playbook socialisation were computed with.
    """
    from sim.mechanisms import learning as learning_mech
    from tests.conftest import small as small_preset

    sc = small_preset("command_and_control", horizon_weeks=horizon)
    if instant:
        sc = sc.with_overrides(INSTANT)
    base = _lever_base(sc, seed)
    seen: dict[str, list[float]] = {"socialise": [], "playbook": []}
    orig_s, orig_p = learning_mech.socialise, learning_mech.playbook_rate

    def socialise(trait, norm, strength, tenure, **kw):
        seen["socialise"].append(strength)
        return orig_s(trait, norm, strength, tenure, **kw)

    def playbook_rate(base_p1, strength, *a, **kw):
        seen["playbook"].append(strength)
        return orig_p(base_p1, strength, *a, **kw)

    m = OrgModel(sc, rng=seed)
    m.run(steps=W26)
    m.intervene(changes)
    learning_mech.socialise, learning_mech.playbook_rate = socialise, playbook_rate
    try:  # the twin steps first each week: keep every other call
        m.run()
    finally:
        learning_mech.socialise, learning_mech.playbook_rate = orig_s, orig_p
    return m, base, {k: v[1::2] for k, v in seen.items()}


def _lever_base(sc: Scenario, seed: int) -> OrgModel:
    m = OrgModel(sc, rng=seed)
    m.run()
    return m


def test_socialisation_is_lagged_costed_and_read_in_force() -> None:
    """0.3 -> 0.9 at week 26: structure half-life exactly; the weekly socialisation rates use
    the value in force; money = cost x points x filled positions (twin too); time away."""
    m, base, seen = _lever_run({"culture.socialisation": 0.9}, horizon=W26 + 24)
    sc = m.scenario
    cp, old = sc.change_programme, sc.culture.socialisation
    half = cp.structure_half_life_weeks
    dial = m.culture_in_force()["socialisation"]
    assert (dial.loc[:W26] == old).all()
    after = dial.loc[W26 + 1 :].to_numpy()
    k = np.arange(1, after.shape[0] + 1)
    np.testing.assert_allclose(0.9 - after, (0.9 - old) * 0.5 ** (k / half), rtol=1e-9)
    # the week's socialisation (orientation and playbook) uses the dial in force, not 0.9
    np.testing.assert_allclose(seen["socialise"], after, rtol=1e-12)
    np.testing.assert_allclose(seen["playbook"], after, rtol=1e-12)
    # money: everyone is affected (mentors and mentees), booked in the next week
    extra = m.results()["investment_total"] - base.results()["investment_total"]
    assert (extra.loc[:W26] == 0).all()
    filled = _filled_at(sc, W26, twin=False)
    expected = cp.change_cost_per_person_point * (0.9 - old) * filled
    assert extra.loc[W26 + 1 :].to_numpy() == pytest.approx(expected, rel=1e-9)
    cf_filled = _filled_at(sc, W26, twin=True)
    assert m.counterfactual.totals["investment"] == pytest.approx(
        cp.change_cost_per_person_point * (0.9 - old) * cf_filled, rel=1e-9
    )
    # time away: the front line's, spread over change_away_spread_weeks
    away = m.culture_in_force()["away"]
    share = cp.change_away_weeks_per_point * (0.9 - old) / cp.change_away_spread_weeks
    spread = int(cp.change_away_spread_weeks)
    np.testing.assert_allclose(away.loc[W26 + 1 : W26 + spread], share, rtol=1e-12)
    assert (away.loc[:W26] == 0).all() and (away.loc[W26 + spread + 1 :] == 0).all()
    pd.testing.assert_series_equal(away, m.counterfactual.culture_in_force()["away"])


def _filled_at(sc: Scenario, week: int, *, twin: bool) -> int:
    m = OrgModel(sc, rng=4)
    m.run(steps=week)
    e = (m.counterfactual if twin else m).state.emp
    return int(e.filled.sum())


def test_supportive_leadership_is_lagged_costed_and_sorts_managers_gradually() -> None:
    """0.2 -> 0.9 at week 26: coaching half-life exactly; each week the managers whose kept style
    is below the share in force coach, so the coaching share rises gradually (after 1 week far
    below, after 3 half-lives close to the share with style below 0.9); money = cost x points x
    managers; no front-line time away."""
    from tests.conftest import small as small_preset

    sc = small_preset("command_and_control", horizon_weeks=W26 + 80)
    cp, old = sc.change_programme, sc.culture.supportive_leadership
    half = cp.coaching_half_life_weeks
    base = _lever_base(sc, 4)
    m = OrgModel(sc, rng=4)
    m.run(steps=W26)
    e = m.state.emp
    managers = int((e.filled & e.leader).sum())
    before = e.supportive.copy()
    m.intervene({"culture.supportive_leadership": 0.9})
    np.testing.assert_array_equal(e.supportive, before)  # nothing at once
    coaching = []
    for k in range(1, 81):
        m.step()
        share = m.state.levers.supportive_leadership
        assert 0.9 - share == pytest.approx((0.9 - old) * 0.5 ** (k / half), rel=1e-9)
        np.testing.assert_array_equal(m.state.emp.supportive, e.leader & (e.style < share))
        coaching.append(m.state.emp.supportive[e.leader].mean())
    at_target = (e.style[e.leader] < 0.9).mean()
    assert coaching[0] < coaching[int(3 * half) - 1] <= at_target
    assert coaching[0] - before[e.leader].mean() < 0.25 * (at_target - before[e.leader].mean())
    assert at_target - coaching[int(3 * half) - 1] < 0.25 * (at_target - coaching[0])
    assert (np.diff(coaching) >= 0).all()
    dial = m.culture_in_force()["supportive_leadership"]
    assert (dial.loc[:W26] == old).all()
    # money: the managers only; time away: managers', not modelled (no front-line care lost)
    extra = m.results()["investment_total"] - base.results()["investment_total"]
    assert (extra.loc[:W26] == 0).all()
    # (later the runs part: the change moves hiring and training spend too)
    cost = cp.change_cost_per_person_point * (0.9 - old) * managers
    assert extra.loc[W26 + 1] == pytest.approx(cost, rel=1e-9)
    assert m.ctx.changes.paid == pytest.approx(cost, rel=1e-9)
    assert (m.culture_in_force()["away"] == 0).all()
    cf = m.counterfactual
    pd.testing.assert_series_equal(cf.culture_in_force()["supportive_leadership"], dial)
    cfe = cf.state.emp
    np.testing.assert_array_equal(
        cfe.supportive, cfe.leader & (cfe.style < cf.state.levers.supportive_leadership)
    )


def test_two_dials_knock_out_is_the_old_instant_free_change() -> None:
    """Half-lives, cost and time away at 0: both dials in force at once, the managers re-sorted
    at the intervention (as the old rescaled draw did), the rates read 0.9 from the first week,
    no cost and no time away."""
    changes = {"culture.socialisation": 0.9, "culture.supportive_leadership": 0.9}
    m, base, seen = _lever_run(changes, horizon=W26 + 8, instant=True)
    dials = m.culture_in_force()
    assert (dials.loc[W26 + 1 :, ["socialisation", "supportive_leadership"]] == 0.9).all().all()
    assert (dials["away"] == 0).all()
    assert seen["socialise"] == [0.9] * 8 and seen["playbook"] == [0.9] * 8
    # no money for the move: nothing queued; investment equal until the changed dials could
    # change headcount (CRM licences follow the staff in post, and socialisation now moves
    # orientation, so quits, after a few weeks; ODD 8.E)
    assert m.ctx.changes.paid == 0 and not m.ctx.changes.spend
    pd.testing.assert_series_equal(
        m.results()["investment_total"].loc[: W26 + 1], base.results()["investment_total"].loc[: W26 + 1]
    )
    sc = m.scenario.with_overrides(INSTANT)
    k = OrgModel(sc, rng=4)
    k.run(steps=W26)
    k.intervene(changes)
    e = k.state.emp
    np.testing.assert_array_equal(e.supportive, e.leader & (e.style < 0.9))


# ---------------------------------------------------------------- fields read only at build
@pytest.fixture(scope="module")
def reads() -> tuple[set[str], set[str]]:
    """Fields read at build and in 12 steps of every preset (``tests.field_reads.survey``)."""
    from tests.field_reads import survey

    return survey()


def test_every_field_accepted_mid_run_acts_after_the_build(reads) -> None:
    """A field intervene accepts is read by a weekly step, or moved by intervene itself (a lever,
    a rescaled draw, authority), or refused as the starting state: never a silent no-op."""
    from sim.interventions import FIXED, LEVER_OF, RESCALED, STARTING
    from sim.scenario import field_specs
    from tests.field_reads import STALE, leaf_fields

    build, step = reads
    leaves = leaf_fields()
    assert {f.path for f in field_specs()} <= set(leaves)  # the recorder sees the whole schema
    acted_on = set(LEVER_OF) | set(RESCALED) | {"decisions.rights_reach"}
    silent = [
        k
        for k in leaves
        if not (k in FIXED or any(k.startswith(f + ".") for f in FIXED))
        and k not in STARTING
        and k not in step
        and k not in acted_on
    ]
    assert not silent, f"accepted by intervene but never read after the build: {silent}"
    # a section kept aside at build and read in a step would not see an intervention
    assert not [r for r in step if r.startswith(STALE)]
    # the refused fields really are read at build only (refusing a live field would be wrong)
    assert set(STARTING) <= build and not set(STARTING) & step


def test_starting_state_fields_are_refused(small) -> None:
    from sim.interventions import STARTING

    m = OrgModel(small, rng=3)
    m.run(steps=2)
    for key in STARTING:
        section, _, name = key.rpartition(".")
        obj = getattr(small, section) if section else small
        value = getattr(obj, name)
        with pytest.raises(ScenarioError, match=f"{key}.*starting state"):
            m.intervene({key: value})
    assert m.interventions == []
    with pytest.raises(ScenarioError, match=r"interventions\[0\].set.burn_in_weeks.*starting"):
        _scheduled(small, {"burn_in_weeks": 4})


#: Each rebuilt field with a new value; the run changes after the week and not before.
REBUILT = {
    "crm.threshold_mean": 0.9,
    "crm.threshold_sd": 0.4,
    "adoption.affinity_sd": 0.4,
    "customers.annual_value": 60_000.0,
    "customers.value_dispersion": 1.6,
    "customers.expectation_sd": 0.4,
    "decisions.rights_reach": 0.2,
    "culture.supportive_leadership": 0.9,
}


@pytest.mark.parametrize(("key", "value"), list(REBUILT.items()))
def test_rebuilt_field_changes_the_run_from_its_week(small, key, value) -> None:
    """Paired seeds: the same run up to the week of the change, a different one after."""
    base = _run(small).results()
    changed = _run(small, changes={key: value}).results()
    pd.testing.assert_frame_equal(base.loc[:WEEK], changed.loc[:WEEK])
    assert not base.loc[WEEK + 1 :].equals(changed.loc[WEEK + 1 :]), key


def test_rescaled_draws_keep_the_draws(small) -> None:
    """Thresholds shift and stretch about the new mean; only customers not yet acquired get the
    new value and expectation, by transforming their draws (no new random numbers)."""
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    e, c = m.state.emp, m.state.cust
    thr, aff = e.threshold.copy(), e.affinity.copy()
    val, exp_, had = c.value.copy(), c.expectation.copy(), c.exists.copy()
    state_r = {k: v.bit_generator.state for k, v in m.streams.items()}
    cr, ad, cu = small.crm, small.adoption, small.customers
    m.intervene(
        {
            "crm.threshold_mean": cr.threshold_mean + 0.2,
            "crm.threshold_sd": cr.threshold_sd * 2,
            "adoption.affinity_sd": ad.affinity_sd * 3,
            "customers.annual_value": cu.annual_value * 2,
            "customers.expectation_sd": cu.expectation_sd / 2,
        }
    )
    assert {k: v.bit_generator.state for k, v in m.streams.items()} == state_r
    np.testing.assert_allclose(
        e.threshold, cr.threshold_mean + 0.2 + 2 * (thr - cr.threshold_mean), rtol=1e-12
    )
    np.testing.assert_allclose(e.affinity, 3 * aff, rtol=1e-12)
    np.testing.assert_array_equal(c.value[had], val[had])
    np.testing.assert_allclose(c.value[~had], 2 * val[~had], rtol=1e-9)
    np.testing.assert_array_equal(c.expectation[had], exp_[had])
    np.testing.assert_allclose(c.expectation[~had], exp_[~had] / 2, rtol=1e-12)
    # the twin (no CRM) gets the non-CRM fields on its own draws
    cf = m.counterfactual
    assert cf is not None and cf.scenario_in_force.customers.annual_value == cu.annual_value * 2


def test_rights_reach_recomputes_authority_at_once(small) -> None:
    m = OrgModel(small.with_overrides(INSTANT), rng=3)
    m.run(steps=WEEK)
    m.intervene({"decisions.rights_reach": 0.2, "culture.decision_rights": 0.8})
    expected = escalation.effective_authority(
        m.state.emp.base_authority, 0.8, p=m.scenario_in_force.decisions
    )
    np.testing.assert_array_equal(m.authority, expected)


def test_a_spread_of_zero_cannot_be_widened(small) -> None:
    m = OrgModel(small.with_overrides({"crm.threshold_sd": 0.0}), rng=3)
    m.run(steps=2)
    with pytest.raises(ScenarioError, match="crm.threshold_sd.*was 0"):
        m.intervene({"crm.threshold_sd": 0.1})
    m.intervene({"crm.threshold_mean": 0.8})  # the mean still moves every threshold
    assert (m.state.emp.threshold == 0.8).all()


@pytest.mark.parametrize(
    ("key", "value"), [("crm.reinforcement_weeks", 2), ("crm.implementation_cost", 1.0)]
)
def test_go_live_fields_act_before_go_live_and_are_refused_after(small, key, value) -> None:
    """Read in the go-live week only (week 4 here): a change before it acts, after it is refused."""
    base = _run(small).results()
    m = OrgModel(small, rng=3)
    m.run(steps=2)
    m.intervene({key: value})
    m.run()
    pd.testing.assert_frame_equal(base.loc[:2], m.results().loc[:2])
    assert not base.loc[3:].equals(m.results().loc[3:])
    m = OrgModel(small, rng=3)
    m.run(steps=WEEK)
    with pytest.raises(ScenarioError, match=f"{key}.*went live in week 4.*after go-live"):
        m.intervene({key: value})
    assert m.interventions == []
    with pytest.raises(ScenarioError, match=rf"interventions\[0\].set.{key}.*after go-live"):
        _scheduled(small, {key: value})
