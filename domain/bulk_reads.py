"""Reading many aggregates at once: a roster chunk's households, their payments and their bank
accounts in two queries (each one's newest snapshot, then its events after it), through the
store's recorder (stores/bulk_events.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from domain.writes import LedgerCore


class ReadsMany(Protocol):
    """A recorder that reads the stored streams of many aggregates in one go."""

    def select_streams(
        self, originator_ids: Sequence[UUID], snapshots: Any
    ) -> tuple[Sequence[StoredEvent], Sequence[StoredEvent]]:
        """The newest snapshot of each id (from the ``snapshots`` recorder, if any), and each
        id's events after its snapshot, in version order."""
        ...


class BulkReads(LedgerCore):
    """Loads the aggregates of many ids as last saved."""

    def _load_many(self, ids: Collection[UUID]) -> dict[UUID, Aggregate]:
        """The aggregates of ``ids`` that exist, each as last saved (a new copy)."""
        recorder = cast(ReadsMany, self.recorder)
        snapshots = self.snapshots.recorder if self.snapshots is not None else None
        snapped, events = recorder.select_streams(list(ids), snapshots)
        found: dict[Any, Any] = {}
        for stored in snapped:
            found[stored.originator_id] = self.mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
        for stored in events:
            event: Any = self.mapper.to_domain_event(stored)
            found[stored.originator_id] = event.mutate(found.get(stored.originator_id))
        for aggregate_id, aggregate in list(found.items()):
            if getattr(aggregate, "replay_without_snapshot", False):  # an older snapshot's shape
                found[aggregate_id] = self._load(aggregate_id)
        return {i: a for i, a in found.items() if a is not None}
