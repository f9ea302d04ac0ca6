"""Output paths checked before any work: writable, of the right kind, never one of the inputs.

Every command that writes (``run``, ``compare``, the main job, ``report``, ``sweep``,
``summarize``, ``evidence``, ``params --out``, ``bench --out``) lists what it will write, the
companions included (``run``'s ``<stem>_interventions`` table, the report's CSV beside its HTML,
a sweep's ``manifest.json``, ``runs/`` and ``weekly/``, ``summarize``'s ``summary/``) and the files
it reads, and calls :func:`check_outputs` before anything runs. So a bad output path costs
nothing, and no output ever replaces an input (issue 15, classes 1 and 12).

Identity is decided as the operating system sees it: two existing paths are the same file when
``os.path.samefile`` says so (same device and inode: hard links and symlinks included); an output
that does not exist yet is compared by its resolved path (symlinks in its folders followed).

Only this module's standard-library imports: ``run.py`` calls it before the model's imports.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sim.errors import InputError


@dataclass(frozen=True)
class Output:
    """One path a command writes.

    Attributes:
        path: the file or folder.
        flag: the option that named it (``--out``), for the message.
        kind: ``file`` or ``folder``.
        what: what it is, when it is a companion (``the report's CSV``); empty for the path the
            user gave.
        replaced: a folder written under a temporary name and renamed into place (so it may not
            be a mount point, and its parent must be writable); a folder written into (a sweep's)
            must itself be writable.
        members: for a folder, the names written inside it (``runs``, ``manifest.json``); each
            is checked like a file (``name``) or a folder (``name/``).
        given: for a companion, the path the user gave (named first in messages).
    """

    path: Path
    flag: str = "--out"
    kind: Literal["file", "folder"] = "file"
    what: str = ""
    replaced: bool = True
    members: tuple[str, ...] = ()
    given: Path | None = None


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file: same inode if both exist, else the same real path."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (real paths)."""
    p, f = os.path.realpath(path), os.path.realpath(folder)
    return p == f or p.startswith(f.rstrip(os.sep) + os.sep)


def _label(out: Output, path: Path) -> str:
    head = f"{out.flag} {out.given or out.path}"
    if path == out.path and not out.what:
        return head
    return f"{head}: {out.what or 'its companion'} {path}"


def _writable_parent(out: Output, path: Path) -> None:
    """The nearest existing folder above ``path`` is a folder this process can write in."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{_label(out, path)}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{_label(out, path)}: cannot write in {parent} (read-only)")


def _check_file(out: Output, path: Path) -> None:
    if path.is_dir():
        raise InputError(f"{_label(out, path)}: is a folder; expected a file name")
    if os.path.ismount(path):
        raise InputError(f"{_label(out, path)}: is a mount point; expected a file name")
    if path.exists() and not path.is_file():
        raise InputError(f"{_label(out, path)}: exists and is not a regular file")
    _writable_parent(out, path)


def _check_folder(out: Output, path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise InputError(f"{_label(out, path)}: is a file; expected a folder (new or empty)")
    if out.replaced:
        if os.path.ismount(path):
            raise InputError(
                f"{_label(out, path)}: is a mount point, which cannot be replaced; "
                "expected a folder inside it"
            )
        _writable_parent(out, path)
    elif path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise InputError(f"{_label(out, path)}: cannot write in {path} (read-only)")
    else:
        _writable_parent(out, path)


def paths_of(out: Output) -> list[tuple[Path, str]]:
    """The output's path and its members' paths, each with its kind (``file`` or ``folder``)."""
    items = [(out.path, out.kind)]
    for m in out.members:
        name = m.rstrip("/")
        items.append((out.path / name, "folder" if m.endswith("/") else "file"))
    return items


def check_outputs(outputs: Sequence[Output], inputs: Iterable[str | Path] = ()) -> None:
    """Refuse, before any work, an output path that cannot be written or is one of the inputs.

    Checked for each output and each companion: a file path is not a folder, a mount point or a
    special file, and its nearest existing folder is writable; a folder path is not a file, and
    is writable (or, for a folder replaced by a rename, is not a mount point and its parent is
    writable); no output, and no member of an output folder, is (or, for a folder, holds) a file
    in ``inputs``; two outputs are never the same path.

    Args:
        outputs: what the command writes.
        inputs: every file it reads (scenarios, base files, org charts, customer files, ...).

    Raises:
        InputError: naming the option, the path and what is wrong.
    """
    files = [Path(f) for f in inputs if f]
    seen: list[tuple[Path, Output]] = []
    for out in outputs:
        for path, kind in paths_of(out):
            if path == out.path:
                (_check_file if kind == "file" else _check_folder)(out, path)
            elif kind == "file" and path.is_dir():
                raise InputError(f"{_label(out, path)}: is a folder; expected a file name")
            elif kind == "folder" and path.exists() and not path.is_dir():
                raise InputError(f"{_label(out, path)}: is a file; expected a folder")
            for f in files:
                if kind == "file":
                    hit = same_file(path, f)
                else:  # a folder written into (a sweep's) may hold inputs beside its members
                    hit = (path != out.path or out.replaced) and _inside(f, path)
                if hit:
                    raise InputError(
                        f"{_label(out, path)}: would overwrite {f}, an input of this command; "
                        "expected another name"
                    )
            for other, by in seen:
                if same_file(path, other):
                    raise InputError(
                        f"{_label(out, path)}: is also where {by.flag} {other} goes; "
                        "expected two different names"
                    )
            seen.append((path, out))


def scenario_inputs(ref: str | Path | None, scenario: object | None = None) -> list[Path]:
    """Every file a scenario reads: its file and base files (``ref``), org chart, customer file.

    Args:
        ref: the preset name or scenario file given (None: none).
        scenario: the loaded scenario, whose org chart and customer file count too (they may come
            from ``--set``).
    """
    out: list[Path] = []
    if ref is not None:
        from sim.design import input_files

        out.extend(input_files(ref))
    if scenario is not None:
        org = getattr(scenario, "organisation", None)
        cust = getattr(scenario, "customers", None)
        for p in (getattr(org, "org_chart", None), getattr(cust, "file", None)):
            if p:
                out.append(Path(p))
    return out


__all__ = ["Output", "check_outputs", "paths_of", "same_file", "scenario_inputs"]
