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

``incentives`` and ``change_programme`` transformations change scenario fields, not the chart;
``sim.design`` applies them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.structures.base import EXECUTIVE, FRONT_LINE, MANAGER, ROLE_NAMES
from sim.structures.org_chart import OrgChart, OrgChartError, normalise_role

STRUCTURAL = ("remove_layer", "merge_units", "decision_rights")


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
    up = chart.manager.copy()
    # climb past removed managers, one vectorised hop per consecutive removed layer
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
        **_compact_units(chart, chart.unit[keep], chart.unit_names),
    )


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
        else:
            continue
        role = chart.role.copy()
        role[chart.manager < 0] = EXECUTIVE
        chart = chart.replace(role=role)
    return chart
