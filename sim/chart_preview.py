"""``python run.py chart FILE [--map MAP] [--out chart.csv]``: preview an org-chart import.

Reads an org chart (the project's own format, or an HR export through a mapping file,
:mod:`sim.structures.chart_map`) without building or running any model, and prints what the
model would see: people per role, unit and level; spans and layers (the span distribution of
managers, the widest spans with their ids and names, the number of layers, the manager-to-staff
ratio of each unit); the FTE total; and the job titles no pattern maps. With ``--out`` it writes
the normalised chart in the project's own format (``id, manager_id, role, unit, name, fte,
location, title``; ``role`` holds the model role), which loads without a map. It never
overwrites an input and writes through a temporary file, so no half-written chart is left.

Unmapped titles do not stop the preview (they are shown as role ``other``, marked unmapped) but
the command then exits with code 2 and the same one-line error an import would give.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.structures.base import LEADERS, ROLE_NAMES, levels_from_managers
from sim.structures.org_chart import OrgChart, parse_org_chart

#: Span-of-control bins of the distribution (upper bounds, inclusive).
SPAN_BINS = ((1, 1), (2, 3), (4, 6), (7, 10), (11, 15), (16, 25), (26, None))
#: Widest spans listed.
WIDEST = 5
#: Columns of the normalised chart.
NORMALISED_COLUMNS = (
    "id",
    "manager_id",
    "role",
    "unit",
    "name",
    "fte",
    "location",
    "title",
    "salary",
)


@dataclass(frozen=True)
class Preview:
    """A chart read for preview and the titles that did not map (title, people)."""

    chart: OrgChart
    unmapped: list[tuple[str, int]]
    error: str | None  # the import's error when titles are unmapped, else None


def read_for_preview(path: str | Path, map_path: str | Path | None = None) -> Preview:
    """Read a chart (through ``map_path`` when given), tolerating unmapped titles.

    Raises:
        InputError: for any other problem of the file or the mapping (as an import would).
    """
    if map_path is None:
        return Preview(parse_org_chart(path), [], None)
    from sim.structures.chart_map import import_export

    mapped = import_export(path, map_path)
    error = mapped.unmapped_message() if mapped.unmapped else None
    return Preview(mapped.to_chart(allow_unmapped=True), mapped.unmapped, error)


def span_distribution(reports: np.ndarray) -> list[tuple[str, int]]:
    """(label, managers) per :data:`SPAN_BINS` bin, over people with at least one report."""
    span = reports[reports > 0]
    out = []
    for lo, hi in SPAN_BINS:
        sel = (span >= lo) & (span <= hi) if hi is not None else span >= lo
        label = f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi is not None else f"{lo}+")
        out.append((label, int(sel.sum())))
    return out


#: Spans wider than this are named as overloaded (the top two bins of :data:`SPAN_BINS`): an
#: assumption for the report's wording, from the practitioner rule of thumb that spans beyond
#: about 15 leave a manager little time per report (Gulick 1937; Urwick 1956 put the limit lower
#: for interlocking work). It changes no model number.
WIDE_SPAN = 15


@dataclass(frozen=True)
class Spans:
    """Spans and layers of a chart (what ``chart`` prints and the report compares).

    Attributes:
        managers: people with at least one report.
        staff: people without reports.
        layers: levels from the top to the deepest person.
        mean, median, widest: span of control over managers.
        distribution: (bin label, managers) per :data:`SPAN_BINS` bin.
        top: (who, reports) of the widest spans, widest first (ties by chart order).
        overloaded: (who, reports) of every manager with more than :data:`WIDE_SPAN` reports.
    """

    managers: int
    staff: int
    layers: int
    mean: float
    median: float
    widest: int
    distribution: list[tuple[str, int]]
    top: list[tuple[str, int]]
    overloaded: list[tuple[str, int]]

    @property
    def per_staff(self) -> float:
        """Managers per staff member."""
        return self.managers / max(self.staff, 1)


def who(chart: OrgChart, i: int) -> str:
    """A person in words: title, then name or id ('VP Sales (Ana Ruiz)', 'Team Lead (E17)')."""
    title = str(chart.title[i]) if chart.title[i] else ROLE_NAMES[chart.role[i]]
    return f"{title} ({chart.name[i] or chart.ids[i]})"


def spans(chart: OrgChart, widest: int = WIDEST) -> Spans:
    """The chart's spans and layers (see :class:`Spans`)."""
    reports = chart.reports()
    mgr = reports > 0
    span = reports[mgr]
    order = np.lexsort((np.arange(chart.n), -reports))
    top = [(who(chart, int(i)), int(reports[i])) for i in order[: min(widest, int(mgr.sum()))]]
    wide = [(who(chart, int(i)), int(reports[i])) for i in order if reports[i] > WIDE_SPAN]
    level = levels_from_managers(chart.manager)
    return Spans(
        managers=int(mgr.sum()),
        staff=int((~mgr).sum()),
        layers=int(level.max()) + 1,
        mean=float(span.mean()) if span.size else 0.0,
        median=float(np.median(span)) if span.size else 0.0,
        widest=int(span.max()) if span.size else 0,
        distribution=span_distribution(reports),
        top=top,
        overloaded=wide,
    )


