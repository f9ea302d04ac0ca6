"""Org designs: scenarios built on an imported org chart, a base file and transformations.

``sim.load_scenario`` (:mod:`sim.inputs`) hands every scenario file here
(:func:`prepare_scenario`):

1. **Base files.** ``base = "current.toml"`` (relative to the file that says it, or a preset
   name) loads that scenario's TOML first; this file's tables are merged over it key by key,
   arrays replace the base's, except ``transformations``, which are appended to the base's. So a
   proposed design is "the current one, plus these changes" and stays in step with it.
2. **Paths.** ``organisation.org_chart``, ``organisation.org_chart_map`` and ``customers.file``
   are resolved relative to the file that names them and stored as absolute paths.
3. **Validation** of the merged data (``sim.scenario``), then the ``incentives`` and
   ``change_programme`` transformations are written into the scenario's fields (in the order
   listed; later ones win; ``--set`` overrides applied afterwards win over them).
4. **Input files** (:func:`resolve_inputs`). The org chart and customer file are read and
   validated, the structural transformations are applied, and ``customers.count`` is set to the
   number of customers in the file. Any problem raises an ``InputError`` before anything runs.
   The transformed chart and the customer book are attached to the scenario
   (:class:`ResolvedInputs`, ``Scenario.inputs``); they travel with it through ``with_overrides``,
   ``counterfactual()``, copies and pickling (to sweep and Dask workers).

5. **Reached gradually** (:func:`gradual`, docs/ODD.md 8.H). A scenario whose ``base`` is a
   scenario file does not start as if it had always been the proposed design. The base file
   (the current design, as it describes itself) is loaded too; every setting the proposed
   design changes that may change during a run (``sim.interventions``) is set back to the
   current value and listed in
   ``design.set``, which the model applies at ``design.change_week`` like an intervention (the
   burn-in runs under the current settings; culture dials then move with their half-lives,
   money and time away). The structure cannot change during a run: the transformed chart is
   the structure from the start of the burn-in, and its restructuring (people whose manager or
   unit changes, positions removed; :attr:`ResolvedInputs.moved`) is paid at
   ``design.change_week`` (``sim.processes.programme.restructure``).

At run time :func:`structure_from_scenario` (called by ``OrgModel``) draws the collaboration ties
of the attached chart from the run's structure stream and :func:`customer_book` hands the
attached book to the initial state; neither opens a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.scenario import (
    STRUCTURAL_TRANSFORMATIONS,
    Scenario,
    ScenarioError,
    _validate,
    read_toml,
    resolve_scenario_path,
)
from sim.structures.base import SALES
from sim.structures.org_chart import (
    MAX_BYTES,
    ChartStructure,
    CustomerBook,
    OrgChart,
    load_customers,
    load_org_chart,
)
from sim.structures.transform import TransformationError, apply_structural
from sim.textfile import NotReadable, check_regular, count_lines

_PATH_FIELDS = (
    ("organisation", "org_chart"),
    ("organisation", "org_chart_map"),
    ("customers", "file"),
)
#: Longest chain of base files (a file, its base, its base's base, ...). Real designs use two or
#: three; the limit stops a runaway chain before the reading recurses too deep.
MAX_BASE_CHAIN = 32


def _resolve_paths(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Make the file references of one scenario file absolute, relative to that file."""
    out = dict(data)
    for sec, key in _PATH_FIELDS:
        table = out.get(sec)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key].strip():
            p = Path(table[key].strip())
            out[sec] = {**table, key: str(p if p.is_absolute() else (path.parent / p).resolve())}
    return out


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: tables merged key by key, arrays replaced, transformations added."""
    out = dict(base)
    for k, v in top.items():
        if k == "transformations" and isinstance(v, list):
            prior = out.get(k)
            out[k] = (prior if isinstance(prior, list) else []) + v
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def expand(data: dict[str, Any], path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Follow ``base`` references and resolve file paths; returns plain, unvalidated data.

    Raises:
        ScenarioError: for a bad ``base`` value, a missing base file or a cycle of bases.
    """
    path = Path(path).resolve()
    chain = (*_chain, path)
    data = _resolve_paths(data, path)
    if "base" not in data:
        return data
    ref = data.pop("base")
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(
            f"{path}: base: expected the name of a scenario file, e.g. 'current.toml' (got {ref!r})"
        )
    ref = ref.strip()
    if len(chain) >= MAX_BASE_CHAIN:
        raise ScenarioError(
            f"{chain[0]}: base: a chain of more than {MAX_BASE_CHAIN} base files (at {path.name}); "
            f"expected at most {MAX_BASE_CHAIN} files from a scenario to its first base"
        )
    target = path.parent / ref if ref.endswith(".toml") or "/" in ref else ref
    try:
        base_path = resolve_scenario_path(target).resolve()
    except ScenarioError as e:
        raise ScenarioError(f"{path}: base: {e}") from None
    if base_path in chain:
        raise ScenarioError(
            f"{path}: base: {' -> '.join(p.name for p in (*chain, base_path))} is a cycle; "
            "expected a chain of base files that ends"
        )
    base = expand(read_toml(base_path), base_path, chain)
    return _merge(base, data)


