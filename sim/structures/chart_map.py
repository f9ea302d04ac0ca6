"""Read a real HR export (Workday, BambooHR, an Excel sheet) through a mapping file.

An HR system's org-chart export has its own column headers and free-text job titles. Rather
than editing the export, a strategy team writes a small mapping file next to it and names both
in the scenario::

    [organisation]
    structure = "org_chart"
    org_chart = "export.csv"          # the HR export as it came out of the system
    org_chart_map = "map.toml"        # relative to the scenario file, like org_chart

**Mapping file** (TOML, validated by :class:`ChartMap`; every problem names the file and the key)::

    [columns]                  # the export's own headers (matched ignoring case and spaces)
    id = "Employee #"
    manager_id = "Reports To"  # or manager_name = "Reports To": the manager's name, not id
    title = "Job Title"
    unit = "Department"
    fte = "FTE"                # optional: full-time equivalent, (0, 1.5], empty means 1
    salary = "Annual Salary"   # optional: yearly full-time salary (>= 0, scenario's currency;
                               # "55,000" is fine; empty means the role's economics.salary_*)
    name = "Worker"            # optional; or first_name = "First Name", last_name = "Last Name"
    location = "Location"      # optional

    [roles]                    # title patterns per model role
    executive = ["chief executive", "ceo"]
    manager = ["manager", "head of", "director", "vp"]
    sales = ["account executive", "sales", "bdr"]
    service = ["support", "customer success"]
    marketing = ["marketing"]
    other = ["finance", "engineering", "hr"]   # staff outside the customer-facing roles

**Title matching.** Case-insensitive. A plain pattern is a word or phrase matched on word
boundaries: ``"vp"`` matches "VP, Sales" and "Sr. VP" but not "MVP"; the words of a phrase may be
separated by spaces, hyphens, underscores, slashes, commas, dots or ``&`` in the title
(``"account executive"`` matches "Sr. Account-Executive"). A pattern starting with ``re:`` is a
Python regular expression searched anywhere in the title (``"re:^sr\\.? ae$"``). Roles are tried
in the order they appear in the file, patterns in list order; the first match wins.

**What the title decides.** The top person (empty manager) is the executive and anyone with
reports is a manager, whatever their title (as for the project's own chart format), so only the
titles of people without reports need to match a pattern; every one that does not is listed at
once, with how many people hold it, most common first. ``other`` staff (finance, engineering,
HR, ...) count for headcount, cost and reporting lines but hold no customers (docs/ODD.md 8).

**File format.** UTF-8 with or without a byte-order mark, CRLF or LF line ends, one header row;
the delimiter (comma, semicolon or tab) is sniffed from the header row. Other columns are ignored.

With ``manager_name`` the manager cell holds a name (``name``, or ``first_name`` + " " +
``last_name``): names must then be unique; the message lists those that are not.

The result is the project's own chart (:class:`~sim.structures.org_chart.OrgChart`), validated
by the same code as a native chart file; ``python run.py chart EXPORT --map MAP --out chart.csv``
writes it in the native format, which then loads without a map.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from sim.structures.base import ROLE_NAMES
from sim.structures.org_chart import (
    MAX_BYTES,
    OrgChart,
    OrgChartError,
    _Table,
    chart_from_table,
    read_cells,
)
from sim.textfile import NotReadable, NotText, decode_utf8, read_regular

#: Model roles a mapping file may name, in the model's order.
MAP_ROLES = ROLE_NAMES
#: Prefix of a regular-expression pattern in ``[roles]``.
REGEX_PREFIX = "re:"
#: Delimiters tried on the header row.
DELIMITERS = (",", ";", "\t")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Characters that separate the words of a phrase pattern in a title.
_SEP = r"[\s\-_/,.&]+"


class ChartMapError(OrgChartError):
    """A mapping file, or an export read through it, is invalid (file, key or row named)."""


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A ``[roles]`` pattern as a compiled, case-insensitive regular expression.

    ``re:...`` is used as written; anything else is a word or phrase matched on word boundaries
    (letters and digits), its words separated by any of spaces, ``-``, ``_``, ``/``, ``,``,
    ``.``, ``&`` in the title.

    Raises:
        re.error: for a bad regular expression.
    """
    p = pattern.strip()
    if p.lower().startswith(REGEX_PREFIX):
        return re.compile(p[len(REGEX_PREFIX) :].strip(), re.IGNORECASE)
    words = [re.escape(w) for w in re.split(_SEP, p) if w]
    return re.compile(r"(?<![0-9a-z])" + _SEP.join(words) + r"(?![0-9a-z])", re.IGNORECASE)