def unit_table(chart: OrgChart) -> pd.DataFrame:
    """Per unit: people, managers (with reports), staff (without), managers per staff member."""
    reports = chart.reports()
    df = pd.DataFrame(
        {
            "unit": np.asarray(chart.unit_names, dtype=object)[chart.unit],
            "manager": reports > 0,
        }
    )
    g = df.groupby("unit", sort=False)["manager"]
    out = pd.DataFrame({"people": g.size(), "managers": g.sum().astype(int)})
    out["staff"] = out["people"] - out["managers"]
    out["managers_per_staff"] = out["managers"] / out["staff"].where(out["staff"] > 0)
    return out


def preview_text(p: Preview) -> str:
    """The preview as plain text (see the module docstring)."""
    c = p.chart
    reports = c.reports()
    level = levels_from_managers(c.manager)
    mgr = reports > 0
    unmapped_titles = {t for t, _ in p.unmapped}
    lines = [f"Org chart {c.source}: {c.n} people, {c.fte.sum():g} FTE", ""]
    lines.append("People per role")
    for code, name in enumerate(ROLE_NAMES):
        k = int((c.role == code).sum())
        if k:
            lines.append(f"  {name:<12}{k:>7}  {100 * k / c.n:5.1f}%")
    if p.unmapped:
        k = sum(n for _, n in p.unmapped)
        lines.append(f"  {'(unmapped)':<12}{k:>7}  counted as other above: the import refuses them")
    lines += ["", "People per unit (managers = people with reports)"]
    ut = unit_table(c)
    lines.append(f"  {'unit':<36}{'people':>7}{'managers':>9}{'staff':>7}{'mgr/staff':>10}")
    for unit, r in ut.iterrows():
        ratio = "-" if pd.isna(r["managers_per_staff"]) else f"{r['managers_per_staff']:.2f}"
        lines.append(
            f"  {str(unit)[:35]:<36}{int(r['people']):>7}{int(r['managers']):>9}"
            f"{int(r['staff']):>7}{ratio:>10}"
        )
    lines += ["", f"People per level ({int(level.max()) + 1} layers; level 0 is the top)"]
    for lv in range(int(level.max()) + 1):
        lines.append(f"  level {lv:<6}{int((level == lv).sum()):>7}")
    sp = spans(c)
    lines += [
        "",
        f"Spans of control: {sp.managers} managers, mean {sp.mean:.2f}, median "
        f"{sp.median:g}, widest {sp.widest}; {sp.managers} managers for {sp.staff} staff "
        f"({sp.per_staff:.3f} per staff member)",
    ]
    for label, k in sp.distribution:
        lines.append(f"  span {label:<7}{k:>6}")
    lines.append("  widest:")
    order = np.lexsort((np.arange(c.n), -reports))[: min(WIDEST, int(mgr.sum()))]
    for i in order:
        name = f" {c.name[i]}" if c.name[i] else ""
        lines.append(f"    {reports[i]:>4} reports: {c.ids[i]}{name} ({c.title[i]})")
    lines += payroll_lines(c)
    leaders = np.isin(c.role, LEADERS)
    if p.unmapped:
        lines += ["", f"Unmapped job titles ({len(p.unmapped)}; people without reports)"]
        for t, k in p.unmapped:
            lines.append(f"  {k:>5}  {t or '(empty)'}")
    else:
        n_titles = len({str(t) for t in c.title[~leaders]} - unmapped_titles)
        lines += ["", f"Every job title maps to a role ({n_titles} titles of staff)."]
    return "\n".join(lines) + "\n"


