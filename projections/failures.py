"""What a projector remembers of the views that cannot apply an event (``view_failures``)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from eventsourcing.domain import AggregateEvent
from eventsourcing.utils import get_topic

from projections.view import _FAILURE_COLUMNS, View, ViewFailure, record_failure
from stores.sql import SqlDatabase

log = logging.getLogger("bangfu.projections")


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
