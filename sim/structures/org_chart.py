"""Import a real organisation from an HR org-chart CSV (and, optionally, its customer book).

A strategy team exports its org chart from HR and points a scenario at it::

    [organisation]
    structure = "org_chart"
    org_chart = "org_chart.csv"      # relative to the scenario file

**Org chart file.** UTF-8 (with or without a byte-order mark), comma-separated, one header row
and one row per person. Required columns ``id, manager_id, role, unit``; optional ``name, fte,
location, title, salary``; other columns are ignored; header names are matched case-insensitively.
``title`` (written by ``python run.py chart --out``) keeps the job title when ``role`` holds the
model role; without it the ``role`` text is the title. ``fte`` is in (0, 1.5] (empty means 1) and
scales the position's salary and decision capacity (docs/ODD.md 8). ``salary`` is the yearly
full-time salary (>= 0, thousands commas allowed, empty: the role's; every bad cell is listed
at once; docs/ODD.md 8.L). An HR export with its own
headers and titles goes through a mapping file instead (:mod:`sim.structures.chart_map`).
``manager_id`` is empty for the one top person. Blank lines are skipped. "Row" in messages is
the line number a text editor shows (the header is row 1).

**Roles.** The ``role`` cell maps onto the model's roles (executive, manager, sales, service,
marketing, other) through :data:`ROLE_SYNONYMS`, case-insensitively and ignoring spacing, hyphens
and underscores (``"Account Executive"`` -> sales, ``"support"`` -> service). Then: the top person
is the executive whatever their role; anyone else with reports becomes a manager; a manager or
executive without reports is an error (the model has no managers without a team), as are a chart
without sales or without service people.

**Validation.** Every problem raises :class:`OrgChartError` (an :class:`~sim.errors.InputError`,
so the command line exits 2 with one line) naming the file, the row, the column and what was
expected: missing or duplicated columns, a semicolon or tab delimiter, a file that is not UTF-8,
an empty file, empty or duplicate ids, unknown managers, people who are their own manager,
reporting cycles (found by pointer jumping, no recursion), more than one top person, unknown
roles, bad ``fte`` values. Nothing is returned until every check has passed, so nothing is half
loaded. Loading is vectorised (pandas and numpy): a 100,000-row chart loads in a few seconds.

**Collaboration ties** of an imported chart (:meth:`OrgChart.to_structure`): people who share a
manager form a team and are tied to each other (a clique, or a degree-10 ring lattice in teams
over 11, :func:`~sim.structures.base.team_ties`); everyone is tied to their manager; and, drawn
from the run's structure random stream, on average :data:`CROSS_TEAM_TIES` ties per front-line
person go to other teams of the same unit and :data:`CROSS_UNIT_TIES` to other units
(:func:`~sim.structures.base.random_ties`), as in the generated hierarchies.

**Customer file** (optional, ``customers.file``): columns ``id, segment, annual_value,
owner_id``; ``owner_id`` must be the id of a sales person in the chart; validated the same way
(:func:`load_customers`).

Nothing is evaluated or unpickled: cells are read as text and converted explicitly.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.structures.base import (
    EXECUTIVE,
    FRONT_LINE,
    MANAGER,
    MARKETING,
    OTHER,
    ROLE_NAMES,
    SALES,
    SERVICE,
    OrgStructure,
    default_authority,
    layered_ties,
    levels_from_managers,
)
from sim.textfile import NotReadable, NotText, check_regular, decode_utf8, read_regular

REQUIRED_COLUMNS = ("id", "manager_id", "role", "unit")
OPTIONAL_COLUMNS = ("name", "fte", "location", "title", "salary")
CUSTOMER_COLUMNS = ("id", "segment", "annual_value", "owner_id")

#: Mean random ties per front-line person to other teams of the same unit.
CROSS_TEAM_TIES = 1.5
#: Mean random ties per front-line person to people in other units.
CROSS_UNIT_TIES = 0.3
#: Largest file read (bytes); a 100,000-row chart is about 5 MB.
MAX_BYTES = 1_000_000_000
#: Accepted range of the optional ``fte`` column (exclusive, inclusive): above 1.5 is a data error.
FTE_RANGE = (0.0, 1.5)
#: Bad ``salary`` cells listed by value in one message (the rest are counted).
SALARY_ROWS_LISTED = 20

#: Accepted role values per model role (matched after lower-casing and collapsing spaces,
#: hyphens and underscores to one space). The model role names themselves are accepted too.
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "executive": (
        "ceo",
        "chief executive",
        "chief executive officer",
        "managing director",
        "md",
        "president",
        "general manager",
        "founder",
        "owner",
        "coo",
        "chief operating officer",
        "cro",
        "chief revenue officer",
        "cco",
        "chief commercial officer",
        "chief customer officer",
    ),
    "manager": (
        "head",
        "head of sales",
        "head of service",
        "head of support",
        "head of marketing",
        "head of customer success",
        "director",
        "regional director",
        "sales director",
        "service director",
        "support director",
        "marketing director",
        "vp",
        "vice president",
        "vp sales",
        "vp service",
        "vp customer service",
        "vp marketing",
        "senior manager",
        "area manager",
        "regional manager",
        "sales manager",
        "service manager",
        "support manager",
        "customer service manager",
        "contact centre manager",
        "contact center manager",
        "team manager",
        "team lead",
        "team leader",
        "supervisor",
        "lead",
        "people manager",
        "line manager",
    ),
    "sales": (
        "account executive",
        "ae",
        "senior account executive",
        "account manager",
        "key account manager",
        "kam",
        "sales representative",
        "sales rep",
        "sales executive",
        "sales consultant",
        "salesperson",
        "sales person",
        "seller",
        "inside sales",
        "field sales",
        "business development",
        "business development manager",
        "business development representative",
        "bdr",
        "sales development representative",
        "sdr",
    ),
    "service": (
        "support",
        "customer support",
        "customer service",
        "customer care",
        "service agent",
        "support agent",
        "customer service agent",
        "customer service representative",
        "csr",
        "support engineer",
        "technical support",
        "help desk",
        "helpdesk",
        "service desk",
        "contact centre agent",
        "contact center agent",
        "call centre agent",
        "call center agent",
        "customer success",
        "customer success manager",
        "csm",
    ),
    "marketing": (
        "marketer",
        "marketing specialist",
        "marketing executive",
        "marketing manager",
        "marketing coordinator",
        "campaign manager",
        "product marketing",
        "product marketing manager",
        "content marketing",
        "content marketer",
        "digital marketing",
        "demand generation",
        "growth marketing",
        "brand manager",
    ),
}

_ROLE_CODE = {name: i for i, name in enumerate(ROLE_NAMES)}
#: Normalised role text -> model role code (built from ROLE_SYNONYMS and the role names).
ROLE_LOOKUP: dict[str, int] = {
    **{syn: _ROLE_CODE[role] for role, syns in ROLE_SYNONYMS.items() for syn in syns},
    **_ROLE_CODE,
}


class OrgChartError(InputError):
    """An org-chart or customer file is invalid; the message names file, row and column."""


def normalise_role(text: pd.Series) -> pd.Series:
    """Lower-case, trim, and collapse runs of spaces, hyphens and underscores to one space.

    Works on the distinct values only (a chart has few distinct role texts).
    """
    codes, uniques = pd.factorize(text.astype(str), sort=False)
    norm = pd.Index(uniques).str.strip().str.lower().str.replace(r"[\s_\-]+", " ", regex=True)
    return pd.Series(np.asarray(norm, dtype=object)[codes], index=text.index, dtype=object)


# ---------------------------------------------------------------------------------------------
# Reading a CSV file with row numbers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """Cells of a CSV file as stripped text, with the file row of each record."""

    path: Path
    cells: pd.DataFrame  # one column per header name, str cells, blank rows dropped
    row: np.ndarray  # (m,) file row (1-based line number) of each record


def _rows_text(rows: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    more = f" and {rows.shape[0] - limit} more" if rows.shape[0] > limit else ""
    return f"row{'s' if rows.shape[0] > 1 else ''} {shown}{more}"


def read_cells(
    body: str,
    cols: list[str],
    header_row: int,
    sep: str,
    ragged: Callable[[int, str, str], Exception],
    unreadable: Callable[[Exception], Exception],
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The cells of a CSV body as stripped text, each record's row in the file, blank records.

    Shared by the native chart reader and the export mapping (``chart_map``): every cell is text
    (never a number or a formula), rows count the newlines inside quoted cells.

    Args:
        body: the file's text after its header line.
        cols: column names, one per header cell.
        header_row: 1-based row of the header in the file.
        sep: the delimiter.
        ragged: the error for a record with more cells than the header: (row, cells, columns).
        unreadable: the error for any other parser failure.

    Returns:
        ``(cells, row, blank)``: all records (blank ones included), their file rows, and which
        are blank.
    """
    if body.strip():
        try:
            df = pd.read_csv(
                io.StringIO(body),
                sep=sep,
                header=None,
                names=cols,
                dtype=str,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
            )
        except pd.errors.ParserError as e:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
            if m:
                raise ragged(header_row + int(m.group(2)), m.group(3), m.group(1)) from None
            raise unreadable(e) from None
    else:
        df = pd.DataFrame({c: pd.Series([], dtype=str) for c in cols})
    df = df.astype(str)
    for c in df.columns:
        df[c] = df[c].str.strip()
    # rows of the file: records follow each other, plus any newlines inside quoted cells
    inner = np.zeros(len(df), dtype=np.int64)
    if '"' in body:
        for c in df.columns:
            inner += df[c].str.count("\n").to_numpy(dtype=np.int64)
    row = header_row + 1 + np.arange(len(df), dtype=np.int64) + np.cumsum(inner) - inner
    blank = (df == "").all(axis=1).to_numpy()
    return df, row, blank


