"""The write machinery apart from the use cases: bounded retries of lost races, idempotency,
one atomic save per command, business dates checked against the window, the clock lent out."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, AggregateEvent
from eventsourcing.persistence import (
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
from domain.idempotency import IdempotencyRecord, idempotency_id
from domain.privacy import PersonalDataVault

A = TypeVar("A", bound=Aggregate)


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
class Outcome:
    """A write's answer: what it created and where it landed in the log."""

    result: dict[str, str]
    position: int | None = None
    replayed: bool = False


@dataclass
class Change:
    """What a command changed: its result, and the aggregates to save together."""

    result: dict[str, str]
    aggregates: list[Aggregate] = field(default_factory=list)


class LedgerCore(Application[UUID]):
    """The write machinery every use case runs on (one transaction per command)."""

    max_attempts = 30
    lost_races = 0  # writes retried because another writer changed a record first

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()
        self.listeners: list[Callable[[int], None]] = []  # told each new log position
        self.vault: PersonalDataVault | None = None  # set by stores.open_ledger

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

    # --- the write path: idempotency, bounded retries of lost races, one atomic save --------
    def _write(self, ctx: Context, change: Callable[[], Change]) -> Outcome:
        with use_clock(self.clock):
            return self._write_now(ctx, change)

    def _write_now(self, ctx: Context, change: Callable[[], Change]) -> Outcome:
        for attempt in range(self.max_attempts):
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
                        result=done.result,
                        actor=ctx.actor.name,
                        business_date=self.today(),
                    )
                )
            try:
                recordings = self.save(*done.aggregates)
            except RecordConflictError:
                self.lost_races += 1
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            position = recordings[-1].notification.id if recordings else None
            return Outcome(done.result, position)
        raise BusyError("other writers kept changing the same records; please try again")

    def _idempotent_replay(self, ctx: Context) -> Outcome | None:
        assert ctx.idempotency_key is not None
        record = self._find(IdempotencyRecord, idempotency_id(ctx.actor.name, ctx.idempotency_key))
        if record is None:
            return None
        if record.request_sha256 != ctx.request_sha256:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was already used for a different request"
            )
        return Outcome(dict(record.result), None, replayed=True)

    def remembered(self, actor: Actor, key: str) -> dict[str, str] | None:
        """The result of the write this user made with this Idempotency-Key, if any."""
        record = self._find(IdempotencyRecord, idempotency_id(actor.name, key))
        return dict(record.result) if record else None

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
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
