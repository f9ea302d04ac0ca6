"""Tests of the organisation-structure generators in ``sim.structures``.

Every generator is checked against the same invariants (exact size, one primary tree, levels,
roles, authority, determinism), networkx-style edge cases (tiny n, extreme spans, bad
arguments) and a hypothesis property test; structure-specific tests check what makes each
structure what it is (single-function teams, silos, a second line, circles).
"""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.structures import (
    EXECUTIVE,
    FRONT_LINE,
    GENERATORS,
    MANAGER,
    MARKETING,
    ROLE_NAMES,
    SALES,
    SERVICE,
    OrgStructure,
    build_structure,
    functional_silos,
    hierarchical,
    matrix,
    self_organised,
)
from sim.structures.base import (
    balanced_tree,
    levels_from_managers,
    random_ties,
    team_ties,
    tree_size,
)

KINDS = list(GENERATORS)
LINE_KINDS = ["hierarchical", "functional_silos", "matrix"]  # authority falls down the line
SIZES = [2, 3, 5, 10, 37, 100, 1000]
SPANS = [2, 3, 8, 15]


def make(kind: str, n: int, seed: int = 0, **kwargs: object) -> OrgStructure:
    return GENERATORS[kind](n, rng=np.random.default_rng(seed), **kwargs)


def primary_tree(s: OrgStructure) -> nx.DiGraph:
    """The primary-line subgraph of the reporting DiGraph."""
    g = nx.DiGraph()
    g.add_nodes_from(s.reporting.nodes)
    g.add_edges_from((u, v) for u, v, line in s.reporting.edges(data="line") if line == "primary")
    return g


def walk_up(manager: np.ndarray, i: int) -> list[int]:
    """Ancestors of ``i`` by walking the manager array (the reference for ``ancestors``)."""
    out = []
    while manager[i] >= 0:
        i = int(manager[i])
        out.append(i)
    return out


# ---------------------------------------------------------------------------------------------
# Invariants shared by every generator
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("span", SPANS)
def test_exact_node_count_and_int_ids(kind: str, n: int, span: int) -> None:
    s = make(kind, n, span=span)
    assert s.n == n
    for g in (s.reporting, s.collaboration):
        nodes = sorted(g.nodes)
        assert nodes == list(range(n))
        assert all(type(v) is int for v in nodes)
    for name in ("manager", "second_manager", "unit", "role", "level", "authority"):
        assert getattr(s, name).shape == (n,)
    assert s.manager.dtype == np.int64 and s.second_manager.dtype == np.int64
    assert s.unit.dtype == np.int64 and s.level.dtype == np.int64
    assert s.role.dtype == np.int8 and s.authority.dtype == np.float64
    assert s.name == kind
    assert nx.number_of_selfloops(s.collaboration) == 0
    s.validate()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [2, 3, 10, 37, 300])
@pytest.mark.parametrize("span", [2, 8])
def test_primary_lines_form_one_tree(kind: str, n: int, span: int) -> None:
    s = make(kind, n, span=span, seed=3)
    tree = primary_tree(s)
    assert nx.is_arborescence(tree)
    roots = np.flatnonzero(s.manager < 0)
    assert roots.shape == (1,)
    root = int(roots[0])
    # levels equal depth below the single root
    depth = nx.single_source_shortest_path_length(tree, root)
    assert all(s.level[v] == d for v, d in depth.items())
    # primary edges mirror the manager array
    assert sorted(tree.edges) == sorted(
        (int(s.manager[v]), v) for v in range(n) if s.manager[v] >= 0
    )
    # roles are consistent with reports
    reports = s.span() + np.bincount(s.second_manager[s.second_manager >= 0], minlength=n)
    assert s.role[root] == EXECUTIVE and s.level[root] == 0
    assert (s.role == EXECUTIVE).sum() == 1
    assert np.isin(s.role[s.span() > 0], [EXECUTIVE, MANAGER]).all()
    assert (reports[s.role == MANAGER] > 0).all()
    front = s.front_line_mask()
    assert (reports[front] == 0).all()
    assert set(s.role[front].tolist()) <= set(FRONT_LINE)
    assert np.array_equal(front, np.isin(s.role, [SALES, SERVICE, MARKETING]))
    # node attributes mirror the arrays
    for v, data in s.reporting.nodes(data=True):
        assert (data["role"], data["unit"], data["level"]) == (
            s.role[v],
            s.unit[v],
            s.level[v],
        )
    assert s.unit.min() >= 0 and s.unit.max() < len(s.unit_names)


