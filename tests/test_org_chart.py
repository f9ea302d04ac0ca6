"""Org-chart import, customer files, proposed-design transformations and scenario wiring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
import sim.structures.org_chart as org_chart
from sim.design import structure_from_scenario, transformed_chart
from sim.errors import InputError
from sim.inputs import load_scenario
from sim.scenario import ScenarioError
from sim.structures import EXECUTIVE, MANAGER, MARKETING, SALES, SERVICE
from sim.structures.org_chart import (
    ROLE_SYNONYMS,
    ChartStructure,
    OrgChartError,
    load_org_chart,
    parse_customers,
    parse_org_chart,
)
from sim.structures.transform import (
    TransformationError,
    decision_rights,
    merge_units,
    remove_layer,
)
from tests.conftest import cli, one_error_line, write_big_chart

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme"

HEADER = "id,manager_id,role,unit\n"
# rows 2..: CEO; two heads; two team leads under sales; front line
SMALL = HEADER + (
    "ceo,,Chief Executive,HQ\n"  # row 2
    "hs,ceo,Head of Sales,Sales\n"  # row 3
    "hv,ceo,Head of Service,Service\n"  # row 4
    "t1,hs,Team Leader,Sales\n"  # row 5
    "t2,hs,Team Leader,Sales\n"  # row 6
    "t3,hv,Team Leader,Service\n"  # row 7
    "t4,hv,Team Leader,Service\n"  # row 8
    "a1,t1,Account Executive,Sales\n"  # row 9
    "a2,t1,account  executive,Sales\n"
    "a3,t2,SALES,Sales\n"
    "a4,t2,Business-Development_Representative,Sales\n"
    "s1,t3,Support,Service\n"
    "s2,t3,support agent,Service\n"
    "s3,t4,Customer Service,Service\n"
    "s4,t4,customer success manager,Service\n"
    "m1,ceo,Marketing Specialist,Marketing\n"
)


def write(tmp_path: Path, text: str | bytes, name: str = "chart.csv") -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def chart_of(tmp_path: Path, text: str | bytes = SMALL):
    return parse_org_chart(write(tmp_path, text))


# ------------------------------------------------------------------------------------ loading


def test_small_chart_maps_roles_and_levels(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    role = dict(zip(c.ids, c.role))
    assert role["ceo"] == EXECUTIVE
    assert all(role[k] == MANAGER for k in ("hs", "hv", "t1", "t2", "t3", "t4"))
    assert all(role[k] == SALES for k in ("a1", "a2", "a3", "a4"))
    assert all(role[k] == SERVICE for k in ("s1", "s2", "s3", "s4"))
    assert role["m1"] == MARKETING
    assert c.unit_names == ("HQ", "Sales", "Service", "Marketing")
    assert dict(zip(c.ids, c.level))["a1"] == 3
    assert c.row.tolist() == list(range(2, 2 + c.n))
    s = c.to_structure(rng=np.random.default_rng(0))
    assert isinstance(s, ChartStructure) and s.n == c.n
    s.validate()
    # default authority: top 1, falling with level, front line 0
    assert s.authority[0] == 1.0 and s.authority[list(c.ids).index("a1")] == 0.0


def test_anyone_with_reports_becomes_manager_unless_top(tmp_path: Path) -> None:
    text = HEADER + "b,,Head of Sales,X\nx,b,Account Executive,X\ny,x,Account Executive,X\n"
    text += "z,b,Support,X\n"
    c = chart_of(tmp_path, text)
    assert c.role.tolist() == [EXECUTIVE, MANAGER, SALES, SERVICE]


def test_bom_optional_columns_extra_columns_and_blank_lines(tmp_path: Path) -> None:
    lines = SMALL.splitlines()
    text = (
        "\ufeffID, Manager_ID ,Role,Unit,name,FTE,location,cost centre\n"
        + "\n".join(f'{ln},Ann O\'Neil,0.5,"Leeds, UK",cc1' for ln in lines[1:6])
        + "\n\n   \n"
        + "\n".join(f"{ln},,, ,cc2" for ln in lines[6:])
        + "\n\n"
    )
    c = parse_org_chart(write(tmp_path, text.encode("utf-8")))
    assert c.n == len(lines) - 1
    assert c.fte[:5].tolist() == [0.5] * 5 and c.fte[5:].tolist() == [1.0] * (c.n - 5)
    assert c.location[0] == "Leeds, UK" and c.name[0] == "Ann O'Neil"
    assert c.row[5] == 9  # two blank lines skipped before it


def test_every_synonym_is_accepted(tmp_path: Path) -> None:
    bosses = [*ROLE_SYNONYMS["manager"], *ROLE_SYNONYMS["executive"]]
    staff = [s for k in ("sales", "service", "marketing") for s in ROLE_SYNONYMS[k]]
    rows = ["top,,ceo,U", "tl,top,team leader,U", "sv,tl,support,U"]
    rows += [f"p{i},tl,{s.upper()},U" for i, s in enumerate(staff)]
    rows += [f"x{i},top,{s},U\ny{i},x{i},sales,U" for i, s in enumerate(bosses)]
    c = chart_of(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert c.n == 3 + len(staff) + 2 * len(bosses)
    front = {c.ids[i]: c.role[i] for i in range(c.n)}
    for i, s in enumerate(staff):
        key = next(k for k in ("sales", "service", "marketing") if s in ROLE_SYNONYMS[k])
        assert front[f"p{i}"] == {"sales": SALES, "service": SERVICE, "marketing": MARKETING}[key]


BAD_CASES = [
    pytest.param(
        SMALL + "a1,t1,Account Executive,Sales\n",
        ["row 18", "column id", "duplicate id 'a1'", "row 9"],
        id="duplicate-id",
    ),
    pytest.param(
        SMALL + "z1,nobody,Support,Service\n",
        ["row 18", "column manager_id", "unknown manager 'nobody'"],
        id="unknown-manager",
    ),
    pytest.param(
        SMALL + "z1,z1,Support,Service\n",
        ["row 18", "column manager_id", "own manager"],
        id="self-manager",
    ),
    pytest.param(
        SMALL + "c1,c2,Team Leader,X\nc2,c3,Team Leader,X\nc3,c1,Team Leader,X\n",
        ["rows 18, 19, 20", "column manager_id", "cycle", "'c1'"],
        id="cycle",
    ),
    pytest.param(
        SMALL + "boss2,,CEO,HQ\n",
        ["rows 2, 18", "column manager_id", "exactly one top person", "fill in manager_id"],
        id="two-tops",
    ),
    pytest.param(
        SMALL + "z1,t1,Astronaut,Sales\n",
        ["row 18", "column role", "unknown role 'Astronaut'", "account executive"],
        id="unknown-role",
    ),
    pytest.param(
        SMALL + "z1,t1,,Sales\n",
        ["row 18", "column role", "empty"],
        id="empty-role",
    ),
    pytest.param(
        SMALL + "z1,t1,Team Leader,Sales\n",
        ["row 18", "column role", "no reports"],
        id="manager-without-reports",
    ),
    pytest.param(
        SMALL + ",t1,Support,Sales\n",
        ["row 18", "column id", "empty"],
        id="empty-id",
    ),
    pytest.param(
        SMALL + "z1,t1,Support,\n",
        ["row 18", "column unit", "empty"],
        id="empty-unit",
    ),
    pytest.param(
        SMALL + "z1,t1,Support,Sales,extra\n",
        ["row 18", "5 cells", "4 columns"],
        id="too-many-cells",
    ),
    pytest.param("", ["empty"], id="empty-file"),
    pytest.param("\n  \n\n", ["empty"], id="blank-file"),
    pytest.param(HEADER, ["no data rows"], id="header-only"),
    pytest.param(
        "id,manager_id,role\nceo,,ceo\n",
        ["row 1", "missing column unit", "expected columns id, manager_id, role, unit"],
        id="missing-column",
    ),
    pytest.param(
        "id,manager_id,role,unit,role\n",
        ["row 1", "column 5", "'role' appears twice"],
        id="repeated-column",
    ),
    pytest.param(
        SMALL.replace(",", ";"),
        ["row 1", "semicolons", "comma"],
        id="semicolon-delimiter",
    ),
    pytest.param(SMALL.replace(",", "\t"), ["row 1", "tabs"], id="tab-delimiter"),
    pytest.param(
        SMALL.encode("utf-8") + "z1,t1,Support,Kundendienst Köln\n".encode("latin-1"),
        ["row 18", "not UTF-8", "CSV UTF-8"],
        id="latin-1",
    ),
    pytest.param(SMALL.encode("utf-16"), ["UTF-16", "UTF-8"], id="utf-16"),
    pytest.param(
        HEADER + "ceo,,ceo,HQ\nt,ceo,team leader,HQ\na,t,sales,HQ\n",
        ["service role"],
        id="no-service",
    ),
    pytest.param(
        "id,manager_id,role,unit,fte\n"
        + "ceo,,ceo,HQ,1\na,ceo,sales,HQ,lots\ns,ceo,support,HQ,1\n",
        ["row 3", "column fte", "'lots'"],
        id="bad-fte",
    ),
]


@pytest.mark.parametrize(("text", "fragments"), BAD_CASES)
def test_validation_names_file_row_column_and_expectation(
    tmp_path: Path, text: str | bytes, fragments: list[str]
) -> None:
    p = write(tmp_path, text)
    with pytest.raises(OrgChartError) as err:
        parse_org_chart(p)
    msg = str(err.value)
    assert isinstance(err.value, InputError)
    assert msg.startswith(str(p)) and "\n" not in msg
    for f in fragments:
        assert f in msg, msg


def test_row_numbers_count_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    lines = SMALL.splitlines(keepends=True)
    text = lines[0] + lines[1] + "\n\n" + '"hs",ceo,Head of Sales,"Sales\nand more"\n'
    text += "".join(lines[3:]) + "z1,nobody,Support,Service\n"
    with pytest.raises(OrgChartError, match=r"row 21, column manager_id"):
        parse_org_chart(write(tmp_path, text))


def test_cycle_in_a_long_chain_is_found_without_recursion(tmp_path: Path) -> None:
    n = 60_000
    ids = np.array([f"p{i}" for i in range(n)], dtype=object)
    mgr = np.concatenate([[""], ids[:-1]]).astype(object)
    mgr[0] = ""
    mgr[n // 2] = ids[-1]  # the second half loops on itself
    roles = np.where(np.arange(n) % 2 == 0, "team leader", "support").astype(object)
    df = pd.DataFrame({"id": ids, "manager_id": mgr, "role": roles, "unit": "U"})
    p = tmp_path / "chain.csv"
    df.to_csv(p, index=False)
    with pytest.raises(OrgChartError, match="cycle") as err:
        parse_org_chart(p)
    assert "-> ..." in str(err.value)


def big_chart(n: int, path: Path) -> Path:
    """A span-10 tree of n people: managers inside, sales/service/marketing at the leaves."""
    i = np.arange(n)
    mgr = np.where(i == 0, -1, (i - 1) // 10)
    has_reports = np.bincount(mgr[mgr >= 0], minlength=n) > 0
    leaf_role = np.array(["Account Executive", "Support", "Support Agent", "marketing"])[i % 4]
    role = np.where(i == 0, "CEO", np.where(has_reports, "Team Leader", leaf_role))
    region = np.where(i < 11, 0, i % 7)
    pd.DataFrame(
        {
            "id": [f"E{k:06d}" for k in i],
            "manager_id": ["" if m < 0 else f"E{m:06d}" for m in mgr],
            "role": role,
            "unit": [f"Region {r}" for r in region],
            "name": "Someone",
        }
    ).sample(frac=1.0, random_state=1).to_csv(path, index=False)
    return path


def test_a_100k_row_chart_loads(tmp_path: Path) -> None:
    p = big_chart(100_000, tmp_path / "big.csv")
    c = load_org_chart(p)
    assert c.n == 100_000
    assert (c.role == EXECUTIVE).sum() == 1
    s = c.to_structure(rng=np.random.default_rng(1))
    assert s.n == 100_000 and s.collaboration.number_of_edges() > 100_000


def test_load_is_cached_and_rereads_a_changed_file(tmp_path: Path) -> None:
    p = write(tmp_path, SMALL)
    assert load_org_chart(p) is load_org_chart(p)
    p.write_text(SMALL + "z9,t1,sales,Sales\n", encoding="utf-8")
    assert load_org_chart(p).n == parse_org_chart(write(tmp_path, SMALL)).n + 1


# ------------------------------------------------------------------------------ customer file


CUSTOMERS = "id,segment,annual_value,owner_id\n" + "".join(
    f"c{i},SMB,{1000 + i},{['a1', 'a2', 'a3', 'a4'][i % 4]}\n" for i in range(12)
)


def test_customer_file_loads(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    book = parse_customers(write(tmp_path, CUSTOMERS, "cust.csv"), c)
    assert len(book) == 12
    assert book.annual_value[:2].tolist() == [1000.0, 1001.0]
    assert c.ids[book.owners_in(c)].tolist() == book.owner_id.tolist()


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        ("x1,SMB,100,s1\n", ["row 14", "column owner_id", "'s1' is a service", "sales person"]),
        ("x1,SMB,100,ghost\n", ["row 14", "column owner_id", "'ghost' is not an id"]),
        ("x1,SMB,lots,a1\n", ["row 14", "column annual_value", "'lots'"]),
        ("x1,SMB,-5,a1\n", ["row 14", "column annual_value", ">= 0"]),
        ("c3,SMB,5,a1\n", ["row 14", "column id", "duplicate id 'c3'"]),
        ("x1,SMB,5,\n", ["row 14", "column owner_id", "empty"]),
    ],
)
def test_customer_file_validation(tmp_path: Path, extra: str, fragments: list[str]) -> None:
    c = chart_of(tmp_path)
    with pytest.raises(OrgChartError) as err:
        parse_customers(write(tmp_path, CUSTOMERS + extra, "cust.csv"), c)
    for f in fragments:
        assert f in str(err.value), str(err.value)


def test_customer_file_missing_column(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    with pytest.raises(OrgChartError, match="row 1.*missing column owner_id"):
        parse_customers(write(tmp_path, "id,segment,annual_value\nc1,SMB,5\n", "c.csv"), c)


# ---------------------------------------------------------------------------- transformations


def test_remove_layer_reparents_reports_to_the_layer_above(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    new = remove_layer(c, level=2, units=["Sales"])  # t1, t2
    assert new.n == c.n - 2
    assert set(c.ids) - set(new.ids) == {"t1", "t2"}
    boss = dict(zip(new.ids, new.ids[np.maximum(new.manager, 0)]))
    old_boss = dict(zip(c.ids, c.ids[np.maximum(c.manager, 0)]))
    for pid in new.ids:
        if old_boss[pid] in ("t1", "t2"):
            assert boss[pid] == "hs"
        elif pid != "ceo":
            assert boss[pid] == old_boss[pid]
    # roles and units of everyone else unchanged
    old_role, new_role = dict(zip(c.ids, c.role)), dict(zip(new.ids, new.role))
    assert all(old_role[k] == new_role[k] for k in new.ids)
    new.to_structure(rng=np.random.default_rng(0)).validate()


def test_remove_layer_by_title_and_consecutive_layers(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    new = remove_layer(c, title="team leader")
    assert new.n == c.n - 4 and int(new.level.max()) == 2
    both = remove_layer(remove_layer(c, title="Team Leader"), level=1, units=["Sales", "Service"])
    mgr = dict(zip(both.ids, both.ids[np.maximum(both.manager, 0)]))
    assert mgr["a1"] == "ceo" and mgr["s4"] == "ceo" and both.n == c.n - 6
    with pytest.raises(TransformationError, match="no manager matches level 5"):
        remove_layer(c, level=5)
    with pytest.raises(TransformationError, match="unknown unit 'Nowhere'"):
        remove_layer(c, level=2, units=["Nowhere"])


def test_merge_units_builds_mixed_pods(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    new = merge_units(c, units=["sales", "Service"], into="Pod")
    assert new.n == c.n and np.array_equal(new.ids, c.ids)
    pods = [u for u in new.unit_names if u.startswith("Pod ")]
    assert len(pods) == 4  # one pod per team lead
    for k in range(len(pods)):
        members = new.unit == new.unit_names.index(f"Pod {k + 1}")
        roles = set(new.role[members].tolist())
        assert {SALES, SERVICE, MANAGER} <= roles  # led, and cross-functional
    # heads keep their lines; marketing untouched
    i_hs, i_m1 = list(c.ids).index("hs"), list(c.ids).index("m1")
    assert new.manager[i_hs] == c.manager[i_hs]
    assert new.unit_names[new.unit[i_hs]] == "Pod"
    assert new.unit_names[new.unit[i_m1]] == "Marketing"
    s = new.to_structure(rng=np.random.default_rng(0))
    assert s.cross_unit_tie_share() >= 0
    with pytest.raises(TransformationError, match="already exists"):
        merge_units(c, units=["Sales", "Service"], into="Marketing")


def test_decision_rights_changes_only_the_named_roles(tmp_path: Path) -> None:
    c = chart_of(tmp_path)
    before = c.to_structure(rng=np.random.default_rng(0))
    after = decision_rights(c, roles=["service"], authority=0.45).to_structure(
        rng=np.random.default_rng(0)
    )
    changed = before.authority != after.authority
    assert np.array_equal(changed, before.role == SERVICE)
    assert np.all(after.authority[after.role == SERVICE] == 0.45)
    only_sales_unit = decision_rights(c, roles=["manager"], authority=0.9, units=["Sales"])
    assert np.all(np.isnan(only_sales_unit.authority[c.unit != c.unit_names.index("Sales")]))


# ------------------------------------------------------------------------------ scenarios


def scenario_files(tmp_path: Path, proposed_extra: str = "", current_extra: str = "") -> Path:
    write(tmp_path, SMALL, "chart.csv")
    write(tmp_path, CUSTOMERS, "customers.csv")
    (tmp_path / "current.toml").write_text(
        'name = "cur"\nhorizon_weeks = 6\n[organisation]\nstructure = "org_chart"\n'
        'org_chart = "chart.csv"\n[customers]\nfile = "customers.csv"\n' + current_extra
    )
    (tmp_path / "sub").mkdir(exist_ok=True)
    (tmp_path / "sub" / "proposed.toml").write_text(
        'base = "../current.toml"\nname = "prop"\n' + proposed_extra
    )
    return tmp_path


PROPOSED = """
[[transformations]]
kind = "remove_layer"
level = 2
units = ["Sales"]