def _read_table(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> _Table:
    """Read, decode and split a comma-separated file; check its header.

    Raises:
        OrgChartError: for an unreadable, empty, non-UTF-8 or wrongly delimited file, a missing
            or repeated column, or a row with more cells than the header.
    """
    expected = ", ".join(required) + (f" (optional: {', '.join(optional)})" if optional else "")
    try:
        raw = read_regular(path, MAX_BYTES)
    except NotReadable as e:
        cap = f"an org-chart or customer file is at most {MAX_BYTES} bytes (1 GB)"
        raise OrgChartError(f"{path}: {e.describe(MAX_BYTES, 'a CSV file', cap=cap)}") from None
    try:
        text = decode_utf8(raw)
    except NotText as e:
        if e.kind == "utf16":
            raise OrgChartError(
                f"{path}: row 1: the file is UTF-16 text; expected UTF-8: save it as "
                "'CSV UTF-8 (comma delimited)'"
            ) from None
        if e.kind == "byte":
            raise OrgChartError(
                f"{path}: row {e.line}: byte 0x{e.byte:02x} is not UTF-8 text; expected UTF-8 "
                "(with or without BOM): save or export the file as 'CSV UTF-8'"
            ) from None
        raise OrgChartError(
            f"{path}: row {e.line}: contains NUL bytes (a binary file?); expected a UTF-8 text "
            "CSV file"
        ) from None
    lines = re.split(r"\r\n?|\n", text)  # the line ends the CSV parser knows, nothing else
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise OrgChartError(
            f"{path}: the file is empty; expected a header row '{','.join(required)}' and one "
            "row per record"
        )
    header_line = lines[first]
    header_row = first + 1
    if "," not in header_line:
        for delim, word in ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)")):
            if delim in header_line:
                raise OrgChartError(
                    f"{path}: row {header_row}: columns are separated by {word}, expected commas: "
                    "export as comma-separated CSV (e.g. Excel's 'CSV UTF-8 (comma delimited)')"
                )
    names = [h.strip().lower() for h in next(csv.reader([header_line]))]
    seen: set[str] = set()
    for col, h in enumerate(names, start=1):
        if h in seen and h:
            raise OrgChartError(
                f"{path}: row {header_row}, column {col}: column '{h}' appears twice; expected "
                f"each of {expected} once"
            )
        seen.add(h)
    missing = [c for c in required if c not in names]
    if missing:
        raise OrgChartError(
            f"{path}: row {header_row} (header): missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; expected columns {expected}; found {', '.join(names) or '-'}"
        )
    body = "\n".join(lines[first + 1 :])
    cols = [n if n else f"_unnamed{i}" for i, n in enumerate(names)]
    df, row, blank = read_cells(
        body,
        cols,
        header_row,
        ",",
        lambda r, cells, columns: OrgChartError(
            f"{path}: row {r}: {cells} cells, but the header has {columns} columns; expected "
            "one cell per column (quote cells that contain commas)"
        ),
        lambda e: OrgChartError(f"{path}: not a readable CSV file ({e})"),
    )
    df = df.loc[~blank, [c for c in cols if c in (*required, *optional)]].reset_index(drop=True)
    row = row[~blank]
    if len(df) == 0:
        raise OrgChartError(
            f"{path}: the file has a header but no data rows; expected one row per record"
        )
    return _Table(path=path, cells=df, row=row)


