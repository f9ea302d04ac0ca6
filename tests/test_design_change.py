"""A proposed design is reached from the current one with the lags and costs of change (ODD 8.H).

A scenario whose ``base`` is a scenario file starts as the base organisation at rest; its
changed settings move at ``design.change_week`` like an intervention and its restructuring is
paid then (sim/design.py, sim/processes/programme.py::restructure). The checks here are exact
(common random numbers make the runs identical until the change), plus knock-outs of the
cost parameters.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import OrgModel
from sim.inputs import load_scenario
from sim.mechanisms import change_programme
from sim.scenario import ScenarioError

ACME = Path(__file__).resolve().parent.parent / "examples" / "acme"
SAFETY = 0.8


def _files(tmp_path: Path, design: str = "", current_extra: str = "") -> tuple[Path, Path]:
    cur = tmp_path / "current.toml"
    cur.write_text(
        'base = "command_and_control"\nname = "cur"\nhorizon_weeks = 12\nburn_in_weeks = 20\n'
        f"[organisation]\nemployees = 120\n[customers]\ncount = 800\n{current_extra}"
    )
    prop = tmp_path / "proposed.toml"
    prop.write_text(
        f'base = "current.toml"\nname = "prop"\n{design}\n'
        f"[culture]\npsychological_safety = {SAFETY}\n"
    )
    return cur, prop


def test_dial_design_starts_as_current_and_moves_from_the_change_week(tmp_path) -> None:
    cur, prop = _files(tmp_path, "[design]\nchange_week = 3")
    c, p = load_scenario(cur), load_scenario(prop)
    assert p.culture.psychological_safety == c.culture.psychological_safety
    assert p.design.set == {"culture.psychological_safety": SAFETY} and p.design.from_base
    assert not c.design.from_base and not c.design.set  # the current design changes nothing
    mc, mp = OrgModel(c, rng=4), OrgModel(p, rng=4)
    for arr in ("satisfaction", "record", "expectation"):  # same state at week 0
        np.testing.assert_array_equal(getattr(mc.state.cust, arr), getattr(mp.state.cust, arr))
    np.testing.assert_array_equal(mc.state.emp.morale, mp.state.emp.morale)
    rc, rp = mc.run(), mp.run()
    pd.testing.assert_frame_equal(rc.loc[1:3], rp.loc[1:3])  # identical before the change
    assert rp.loc[4, "investment_total"] > rc.loc[4, "investment_total"]
    # the dial in force follows the half-life from the change week on
    start = c.culture.psychological_safety
    r = change_programme.lag_retention(p.change_programme.norm_half_life_weeks)
    dial = mp.culture_in_force()["psychological_safety"]
    for k in range(1, 9):
        assert dial.loc[3 + k] == pytest.approx(SAFETY - (SAFETY - start) * r**k, rel=1e-12)
    assert dial.loc[3] == start


def test_dial_design_pays_the_documented_cost_and_knock_out_pays_nothing(tmp_path) -> None:
    cur, prop = _files(tmp_path)
    c, p = load_scenario(cur), load_scenario(prop)
    m, mc = OrgModel(p, rng=2), OrgModel(c, rng=2)
    filled = int(m.state.emp.filled.sum())
    m.run(steps=1)
    mc.run(steps=1)
    moved = SAFETY - c.culture.psychological_safety
    cost = p.change_programme.change_cost_per_person_point * moved * filled
    extra = m.totals["investment"] - mc.totals["investment"]
    assert extra == pytest.approx(cost, rel=1e-12) and cost > 0
    assert m.culture_in_force().loc[1, "away"] > 0
    free = {"change_programme.change_cost_per_person_point": 0.0}
    free["change_programme.change_away_weeks_per_point"] = 0.0
    m0, mc0 = OrgModel(p.with_overrides(free), rng=2), OrgModel(c.with_overrides(free), rng=2)
    m0.run(steps=1)
    mc0.run(steps=1)
    assert m0.totals["investment"] == mc0.totals["investment"]
    assert m0.culture_in_force().loc[1, "away"] == 0


def test_twin_makes_and_pays_the_same_culture_move(tmp_path) -> None:
    """ROI stays the return on the CRM and programme: the design's dial move cancels in it."""
    cur, prop = _files(tmp_path)
    m = OrgModel(load_scenario(prop), rng=5)
    m.run(steps=2)
    assert m.counterfactual is not None
    assert m.counterfactual.ctx.changes.paid == pytest.approx(m.ctx.changes.paid, rel=1e-12)
    twin_dial = m.counterfactual.culture_in_force()["psychological_safety"]
    pd.testing.assert_series_equal(twin_dial, m.culture_in_force()["psychological_safety"])


