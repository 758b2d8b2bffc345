"""What a projector remembers of the views that cannot apply an event (``view_failures``)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing.domain import AggregateEvent
from eventsourcing.utils import get_topic

from projections.view import View
from stores.sql import SqlDatabase

log = logging.getLogger("bangfu.projections")


@dataclass(frozen=True)
class ViewFailure:
    """An event a view cannot apply; the view stopped just before it (table view_failures)."""

    view: str
    position: int  # the event's log position
    topic: str
    originator_id: str
    originator_version: int
    error: str
    failed_at: str  # when it first failed there (ISO 8601, UTC)
    tried_at: str  # when it was last tried

    def describe(self) -> str:
        return (
            f"it cannot apply the event at log position {self.position} ({self.topic} of "
            f"{self.originator_id}, version {self.originator_version}): {self.error}"
        )


_FAILURE_COLUMNS = (
    "view, position, topic, originator_id, originator_version, error, failed_at, tried_at"
)


def record_failure(db: SqlDatabase, table: str, failure: ViewFailure) -> None:
    """Keep the failure in the failures table; when the view fails at the same position
    again, its first failure time stays."""
    with db.transaction() as cursor:
        cursor.execute(
            db.sql(
                f"INSERT INTO {table} ({_FAILURE_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (view) DO UPDATE SET "
                "position = excluded.position, topic = excluded.topic, "
                "originator_id = excluded.originator_id, "
                "originator_version = excluded.originator_version, error = excluded.error, "
                f"failed_at = CASE WHEN {table}.position = excluded.position "
                f"THEN {table}.failed_at ELSE excluded.failed_at END, "
                "tried_at = excluded.tried_at"
            ),
            tuple(getattr(failure, f) for f in _FAILURE_COLUMNS.split(", ")),
        )


class FailureRecords:
    """The failure table of a projector: read, and written when a view stops at an event."""

    db: SqlDatabase
    failure_table: str
    retry_seconds: float
    views: list[View]
    _tried: dict[str, float]

    def failures(self) -> dict[str, ViewFailure]:
        """The views (of this projector) stopped at an event they cannot apply."""
        names = {view.name for view in self.views}
        rows = self.db.query(f"SELECT {_FAILURE_COLUMNS} FROM {self.failure_table}")
        return {r["view"]: ViewFailure(**r) for r in rows if r["view"] in names}

    def failure(self, name: str) -> ViewFailure | None:
        row = self.db.one(
            f"SELECT {_FAILURE_COLUMNS} FROM {self.failure_table} WHERE view = %s", (name,)
        )
        return ViewFailure(**row) if row else None

    def _failed(
        self, view: View, key: str, position: int, event: AggregateEvent, error: Exception
    ) -> ViewFailure:
        """Record that the view cannot apply the event (unless this is a rebuild's key)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        failure = ViewFailure(
            view=view.name,
            position=position,
            topic=get_topic(type(event)),
            originator_id=str(event.originator_id),
            originator_version=event.originator_version,
            error=" ".join(f"{type(error).__name__}: {error}".split())[:2000],
            failed_at=now,
            tried_at=now,
        )
        if key != view.name:
            return failure
        record_failure(self.db, self.failure_table, failure)
        again = view.name in self._tried
        self._tried[view.name] = time.monotonic()
        (log.warning if again else log.error)(
            "the %s view stopped before log position %d: %s; other views go on, and it is tried "
            "again in %g s",
            view.name,
            position,
            failure.describe(),
            self.retry_seconds,
            exc_info=not again,
        )
        return failure
