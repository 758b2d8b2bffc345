"""Recurring subsidies (定期生活补助) by centre subtree: each schedule with what it has paid, the
months paid, and the schedules a month's run takes (active, and the month within their span
and not before their case's filing). A schedule stands under the centre its case had when it
was set up (its fund's subtree)."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.money import yuan
from domain.schedules import Schedule, span
from domain.vocabulary import AssistanceType
from projections.report_tables import upsert
from projections.view import SCHEDULE_EVENTS, Batch, View, every_event_but
from stores.sql import Cursor

COLUMNS = [
    "schedule_id",
    "position",
    "case_id",
    "centre_id",
    "fund_id",
    "assistance_type",
    "amount_fen",
    "start_month",
    "end_month",
    "first_due",
    "months",
    "set_on",
    "months_paid",
    "paid_fen",
    "last_paid_month",
    "stopped_on",
    "stop_reason",
    "version",
]


class SchedulesView(View):
    """One row per schedule as it stands, its months paid, and its centre with its ancestors."""

    name = "schedules"
    handles = SCHEDULE_EVENTS
    ignores = every_event_but(SCHEDULE_EVENTS)
    tables: ClassVar[dict[str, str]] = {
        "schedules": (
            "schedule_id TEXT PRIMARY KEY, position BIGINT NOT NULL, case_id TEXT NOT NULL, "
            "centre_id TEXT NOT NULL, fund_id TEXT NOT NULL, assistance_type TEXT NOT NULL, "
            "amount_fen BIGINT NOT NULL, start_month TEXT NOT NULL, end_month TEXT NOT NULL, "
            "first_due TEXT NOT NULL, months INTEGER NOT NULL, set_on TEXT NOT NULL, "
            "months_paid INTEGER NOT NULL, paid_fen BIGINT NOT NULL, last_paid_month TEXT, "
            "stopped_on TEXT, stop_reason TEXT NOT NULL, version INTEGER NOT NULL, "
            "CHECK (amount_fen > 0 AND paid_fen >= 0)"
        ),
        "schedule_months": (
            "schedule_id TEXT NOT NULL, month TEXT NOT NULL, payment_id TEXT NOT NULL, "
            "paid_on TEXT NOT NULL, PRIMARY KEY (schedule_id, month)"
        ),
        "schedule_centres": (
            "ancestor_id TEXT NOT NULL, schedule_id TEXT NOT NULL, "
            "PRIMARY KEY (ancestor_id, schedule_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("schedules", "position"),
        ("schedules", "case_id"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        table = self.table("schedules", generation)
        touched = {str(e.originator_id) for _, e in batch if not isinstance(e, Schedule.Set)}
        rows = self.rows_by_key(cursor, table, "schedule_id", touched)
        months: list[dict[str, Any]] = []
        links: list[tuple[str, str]] = []
        for position, event in batch:
            f, sid = event.__dict__, str(event.originator_id)
            if isinstance(event, Schedule.Set):
                links += [(str(c), sid) for c in f["centre_path"]]
                rows[sid] = _new_row(sid, position, f)
            row = rows[sid]
            row["version"] = event.originator_version
            day = f["business_date"].isoformat()
            if isinstance(event, Schedule.MonthPaid):
                row["months_paid"] += 1
                row["paid_fen"] += f["amount_fen"]
                row["last_paid_month"] = max(row["last_paid_month"] or "", f["month"])
                months.append(
                    {
                        "schedule_id": sid,
                        "month": f["month"],
                        "payment_id": str(f["payment_id"]),
                        "paid_on": day,
                    }
                )
            elif isinstance(event, Schedule.Stopped):
                row["stopped_on"], row["stop_reason"] = day, f["reason"]
        upsert(
            self, cursor, table, "schedule_id", [{c: r[c] for c in COLUMNS} for r in rows.values()]
        )
        upsert(
            self, cursor, self.table("schedule_months", generation), "schedule_id, month", months
        )
        if links:
            cursor.executemany(
                self.db.sql(
                    f"INSERT INTO {self.table('schedule_centres', generation)} VALUES (%s, %s) "
                    "ON CONFLICT DO NOTHING"
                ),
                links,
            )


def _new_row(schedule_id: str, position: int, f: dict[str, Any]) -> dict[str, Any]:
    """A schedule's row as it is set up, its months due as the schedule computes them."""
    first_due, end_month = span(f["start_month"], f["months"], f["filed_on"])
    return {
        "schedule_id": schedule_id,
        "position": position,
        "case_id": str(f["case_id"]),
        "centre_id": str(f["centre_id"]),
        "fund_id": str(f["fund_id"]),
        "assistance_type": f["assistance_type"],
        "amount_fen": f["amount_fen"],
        "start_month": f["start_month"],
        "end_month": end_month,
        "first_due": first_due,
        "months": f["months"],
        "set_on": f["business_date"].isoformat(),
        "months_paid": 0,
        "paid_fen": 0,
        "last_paid_month": None,
        "stopped_on": None,
        "stop_reason": "",
    }


