"""A small TOML writer for plain data (the subset ``tomllib`` reads back).

The standard library reads TOML but does not write it. The sweep's self-contained results
folders (:mod:`sim.sweep.bundle`) and the app's scenario download (``app/keep.py``) both write
plain data (numbers, strings, booleans, lists, tables), so they share this one writer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(k: str) -> str:
    """A TOML key: bare where TOML allows it, else a quoted basic string."""
    return k if _BARE.fullmatch(k) else json.dumps(k, ensure_ascii=False)


def toml_value(v: Any) -> str:
    """A TOML value; tables inside values become inline tables, ``None`` entries are left out.

    Raises:
        TypeError: for a value TOML has no form for.
    """
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        # JSON's escapes (\" \\ \n \t \uXXXX) are TOML basic-string escapes too
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items() if x is not None)
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def dumps_toml(data: Mapping[str, Any]) -> str:
    """TOML text of plain data: top-level values first, then one ``[table]`` per top-level table.

    Nested tables are written as inline tables, arrays of tables as arrays of inline tables, so
    ``tomllib.loads(dumps_toml(d)) == d`` for any data ``tomllib`` returns (datetimes aside).
    """
    lines = [
        f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, Mapping)
    ]
    for k, v in data.items():
        if isinstance(v, Mapping):
            lines += ["", f"[{toml_key(k)}]"]
            lines += [f"{toml_key(a)} = {toml_value(b)}" for a, b in v.items()]
    return "\n".join(lines) + "\n"