def base_file(data: dict[str, Any], path: Path) -> tuple[dict[str, Any], Path] | None:
    """The expanded data and path of the scenario file a file names as its ``base``.

    None when it names no base, or a preset by name (a preset is a template to start a file
    from, not a current organisation). Call after :func:`expand` has checked the chain.
    """
    path = Path(path).resolve()
    ref = data.get("base")
    if not isinstance(ref, str) or not (ref.strip().endswith(".toml") or "/" in ref):
        return None
    base_path = resolve_scenario_path(path.parent / ref.strip()).resolve()
    return expand(read_toml(base_path), base_path), base_path


#: Fields a proposed design keeps from its own file: settings of the run, not of the design.
RUN_SETTINGS = (
    "horizon_weeks",
    "burn_in_weeks",
    "burn_in_balance_weeks",
    "balance_acquisition",
)


def design_changes(current: Scenario, proposed: Scenario) -> dict[str, Any]:
    """The settings ``proposed`` changes from ``current`` that may change during a run.

    Dotted key -> the proposed value, for every field that differs except those fixed during a
    run (``sim.interventions.FIXED``: structure, population, transformations, ...), the
    ``design`` section and :data:`RUN_SETTINGS`.
    """
    from sim.interventions import FIXED, flatten

    skip = (*FIXED, *RUN_SETTINGS)
    a, b = flatten(current.model_dump()), flatten(proposed.model_dump())
    return {
        k: v
        for k, v in b.items()
        if not any(k == f or k.startswith(f + ".") for f in skip) and a.get(k) != v
    }


def gradual(current: Scenario, proposed: Scenario, source: str) -> Scenario:
    """``proposed`` starting as ``current`` and changing into itself at ``design.change_week``.

    The changed settings (:func:`design_changes`) take the current values and go into
    ``design.set`` (a ``design.set`` written in the file is applied on top);
    ``design.from_base`` is set and ``design.base_transformations`` counts the current
    design's transformations (a prefix of the proposed design's, see :func:`expand`).

    Raises:
        ScenarioError: naming the setting when the change cannot be made in the change week
            (e.g. a programme step dated before it).
    """
    from sim.scenario import _set_dotted

    changes = design_changes(current, proposed)
    data = proposed.model_dump()
    flat_current = current.model_dump()
    for key in changes:
        node: Any = flat_current
        for part in key.split("."):
            node = node[part]
        _set_dotted(data, key, node, source)
    data["design"].update(
        set={**changes, **proposed.design.set},
        from_base=True,
        base_transformations=len(current.transformations),
    )
    return _validate(data, source=source)