@pytest.mark.parametrize("kind", KINDS)
def test_managers_are_tied_to_their_reports(kind: str) -> None:
    s = make(kind, 200)
    for v in range(s.n):
        for m in (s.manager[v], s.second_manager[v]):
            if m >= 0:
                assert s.collaboration.has_edge(int(m), v)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [2, 10, 300])
def test_ancestors_agree_with_walking_the_manager_array(kind: str, n: int) -> None:
    s = make(kind, n, span=3, seed=1)
    anc = s.ancestors()
    assert anc.dtype == np.int64
    assert anc.shape == (n, s.level.max())
    for i in range(n):
        up = walk_up(s.manager, i)
        assert anc[i, : len(up)].tolist() == up
        assert (anc[i, len(up) :] == -1).all()
    assert np.array_equal(s.ancestors(max_depth=1)[:, 0], s.manager)
    assert s.ancestors(max_depth=0).shape == (n, 0)
    assert np.array_equal(s.ancestors(max_depth=10**6), anc)


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_gives_identical_structure(kind: str) -> None:
    a, b = make(kind, 300, seed=42), make(kind, 300, seed=42)
    for name in ("manager", "second_manager", "unit", "role", "level", "authority"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.unit_names == b.unit_names
    assert list(a.reporting.edges(data=True)) == list(b.reporting.edges(data=True))
    assert list(a.collaboration.edges) == list(b.collaboration.edges)


@pytest.mark.parametrize("kind", KINDS)
def test_different_seeds_give_different_ties(kind: str) -> None:
    a, b = make(kind, 300, seed=1), make(kind, 300, seed=2)
    ea = {tuple(sorted(e)) for e in a.collaboration.edges}
    eb = {tuple(sorted(e)) for e in b.collaboration.edges}
    assert ea != eb


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [4, 10, 37, 1000])
def test_sales_and_service_always_exist(kind: str, n: int) -> None:
    # the model needs account owners (sales) and handlers (service), even in tiny firms
    for span in SPANS:
        s = make(kind, n, span=span, seed=n)
        assert (s.role == SALES).any() and (s.role == SERVICE).any()


@pytest.mark.parametrize("kind", KINDS)
def test_role_mix_is_respected(kind: str) -> None:
    mix = (0.5, 0.3, 0.2)
    s = make(kind, 5000, role_mix=mix, seed=7)
    front = s.role[s.front_line_mask()]
    shares = np.array([(front == r).mean() for r in FRONT_LINE])
    assert np.allclose(shares, mix, atol=0.05), shares
    no_marketing = make(kind, 500, role_mix=(0.5, 0.5, 0.0))
    assert not (no_marketing.role == MARKETING).any()


@pytest.mark.parametrize("kind", KINDS)
def test_structure_is_immutable(kind: str) -> None:
    s = make(kind, 50)
    with pytest.raises(ValueError):
        s.authority[0] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Authority
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [2, 10, 300])
def test_authority_in_unit_interval_with_top_at_one(kind: str, n: int) -> None:
    s = make(kind, n)
    assert ((s.authority >= 0) & (s.authority <= 1)).all()
    assert s.authority[s.manager < 0] == pytest.approx([1.0])