class Columns(BaseModel):
    """``[columns]``: the export's header for each field of the model's chart."""

    model_config = ConfigDict(extra="forbid")

    id: str
    manager_id: str | None = None
    manager_name: str | None = None
    title: str
    unit: str
    fte: str | None = None
    salary: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    location: str | None = None

    @field_validator("*")
    @classmethod
    def _not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("empty; expected the export's header of this column")
        return v.strip() if v is not None else None

    @model_validator(mode="after")
    def _one_manager_column(self) -> Columns:
        if self.manager_id and self.manager_name:
            raise ValueError(
                "both manager_id and manager_name are set; expected one: manager_id when the "
                "manager cell holds an id, manager_name when it holds a name"
            )
        if not self.manager_id and not self.manager_name:
            raise ValueError(
                "neither manager_id nor manager_name is set; expected one of them naming the "
                "export's 'reports to' column"
            )
        if self.name and (self.first_name or self.last_name):
            raise ValueError("name and first_name/last_name are both set; expected one way")
        if self.manager_name and not (self.name or self.first_name or self.last_name):
            raise ValueError(
                "manager_name needs people's names: set name (or first_name and last_name)"
            )
        return self


class ChartMap(BaseModel):
    """A mapping file: ``[columns]`` and ``[roles]`` (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    columns: Columns
    roles: dict[str, list[str]]

    @field_validator("roles")
    @classmethod
    def _roles(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if not v:
            raise ValueError(
                f"empty; expected title patterns for some of {', '.join(MAP_ROLES)}, e.g. "
                'sales = ["account executive", "sales"]'
            )
        for role, patterns in v.items():
            if role not in MAP_ROLES:
                raise ValueError(
                    f"{role}: unknown role '{role}'; expected one of {', '.join(MAP_ROLES)}"
                )
            if not patterns:
                raise ValueError(f"{role}: empty list; expected at least one word or 're:' regex")
            for i, p in enumerate(patterns):
                if not p.strip() or p.strip().lower() == REGEX_PREFIX:
                    raise ValueError(f"{role}[{i}]: empty pattern; expected a word or 're:' regex")
                try:
                    compile_pattern(p)
                except re.error as e:
                    raise ValueError(
                        f"{role}[{i}]: bad regular expression {p!r} ({e}); expected a Python "
                        "regex after 're:'"
                    ) from None
        return v

    def rules(self) -> list[tuple[str, str, re.Pattern[str]]]:
        """(role, pattern text, compiled pattern) in the file's order: the first match wins."""
        return [(r, p, compile_pattern(p)) for r, ps in self.roles.items() for p in ps]


def load_chart_map(path: str | Path) -> ChartMap:
    """Read and validate a mapping file.

    Raises:
        ChartMapError: naming the file and the key (``columns.id``, ``roles.sales[2]``).
    """
    from sim.scenario import read_toml_file  # sim.scenario does not import the structures

    path = Path(path)
    data = read_toml_file(path, "mapping", ChartMapError)[2]
    try:
        return ChartMap.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "missing; expected the export's header of this column"
            if loc == "roles":
                msg = "missing [roles] table; expected title patterns per role"
            elif loc == "columns":
                msg = "missing [columns] table; expected the export's headers"
        elif err["type"] == "extra_forbidden":
            allowed = (
                ", ".join(Columns.model_fields) if loc.startswith("columns.") else "columns, roles"
            )
            msg = f"unknown key; expected one of {allowed}"
        elif err["type"] in ("string_type", "list_type", "dict_type", "model_type"):
            msg = f"{msg} (got {err.get('input')!r})"
        m = re.match(r"([A-Za-z_]\w*(?:\[\d+\])?): (.*)", msg) if loc == "roles" else None
        if m:  # a role's own problem: name the key itself, roles.sales[1]
            loc, msg = f"roles.{m.group(1)}", m.group(2)
        where = f"{loc}: " if loc else ""
        raise ChartMapError(f"{path}: {where}{msg}") from None