def input_files(path: str | Path) -> list[Path]:
    """Every file a scenario file reads: itself, its base files, org chart and customer file."""
    files: list[Path] = []
    chart_files: list[Path] = []
    target: str | Path = path
    for _ in range(MAX_BASE_CHAIN + 1):  # a loop, not recursion: the chain is bounded
        path = resolve_scenario_path(target).resolve()
        if path in files:  # a cycle (load_scenario refuses it)
            break
        files.append(path)
        data = _resolve_paths(read_toml(path), path)
        for sec, key in _PATH_FIELDS:
            table = data.get(sec)
            if isinstance(table, dict) and isinstance(table.get(key), str):
                p = Path(table[key])
                if p not in chart_files:
                    chart_files.append(p)
        ref = data.get("base")
        if not (isinstance(ref, str) and ref.strip()):
            break
        ref = ref.strip()
        target = path.parent / ref if ref.endswith(".toml") or "/" in ref else ref
    return files + [p for p in chart_files if p not in files]


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    try:
        check_regular(path)  # a FIFO would block, a device never end
    except NotReadable as e:
        raise InputError(f"{path}: {e.describe(0, 'a regular file')}") from None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def apply_parameter_transformations(scenario: Scenario, source: str = "override") -> Scenario:
    """Write ``incentives`` and ``change_programme`` transformations into the scenario's fields."""
    data = scenario.model_dump()
    changed = False
    for t in scenario.transformations:
        if t.kind == "incentives":
            data["culture"]["incentive_alignment"] = t.incentive_alignment
            changed = True
        elif t.kind == "change_programme":
            prog = data["change_programme"]
            prog["steps"] = [s.model_dump() for s in t.steps]
            for key in ("intensity", "cost_per_step", "champion_share"):
                if getattr(t, key) is not None:
                    prog[key] = getattr(t, key)
            changed = True
    return _validate(data, source=source) if changed else scenario


def _chart_path(scenario: Scenario) -> str:
    """The scenario's org-chart file, or InputError when it has none."""
    path = scenario.organisation.org_chart
    if scenario.organisation.structure != "org_chart" or not path:
        raise InputError("this scenario has no org chart (organisation.structure = 'org_chart')")
    return path


def transformed_chart(scenario: Scenario) -> OrgChart:
    """Read the scenario's org chart and apply its structural transformations.

    Raises:
        InputError: if the scenario has no org chart, the file is invalid or a transformation
            cannot apply.
    """
    chart = load_org_chart(_chart_path(scenario), scenario.organisation.org_chart_map)
    return apply_structural(chart, scenario.transformations)


@dataclass(frozen=True)
class ResolvedInputs:
    """The tables of a scenario's input files, read and validated once (plain, picklable data).

    No field takes part in ``==``: scenarios compare by their fields (which name the files), as
    they did before the tables were attached.

    Attributes:
        chart: the org chart after the scenario's structural transformations.
        customers: the customer file, or None when the customers are generated.
    """

    chart: OrgChart = field(compare=False, repr=False)
    customers: CustomerBook | None = field(compare=False, repr=False)
    moved: np.ndarray | None = field(default=None, compare=False, repr=False)
    removed: int = field(default=0, compare=False, repr=False)
    #: of ``removed``, positions without reports (severance at staff pay, not manager pay)
    removed_staff: int = field(default=0, compare=False, repr=False)
    added: int = field(default=0, compare=False, repr=False)  # new positions (hired and trained)
    #: the removed positions as they were before the change (their severance is their pay):
    #: model role codes, chart salaries (NaN: the role's) and FTE, one entry per removed position
    removed_role: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int8), compare=False, repr=False
    )
    removed_salary: np.ndarray = field(
        default_factory=lambda: np.zeros(0), compare=False, repr=False
    )
    removed_fte: np.ndarray = field(default_factory=lambda: np.zeros(0), compare=False, repr=False)


