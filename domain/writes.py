"""The write machinery apart from the use cases: group commit (commands that arrive together
are decided in turn and saved in one transaction), bounded retries of races lost to another
process, idempotency, business dates checked against the window, the clock lent out."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, AggregateEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    RecordConflictError,
    Recording,
    Transcoding,
)

from domain.access import Actor
from domain.clock import Clock, SystemClock, check_business_date, use_clock
from domain.errors import (
    BusyError,
    IdempotencyKeyReusedError,
    NotFoundError,
)
from domain.group_commit import Committed, Doubt, GroupCommitter, Job, WorkingSet, active
from domain.idempotency import IdempotencyRecord, idempotency_id
from domain.privacy import PersonalDataVault
from domain.results import Result

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R", bound=Result)


class DateAsISO(Transcoding):
    """Business dates are stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class Context:
    """Who is acting, and the request's idempotency key and fingerprint if it has one."""

    actor: Actor
    idempotency_key: str | None = None
    request_sha256: str = ""


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """A write's answer: what it created and where it landed in the log."""

    result: R
    position: int | None = None
    replayed: bool = False


@dataclass
class Change(Generic[R]):
    """What a command changed: its result, and the aggregates to save together."""

    result: R
    aggregates: list[Aggregate] = field(default_factory=list)


Decided = Change[Any] | Outcome[Any]  # a command decided: what it changes, or an earlier answer


class LedgerCore(Application[UUID]):
    """The write machinery every use case runs on (one transaction per batch of commands)."""

    max_attempts = 30
    max_batch = 64  # commands decided and committed together at most
    lost_races = 0  # writes retried because another writer changed a record first

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()
        self.listeners: list[Callable[[int], None]] = []  # told each new log position
        self.vault: PersonalDataVault | None = None  # set by stores.open_ledger
        self._local = threading.local()  # the working set of the batch being decided
        self.committer = GroupCommitter(self._commit, self.max_batch)
        self.committed = Committed()  # aggregates (and absences) as last seen, checked at save

    def close(self) -> None:
        self.committer.close()
        super().close()

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            for listener in self.listeners:
                listener(recordings[-1].notification.id)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def today(self) -> date:
        """Today's business date (Asia/Shanghai unless configured otherwise)."""
        return self.clock.today()

    def _day(self, business_date: date | None) -> date:
        """The business date given, checked against the window, or today's."""
        if business_date is None:
            return self.today()
        return check_business_date(business_date, self.today())

    # --- the write path: group commit, idempotency, bounded retries of lost races ---------------
    def _write(
        self, ctx: Context, change: Callable[[], Change[R]], *touches: UUID | None
    ) -> Outcome[R]:
        """Decide the command in a batch with the others waiting (group commit); answer once
        its events are committed (see domain/group_commit.py).

        The aggregates the command ``touches`` are loaded here first, in the caller's thread
        and in parallel with other callers, so that the committer finds them ready; a repeated
        request (same Idempotency-Key) is answered here without queueing."""
        absent: frozenset[UUID] = frozenset()
        if ctx.idempotency_key is not None:
            earlier = self._idempotent_replay(ctx)
            if earlier is not None:
                return earlier
            absent = frozenset([idempotency_id(ctx.actor.name, ctx.idempotency_key)])
        for aggregate_id in touches:
            if aggregate_id is not None and aggregate_id not in self.committed:
                found = self._load(aggregate_id)
                if found is not None:
                    self.committed.put([found], replace=False)
                else:
                    self.committed.put_absent([aggregate_id], replace=False)
        job: Job[Outcome[R]] = Job(lambda: self._decide(ctx, change), absent)
        return self.committer.submit(job)

    def _write_sealed(
        self, ctx: Context, change: Callable[[], Change[R]], key_id: UUID, *touches: UUID | None
    ) -> Outcome[R]:
        """A write of personal data sealed under a new key (``key_id``'s): when the write is
        refused or replayed, the key goes, so that it leaves no orphan key behind."""
        try:
            outcome = self._write(ctx, change, *touches)
        except BaseException:
            self._vault().discard(key_id)
            raise
        if outcome.replayed:
            self._vault().discard(key_id)
        return outcome

    def _decide(self, ctx: Context, change: Callable[[], Change[R]]) -> Change[R] | Outcome[R]:
        if ctx.idempotency_key is not None:
            earlier = self._idempotent_replay(ctx)
            if earlier is not None:
                return earlier
        done = change()
        if ctx.idempotency_key is not None:
            done.aggregates.append(
                IdempotencyRecord(
                    id=idempotency_id(ctx.actor.name, ctx.idempotency_key),
                    request_sha256=ctx.request_sha256,
                    result=done.result.as_record(),
                    actor=ctx.actor.name,
                    business_date=self.today(),
                )
            )
        return done

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

    def _idempotent_replay(self, ctx: Context) -> Outcome[Any] | None:
        assert ctx.idempotency_key is not None
        record = self._find(IdempotencyRecord, idempotency_id(ctx.actor.name, ctx.idempotency_key))
        if record is None:
            return None
        if record.request_sha256 != ctx.request_sha256:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was already used for a different request"
            )
        return Outcome(Result.of_record(record.result), None, replayed=True)

    def remembered(self, actor: Actor, key: str) -> Result | None:
        """The result of the write this user made with this Idempotency-Key, if any."""
        record = self._find(IdempotencyRecord, idempotency_id(actor.name, key))
        return Result.of_record(record.result) if record else None

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

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate, through the batch's working set when a command is being decided."""
        working: WorkingSet | None = getattr(self._local, "working", None)
        found = working.find(aggregate_id) if working else self._load(aggregate_id)
        return found if isinstance(found, cls) else None

    def _get(self, cls: type[A], aggregate_id: UUID, missing: type[NotFoundError]) -> A:
        found = self._find(cls, aggregate_id)
        if found is None:
            raise missing(f"no {cls.__name__.lower()} has the id {aggregate_id}")
        return found

    # --- the whole log ---------------------------------------------------------------------------
    def _vault(self) -> PersonalDataVault:
        if self.vault is None:
            raise RuntimeError("this ledger was opened without a personal-data vault")
        return self.vault

    def is_empty(self) -> bool:
        return self.recorder.max_notification_id() is None

    def stream(self, aggregate_id: UUID) -> Iterator[AggregateEvent]:
        """One aggregate's events, oldest first."""
        return cast("Iterator[AggregateEvent]", self.events.get(aggregate_id))
