"""Events as plain records, read straight from their stored JSON: the same from the live store and
from an audit package, so every report and every recomputation runs on one code path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from domain.application import Ledger

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


def record(
    position: int, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> Record:
    """One stored event as a flat record: position, kind ("Fund.Disbursed"), id and fields."""
    fields = _plain(json.loads(state))
    fields.pop("originator_topic", None)
    return {
        "position": position,
        "kind": topic.split(":", 1)[1],
        "id": str(UUID(str(originator_id))),
        "version": version,
        "recorded_at": fields.pop("timestamp"),
        **fields,
    }


def from_ledger(ledger: Ledger, page: int = 2000) -> Iterator[Record]:
    """Every event of the store in commit order."""
    position: int | None = None
    while True:
        rows = ledger.recorder.select_notifications(position, page, inclusive_of_start=False)
        for n in rows:
            yield record(n.id, n.originator_id, n.originator_version, n.topic, n.state)
        if len(rows) < page:
            return
        position = rows[-1].id