# ---------------------------------------------------------------------------------------------
# Reading the export
# ---------------------------------------------------------------------------------------------


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header row: whichever of comma, semicolon, tab splits it most."""
    counts = {d: len(next(csv.reader([header], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))


def _read_export(path: Path) -> tuple[list[str], pd.DataFrame, np.ndarray, str]:
    """Headers, text cells (stripped, blank rows dropped), file row of each record, delimiter.

    Raises:
        ChartMapError: for an unreadable, empty, non-UTF-8 or ragged file.
    """
    try:  # a regular file only, never more than MAX_BYTES + 1 read (FIFOs, devices: issue 15)
        raw = read_regular(path, MAX_BYTES)
    except NotReadable as e:
        raise ChartMapError(f"{path}: {e.describe(MAX_BYTES, 'a CSV file')}") from None
    try:
        text = decode_utf8(raw)
    except NotText as e:
        what = {"utf16": "UTF-16 text", "byte": "not UTF-8 text", "nul": "binary (NUL bytes)"}
        raise ChartMapError(
            f"{path}: row {e.line}: the file is {what[e.kind]}; expected UTF-8 CSV (with or "
            "without BOM): export as 'CSV UTF-8'"
        ) from None
    lines = re.split(r"\r\n?|\n", text)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise ChartMapError(f"{path}: the file is empty; expected a header row and one row each")
    header_row = first + 1
    delim = sniff_delimiter(lines[first])
    headers = [h.strip() for h in next(csv.reader([lines[first]], delimiter=delim))]
    body = "\n".join(lines[first + 1 :])
    cols = [f"c{i}" for i in range(len(headers))]
    if not body.strip():
        raise ChartMapError(f"{path}: the file has a header but no data rows")
    df, row, blank = read_cells(
        body,
        cols,
        header_row,
        delim,
        lambda r, cells, columns: ChartMapError(
            f"{path}: row {r}: {cells} cells, but the header has {columns} columns "
            f"({_DELIM_NAMES[delim]}-separated); expected one cell per column"
        ),
        lambda e: ChartMapError(f"{path}: not a readable CSV file ({e})"),
    )
    return headers, df.loc[~blank].reset_index(drop=True), row[~blank], delim


@dataclass(frozen=True)
class MappedExport:
    """An export read through a mapping file, before the chart's own checks.

    Attributes:
        path, map_path: the export and the mapping file.
        table: the cells in the project's own chart columns (``role`` holds model role names,
            ``title`` the export's titles).
        unmapped: (title, people) of the titles of people without reports that match no
            pattern, most common first.
        header_of: native column -> the export's header (for messages).
        delimiter: the sniffed delimiter.
    """

    path: Path
    map_path: Path
    table: _Table
    unmapped: list[tuple[str, int]]
    header_of: dict[str, str]
    delimiter: str

    def unmapped_message(self) -> str:
        """The one-line error for the unmapped titles (all of them, with counts)."""
        n = sum(c for _, c in self.unmapped)
        listed = ", ".join(f"'{t or '(empty)'}' ({c})" for t, c in self.unmapped)
        return (
            f"{self.path}: column '{self.header_of['title']}': {len(self.unmapped)} job "
            f"title{'s' if len(self.unmapped) > 1 else ''} of {n} people without reports match "
            f"no pattern in {self.map_path} [roles]: {listed}; expected each to match a word or "
            "'re:' regex of one role (other = [...] for staff outside sales, service and "
            "marketing)"
        )

    def to_chart(self, *, allow_unmapped: bool = False) -> OrgChart:
        """The validated chart.

        Args:
            allow_unmapped: treat unmapped titles as ``other`` (the ``chart`` preview only).

        Raises:
            ChartMapError: for unmapped titles, or any check of the native chart, with the
                export's own column headers in the message.
        """
        if self.unmapped and not allow_unmapped:
            raise ChartMapError(self.unmapped_message())
        try:
            return chart_from_table(self.table)
        except OrgChartError as e:
            msg = str(e)
            for native, header in self.header_of.items():
                msg = msg.replace(f"column {native}:", f"column '{header}' ({native}):")
            raise ChartMapError(msg) from None


def _pick(headers: list[str], df: pd.DataFrame, want: str, key: str, mp: Path, path: Path):
    """The cells of the export column named ``want`` (matched ignoring case and spaces)."""
    norm = [re.sub(r"\s+", " ", h).strip().lower() for h in headers]
    target = re.sub(r"\s+", " ", want).strip().lower()
    hits = [i for i, h in enumerate(norm) if h == target]
    if not hits:
        found = ", ".join(f"'{h}'" for h in headers)
        raise ChartMapError(
            f"{mp}: columns.{key}: column '{want}' is not in {path}; its columns are {found}"
        )
    if len(hits) > 1:
        raise ChartMapError(f"{path}: row 1: column '{want}' (columns.{key}) appears twice")
    return df[f"c{hits[0]}"]


def import_export(path: str | Path, map_path: str | Path) -> MappedExport:
    """Read an HR export through a mapping file into the project's chart columns.

    Raises:
        ChartMapError: naming the file and the key, row or column at fault.
    """
    path, map_path = Path(path), Path(map_path)
    cmap = load_chart_map(map_path)
    cols = cmap.columns
    headers, df, row, delim = _read_export(path)

    def pick(key: str) -> pd.Series:
        return _pick(headers, df, getattr(cols, key), key, map_path, path)

    header_of = {"id": cols.id, "title": cols.title, "unit": cols.unit, "role": cols.title}
    ids = pick("id")
    title = pick("title")
    unit = pick("unit")
    n = len(df)
    empty = pd.Series([""] * n, dtype=object)
    if cols.name:
        name = pick("name")
        header_of["name"] = cols.name
    elif cols.first_name or cols.last_name:
        first = pick("first_name") if cols.first_name else empty
        last = pick("last_name") if cols.last_name else empty
        name = (first + " " + last).str.strip()
    else:
        name = empty
    if cols.manager_id:
        manager = pick("manager_id")
        header_of["manager_id"] = cols.manager_id
    else:
        manager = _manager_ids(pick("manager_name"), name, ids, row, cols, path)
        header_of["manager_id"] = cols.manager_name or ""
    fte = pick("fte") if cols.fte else None
    if fte is not None:  # a decimal comma (European Excel) is read as a decimal point
        fte = fte.str.replace(r"^(\d+),(\d+)$", r"\1.\2", regex=True)
        header_of["fte"] = cols.fte or ""
    location = pick("location") if cols.location else empty
    salary = pick("salary") if cols.salary else None
    if salary is not None:
        header_of["salary"] = cols.salary or ""
    # roles from titles; the top and anyone with reports are decided by the reporting lines
    has_reports = ids.isin(set(manager[manager != ""])).to_numpy()
    top = (manager == "").to_numpy()
    role, unmapped = _roles_from_titles(title, cmap, ~has_reports & ~top)
    role = np.where(has_reports | top, "manager", role)
    role = np.where(top, "executive", role)
    cells = {
        "id": ids,
        "manager_id": manager,
        "role": pd.Series(role, dtype=object),
        "unit": unit,
        "name": name,
        "location": location,
        "title": title,
    }
    if fte is not None:
        cells["fte"] = fte
    if salary is not None:
        cells["salary"] = salary
    table = _Table(path=path, cells=pd.DataFrame(cells).astype(str), row=row)
    return MappedExport(path, map_path, table, unmapped, header_of, delim)


def _roles_from_titles(
    title: pd.Series, cmap: ChartMap, needs: np.ndarray
) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Model role name per person (first matching rule; 'other' where unmapped) and the unmapped
    titles of people in ``needs`` with their counts, most common first."""
    codes, uniques = pd.factorize(title, sort=False)
    rules = cmap.rules()
    per_title = []
    for t in uniques:
        per_title.append(next((r for r, _, rx in rules if rx.search(str(t))), ""))
    role = np.asarray(per_title + [""], dtype=object)[codes]
    miss = (role == "") & needs
    counts = pd.Series(title[miss]).value_counts(sort=False)
    unmapped = sorted(((str(t), int(c)) for t, c in counts.items()), key=lambda x: (-x[1], x[0]))
    role = np.where(role == "", "other", role)  # only used when the unmapped are allowed
    return role, unmapped