[[transformations]]
kind = "merge_units"
units = ["Sales", "Service"]
into = "Pods"

[[transformations]]
kind = "decision_rights"
roles = ["sales", "service"]
authority = 0.4

[[transformations]]
kind = "incentives"
incentive_alignment = 0.7

[[transformations]]
kind = "change_programme"
intensity = 0.5
steps = [{ step = "urgency", week = 0 }, { step = "anchor", week = 3 }]
"""


def test_scenario_with_chart_base_and_transformations(tmp_path: Path) -> None:
    d = scenario_files(tmp_path, PROPOSED)
    cur = load_scenario(d / "current.toml")
    prop = load_scenario(d / "sub" / "proposed.toml")
    assert cur.organisation.org_chart == str((d / "chart.csv").resolve())
    assert prop.organisation.org_chart == cur.organisation.org_chart  # resolved at its own file
    assert cur.customers.count == 12 and prop.customers.count == 12
    assert [t.kind for t in prop.transformations][:2] == ["remove_layer", "merge_units"]
    # the proposed design starts as the current one; its changes apply at design.change_week
    # (ODD 8.H): the transformations' values are the targets in design.set
    assert prop.culture.incentive_alignment == 0.2 and cur.culture.incentive_alignment == 0.2
    assert prop.design.set["culture.incentive_alignment"] == 0.7 and prop.design.from_base
    steps = prop.design.set["change_programme.steps"]
    assert [s["step"] for s in steps] == ["urgency", "anchor"] and not prop.change_programme.steps
    assert prop.design.set["change_programme.intensity"] == 0.5
    assert prop.counterfactual().change_programme.steps == []
    assert not any(k.startswith("change_programme.") for k in prop.counterfactual().design.set)
    # --set after the transformations wins, before and after the change
    over = prop.with_overrides({"culture.incentive_alignment": 0.1})
    assert over.culture.incentive_alignment == 0.1
    assert "culture.incentive_alignment" not in over.design.set
    s = structure_from_scenario(prop, rng=np.random.default_rng(0))
    assert s.n == load_org_chart(d / "chart.csv").n - 2
    assert transformed_chart(prop).n == s.n


def test_model_runs_on_a_chart_with_the_customer_file(tmp_path: Path) -> None:
    """The customer file is the book the organisation starts from, and the model runs on it.

    Since version 2 (ODD 5.1, 8.A) the file's book is the state at the start of the burn-in:
    without a burn-in it is exactly the book at week 0; after the default 52 weeks at rest the
    file's customers keep their slots and owners, their values only grow (upsells), some have
    left and the customers won since fill the slots after the file's.
    """
    d = scenario_files(tmp_path, PROPOSED)
    owners = [["a1", "a2", "a3", "a4"][i % 4] for i in range(12)]
    values = np.array([1000.0 + i for i in range(12)])
    for name in ("current.toml", "sub/proposed.toml"):
        s = load_scenario(d / name)
        m0 = sim.OrgModel(s.with_overrides({"burn_in_weeks": 0}), rng=3)
        c, chart = m0.state.cust, m0.structure.chart
        assert chart.ids[c.owner[:12]].tolist() == owners
        assert c.value[:12].tolist() == values.tolist()
        assert int(c.exists.sum()) == 12 and c.active[:12].all()
        assert np.all(m0.state.emp.role[c.handler[:12]] == SERVICE)
        m = sim.OrgModel(s, rng=3)
        assert s.burn_in_weeks > 0 and m.state.week == 0
        assert isinstance(m.structure, ChartStructure)
        assert m.counterfactual is not None and m.counterfactual.structure is m.structure
        c, chart = m.state.cust, m.structure.chart
        assert chart.ids[c.owner[:12]].tolist() == owners
        assert (c.value[:12] >= values).all()
        assert (c.joined_week[:12] == -s.burn_in_weeks).all()
        won = c.joined_week[12 : int(c.exists.sum())]
        assert won.size > 0 and (won >= -s.burn_in_weeks).all() and (won < 0).all()
        assert np.all(m.state.emp.role[c.handler[c.exists]] == SERVICE)
        df = m.run()
        assert len(df) == 6 and np.isfinite(df["revenue"]).all()


def test_same_seed_same_results_and_generated_scenarios_unchanged(tmp_path: Path) -> None:
    d = scenario_files(tmp_path, PROPOSED)
    s = load_scenario(d / "sub" / "proposed.toml")
    a, b = sim.OrgModel(s, rng=4).run(), sim.OrgModel(s, rng=4).run()
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (
            '[[transformations]]\nkind = "merge_units"\nunits = ["Sales", "Nowhere"]\ninto = "P"\n',
            ["proposed.toml", "transformations[0] (merge_units)", "unknown unit 'Nowhere'"],
        ),
        (
            '[[transformations]]\nkind = "remove_layer"\n',
            ["proposed.toml", "transformations.0.remove_layer", "level"],
        ),
        (
            '[[transformations]]\nkind = "teleport"\n',
            ["proposed.toml", "transformations.0"],
        ),
        (
            '[[transformations]]\nkind = "decision_rights"\nroles = ["sales"]\nauthority = 2\n',
            ["proposed.toml", "authority", "less than or equal to 1 (got 2)"],
        ),
    ],
)
def test_bad_transformations_are_rejected_on_load(
    tmp_path: Path, extra: str, fragments: list[str]
) -> None:
    d = scenario_files(tmp_path, extra)
    with pytest.raises(InputError) as err:
        load_scenario(d / "sub" / "proposed.toml")
    for f in fragments:
        assert f in str(err.value), str(err.value)


def test_scenario_level_checks(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text('[organisation]\nstructure = "org_chart"\n')
    with pytest.raises(ScenarioError, match="org_chart: required"):
        load_scenario(p)
    p.write_text('[[transformations]]\nkind = "remove_layer"\nlevel = 1\n')
    with pytest.raises(ScenarioError, match="set structure = 'org_chart'"):
        load_scenario(p)
    p.write_text('[organisation]\nstructure = "org_chart"\norg_chart = "missing.csv"\n')
    with pytest.raises(InputError, match="missing.csv: no such file"):
        load_scenario(p)
    (tmp_path / "a.toml").write_text('base = "b.toml"\n')
    (tmp_path / "b.toml").write_text('base = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")
    # incentives and change programmes apply to generated structures too
    p.write_text('[[transformations]]\nkind = "incentives"\nincentive_alignment = 0.9\n')
    assert load_scenario(p).culture.incentive_alignment == 0.9


def test_customer_owner_must_survive_and_be_sales(tmp_path: Path) -> None:
    d = scenario_files(tmp_path)
    write(tmp_path, CUSTOMERS + "x,SMB,5,t1\n", "customers.csv")
    with pytest.raises(
        InputError, match=r"customers.csv: row 14, column owner_id: 't1' is a manager"
    ):
        load_scenario(d / "current.toml")


def test_example_company_loads() -> None:
    cur = load_scenario(ACME / "current.toml")
    prop = load_scenario(ACME / "proposed.toml")
    c, p = transformed_chart(cur), transformed_chart(prop)
    assert 300 <= c.n <= 1000
    assert p.n < c.n and int(p.level.max()) == int(c.level.max()) - 1
    assert cur.customers.count == len(pd.read_csv(ACME / "customers.csv"))


def test_example_generator_is_reproducible(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_org_chart", ACME / "make_org_chart.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    people, customers = mod.build()
    mod.write(people, tmp_path / "org_chart.csv")
    mod.write(customers, tmp_path / "customers.csv")
    for name in ("org_chart.csv", "customers.csv"):
        assert (tmp_path / name).read_bytes() == (ACME / name).read_bytes()


def test_cli_bad_chart_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    d = scenario_files(tmp_path)
    write(tmp_path, SMALL + "z1,t1,Astronaut,Sales\n", "chart.csv")
    out = tmp_path / "out.csv"
    line = one_error_line(cli("run", str(d / "current.toml"), "--out", str(out), cwd=tmp_path))
    assert line.startswith("error:")
    assert "chart.csv: row 18, column role: unknown role 'Astronaut'" in line
    assert not out.exists()


# ------------------------------------------------------------------ issue 15, class 7
def _big_chart(folder: Path, n: int) -> Path:
    """A valid chart of ``n`` people (a CEO, 20 managers, sales and service) and its scenario."""
    write_big_chart(folder / "chart.csv", n, managers=20)
    path = folder / "s.toml"
    path.write_text(
        'name = "big"\n[organisation]\nstructure = "org_chart"\norg_chart = "chart.csv"\n'
    )
    return path


def test_size_guard_counts_an_imported_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard sees the chart's head count, after parsing and before the structure is built;
    a chart too large by less than twice is refused on its exact count (no line-count miscount)."""
    from sim import sizing
    from sim.sizing import ModelTooLarge

    path = _big_chart(tmp_path, 3000)
    monkeypatch.setenv("SIM_MEMORY_LIMIT_MB", "100000")
    sc = load_scenario(path)
    assert sc.inputs is not None and sc.inputs.chart.n == 3000
    need = sizing.estimate_bytes(sc)
    # the chart's 3,000 people count, not organisation.employees
    generated = sc.with_overrides(
        {
            "organisation.structure": "hierarchical",
            "organisation.org_chart": None,
            "organisation.employees": 3000,
        }
    )
    assert abs(need - sizing.estimate_bytes(generated)) / need < 0.2
    org_chart._cached_chart.cache_clear()
    monkeypatch.setenv("SIM_MEMORY_LIMIT_MB", str(0.9 * need / 1e6))
    with pytest.raises(ModelTooLarge) as err:
        load_scenario(path)
    msg = str(err.value)
    assert "chart.csv: 3,000 people need about" in msg and "(counted as lines)" not in msg
    assert "fits at most about" in msg and "smaller org chart" in msg
    monkeypatch.setenv("SIM_MEMORY_LIMIT_MB", str(1.1 * need / 1e6))
    assert load_scenario(path).inputs.chart.n == 3000


def test_size_guard_refuses_a_huge_chart_before_parsing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Far over the limit, the line count refuses the file before pandas reads it."""
    from sim.sizing import ModelTooLarge

    path = _big_chart(tmp_path, 20_000)
    monkeypatch.setenv("SIM_MEMORY_LIMIT_MB", "200")
    org_chart._cached_chart.cache_clear()
    parsed: list[str] = []
    real = org_chart.parse_org_chart
    monkeypatch.setattr(org_chart, "parse_org_chart", lambda p: parsed.append(p) or real(p))
    with pytest.raises(ModelTooLarge, match=r"20,000 people \(counted as lines\) need about"):
        load_scenario(path)
    assert parsed == []