def restructured(before: OrgChart, after: OrgChart) -> tuple[np.ndarray, int]:
    """Who a restructuring moves, and how many positions it removes.

    Returns:
        ``(moved, removed)``: ``moved`` (n of ``after``,) True for each person whose manager (by
        id) or unit (by name) differs from ``before`` (False for new positions, which
        :func:`position_changes` counts); ``removed`` = people in ``before`` who are not in
        ``after``.
    """
    j = before.index_of(after.ids)
    new = j < 0
    j = np.maximum(j, 0)

    def boss(chart: OrgChart) -> np.ndarray:
        return np.where(chart.manager >= 0, chart.ids[np.maximum(chart.manager, 0)], "")

    unit_before = np.asarray(before.unit_names, dtype=object)[before.unit[j]]
    unit_after = np.asarray(after.unit_names, dtype=object)[after.unit]
    moved = ((boss(before)[j] != boss(after)) | (unit_before != unit_after)) & ~new
    return moved, before.n - int((~new).sum())  # people of before not kept in after


def position_changes(before: OrgChart, after: OrgChart) -> tuple[int, int]:
    """``(removed_staff, added)``: removed positions that had no reports in ``before`` (paid
    severance at staff pay) and positions of ``after`` that ``before`` does not have."""
    kept = np.zeros(before.n, dtype=bool)
    where = before.index_of(after.ids)
    kept[where[where >= 0]] = True
    staff = before.reports() == 0
    return int((~kept & staff).sum()), int((where < 0).sum())


def read_inputs(scenario: Scenario) -> ResolvedInputs:
    """Read and check the org chart, its transformations and the customer file of a scenario.

    Raises:
        InputError: naming the file (and row and column) or the transformation at fault.
    """
    from sim import sizing  # here, not at the top: sim/__init__ imports the model, which imports us

    path = _chart_path(scenario)
    # the size guard, before the heavy work: a line count first (no parsing), then the exact
    # head count before the structure and its networks are built (issue 15, class 7)
    sizing.check_rows_fit(scenario, path, _records(path), kind="chart", exact=False)
    chart = transformed_chart(scenario)
    sales = int((chart.role == SALES).sum())
    sizing.check_rows_fit(scenario, path, chart.n, kind="chart", sales=sales, exact=True)
    moved, removed, removed_staff, added = None, 0, 0, 0
    gone: dict[str, np.ndarray] = {}
    k = scenario.design.base_transformations
    own = [t for t in scenario.transformations[k:] if t.kind in STRUCTURAL_TRANSFORMATIONS]
    if scenario.design.from_base and own:
        imported = load_org_chart(path, scenario.organisation.org_chart_map)
        before = apply_structural(imported, scenario.transformations[:k])
        moved, removed = restructured(before, chart)
        removed_staff, added = position_changes(before, chart)
        out = before.index_of(chart.ids)
        lost = np.ones(before.n, dtype=bool)
        lost[out[out >= 0]] = False
        gone = {
            "removed_role": before.role[lost].astype(np.int8),
            "removed_salary": before.salary[lost].astype(np.float64),
            "removed_fte": before.fte[lost].astype(np.float64),
        }
    book = None
    if scenario.customers.file:
        file = scenario.customers.file
        kw = {"kind": "customers", "people": chart.n, "sales": sales}
        sizing.check_rows_fit(scenario, file, _records(file), exact=False, **kw)  # type: ignore[arg-type]
        # owners are checked against the chart as imported, then against the transformed one
        book = load_customers(file, path, scenario.organisation.org_chart_map)
        sizing.check_rows_fit(scenario, file, len(book), exact=True, **kw)  # type: ignore[arg-type]
        lost_owners(
            scenario, load_org_chart(path, scenario.organisation.org_chart_map), chart, book
        )
        book.owners_in(chart)
    chart.to_structure(rng=np.random.default_rng(0))  # the model's invariants, checked now
    return ResolvedInputs(
        chart=chart,
        customers=book,
        moved=moved,
        removed=removed,
        removed_staff=removed_staff,
        added=added,
        **gone,
    )


#: Owners of a lost book named in one message (the rest are counted).
OWNERS_LISTED = 10