def test_design_moving_socialisation_and_coaching_is_lagged_and_costed(tmp_path) -> None:
    """The two remaining dials (ODD 8.G): a proposed design's socialisation (structure
    half-life, everyone affected) and supportive leadership (coaching half-life, managers
    affected) move from the change week through the same path as the other dials."""
    cur, _ = _files(tmp_path)
    prop = tmp_path / "proposed2.toml"
    prop.write_text(
        'base = "current.toml"\nname = "prop2"\n[design]\nchange_week = 2\n'
        "[culture]\nsocialisation = 0.8\nsupportive_leadership = 0.8\n"
    )
    c, p = load_scenario(cur), load_scenario(prop)
    assert p.design.set == {"culture.socialisation": 0.8, "culture.supportive_leadership": 0.8}
    assert p.culture.socialisation == c.culture.socialisation
    m, mc = OrgModel(p, rng=3), OrgModel(c, rng=3)
    m.run(steps=2)
    mc.run(steps=2)
    e = m.state.emp
    filled, managers = int(e.filled.sum()), int((e.filled & e.leader).sum())
    m.run(steps=1)  # the change week
    mc.run(steps=1)
    cp, cu = p.change_programme, c.culture
    cost = cp.change_cost_per_person_point * (
        (0.8 - cu.socialisation) * filled + (0.8 - cu.supportive_leadership) * managers
    )
    assert m.ctx.changes.paid == pytest.approx(cost, rel=1e-12) and mc.ctx.changes.paid == 0
    assert m.counterfactual.ctx.changes.paid == pytest.approx(cost, rel=1e-12)
    m.run()
    dials = m.culture_in_force()
    for lever, half, start in (
        ("socialisation", cp.structure_half_life_weeks, cu.socialisation),
        ("supportive_leadership", cp.coaching_half_life_weeks, cu.supportive_leadership),
    ):
        assert dials.loc[2, lever] == start
        r = change_programme.lag_retention(half)
        for k in range(1, 9):
            assert dials.loc[2 + k, lever] == pytest.approx(0.8 - (0.8 - start) * r**k, rel=1e-12)
    share = m.state.levers.supportive_leadership
    np.testing.assert_array_equal(e.supportive, e.leader & (e.style < share))


def test_programme_step_before_the_change_week_is_refused(tmp_path) -> None:
    cur, prop = _files(
        tmp_path,
        '[design]\nchange_week = 4\n[change_programme]\nsteps = [{ step = "urgency", week = 1 }]',
    )
    with pytest.raises(ScenarioError, match=r"design\.set\.change_programme\.steps.*change_week"):
        load_scenario(prop)


def test_override_of_a_changed_setting_applies_before_and_after(tmp_path) -> None:
    _, prop = _files(tmp_path)
    p = load_scenario(prop).with_overrides({"culture.psychological_safety": 0.5})
    assert (
        p.culture.psychological_safety == 0.5 and "culture.psychological_safety" not in p.design.set
    )


@pytest.fixture(scope="module")
def acme() -> tuple:
    short = {"horizon_weeks": 4, "burn_in_weeks": 4}
    return (
        load_scenario(ACME / "current.toml").with_overrides(short),
        load_scenario(ACME / "proposed.toml").with_overrides(short),
    )


def test_restructuring_is_paid_in_the_change_week(acme) -> None:
    cur, prop = acme
    inputs = prop.inputs
    assert cur.inputs.moved is None  # the current design restructures nothing
    assert inputs.removed == 6 and inputs.moved.sum() > 0
    cp = prop.change_programme
    pay = prop.people.salary_annual * prop.economics.manager_salary_factor
    expected = change_programme.restructure_cost(int(inputs.moved.sum()), 6, pay, p=cp)
    assert expected == pytest.approx(
        cp.restructure_cost_per_person * inputs.moved.sum()
        + cp.restructure_severance_weeks / 52 * pay * 6
    )
    m = OrgModel(prop, rng=1, counterfactual=False)
    dial_cost = 0.0
    m.run(steps=1)
    dial_cost = m.ctx.changes.paid - expected
    # the remaining money is the incentive-alignment move, costed like an intervention
    moved_dial = prop.design.set["culture.incentive_alignment"] - prop.culture.incentive_alignment
    assert dial_cost > 0 and dial_cost == pytest.approx(
        cp.change_cost_per_person_point
        * moved_dial
        * int(OrgModel(prop, rng=1, counterfactual=False).state.emp.filled.sum()),
        rel=1e-12,
    )


def test_restructuring_knock_out_pays_nothing_and_hands_nothing_over(acme) -> None:
    _, prop = acme
    off = {
        "change_programme.restructure_cost_per_person": 0.0,
        "change_programme.restructure_severance_weeks": 0.0,
        "change_programme.restructure_away_weeks": 0.0,
        "change_programme.restructure_handover_share": 0.0,
        "change_programme.change_cost_per_person_point": 0.0,
        "change_programme.change_away_weeks_per_point": 0.0,
    }
    on = OrgModel(prop, rng=1, counterfactual=False)
    ko = OrgModel(prop.with_overrides(off), rng=1, counterfactual=False)
    np.testing.assert_array_equal(on.state.cust.satisfaction, ko.state.cust.satisfaction)
    on.run(steps=1)
    ko.run(steps=1)
    assert ko.ctx.changes.paid == 0 and on.ctx.changes.paid > 0
    assert ko.culture_in_force().loc[1, "away"] == 0 < on.culture_in_force().loc[1, "away"]
    # the handover: customers of moved staff lose satisfaction in the change week
    assert on.results().loc[1, "satisfaction_mean"] < ko.results().loc[1, "satisfaction_mean"]
