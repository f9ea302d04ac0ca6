"""Moving people and teams, splitting and merging teams, adding and removing positions.

Each transformation is applied to two charts: Acme's imported HR chart (``examples/acme``) and a
generated hierarchy (the ``command_and_control`` preset's structure written out as a chart and
read back), and checked to change exactly what it says: the reporting lines, units, roles and
positions it names, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.structures import MANAGER, ROLE_NAMES, SALES
from sim.structures.org_chart import OrgChart, load_org_chart
from sim.structures.transform import (
    TransformationError,
    add_positions,
    apply_structural,
    merge_teams,
    move,
    remove_layer,
    remove_positions,
    rescaled_authority,
    split_team,
)

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme"


@pytest.fixture(scope="module")
def imported() -> OrgChart:
    return load_org_chart(ACME / "org_chart.csv")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> OrgChart:
    """The command_and_control preset's generated hierarchy, as a chart file."""
    s = OrgModel(load_scenario("command_and_control"), rng=1, counterfactual=False).structure
    ids = np.array([f"p{i}" for i in range(s.n)], dtype=object)
    frame = pd.DataFrame(
        {
            "id": ids,
            "manager_id": np.where(s.manager >= 0, ids[np.maximum(s.manager, 0)], ""),
            "role": [ROLE_NAMES[r] for r in s.role],
            "unit": [s.unit_names[u] for u in s.unit],
        }
    )
    path = tmp_path_factory.mktemp("gen") / "generated.csv"
    frame.to_csv(path, index=False)
    return load_org_chart(path)


CHARTS = ("imported", "generated")


def _chart(request: pytest.FixtureRequest, name: str) -> OrgChart:
    return request.getfixturevalue(name)


def boss_of(c: OrgChart) -> dict[str, str]:
    """id -> manager id ('' for the top)."""
    return dict(zip(c.ids, np.where(c.manager >= 0, c.ids[np.maximum(c.manager, 0)], "")))


def unit_of(c: OrgChart) -> dict[str, str]:
    return dict(zip(c.ids, np.asarray(c.unit_names, dtype=object)[c.unit]))


def role_of(c: OrgChart) -> dict[str, int]:
    return dict(zip(c.ids, c.role.tolist()))


def managers(c: OrgChart, k: int = 2) -> list[str]:
    """Ids of ``k`` first-line managers (managers of front-line people) with most reports."""
    reports = c.reports()
    first_line = np.unique(c.manager[np.isin(c.role, (2, 3, 4))])
    order = first_line[np.argsort(-reports[first_line], kind="stable")]
    return [str(c.ids[i]) for i in order[:k]]


def changed(before: OrgChart, after: OrgChart) -> set[str]:
    """Ids present in both charts whose manager, unit or role differs."""
    b, u, r = boss_of(before), unit_of(before), role_of(before)
    b2, u2, r2 = boss_of(after), unit_of(after), role_of(after)
    return {i for i in b2 if i in b and (b[i], u[i], r[i]) != (b2[i], u2[i], r2[i])}


def valid(c: OrgChart) -> None:
    c.to_structure(rng=np.random.default_rng(0)).validate()


@pytest.mark.parametrize("name", CHARTS)
def test_move_a_team_to_another_manager_and_unit(request: pytest.FixtureRequest, name: str) -> None:
    c = _chart(request, name)
    lead, other = managers(c)
    new_boss = boss_of(c)[other]
    team = {i for i, b in boss_of(c).items() if b == lead}
    out = move(c, ids=[lead], to_manager=new_boss, unit="New unit")
    assert out.n == c.n and boss_of(out)[lead] == new_boss
    assert changed(c, out) == {lead} | team  # the lead's line and the team's unit, nobody else
    assert {unit_of(out)[i] for i in {lead} | team} == {"New unit"}
    assert all(boss_of(out)[i] == lead for i in team)  # the team keeps its lead
    only_lead = move(c, ids=[lead], unit="New unit", with_team=False)
    assert changed(c, only_lead) == {lead} and boss_of(only_lead) == boss_of(c)
    valid(out)