def _scope(view: SchedulesView, g: int, centre_id: str | None) -> tuple[str, list[Any]]:
    if centre_id is None:
        return "1 = 1", []
    return (
        f"s.schedule_id IN (SELECT schedule_id FROM {view.table('schedule_centres', g)} "
        "WHERE ancestor_id = %s)",
        [centre_id],
    )


def due(view: SchedulesView, centre_id: str | None, month: str) -> list[str]:
    """The ids of the subtree's active schedules the month is due on (paid already or not),
    in the order they were set up: what a run of the month takes."""
    g = view.generation()
    where, params = _scope(view, g, centre_id)
    rows = view.db.query(
        f"SELECT s.schedule_id FROM {view.table('schedules', g)} s WHERE {where} "
        "AND s.stopped_on IS NULL AND s.first_due <= %s AND s.end_month >= %s "
        "ORDER BY s.position",
        [*params, month, month],
    )
    return [r["schedule_id"] for r in rows]


def listing(
    view: SchedulesView,
    centre_id: str | None,
    month: str | None = None,
    limit: int = 50,
    after: str | None = None,
) -> list[dict[str, Any]]:
    """The subtree's schedules in the order they were set up (those whose span holds
    ``month``, with whether it was paid, when one is given); a page after the schedule
    ``after``."""
    g = view.generation()
    where, params = _scope(view, g, centre_id)
    table, paid = view.table("schedules", g), view.table("schedule_months", g)
    if month is not None:
        where += " AND s.start_month <= %s AND s.end_month >= %s"
        params += [month, month]
    if after is not None:
        where += f" AND s.position > (SELECT position FROM {table} WHERE schedule_id = %s)"
        params.append(after)
    rows = view.db.query(
        f"SELECT s.*, m.payment_id AS month_payment_id FROM {table} s "
        f"LEFT JOIN {paid} m ON m.schedule_id = s.schedule_id AND m.month = %s "
        f"WHERE {where} ORDER BY s.position LIMIT %s",
        [month or "", *params, limit],
    )
    return [_shown(r, month) for r in rows]


def _shown(row: dict[str, Any], month: str | None) -> dict[str, Any]:
    return {
        "id": row["schedule_id"],
        "case_id": row["case_id"],
        "centre_id": row["centre_id"],
        "fund_id": row["fund_id"],
        "assistance_type": row["assistance_type"],
        "assistance_type_zh": AssistanceType(row["assistance_type"]).zh,
        "monthly": yuan(row["amount_fen"]),
        "start_month": row["start_month"],
        "end_month": row["end_month"],
        "first_due_month": row["first_due"],
        "months": row["months"],
        "months_paid": row["months_paid"],
        "paid": yuan(row["paid_fen"]),
        "last_paid_month": row["last_paid_month"],
        "active": row["stopped_on"] is None,
        "stopped_on": row["stopped_on"],
        "stop_reason": row["stop_reason"],
        "month_paid": None if month is None else row["month_payment_id"] is not None,
    }
