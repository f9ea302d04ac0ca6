"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Each executor maps a function over a lazy stream of jobs and yields results as they finish, with a
bounded number in flight (a few per worker), so neither the jobs nor the results of a large sweep
are ever all in memory. The order of results depends on the executor; the results themselves do
not (each run depends only on its scenario and seed), and the store sorts by run id.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol

from sim.errors import InputError


class Executor(Protocol):
    """Runs ``fn(job)`` for every job and yields ``(job, result)`` in completion order.

    ``result`` is what ``fn`` returned, or the exception that the executor raised for that job
    (a lost worker, say); a broken process pool is raised, since no later job could run.
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


def _init_worker() -> None:
    """Worker set-up: leave Ctrl-C to the parent (which stops the pool), and one BLAS thread.

    One process per core is the parallelism; BLAS threads on top only oversubscribe the cores
    (Dask's nanny does the same for its workers). The variables take effect because the worker
    has not imported numpy yet; a user's own setting is kept.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for var in _ONE_THREAD:
        os.environ.setdefault(var, "1")


class PoolExecutor:
    """A process pool over this machine's cores (forkserver processes, one run per task)."""

    name = "pool"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp.get_context("forkserver"),
            initializer=_init_worker,
        )

    def imap_unordered(
        self, fn: Callable[[Any], Any], jobs: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        it = iter(jobs)
        window = 2 * self.workers
        pending: dict[Future, Any] = {}
        for j in islice(it, window):
            pending[self._pool.submit(fn, j)] = j
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                job = pending.pop(fut)
                exc = fut.exception()
                if isinstance(exc, BrokenProcessPool):
                    raise exc  # no later job can run: stop; the sweep is resumable
                yield job, (exc if exc is not None else fut.result())
            for j in islice(it, len(done)):
                pending[self._pool.submit(fn, j)] = j

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
            self.name = "dask-local"
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
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
        from distributed import as_completed

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
            except Exception as e:  # a worker lost twice (KilledWorker), say
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