def _manager_ids(
    manager_name: pd.Series,
    name: pd.Series,
    ids: pd.Series,
    row: np.ndarray,
    cols: Columns,
    path: Path,
) -> pd.Series:
    """Manager ids from manager names; names must be unique (the message lists those that are not).

    Raises:
        ChartMapError: for repeated names or a manager name that nobody has.
    """
    label = cols.name or " + ".join(c for c in (cols.first_name, cols.last_name) if c)
    counts = name[name != ""].value_counts()
    dup = counts[counts > 1]
    if len(dup):
        listed = ", ".join(f"'{k}' ({v} people)" for k, v in dup.items())
        raise ChartMapError(
            f"{path}: column '{label}': manager_name needs unique names, but {len(dup)} "
            f"name{'s are' if len(dup) > 1 else ' is'} shared: {listed}; expected unique names, "
            "or map manager_id to a column of manager ids"
        )
    lookup = dict(zip(name.tolist(), ids.tolist(), strict=True))
    out = manager_name.map(lambda v: lookup.get(v) if v else "")
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        more = f" ({int(bad.sum()) - 1} more rows like this)" if bad.sum() > 1 else ""
        raise ChartMapError(
            f"{path}: row {int(row[i])}, column '{cols.manager_name}': unknown manager "
            f"'{manager_name.iat[i]}' (nobody has this name in column '{label}'); expected "
            f"another person's name, or empty for the top person{more}"
        )
    return out.astype(str)