def payroll(
    chart: OrgChart, economics: Any = None, salary_annual: float | None = None
) -> pd.Series:
    """(n,) yearly pay of each person: the chart's salary where given, else the role's
    (``economics.salary_<role>``, else ``people.salary_annual`` x the manager factor), x FTE.

    Args:
        chart: the organisation.
        economics: the scenario's ``economics`` section (default: the schema's).
        salary_annual: ``people.salary_annual`` (default: the schema's).
    """
    from sim.mechanisms import economics as econ
    from sim.scenario import Economics, People

    p = economics if economics is not None else Economics()
    base = salary_annual if salary_annual is not None else People().salary_annual
    return pd.Series(econ.position_pay(chart.role, chart.salary, chart.fte, base, p))


def payroll_lines(chart: OrgChart) -> list[str]:
    """The preview's payroll: by role and by unit, with where each figure comes from."""
    pay = payroll(chart)
    given = ~np.isnan(chart.salary)
    from sim.scenario import Economics, People

    base, factor = People().salary_annual, Economics().manager_salary_factor
    source = (
        f"salary column for {int(given.sum())} of {chart.n} people, the rest"
        if given.any()
        else "no salaries in the chart: everyone"
    )
    lines = [
        "",
        f"Payroll a year (salary x FTE; {source} at the default role salary "
        f"{base:,.0f}, managers and the executive x {factor:g}; a scenario's "
        "economics.salary_<role> changes those; in its economics.currency)",
        f"  {'role':<12}{'people':>7}{'given':>7}{'payroll':>16}",
    ]
    for code, name in enumerate(ROLE_NAMES):
        sel = chart.role == code
        if sel.any():
            lines.append(
                f"  {name:<12}{int(sel.sum()):>7}{int((sel & given).sum()):>7}"
                f"{pay[sel].sum():>16,.0f}"
            )
    lines.append(f"  {'total':<12}{chart.n:>7}{int(given.sum()):>7}{pay.sum():>16,.0f}")
    units = np.asarray(chart.unit_names, dtype=object)[chart.unit]
    by_unit = pay.groupby(units, sort=False).sum()
    lines.append(f"  {'unit':<36}{'payroll':>16}")
    for unit, v in by_unit.items():
        lines.append(f"  {str(unit)[:35]:<36}{v:>16,.0f}")
    return lines


def normalised_frame(chart: OrgChart) -> pd.DataFrame:
    """The chart in the project's own format (see :data:`NORMALISED_COLUMNS`)."""
    ids = np.asarray(chart.ids, dtype=object)
    mgr = np.where(chart.manager >= 0, ids[np.maximum(chart.manager, 0)], "")
    return pd.DataFrame(
        {
            "id": ids,
            "manager_id": mgr,
            "role": np.asarray(ROLE_NAMES, dtype=object)[chart.role],
            "unit": np.asarray(chart.unit_names, dtype=object)[chart.unit],
            "name": chart.name,
            "fte": [f"{x:g}" for x in chart.fte],
            "location": chart.location,
            "title": chart.title,
            "salary": ["" if np.isnan(x) else f"{x:.2f}".removesuffix(".00") for x in chart.salary],
        },
        columns=list(NORMALISED_COLUMNS),
    )


def write_normalised(chart: OrgChart, out: Path, inputs: list[Path]) -> None:
    """Write the normalised chart to ``out`` atomically, refusing to overwrite an input.

    Raises:
        InputError: if ``out`` is one of ``inputs`` or cannot be written.
    """
    from sim.csvsafe import to_csv

    target = out.resolve()
    for f in inputs:
        if Path(f).resolve() == target:
            raise InputError(f"--out {out}: would overwrite {f}, an input; expected another name")
    text = to_csv(normalised_frame(chart))
    assert text is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, out)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"--out {out}: cannot write ({e.strerror})") from None


def chart_command(path: Path, map_path: Path | None = None, out: Path | None = None) -> int:
    """Print the preview, write ``out`` if asked; exit code 0, or raise for unmapped titles.

    Raises:
        InputError: for a bad file or mapping, an ``out`` that is an input, or unmapped titles
            (after the preview is printed; nothing is written then).
    """
    inputs = [path] + ([map_path] if map_path else [])
    if out is not None:  # refuse before reading anything
        for f in inputs:
            if Path(f).resolve() == out.resolve():
                raise InputError(
                    f"--out {out}: would overwrite {f}, an input; expected another name"
                )
    p = read_for_preview(path, map_path)
    print(preview_text(p), end="", flush=True)
    if p.error:
        raise InputError(p.error)
    if out is not None:
        write_normalised(p.chart, out, inputs)
        print(f"normalised chart written to {out} (loads without a map)")
    return 0