@pytest.mark.parametrize("kind", LINE_KINDS)
@pytest.mark.parametrize("span", [2, 8])
def test_authority_falls_down_every_primary_line(kind: str, span: int) -> None:
    s = make(kind, 500, span=span)
    has = s.manager >= 0
    assert (s.authority[has] <= s.authority[s.manager[has]]).all()
    front = s.front_line_mask()
    assert (s.authority[front] == 0).all()
    managers = s.role == MANAGER
    assert ((s.authority[managers] > 0) & (s.authority[managers] < 1)).all()


def test_self_organised_puts_authority_at_the_edge() -> None:
    so, hi = make("self_organised", 300), make("hierarchical", 300)
    assert so.authority[so.front_line_mask()].min() > hi.authority[hi.front_line_mask()].max()
    assert set(so.authority[so.front_line_mask()].tolist()) == {0.5}
    assert set(so.authority[so.role == MANAGER].tolist()) == {0.8}


# ---------------------------------------------------------------------------------------------
# Who talks to whom
# ---------------------------------------------------------------------------------------------


def test_cross_unit_tie_share_orders_the_structures() -> None:
    share = {k: make(k, 500, seed=2024).cross_unit_tie_share() for k in KINDS}
    assert share["functional_silos"] < share["hierarchical"] < share["self_organised"]
    assert share["functional_silos"] < share["matrix"]
    assert all(0.0 <= v <= 1.0 for v in share.values())


def test_cross_unit_tie_share_of_a_graph_without_ties_is_zero() -> None:
    s = OrgStructure.from_arrays("tiny", [-1, 0], [EXECUTIVE, SALES], [0, 1], ("a", "b"))
    assert s.cross_unit_tie_share() == 1.0  # the line tie joins two units
    s2 = dataclasses.replace(s, ties=np.zeros((0, 2), dtype=np.int64))
    assert s2.cross_unit_tie_share() == 0.0


def test_hierarchical_teams_are_single_function_cliques_in_mixed_regions() -> None:
    s = make("hierarchical", 1000, span=8, seed=5)
    front = np.flatnonzero(s.front_line_mask())
    for lead in np.unique(s.manager[front]):
        team = np.flatnonzero(s.manager == lead)
        assert len(set(s.role[team].tolist())) == 1
        assert all(s.collaboration.has_edge(int(a), int(b)) for a in team for b in team if a < b)
    regions = [u for u, name in enumerate(s.unit_names) if name != "head office"]
    assert len(regions) >= 2
    for u in regions:
        assert set(s.role[(s.unit == u) & s.front_line_mask()].tolist()) == set(FRONT_LINE)


def test_big_teams_cap_within_team_degree() -> None:
    members = np.arange(100)
    team = np.repeat([0, 1, 2], [60, 30, 10])
    edges = team_ties(members, team, rng=np.random.default_rng(0), max_degree=10)
    g = nx.Graph()
    g.add_nodes_from(members)
    g.add_edges_from(edges.tolist())
    assert all(team[a] == team[b] for a, b in g.edges)
    deg = np.array([g.degree(v) for v in members])
    assert (deg[team < 2] == 10).all()  # big teams: degree-10 lattice
    assert (deg[team == 2] == 9).all()  # a team of 10 is a clique


def test_random_ties_respect_group_and_block() -> None:
    rng = np.random.default_rng(0)
    group = rng.integers(0, 5, 2000)
    block = rng.integers(0, 4, 2000)
    e = random_ties(3.0, group, block, rng=rng)
    assert (group[e[:, 0]] == group[e[:, 1]]).all()
    assert (block[e[:, 0]] != block[e[:, 1]]).all()
    assert (e[:, 0] < e[:, 1]).all() and len({tuple(x) for x in e.tolist()}) == e.shape[0]
    assert 2.5 < 2 * e.shape[0] / 2000 <= 3.0  # about 3 ties per person
    # no one is eligible: no ties, no error
    assert random_ties(3.0, np.zeros(10, np.int64), np.zeros(10, np.int64), rng=rng).shape == (
        0,
        2,
    )


