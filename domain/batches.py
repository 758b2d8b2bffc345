"""Deciding and saving one batch of commands (the committer's side of group commit,
domain/group_commit.py): each command decided in turn over one working set, those that passed
saved in one transaction that also checks what they only read (domain/working_set.py), bounded
retries of races lost to another process, and refusals resting on kept entries checked before
they are answered.

Where the store offers writers' turns (PostgreSQL, stores/chain.py), each batch is decided and
saved in this process's turn, after dropping from the kept entries what other processes wrote
since its last turn: with several processes paying from one fund, a batch then decides on the
fund as it is instead of losing a race and being decided again."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, RecordConflictError, Recording

from domain.clock import Clock, use_clock
from domain.commands import Change, Decided, Outcome
from domain.errors import BusyError
from domain.group_commit import Job
from domain.working_set import Committed, Doubt, WorkingSet, active


class BatchCommits(Application[UUID]):
    """The batch side of the write machinery (LedgerCore, domain/writes.py, sets the state)."""

    max_attempts = 30
    lost_races = 0  # writes retried because another writer changed a record first
    clock: Clock
    committed: Committed  # aggregates (and absences) as last seen, checked at save
    _local: threading.local  # the working set of the batch being decided
    _turn_after: int | None = None  # the log position this process's last turn began at
    _own_positions: set[int] | None = None  # what this process saved since then

    @contextmanager
    def _writers_turn(self) -> Iterator[None]:
        """This process's turn to decide and save a batch, where the store has turns: what the
        others wrote since its last turn is dropped from the kept entries first."""
        turn = getattr(self.recorder, "writers_turn", None)
        if turn is None:
            yield
            return
        with turn(self._turn_after) as began:
            own = self._own_positions or set()
            if began.changes is None:
                self.committed.clear()
            else:
                self.committed.drop({i for at, i in began.changes if at not in own})
            self._turn_after, self._own_positions = began.head, set()
            yield

    def _load(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            found = cast("Aggregate", self.repository.get(aggregate_id))
        except AggregateNotFoundError:
            return None
        if getattr(found, "replay_without_snapshot", False):
            # a snapshot of an older shape lacks what the rules need now: replay the events
            replayed: Aggregate | None = None
            for stored in self.events.get(aggregate_id):
                replayed = cast("Any", stored).mutate(replayed)
            return replayed
        return found

    def _commit(self, jobs: list[Job[Outcome[Any]]], *, fresh: bool = False) -> None:
        """In the batch's leader: decide each job in turn, save those that passed at once.

        The save checks, in its transaction, that every aggregate the passed commands read
        and do not write is still at the version they read (absent: still absent); when one
        changed, the save loses its race and the batch is decided again. A refusal that rested
        on entries of ``self.committed`` is answered once those are found current in the store
        (one query); when one is stale, it is dropped and the refused commands are decided
        once more, ``fresh``: everything loaded from the store, and their answer stands."""
        doubts: list[Doubt] = []
        try:
            with use_clock(self.clock):
                self._commit_batch(jobs, doubts, fresh=fresh)
            again = self._refusals_to_decide_again(doubts)
        except BaseException:
            for doubt in doubts:
                if not doubt.job.done:
                    doubt.job.refuse(doubt.error)
            raise
        if again:
            self._commit(again, fresh=True)

    def _commit_batch(
        self, jobs: list[Job[Outcome[Any]]], doubts: list[Doubt], *, fresh: bool
    ) -> None:
        for attempt in range(self.max_attempts):
            # first from what callers found; after a lost race, all from the store
            absent = frozenset().union(*(j.absent for j in jobs)) if attempt == 0 else None
            working = WorkingSet(self._load, self.committed, absent or frozenset(), fresh=fresh)
            refused: list[Doubt] = []
            with active(self._local, working):
                passed = [(job, d) for job in jobs if (d := self._decided(job, working, refused))]
            if not passed:
                doubts += refused
                return
            try:
                recordings, checked = self._save_in_order(working, passed)
            except RecordConflictError:  # another process wrote first: decide again
                self.committed.drop({*working.aggregates, *working.found})
                doubts += refused
                self.lost_races += 1
                jobs = [job for job, _ in passed]
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            except Exception as error:
                self.committed.drop({*working.aggregates, *working.found})
                doubts += refused
                if len(passed) == 1:
                    passed[0][0].refuse(error)
                else:  # one bad command must not sink the others: each alone
                    for job, _ in passed:
                        self._commit([job])
                return
            self.committed.put(working.aggregates.values())
            self.committed.put_absent(working.absences())
            if self._own_positions is not None:
                self._own_positions.update(r.notification.id for r in recordings)
            for doubt in refused:  # what the save found current needs no second look
                doubt.reads = {i: v for i, v in doubt.reads.items() if i not in checked}
            doubts += refused
            at = {id(r.domain_event): r.notification.id for r in recordings}
            for job, decided in passed:
                if isinstance(decided, Outcome):
                    job.resolve(decided)
                    continue
                position = max((at[id(e)] for e in job.events), default=None)
                job.resolve(Outcome(decided.result, position))
            return
        busy = BusyError("other writers kept changing the same records; please try again")
        for job in jobs:
            job.refuse(busy)

    @staticmethod
    def _decided(
        job: Job[Outcome[Any]], working: WorkingSet, refused: list[Doubt]
    ) -> Decided | None:
        working.begin()
        try:
            decided: Decided = job.decide()
        except Exception as refusal:
            reads = working.undo()
            if reads:  # decided on entries kept from earlier batches: answered once checked
                refused.append(Doubt(job, refusal, reads))
            else:
                job.refuse(refusal)
            return None
        job.events = working.keep(decided.aggregates) if isinstance(decided, Change) else []
        return decided

    def _refusals_to_decide_again(self, doubts: list[Doubt]) -> list[Job[Outcome[Any]]]:
        """Answer each refusal whose entries are current in the store; drop the stale entries
        and return the jobs refused on them. When the store cannot be asked, the refusals stand."""
        ids = {i for doubt in doubts for i in doubt.reads}
        try:
            stored = self._stored_versions(ids) if ids else {}
        except Exception:
            ids, stored = set(), {}
        again: list[Job[Outcome[Any]]] = []
        stale: set[UUID] = set()
        for doubt in doubts:
            old = {i for i, v in doubt.reads.items() if i in ids and stored.get(i, 0) != v}
            if old:
                stale |= old
                again.append(doubt.job)
            else:
                doubt.job.refuse(doubt.error)
        self.committed.drop(stale)
        return again

    def _save_in_order(
        self, working: WorkingSet, passed: list[tuple[Job[Outcome[Any]], Decided]]
    ) -> tuple[list[Recording[UUID]], set[UUID]]:
        """One transaction; the events in the order of the commands, each command's as alone;
        the store checks that what the commands read and do not write is as they read it.
        Returns the recordings, and the ids the save found current (written or checked)."""
        events = [event for job, _ in passed for event in job.events]
        written = {event.originator_id for event in events}
        expected = working.expected_versions(written)
        if not events:  # nothing to save: the reads are checked all the same
            self._check_reads(expected)
            return [], set(expected)
        changed = [a for a in working.aggregates.values() if a.pending_events]
        for aggregate in changed:
            aggregate.collect_events()  # saved below as ``events``; the aggregates for snapshots
        checks = {"expected_versions": expected} if expected else {}
        return self.save(*events, *changed, **checks), written | set(expected)

    def _check_reads(self, expected: dict[UUID, int]) -> None:
        """Raise IntegrityError (a lost race) when a version read is no longer the stored one."""
        stored = self._stored_versions(expected) if expected else {}
        stale = [i for i, version in expected.items() if stored.get(i, 0) != version]
        if stale:
            raise IntegrityError(f"read aggregates changed since they were read: {stale}")

    def _stored_versions(self, ids: Collection[UUID]) -> dict[UUID, int]:
        """The latest stored version of each id (an absent one: not in the answer), in one
        query when the recorder can (stores/chain.py)."""
        in_one_query = getattr(self.recorder, "stored_versions", None)
        if in_one_query is not None:
            return cast("dict[UUID, int]", in_one_query(ids))
        stored: dict[UUID, int] = {}
        for aggregate_id in ids:
            last = self.recorder.select_events(aggregate_id, desc=True, limit=1)
            if last:
                stored[aggregate_id] = last[0].originator_version
        return stored
