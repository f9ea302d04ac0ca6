"""CSV files that are safe to open in a spreadsheet: every CSV the project writes goes through here.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and tab
or carriage return can smuggle one in; spreadsheets also skip leading spaces, line breaks and
invisible characters, and read the fullwidth and small forms ``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫`` as the
ASCII ones), so a scenario, design or org-chart unit name such as
``=HYPERLINK(...)`` in a results file could run when a colleague opens it ("CSV injection").
:func:`to_csv` writes a table with every such *text* cell prefixed by an apostrophe, which
spreadsheets show as text. The test is made on the cell as a spreadsheet would read it: Unicode
NFKC-normalised (which folds the fullwidth and small forms into ASCII) with leading whitespace and
control/format characters (space, no-break space, tab, line feed, carriage return, zero-width
space, byte-order mark, ...) skipped; the cell written is the original text with the apostrophe.

Only text cells (and text column names) are changed. Numbers are left as numbers, so a numeric
column with ``-0.5`` stays ``-0.5`` in the file and reads back as a float with ``pandas.read_csv``;
a *text* cell ``"-1"`` is text and is neutralised like any other.

A carriage return inside a text cell is written as a line feed: the CSV writer quotes a cell with
a line feed but not one with a bare carriage return, which spreadsheets (and ``pandas``) read as
the end of the row, so whatever follows it, a formula included, would start a new row.
"""

from __future__ import annotations

import io
import unicodedata
from os import PathLike
from typing import Any

import pandas as pd

#: A text cell starting with one of these is neutralised.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Characters that start a formula once the cell is NFKC-normalised and its leading blanks are
#: skipped (U+2212 MINUS SIGN, which NFKC keeps, is read as a minus by some spreadsheets).
FORMULA_STARTS = ("=", "+", "-", "@", "\u2212")

#: Unicode categories skipped before the test: separators (space, line, paragraph), controls
#: (tab, line feed, carriage return, ...) and format characters (zero-width space, BOM, ...).
_SKIPPED = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (see the module's docstring)."""
    if text.startswith(DANGEROUS_PREFIXES):
        return True
    probe = unicodedata.normalize("NFKC", text)
    i = 0
    while i < len(probe) and (probe[i].isspace() or unicodedata.category(probe[i]) in _SKIPPED):
        i += 1
    return probe.startswith(FORMULA_STARTS, i)


def neutralise(value: object) -> object:
    """Make a text cell safe for spreadsheets (no formula injection); numbers are left as numbers.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, also after
    leading blanks or invisible characters and in fullwidth or small form
    (:func:`looks_like_formula`), gets a leading apostrophe, so a spreadsheet shows it as text
    instead of evaluating it; carriage returns in it become line feeds (see the module's
    docstring). Anything that is not a ``str`` (numbers, NaN,
    None, booleans) is returned unchanged.
    """
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    return "'" + text if looks_like_formula(value) else text


def _is_text(col: pd.Series) -> bool:
    return (
        col.dtype == object
        or pd.api.types.is_string_dtype(col.dtype)
        or isinstance(col.dtype, pd.CategoricalDtype)
    )


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with text cells and text column names neutralised (numbers untouched)."""
    out = df.copy()
    out.columns = [neutralise(c) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if _is_text(col):
            out.isetitem(i, col.astype(object).map(neutralise))
    return out


def to_csv(df: pd.DataFrame, target: str | PathLike[str] | None = None, **kw: Any) -> str | None:
    """Write ``df`` as CSV (no index) with text cells neutralised; the text when ``target`` is None.

    Args:
        df: the table.
        target: a path, or None to return the CSV text.
        **kw: further ``DataFrame.to_csv`` options.
    """
    kw.setdefault("index", False)
    safe = neutralise_frame(df)
    if target is None:
        buf = io.StringIO()
        safe.to_csv(buf, **kw)
        return buf.getvalue()
    safe.to_csv(target, **kw)
    return None
