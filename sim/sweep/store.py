"""The results folder of a sweep: manifest, Parquet chunks, resume, and reading results back.

Layout of ``DIR``::

    manifest.json          experiment (text and hash), design, seeds, versions, git revision
    experiment.toml        the experiment, its files pointing at the copies in inputs/
    inputs/                a copy of every file the sweep reads (sim.sweep.bundle); their
                           sources and SHA-256 are in the manifest (input_copies)
    design.parquet         one row per design point: point, then one column per factor
    runs/part-NNNNNN.parquet     one row per finished run: ids, seed, factors, status, error,
                                 headline outcomes (sim.experiment.HEADLINES)
    weekly/part-NNNNNN.parquet   the kept weeks of each successful run: ids, seed, factors, week,
                                 metrics (sim.metrics.COLUMNS)
    chunks.jsonl           sha256 and rows of the chunks written since the manifest last was
                           (only while a session runs, or after it was killed)
    damaged/               chunks that failed their checksum, set aside by --resume

Finished runs are buffered and written as chunks: each file is written to a temporary name,
fsynced and moved into place with ``os.replace``; the weekly part is written before the runs part
of the same number, and a run counts as done only once its runs part exists. A weekly part without
its runs part (the process died between the two) is removed on ``--resume``, so nothing is lost or
counted twice. A new folder gets its manifest last: a folder without one holds no results, and a
process killed while creating it leaves only files the next sweep into that folder replaces.
``--resume`` removes the records of failed runs before running them again (rewriting the chunks
that hold them), so a run is never recorded twice.

Damage is detected by checksums (issue 15, class 9). The SHA-256 and row count of every chunk
file are recorded when it is written: appended (and fsynced) to ``chunks.jsonl`` before the runs
part that commits the chunk is renamed into place, and folded into ``manifest.json`` (key
``chunks``) when a session ends, after which the journal is removed (a manifest can hold millions
of seeds: rewriting it after every chunk would cost the square of the sweep's length). A
truncated, edited or deleted chunk (runs or weekly part), or a runs part the checksums do not
know, is *damaged*: ``--resume`` moves it and its partner into ``damaged/``, says so, and runs its
runs again; :func:`load_results` (and so ``summarize``) refuses a damaged folder, naming the
chunk and saying to run ``--resume``. Folders written before checksums (no ``chunks`` key) are
read as before.

``pandas.read_parquet(DIR / "runs")`` and DuckDB's ``read_parquet('DIR/runs/*.parquet')`` read the
folders directly (temporary files start with a dot and end in ``.tmp-<pid>``, which both skip);
:func:`load_results` also sorts by run and checks the table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.errors import InputError

FORMAT = "orgsim-sweep/1"
MANIFEST = "manifest.json"
JOURNAL = "chunks.jsonl"
DAMAGED = "damaged"
ID_COLUMNS = ("run_id", "point", "replicate", "seed")
_PART = re.compile(r"^part-(\d{6,})\.parquet$")
_ARROW = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}


def arrow_type(dtype: str) -> pa.DataType:
    """Arrow type of a factor column (JSON-valued factors are stored as their JSON text)."""
    return _ARROW.get(dtype, pa.string())


#: Description and unit of the columns every results table has.
ID_DOCS: dict[str, tuple[str, str]] = {
    "run_id": ("the run: point x replicates + replicate", "id"),
    "point": ("design point (a row of design.parquet)", "id"),
    "replicate": ("replicate; with common random numbers the same seed at every point", "id"),
    "seed": ("the run's seed (sim.rng.replicate_seeds of the root seed)", "seed"),
    "status": ("ok, or failed (after one retry)", ""),
    "attempts": ("tries the run took", "count"),
    "error": ("what a failed run raised", ""),
    "elapsed_s": ("wall time of the run", "s"),
    "week": ("week of the run (1 = the first)", "week"),
}


def column_docs(
    table: Literal["runs", "weekly", "design"],
    factors: Sequence[tuple[str, str]] = (),
    custom: Sequence[dict[str, Any]] = (),
) -> dict[str, tuple[str, str]]:
    """(description, unit) of every column one of a sweep's tables may hold.

    Args:
        table: ``runs`` (headline outcomes), ``weekly`` (per-week metrics) or ``design``;
            ``adoption_rate`` is the final week's in one and a week's in the other.
        factors: (key, dtype) of the factor columns (described from the scenario schema).
        custom: the experiment's own outcomes as the manifest records them
            (``custom_outcomes``: name, metric, weeks, description).
    """
    from sim.experiment import HEADLINE_UNITS, HEADLINES
    from sim.metrics import COLUMNS, UNITS
    from sim.scenario import field_specs

    docs = dict(ID_DOCS)
    if table == "weekly":
        docs.update({k: (COLUMNS[k], UNITS[k]) for k in COLUMNS})
    elif table == "runs":
        docs.update({k: (HEADLINES[k], HEADLINE_UNITS[k]) for k in HEADLINES})
    specs = {f.path: f for f in field_specs()}
    for key, _ in factors:
        spec = specs.get(key)
        text = f"factor: {spec.label or key}" if spec else f"factor: {key}"
        if spec and spec.help:
            text += f" ({spec.help})"
        docs[key] = (text[:500], (spec.unit or "") if spec else "")
    for c in custom:
        docs[c["name"]] = (str(c.get("description", "")), UNITS.get(str(c.get("metric")), ""))
    return docs


def _field(name: str, kind: pa.DataType, docs: dict[str, tuple[str, str]] | None) -> pa.Field:
    """A schema field carrying its description and unit as field metadata."""
    if not docs or name not in docs:
        return pa.field(name, kind)
    text, unit = docs[name]
    return pa.field(name, kind, metadata={"description": text, "unit": unit})


def runs_schema(
    factors: Sequence[tuple[str, str]],
    outcomes: Sequence[str],
    docs: dict[str, tuple[str, str]] | None = None,
) -> pa.Schema:
    """Schema of the runs table; ``factors`` are (key, dtype) pairs, ``docs`` the fields'
    (description, unit) (:func:`column_docs`), stored as each field's metadata."""
    cols = (
        [(c, pa.int64()) for c in ID_COLUMNS]
        + [(k, arrow_type(t)) for k, t in factors]
        + [
            ("status", pa.string()),
            ("attempts", pa.int64()),
            ("error", pa.string()),
            ("elapsed_s", pa.float64()),
        ]
        + [(o, pa.float64()) for o in outcomes]
    )
    return pa.schema([_field(n, t, docs) for n, t in cols])


