"""Where independent pieces of planning run: in this process, a local process pool, or a Dask cluster.

Every backend has the same small interface, `map(fn, items)`, yielding `(index, result)` pairs as the
pieces finish; a piece that raised yields a `TaskError` in place of its result, so one failure never
stops the others. The pieces (a routing part, a province) carry everything they need, so any backend
gives the same answer for the same inputs and seed.

Specs accepted by `backend_from_spec` (the CLI's `--dask` and the API's `DASK_SCHEDULER`):
`inprocess`, `processes[:N]`, `local[:N]` (a Dask LocalCluster of N single-threaded worker processes)
and a scheduler address such as `tcp://host:8786`.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

DEFAULT_LOCAL_WORKERS = 2


@dataclass(frozen=True)
class TaskError:
    """A piece of work that raised: the exception's type and message, and where it was raised."""

    kind: str
    message: str
    trace: str = ""

    @property
    def reason(self) -> str:
        return f"{self.kind}: {self.message}" if self.message else self.kind

    @classmethod
    def of(cls, exc: BaseException) -> TaskError:
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(type(exc).__name__, str(exc), trace)


Outcome = tuple[int, Any]  # (index into items, result or TaskError)


@runtime_checkable
class Backend(Protocol):
    """Runs `fn` on each item somewhere and yields (index, result | TaskError) as each finishes."""

    name: str

    @property
    def slots(self) -> int: ...

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


class InProcessBackend:
    """One piece after the other in this process: the default for one province and for tests."""

    name = "inprocess"

    @property
    def slots(self) -> int:
        return 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Outcome]:
        for i, item in enumerate(items):
            try:
                yield i, fn(item)
            except Exception as exc:  # reported to the caller as data, never swallowed
                yield i, TaskError.of(exc)

    def close(self) -> None:
        return None

    def __enter__(self) -> InProcessBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessPoolBackend:
    """A local pool of worker processes (concurrent.futures), created per `map` call."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.name = f"processes:{self.workers}"

    @property
    def slots(self) -> int:
        return self.workers

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Outcome]:
        if not items:
            return
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(items)))
        try:
            futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
            for f in as_completed(futures):
                exc = f.exception()
                yield futures[f], (TaskError.of(exc) if exc is not None else f.result())
        finally:  # on an interrupt, queued items are dropped; running ones finish
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        return None

    def __enter__(self) -> ProcessPoolBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskBackend:
    """A Dask distributed cluster: a LocalCluster this object starts, or a running scheduler.

    The client is opened on first use and kept until `close()`, so a long-lived caller (the API)
    pays the connection once. Workers must have jemput installed (same version) to import `fn`.
    """

    def __init__(self, address: str | None = None, local_workers: int = DEFAULT_LOCAL_WORKERS):
        self.address = address
        self.local_workers = local_workers
        self.name = address or f"local:{local_workers}"
        self._cluster: Any = None
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The distributed.Client, started on first use."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.address:
                self._client = Client(self.address)  # type: ignore[no-untyped-call]  # distributed leaves it untyped
            else:
                import dask

                # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in workers; it makes OR-Tools'
                # search about 2× slower (bench/results/scale_backends.md). None leaves glibc's default.
                with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                    self._cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed leaves it untyped
                        n_workers=self.local_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",  # any free port: machines are shared
                    )
                self._client = Client(self._cluster)  # type: ignore[no-untyped-call]  # distributed leaves it untyped
        return self._client

    @property
    def slots(self) -> int:
        """Worker threads in the cluster right now (at least 1)."""
        return max(1, int(sum(self.client.nthreads().values())))

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Outcome]:
        if not items:
            return
        from distributed import as_completed as dask_completed

        # one submit per item: a province is ~0.5 MB, and one graph of all of them trips Dask's size warning
        futures = [self.client.submit(fn, item, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in dask_completed(futures):  # type: ignore[no-untyped-call]  # distributed leaves it untyped
                yield index[f.key], _dask_outcome(f)
        finally:
            for f in futures:
                f.release()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskWorkerBackend:
    """From inside a Dask task: send sub-pieces (a province's parts) to the same cluster.

    Uses `distributed.worker_client`, which secedes the calling task from the worker's thread pool
    while it waits, so nested work cannot deadlock a cluster of single-threaded workers.
    """

    name = "dask-worker"

    @property
    def slots(self) -> int:
        from distributed import get_client

        return max(1, int(sum(get_client().nthreads().values())))  # type: ignore[no-untyped-call]  # distributed leaves it untyped

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Outcome]:
        if not items:
            return
        from distributed import as_completed as dask_completed
        from distributed import worker_client

        with worker_client() as client:
            futures = [client.submit(fn, item, pure=False) for item in items]
            index = {f.key: i for i, f in enumerate(futures)}
            outcomes = [(index[f.key], _dask_outcome(f)) for f in dask_completed(futures)]  # type: ignore[no-untyped-call]  # distributed leaves it untyped
        yield from outcomes

    def close(self) -> None:
        return None


def _dask_outcome(future: Any) -> Any:
    """The future's result, or a TaskError carrying the remote exception."""
    if future.status == "error":
        exc = future.exception()
        trace = "".join(traceback.format_tb(future.traceback())) if future.traceback() else ""
        return TaskError(type(exc).__name__, str(exc), trace)
    try:
        return future.result()
    except Exception as exc:  # cancelled, lost worker, unpicklable result
        return TaskError.of(exc)


def in_dask_worker() -> bool:
    """True when called from a task running on a Dask worker."""
    try:
        from distributed import get_worker

        get_worker()
        return True
    except (ImportError, ValueError):
        return False


def backend_from_spec(spec: str | None) -> Backend | None:
    """The backend a spec names; None for an empty spec, meaning "the caller's default".

    `inprocess`; `processes` or `processes:N`; `local` or `local:N` (Dask LocalCluster, N workers);
    `tcp://host:port` (or tls://, ucx://, inproc://) for a running Dask scheduler.
    """
    if spec is None or not spec.strip():
        return None
    spec = spec.strip()
    head, _, count = spec.partition(":")
    if "://" in spec:
        return DaskBackend(address=spec)
    if head in ("inprocess", "local", "processes"):
        if head == "inprocess":
            if count:
                raise ValueError(f"backend spec {spec!r}: inprocess takes no worker count")
            return InProcessBackend()
        n = _count(spec, count)
        return DaskBackend(local_workers=n) if head == "local" else ProcessPoolBackend(n)
    raise ValueError(
        f"unknown backend spec {spec!r}: use inprocess, processes[:N], local[:N] or a scheduler address tcp://host:8786"
    )


def _count(spec: str, text: str) -> int:
    if not text:
        return DEFAULT_LOCAL_WORKERS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"backend spec {spec!r}: the worker count must be a whole number ≥ 1, got {text!r}")
    return int(text)
