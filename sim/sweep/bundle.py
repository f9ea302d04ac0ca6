"""Self-contained results folders: every input copied in, and one run rebuilt from them.

A sweep reads more files than its experiment file: the base scenario file and its own base
files, org charts, mapping files and customer books (those named by a factor included). When a
sweep starts, each of them is copied into the results folder::

    DIR/inputs/presets/<name>.toml     a built-in preset the sweep reads (scenarios/)
    DIR/inputs/files/...               every other file, laid out as it was under the folder
                                       that holds them all (relative references still work)
    DIR/experiment.toml                the experiment, its file references pointing at the copies

and ``manifest.json`` records, per copy, the file it came from and the SHA-256 of both (they
differ only when a scenario file had to be rewritten: an absolute path in it now points at the
copy). A preset that a scenario file names by name (``base = "matrix"``) stays a name, read
from the package as when the sweep ran (a preset base is a template, not a design reached
gradually: naming it by path would change the run); its copy is kept for reference, and
:func:`rerun` refuses when the base scenario no longer is the recorded one. The folder then
runs anywhere:
``python run.py sweep DIR/experiment.toml --out NEW`` repeats the sweep, and
``python run.py rerun DIR --run-id N`` (:func:`rerun`) rebuilds one run, bit for bit, from the
folder alone, after checking every copy against its recorded SHA-256.

Only the standard library writes the rewritten TOML (:func:`dumps_toml`, the small subset the
inputs use: tables, inline tables, arrays, strings, numbers, booleans).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.scenario import SCENARIO_DIR, resolve_scenario_path
from sim.tomlwrite import dumps_toml

INPUTS = "inputs"
#: Scenario-file fields that name a file, relative to the file that names them.
SCENARIO_FILE_FIELDS = (
    ("organisation", "org_chart"),
    ("organisation", "org_chart_map"),
    ("customers", "file"),
)
#: Experiment keys (under [set], [baseline], [factors]) that name a file.
EXPERIMENT_FILE_KEYS = ("organisation.org_chart", "organisation.org_chart_map", "customers.file")

# -- the layout of the copies ----------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    """SHA-256 (hex) of some bytes."""
    return hashlib.sha256(data).hexdigest()


def layout(files: list[Path]) -> dict[Path, str]:
    """Where each input file is copied, relative to the results folder (POSIX separators).

    Built-in presets go to ``inputs/presets/``; every other file keeps its place under the
    deepest folder that holds them all, so that relative references between them still hold.
    """
    presets_dir = SCENARIO_DIR.resolve()
    files = [Path(f).resolve() for f in files]
    others = [f for f in files if f.parent != presets_dir]
    root = Path(os.path.commonpath([str(f.parent) for f in others])) if others else None
    out: dict[Path, str] = {}
    for f in files:
        if f.parent == presets_dir:
            out[f] = f"{INPUTS}/presets/{f.name}"
        else:
            assert root is not None
            out[f] = f"{INPUTS}/files/{f.relative_to(root).as_posix()}"
    return out


def _relative(target: str, start: str) -> str:
    """POSIX path of folder-relative location ``target`` as seen from folder ``start``."""
    return Path(os.path.relpath(target, start or ".")).as_posix()


def _copy_of(path: Path, where: dict[Path, str], what: str) -> str:
    try:
        return where[path.resolve()]
    except KeyError:  # every file the loaders read is listed by sweep_input_files
        raise InputError(f"{what}: {path} is read by the sweep but was not listed") from None


def _rewrite_scenario(path: Path, data: dict[str, Any], where: dict[Path, str]) -> bool:
    """Point one scenario file's references at the copies; True if anything changed."""
    here = str(Path(where[path]).parent)
    changed = False
    for sec, key in SCENARIO_FILE_FIELDS:
        table = data.get(sec)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key].strip():
            ref = Path(table[key].strip())
            target = ref if ref.is_absolute() else (path.parent / ref)
            new = _relative(_copy_of(target, where, str(path)), here)
            if new != table[key]:
                table[key], changed = new, True
    ref = data.get("base")
    # a preset named by name stays a name: it is a template, not a current design to be
    # reached gradually (sim.design.base_file), so naming its copy by path would change the run
    if isinstance(ref, str) and (ref.strip().endswith(".toml") or "/" in ref):
        target = resolve_scenario_path(path.parent / ref.strip())
        new = _relative(_copy_of(target, where, str(path)), here)
        if new != data["base"]:
            data["base"], changed = new, True
    return changed