def _fail(t: _Table, bad: np.ndarray, column: str, what: str | Callable[[int], str]) -> None:
    """Raise naming the first offending row (and how many others there are).

    ``what`` is the problem, or a function of the first offending row's index that words it
    (for messages quoting that row's value).
    """
    idx = np.flatnonzero(bad)
    if idx.shape[0] == 0:
        return
    first = int(idx[0])
    words = what(first) if callable(what) else what
    others = f" ({idx.shape[0] - 1} more rows like this)" if idx.shape[0] > 1 else ""
    raise OrgChartError(f"{t.path}: row {int(t.row[first])}, column {column}: {words}{others}")


def _value(t: _Table, col: str, i: int) -> str:
    return str(t.cells[col].iat[i])


def _check_ids(t: _Table, col: str = "id") -> pd.Index:
    """Non-empty, unique ids; returns them as an index."""
    ids = t.cells[col]
    _fail(t, (ids == "").to_numpy(), col, "empty; expected a unique id for every row")
    dup = ids.duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((ids == ids.iat[i]).to_numpy())[0])
        n_dup = int(dup.sum())
        others = f" ({n_dup - 1} more duplicates)" if n_dup > 1 else ""
        raise OrgChartError(
            f"{t.path}: row {int(t.row[i])}, column {col}: duplicate id '{ids.iat[i]}' (first "
            f"used in row {int(t.row[first])}); expected each id once{others}"
        )
    return pd.Index(ids.to_numpy(dtype=object))


