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

What a batch READ counts as much as what it wrote: the working set notes the version at which it
found each aggregate (0: looked up and absent), and the save checks, in its transaction and under
the events table's lock, that every aggregate the passed commands read but do not write is still
at that version. Another process that changed one (a policy, a centre, a fund only read) makes
the save lose its race, and the batch is decided again from the store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

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


@dataclass
class Doubt:
    """A refusal that rested on entries from ``Committed``: it stands once they are found
    current; when one is stale, the command is decided again from the store."""

    job: Job[Any]
    error: BaseException
    reads: dict[UUID, int]  # the entries' ids and the versions the decision saw (0: absent)


class Committed:
    """Aggregates as this process last saved or loaded them, and ids it found absent, kept
    between batches (LRU).

    Only the committer decides from them, on copies, and it never trusts them: an entry may be
    stale, because another process wrote since. A batch's save checks the version of every entry
    it used, written or only read (an absent one: still absent), so a stale entry makes the save
    lose its race: the batch's entries are dropped and the batch is decided again from the store.
    A command refused on entries from here is answered only once they are found current; a
    stale one is dropped and the command decided again from the store (domain/writes.py)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._items: OrderedDict[UUID, Aggregate | None] = OrderedDict()  # None: absent
        self._lock = threading.Lock()

    def __contains__(self, aggregate_id: object) -> bool:
        """Whether this process knows the id: an aggregate, or that there is none."""
        with self._lock:
            return aggregate_id in self._items

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        """A copy of the aggregate (None: unknown here, or known to be absent)."""
        return self.lookup(aggregate_id)[1]

    def lookup(self, aggregate_id: UUID) -> tuple[bool, Aggregate | None]:
        """Whether the id is known here, and a copy of its aggregate (None: known absent)."""
        with self._lock:
            known = aggregate_id in self._items
            found = self._items.get(aggregate_id)
            if known:
                self._items.move_to_end(aggregate_id)
        return known, deepcopy(found) if found is not None else None

    def put_absent(self, ids: Iterable[UUID], *, replace: bool = True) -> None:
        """Remember that these ids name no aggregate (yet)."""
        with self._lock:
            for aggregate_id in ids:
                if replace or aggregate_id not in self._items:
                    self._items[aggregate_id] = None
                    self._items.move_to_end(aggregate_id)
            self._trim()

    def put(self, aggregates: Iterable[Aggregate], *, replace: bool = True) -> None:
        with self._lock:
            for aggregate in aggregates:
                if replace or aggregate.id not in self._items:
                    self._items[aggregate.id] = aggregate
                    self._items.move_to_end(aggregate.id)
            self._trim()

    def _trim(self) -> None:
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def drop(self, ids: Iterable[UUID]) -> None:
        with self._lock:
            for aggregate_id in ids:
                self._items.pop(aggregate_id, None)


class WorkingSet:
    """The aggregates one batch has loaded or made; each command's first touch keeps a copy.

    It also notes what the batch READ: the version at which it found each aggregate in
    ``Committed`` or the store (0: looked up and absent), which of those came from ``Committed``,
    and the versions the commands that passed relied on. The save is given the versions of those
    it read but does not write (``expected_versions``) and checks them in its transaction; a
    refused command hands back the entries from ``Committed`` that its refusal rested on, so
    that they can be checked before it is answered. ``fresh``: nothing from ``Committed``."""

    def __init__(
        self,
        load: Callable[[UUID], Aggregate | None],
        committed: Committed,
        absent: frozenset[UUID] = frozenset(),
        *,
        fresh: bool = False,
    ) -> None:
        self._load = load
        self._committed = committed
        self._absent = absent
        self._fresh = fresh
        self.aggregates: dict[UUID, Aggregate] = {}
        self.found: dict[UUID, int] = {}  # version as last found (0: absent)
        self.cached: set[UUID] = set()  # of those, found in Committed, not loaded
        self.relied: dict[UUID, int] = {}  # versions the passed commands read (-1: two)
        self._before: dict[UUID, Aggregate | None] = {}  # None: first loaded by this command
        self._marks: dict[UUID, int] = {}
        self._looked: dict[UUID, tuple[int, bool]] = {}  # this command's reads: version, cached

    def find(self, aggregate_id: UUID) -> Aggregate | None:
        found = self.aggregates.get(aggregate_id)
        if found is not None:
            if aggregate_id not in self._before:
                # the events are immutable and may be shared; the state and the list are copied
                memo = {id(e): e for e in found.pending_events}
                self._before[aggregate_id] = deepcopy(found, memo)
            if aggregate_id in self.found:  # read from Committed or the store, not made here
                self._note(aggregate_id, self.found[aggregate_id], aggregate_id in self.cached)
            return found
        if self.found.get(aggregate_id) == 0:  # absent: no need to ask again in this batch
            self._note(aggregate_id, 0, aggregate_id in self.cached)
            return None
        known, found = (False, None) if self._fresh else self._committed.lookup(aggregate_id)
        if not known and aggregate_id not in self._absent:
            found = self._load(aggregate_id)
        version = found.version if found is not None else 0
        self.found[aggregate_id] = version
        (self.cached.add if known else self.cached.discard)(aggregate_id)
        self._note(aggregate_id, version, known)
        if found is not None:
            self.aggregates[aggregate_id] = found
            self._before[aggregate_id] = None
        return found

    def _note(self, aggregate_id: UUID, version: int, cached: bool) -> None:
        self._looked.setdefault(aggregate_id, (version, cached))

    def begin(self) -> None:
        self._before = {}
        self._looked = {}
        self._marks = {i: len(a.pending_events) for i, a in self.aggregates.items()}

    def keep(self, aggregates: list[Aggregate]) -> list[Any]:
        """A command passed: its aggregates join the set; returns its new events in order."""
        events: list[Any] = []
        for aggregate in aggregates:
            self.aggregates.setdefault(aggregate.id, aggregate)
            if self.aggregates[aggregate.id] is not aggregate:
                raise RuntimeError(f"two copies of aggregate {aggregate.id} in one batch")
            events += aggregate.pending_events[self._marks.get(aggregate.id, 0) :]
        listed = {a.id for a in aggregates}
        self._restore(i for i in self._before if i not in listed)  # touched, not to be saved
        self._before = {}
        for aggregate_id, (version, _) in self._looked.items():
            # two commands that saw two versions (one loaded between them): never current
            same = self.relied.get(aggregate_id, version) == version
            self.relied[aggregate_id] = version if same else -1
        self._looked = {}
        return events

    def undo(self) -> dict[UUID, int]:
        """A command was refused: put back every aggregate it touched; returns the versions
        of the entries from Committed that its decision read (to check before it is answered)."""
        self._restore(list(self._before))
        self._before = {}
        cached = {i: version for i, (version, from_cache) in self._looked.items() if from_cache}
        self._looked = {}
        return cached

    def expected_versions(self, written: set[UUID]) -> dict[UUID, int]:
        """What the passed commands read and the save does not write, at the versions read."""
        return {i: v for i, v in self.relied.items() if i not in written}

    def absences(self) -> list[UUID]:
        """The ids looked up and found absent (not only known so from a caller's hint)."""
        return [
            i
            for i, version in self.found.items()
            if version == 0 and i not in self.aggregates and i not in self._absent
        ]

    def _restore(self, ids: Iterator[UUID] | list[UUID]) -> None:
        for aggregate_id in ids:
            before = self._before.get(aggregate_id)
            if before is None:
                self.aggregates.pop(aggregate_id, None)
            else:
                self.aggregates[aggregate_id] = before


class GroupCommitter:
    """Runs waiting jobs in batches through ``run_batch``, on the callers' own threads.

    The first caller to find no batch under way leads: it takes the waiting jobs (its own among
    them) and commits them; the callers that arrive meanwhile wait, and when the batch is done
    one of those whose job is still waiting leads the next. A lone caller so commits its own
    command with no hand-over to another thread, and concurrent callers still share commits."""

    def __init__(self, run_batch: Callable[[list[Job[Any]]], None], max_batch: int = 64) -> None:
        self._run_batch = run_batch
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
                batch, self._waiting = (
                    self._waiting[: self.max_batch],
                    self._waiting[self.max_batch :],
                )
            self._lead(batch)
        return job.wait()

    def _lead(self, batch: list[Job[Any]]) -> None:
        self._local.committing = True
        self.in_batch = len(batch)
        try:
            self._run_batch(batch)
            self.batches += 1
            self.jobs += len(batch)
        except BaseException as error:  # every caller must hear back
            for job in batch:
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


@contextmanager
def active(holder: threading.local, working: WorkingSet) -> Iterator[WorkingSet]:
    """Make ``working`` the set that this thread's aggregate lookups go through."""
    holder.working = working
    try:
        yield working
    finally:
        holder.working = None