def weekly_schema(
    factors: Sequence[tuple[str, str]],
    metrics: Sequence[str],
    docs: dict[str, tuple[str, str]] | None = None,
    counts: Sequence[str] = (),
) -> pa.Schema:
    """Schema of the weekly table; the metrics in ``counts`` are integers
    (``sim.metrics.COUNTS``; folders written before record none and read them as floats)."""
    cols = (
        [(c, pa.int64()) for c in ID_COLUMNS]
        + [(k, arrow_type(t)) for k, t in factors]
        + [("week", pa.int64())]
        + [(m, pa.int64() if m in counts else pa.float64()) for m in metrics]
    )
    return pa.schema([_field(n, t, docs) for n, t in cols])


def design_schema(
    factors: Sequence[tuple[str, str]], docs: dict[str, tuple[str, str]] | None = None
) -> pa.Schema:
    """Schema of the design table."""
    cols = [("point", pa.int64())] + [(k, arrow_type(t)) for k, t in factors]
    return pa.schema([_field(n, t, docs) for n, t in cols])


def column_value(value: Any, dtype: str) -> Any:
    """A factor value as stored in a column."""
    return json.dumps(value, sort_keys=True) if dtype == "json" else value


def versions() -> dict[str, str]:
    """Versions of Python and the packages that decide the numbers."""
    out = {"python": sys.version.split()[0]}
    for dist in (
        "orgsim-crm",
        "mesa",
        "numpy",
        "pandas",
        "scipy",
        "networkx",
        "pydantic",
        "pyarrow",
        "SALib",
        "dask",
        "distributed",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def git_revision(start: Path | None = None) -> str | None:
    """The commit checked out in the repository holding this package, read from ``.git`` files.

    Returns ``None`` when the package is not in a git work tree (e.g. installed from a wheel).
    """
    here = (start or Path(__file__)).resolve()
    for folder in [here, *here.parents]:
        dotgit = folder / ".git"
        if dotgit.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dotgit.read_text(errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            dotgit = (folder / text.split(":", 1)[1].strip()).resolve()
        if dotgit.is_dir():
            try:
                head = (dotgit / "HEAD").read_text().strip()
                if not head.startswith("ref:"):
                    return head or None
                ref = head.split(":", 1)[1].strip()
                common = dotgit
                if (dotgit / "commondir").is_file():
                    common = (dotgit / (dotgit / "commondir").read_text().strip()).resolve()
                for base in (dotgit, common):
                    if (base / ref).is_file():
                        return (base / ref).read_text().strip()
                packed = common / "packed-refs"
                if packed.is_file():
                    for line in packed.read_text().splitlines():
                        if line.endswith(" " + ref):
                            return line.split()[0]
            except OSError:
                return None
            return None
    return None


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _remember(path: Path, sha: str) -> None:
    """Prime :func:`chunk_sha256`'s memo for a file just written (saves reading it back)."""
    st = os.stat(path)
    _SHA_CACHE[(str(path), st.st_ino, st.st_size, st.st_mtime_ns)] = sha


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file through a temporary name, fsync and ``os.replace``."""
    tmp = _tmp_name(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of a Parquet file (zstd), as the chunks are written."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def atomic_write_parquet(table: pa.Table, path: Path) -> str:
    """Write a Parquet file through a temporary name, fsync and ``os.replace``.

    Returns:
        The SHA-256 (hex) of the bytes written.
    """
    data = parquet_bytes(table)
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


_SHA_CACHE: dict[tuple[str, int, int, int], str] = {}


def chunk_sha256(path: Path) -> str:
    """SHA-256 of a chunk file (remembered per path, inode, size and modification time)."""
    st = os.stat(path)
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]


def chunk_index(root: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The recorded checksums: ``{"runs/part-000003.parquet": {"sha256", "rows"}, ...}``.

    The manifest's ``chunks`` with the journal (``chunks.jsonl``) of the session that has not
    folded it in yet applied on top; a line torn by a kill is skipped (its runs part was never
    written: the line is fsynced before the part is). ``None`` for a folder written before
    checksums.
    """
    chunks = manifest.get("chunks")
    if not isinstance(chunks, dict):
        return None
    index = {k: dict(v) for k, v in chunks.items() if isinstance(v, dict)}
    journal = Path(root) / JOURNAL
    if journal.is_file():
        for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("file"), str):
                continue
            if rec.get("removed"):
                index.pop(rec["file"], None)
            else:
                index[rec["file"]] = {"sha256": rec.get("sha256"), "rows": rec.get("rows")}
    return index


def damaged_chunks(
    root: Path, index: dict[str, dict[str, Any]], *, missing_runs: bool = True
) -> dict[int, str]:
    """Chunk numbers whose files are damaged or lost, each with what is wrong.

    A chunk is damaged when a file it recorded is missing (a weekly part whose runs part is
    there; a runs part, when ``missing_runs``: it may also be one a live sweep is about to
    write) or its bytes no longer have the recorded SHA-256, or when a runs part is there
    that the checksums do not know.
    """
    root = Path(root)
    runs = _parts(root / "runs")
    bad: dict[int, str] = {}
    listed: set[int] = set()
    for key, entry in sorted(index.items()):
        folder, _, name = key.partition("/")
        m = _PART.match(name)
        if folder not in ("runs", "weekly") or m is None:
            continue
        n = int(m.group(1))
        if folder == "runs":
            listed.add(n)
        path = root / folder / name
        if not path.is_file():
            if folder == "runs" and missing_runs:
                bad.setdefault(n, f"{key} is missing ({entry.get('rows')} runs)")
            elif folder == "weekly" and n in runs:
                bad.setdefault(n, f"{key} is missing ({entry.get('rows')} weekly rows)")
            continue
        if chunk_sha256(path) != entry.get("sha256"):
            bad.setdefault(
                n, f"{key} is damaged (its sha256 is not the one recorded when it was written)"
            )
    for n, p in runs.items():
        if n not in listed:
            bad.setdefault(n, f"runs/{p.name} is not in the recorded checksums")
    return dict(sorted(bad.items()))


def _writer_active(root: Path) -> bool:
    """Whether a sweep holds the folder's lock (is writing to it now)."""
    import fcntl

    try:
        fd = os.open(Path(root) / ".lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of a sweep folder.

    Raises:
        InputError: when the folder holds no readable manifest.
    """
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise InputError(f"{root}: not a sweep results folder (no {MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: unreadable manifest ({e})") from None
    if data.get("format") != FORMAT:
        raise InputError(f"{path}: not a sweep manifest (format {data.get('format')!r})")
    return data


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    atomic_write_bytes(Path(root) / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))


def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    out = {}
    for p in folder.iterdir():
        m = _PART.match(p.name)
        if m:
            out[int(m.group(1))] = p
    return out


def _is_temp(p: Path) -> bool:
    return p.name.startswith(".") and ".tmp-" in p.name


# What a sweep writes before its manifest (and the lock it holds meanwhile).
_STARTING = {"runs", "weekly", ".lock", "experiment.toml", "design.parquet", "inputs"}


def _unfinished_start(root: Path) -> bool:
    """Whether a folder without a manifest is only a sweep killed while creating it."""
    if not (root / "runs").is_dir():
        return False
    names = {p.name for p in root.iterdir() if not _is_temp(p)}
    return names <= _STARTING and not _parts(root / "runs") and not _parts(root / "weekly")


def check_target(
    root: Path,
    fingerprint: str,
    resume: bool,
    inputs: dict[str, str] | None = None,
    design: str | None = None,
) -> dict[str, Any] | None:
    """Check that a sweep may write to ``root``, without writing anything.

    Args:
        root: the results folder.
        fingerprint: the fingerprint of the sweep about to run.
        resume: whether ``--resume`` was given.
        inputs: the SHA-256 of every file the sweep reads (path -> hex); on ``resume`` each
            must equal the one recorded when the sweep started, or the runs already recorded
            and those still to run would come from two versions of that file.
        design: the sweep's fingerprint without the inputs' contents: when it differs from the
            folder's, the folder is another experiment's (said so before any file is named).

    Returns:
        The existing manifest when resuming a folder, else ``None`` (a new sweep).

    Raises:
        InputError: the folder is not empty and ``resume`` is false; or it holds a different
            experiment's results, or files that are not a sweep's; or an input file changed
            since the sweep started (the message names it).
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise InputError(f"--out {root}: exists and is not a folder")
    if not root.exists() or not any(root.iterdir()):
        return None
    if not (root / MANIFEST).is_file() and _unfinished_start(root):
        return None  # killed before it recorded anything: start afresh
    if not (root / MANIFEST).is_file():
        raise InputError(f"--out {root}: folder is not empty and is not a sweep's; choose another")
    manifest = read_manifest(root)
    if not resume:
        raise InputError(
            f"--out {root}: holds a sweep already; add --resume to finish it, or choose another "
            "--out"
        )
    recorded = manifest.get("inputs")
    same_design = design is None or manifest.get("design_fingerprint") == design
    if inputs is not None and isinstance(recorded, dict) and same_design:
        for path, sha in recorded.items():
            now = inputs.get(path)
            if now != sha:
                how = (
                    f"its content changed (sha256 {str(sha)[:12]} when the sweep started, "
                    f"{now[:12]} now)"
                    if now is not None
                    else "it is no longer read by the experiment"
                )
                raise InputError(
                    f"--resume {root}: {path}: {how}; the recorded runs used the old version. "
                    "Restore the file to finish this sweep, or start a new one with another --out"
                )
    if manifest.get("fingerprint") != fingerprint:
        raise InputError(
            f"--resume {root}: the folder was made by a different experiment "
            f"({manifest.get('experiment', {}).get('path', '?')}, design "
            f"{str(manifest.get('fingerprint'))[:12]}; this one is {fingerprint[:12]}); "
            "use another --out"
        )
    return manifest


class SweepStore:
    """Writes a sweep's chunks; one writer per folder (guarded by an advisory lock)."""

    def __init__(
        self,
        root: Path,
        factors: Sequence[tuple[str, str]],
        outcomes: Sequence[str],
        metrics: Sequence[str],
        counts: Sequence[str] = (),
        custom: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.root = Path(root)
        self.factors = list(factors)
        self.runs_schema = runs_schema(factors, outcomes, column_docs("runs", factors, custom))
        self.weekly_schema = weekly_schema(factors, metrics, column_docs("weekly", factors), counts)
        self.design_docs = column_docs("design", factors)
        self.metrics = list(metrics)
        self.counts = set(counts)
        self._lock_fd: int | None = None
        self._next = 0
        self.retried = 0
        #: recorded checksums (see :func:`chunk_index`); None for a folder without them
        self.index: dict[str, dict[str, Any]] | None = None
        #: one line per damaged chunk moved aside on resume (what was wrong, runs to redo)
        self.repairs: list[str] = []

    # -- opening -----------------------------------------------------------------------------

    def open(
        self,
        manifest: dict[str, Any] | None,
        design_rows: Iterable[dict] | None = None,
        files: dict[str, bytes] | None = None,
        retry_failed: bool = False,
    ) -> set[int]:
        """Create the folder (new sweep) or tidy it (resume); return the ids of finished runs.

        Args:
            manifest: the manifest to write for a new sweep; ``None`` when resuming.
            design_rows: design table rows to write for a new sweep.
            files: other files to write for a new sweep (name -> content).
            retry_failed: remove the records of failed runs (their number is in
                :attr:`retried`), so that they run again.

        Returns:
            Run ids already recorded (empty for a new sweep).
        """
        (self.root / "runs").mkdir(parents=True, exist_ok=True)
        (self.root / "weekly").mkdir(exist_ok=True)
        self._lock()
        if manifest is not None:
            if (self.root / "inputs").is_dir():  # left by a sweep killed while creating the folder
                shutil.rmtree(self.root / "inputs")
            for name, data in (files or {}).items():
                (self.root / name).parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(self.root / name, data)
            atomic_write_parquet(
                pa.Table.from_pylist(
                    list(design_rows or []), schema=design_schema(self.factors, self.design_docs)
                ),
                self.root / "design.parquet",
            )
            write_manifest(self.root, manifest)  # last: the folder is a sweep's from here on
        for folder in (self.root, self.root / "runs", self.root / "weekly"):
            for p in folder.iterdir():
                if _is_temp(p):
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink()
        self.index = chunk_index(self.root, manifest or read_manifest(self.root))
        numbers = set(_parts(self.root / "runs")) | set(_parts(self.root / "weekly"))
        for key in self.index or {}:
            m = _PART.match(key.partition("/")[2])
            if m:
                numbers.add(int(m.group(1)))
        self._next = max(numbers, default=-1) + 1  # before any part is dropped: never reused
        if self.index is not None:
            for n, why in damaged_chunks(self.root, self.index).items():
                self._set_aside(n, why)
        runs = _parts(self.root / "runs")
        for n, p in _parts(self.root / "weekly").items():
            if n not in runs:  # died between the weekly part and its runs part
                p.unlink()
                self._journal({"file": f"weekly/{p.name}", "removed": True})
        done: set[int] = set()
        for _, p in sorted(runs.items()):
            table = pq.read_table(p, columns=["run_id", "status"])
            ok = pc.equal(table.column("status"), "ok")
            if retry_failed and not pc.all(ok).as_py():
                table = self._drop_failed(p)
            done.update(table.column("run_id").to_pylist())
        return done

    def _drop_failed(self, path: Path) -> pa.Table:
        """Rewrite a runs part without its failed runs (which have no weekly rows)."""
        table = pq.read_table(path, schema=self.runs_schema)
        kept = table.filter(pc.equal(table.column("status"), "ok"))
        self.retried += table.num_rows - kept.num_rows
        key = f"runs/{path.name}"
        if kept.num_rows:
            data = parquet_bytes(kept)
            # recorded first: a kill between the two leaves a part the checksums call damaged,
            # and the next --resume runs its runs again
            self._journal({"file": key, "sha256": _sha(data), "rows": kept.num_rows})
            atomic_write_bytes(path, data)
        else:  # nothing left: a weekly part of that number cannot exist (failed runs have none)
            path.unlink()
            _fsync_dir(path.parent)
            self._journal({"file": key, "removed": True})
        return kept

    def _journal(self, record: dict[str, Any]) -> None:
        """Append a checksum record to ``chunks.jsonl`` (fsynced) and to :attr:`index`."""
        if self.index is None:
            return
        if record.get("removed"):
            self.index.pop(record["file"], None)
        else:
            self.index[record["file"]] = {"sha256": record["sha256"], "rows": record["rows"]}
        with open(self.root / JOURNAL, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, separators=(",", ":")) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def _set_aside(self, n: int, why: str) -> None:
        """Move a damaged chunk's files into ``damaged/`` and forget their checksums."""
        name = f"part-{n:06d}.parquet"
        rows = (self.index or {}).get(f"runs/{name}", {}).get("rows")
        moved = []
        for folder in ("runs", "weekly"):
            src = self.root / folder / name
            if src.exists():
                dest_dir = self.root / DAMAGED
                dest_dir.mkdir(exist_ok=True)
                dest = dest_dir / f"{folder}-{name}"
                k = 1
                while dest.exists():
                    dest = dest_dir / f"{folder}-{name}.{k}"
                    k += 1
                os.replace(src, dest)
                _fsync_dir(src.parent)
                moved.append(f"{DAMAGED}/{dest.name}")
            self._journal({"file": f"{folder}/{name}", "removed": True})
        runs = f"its {rows} run{'s' if rows != 1 else ''}" if rows is not None else "its runs"
        where = f" (moved to {', '.join(moved)})" if moved else ""
        self.repairs.append(f"{why}{where}; {runs} will run again")

    def save_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest with the checksums folded in, then drop the journal."""
        if self.index is not None:
            manifest["chunks"] = dict(sorted(self.index.items()))
        write_manifest(self.root, manifest)
        if self.index is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.root / JOURNAL)

    def _lock(self) -> None:
        import fcntl

        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise InputError(f"{self.root}: another sweep is writing to this folder") from None
        self._lock_fd = fd

    def close(self) -> None:
        """Release the folder (and remove the lock file)."""
        if self._lock_fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.root / ".lock")
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- writing -----------------------------------------------------------------------------

    def write_chunk(self, rows: Sequence[dict[str, Any]], weekly: Sequence[tuple]) -> None:
        """Write one chunk: the weekly part (if any rows), then the runs part that commits it.

        Args:
            rows: one runs-table row per finished run.
            weekly: ``(row, weeks, values)`` per successful run with kept weeks, where ``weeks``
                is an int array and ``values`` a (weeks x metrics) float array.
        """
        if not rows:
            return
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        weekly = [w for w in weekly if len(w[1])]
        if weekly:
            table = self._weekly_table(weekly)
            sha = atomic_write_parquet(table, self.root / "weekly" / name)
            _remember(self.root / "weekly" / name, sha)
            self._journal({"file": f"weekly/{name}", "sha256": sha, "rows": table.num_rows})
        data = parquet_bytes(pa.Table.from_pylist(list(rows), schema=self.runs_schema))
        sha = _sha(data)
        # the checksum is recorded (fsynced) before the runs part that commits the chunk lands
        self._journal({"file": f"runs/{name}", "sha256": sha, "rows": len(rows)})
        atomic_write_bytes(self.root / "runs" / name, data)
        _remember(self.root / "runs" / name, sha)

    def _weekly_table(self, items: Sequence[tuple]) -> pa.Table:
        counts = [len(w) for _, w, _ in items]
        arrays = []
        for field in self.weekly_schema:
            name = field.name
            if name == "week":
                arrays.append(pa.array(np.concatenate([w for _, w, _ in items]), pa.int64()))
            elif name in self.metrics:
                j = self.metrics.index(name)
                col = np.concatenate([v[:, j] for _, _, v in items])
                if name in self.counts:
                    whole = np.rint(col)
                    if not np.array_equal(whole, col):  # a count that is not one: a model bug
                        raise ValueError(f"weekly metric {name} is a count but is not whole")
                    arrays.append(pa.array(whole.astype(np.int64), pa.int64()))
                else:
                    arrays.append(pa.array(col, pa.float64()))
            else:
                values: list[Any] = []
                for (row, _, _), n in zip(items, counts):
                    values.extend([row[name]] * n)
                arrays.append(pa.array(values, field.type))
        return pa.Table.from_arrays(arrays, schema=self.weekly_schema)


def stored_counts(manifest: dict[str, Any]) -> list[str]:
    """The weekly metrics a folder stores as integers (none in folders written before)."""
    return list(manifest.get("outputs", {}).get("count_metrics", []))


def load_results(
    root: str | Path, table: Literal["runs", "weekly", "design"] = "runs"
) -> pd.DataFrame:
    """Read a sweep's results folder into a DataFrame (complete or not).

    Args:
        root: the results folder written by ``python run.py sweep``.
        table: ``runs`` (one row per run: ids, seed, factors, status, error, headline outcomes),
            ``weekly`` (one row per run and kept week) or ``design`` (one row per design point).

    Returns:
        The table, sorted by run id (and week), with a fresh index.

    Raises:
        InputError: ``root`` is not a sweep folder, or ``table`` is unknown.
    """
    root = Path(root)
    manifest = read_manifest(root)
    factors = [(f["key"], f["dtype"]) for f in manifest["design"]["factors"]]
    if table == "design":
        return pq.read_table(root / "design.parquet").to_pandas()
    if table not in ("runs", "weekly"):
        raise InputError(f"table must be runs, weekly or design (got {table!r})")
    index = chunk_index(root, manifest)
    if index is not None:
        bad = damaged_chunks(root, index, missing_runs=not _writer_active(root))
        if bad:
            first = next(iter(bad.values()))
            more = f" (and {len(bad) - 1} more damaged chunks)" if len(bad) > 1 else ""
            exp = manifest.get("experiment", {}).get("path", "EXPERIMENT")
            raise InputError(
                f"{root}: damaged results: {first}{more}; run python run.py sweep {exp} "
                f"--out {root} --resume to set the damaged chunks aside and run their runs again"
            )
    runs = _parts(root / "runs")
    if table == "runs":
        files = [runs[n] for n in sorted(runs)]
        schema = runs_schema(factors, manifest["outcomes"])
        keys = ["run_id"]
    else:
        weekly = _parts(root / "weekly")
        files = [weekly[n] for n in sorted(weekly) if n in runs]
        schema = weekly_schema(
            factors, manifest["outputs"]["metrics"], counts=stored_counts(manifest)
        )
        keys = ["run_id", "week"]
    tables = [pq.read_table(p, schema=schema) for p in files]
    data = pa.concat_tables(tables) if tables else schema.empty_table()
    df = data.to_pandas()
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    if df.duplicated(keys).any():
        raise InputError(f"{root}: duplicate rows for {', '.join(keys)}; the folder is damaged")
    return df
