"""HR exports through a mapping file (sim/structures/chart_map.py), `other` staff, FTE, `chart`.

The example exports of examples/exports/ must import as written (Workday-style, BambooHR-style by
manager name, a semicolon Excel export with BOM, CRLF and decimal commas); every mapping error
names the file and the key or row; `other` staff hold no customers; FTE 0.5 halves a position's
salary and a manager's decision capacity; ``python run.py chart`` previews and normalises.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import run
import sim
from sim.design import ResolvedInputs, input_files
from sim.mechanisms import economics, escalation
from sim.structures import MANAGER, OTHER, SALES, SERVICE, OrgStructure
from sim.structures.chart_map import (
    ChartMapError,
    compile_pattern,
    import_export,
    sniff_delimiter,
)
from sim.structures.org_chart import parse_org_chart
from sim.state import pick_positions

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "examples" / "exports"
CASES = ROOT / "tests" / "bad_inputs" / "org_chart" / "map"


def _export(name: str):
    return import_export(EXPORTS / f"{name}.csv", EXPORTS / f"{name}_map.toml")


@pytest.mark.parametrize(
    ("name", "people", "other"), [("workday", 105, 20), ("bamboohr", 58, 10), ("excel", 104, 25)]
)
def test_example_exports_import_through_their_maps(name: str, people: int, other: int) -> None:
    mapped = _export(name)
    assert mapped.unmapped == []
    chart = mapped.to_chart()
    assert chart.n == people
    assert int((chart.role == OTHER).sum()) == other
    assert (chart.role == SALES).sum() > 0 and (chart.role == SERVICE).sum() > 0
    s = sim.load_scenario(EXPORTS / f"{name}.toml")  # the scenario resolves and checks them
    assert s.inputs.chart.n == people
    assert EXPORTS / f"{name}_map.toml" in input_files(EXPORTS / f"{name}.toml")


def test_workday_titles_that_used_to_be_unknown_map_to_roles() -> None:
    c = _export("workday").to_chart()
    role = {str(t): int(r) for t, r in zip(c.title, c.role, strict=True)}
    assert role["Sr. Account Executive"] == SALES
    assert role["Customer Support Specialist"] == SERVICE
    assert role["VP, Sales"] == MANAGER and role["Director of Sales"] == MANAGER
    assert role["CMO"] == MANAGER  # has reports: a manager whatever the title
    assert role["Financial Analyst"] == OTHER
    assert sorted(set(c.fte.tolist())) == [0.5, 0.6, 0.8, 1.0]


def test_semicolon_excel_export_with_bom_crlf_and_decimal_commas() -> None:
    raw = (EXPORTS / "excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b";0,5\r\n" in raw
    m = _export("excel")
    assert m.delimiter == ";"
    c = m.to_chart()
    assert c.ids[0] == "5001" and c.name[0] == "Owen, Pia"  # the BOM is not part of the header
    assert 0.5 in c.fte.tolist()
    assert c.role[c.title == "Key Account Manager"].tolist() == [SALES] * int(
        (c.title == "Key Account Manager").sum()
    )  # sales is listed before manager in the map: the first match wins


def test_bamboohr_manager_names_resolve_to_ids() -> None:
    c = _export("bamboohr").to_chart()
    by_id = dict(zip(c.ids.tolist(), range(c.n), strict=True))
    text = (EXPORTS / "bamboohr.csv").read_text(encoding="utf-8").splitlines()[1:]
    for line in text[:10]:
        emp, first, last, reports_to = line.split(",")[:4]
        i = by_id[emp]
        if reports_to:
            assert c.name[c.manager[i]] == reports_to
        else:
            assert c.manager[i] == -1
        assert c.name[i] == f"{first} {last}"


def test_patterns_match_words_phrases_and_regexes() -> None:
    vp = compile_pattern("vp")
    assert vp.search("VP, Sales") and vp.search("Sr. VP") and not vp.search("MVP Award")
    ae = compile_pattern("account executive")
    assert ae.search("Sr. Account-Executive") and not ae.search("accounts executives")
    rx = compile_pattern("re:^sr\\.? ae$")
    assert rx.search("SR. AE") and not rx.search("Sr. AE lead")
    assert sniff_delimiter("a;b;c,d") == ";" and sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a,b") == ","


@pytest.mark.parametrize(
    ("export", "mapping", "expect"),
    [
        ("_export.csv", "map_unknown_column.toml", ["columns.title", "'Job Titel' is not in"]),
        ("_export.csv", "map_missing_id.toml", ["map_missing_id.toml", "columns.id", "missing"]),
        ("map_duplicate_ids.csv", "_map.toml", ["row 5", "column 'Employee #' (id)", "'3'"]),
        (
            "map_names_not_unique.csv",
            "_map_names.toml",
            ["unique names", "'Sam Reid' (2 people)"],
        ),
        (
            "map_unmapped_titles.csv",
            "_map.toml",
            [
                "6 job titles of 9 people",
                "'Data Analyst' (3), 'Receptionist' (2), 'Chef' (1), 'Driver' (1), "
                "'Legal Counsel' (1), 'Office Manager' (1);",
            ],
        ),
        ("_export.csv", "map_bad_regex.toml", ["roles.sales[1]", "bad regular expression"]),
        ("map_bad_fte.csv", "_map.toml", ["row 5", "column 'FTE' (fte)", "(0.0, 1.5]"]),
        ("_export.csv", "map_both_managers.toml", ["both manager_id and manager_name"]),
        ("_export.csv", "map_empty_roles.toml", ["roles: empty"]),
        ("_export.csv", "map_unknown_role.toml", ["roles.finance: unknown role"]),
    ],
)
def test_mapping_errors_name_the_file_and_the_key(
    export: str, mapping: str, expect: list[str]
) -> None:
    with pytest.raises(ChartMapError) as e:
        import_export(CASES / export, CASES / mapping).to_chart()
    msg = str(e.value)
    assert "\n" not in msg
    missing = [x for x in expect if x not in msg]
    assert not missing, msg


def test_unknown_manager_name_names_the_row(tmp_path: Path) -> None:
    text = (CASES / "map_names_not_unique.csv").read_text().replace("4,Sam Reid", "4,Tom Reid")
    text = text.replace("5,Flo Gray,Sam Reid", "5,Flo Gray,Nobody Here")
    (tmp_path / "x.csv").write_text(text)
    with pytest.raises(ChartMapError, match="row 6, column 'Manager': unknown manager"):
        import_export(tmp_path / "x.csv", CASES / "_map_names.toml")


def _model(chart=None, **overrides) -> sim.OrgModel:
    s = sim.load_scenario(EXPORTS / "workday.toml").with_overrides(
        {"burn_in_weeks": 0, "horizon_weeks": 8, **overrides}
    )
    s = sim.design.resolve_inputs(s)
    if chart is not None:
        s = s.with_inputs(ResolvedInputs(chart=chart, customers=None))
    return sim.OrgModel(s, rng=11, counterfactual=False)


def test_other_staff_hold_no_customers_take_no_issues_and_stay() -> None:
    m = _model()
    other = np.flatnonzero(m.state.emp.role == OTHER)
    assert other.shape[0] == 20
    for _ in range(8):
        m.step()
        c = m.state.cust
        assert not np.isin(c.owner[c.exists], other).any()
        assert not np.isin(c.handler[c.exists], other).any()
    e = m.state.emp
    assert e.filled[other].all()  # no turnover for other staff (docs/ODD.md 8.J)
    assert not e.front[other].any() and not e.leader[other].any()
    assert (e.degree[other] == 1).all()  # the tie to their manager only
    assert (e.base_authority[other] == 0).all()
    assert (e.backlog[other] == 0).all()


def test_other_staff_cannot_have_reports() -> None:
    with pytest.raises(ValueError, match="has reports"):
        OrgStructure.from_arrays("x", [-1, 0, 1, 0, 0], [0, 5, 2, 2, 3], [0] * 5, ("u",))


def test_fte_half_halves_salary_and_decision_capacity() -> None:
    filled = np.ones(3, dtype=bool)
    staff = np.array([True, True, False])
    full = economics.weekly_staff_cost(filled, staff, 52_000.0)
    half = economics.weekly_staff_cost(filled, staff, 52_000.0, fte=np.array([1.0, 0.5, 1.0]))
    assert full - half == pytest.approx(500.0)
    cap = escalation.manager_capacity(16.0, filled, fte=np.array([1.0, 0.5, 1.0]))
    assert cap.tolist() == [16.0, 8.0, 16.0]
    # in a run: one sales person and one manager at 0.5 FTE
    base = _model().ctx.scenario.inputs.chart
    seller = int(np.flatnonzero(base.role == SALES)[0])
    lead = int(np.flatnonzero(base.role == MANAGER)[0])
    fte = np.ones(base.n)
    ones = _model(base.replace(fte=fte.copy()))
    fte[[seller, lead]] = 0.5
    halves = _model(base.replace(fte=fte))
    ones.step()
    halves.step()
    sc = ones.ctx.scenario
    # the example export gives both their salaries (issue 19): half of each is saved
    assert not np.isnan(base.salary[[seller, lead]]).any()
    expected = 0.5 * (base.salary[seller] + base.salary[lead]) / 52.0
    assert (
        ones.state.emp.filled[[seller, lead]].all()
        and halves.state.emp.filled[[seller, lead]].all()
    )
    # the books differ (a half-time seller is planned half the accounts), so take out the cost
    # of serving the revenue (1 - gross margin) and compare what the positions cost
    gm = sc.economics.gross_margin
    a1, a2 = ones.last_week.accounts, halves.last_week.accounts
    assert ones.last_week.people.hired == halves.last_week.people.hired == 0
    got = (a1.cost - (1 - gm) * a1.revenue) - (a2.cost - (1 - gm) * a2.revenue)
    assert got == pytest.approx(expected, rel=1e-9)
    cap1, cap2 = ones.last_week.decisions.capacity, halves.last_week.decisions.capacity
    assert cap2[lead] == pytest.approx(0.5 * cap1[lead]) and cap2[seller] == pytest.approx(
        0.5 * cap1[seller]
    )


def test_pick_positions_is_the_uniform_draw_when_every_fte_is_one() -> None:
    pool = np.array([3, 5, 8, 13])
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    got = pick_positions(pool, np.ones(20), 500, a)
    assert np.array_equal(got, pool[b.integers(0, 4, 500)])
    assert a.random() == b.random()  # and leaves the stream where the uniform draw did


def test_pick_positions_draws_in_proportion_to_fte() -> None:
    fte = np.ones(10)
    fte[[1, 4]] = (0.5, 0.25)
    pool = np.array([0, 1, 4])
    got = pick_positions(pool, fte, 20_000, np.random.default_rng(9))
    counts = np.array([(got == i).sum() for i in pool])
    # chi-square goodness of fit against shares 1 : 0.5 : 0.25
    assert stats.chisquare(counts, 20_000 * fte[pool] / fte[pool].sum()).pvalue > 0.001


def test_part_timers_hold_books_in_proportion_and_carry_the_planned_workload() -> None:
    base = _model().ctx.scenario.inputs.chart
    sellers = np.flatnonzero(base.role == SALES)
    part = sellers[::2]
    fte = np.ones(base.n)
    fte[part] = 0.5
    m = _model(base.replace(fte=fte), **{"customers.count": 6000})
    m.step()
    e, c = m.state.emp, m.state.cust
    book = np.bincount(c.owner[c.exists], minlength=e.n).astype(float)
    full = np.setdiff1d(sellers, part)
    # half-time sellers hold about half the accounts of full-time ones ...
    assert 0.42 < book[part].mean() / book[full].mean() < 0.58
    # ... so their workload against a half-time plan is about a full-timer's (not twice it)
    assert 0.85 < e.workload[part].mean() / e.workload[full].mean() < 1.15


def _chart_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_chart_command_previews_and_writes_a_chart_that_loads_without_a_map(
    tmp_path: Path,
) -> None:
    out = tmp_path / "normalised.csv"
    code, text, err = _chart_cli(
        [
            "chart",
            str(EXPORTS / "workday.csv"),
            "--map",
            str(EXPORTS / "workday_map.toml"),
            "--out",
            str(out),
        ]
    )
    assert code == 0, err
    assert "105 people, 102.4 FTE" in text
    assert "  other            20   19.0%" in text
    assert "5 layers" in text and "22 managers for 83 staff" in text
    assert "7 reports: 21049 Dan Reid (Support Team Lead)" in text
    assert "  Sales - East                             15        3     12      0.25" in text
    a, b = _export("workday").to_chart(), parse_org_chart(out)
    for f in ("ids", "manager", "role", "unit", "title", "name", "fte"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    assert a.unit_names == b.unit_names


def test_chart_command_lists_unmapped_titles_and_refuses_inputs(tmp_path: Path) -> None:
    code, text, err = _chart_cli(
        ["chart", str(CASES / "map_unmapped_titles.csv"), "--map", str(CASES / "_map.toml")]
    )
    assert code == 2
    assert "Unmapped job titles (6" in text and "      3  Data Analyst" in text
    assert err.count("\n") == 1 and "'Data Analyst' (3)" in err
    code, _, err = _chart_cli(
        ["chart", str(EXPORTS / "workday.csv"), "--out", str(EXPORTS / "workday.csv")]
    )
    assert code == 2 and "would overwrite" in err