def _scenario_chain(base_ref: str | Path) -> list[Path]:
    """The scenario file an experiment's base names and its chain of base files."""
    from sim.design import input_files

    return [f for f in input_files(base_ref) if f.suffix == ".toml" and _is_scenario(f)]


def _is_scenario(path: Path) -> bool:
    """Whether a TOML input is a scenario file (mapping files have [columns] and [roles])."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return False
    return not ({"columns", "roles"} <= set(data))


def _rewrite_experiment(
    text: str, exp_path: Path, where: dict[Path, str], base_is_file: bool
) -> str:
    """The experiment's text with its base and file-valued keys pointing at the copies."""
    from sim.sweep.parameters import _flatten

    data = tomllib.loads(text)
    folder = exp_path.parent

    def moved(v: Any) -> Any:
        if not isinstance(v, str) or not v.strip():
            return v
        p = Path(v.strip())
        return _copy_of(p if p.is_absolute() else folder / p, where, str(exp_path))

    base = data.get("base")
    if isinstance(base, str):
        target = folder / base if base_is_file else resolve_scenario_path(base)
        data["base"] = _copy_of(Path(target), where, str(exp_path))
    for section, stop in (
        ("set", frozenset()),
        ("baseline", frozenset()),
        ("factors", frozenset({"values", "range", "levels"})),
    ):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        table = _flatten(table, stop=stop)
        for key in EXPERIMENT_FILE_KEYS:
            if key not in table:
                continue
            v = table[key]
            if section != "factors":
                table[key] = moved(v)
            elif isinstance(v, list):
                table[key] = [moved(x) for x in v]
            elif isinstance(v, dict) and isinstance(v.get("values"), list):
                table[key] = {**v, "values": [moved(x) for x in v["values"]]}
        data[section] = table
    head = (
        "# The experiment this folder holds, its files pointing at the copies in inputs/\n"
        f"# (written by python run.py sweep from {exp_path}; the original text is in\n"
        "# manifest.json, experiment.text). Rerun a run: python run.py rerun DIR --run-id N\n"
    )
    return head + dumps_toml(data)


def bundle(plan: Any) -> tuple[dict[str, bytes], dict[str, dict[str, str]]]:
    """The files a new results folder holds beside its results, and their manifest records.

    Args:
        plan: a :class:`sim.sweep.runner.Plan` (its ``inputs`` list every file read).

    Returns:
        (folder-relative name -> bytes, including ``experiment.toml``;
        copy name -> {"source", "sha256" of the source, "copy_sha256"}).
    """
    exp = plan.exp
    files = [Path(f) for f in plan.inputs]
    where = layout(files)
    scenarios = set(_scenario_chain(exp.base_ref)) if exp.base_ref else set()
    out: dict[str, bytes] = {}
    records: dict[str, dict[str, str]] = {}
    for f in files:
        f = f.resolve()
        raw = f.read_bytes()
        data = raw
        if f in scenarios:
            parsed = tomllib.loads(raw.decode("utf-8-sig"))
            if _rewrite_scenario(f, parsed, where):
                data = (
                    "# Copied by python run.py sweep from "
                    f"{json.dumps(str(f), ensure_ascii=False)}, its file references pointing "
                    "at the copies\n" + dumps_toml(parsed)
                ).encode("utf-8")
        name = where[f]
        out[name] = data
        records[name] = {
            "source": str(f),
            "sha256": plan.inputs.get(str(f), sha256_bytes(raw)),
            "copy_sha256": sha256_bytes(data),
        }
    base_is_file = str(exp.spec.base).endswith(".toml")
    out["experiment.toml"] = _rewrite_experiment(
        exp.text, Path(exp.path).resolve(), where, base_is_file
    ).encode("utf-8")
    return out, records


