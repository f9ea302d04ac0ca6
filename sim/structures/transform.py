"""Proposed-design transformations of an imported org chart.

Each function takes a validated :class:`~sim.structures.org_chart.OrgChart` and returns a new one
(the input is never modified); :func:`apply_structural` applies a scenario's list in order. The
scenario declares them as ``[[transformations]]`` tables (``docs/ODD.md`` section 5.3 and
``README.md``, "Testing an org design"):

- ``remove_layer``: remove the managers of one layer, chosen by ``level`` (hops below the top,
  >= 1) and/or ``title`` (the role text in the chart, case-insensitive), optionally only in some
  ``units``. Their reports move to the layer above (the removed manager's own manager, or the
  first one up who is not removed); nobody else changes: headcount falls by exactly the removed
  managers.
- ``merge_units``: merge the named units into cross-functional pods. The managers who lead
  front-line people of those units become pod leads; the front-line people are dealt round the
  pods role by role, so every pod mixes sales, service and marketing (pod sizes differ by at
  most one per role). Each pod is a unit ``"<into> 1"``, ``"<into> 2"``, ...; the other
  managers of the merged units join unit ``"<into>"`` and keep their reporting lines. Headcount
  is unchanged. Being in one unit is what lets sales hear what service knows (ODD 6.2) and how
  service handlers are assigned (ODD 5.1).
- ``decision_rights``: set the base decision authority (the largest issue severity a person may
  decide alone, ODD 6.1) of everyone in the named model ``roles`` (optionally only in some
  ``units``) to ``authority``; nobody else's changes.

- ``move``: move the people with the given ``ids`` to manager ``to_manager`` and/or to unit
  ``unit`` (an existing unit or a new name). A moved manager keeps their team (reporting lines
  below the moved people never change); with ``with_team`` (the default) everyone below a moved
  person changes unit with them. Nobody else changes; headcount is unchanged.
- ``split_team``: deal the direct reports of ``manager`` into ``teams`` teams (role by role, as
  ``merge_units`` does, so sizes differ by at most one per role). The manager keeps the first;
  each other team gets a new lead position (title ``title``, default the manager's), a peer of
  the manager: same unit, reporting to the manager's own manager. Headcount rises by
  ``teams - 1``.
- ``merge_teams``: the direct reports of every manager in ``managers`` but the first move to
  the first, and the other managers' positions are removed. Headcount falls by
  ``len(managers) - 1``.
- ``add_positions``: ``count`` new positions of model role ``role`` and title ``title`` under
  ``manager``, in ``unit`` (default the manager's), each ``fte`` full-time at ``salary`` a
  year (default: the role's); ids
  ``"<manager>-new-1"``, ... Default authority (none in the front line).
- ``remove_positions``: remove the people with the given ``ids``; their reports move to their
  manager (the first one up not removed). The top cannot be removed, nor a sales person who
  owns customers in the customer file (``sim.design.lost_owners`` names them, their book and
  the fix).

After each one, the top is the executive and anyone with reports a manager, whatever the title
(as on import). Removing a layer (or positions) changes the levels the default authority is
scaled on (1 at the top, ``1 - level / deepest level`` for managers, ODD 6.1):
:func:`rescaled_authority` says whose base authority that moves.

``incentives`` and ``change_programme`` transformations change scenario fields, not the chart;
``sim.design`` applies them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import STRUCTURAL_TRANSFORMATIONS
from sim.structures.base import (
    EXECUTIVE,
    FRONT_LINE,
    MANAGER,
    OTHER,
    ROLE_NAMES,
    default_authority,
)
from sim.structures.org_chart import OrgChart, OrgChartError, normalise_role

#: The kinds this module applies: the scenario schema's list (one definition).
STRUCTURAL = STRUCTURAL_TRANSFORMATIONS


class TransformationError(OrgChartError):
    """A transformation cannot be applied to the chart (unknown unit, matches nobody, ...)."""


def _unit_mask(chart: OrgChart, units: Sequence[str], what: str) -> np.ndarray:
    """(n,) True for people in the named units (case-insensitive); all if ``units`` is empty."""
    if not units:
        return np.ones(chart.n, dtype=bool)
    names = {u.strip().lower(): i for i, u in enumerate(chart.unit_names)}
    missing = [u for u in units if u.strip().lower() not in names]
    if missing:
        raise TransformationError(
            f"{what}: unknown unit{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)}; units in {chart.source}: "
            f"{', '.join(repr(u) for u in chart.unit_names)}"
        )
    return np.isin(chart.unit, [names[u.strip().lower()] for u in units])


def _compact_units(chart: OrgChart, unit: np.ndarray, names: Sequence[str]) -> dict[str, Any]:
    """Drop units nobody is in any more; keep the order of the rest."""
    used = np.unique(unit)
    remap = np.full(len(names), -1, dtype=np.int64)
    remap[used] = np.arange(used.shape[0])
    return {"unit": remap[unit], "unit_names": tuple(names[i] for i in used)}


def remove_layer(
    chart: OrgChart,
    *,
    level: int | None = None,
    title: str | None = None,
    units: Sequence[str] = (),
    what: str = "remove_layer",
) -> OrgChart:
    """Remove a management layer; its reports move up to the layer above.

    Args:
        chart: the organisation.
        level: remove managers at this many hops below the top (>= 1).
        title: remove managers whose role text is this (case-insensitive).
        units: only in these units (default: everywhere).
        what: label for error messages.

    Returns:
        The chart without the removed managers; everyone else keeps their row, role and unit.

    Raises:
        TransformationError: if neither level nor title is given, a unit is unknown, or the
            selection matches no manager.
    """
    if level is None and title is None:
        raise TransformationError(f"{what}: give a level (>= 1) or a title to remove")
    sel = (chart.role == MANAGER) & (chart.manager >= 0) & _unit_mask(chart, units, what)
    if level is not None:
        if level < 1:
            raise TransformationError(f"{what}: level must be >= 1 (the top cannot be removed)")
        sel &= chart.level == level
    if title is not None:
        norm = normalise_role(pd.Series(chart.title, dtype=str)).to_numpy(dtype=object)
        sel &= norm == normalise_role(pd.Series([title], dtype=str)).iat[0]
    if not sel.any():
        parts = [f"level {level}" if level is not None else "", f"title {title!r}" if title else ""]
        where = f" in units {', '.join(units)}" if units else ""
        raise TransformationError(
            f"{what}: no manager matches {' and '.join(p for p in parts if p)}{where}; layers "
            f"in {chart.source} run from level 0 (top) to {int(chart.level.max())}"
        )
    return _drop(chart, sel)


def _drop(chart: OrgChart, sel: np.ndarray) -> OrgChart:
    """The chart without the people ``sel`` marks; their reports move to the first one up who
    stays (the top is never in ``sel``)."""
    up = chart.manager.copy()
    # climb past removed people, one vectorised hop per consecutive removed layer
    while True:
        hop = (up >= 0) & sel[np.maximum(up, 0)]
        if not hop.any():
            break
        up = np.where(hop, chart.manager[np.maximum(up, 0)], up)
    keep = ~sel
    new_index = np.cumsum(keep) - 1
    manager = np.where(up >= 0, new_index[np.maximum(up, 0)], -1)[keep]
    return chart.replace(
        ids=chart.ids[keep],
        manager=manager,
        role=chart.role[keep],
        title=chart.title[keep],
        name=chart.name[keep],
        location=chart.location[keep],
        fte=chart.fte[keep],
        row=chart.row[keep],
        authority=chart.authority[keep],
        salary=chart.salary[keep],
        **_compact_units(chart, chart.unit[keep], chart.unit_names),
    )


def _positions(chart: OrgChart, ids: Sequence[str], what: str, field: str = "ids") -> np.ndarray:
    """Positions of chart ids; TransformationError listing every id the chart does not have."""
    ids = [str(i).strip() for i in ids]
    pos = chart.index_of(np.asarray(ids, dtype=object))
    missing = [i for i, p in zip(ids, pos) if p < 0]
    if missing:
        raise TransformationError(
            f"{what}: {field}: {', '.join(repr(m) for m in missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not in {chart.source}; expected ids of the "
            "org chart (the id column)"
        )
    if len(set(pos.tolist())) != len(pos):
        raise TransformationError(f"{what}: {field}: an id is listed twice")
    return pos


def _below(chart: OrgChart, pos: np.ndarray) -> np.ndarray:
    """(n,) True for ``pos`` and everyone who reports to them, directly or not."""
    inside = np.zeros(chart.n, dtype=bool)
    inside[pos] = True
    while True:  # one vectorised step per layer
        grow = ~inside & (chart.manager >= 0) & inside[np.maximum(chart.manager, 0)]
        if not grow.any():
            return inside
        inside |= grow


def _unit_index(chart: OrgChart, unit: str) -> tuple[int, tuple[str, ...]]:
    """Index of a unit by name (case-insensitive), appending it when new."""
    names = list(chart.unit_names)
    for i, u in enumerate(names):
        if u.strip().lower() == unit.strip().lower():
            return i, tuple(names)
    return len(names), (*names, unit.strip())


def move(
    chart: OrgChart,
    *,
    ids: Sequence[str],
    to_manager: str | None = None,
    unit: str | None = None,
    with_team: bool = True,
    what: str = "move",
) -> OrgChart:
    """Move people (and the teams under them) to another manager and/or unit.

    Args:
        chart: the organisation.
        ids: chart ids of the people to move.
        to_manager: chart id of their new manager (default: they keep theirs).
        unit: their new unit, existing or new (default: they keep theirs).
        with_team: everyone below a moved person changes unit too.
        what: label for error messages.

    Returns:
        The chart with only those reporting lines and units changed.

    Raises:
        TransformationError: for an unknown id, moving the top, or a new manager who is one of
            the moved people or below them (a reporting loop).
    """
    if to_manager is None and unit is None:
        raise TransformationError(f"{what}: give a to_manager, a unit, or both")
    pos = _positions(chart, ids, what)
    if (chart.manager[pos] < 0).any():
        raise TransformationError(f"{what}: the top of the organisation cannot be moved")
    manager, names, unit_arr = chart.manager.copy(), chart.unit_names, chart.unit.copy()
    team = _below(chart, pos)
    if to_manager is not None:
        boss = int(_positions(chart, [to_manager], what, "to_manager")[0])
        if team[boss]:
            raise TransformationError(
                f"{what}: to_manager {to_manager!r} is one of the moved people or reports to "
                "one of them; expected a manager outside the moved teams"
            )
        manager[pos] = boss
    if unit is not None:
        k, names = _unit_index(chart, unit)
        unit_arr[team if with_team else pos] = k
    return chart.replace(manager=manager, unit=unit_arr, unit_names=names)


def _deal(chart: OrgChart, people: np.ndarray, k: int) -> np.ndarray:
    """Team 0..k-1 of each of ``people``, dealt role by role (sizes differ by one at most)."""
    order = np.lexsort((people, chart.role[people]))
    team = np.empty(people.shape[0], dtype=np.int64)
    team[order] = np.arange(people.shape[0]) % k
    return team


def _append(chart: OrgChart, k: int, **cols: Any) -> OrgChart:
    """The chart with ``k`` people added at the end; ``cols`` gives their arrays."""
    ids = np.asarray(cols["ids"], dtype=object)
    clash = set(ids.tolist()) & set(chart.ids.tolist())
    if clash:
        raise TransformationError(f"{cols['what']}: new id {sorted(clash)[0]!r} is already taken")
    text = np.full(k, "", dtype=object)
    return chart.replace(
        ids=np.concatenate([chart.ids, ids]),
        manager=np.concatenate([chart.manager, cols["manager"]]),
        role=np.concatenate([chart.role, np.full(k, cols["role"], dtype=chart.role.dtype)]),
        unit=np.concatenate([chart.unit, np.full(k, cols["unit"], dtype=chart.unit.dtype)]),
        unit_names=cols.get("unit_names", chart.unit_names),
        title=np.concatenate([chart.title, np.full(k, cols["title"], dtype=object)]),
        name=np.concatenate([chart.name, text]),
        location=np.concatenate([chart.location, text]),
        fte=np.concatenate([chart.fte, np.full(k, cols.get("fte", 1.0))]),
        row=np.concatenate([chart.row, np.full(k, -1, dtype=chart.row.dtype)]),
        authority=np.concatenate([chart.authority, np.full(k, np.nan)]),
        salary=np.concatenate([chart.salary, np.full(k, cols.get("salary", np.nan))]),
    )


def split_team(
    chart: OrgChart,
    *,
    manager: str,
    teams: int = 2,
    title: str | None = None,
    what: str = "split_team",
) -> OrgChart:
    """Split a manager's team; the new leads are the manager's peers.

    Args:
        chart: the organisation.
        manager: chart id of the manager whose direct reports are split.
        teams: number of teams (>= 2, at most the number of reports).
        title: title of the new leads (default: the manager's).
        what: label for error messages.

    Returns:
        The chart with ``teams - 1`` new positions (ids ``"<manager>-split-2"``, ...) at the end.

    Raises:
        TransformationError: for an unknown id, the top, or fewer reports than teams.
    """
    m = int(_positions(chart, [manager], what, "manager")[0])
    if chart.manager[m] < 0:
        raise TransformationError(
            f"{what}: {manager!r} is the top; the new leads would have no manager"
        )
    reports = np.flatnonzero(chart.manager == m)
    if teams < 2 or reports.shape[0] < teams:
        raise TransformationError(
            f"{what}: {manager!r} has {reports.shape[0]} direct reports; expected at least "
            f"teams = {teams} (>= 2)"
        )
    team = _deal(chart, reports, teams)
    new = chart.n + np.arange(teams - 1)
    mgr = chart.manager.copy()
    mgr[reports] = np.where(team == 0, m, chart.n + team - 1)
    out = chart.replace(manager=mgr)
    return _append(
        out,
        teams - 1,
        what=what,
        ids=[f"{chart.ids[m]}-split-{j + 2}" for j in range(teams - 1)],
        manager=np.full(new.shape[0], chart.manager[m]),
        role=MANAGER,
        unit=chart.unit[m],
        title=title or chart.title[m],
    )


def merge_teams(chart: OrgChart, *, managers: Sequence[str], what: str = "merge_teams") -> OrgChart:
    """Merge the teams of several managers under the first; the others' positions go.

    Raises:
        TransformationError: for an unknown id, the top among the removed, or a first manager
            who reports to one of the others.
    """
    pos = _positions(chart, managers, what, "managers")
    keep, gone = int(pos[0]), pos[1:]
    if (chart.manager[gone] < 0).any():
        raise TransformationError(f"{what}: the top of the organisation cannot be merged away")
    if _below(chart, gone)[keep]:
        raise TransformationError(
            f"{what}: {managers[0]!r} reports to one of the other managers; list the manager "
            "who keeps the merged team first and managers outside their line after"
        )
    mgr = chart.manager.copy()
    mgr[np.isin(mgr, gone)] = keep
    sel = np.zeros(chart.n, dtype=bool)
    sel[gone] = True
    return _drop(chart.replace(manager=mgr), sel)


def add_positions(
    chart: OrgChart,
    *,
    count: int,
    role: str,
    title: str,
    manager: str,
    unit: str | None = None,
    fte: float = 1.0,
    salary: float | None = None,
    what: str = "add_positions",
) -> OrgChart:
    """Add ``count`` positions under a manager (ids ``"<manager>-new-1"``, ...).

    Raises:
        TransformationError: for an unknown manager or role, or an id already taken.
    """
    if role not in ROLE_NAMES or role == "executive":
        raise TransformationError(
            f"{what}: role {role!r}; expected manager, sales, service, marketing or other"
        )
    m = int(_positions(chart, [manager], what, "manager")[0])
    k, names = _unit_index(chart, unit) if unit is not None else (int(chart.unit[m]), None)
    taken = set(chart.ids.tolist())
    start = 1
    while f"{chart.ids[m]}-new-{start}" in taken:  # a second add under the same manager
        start += 1
    return _append(
        chart,
        count,
        what=what,
        ids=[f"{chart.ids[m]}-new-{start + j}" for j in range(count)],
        manager=np.full(count, m),
        role=ROLE_NAMES.index(role),
        unit=k,
        unit_names=names or chart.unit_names,
        title=title,
        fte=fte,
        salary=np.nan if salary is None else float(salary),
    )


def remove_positions(
    chart: OrgChart, *, ids: Sequence[str], what: str = "remove_positions"
) -> OrgChart:
    """Remove positions; their reports move to the first manager up who stays.

    Raises:
        TransformationError: for an unknown id or the top.
    """
    pos = _positions(chart, ids, what)
    if (chart.manager[pos] < 0).any():
        raise TransformationError(f"{what}: the top of the organisation cannot be removed")
    sel = np.zeros(chart.n, dtype=bool)
    sel[pos] = True
    return _drop(chart, sel)


def base_authority(chart: OrgChart) -> np.ndarray:
    """(n,) base decision authority as the model builds it (``OrgChart.to_structure``): the set
    value, else the hierarchical default scaled on the chart's levels."""
    default = default_authority(chart.level, chart.role)
    return np.where(np.isnan(chart.authority), default, chart.authority)


def rescaled_authority(before: OrgChart, after: OrgChart) -> list[tuple[str, float, float, int]]:
    """Whose base authority a restructuring moves without setting it: people in both charts
    whose authority was not set (NaN) and whose default changes with their level or the depth.

    Returns:
        ``(title, before, after, people)`` per distinct change, most people first.
    """
    where = pd.Index(before.ids).get_indexer(after.ids)
    both = np.flatnonzero(where >= 0)
    a, b = base_authority(before)[where[both]], base_authority(after)[both]
    unset = np.isnan(after.authority[both]) & np.isnan(before.authority[where[both]])
    moved = unset & ~np.isclose(a, b)
    if not moved.any():
        return []
    t = pd.DataFrame(
        {
            "title": after.title[both][moved],
            "before": np.round(a[moved], 2),
            "after": np.round(b[moved], 2),
        }
    )
    g = t.groupby(["title", "before", "after"], sort=False).size().reset_index(name="n")
    g = g.sort_values("n", ascending=False, kind="stable")
    return [(str(r.title), float(r.before), float(r.after), int(r.n)) for r in g.itertuples()]


def merge_units(
    chart: OrgChart, *, units: Sequence[str], into: str, what: str = "merge_units"
) -> OrgChart:
    """Merge units into cross-functional pods led by their current team leads.

    Args:
        chart: the organisation.
        units: names of the units to merge (at least two).
        into: name of the merged unit; pods are named ``"<into> 1"``, ``"<into> 2"``, ...
        what: label for error messages.

    Returns:
        The chart with the merged units' front line re-dealt into mixed pods.

    Raises:
        TransformationError: for an unknown unit, a name clash or units without front line.
    """
    inside = _unit_mask(chart, units, what)
    into = into.strip()
    taken = {u.lower() for u in chart.unit_names}
    merged_names = {u.strip().lower() for u in units}
    if into.lower() in taken - merged_names:
        raise TransformationError(f"{what}: a unit called {into!r} already exists; pick another")
    front = np.flatnonzero(inside & np.isin(chart.role, FRONT_LINE))
    if front.shape[0] == 0:
        raise TransformationError(f"{what}: units {', '.join(units)} have no front-line people")
    leads = np.unique(chart.manager[front])
    n_pods = leads.shape[0]
    # deal each role round the pods in turn: pod sizes differ by at most one per role
    order = np.lexsort((front, chart.role[front]))
    pod = np.empty(front.shape[0], dtype=np.int64)
    pod[order] = np.arange(front.shape[0]) % n_pods
    manager = chart.manager.copy()
    manager[front] = leads[pod]
    names = list(chart.unit_names)
    base = len(names)
    names.append(into)
    names.extend(f"{into} {k + 1}" for k in range(n_pods))
    for name in names[base:]:
        if name.lower() in taken - merged_names:
            raise TransformationError(f"{what}: a unit called {name!r} already exists")
    unit = chart.unit.copy()
    unit[inside] = base
    unit[front] = base + 1 + pod
    unit[leads] = base + 1 + np.arange(n_pods)
    return chart.replace(manager=manager, **_compact_units(chart, unit, names))


def decision_rights(
    chart: OrgChart,
    *,
    roles: Sequence[str],
    authority: float,
    units: Sequence[str] = (),
    what: str = "decision_rights",
) -> OrgChart:
    """Set the base decision authority of the named model roles.

    Args:
        chart: the organisation.
        roles: model role names (executive, manager, sales, service, marketing).
        authority: new base authority in [0, 1].
        units: only in these units (default: everywhere).
        what: label for error messages.

    Returns:
        The chart with ``authority`` set for those people; everyone else's is unchanged.

    Raises:
        TransformationError: for an unknown role or unit, an authority outside [0, 1], or a
            selection that matches nobody.
    """
    bad = [r for r in roles if r not in ROLE_NAMES]
    if bad:
        raise TransformationError(f"{what}: unknown roles {bad}; expected {', '.join(ROLE_NAMES)}")
    if not 0.0 <= authority <= 1.0:
        raise TransformationError(f"{what}: authority must be in [0, 1] (got {authority})")
    codes = [ROLE_NAMES.index(r) for r in roles]
    sel = np.isin(chart.role, codes) & _unit_mask(chart, units, what)
    if not sel.any():
        raise TransformationError(f"{what}: nobody has role {', '.join(roles)} in those units")
    new = chart.authority.copy()
    new[sel] = authority
    return chart.replace(authority=new)


def apply_structural(chart: OrgChart, transformations: Sequence[Any]) -> OrgChart:
    """Apply the structural transformations of a scenario, in the order they are listed.

    Args:
        chart: the imported organisation.
        transformations: items with a ``kind`` attribute (the scenario's ``transformations``);
            kinds other than ``STRUCTURAL`` are skipped.

    Returns:
        The transformed chart (roles re-derived: the top is the executive, anyone with reports a
        manager).

    Raises:
        TransformationError: naming the transformation (its index and kind) that cannot apply.
    """
    for i, t in enumerate(transformations):
        what = f"transformations[{i}] ({t.kind})"
        if t.kind == "remove_layer":
            chart = remove_layer(chart, level=t.level, title=t.title, units=t.units, what=what)
        elif t.kind == "merge_units":
            chart = merge_units(chart, units=t.units, into=t.into, what=what)
        elif t.kind == "decision_rights":
            chart = decision_rights(
                chart, roles=t.roles, authority=t.authority, units=t.units, what=what
            )
        elif t.kind == "move":
            chart = move(
                chart,
                ids=t.ids,
                to_manager=t.to_manager,
                unit=t.unit,
                with_team=t.with_team,
                what=what,
            )
        elif t.kind == "split_team":
            chart = split_team(chart, manager=t.manager, teams=t.teams, title=t.title, what=what)
        elif t.kind == "merge_teams":
            chart = merge_teams(chart, managers=t.managers, what=what)
        elif t.kind == "add_positions":
            chart = add_positions(
                chart,
                count=t.count,
                role=t.role,
                title=t.title,
                manager=t.manager,
                unit=t.unit,
                fte=t.fte,
                salary=t.salary,
                what=what,
            )
        elif t.kind == "remove_positions":
            chart = remove_positions(chart, ids=t.ids, what=what)
        else:
            continue
        role = chart.role.copy()
        role[chart.manager < 0] = EXECUTIVE
        # anyone with reports is a manager, whatever the title (as on import); the earlier
        # kinds never give reports to anyone but a manager, so their charts are unchanged
        role[(chart.reports() > 0) & (np.isin(role, FRONT_LINE) | (role == OTHER))] = MANAGER
        chart = chart.replace(role=role)
    return chart