def test_functional_silos_divisions_are_single_function_and_rarely_talk() -> None:
    s = make("functional_silos", 1000, seed=9)
    assert s.unit_names[:3] == ("sales", "service", "marketing")
    front = s.front_line_mask()
    assert np.array_equal(s.role[front] - SALES, s.unit[front])
    # each division is its own tree under the CEO
    top = int(np.flatnonzero(s.manager < 0)[0])
    heads = np.flatnonzero(s.manager == top)
    assert sorted(s.unit[heads].tolist()) == [0, 1, 2]
    assert s.cross_unit_tie_share() < 0.05
    more = functional_silos(1000, rng=np.random.default_rng(9), cross_unit_ties=2.0)
    assert more.cross_unit_tie_share() > s.cross_unit_tie_share()


@pytest.mark.parametrize("n", [3, 4, 10, 37, 1000])
def test_matrix_front_line_has_a_regional_second_manager(n: int) -> None:
    s = make("matrix", n, seed=n)
    front = np.flatnonzero(s.front_line_mask())
    sm = s.second_manager[front]
    assert (sm >= 0).all()
    assert (s.role[sm] == MANAGER).all() and (s.level[sm] == 1).all()
    assert (s.span()[sm] == 0).all()  # regional managers only have second-line reports
    assert (s.second_manager[~s.front_line_mask()] == -1).all()
    regions = np.unique(sm)
    assert 1 <= regions.shape[0] <= 4
    secondary = [(u, v) for u, v, ln in s.reporting.edges(data="line") if ln == "secondary"]
    assert sorted(secondary) == sorted((int(s.second_manager[v]), int(v)) for v in front)
    if n >= 100:
        assert regions.shape[0] == 4
        for r in regions:  # every region is cross-functional
            assert set(s.role[front[sm == r]].tolist()) == set(FRONT_LINE)


def test_matrix_regional_ties_are_cross_functional() -> None:
    s = matrix(2000, rng=np.random.default_rng(0), cross_unit_ties=0.0, n_regions=4)
    front = s.front_line_mask()
    cross = [
        (u, v)
        for u, v in s.collaboration.edges
        if front[u] and front[v] and s.manager[u] != s.manager[v]
    ]
    assert cross
    for u, v in cross:
        assert s.second_manager[u] == s.second_manager[v]
        assert s.role[u] != s.role[v]


def test_matrix_with_two_people_has_no_second_line() -> None:
    s = make("matrix", 2)
    assert (s.second_manager == -1).all()


def test_self_organised_circles_are_mixed_and_depth_is_logarithmic() -> None:
    s = make("self_organised", 5000, span=8, seed=4)
    front = s.front_line_mask()
    assert all(name.startswith("circle-") for name in s.unit_names)
    sizes = np.bincount(s.unit[front], minlength=len(s.unit_names))
    assert sizes.max() <= 9
    for u in np.flatnonzero(sizes >= 8):
        assert len(set(s.role[front & (s.unit == u)].tolist())) >= 2
    assert s.level.max() <= int(np.ceil(np.log(5000) / np.log(8))) + 1
    small = make("self_organised", 40, span=8)
    assert set(small.level[small.role == MANAGER].tolist()) == {1}  # circles <= span: level 1
    custom = self_organised(500, span=4, circle_size=12, rng=np.random.default_rng(0))
    leads = np.unique(custom.manager[custom.front_line_mask()])
    assert custom.span()[leads].max() <= 13
    assert custom.span()[custom.role == MANAGER].min() >= 1


# ---------------------------------------------------------------------------------------------
# Trees and the generic constructor
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 9, 10, 73, 74, 1000])
@pytest.mark.parametrize("span", [2, 3, 8])
def test_balanced_tree_has_exact_size_and_bounded_spans(n: int, span: int) -> None:
    mgr = balanced_tree(n, span)
    assert mgr.shape == (n,) and (mgr < 0).sum() == 1 and mgr[0] == -1
    assert (mgr[1:] < np.arange(1, n)).all()  # ids run top-down
    level = levels_from_managers(mgr)
    reports = np.bincount(mgr[mgr >= 0], minlength=n)
    leaves = reports == 0
    if n > 1:
        assert len(set(level[leaves].tolist())) == 1  # the front line sits at one depth
    assert reports.max() <= span + max(int(level.max()), 1)  # the surplus is below the depth


