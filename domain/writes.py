"""The write machinery apart from the use cases: a command's way into group commit (commands
that arrive together are decided in turn and saved in one transaction, domain/batches.py),
idempotency, business dates checked against the window, the clock lent out, aggregates found
through the batch's working set. The shapes of a command and its answer: domain/commands.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, AggregateEvent
from eventsourcing.persistence import (
    JSONTranscoder,
    Recording,
    Transcoding,
)

from domain.access import Actor
from domain.batches import BatchCommits
from domain.clock import Clock, SystemClock, check_business_date
from domain.commands import Change, Context, Outcome, R
from domain.errors import (
    IdempotencyKeyReusedError,
    NotFoundError,
)
from domain.group_commit import GroupCommitter, Job
from domain.idempotency import IdempotencyRecord, idempotency_id
from domain.privacy import PersonalDataVault
from domain.results import Result
from domain.working_set import Committed, WorkingSet

__all__ = ["Change", "Context", "DateAsISO", "LedgerCore", "Outcome", "R"]

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    """Business dates are stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class LedgerCore(BatchCommits):
    """The write machinery every use case runs on (one transaction per batch of commands)."""

    max_batch = 64  # commands decided and committed together at most

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()
        self.listeners: list[Callable[[int], None]] = []  # told each new log position
        self.vault: PersonalDataVault | None = None  # set by stores.open_ledger
        self._local = threading.local()  # the working set of the batch being decided
        self.committer = GroupCommitter(self._commit, self.max_batch, self._writers_turn)
        # commands that only create aggregates of new random ids (records of reads) read
        # nothing another writer changes: their own batches, never behind a wait for the turn
        self.creations = GroupCommitter(self._commit, self.max_batch)
        self.committed = Committed()  # aggregates (and absences) as last seen, checked at save

    def close(self) -> None:
        self.committer.close()
        self.creations.close()
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
        self,
        ctx: Context,
        change: Callable[[], Change[R]],
        *touches: UUID | None,
        creates_only: bool = False,
    ) -> Outcome[R]:
        """Decide the command in a batch with the others waiting (group commit); answer once
        its events are committed (see domain/group_commit.py).

        The aggregates the command ``touches`` are loaded here first, in the caller's thread
        and in parallel with other callers, so that the committer finds them ready; a repeated
        request (same Idempotency-Key) is answered here without queueing. ``creates_only``: the
        command reads nothing and only creates aggregates of new random ids, so it needs no
        writers' turn (domain/batches.py) and is committed in batches of its own kind."""
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
        return (self.creations if creates_only else self.committer).submit(job)

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