# -- rebuilding one run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rerun:
    """One run rebuilt from a results folder.

    Attributes:
        run_id: the run.
        run: its runs-table row (ids, seed, factors, status, headline outcomes; no wall time).
        weekly: its weekly rows, as ``weekly/`` stores them (the experiment's kept weeks).
        stored: whether the folder records this run (as a successful run).
        matches: whether the rebuilt rows equal the stored ones (None when not stored).
        difference: where they differ, when they do.
    """

    run_id: int
    run: dict[str, Any]
    weekly: pd.DataFrame
    stored: bool
    matches: bool | None
    difference: str = ""


def check_copies(folder: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """Check every input copy against its recorded SHA-256; return source path -> copy path.

    Raises:
        InputError: the folder has no copies (made before they were kept), or a copy is
            missing or changed, naming it.
    """
    copies = manifest.get("input_copies")
    if not isinstance(copies, dict) or not (folder / "experiment.toml").is_file():
        raise InputError(
            f"{folder}: this results folder holds no copies of its inputs (made before they "
            "were kept, or inputs/ removed); run the sweep again to make a self-contained folder"
        )
    remap: dict[str, str] = {}
    for name, rec in copies.items():
        p = folder / name
        if not p.is_file():
            raise InputError(f"{p}: missing; the folder's copy of {rec.get('source')} is needed")
        if sha256_bytes(p.read_bytes()) != rec.get("copy_sha256"):
            raise InputError(
                f"{p}: its content changed since the sweep copied it (sha256 recorded in "
                "manifest.json, input_copies); restore it to rerun from this folder"
            )
        remap[str(rec.get("source"))] = str(p.resolve())
    return remap


def _remap(obj: Any, remap: dict[str, str]) -> Any:
    """``obj`` with every string that is a key of ``remap`` replaced by its value."""
    if isinstance(obj, str):
        return remap.get(obj, obj)
    if isinstance(obj, list):
        return [_remap(x, remap) for x in obj]
    if isinstance(obj, dict):
        return {k: _remap(v, remap) for k, v in obj.items()}
    return obj


def _plain(obj: Any) -> Any:
    return json.loads(json.dumps(obj, sort_keys=True))


def _stored_rows(folder: Path, sub: str, run_id: int, schema: Any) -> pd.DataFrame:
    from sim.sweep.store import _parts

    tables = []
    for _, p in sorted(_parts(folder / sub).items()):
        t = pq.read_table(p, schema=schema, filters=[("run_id", "=", run_id)])
        if t.num_rows:
            tables.append(t.to_pandas())
    if not tables:
        return schema.empty_table().to_pandas()
    return pd.concat(tables, ignore_index=True)


def rerun(folder: str | Path, run_id: int) -> Rerun:
    """Rebuild one run of a sweep from its results folder alone, and compare it with the record.

    The experiment is read from ``DIR/experiment.toml`` and its inputs from ``DIR/inputs/``
    (each checked against the SHA-256 recorded when the sweep copied it); the design, seeds and
    base scenario it gives must be the ones in ``manifest.json``. The run goes through the same
    code as in the sweep (:func:`sim.sweep.runner.run_one`).

    Args:
        folder: a results folder written by ``python run.py sweep``.
        run_id: the run (``point x replicates + replicate``).

    Returns:
        The rebuilt run and whether it equals the stored rows.

    Raises:
        InputError: not a results folder, no or changed copies, a run id out of range, or
            copies that no longer give the sweep that made the folder.
    """
    from sim.sweep.runner import Job, plan_experiment, run_one
    from sim.sweep.store import SweepStore, read_manifest, runs_schema, stored_counts

    folder = Path(folder)
    manifest = read_manifest(folder)
    remap = check_copies(folder, manifest)
    total = int(manifest["runs_total"])
    if not 0 <= run_id < total:
        raise InputError(f"--run-id {run_id}: the sweep has runs 0 to {total - 1}")
    plan = plan_experiment(folder / "experiment.toml")
    checks = {
        "design": (plan.design.to_json(), manifest["design"]),
        "seeds": (plan.seeds, manifest["seeds"]),
        "base scenario": (plan.exp.base.to_toml_dict(), manifest["base_scenario"]),
        "outcomes": (
            [plan.outcome_names(), [o.describe() for o in plan.exp.outcomes]],
            [manifest["outcomes"], manifest.get("custom_outcomes", [])],
        ),
        "kept weeks and metrics": (
            {"metrics": list(plan.exp.metrics), "weeks": plan.exp.weeks},
            {
                "metrics": manifest["outputs"]["metrics"],
                "weeks": None
                if manifest["outputs"]["weeks"] == "all"
                else (-1,)
                if manifest["outputs"]["weeks"] == "final"
                else tuple(manifest["outputs"]["weeks"]),
            },
        ),
    }
    for what, (now, then) in checks.items():
        if _plain(now) != _plain(_remap(_plain(then), remap)):
            raise InputError(
                f"{folder}/experiment.toml: its {what} is not the one the sweep recorded in "
                "manifest.json (the folder's experiment or package version differs)"
            )
    point, rep = divmod(run_id, plan.replicates)
    job = Job(
        run_id=run_id,
        point=point,
        replicate=rep,
        seed=plan.seed(run_id),
        scenario=plan.scenario(point),
        weeks=plan.exp.weeks,
        metrics=plan.exp.metrics,
        outcomes=plan.exp.outcomes,
    )
    res = run_one(job)
    factors = [(f["key"], f["dtype"]) for f in manifest["design"]["factors"]]
    design_rows = pq.read_table(folder / "design.parquet").to_pylist()
    row: dict[str, Any] = {
        "run_id": run_id,
        "point": point,
        "replicate": rep,
        "seed": plan.seed(run_id),
        **{k: design_rows[point][k] for k, _ in factors},  # as recorded (original file paths)
        "status": res.status,
        "attempts": res.attempts,
        "error": res.error,
        **{k: res.outcomes.get(k, math.nan) for k in manifest["outcomes"]},
    }
    metrics, counts = manifest["outputs"]["metrics"], stored_counts(manifest)
    store = SweepStore(
        folder, factors, manifest["outcomes"], metrics, counts, manifest.get("custom_outcomes", [])
    )
    if res.status == "ok" and len(res.weeks):
        weekly = store._weekly_table([(row, res.weeks, res.values)]).to_pandas()
    else:
        weekly = store.weekly_schema.empty_table().to_pandas()
    stored_runs = _stored_rows(folder, "runs", run_id, runs_schema(factors, manifest["outcomes"]))
    ok = not stored_runs.empty and (stored_runs["status"] == "ok").all()
    matches: bool | None = None
    difference = ""
    if ok:
        stored_weekly = _stored_rows(folder, "weekly", run_id, store.weekly_schema).sort_values(
            "week", kind="stable", ignore_index=True
        )
        differ = [
            k for k in manifest["outcomes"] if not _same_float(stored_runs.iloc[0][k], row[k])
        ]
        try:
            pd.testing.assert_frame_equal(stored_weekly, weekly, check_exact=True)
        except AssertionError as e:
            differ.append("weekly rows (" + " ".join(str(e).split())[:300] + ")")
        matches = not differ
        difference = "; ".join(differ)
    return Rerun(
        run_id=run_id, run=row, weekly=weekly, stored=ok, matches=matches, difference=difference
    )


def _same_float(a: Any, b: Any) -> bool:
    a, b = float(a), float(b)
    return (np.isnan(a) and np.isnan(b)) or a == b
