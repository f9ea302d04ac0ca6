"""The business case from the chart (issue 19): salaries by person and by role, the payroll of a
design, severance at the removed people's own pay, bad salary cells, and a removed seller's book.

Arithmetic checks (a hand sum, an exact difference) rather than statistics: staff cost involves
no random draws once who is in post is fixed, so each figure is compared exactly (to float
rounding) with the sum written out by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.chart_preview import payroll
from sim.errors import InputError
from sim.model import OrgModel
from sim.processes.accounts import staff_cost
from sim.structures.chart_map import ChartMapError, import_export
from sim.structures.org_chart import OrgChartError, parse_org_chart
from sim.structures.transform import remove_layer
from tests.conftest import cli, one_error_line

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "examples" / "exports"
ACME = ROOT / "examples" / "acme"

#: A small chart: salaries by hand, one part-timer, one empty cell (the role's salary applies).
SMALL = """id,manager_id,role,unit,fte,salary
C,,CEO,HQ,1,"200,000"
D,C,Director,Sales,1,120000
M,D,Sales Manager,Sales,1,100000
S1,M,Account Executive,Sales,0.5,60000
S2,M,Account Executive,Sales,1,
V1,M,Support Agent,Sales,1,50000
V2,M,Support Agent,Sales,1,40000.50
"""
#: The hand sum: 200000 + 120000 + 100000 + 0.5 x 60000 + 55000 (people.salary_annual, the
#: sales default) + 50000 + 40000.50.
SMALL_PAYROLL = 200_000 + 120_000 + 100_000 + 30_000 + 55_000 + 50_000 + 40_000.50


def _small(tmp_path: Path, text: str = SMALL) -> Path:
    p = tmp_path / "chart.csv"
    p.write_text(text, encoding="utf-8")
    return p


def _scenario(tmp_path: Path, extra: str = "") -> sim.Scenario:
    _small(tmp_path)
    s = tmp_path / "s.toml"
    s.write_text(
        'name = "small"\nhorizon_weeks = 4\nburn_in_weeks = 0\n[organisation]\n'
        'structure = "org_chart"\norg_chart = "chart.csv"\n[customers]\ncount = 40\n' + extra
    )
    return sim.load_scenario(s)


def test_payroll_equals_the_hand_sum_on_a_small_chart(tmp_path: Path) -> None:
    chart = parse_org_chart(_small(tmp_path))
    assert payroll(chart).sum() == pytest.approx(SMALL_PAYROLL, rel=1e-12)
    m = OrgModel(_scenario(tmp_path), rng=1, counterfactual=False)
    m.state.emp.filled[:] = True  # everyone in post: the week's salaries are the whole payroll
    assert staff_cost(m.ctx) * 52 == pytest.approx(SMALL_PAYROLL, rel=1e-12)
    m.state.emp.filled[chart.index_of(["S1"])] = False  # a vacancy pays nothing
    assert staff_cost(m.ctx) * 52 == pytest.approx(SMALL_PAYROLL - 30_000, rel=1e-12)


def test_salaries_by_role_fill_the_empty_cells_only(tmp_path: Path) -> None:
    sc = _scenario(tmp_path, "[economics]\nsalary_sales = 70000\nsalary_service = 1\n")
    m = OrgModel(sc, rng=1, counterfactual=False)
    m.state.emp.filled[:] = True
    # S2's empty cell takes the sales salary; the given cells (incl. service) keep theirs
    assert staff_cost(m.ctx) * 52 == pytest.approx(SMALL_PAYROLL - 55_000 + 70_000, rel=1e-12)


def test_a_chart_without_salaries_costs_what_it_always_did(tmp_path: Path) -> None:
    """No salary column and no salary by role: the old formula, bit for bit."""
    from sim.mechanisms import economics

    rows = [line.split(",")[:5] for line in SMALL.splitlines()]  # without the salary column
    _small(tmp_path, "\n".join(",".join(r) for r in rows) + "\n")
    s = tmp_path / "s.toml"
    s.write_text(
        'name = "small"\nhorizon_weeks = 4\nburn_in_weeks = 0\n[organisation]\n'
        'structure = "org_chart"\norg_chart = "chart.csv"\n[customers]\ncount = 40\n'
    )
    sc = sim.load_scenario(s)
    m = OrgModel(sc, rng=1, counterfactual=False)
    e = m.state.emp
    assert np.isnan(e.salary).all()
    old = economics.weekly_staff_cost(
        e.filled, ~e.leader, sc.people.salary_annual, p=sc.economics, fte=e.fte
    )
    assert staff_cost(m.ctx) == old


def test_removing_a_layer_lowers_payroll_by_exactly_its_salaries(tmp_path: Path) -> None:
    before = import_export(EXPORTS / "workday.csv", EXPORTS / "workday_map.toml").to_chart()
    after = remove_layer(before, title="Director of Sales")
    gone = before.title == "Director of Sales"
    assert gone.sum() == 3
    assert payroll(before).sum() - payroll(after).sum() == pytest.approx(3 * 130_000, rel=1e-12)
    # and in a proposed design: the staff cost falls by those salaries, severance is their pay
    prop = tmp_path / "proposed.toml"
    prop.write_text(
        f"base = {str(EXPORTS / 'workday.toml')!r}\nname = 'flatter'\n[design]\nchange_week = 0\n"
        "[[transformations]]\nkind = 'remove_layer'\ntitle = 'Director of Sales'\n"
    )
    ps = sim.load_scenario(prop).with_overrides({"horizon_weeks": 2, "burn_in_weeks": 0})
    cs = sim.load_scenario(EXPORTS / "workday.toml").with_overrides(
        {"horizon_weeks": 2, "burn_in_weeks": 0}
    )
    assert ps.inputs.removed_salary.sum() == 3 * 130_000
    a, b = OrgModel(cs, rng=1, counterfactual=False), OrgModel(ps, rng=1, counterfactual=False)
    a.state.emp.filled[:] = True
    b.state.emp.filled[:] = True
    assert (staff_cost(a.ctx) - staff_cost(b.ctx)) * 52 == pytest.approx(3 * 130_000, rel=1e-9)
    b.run(steps=1)
    cp = ps.change_programme
    expected = cp.restructure_cost_per_person * ps.inputs.moved.sum() + (
        cp.restructure_severance_weeks / 52 * 3 * 130_000
    )
    assert b.ctx.changes.paid == pytest.approx(expected, rel=1e-12)


def test_bad_salary_cells_are_all_named_at_once(tmp_path: Path) -> None:
    text = SMALL.replace("120000", "abc").replace("50000\n", "-5\n").replace("40000.50", "1e5")
    p = _small(tmp_path, text)
    with pytest.raises(OrgChartError) as e:
        parse_org_chart(p)
    msg = str(e.value)
    assert "column salary: 3 cells are not a yearly salary" in msg
    assert "row 3 'abc', row 7 '-5', row 8 '1e5'" in msg
    res = cli("chart", str(p))
    assert "row 3 'abc', row 7 '-5', row 8 '1e5'" in one_error_line(res)


def test_bad_salary_cells_of_an_export_name_its_header(tmp_path: Path) -> None:
    df = pd.read_csv(EXPORTS / "workday.csv", dtype=str, keep_default_na=False)
    df.loc[[0, 5], "Annual Salary"] = ["n/a", "55.000,00"]
    csv = tmp_path / "w.csv"
    df.to_csv(csv, index=False)
    with pytest.raises(ChartMapError) as e:
        import_export(csv, EXPORTS / "workday_map.toml").to_chart()
    msg = str(e.value)
    assert "column 'Annual Salary' (salary): 2 cells" in msg
    assert "row 2 'n/a', row 7 '55.000,00'" in msg


def test_removing_a_seller_with_customers_says_who_how_many_and_the_fix(tmp_path: Path) -> None:
    book = pd.read_csv(ACME / "customers.csv", dtype=str)
    owner, n = book.owner_id.value_counts().index[0], int(book.owner_id.value_counts().iloc[0])
    prop = tmp_path / "proposed.toml"
    prop.write_text(
        f"base = {str(ACME / 'current.toml')!r}\nname = 'x'\n"
        f"[[transformations]]\nkind = 'remove_positions'\nids = [{owner!r}]\n"
    )
    with pytest.raises(InputError) as e:
        sim.load_scenario(prop)
    msg = str(e.value)
    assert "transformations[0] (remove_positions): 1 sales person who owns customers" in msg
    assert f"'{owner}' (" in msg and f"owns {n} customers and is removed" in msg
    assert "a sales colleague in the same team" in msg
    assert "change those customers' owner_id in customers.csv" in msg
    assert "never reassigned silently" in msg
    assert "row" not in msg.split("customers.csv")[0]  # not the customer file's first bad row
    line = one_error_line(cli("run", str(prop), "--weeks", "1"))
    assert f"owns {n} customers" in line


def test_a_seller_given_reports_leaves_sales_and_is_named_too(tmp_path: Path) -> None:
    """A ``move`` that puts someone under a customer owner makes the owner a manager: the book
    would have no sales owner, so the same message names them ('no longer in sales')."""
    book = pd.read_csv(ACME / "customers.csv", dtype=str)
    counts = book.owner_id.value_counts()
    owner, other = str(counts.index[0]), str(counts.index[-1])
    n = int(counts.iloc[0])
    prop = tmp_path / "proposed.toml"
    prop.write_text(
        f"base = {str(ACME / 'current.toml')!r}\nname = 'x'\n[[transformations]]\n"
        f"kind = 'move'\nids = [{other!r}]\nto_manager = {owner!r}\n"
    )
    with pytest.raises(InputError) as e:
        sim.load_scenario(prop)
    msg = str(e.value)
    assert "transformations[0] (move)" in msg
    assert f"'{owner}' (" in msg and f"owns {n} customers and is no longer in sales" in msg


def test_added_positions_cost_their_salary_and_the_change_cost_lists_severance(
    tmp_path: Path,
) -> None:
    """add_positions with a salary adds exactly count x salary x FTE to the payroll; the report's
    change-cost rows split out severance (the removed people's own pay) and hiring."""
    from sim.report import _change_cost

    prop = tmp_path / "proposed.toml"
    prop.write_text(
        f"base = {str(EXPORTS / 'workday.toml')!r}\nname = 'more sellers'\n"
        "[[transformations]]\nkind = 'add_positions'\ncount = 3\nrole = 'sales'\n"
        "title = 'Account Executive'\nmanager = '21041'\nfte = 0.5\nsalary = 72000\n"
        "[[transformations]]\nkind = 'remove_layer'\ntitle = 'Director of Sales'\n"
    )
    over = {"horizon_weeks": 2, "burn_in_weeks": 0}
    ps = sim.load_scenario(prop).with_overrides(over)
    cs = sim.load_scenario(EXPORTS / "workday.toml").with_overrides(over)
    added = 3 * 0.5 * 72_000
    diff = payroll(ps.inputs.chart).sum() - payroll(cs.inputs.chart).sum()
    assert diff == pytest.approx(added - 3 * 130_000, rel=1e-12)
    cost = _change_cost(ps, 1)
    cp, pe = ps.change_programme, ps.people
    assert cost["severance"] == pytest.approx(cp.restructure_severance_weeks / 52 * 390_000)
    assert cost["hiring_added"] == 3 * (pe.hiring_cost + pe.training_cost)
    assert cost["money"] == pytest.approx(
        cp.restructure_cost_per_person * ps.inputs.moved.sum()
        + cost["severance"]
        + cost["hiring_added"],
        rel=1e-12,
    )


def test_chart_preview_prints_the_payroll_and_out_keeps_the_salaries(tmp_path: Path) -> None:
    out = tmp_path / "normalised.csv"
    res = cli(
        "chart",
        str(EXPORTS / "workday.csv"),
        "--map",
        str(EXPORTS / "workday_map.toml"),
        "--out",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "salary column for 101 of 105 people" in res.stdout
    a = import_export(EXPORTS / "workday.csv", EXPORTS / "workday_map.toml").to_chart()
    total = f"{payroll(a).sum():,.0f}"
    assert f"  total           105    101{total:>16}" in res.stdout
    b = parse_org_chart(out)
    assert np.array_equal(a.salary, b.salary, equal_nan=True)