@pytest.mark.parametrize("name", CHARTS)
def test_move_people_between_managers(request: pytest.FixtureRequest, name: str) -> None:
    c = _chart(request, name)
    a, b = managers(c)
    people = sorted(i for i, m in boss_of(c).items() if m == a)[:2]
    out = move(c, ids=people, to_manager=b)
    assert changed(c, out) == set(people)
    assert all(boss_of(out)[i] == b for i in people)
    assert unit_of(out) == unit_of(c)
    with pytest.raises(TransformationError, match="reports to one of them"):
        move(c, ids=[boss_of(c)[a]], to_manager=a)  # a loop
    with pytest.raises(TransformationError, match="'nobody' is not in"):
        move(c, ids=["nobody"], to_manager=b)


@pytest.mark.parametrize("name", CHARTS)
def test_split_team_halves_a_span_with_a_new_peer_lead(
    request: pytest.FixtureRequest, name: str
) -> None:
    c = _chart(request, name)
    (lead,) = managers(c, 1)
    reports = sorted(i for i, m in boss_of(c).items() if m == lead)
    out = split_team(c, manager=lead, teams=2, title="Team Lead")
    new = f"{lead}-split-2"
    assert out.n == c.n + 1 and list(out.ids[c.n :]) == [new]
    assert boss_of(out)[new] == boss_of(c)[lead] and unit_of(out)[new] == unit_of(c)[lead]
    assert role_of(out)[new] == MANAGER and out.title[-1] == "Team Lead"
    spans = [sum(boss_of(out)[i] == m for i in reports) for m in (lead, new)]
    assert sorted(spans) == [len(reports) // 2, len(reports) - len(reports) // 2]
    moved = changed(c, out)
    assert moved <= set(reports) and len(moved) == spans[1]
    for r in (SALES,):  # each role dealt evenly
        k = [
            sum(boss_of(out)[i] == m and role_of(out)[i] == r for i in reports) for m in (lead, new)
        ]
        assert abs(k[0] - k[1]) <= 1
    valid(out)


@pytest.mark.parametrize("name", CHARTS)
def test_merge_teams_moves_reports_and_removes_the_other_lead(
    request: pytest.FixtureRequest, name: str
) -> None:
    c = _chart(request, name)
    keep, gone = managers(c)
    theirs = {i for i, m in boss_of(c).items() if m == gone}
    out = merge_teams(c, managers=[keep, gone])
    assert out.n == c.n - 1 and gone not in set(out.ids)
    assert changed(c, out) == theirs and all(boss_of(out)[i] == keep for i in theirs)
    assert out.reports()[list(out.ids).index(keep)] == c.reports()[list(c.ids).index(keep)] + len(
        theirs
    )
    valid(out)


@pytest.mark.parametrize("name", CHARTS)
def test_add_and_remove_positions(request: pytest.FixtureRequest, name: str) -> None:
    c = _chart(request, name)
    (lead,) = managers(c, 1)
    out = add_positions(c, count=3, role="sales", title="Account Executive", manager=lead, fte=0.5)
    assert out.n == c.n + 3 and changed(c, out) == set()
    new = [f"{lead}-new-{k}" for k in (1, 2, 3)]
    assert list(out.ids[c.n :]) == new
    assert all(boss_of(out)[i] == lead and role_of(out)[i] == SALES for i in new)
    assert out.fte[c.n :].tolist() == [0.5] * 3 and (out.row[c.n :] == -1).all()
    again = add_positions(out, count=1, role="other", title="Analyst", manager=lead, unit="Ops")
    assert again.ids[-1] == f"{lead}-new-4" and unit_of(again)[again.ids[-1]] == "Ops"
    valid(again)
    reports = {i for i, m in boss_of(c).items() if m == lead}
    up = boss_of(c)[lead]
    gone = remove_positions(c, ids=[lead])
    assert gone.n == c.n - 1 and changed(c, gone) == reports
    assert all(boss_of(gone)[i] == up for i in reports)
    with pytest.raises(TransformationError, match="top"):
        remove_positions(c, ids=[str(c.ids[c.manager < 0][0])])
    valid(gone)


def test_a_front_line_person_given_reports_becomes_a_manager(imported: OrgChart) -> None:
    """Anyone with reports is a manager, whatever the title (as on import)."""
    c = imported
    seller = str(c.ids[np.flatnonzero(c.role == SALES)[0]])
    lead, _ = managers(c)
    people = sorted(i for i, m in boss_of(c).items() if m == lead and i != seller)[:2]

    class T:  # a scenario's transformation item
        kind, ids, to_manager, unit, with_team = "move", people, seller, None, True

    out = apply_structural(c, [T()])
    assert role_of(out)[seller] == MANAGER
    assert changed(c, out) == {seller, *people}


def test_removing_a_layer_reports_the_authority_it_rescales(imported: OrgChart) -> None:
    """The default authority is scaled on the depth (1 - level / deepest): removing the regional
    directors moves the team leads up a level in a shallower chart, and says so."""
    out = remove_layer(imported, title="Regional Director")
    changes = rescaled_authority(imported, out)
    assert changes, "no authority re-scaled"
    assert sum(n for *_, n in changes) >= 30
    for title, a, b, n in changes:
        assert b != a and n >= 1 and title
    # a chart whose authority was set by decision rights keeps it: nothing is re-scaled there
    assert rescaled_authority(imported, imported) == []


def test_a_design_file_with_the_new_transformations_pays_its_restructuring(tmp_path: Path) -> None:
    """A proposed design that splits a team, adds two sellers and removes a support agent: the
    loaded design counts 3 positions added and 1 removed (without reports), and its change week
    pays the person cost for everyone moved, severance at staff pay for the agent and hiring
    plus training for each new position (ODD 8.H)."""
    from sim.mechanisms import change_programme

    text = f"""base = {str(ACME / "current.toml")!r}
name = "acme_new_kinds"

[[transformations]]
kind = "split_team"
manager = "E11120"
teams = 2

[[transformations]]
kind = "add_positions"
count = 2
role = "sales"
title = "Account Executive"
manager = "E72061"

[[transformations]]
kind = "remove_positions"
ids = ["E10094"]
"""
    path = tmp_path / "proposed.toml"
    path.write_text(text)
    prop = load_scenario(path).with_overrides({"horizon_weeks": 4, "burn_in_weeks": 4})
    inputs = prop.inputs
    assert (inputs.added, inputs.removed, inputs.removed_staff) == (3, 1, 1)
    chart = inputs.chart
    assert {"E11120-split-2", "E72061-new-1", "E72061-new-2"} <= set(chart.ids)
    assert "E10094" not in set(chart.ids)
    assert not inputs.moved[-3:].any()  # new positions are hired, not moved
    cp, pe = prop.change_programme, prop.people
    pay = pe.salary_annual * prop.economics.manager_salary_factor
    expected = change_programme.restructure_cost(
        int(inputs.moved.sum()), 0, pay, p=cp, n_removed_staff=1, staff_pay_annual=pe.salary_annual
    ) + 3 * (pe.hiring_cost + pe.training_cost)
    assert expected == pytest.approx(
        cp.restructure_cost_per_person * inputs.moved.sum()
        + cp.restructure_severance_weeks / 52 * pe.salary_annual
        + 3 * (pe.hiring_cost + pe.training_cost)
    )
    m = OrgModel(prop, rng=1, counterfactual=False)
    m.run(steps=1)
    assert m.ctx.changes.paid == pytest.approx(expected, rel=1e-12)  # no dial moves here
