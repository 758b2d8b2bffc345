"""What a command is given, what it changes and what its caller is answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from eventsourcing.domain import Aggregate

from domain.access import Actor
from domain.results import Result

R = TypeVar("R", bound=Result)


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