def lost_owners(
    scenario: Scenario, imported: OrgChart, chart: OrgChart, book: CustomerBook
) -> None:
    """Refuse a design whose transformations remove (or take out of sales) a customer owner.

    The model does not reassign a book by itself (which rule would be the design's?), so the
    message says, for every such owner at once: who (id, name, title, unit), how many customers
    of the file they own, which transformation removed them, and the fix: give those customers
    another ``owner_id`` in the customer file (a sales colleague of the same team is named when
    there is one), or keep the person.

    Raises:
        TransformationError: naming the transformation, the people and the customer file.
    """
    pos = chart.index_of(book.owner_id)
    bad = (pos < 0) | (chart.role[np.maximum(pos, 0)] != SALES)
    if not bad.any():
        return
    owners, counts = np.unique(book.owner_id[bad].astype(str), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    parts, whats = [], []
    for k in order[:OWNERS_LISTED]:
        oid, n = str(owners[k]), int(counts[k])
        i = int(imported.index_of([oid])[0])
        who = ", ".join(x for x in (str(imported.name[i]), str(imported.title[i])) if x)
        unit = imported.unit_names[imported.unit[i]]
        j = int(chart.index_of([oid])[0])
        fate = "is removed" if j < 0 else f"is no longer in sales (now a {_role_word(chart, j)})"
        whats.append(_culprit(scenario, oid))
        hint = _colleague(imported, chart, i)
        parts.append(
            f"'{oid}' ({who}, {unit}) owns {n} customer{'s' if n > 1 else ''} and {fate}"
            + (
                f"; e.g. reassign them to '{hint}', a sales colleague in the same team"
                if hint
                else ""
            )
        )
    more = (
        f"; and {owners.shape[0] - OWNERS_LISTED} more owners"
        if owners.shape[0] > OWNERS_LISTED
        else ""
    )
    culprit = ", ".join(dict.fromkeys(w for w in whats if w)) or "the structural transformations"
    raise TransformationError(
        f"{culprit}: {len(owners)} sales "
        f"{'people who own' if len(owners) > 1 else 'person who owns'} customers in "
        f"{Path(book.source).name} would leave sales: "
        + "; ".join(parts)
        + more
        + f". Customers are never reassigned silently; expected: change those customers' "
        f"owner_id in {Path(book.source).name} to a sales person who stays, or keep these people "
        "in sales (leave them out of the transformation's ids, or give their new reports "
        "another manager)"
    )


def _role_word(chart: OrgChart, j: int) -> str:
    from sim.structures.base import ROLE_NAMES

    return ROLE_NAMES[int(chart.role[j])]


def _culprit(scenario: Scenario, oid: str) -> str:
    """The first transformation that names ``oid`` (by its ids, manager or managers), or ''."""
    for i, t in enumerate(scenario.transformations):
        named = list(getattr(t, "ids", None) or []) + list(getattr(t, "managers", None) or [])
        for one in ("manager", "to_manager"):
            if getattr(t, one, None):
                named.append(getattr(t, one))
        if oid in {str(x).strip() for x in named}:
            return f"transformations[{i}] ({t.kind})"
    return ""


def _colleague(imported: OrgChart, chart: OrgChart, i: int) -> str:
    """A sales person who shared person ``i``'s manager in the imported chart and is still in
    sales in ``chart`` (the first in file order), or ''."""
    boss = imported.manager[i]
    mates = np.flatnonzero((imported.manager == boss) & (imported.role == SALES))
    for m in mates:
        j = int(chart.index_of([imported.ids[m]])[0])
        if m != i and j >= 0 and chart.role[j] == SALES:
            return str(imported.ids[m])
    return ""


def _records(path: str) -> int:
    """Line ends in a CSV file minus its header: at least its records (0 if unreadable: the
    reader then says why)."""
    try:
        return max(count_lines(path, MAX_BYTES) - 1, 0)
    except NotReadable:
        return 0


def resolve_inputs(scenario: Scenario, source: str | None = None) -> Scenario:
    """The scenario with its input tables attached.

    ``sim.load_scenario`` calls this; call it yourself for a scenario built in code that names an
    org chart, or after overrides that may have changed the chart, the customer file or a
    structural transformation (``with_overrides`` then drops the tables). A scenario without an
    org chart, or whose tables are attached, is returned as it is.

    Args:
        scenario: a validated scenario whose file paths are absolute (or relative to the cwd).
        source: what error messages start with (the scenario file), if they do not already.

    Returns:
        A copy carrying :class:`ResolvedInputs`, with ``customers.count`` set to the customer
        file's size when there is one.

    Raises:
        InputError: naming the file (and row and column) or the transformation at fault.
    """
    if scenario.organisation.structure != "org_chart" or scenario.inputs is not None:
        return scenario
    try:
        inputs = read_inputs(scenario)
    except InputError as e:
        msg = str(e)
        if source is not None and not msg.startswith(source):
            msg = f"{source}: {msg}"
        raise type(e)(msg) from None
    book = inputs.customers
    if book is not None and scenario.customers.count != len(book):
        scenario = scenario.with_overrides({"customers.count": len(book)})
    return scenario.with_inputs(inputs)


def resolved_inputs(scenario: Scenario) -> ResolvedInputs:
    """The input tables attached to a scenario (see :func:`resolve_inputs`).

    Raises:
        InputError: if the scenario names an org chart whose tables are not attached.
    """
    if scenario.inputs is None:
        raise InputError(
            f"{scenario.organisation.org_chart}: org chart not loaded; load the scenario with "
            "sim.load_scenario, or pass one built in code (or whose org chart, customer file or "
            "structural transformations were overridden) through sim.design.resolve_inputs"
        )
    return scenario.inputs


def structure_from_scenario(scenario: Scenario, *, rng: np.random.Generator) -> ChartStructure:
    """The run's structure: the attached transformed chart with ties drawn from ``rng``."""
    return resolved_inputs(scenario).chart.to_structure(rng=rng)


def customer_book(scenario: Scenario) -> CustomerBook | None:
    """The scenario's attached customer book, or None when customers are generated."""
    if not scenario.customers.file:
        return None
    return resolved_inputs(scenario).customers


def own_transformations(path: str | Path) -> list[dict[str, Any]]:
    """The transformations a scenario file lists itself (not those of its base files)."""
    own = read_toml(resolve_scenario_path(path)).get("transformations", [])
    return list(own) if isinstance(own, list) else []


def variant(path: str | Path, keep: Sequence[int], name: str | None = None) -> Scenario:
    """A scenario file loaded with only some of its own transformations (by position).

    The breakdown of a proposal by change (``sim.breakdown``) loads the proposed design with one
    transformation alone, or all but one. Everything else in the file (its base, settings
    written directly, ``design`` section) is kept, and the result goes through the same loading
    as the file itself (:func:`prepare_scenario`), so it is reached from its base the same way.

    Args:
        path: the scenario file.
        keep: positions in its own ``transformations`` list to keep, in file order.
        name: the variant's name (default: the file's).

    Raises:
        ScenarioError, InputError: as for loading the file, e.g. a merge that names a unit only
            an earlier, dropped transformation made.
    """
    path = resolve_scenario_path(path)
    data = dict(read_toml(path))
    own = own_transformations(path)
    data["transformations"] = [own[i] for i in sorted(set(keep))]
    if name is not None:
        data["name"] = name
    return prepare_scenario(data, path)


def prepare_scenario(data: dict[str, Any], path: Path) -> Scenario:
    """Base files, paths, validation, parameter transformations and input files (see above)."""
    source = str(path)
    scenario = _validate(expand(data, path), source=source)
    scenario = apply_parameter_transformations(scenario, source=source)
    root = base_file(data, path)
    if root is not None:
        current = _validate(root[0], source=str(root[1]))
        current = apply_parameter_transformations(current, source=str(root[1]))
        scenario = gradual(current, scenario, source)
    elif scenario.design.from_base or scenario.design.base_transformations:
        # set on load only: a file without a base is not reached from another design
        design = scenario.design.model_copy(update={"from_base": False, "base_transformations": 0})
        scenario = scenario.model_copy(update={"design": design})
    return resolve_inputs(scenario, source)