def _cycle_rows(manager: np.ndarray) -> np.ndarray | None:
    """Positions of one reporting cycle, or None when every chain reaches the top.

    Pointer jumping: after k rounds ``jump[i]`` is the 2^k-th manager of i (the top points to a
    sentinel that points to itself), so after log2(n) + 1 rounds everyone who reaches the top
    points at the sentinel and everyone else sits on a cycle.
    """
    n = manager.shape[0]
    ext = np.append(np.where(manager < 0, n, manager), n)
    jump = ext.copy()
    for _ in range(max(n, 1).bit_length() + 1):
        jump = jump[jump]
    stuck = np.flatnonzero(jump[:n] != n)
    if stuck.shape[0] == 0:
        return None
    start = int(jump[stuck[0]])  # on a cycle
    members = [start]
    x = int(manager[start])
    while x != start and len(members) <= n:
        members.append(x)
        x = int(manager[x])
    return np.array(members, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# The chart
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OrgChart:
    """A validated org chart: one entry per person, in file order (blank lines skipped).

    Attributes:
        source: the file it was read from.
        ids: (n,) person ids as text.
        manager: (n,) index of each person's manager, -1 for the top.
        role: (n,) model role codes (``EXECUTIVE`` ... ``MARKETING``) after the rules above.
        unit: (n,) index into ``unit_names``.
        unit_names: the units, in order of first appearance.
        title: (n,) the role text as written in the file.
        name, location: (n,) optional text columns ('' when absent).
        fte: (n,) full-time equivalent (1.0 when absent): scales salary and decision capacity.
        salary: (n,) yearly full-time salary from the optional ``salary`` column, in the
            scenario's currency; NaN where not given (the role's salary applies:
            ``sim.mechanisms.economics.position_pay``).
        row: (n,) file row of each person (-1 for people added by a transformation).
        authority: (n,) base decision authority, NaN where the hierarchical default applies
            (1 at the top, falling with level, 0 in the front line; set by ``decision_rights``).
    """

    source: str
    ids: np.ndarray = field(repr=False)
    manager: np.ndarray = field(repr=False)
    role: np.ndarray = field(repr=False)
    unit: np.ndarray = field(repr=False)
    unit_names: tuple[str, ...] = field(repr=False)
    title: np.ndarray = field(repr=False)
    name: np.ndarray = field(repr=False)
    location: np.ndarray = field(repr=False)
    fte: np.ndarray = field(repr=False)
    row: np.ndarray = field(repr=False)
    authority: np.ndarray = field(repr=False)
    salary: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.manager.shape[0])

    @property
    def level(self) -> np.ndarray:
        """(n,) hops below the top."""
        return levels_from_managers(self.manager)

    def reports(self) -> np.ndarray:
        """(n,) number of direct reports."""
        return np.bincount(self.manager[self.manager >= 0], minlength=self.n)

    def index_of(self, ids: pd.Series | np.ndarray) -> np.ndarray:
        """Position of each id, -1 where the id is not in the chart."""
        return pd.Index(self.ids).get_indexer(np.asarray(ids, dtype=object))

    def summary(self) -> dict[str, float]:
        """Headcount, managers, layers, mean span of control and units."""
        reports = self.reports()
        mgr = reports > 0
        return {
            "people": float(self.n),
            "managers": float(mgr.sum()),
            "front_line": float(np.isin(self.role, FRONT_LINE).sum()),
            "sales": float((self.role == SALES).sum()),
            "service": float((self.role == SERVICE).sum()),
            "marketing": float((self.role == MARKETING).sum()),
            "other": float((self.role == OTHER).sum()),
            "layers": float(self.level.max() + 1),
            "mean_span": float(reports[mgr].mean()) if mgr.any() else 0.0,
            "units": float(np.unique(self.unit).shape[0]),
        }

    def replace(self, **changes: object) -> OrgChart:
        """A copy with some arrays replaced (the arrays are never modified in place)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(changes)
        return OrgChart(**data)  # type: ignore[arg-type]

    def to_structure(self, *, rng: np.random.Generator, name: str = "org_chart") -> ChartStructure:
        """The model's structure: reporting lines from the chart, collaboration ties as above.

        Args:
            rng: the run's structure random stream (the random cross-team and cross-unit ties).
            name: structure kind recorded on the result.

        Returns:
            A validated :class:`ChartStructure` whose position i is person i of the chart.
        """
        mgr, role, unit = self.manager, self.role, self.unit
        level = levels_from_managers(mgr)
        authority = default_authority(level, role)
        authority = np.where(np.isnan(self.authority), authority, self.authority)
        # other staff (finance, engineering, ...) keep their reporting line (always a tie) but no
        # team or cross-unit ties: those carry customer knowledge and CRM use, which they do not
        staff = np.flatnonzero((mgr >= 0) & (role != OTHER))
        fl = np.flatnonzero(np.isin(role, FRONT_LINE))
        edges = layered_ties(mgr, unit, staff, fl, CROSS_TEAM_TIES, CROSS_UNIT_TIES, rng=rng)
        try:
            base = OrgStructure.from_arrays(
                name,
                mgr,
                role,
                unit,
                self.unit_names,
                authority=authority,
                collaboration_edges=edges,
            )
        except ValueError as e:
            raise OrgChartError(f"{self.source}: not a valid organisation: {e}") from None
        data = {f.name: getattr(base, f.name) for f in fields(OrgStructure)}
        return ChartStructure(**data, chart=self)


@dataclass(frozen=True, eq=False, repr=False)
class ChartStructure(OrgStructure):
    """An :class:`OrgStructure` built from an org chart; ``chart`` keeps ids, names and titles."""

    chart: OrgChart | None = field(default=None, repr=False)


def _resolve_roles(t: _Table, manager: np.ndarray) -> np.ndarray:
    """Model role codes from the role column and the reporting lines (rules in the docstring)."""
    norm = normalise_role(t.cells["role"])
    _fail(
        t,
        (norm == "").to_numpy(),
        "role",
        f"empty; expected one of {', '.join(ROLE_NAMES)} or a synonym (sim.structures.org_chart."
        "ROLE_SYNONYMS)",
    )
    code = norm.map(ROLE_LOOKUP)
    unknown = code.isna().to_numpy()
    if unknown.any():
        bad = list(dict.fromkeys(t.cells["role"][unknown].tolist()))
        some = ", ".join(f"'{b}'" for b in bad[:5]) + (" ..." if len(bad) > 5 else "")
        _fail(
            t,
            unknown,
            "role",
            f"unknown role '{t.cells['role'][unknown].iat[0]}' (unknown values: {some}); expected "
            f"one of {', '.join(ROLE_NAMES)} or a synonym such as 'account executive' (sales), "
            "'support' (service), 'team leader' (manager); the full list is ROLE_SYNONYMS in "
            "sim/structures/org_chart.py",
        )
    role = code.to_numpy(dtype=np.int64).astype(np.int8)
    n = manager.shape[0]
    has_reports = np.bincount(manager[manager >= 0], minlength=n) > 0
    top = manager < 0
    role = np.where(has_reports, MANAGER, role).astype(np.int8)
    role[top] = EXECUTIVE
    _fail(
        t,
        ~top & ~has_reports & np.isin(role, (EXECUTIVE, MANAGER)),
        "role",
        "a manager or executive role for someone with no reports; expected a front-line role "
        "(sales, service, marketing) or someone's manager_id pointing at this person (only the "
        "top person is the executive)",
    )
    for code_, word in ((SALES, "sales"), (SERVICE, "service")):
        if not (role == code_).any():
            raise OrgChartError(
                f"{t.path}: column role: nobody has a {word} role; expected at least one sales "
                "and one service person (the model follows customers from sales to service)"
            )
    return role


def parse_org_chart(path: str | Path) -> OrgChart:
    """Read and validate an org-chart CSV (no caching; see :func:`load_org_chart`).

    Raises:
        OrgChartError: naming the file, row and column of the first problem found.
    """
    path = Path(path)
    return chart_from_table(_read_table(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS))


def chart_from_table(t: _Table) -> OrgChart:
    """Validate the cells of an org chart (columns as :data:`REQUIRED_COLUMNS`) into a chart.

    Raises:
        OrgChartError: naming the file, row and column of the first problem found.
    """
    path = t.path
    ids = _check_ids(t)
    n = len(ids)
    mid = t.cells["manager_id"]
    has_mgr = (mid != "").to_numpy()
    manager = np.full(n, -1, dtype=np.int64)
    manager[has_mgr] = ids.get_indexer(mid[has_mgr].to_numpy(dtype=object))
    unknown = has_mgr & (manager < 0)
    _fail(
        t,
        unknown,
        "manager_id",
        lambda i: (
            f"unknown manager '{_value(t, 'manager_id', i)}' (no row has this id); expected the "
            "id of another row, or empty for the top person"
        ),
    )
    _fail(
        t,
        manager == np.arange(n),
        "manager_id",
        "a person cannot be their own manager; expected another row's id",
    )
    tops = np.flatnonzero(~has_mgr)
    if tops.shape[0] > 1:
        listed = ", ".join(f"'{ids[i]}'" for i in tops[:5])
        raise OrgChartError(
            f"{path}: {_rows_text(t.row[tops])}, column manager_id: {tops.shape[0]} people have "
            f"no manager (ids {listed}{' ...' if tops.shape[0] > 5 else ''}); expected exactly one "
            f"top person: fill in manager_id for all but the top one (e.g. '{ids[tops[0]]}'), or "
            "add one top row (e.g. the CEO) and make these report to it"
        )
    cycle = _cycle_rows(manager)
    if cycle is not None:
        chain = " -> ".join(f"'{ids[i]}'" for i in cycle[:6]) + (
            " -> ..." if cycle.shape[0] > 6 else f" -> '{ids[cycle[0]]}'"
        )
        hint = "" if tops.shape[0] else " (and nobody has an empty manager_id)"
        raise OrgChartError(
            f"{path}: {_rows_text(t.row[np.sort(cycle)])}, column manager_id: reporting lines form "
            f"a cycle {chain}{hint}; expected every chain of managers to end at the top person: "
            "correct one of these manager_id values"
        )
    if n < 2:
        raise OrgChartError(f"{path}: only one person; expected a top person and their staff")
    role = _resolve_roles(t, manager)
    unit_text = t.cells["unit"]
    _fail(t, (unit_text == "").to_numpy(), "unit", "empty; expected a unit (team or department)")
    unit_codes, unit_names = pd.factorize(unit_text, sort=False)
    n_rows = t.cells.shape[0]
    if "fte" in t.cells:
        raw_fte = t.cells["fte"]
        fte = pd.to_numeric(raw_fte.where(raw_fte != "", "1"), errors="coerce").to_numpy(float)
        bad = ~np.isfinite(fte) | (fte <= FTE_RANGE[0]) | (fte > FTE_RANGE[1])
        _fail(
            t,
            bad,
            "fte",
            lambda i: (
                f"'{_value(t, 'fte', i)}' is not a number in ({FTE_RANGE[0]}, {FTE_RANGE[1]}]; "
                "expected e.g. 1 or 0.5 (empty means 1)"
            ),
        )
    else:
        fte = np.ones(n_rows)
    salary = _salaries(t) if "salary" in t.cells else np.full(n_rows, np.nan)

    def text(col: str) -> np.ndarray:
        if col in t.cells:
            return t.cells[col].to_numpy(dtype=object)
        return np.full(n_rows, "", dtype=object)

    return OrgChart(
        source=str(path),
        ids=ids.to_numpy(dtype=object),
        manager=manager,
        role=role,
        unit=unit_codes.astype(np.int64),
        unit_names=tuple(str(u) for u in unit_names),
        title=text("title") if "title" in t.cells else text("role"),
        name=text("name"),
        location=text("location"),
        fte=fte.astype(np.float64),
        row=t.row.astype(np.int64),
        authority=np.full(n, np.nan),
        salary=salary,
    )


#: A salary cell: digits with optional thousands commas and decimals ("55000", "55,000.50").
_SALARY = re.compile(r"^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def _salaries(t: _Table) -> np.ndarray:
    """(n,) yearly salaries of the ``salary`` column, NaN where empty.

    Raises:
        OrgChartError: listing every bad cell at once (row and value; the first
            :data:`SALARY_ROWS_LISTED`, then how many more): not a number, negative, or not finite.
    """
    raw = t.cells["salary"].astype(str).str.strip()
    ok = raw.str.match(_SALARY) | (raw == "")
    value = pd.to_numeric(raw.where(ok & (raw != "")).str.replace(",", "", regex=False))
    value = value.to_numpy(dtype=np.float64)
    bad = (~ok.to_numpy()) | ~np.isfinite(np.where(raw == "", 0.0, value))
    idx = np.flatnonzero(bad)
    if idx.shape[0]:
        k = SALARY_ROWS_LISTED
        cells = ", ".join(f"row {int(t.row[i])} '{raw.iat[i]}'" for i in idx[:k])
        more = f" and {idx.shape[0] - k} more" if idx.shape[0] > k else ""
        raise OrgChartError(
            f"{t.path}: column salary: {idx.shape[0]} cell{'s are' if idx.shape[0] > 1 else ' is'}"
            f" not a yearly salary: {cells}{more}; expected a number >= 0 in the scenario's "
            "currency, e.g. 55000 or 55,000.00 (no currency sign; empty means the role's salary)"
        )
    return value


@functools.lru_cache(maxsize=8)
def _cached_chart(
    path: str, mtime_ns: int, size: int, map_key: tuple[str, int, int] | None = None
) -> OrgChart:
    if map_key is None:
        return parse_org_chart(path)
    from sim.structures.chart_map import import_export  # the mapping module reads this one

    return import_export(path, map_key[0]).to_chart()


def _stat_key(path: str | Path) -> tuple[str, int, int]:
    p = Path(path)
    try:
        st = check_regular(p)  # a FIFO or device is refused before anything opens it
    except NotReadable as e:
        raise OrgChartError(f"{p}: {e.describe(MAX_BYTES, 'a CSV file')}") from None
    return str(p.resolve()), st.st_mtime_ns, st.st_size


def load_org_chart(path: str | Path, map_path: str | Path | None = None) -> OrgChart:
    """Read and validate an org-chart CSV, cached per (file, modification time, size).

    With ``map_path`` (``organisation.org_chart_map``) the file is an HR export read through that
    mapping file (:mod:`sim.structures.chart_map`); the cache key then includes the map's.

    Called when a scenario is loaded (``sim.design.resolve_inputs``), never by a model; the cache
    lets designs that share a chart (a current and a proposed design) read it once.

    Raises:
        OrgChartError: naming the file, row and column of the first problem found.
    """
    return _cached_chart(*_stat_key(path), _stat_key(map_path) if map_path else None)


# ---------------------------------------------------------------------------------------------
# Customer book
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CustomerBook:
    """A validated customer file.

    Attributes:
        source: the file it was read from.
        ids: (m,) customer ids.
        segment: (m,) segment text (recorded; the model does not use segments).
        annual_value: (m,) yearly revenue per customer.
        owner_id: (m,) the owning sales person's id in the org chart.
        row: (m,) file rows.
    """

    source: str
    ids: np.ndarray = field(repr=False)
    segment: np.ndarray = field(repr=False)
    annual_value: np.ndarray = field(repr=False)
    owner_id: np.ndarray = field(repr=False)
    row: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def owners_in(self, chart: OrgChart) -> np.ndarray:
        """(m,) position of each customer's owner in ``chart``.

        Raises:
            OrgChartError: if an owner is not (or no longer) a sales person of the chart.
        """
        pos = chart.index_of(self.owner_id)
        bad = (pos < 0) | (chart.role[np.maximum(pos, 0)] != SALES)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise OrgChartError(
                f"{self.source}: row {int(self.row[i])}, column owner_id: '{self.owner_id[i]}' is "
                "not a sales person of the organisation; expected a sales id of the org chart"
            )
        return pos


def parse_customers(path: str | Path, chart: OrgChart) -> CustomerBook:
    """Read and validate a customer file against an org chart (owners must be sales people).

    Raises:
        OrgChartError: naming the file, row and column of the first problem found.
    """
    path = Path(path)
    t = _read_table(path, CUSTOMER_COLUMNS, ())
    ids = _check_ids(t)
    raw = t.cells["annual_value"]
    value = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce").to_numpy(float)
    bad = ~np.isfinite(value) | (value < 0)
    _fail(
        t,
        bad,
        "annual_value",
        lambda i: (
            f"'{_value(t, 'annual_value', i)}' is not a number >= 0; expected the customer's "
            "yearly revenue, e.g. 12500"
        ),
    )
    owner = t.cells["owner_id"]
    _fail(t, (owner == "").to_numpy(), "owner_id", "empty; expected the id of a sales person")
    pos = chart.index_of(owner)
    _fail(
        t,
        pos < 0,
        "owner_id",
        lambda i: (
            f"'{owner.iat[i]}' is not an id in {Path(chart.source).name}; expected the id of a "
            "sales person of the org chart"
        ),
    )
    not_sales = chart.role[pos] != SALES
    _fail(
        t,
        not_sales,
        "owner_id",
        lambda i: (
            f"'{owner.iat[i]}' is a {ROLE_NAMES[chart.role[pos[i]]]} "
            f"('{chart.title[pos[i]]}') in {Path(chart.source).name}; expected the id of a sales "
            "person (customers are owned by sales)"
        ),
    )
    if len(ids) < 10:
        raise OrgChartError(f"{path}: {len(ids)} customers; expected at least 10")
    return CustomerBook(
        source=str(path),
        ids=ids.to_numpy(dtype=object),
        segment=t.cells["segment"].to_numpy(dtype=object),
        annual_value=value,
        owner_id=owner.to_numpy(dtype=object),
        row=t.row.astype(np.int64),
    )


@functools.lru_cache(maxsize=8)
def _cached_customers(path: str, mtime_ns: int, size: int, chart_key: tuple) -> CustomerBook:
    return parse_customers(path, _cached_chart(*chart_key))


def load_customers(
    path: str | Path, chart_path: str | Path, map_path: str | Path | None = None
) -> CustomerBook:
    """Read and validate a customer file against the org chart at ``chart_path`` (cached).

    Raises:
        OrgChartError: naming the file, row and column of the first problem found.
    """
    chart_key = (*_stat_key(chart_path), _stat_key(map_path) if map_path else None)
    return _cached_customers(*_stat_key(path), chart_key)
