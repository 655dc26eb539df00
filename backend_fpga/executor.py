"""Where parallel work runs: local processes or a Ray cluster, behind one interface.

    executor = make_executor(jobs=2)                 # LocalExecutor: 2 processes
    executor = make_executor(ray="auto")             # RayExecutor: the running cluster
    results = executor.map(task, items)              # [task(item) for item in items]

A task is a module-level function of one picklable argument returning a picklable
value; it must not rely on files of the machine that submits it (a Ray worker may run
on another machine): it receives what it reads and returns what it made
(`backend_fpga.synth.SynthJob`, `backend_fpga.sweep.SweepPoint`). So the results are
the same whichever executor ran the task; `map` keeps the items' order. The first
failing item's exception is raised (a Ray task's error is unwrapped to the original
exception, so a tool's one-line error reads the same).

`LocalExecutor(1)` runs the items in this process, one after the other. After a
failure, the items not started yet are dropped (a running one finishes: every task here
is bounded, e.g. by `--synth-timeout`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from backend_hls.toolchain import ToolchainError

T = TypeVar("T")
R = TypeVar("R")

RAY_HINT = "pip install 'qnn[ray]'"


class ExecutorError(ToolchainError):
    """The executor cannot run (Ray missing or no cluster at the address): one line."""


class Executor(Protocol):
    """Runs a task on every item, possibly in parallel, results in the items' order."""

    def map(self, task: Callable[[T], R], items: Sequence[T]) -> list[R]: ...

    @property
    def description(self) -> str:
        """`2 local processes`, `Ray at auto` (progress lines and reports)."""
        ...


@dataclass(frozen=True)
class LocalExecutor:
    """`jobs` processes of this machine (forked; `jobs = 1`: this process, in order)."""

    jobs: int = 1

    @property
    def description(self) -> str:
        return "1 process" if self.jobs <= 1 else f"{self.jobs} local processes"

    def map(self, task: Callable[[T], R], items: Sequence[T]) -> list[R]:
        if self.jobs <= 1 or len(items) <= 1:
            return [task(item) for item in items]
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(items)), mp_context=context)
        try:
            futures = [pool.submit(task, item) for item in items]
            return [future.result() for future in futures]
        finally:
            # after a failure, the items not started yet are dropped, not run
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class RayExecutor:
    """The Ray cluster at `address` (`auto`: the one `ray start` runs on this machine or
    `$RAY_ADDRESS` names; else `host:port` or `ray://host:port`). When this process is
    already connected (`ray.init` done, e.g. by a test), that cluster is used."""

    address: str = "auto"

    @property
    def description(self) -> str:
        return f"Ray at {self.address}"

    def map(self, task: Callable[[T], R], items: Sequence[T]) -> list[R]:
        ray = _connect(self.address)
        remote = ray.remote(task)
        refs = [remote.remote(item) for item in items]
        try:
            return list(ray.get(refs))
        except ray.exceptions.RayTaskError as error:
            for ref in refs:
                ray.cancel(ref)
            cause = getattr(error, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from None
            raise


def _connect(address: str) -> Any:
    """The `ray` module, connected to `address` (once per process)."""
    try:
        import ray
    except ImportError:
        raise ExecutorError(f"ray: not installed ({RAY_HINT})") from None
    if ray.is_initialized():
        return ray
    try:
        ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ExecutorError(
            f"ray: cannot connect to a cluster at {address!r} ({reason}); start one with "
            "`ray start --head`"
        ) from None
    return ray


def make_executor(jobs: int = 1, ray: str | None = None) -> Executor:
    """A Ray executor when `ray` names a cluster, else `jobs` local processes."""
    if ray is not None:
        return RayExecutor(ray)
    return LocalExecutor(jobs)