def test_tree_size_matches_the_classic_depth_by_span_tree() -> None:
    assert tree_size(64, 8) == 64 + 8 + 1
    assert tree_size(8, 8) == 9
    assert tree_size(1, 8) == 2
    mgr = balanced_tree(73, 8)
    assert np.bincount(levels_from_managers(mgr)).tolist() == [1, 8, 64]


def test_levels_from_managers_handles_deep_chains_and_cycles() -> None:
    chain = np.arange(-1, 99_999)  # a 100,000-long chain: pointer doubling, not recursion
    assert np.array_equal(levels_from_managers(chain), np.arange(100_000))
    with pytest.raises(ValueError, match="cycle"):
        levels_from_managers(np.array([-1, 2, 1]))
    with pytest.raises(ValueError, match="manager ids"):
        levels_from_managers(np.array([-1, 5]))


def test_from_arrays_builds_an_imported_chart() -> None:
    s = OrgStructure.from_arrays(
        "imported",
        manager=[-1, 0, 0, 1, 1, 2],
        role=["executive", "manager", "manager", "sales", "service", "marketing"],
        unit=[0, 1, 2, 1, 1, 2],
        unit_names=("board", "north", "south"),
        collaboration_edges=np.array([[3, 5], [5, 3], [4, 4]]),
    )
    assert s.level.tolist() == [0, 1, 1, 2, 2, 2]
    assert s.authority.tolist() == [1.0, 0.5, 0.5, 0.0, 0.0, 0.0]
    assert s.collaboration.has_edge(3, 5) and not s.collaboration.has_edge(4, 4)
    assert s.collaboration.number_of_edges() == 6  # 5 line ties + 1 extra
    assert s.span().tolist() == [2, 2, 1, 0, 0, 0]
    assert [ROLE_NAMES[r] for r in s.role] == [
        "executive",
        "manager",
        "manager",
        "sales",
        "service",
        "marketing",
    ]
    assert "imported" in repr(s) and "n=6" in repr(s)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"manager": [-1, -1, 0]}, "exactly one top"),
        ({"manager": [1, 2, 0]}, "exactly one top"),
        ({"manager": [-1, 2, 1]}, "cycle"),
        ({"manager": [-1, 0, 1]}, "has reports"),
        ({"role": [EXECUTIVE, MANAGER, MANAGER]}, "has no reports"),
        ({"role": [MANAGER, MANAGER, SALES]}, "EXECUTIVE"),
        ({"role": [EXECUTIVE, 9, SALES]}, "role codes"),
        ({"role": ["executive", "boss", "sales"]}, "unknown role"),
        ({"unit": [0, 0, 5]}, "unit indices"),
        ({"authority": [1.0, 1.5, 0.0]}, "authority"),
        ({"second_manager": [-1, -1, 1]}, "has reports"),
        ({"second_manager": [-1, -1, 0]}, "differ"),
        ({"collaboration_edges": [[0, 7]]}, "collaboration edge"),
        ({"role": [EXECUTIVE, SALES]}, "length"),
    ],
)
def test_from_arrays_rejects_broken_charts(kwargs: dict, match: str) -> None:
    base = {
        "name": "x",
        "manager": [-1, 0, 0],
        "role": [EXECUTIVE, SALES, SERVICE],
        "unit": [0, 0, 0],
        "unit_names": ("all",),
    }
    with pytest.raises(ValueError, match=match):
        OrgStructure.from_arrays(**{**base, **kwargs})


