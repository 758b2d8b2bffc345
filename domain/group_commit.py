"""Group commit: commands that arrive together are decided one after another and saved together.

Every write of a Ledger goes through one committer. The caller that leads a batch takes the
commands that are waiting (up to ``max_batch``), decides each in turn over one working set of
aggregates, so that the second payment from a fund sees the first, and saves the events of
every command that passed in one transaction: one lock of the events table, one extension of
the hash chain. Each caller is answered with its own result or its own refusal, and only once
its events are committed.

A refused command leaves nothing behind: the aggregates it touched are put back as they were
before it. When the save loses a race to another process, the batch is decided again from fresh
state; when it fails for any other reason, each command is decided and saved alone, so that one
bad command cannot sink the others.

What a batch reads and keeps between batches is domain/working_set.py; deciding and saving a
batch, domain/batches.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

T = TypeVar("T")


@dataclass
class Job(Generic[T]):
    """One caller's command, waiting for its answer."""

    decide: Callable[[], Any]  # runs the command's rules over the working set
    absent: frozenset[UUID] = frozenset()  # ids its caller found missing from the store
    answer: T | None = None
    error: BaseException | None = None
    events: list[Any] = field(default_factory=list)  # what the command adds, in its order
    _done: threading.Event = field(default_factory=threading.Event)

    def resolve(self, answer: T) -> None:
        self.answer = answer
        self._done.set()

    def refuse(self, error: BaseException) -> None:
        self.error = error
        self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self) -> T:
        self._done.wait()
        if self.error is not None:
            raise self.error
        assert self.answer is not None
        return self.answer


class GroupCommitter:
    """Runs waiting jobs in batches through ``run_batch``, on the callers' own threads.

    The first caller to find no batch under way leads: it takes the waiting jobs (its own among
    them) and commits them; the callers that arrive meanwhile wait, and when the batch is done
    one of those whose job is still waiting leads the next. A lone caller so commits its own
    command with no hand-over to another thread, and concurrent callers still share commits.

    ``turn``, when given, is entered by the leader before it takes the waiting jobs and left
    after their batch: the writers' turn among processes (domain/batches.py). The commands that
    arrive while the leader waits for it join its batch."""

    def __init__(
        self,
        run_batch: Callable[[list[Job[Any]]], None],
        max_batch: int = 64,
        turn: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self._run_batch = run_batch
        self._enter_turn = turn
        self.max_batch = max_batch
        self._waiting: list[Job[Any]] = []
        self._turn = threading.Condition()
        self._leading = False
        self._local = threading.local()
        self.batches = 0  # batches committed (for benchmarks and tests)
        self.jobs = 0
        self.in_batch = 0  # commands in the batch being committed now

    @property
    def waiting(self) -> int:
        """Commands queued behind the batch being committed."""
        with self._turn:
            return len(self._waiting)

    def submit(self, job: Job[T]) -> T:
        """Queue the job; lead batches until it has its answer, or wait for another leader."""
        if getattr(self._local, "committing", False):
            raise RuntimeError("a command cannot write while another command is being decided")
        with self._turn:
            self._waiting.append(job)
        while not job.done:
            with self._turn:
                while self._leading and not job.done:
                    self._turn.wait()
                if job.done:
                    break
                self._leading = True
            self._lead()
        return job.wait()

    def _take(self) -> list[Job[Any]]:
        """The waiting jobs of the next batch."""
        with self._turn:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        self.in_batch = len(batch)
        return batch

    def _lead(self) -> None:
        self._local.committing = True
        batch: list[Job[Any]] = []
        try:
            with self._enter_turn():
                batch = self._take()
                self._run_batch(batch)
            self.batches += 1
            self.jobs += len(batch)
        except BaseException as error:  # every caller must hear back
            for job in batch or self._take():
                if not job.done:
                    job.refuse(error)
        finally:
            self._local.committing = False
            self.in_batch = 0
            with self._turn:
                self._leading = False
                self._turn.notify_all()

    def close(self) -> None:
        """Nothing runs between batches: no thread to stop."""
