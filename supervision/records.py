"""Events as plain records, read straight from their stored JSON: the same from the live store and
from an audit package, so every report and every recomputation runs on one code path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

from domain.application import Ledger
from domain.catalogue import kind
from stores.log import LogReader

Record = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            data = value["_data_"]
            return str(UUID(data)) if value["_type_"] == "uuid_hex" else data
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def is_(r: Record, *event_classes: type[DomainEvent]) -> bool:
    """Whether a record is an event of one of these classes (named by class, never by string)."""
    return any(r["kind"] == kind(c) for c in event_classes)


def of(r: Record, aggregate: type) -> bool:
    """Whether a record is an event of this kind of aggregate."""
    return str(r["kind"]).startswith(f"{aggregate.__name__}.")


def short(r: Record) -> str:
    """The event's short name ("Disbursed"), as figures in a package are keyed."""
    return str(r["kind"]).split(".", 1)[1]


def record(
    position: int, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> Record:
    """One stored event as a flat record: position, topic, kind ("Fund.Disbursed"; an event's own
    field named ``kind`` takes its place), id and fields."""
    fields = _plain(json.loads(state))
    fields.pop("originator_topic", None)
    return {
        "position": position,
        "topic": topic,
        "kind": topic.split(":", 1)[1],
        "id": str(UUID(str(originator_id))),
        "version": version,
        "recorded_at": fields.pop("timestamp"),
        **fields,
    }


def from_ledger(ledger: Ledger, upto: int | None = None) -> Iterator[Record]:
    """Every event of the store in commit order (up to a position)."""
    for e in LogReader(ledger, page_size=2000).entries(upto=upto):
        assert e.topic is not None and e.state is not None
        yield record(e.position, e.originator_id, e.originator_version or 0, e.topic, e.state)