def test_validate_catches_inconsistent_levels_and_ties() -> None:
    s = make("hierarchical", 50)
    with pytest.raises(ValueError, match="level"):
        dataclasses.replace(s, level=s.level + 1).validate()
    with pytest.raises(ValueError, match="in 0..49"):
        dataclasses.replace(s, ties=np.array([[0, 50]])).validate()
    with pytest.raises(ValueError, match="self-loops"):
        dataclasses.replace(s, ties=np.array([[3, 3]])).validate()
    with pytest.raises(ValueError, match="listed once"):
        dataclasses.replace(s, ties=np.array([[1, 2], [1, 2]])).validate()
    with pytest.raises(ValueError, match="shape"):
        dataclasses.replace(s, ties=np.array([1, 2])).validate()
    with pytest.raises(ValueError, match="shape"):
        dataclasses.replace(s, authority=s.authority[:-1]).validate()


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("n", "kwargs", "match"),
    [
        (1, {}, "n_employees"),
        (0, {}, "n_employees"),
        (-5, {}, "n_employees"),
        (10.5, {}, "n_employees"),
        (10, {"span": 1}, "span"),
        (10, {"span": 0}, "span"),
        (10, {"role_mix": (0.5, 0.5, 0.5)}, "role_mix"),
        (10, {"role_mix": (-0.1, 0.6, 0.5)}, "role_mix"),
        (10, {"role_mix": (0.5, 0.5)}, "role_mix"),
        (10, {"role_mix": (float("nan"), 0.5, 0.5)}, "role_mix"),
    ],
)
def test_invalid_arguments_raise(kind: str, n: float, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make(kind, n, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("generator", "kwargs", "match"),
    [
        (hierarchical, {"cross_team_ties": -1.0}, "cross_team_ties"),
        (hierarchical, {"cross_unit_ties": float("inf")}, "cross_unit_ties"),
        (functional_silos, {"cross_unit_ties": -0.1}, "cross_unit_ties"),
        (matrix, {"n_regions": 0}, "n_regions"),
        (matrix, {"regional_ties": -3.0}, "regional_ties"),
        (self_organised, {"circle_size": 1}, "circle_size"),
        (self_organised, {"cross_circle_ties": -1.0}, "cross_circle_ties"),
    ],
)
def test_invalid_structure_options_raise(generator, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        generator(50, rng=np.random.default_rng(0), **kwargs)


def test_rng_is_required() -> None:
    with pytest.raises(TypeError):
        hierarchical(10)  # type: ignore[call-arg]


def test_build_structure_dispatches_and_rejects_unknown_kinds() -> None:
    s = build_structure("matrix", 60, rng=np.random.default_rng(0), span=4, n_regions=2)
    ref = matrix(60, rng=np.random.default_rng(0), span=4, n_regions=2)
    assert s.name == "matrix" and np.array_equal(s.second_manager, ref.second_manager)
    assert set(GENERATORS) == {"hierarchical", "functional_silos", "matrix", "self_organised"}
    with pytest.raises(ValueError, match="accepted kinds: hierarchical, functional_silos"):
        build_structure("holacracy", 60, rng=np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# Properties and scale
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=400),
    span=st.integers(min_value=2, max_value=12),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    mix=st.sampled_from(
        [(0.4, 0.45, 0.15), (0.5, 0.5, 0.0), (1 / 3, 1 / 3, 1 / 3), (0.1, 0.1, 0.8)]
    ),
)
def test_every_generator_returns_a_valid_structure(
    n: int, span: int, seed: int, mix: tuple[float, float, float]
) -> None:
    for kind in KINDS:
        s = make(kind, n, seed=seed, span=span, role_mix=mix)
        s.validate()
        assert s.n == n
        anc = s.ancestors()
        # the last non-padding ancestor of everyone but the top is the top
        depth = s.level
        top = int(np.flatnonzero(s.manager < 0)[0])
        has = depth > 0
        assert (anc[np.flatnonzero(has), depth[has] - 1] == top).all()


@pytest.mark.parametrize("kind", ["hierarchical", "self_organised"])
def test_hundred_thousand_people(kind: str) -> None:
    s = make(kind, 100_000)
    assert s.n == 100_000
    assert s.ancestors().shape[0] == 100_000
    assert 0.0 <= s.cross_unit_tie_share() <= 1.0
