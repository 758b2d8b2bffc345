"""What one batch of commands reads and changes, and what the committer keeps between batches.

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
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.group_commit import Job


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

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

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


@contextmanager
def active(holder: threading.local, working: WorkingSet) -> Iterator[WorkingSet]:
    """Make ``working`` the set that this thread's aggregate lookups go through."""
    holder.working = working
    try:
        yield working
    finally:
        holder.working = None
