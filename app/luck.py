""""Is it luck?": a band of 20 seeds of the current course(s), computed in the background.

Each design's course (its scenario with the changes made during the run as interventions at
their weeks, ``app.session.Session.course_scenario``) is run on ``SEEDS`` replicate seeds
spawned from the session's seed
(``sim.rng.replicate_seeds`` through ``sim.experiment.run_replicates``, so the band repeats
exactly for the same seed and design, and A and B use the same 20 seeds: common random numbers).
The runs go to one worker process shared by the server (``concurrent.futures``), so a band never
blocks a Step or Play in the page; the charts draw the band (the 10th to 90th percentile of the
seeds, week by week) behind the live run when it is ready. After a change during the run the
band of the course left behind is taken off, a band not yet started for it is cancelled, and the
changed course's band is computed.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures

import numpy as np

from sim.experiment import run_replicates
from sim.scenario import Scenario

#: Seeds in the band, and its percentiles (80 % of the seeds lie inside).
SEEDS = 20
LOW_Q, HIGH_Q = 0.10, 0.90
#: The columns the charts draw (each panel's first column, and the "seen" churn).
COLUMNS = (
    "adoption_rate",
    "churned_total",
    "satisfaction_mean",
    "morale_mean",
    "decision_latency_days",
    "roi",
)

Band = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    """The server's one band worker (a fresh process: the server's threads are not copied)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool


def compute_band(scenario: Scenario, seed: int, seeds: int = SEEDS) -> Band:
    """Run ``scenario`` on ``seeds`` replicate seeds from ``seed``; percentiles per week.

    Returns:
        column -> (weeks, low, high) with week 1 first (the rows ``model.results()`` has).
    """
    df = run_replicates({"band": scenario}, seeds, seed, workers=1)
    out: Band = {}
    for col in COLUMNS:
        wide = df.pivot(index="week", columns="replicate", values=col)
        vals = wide.to_numpy(dtype=float)
        with np.errstate(all="ignore"):
            finite = np.isfinite(vals).any(axis=1)
            lo = np.full(vals.shape[0], np.nan)
            hi = np.full(vals.shape[0], np.nan)
            lo[finite] = np.nanquantile(vals[finite], LOW_Q, axis=1)
            hi[finite] = np.nanquantile(vals[finite], HIGH_Q, axis=1)
        out[col] = (wide.index.to_numpy(), lo, hi)
    return out


class LuckBands:
    """One browser session's bands: asked for per (scenario, seed), drawn when ready."""

    #: Longest wait for a band (seconds) before the page stops waiting for it.
    WAIT_S = 900.0

    def __init__(self) -> None:
        self._jobs: dict[str, Future[Band]] = {}
        self._wanted: tuple[str, ...] = ()

    @staticmethod
    def key(scenario: Scenario, seed: int) -> str:
        """What identifies a band: the validated scenario (with its interventions) and the seed."""
        return f"{seed}:{scenario.model_dump_json()}"

    def request(self, scenario: Scenario, seed: int) -> str:
        """Start the band of one design in the background (once); returns its key."""
        k = self.key(scenario, seed)
        if k not in self._jobs:
            self._jobs[k] = _executor().submit(compute_band, scenario, seed)
        return k

    def keep_only(self, keys: list[str]) -> None:
        """The bands the page shows now are ``keys``: cancel the others not yet started (a
        course left behind), so the worker runs the current course next."""
        self._wanted = tuple(keys)
        for k in [k for k in self._jobs if k not in keys]:
            job = self._jobs[k]
            if not job.done() and job.cancel():
                del self._jobs[k]

    def pending(self) -> tuple[str, ...]:
        """The wanted bands still being computed."""
        return tuple(k for k in self._wanted if k in self._jobs and not self._jobs[k].done())

    def wait(self, keys: tuple[str, ...], timeout: float | None = None) -> None:
        """Block until the bands ``keys`` are done (or failed, or ``timeout`` passed)."""
        jobs = [self._jobs[k] for k in keys if k in self._jobs]
        if jobs:
            wait_futures(jobs, timeout=self.WAIT_S if timeout is None else timeout)

    def result(self, key: str) -> Band | None:
        """The band when it is ready (None while it runs or when it failed)."""
        job = self._jobs.get(key)
        if job is None or not job.done() or job.cancelled() or job.exception() is not None:
            return None
        return job.result()

    def status(self, keys: list[str], changed: bool = False) -> str:
        """A short line for the page: computing, ready or failed (``changed``: the course has
        changes made during the run)."""
        self.keep_only(keys)
        jobs = [self._jobs.get(k) for k in keys]
        if any(j is not None and j.done() and j.exception() is not None for j in jobs):
            return "The band of other seeds could not be computed."
        pct = int(100 * (HIGH_Q - LOW_Q))
        if all(j is not None and j.done() for j in jobs):
            if changed:
                return (
                    f"Shaded: {pct}% of {SEEDS} other seeds of this course (its changes at their "
                    "weeks). A difference inside it may be luck."
                )
            return (
                f"Shaded: {pct}% of {SEEDS} other seeds of the same design(s). A difference "
                "inside it may be luck."
            )
        if changed:
            return f"Running {SEEDS} other seeds of the changed course in the background…"
        return f"Running {SEEDS} other seeds in the background…"
