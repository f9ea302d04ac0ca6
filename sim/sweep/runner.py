"""Running a sweep: plan the runs, execute them anywhere, stream results to disk, resume.

A run is one design point with one replicate seed. Run ``run_id = point x replicates +
replicate``. Seeds come from ``sim.rng.replicate_seeds(root_seed, n)``: with common random numbers
(the default) replicate r uses the same seed at every design point, so design points are compared
pairwise; otherwise every run has its own seed. Each run depends only on its scenario and seed, so
the results are identical, bit for bit, whatever the executor and the number of workers.

A run that raises is retried once in the same worker, then recorded as failed (status
``failed``, its error in ``error``) and the sweep goes on; so is a run whose worker process dies
twice (see :mod:`sim.sweep.executors`). ``resume`` runs the failed runs again: their records are
replaced by the new outcome.

Ctrl-C (SIGINT) or SIGTERM stops a sweep between runs: finished runs are written, the workers
stopped, and :class:`SweepInterrupted` raised with the count saved. It never lands while a chunk or
the manifest is being written, or while workers start, so it cannot leave a half-written folder or
stray processes.

Testing hooks (environment variables, read in the worker): ``SIM_SWEEP_FAIL_RUNS`` injects
failures: a comma list of run ids (``"3,5"``: always fail) where ``"7:once"`` fails only the first
attempt. ``SIM_SWEEP_CRASH_RUNS`` (same syntax) makes the worker process running those runs kill
itself with SIGKILL, as the out-of-memory killer would; ``"7:once"`` crashes only the first time,
remembered by a file in the folder ``SIM_SWEEP_CRASH_MARKERS``. It never kills the runner itself
(serial sweeps ignore it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from sim.design import resolve_inputs
from sim.errors import InputError
from sim.outpaths import Output
from sim.rng import replicate_seeds
from sim.scenario import Scenario
from sim.sweep.parameters import MAX_RUNS, LoadedExperiment, load_experiment
from sim.sweep.samplers import Design, make_design
from sim.sweep.store import (
    FORMAT,
    SweepStore,
    _parts,
    check_target,
    chunk_index,
    column_value,
    damaged_chunks,
    git_revision,
    read_manifest,
    versions,
)

FAIL_ENV = "SIM_SWEEP_FAIL_RUNS"
CRASH_ENV = "SIM_SWEEP_CRASH_RUNS"
CRASH_MARKERS_ENV = "SIM_SWEEP_CRASH_MARKERS"


def outcome_names() -> list[str]:
    """Headline outcomes recorded for every run (``sim.experiment.HEADLINES``)."""
    from sim.experiment import HEADLINES

    return list(HEADLINES)


@dataclass(frozen=True)
class Job:
    """One run to execute (sent to a worker)."""

    run_id: int
    point: int
    replicate: int
    seed: int
    scenario: Scenario
    weeks: tuple[int, ...] | None
    metrics: tuple[str, ...]
    outcomes: tuple[Any, ...] = ()  # the experiment's own (sim.sweep.parameters.CustomOutcome)


@dataclass
class RunResult:
    """What a worker sends back for one run."""

    run_id: int
    status: str
    attempts: int
    error: str | None
    elapsed_s: float
    outcomes: dict[str, float] = field(default_factory=dict)
    weeks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def _injected(env: str, run_id: int) -> str | None:
    """Testing hooks: the mode (``""`` or ``"once"``) if ``run_id`` is listed in ``env``."""
    for item in filter(None, (s.strip() for s in os.environ.get(env, "").split(","))):
        rid, _, mode = item.partition(":")
        if rid.isdigit() and int(rid) == run_id:
            return mode
    return None


def _injected_failure(run_id: int, attempt: int) -> None:
    mode = _injected(FAIL_ENV, run_id)
    if mode is not None and (mode != "once" or attempt == 1):
        raise RuntimeError(f"injected failure ({FAIL_ENV}) in run {run_id}, attempt {attempt}")


def _injected_crash(run_id: int) -> None:
    """Testing hook: the worker process of a run listed in ``SIM_SWEEP_CRASH_RUNS`` dies."""
    mode = _injected(CRASH_ENV, run_id)
    if mode is None or mp.parent_process() is None:  # a worker process only, never the runner
        return
    if mode == "once":  # workers share no memory: a marker file says it happened already
        marker = Path(os.environ[CRASH_MARKERS_ENV]) / f"crashed-{run_id}"
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
    os.kill(os.getpid(), signal.SIGKILL)


def _describe(e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(e).__name__}: {e}{where}"[:2000]


def run_one(job: Job) -> RunResult:
    """Run one job; never raises. A run that raises is retried once, then reported as failed.

    Args:
        job: the run (scenario, seed, which weeks and metrics to keep).

    Returns:
        The headline outcomes and the kept weeks, or the error.
    """
    from sim.experiment import headline
    from sim.model import OrgModel

    t0 = time.perf_counter()
    _injected_crash(job.run_id)
    error = ""
    for attempt in (1, 2):
        try:
            _injected_failure(job.run_id, attempt)
            df = OrgModel(job.scenario, rng=job.seed).run()
            outcomes = headline(df)
            outcomes.update({o.name: o.value(df) for o in job.outcomes})
            if job.weeks is None:
                kept = df
            elif job.weeks == (-1,):
                kept = df.iloc[-1:]
            else:
                kept = df[df.index.isin(job.weeks)]
            weeks = np.asarray(kept.index, dtype=np.int64)
            values = kept[list(job.metrics)].to_numpy(dtype=np.float64)
            return RunResult(
                run_id=job.run_id,
                status="ok",
                attempts=attempt,
                error=None,
                elapsed_s=time.perf_counter() - t0,
                outcomes=outcomes,
                weeks=weeks,
                values=values,
            )
        except Exception as e:
            error = _describe(e)
    return RunResult(
        run_id=job.run_id,
        status="failed",
        attempts=2,
        error=error,
        elapsed_s=time.perf_counter() - t0,
    )


@dataclass(frozen=True)
class Plan:
    """Everything a sweep runs: the experiment, its design points and the seeds.

    Attributes:
        exp: the validated experiment.
        design: its design points.
        seeds: replicate seeds (common random numbers) or one seed per run.
        baseline: the default baseline design point for paired differences.
        inputs: every file the sweep reads (the experiment file, its base scenario and that
            file's bases, every org chart and customer file, those named by a factor included),
            as absolute path -> SHA-256 of its bytes when planned. Part of the fingerprint, so
            ``--resume`` after one of them changed is refused, naming the file.
    """

    exp: LoadedExperiment
    design: Design
    seeds: list[int]
    baseline: int
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def points(self) -> int:
        """Number of design points."""
        return len(self.design.points)

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        return self.exp.spec.replicates

    @property
    def runs_total(self) -> int:
        """Number of runs."""
        return self.points * self.replicates

    def seed(self, run_id: int) -> int:
        """The seed of a run."""
        if self.exp.spec.common_random_numbers:
            return self.seeds[run_id % self.replicates]
        return self.seeds[run_id]

    def outcome_names(self) -> list[str]:
        """Outcomes recorded for every run: the headline ones, then the experiment's own."""
        return outcome_names() + [o.name for o in self.exp.outcomes]

    def count_metrics(self) -> list[str]:
        """Kept weekly metrics that are counts, stored as integers (``sim.metrics.COUNTS``)."""
        from sim.metrics import COUNTS

        return [m for m in self.exp.metrics if m in COUNTS]

    def factor_dtypes(self) -> list[tuple[str, str]]:
        """(key, dtype) of each factor column."""
        return [(f.key, f.dtype) for f in self.design.factors]

    def scenario(self, point: int) -> Scenario:
        """A design point's scenario with its input tables (read here if a factor names a file)."""
        return resolve_inputs(self.exp.base.with_overrides(self.design.overrides(point)))

    def ids_row(self, run_id: int) -> dict[str, Any]:
        """Ids, seed and factor values of a run, as stored with every row."""
        point, rep = divmod(run_id, self.replicates)
        row: dict[str, Any] = {
            "run_id": run_id,
            "point": point,
            "replicate": rep,
            "seed": self.seed(run_id),
        }
        for f, v in zip(self.design.factors, self.design.points[point]):
            row[f.key] = column_value(v, f.dtype)
        return row

    def jobs(self, skip: set[int], limit: int | None = None) -> Iterator[Job]:
        """Jobs not yet done, in run order, built lazily (one scenario per design point)."""
        emitted = 0
        for point in range(self.points):
            ids = [point * self.replicates + r for r in range(self.replicates)]
            ids = [i for i in ids if i not in skip]
            if not ids:
                continue
            scenario = self.scenario(point)
            for run_id in ids:
                if limit is not None and emitted >= limit:
                    return
                emitted += 1
                yield Job(
                    run_id=run_id,
                    point=point,
                    replicate=run_id % self.replicates,
                    seed=self.seed(run_id),
                    scenario=scenario,
                    weeks=self.exp.weeks,
                    metrics=self.exp.metrics,
                    outcomes=self.exp.outcomes,
                )

    def identity(self) -> dict[str, Any]:
        """What decides the results: base scenario, design, seeds, outputs, outcomes."""
        ident: dict[str, Any] = {
            "format": FORMAT,
            "base": self.exp.base.to_toml_dict(),
            "design": self.design.to_json(),
            "replicates": self.replicates,
            "root_seed": self.exp.spec.root_seed,
            "common_random_numbers": self.exp.spec.common_random_numbers,
            "seeds": self.seeds,
            "weeks": None if self.exp.weeks is None else list(self.exp.weeks),
            "metrics": list(self.exp.metrics),
            "outcomes": self.outcome_names(),
            "inputs": self.inputs,
        }
        if self.exp.outcomes:  # only then: older folders keep their fingerprints
            ident["custom_outcomes"] = [o.describe() for o in self.exp.outcomes]
        return ident

    def fingerprint(self) -> str:
        """Hash of :meth:`identity`: two folders with the same fingerprint hold the same runs."""
        text = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def design_fingerprint(self) -> str:
        """Hash of :meth:`identity` without the input files' contents (the design alone).

        Lets ``--resume`` tell "another experiment" from "the same one, an input edited".
        """
        ident = {k: v for k, v in self.identity().items() if k != "inputs"}
        text = json.dumps(ident, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def manifest(self) -> dict[str, Any]:
        """The manifest of a new results folder."""
        spec = self.exp.spec
        weeks = self.exp.weeks
        return {
            "format": FORMAT,
            "name": spec.name,
            "description": spec.description,
            "fingerprint": self.fingerprint(),
            "design_fingerprint": self.design_fingerprint(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "experiment": {
                "path": str(self.exp.path),
                "sha256": self.exp.sha256,
                "text": self.exp.text,
            },
            "versions": versions(),
            "git_revision": git_revision(),
            "base_scenario": self.exp.base.to_toml_dict(),
            "design": self.design.to_json(),
            "points": self.points,
            "replicates": self.replicates,
            "runs_total": self.runs_total,
            "root_seed": spec.root_seed,
            "common_random_numbers": spec.common_random_numbers,
            "seeds": self.seeds,
            "baseline": self.baseline,
            "outputs": {
                "weeks": "all" if weeks is None else "final" if weeks == (-1,) else list(weeks),
                "metrics": list(self.exp.metrics),
                "count_metrics": self.count_metrics(),
            },
            "outcomes": self.outcome_names(),
            "custom_outcomes": [o.describe() for o in self.exp.outcomes],
            "inputs": self.inputs,
            "sessions": [],
            "status": {"finished": 0, "failed": 0, "complete": False},
            "chunks": {},  # sha256 and rows of every chunk file (sim.sweep.store)
        }


def _match_point(design: Design, selector: dict[str, Any], where: str) -> int:
    keys = design.keys
    unknown = [k for k in selector if k not in keys]
    if unknown:
        raise InputError(f"{where}: {unknown[0]!r} is not a factor ({', '.join(keys)})")
    for i, point in enumerate(design.points):
        values = dict(zip(keys, point))
        if all(_same(values[k], v) for k, v in selector.items()):
            return i
    raise InputError(f"{where}: no design point has {selector}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def sweep_output(out: Path, resume: bool) -> Output:
    """What a sweep writes in its folder (for :func:`sim.outpaths.check_outputs`).

    The folder is written into, not replaced; ``manifest.json``, ``runs/``, ``weekly/`` and the
    lock every time; the experiment, ``design.parquet`` and the copies of the inputs
    (``inputs/``, :mod:`sim.sweep.bundle`) when a sweep starts.
    """
    members = ("manifest.json", "runs/", "weekly/", ".lock")
    if not resume:
        members += ("experiment.toml", "design.parquet", "inputs/")
    return Output(Path(out), kind="folder", replaced=False, members=members)


def sweep_input_files(exp: LoadedExperiment, design: Design) -> list[Path]:
    """Every file a sweep reads, absolute, each once.

    The experiment file; the base scenario file with its base files, org chart, mapping file and
    customer file (also those set under ``[set]``); and the org chart, mapping or customer file
    of each design point where a factor names one.
    """
    from sim.design import input_files
    from sim.sweep.bundle import EXPERIMENT_FILE_KEYS

    files: list[Path] = [Path(exp.path).resolve()]
    if exp.base_ref:
        files += input_files(exp.base_ref)
    for sc in [exp.base] + [
        exp.base.with_overrides(design.overrides(p))
        for p in range(len(design.points))
        if any(k in EXPERIMENT_FILE_KEYS for k in design.keys)
    ]:
        for f in (sc.organisation.org_chart, sc.organisation.org_chart_map, sc.customers.file):
            if f:
                files.append(Path(f))
    out: list[Path] = []
    for f in files:
        f = f.resolve()
        if f not in out:
            out.append(f)
    return out


def plan_experiment(path: str | Path) -> Plan:
    """Load an experiment file, build its design and seeds, and validate every design point.

    Raises:
        InputError: for any problem with the file or a design point, naming the file and field.
    """
    exp = load_experiment(path)
    design = make_design(exp)
    total = len(design.points) * exp.spec.replicates
    if total > MAX_RUNS:
        raise InputError(f"{exp.path}: {total:,} runs; a sweep is at most {MAX_RUNS:,}")
    for p in range(len(design.points)):
        try:
            resolve_inputs(exp.base.with_overrides(design.overrides(p)))
        except InputError as e:  # a bad value, or a bad file that a factor names
            msg = "; ".join(str(e).splitlines())
            raise InputError(f"{exp.path}: design point {p} {design.overrides(p)}: {msg}") from None
    n_seeds = exp.spec.replicates if exp.spec.common_random_numbers else total
    seeds = replicate_seeds(exp.spec.root_seed, n_seeds)
    baseline = 0
    if exp.spec.baseline is not None:
        baseline = _match_point(design, exp.spec.baseline, f"{exp.path}: baseline")
    from sim.design import file_sha256

    inputs = {str(f): file_sha256(f) for f in sweep_input_files(exp, design)}
    return Plan(exp=exp, design=design, seeds=seeds, baseline=baseline, inputs=inputs)


@dataclass
class SweepReport:
    """What a sweep call did."""

    out: Path
    runs_total: int
    done_before: int
    ran: int
    failed: int
    failed_total: int
    finished_total: int
    elapsed_s: float
    executor: str
    workers: int

    @property
    def complete(self) -> bool:
        """Whether every run of the sweep is recorded."""
        return self.finished_total == self.runs_total

    @property
    def runs_per_minute(self) -> float:
        """Runs finished per minute of wall time in this call."""
        return self.ran / self.elapsed_s * 60 if self.elapsed_s > 0 else math.nan


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM stopped a sweep; every finished run was saved first.

    Attributes:
        out: the results folder (``resume`` finishes the sweep there).
        finished: runs recorded in it.
        runs_total: runs in the sweep.
        signum: the signal that stopped it (the shell's exit status is ``128 + signum``).
    """

    def __init__(
        self, out: Path, finished: int, runs_total: int, signum: int = signal.SIGINT
    ) -> None:
        super().__init__(f"interrupted: {finished} of {runs_total} runs saved in {out}")
        self.out = out
        self.finished = finished
        self.runs_total = runs_total
        self.signum = int(signum)


class _CtrlC:
    """SIGINT or SIGTERM raises KeyboardInterrupt only inside :meth:`allowed`; elsewhere it is
    held.

    SIGTERM is what ``kill``, ``timeout``, batch schedulers at the end of a job's time (SLURM,
    PBS) and container stops send: it is handled as Ctrl-C is, so those also save every finished
    run and leave a folder that ``--resume`` finishes. :attr:`signum` is the last one received.

    Held: a Ctrl-C between the weekly and runs parts of a chunk would leave a weekly part that
    ``pandas.read_parquet(DIR / "weekly")`` reads until the next resume tidies it; one while a
    LocalCluster starts would leave its processes behind; one during the clean-up would abandon
    the workers. A held Ctrl-C is raised when the runner next waits for runs; a second one during
    the clean-up is ignored. Only in the main thread (the only one Python delivers signals to).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.pending = False
        self.signum: int = signal.SIGINT
        self._armed = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._old = {s: signal.signal(s, self._handler) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for s, old in self._old.items():
            signal.signal(s, old)

    def _handler(self, signum: int, frame: Any) -> None:
        self.signum = signum
        if self._armed:
            self._armed = False
            raise KeyboardInterrupt
        self.pending = True

    @contextlib.contextmanager
    def allowed(self) -> Iterator[None]:
        """A block that Ctrl-C may interrupt (raises at once for a held one)."""
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt
        self._armed = True
        try:
            yield
        finally:
            self._armed = False


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _count(root: Path) -> tuple[int, int]:
    """(finished, failed) runs recorded in a folder; damaged chunks do not count."""
    finished = failed = 0
    bad: set[int] = set()
    with contextlib.suppress(InputError):
        index = chunk_index(root, read_manifest(root))
        if index is not None:
            bad = set(damaged_chunks(root, index))
    for n, p in sorted(_parts(root / "runs").items()):
        if n in bad:
            continue
        try:
            status = pq.read_table(p, columns=["status"]).column("status").to_pylist()
        except (OSError, ValueError):  # unreadable: not counted (--resume sets it aside)
            continue
        finished += len(status)
        failed += sum(s != "ok" for s in status)
    return finished, failed


def _ok_count(root: Path) -> int:
    finished, failed = _count(root)
    return finished - failed


def run_sweep(
    plan: Plan,
    out: str | Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    resume: bool = False,
    chunk_runs: int = 50,
    flush_seconds: float = 30.0,
    progress: bool = True,
    max_runs: int | None = None,
    log: Callable[[str], None] = _stderr,
) -> SweepReport:
    """Run (or finish) a sweep into a results folder.

    Args:
        plan: from :func:`plan_experiment`.
        out: the results folder.
        workers: local processes (1: in this process), or LocalCluster workers with ``dask``.
        dask: ``None`` (local processes), ``"local"`` (a loopback Dask LocalCluster) or the
            address of an existing Dask scheduler.
        resume: finish the sweep already in ``out``: runs recorded there as ok are skipped,
            runs recorded as failed are run again (the new outcome replaces the record).
        chunk_runs: finished runs per Parquet chunk.
        flush_seconds: write a chunk at least this often while runs finish.
        progress: show a progress bar with an ETA on stderr.
        max_runs: run at most this many of the remaining runs (for throughput measurements).
        log: where one-line messages go.

    Returns:
        A report of this call (runs done, failed, elapsed time).

    Raises:
        InputError: ``out`` holds another sweep (or any files, without ``resume``), or the
            executor cannot start; nothing is written then.
        SweepInterrupted: Ctrl-C (SIGINT) or SIGTERM, after saving every finished run and
            stopping the workers; ``resume`` finishes the sweep.
    """
    out = Path(out)
    if chunk_runs < 1:
        raise InputError(f"--chunk-runs must be at least 1 (got {chunk_runs})")
    with _CtrlC() as ctrl_c:
        return _run_sweep(
            plan,
            out,
            ctrl_c,
            workers=workers,
            dask=dask,
            resume=resume,
            chunk_runs=chunk_runs,
            flush_seconds=flush_seconds,
            progress=progress,
            max_runs=max_runs,
            log=log,
        )


def _run_sweep(
    plan: Plan,
    out: Path,
    ctrl_c: _CtrlC,
    *,
    workers: int,
    dask: str | None,
    resume: bool,
    chunk_runs: int,
    flush_seconds: float,
    progress: bool,
    max_runs: int | None,
    log: Callable[[str], None],
) -> SweepReport:
    from tqdm import tqdm

    fingerprint = plan.fingerprint()
    existing = check_target(
        out, fingerprint, resume, inputs=plan.inputs, design=plan.design_fingerprint()
    )
    if existing is not None and _ok_count(out) >= plan.runs_total:
        from sim.sweep.executors import SerialExecutor

        executor: Any = SerialExecutor()  # nothing left to run: start no workers
    else:
        executor = _make_executor(workers, dask, fingerprint)
    store = SweepStore(
        out,
        plan.factor_dtypes(),
        plan.outcome_names(),
        plan.exp.metrics,
        counts=plan.count_metrics(),
        custom=[o.describe() for o in plan.exp.outcomes],
    )
    rows: list[dict[str, Any]] = []
    weekly: list[tuple] = []
    ran = failed = 0
    finished = failed_total = 0
    elapsed = 0.0
    done: set[int] = set()
    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    interrupted = False
    stop: BaseException | None = None

    def flush() -> None:
        if rows:
            store.write_chunk(rows, weekly)
            rows.clear()
            weekly.clear()

    try:
        if existing is None:
            manifest = plan.manifest()
            design_rows = [
                {
                    "point": p,
                    **{f.key: column_value(v, f.dtype) for f, v in zip(plan.design.factors, pt)},
                }
                for p, pt in enumerate(plan.design.points)
            ]
            from sim.sweep.bundle import bundle

            files, manifest["input_copies"] = bundle(plan)  # the folder runs anywhere
            done = store.open(manifest, design_rows, files)
        else:
            manifest = existing
            done = store.open(None, None, retry_failed=True)
            if manifest.get("versions", {}) != versions():
                log(
                    "warning: package versions differ from the sweep's first session; "
                    "see manifest.json"
                )
        log(
            f"Sweep {plan.exp.spec.name}: {plan.points} design points x {plan.replicates} "
            f"replicate{'s' if plan.replicates > 1 else ''} = {plan.runs_total} runs "
            f"({plan.design.kind} design, root seed "
            f"{plan.exp.spec.root_seed}, {executor.workers} worker"
            f"{'s' if executor.workers > 1 else ''}, {executor.name}) -> {out}"
        )
        for line in store.repairs:
            log(f"damaged results: {line}")
        if done or store.retried:
            again = store.retried
            log(
                f"resuming: {len(done)} of {plan.runs_total} runs already recorded"
                + (f"; running {again} failed run{'s' if again > 1 else ''} again" if again else "")
            )
        last_flush = time.monotonic()
        with tqdm(
            total=plan.runs_total,
            initial=len(done),
            unit="run",
            file=sys.stderr,
            disable=None if progress else True,
            dynamic_ncols=True,
            smoothing=0.1,
        ) as bar:
            results = executor.imap_unordered(run_one, plan.jobs(done, max_runs))
            while True:
                with ctrl_c.allowed():  # the only place Ctrl-C lands: waiting for runs
                    item = next(results, None)
                if item is None:
                    break
                job, res = item
                if isinstance(res, BaseException):
                    res = RunResult(job.run_id, "failed", 2, _describe(res), 0.0)
                row = plan.ids_row(job.run_id)
                row.update(
                    status=res.status,
                    attempts=res.attempts,
                    error=res.error,
                    elapsed_s=res.elapsed_s,
                )
                row.update({k: res.outcomes.get(k, math.nan) for k in plan.outcome_names()})
                rows.append(row)
                if res.status == "ok":
                    weekly.append((row, res.weeks, res.values))
                else:
                    failed += 1
                    bar.set_postfix(failed=failed)
                ran += 1
                bar.update(1)
                if len(rows) >= chunk_runs or time.monotonic() - last_flush > flush_seconds:
                    flush()
                    last_flush = time.monotonic()
        flush()
    except BaseException as e:
        interrupted = True
        stop = e
        try:
            flush()  # every finished run is kept
        finally:
            executor.close(abort=True)
        if not isinstance(e, KeyboardInterrupt):
            raise
    finally:
        if not interrupted:
            executor.close()
        if store._lock_fd is not None:
            elapsed = time.perf_counter() - t0
            finished, failed_total = _count(out)
            manifest = read_manifest(out)
            manifest["sessions"].append(
                {
                    "started": started,
                    "executor": executor.name,
                    "workers": executor.workers,
                    "runs": ran,
                    "failed": failed,
                    "elapsed_s": round(elapsed, 3),
                    "interrupted": interrupted,
                    "failed_rerun": store.retried,
                }
            )
            manifest["status"] = {
                "finished": finished,
                "failed": failed_total,
                "complete": finished == plan.runs_total,
            }
            if store.repairs:
                manifest["sessions"][-1]["damaged_set_aside"] = list(store.repairs)
            store.save_manifest(manifest)
        store.close()
    if stop is not None:
        raise SweepInterrupted(out, finished, plan.runs_total, ctrl_c.signum) from None
    return SweepReport(
        out=out,
        runs_total=plan.runs_total,
        done_before=len(done),
        ran=ran,
        failed=failed,
        failed_total=failed_total,
        finished_total=finished,
        elapsed_s=elapsed,
        executor=executor.name,
        workers=executor.workers,
    )


def _make_executor(workers: int, dask: str | None, fingerprint: str) -> Any:
    from sim.sweep.executors import make_executor

    return make_executor(workers, dask, key_prefix=f"orgsim-{fingerprint[:10]}")
