"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Each executor maps a function over a lazy stream of jobs and yields results as they finish, with a
bounded number in flight (a few per worker), so neither the jobs nor the results of a large sweep
are ever all in memory. The order of results depends on the executor; the results themselves do
not (each run depends only on its scenario and seed), and the store sorts by run id.

Worker processes start with SIGINT blocked, so a Ctrl-C at the terminal (sent to the whole process
group) reaches only the runner, which saves the finished runs and stops the workers. A pool worker
that dies (a signal, the out-of-memory killer, a crash in C code) breaks the whole pool: the pool is
rebuilt and the runs that were in flight are run again one at a time, so that a run which kills its
worker a second time is identified and reported as failed (:class:`WorkerDied`) while the sweep
goes on. Dask reschedules the runs of a lost worker itself and its nannies restart the worker.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol

from sim.errors import InputError


class Executor(Protocol):
    """Runs ``fn(job)`` for every job and yields ``(job, result)`` in completion order.

    ``result`` is what ``fn`` returned, or the exception that the executor raised for that job
    (:class:`WorkerDied` for a job whose worker process died twice, say). Only when workers keep
    dying before any job finishes does the iteration itself raise.
    """

    name: str
    workers: int

    def imap_unordered(
        self, fn: Callable[[Any], Any], jobs: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        """``(job, result or exception)`` over ``jobs``, as they finish."""
        ...

    def close(self, abort: bool = False) -> None:
        """Release workers (idempotent); ``abort`` stops runs in progress."""
        ...


class WorkerDied(RuntimeError):
    """A job's worker process died while running it (again), so the job is given up."""


# Pool rebuilds in a row without a job finishing before the sweep stops: a worker that dies at
# start-up (or every run killing its worker) would otherwise retry forever.
MAX_BREAKS = 5


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while worker processes, or the threads that start them, start.

    The signal mask is inherited by new threads and by new processes through fork and exec, so
    those workers never see the Ctrl-C a terminal sends to the whole process group: the runner
    alone handles it (saves, then stops the workers) instead of every worker printing a
    KeyboardInterrupt traceback. A Ctrl-C that arrives meanwhile is delivered when the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    from multiprocessing import resource_tracker

    # Started first: starting it later, from inside the block, unblocks SIGINT again on return.
    resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class SerialExecutor:
    """Runs every job in this process, one after the other."""

    name = "serial"
    workers = 1

    def imap_unordered(
        self, fn: Callable[[Any], Any], jobs: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        for job in jobs:
            yield job, fn(job)

    def close(self, abort: bool = False) -> None:
        pass


_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# Imported once by the fork server, so that each worker forks with them loaded: a new (or
# rebuilt) pool then starts in milliseconds instead of every worker importing numpy, pandas,
# pyarrow and the model for seconds.
_PRELOAD = ["__main__", "sim.sweep.runner", "sim.experiment", "sim.model"]


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """One BLAS thread in processes started meanwhile (this process's own setting is restored)."""
    saved = {var: os.environ.get(var) for var in _ONE_THREAD}
    for var in _ONE_THREAD:
        os.environ.setdefault(var, "1")
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _init_worker() -> None:
    """Worker set-up: leave Ctrl-C to the parent (which stops the pool), one BLAS thread, and
    exit with the parent.

    One process per core is the parallelism; BLAS threads on top only oversubscribe the cores
    (Dask's nanny does the same for its workers). The variables take effect when the worker has
    not imported numpy yet (a fork server started elsewhere); a user's own setting is kept.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for var in _ONE_THREAD:
        os.environ.setdefault(var, "1")
    parent = mp.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: Any) -> None:
    """Exit once the parent has gone (SIGKILL, the out-of-memory killer).

    A pool worker holds both ends of its task queue, so it never sees the parent go and would
    otherwise wait for work forever, holding its memory.
    """
    parent.join()
    os._exit(1)


class PoolExecutor:
    """A process pool over this machine's cores (forkserver processes, one run per task).

    A worker that dies breaks the pool and fails every job in flight; the pool is then rebuilt
    and those jobs run again, one at a time until they are cleared, so that a job which kills its
    worker again is known to be the cause: it is reported as :class:`WorkerDied` (the second death
    it was in flight for) and the others go on.
    """

    name = "pool"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        from multiprocessing import forkserver

        ctx = mp.get_context("forkserver")
        # Both only matter when this call starts the fork server (one per process, kept).
        ctx.set_forkserver_preload(_PRELOAD)
        with sigint_blocked(), _one_blas_thread():  # inherited by the server and its forks
            forkserver.ensure_running()
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_init_worker
        )

    def _rebuild(self) -> str:
        """Replace a broken pool; returns how its dead worker ended, for the error message."""
        old = self._pool
        processes = dict(getattr(old, "_processes", None) or {})
        with contextlib.suppress(Exception):
            old.shutdown(wait=True)  # the pool already stopped its workers; this reaps them
        self._pool = self._new_pool()
        # The pool terminates (SIGTERM) the surviving workers itself: the other code is the death.
        codes = [
            p.exitcode for p in processes.values() if p.exitcode not in (None, -signal.SIGTERM)
        ]
        if not codes:
            return "worker process died"
        code = codes[0]
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"worker process killed by {signal.Signals(-code).name}"
        return f"worker process exited with code {code}"

    def imap_unordered(
        self, fn: Callable[[Any], Any], jobs: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        numbered = enumerate(jobs)  # numbers tell the jobs apart (they need not be hashable)
        window = 2 * self.workers
        pending: dict[Future, tuple[int, Any]] = {}
        suspects: deque[tuple[int, Any]] = deque()  # in flight when a worker died: rerun alone
        deaths: dict[int, int] = {}  # job number -> worker deaths it was in flight for
        breaks = 0  # pool rebuilds since a job last finished

        def top_up() -> None:
            if suspects:  # alone in the pool, so that a death is this job's own doing
                if not pending:
                    n, job = suspects.popleft()
                    pending[self._pool.submit(fn, job)] = (n, job)
                return
            for n, job in islice(numbered, window - len(pending)):
                pending[self._pool.submit(fn, job)] = (n, job)

        top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                # the broken pool fails every job in flight at once; let them all settle
                done = wait(pending, timeout=60).done | set(pending)
            lost: list[tuple[int, Any]] = []
            for fut in done:
                n, job = pending.pop(fut)
                exc = fut.exception() if fut.done() else BrokenProcessPool("no answer")
                if isinstance(exc, BrokenProcessPool):
                    lost.append((n, job))
                    continue
                breaks = 0
                yield job, (exc if exc is not None else fut.result())
            if lost:
                how = self._rebuild()
                breaks += 1
                if breaks > MAX_BREAKS:
                    raise BrokenProcessPool(
                        f"worker processes keep dying ({how}; {breaks} times in a row without a "
                        "run finishing)"
                    )
                for n, job in sorted(lost, key=lambda x: x[0]):
                    deaths[n] = deaths.get(n, 0) + 1
                    if len(lost) == 1 and deaths[n] >= 2:
                        yield job, WorkerDied(f"{how} while running it, twice; given up")
                    else:
                        suspects.append((n, job))
            top_up()

    def close(self, abort: bool = False) -> None:
        if not abort:
            self._pool.shutdown(wait=True)
            return
        processes = dict(getattr(self._pool, "_processes", None) or {})
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in processes.values():  # do not wait for the runs in progress
            with contextlib.suppress(Exception):
                if p.is_alive():
                    p.terminate()
        for p in processes.values():
            with contextlib.suppress(Exception):
                p.join(timeout=5)


# Dask settings for the LocalCluster this package starts (a user's own cluster keeps its own).
# Each cuts what a 2-core machine spends beside the runs, measured with 1 worker on the runs of
# experiments/culture_structure_grid.toml (docs/PERFORMANCE.md): the workers' statistical profiler
# samples the running task's stack every 10 ms, holding the GIL (about 10% more CPU per run than in
# a pool worker); the event-loop tick every 20 ms and work stealing every 100 ms (pointless for
# equal, independent runs that the scheduler queues anyway) take the runner process, which hosts
# the scheduler and the nannies, from about 6.5% to under 4% of a core. The nannies, and so the
# restart of a worker that dies, are kept.
LOCAL_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


class DaskExecutor:
    """Runs jobs on a Dask cluster: a loopback LocalCluster, or an existing scheduler.

    Args:
        address: ``"local"`` to start a LocalCluster on 127.0.0.1 (no dashboard), or a scheduler
            address such as ``tcp://10.0.0.5:8786``. The workers of an existing cluster need this
            package installed at the same version.
        workers: worker processes of a LocalCluster (ignored for an existing cluster).
        key_prefix: prefix of task keys (keeps two sweeps on one cluster apart).
    """

    def __init__(self, address: str, workers: int, key_prefix: str = "orgsim") -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - a core dependency
            raise InputError(
                "--dask needs the distributed package: pip install 'dask[distributed]'"
            ) from None
        self._cluster = None
        self._prefix = key_prefix
        if address == "local":
            import dask

            self.name = "dask-local"
            # Workers (and the nannies' thread that starts them, and restarts a dead one) ignore
            # the terminal's Ctrl-C: the runner handles it. LOCAL_CONFIG: see there.
            with sigint_blocked(), dask.config.set(LOCAL_CONFIG):
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # CRITICAL, not ERROR: at Ctrl-C the scheduler can close while a worker's
                    # heartbeat is in flight, and the worker logs "Failed to communicate with
                    # scheduler during heartbeat" with a traceback at ERROR (seen in CI). A job's
                    # own failure reaches the runner through its future, so nothing is lost.
                    silence_logs=logging.CRITICAL,
                )
                self._client = Client(self._cluster)
        else:
            self.name = "dask"
            target = address if "://" in address else f"tcp://{address}"
            try:
                self._client = Client(target, timeout="15s")
            except (OSError, TimeoutError) as e:
                raise InputError(f"--dask {address}: cannot reach the scheduler ({e})") from None
        threads = sum(self._client.nthreads().values())
        self.workers = max(threads, 1)

    def imap_unordered(
        self, fn: Callable[[Any], Any], jobs: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        from distributed import KilledWorker, as_completed

        it = iter(jobs)
        window = 2 * self.workers
        jobs_of: dict[str, Any] = {}
        counter = 0

        def submit(job: Any) -> Any:
            nonlocal counter
            counter += 1
            key = f"{self._prefix}-{os.getpid()}-{counter}"
            jobs_of[key] = job
            return self._client.submit(fn, job, key=key, pure=False, retries=1)

        ac = as_completed([submit(j) for j in islice(it, window)])
        for fut in ac:
            job = jobs_of.pop(fut.key)
            try:
                result: Any = fut.result()
            except KilledWorker as e:  # the scheduler's allowed-failures workers died running it
                result = WorkerDied(f"worker process died while running it, repeatedly ({e})")
            except Exception as e:
                result = e
            fut.release()
            yield job, result
            for j in islice(it, 1):
                ac.add(submit(j))

    def close(self, abort: bool = False) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
        self._cluster = None


def make_executor(workers: int, dask: str | None, key_prefix: str = "orgsim") -> Executor:
    """The executor for ``--workers`` and ``--dask``.

    Args:
        workers: processes on this machine (1: run in this process).
        dask: ``None``, ``"local"`` or a scheduler address.
        key_prefix: Dask task-key prefix.

    Raises:
        InputError: for a bad worker count or an unreachable scheduler.
    """
    if workers < 1:
        raise InputError(f"--workers must be at least 1 (got {workers})")
    if dask is not None:
        return DaskExecutor(dask, workers, key_prefix)
    if workers == 1:
        return SerialExecutor()
    return PoolExecutor(workers)
