"""Payment requests (支付审批) as they stand: each approver's queue (the pending requests they may
decide: in their subtree, at the level each escalated to, not their own, not run out), the
overdue ones an expiry run takes, and a fund's, a case's or a subtree's request history.

A request stands under its case's centre as it was requested, and is linked to the centres
whose users may check it (the centre it escalated to and its ancestors; none when only a user
of the whole tree may)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from domain.money import yuan
from domain.payment_requests import ApprovalLevel, PaymentRequest, RequestDecided, RequestStatus
from domain.vocabulary import AssistanceType
from projections.report_tables import upsert
from projections.view import REQUEST_EVENTS, Batch, View, every_event_but
from stores.sql import Cursor

COLUMNS = [
    "request_id",
    "position",
    "fund_id",
    "case_id",
    "centre_id",
    "assistance_type",
    "amount_fen",
    "reference",
    "requested_by",
    "requested_on",
    "valid_until",
    "level",
    "approver_centre_id",
    "status",
    "decided_by",
    "decided_on",
    "reason",
    "payment_id",
    "version",
]


class ApprovalsView(View):
    """One row per payment request, its case's centre path and the centres that may check it."""

    name = "approvals"
    handles = REQUEST_EVENTS
    ignores = every_event_but(REQUEST_EVENTS)
    tables: ClassVar[dict[str, str]] = {
        "requests": (
            "request_id TEXT PRIMARY KEY, position BIGINT NOT NULL, fund_id TEXT NOT NULL, "
            "case_id TEXT NOT NULL, centre_id TEXT NOT NULL, assistance_type TEXT NOT NULL, "
            "amount_fen BIGINT NOT NULL, reference TEXT NOT NULL, requested_by TEXT NOT NULL, "
            "requested_on TEXT NOT NULL, valid_until TEXT NOT NULL, level TEXT NOT NULL, "
            "approver_centre_id TEXT, status TEXT NOT NULL, decided_by TEXT, decided_on TEXT, "
            "reason TEXT NOT NULL, payment_id TEXT, version INTEGER NOT NULL, "
            "CHECK (amount_fen > 0)"
        ),
        "request_centres": (
            "ancestor_id TEXT NOT NULL, request_id TEXT NOT NULL, "
            "PRIMARY KEY (ancestor_id, request_id)"
        ),
        "request_checkers": (
            "centre_id TEXT NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (centre_id, request_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("requests", "position"),
        ("requests", "status, valid_until"),
        ("requests", "fund_id, position"),
        ("requests", "case_id, position"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        table = self.table("requests", generation)
        touched = {
            str(e.originator_id) for _, e in batch if not isinstance(e, PaymentRequest.Requested)
        }
        rows = self.rows_by_key(cursor, table, "request_id", touched)
        centres: list[tuple[str, str]] = []
        checkers: list[tuple[str, str]] = []
        for position, event in batch:
            f, rid = event.__dict__, str(event.originator_id)
            if isinstance(event, PaymentRequest.Requested):
                centres += [(str(c), rid) for c in f["centre_path"]]
                checkers += [(str(c), rid) for c in f["approver_path"]]
                rows[rid] = _new_row(rid, position, f)
            row = rows[rid]
            row["version"] = event.originator_version
            if isinstance(event, RequestDecided):
                row |= {
                    "status": event.status.value,
                    "decided_by": f["actor"],
                    "decided_on": f["business_date"].isoformat(),
                    "reason": f["reason"],
                }
            if isinstance(event, PaymentRequest.Approved):
                row["payment_id"] = str(f["payment_id"])
        upsert(
            self, cursor, table, "request_id", [{c: r[c] for c in COLUMNS} for r in rows.values()]
        )
        for base, links in (("request_centres", centres), ("request_checkers", checkers)):
            if links:
                cursor.executemany(
                    self.db.sql(
                        f"INSERT INTO {self.table(base, generation)} VALUES (%s, %s) "
                        "ON CONFLICT DO NOTHING"
                    ),
                    links,
                )


def _new_row(request_id: str, position: int, f: dict[str, Any]) -> dict[str, Any]:
    approvers = f["approver_path"]
    return {
        "request_id": request_id,
        "position": position,
        "fund_id": str(f["fund_id"]),
        "case_id": str(f["case_id"]),
        "centre_id": str(f["centre_id"]),
        "assistance_type": f["assistance_type"],
        "amount_fen": f["amount_fen"],
        "reference": f["reference"],
        "requested_by": f["actor"],
        "requested_on": f["business_date"].isoformat(),
        "valid_until": f["valid_until"].isoformat(),
        "level": f["level"],
        "approver_centre_id": str(approvers[-1]) if approvers else None,
        "status": RequestStatus.PENDING.value,
        "decided_by": None,
        "decided_on": None,
        "reason": "",
        "payment_id": None,
    }


def _page(
    view: ApprovalsView, where: str, params: list[Any], limit: int, after: str | None
) -> list[dict[str, Any]]:
    """The requests that match, in the order they were made; one page after ``after``."""
    table = view.table("requests", view.generation())
    if after is not None:
        where += f" AND r.position > (SELECT position FROM {table} WHERE request_id = %s)"
        params = [*params, after]
    rows = view.db.query(
        f"SELECT r.* FROM {table} r WHERE {where} ORDER BY r.position LIMIT %s", [*params, limit]
    )
    return [shown(r) for r in rows]


def _linked(view: ApprovalsView, links: str, column: str) -> str:
    g = view.generation()
    return f"r.request_id IN (SELECT request_id FROM {view.table(links, g)} WHERE {column} = %s)"


def queue(
    view: ApprovalsView,
    user: str,
    centre_id: str | None,
    as_of: date,
    limit: int = 50,
    after: str | None = None,
) -> list[dict[str, Any]]:
    """The pending requests a user (bound to ``centre_id``; None: the whole tree) may decide
    on ``as_of``: those escalated to their centre or below it, made by someone else, not run
    out; oldest first."""
    where = "r.status = %s AND r.valid_until >= %s AND r.requested_by <> %s"
    params: list[Any] = [RequestStatus.PENDING.value, as_of.isoformat(), user]
    if centre_id is not None:
        where += " AND " + _linked(view, "request_checkers", "centre_id")
        params.append(centre_id)
    return _page(view, where, params, limit, after)


def history(
    view: ApprovalsView,
    centre_id: str | None,
    fund_id: str | None = None,
    case_id: str | None = None,
    limit: int = 50,
    after: str | None = None,
) -> list[dict[str, Any]]:
    """The requests of a subtree (None: the whole tree), of one fund or one case if asked,
    whatever became of them, in the order they were made."""
    where, params = "1 = 1", []
    if centre_id is not None:
        where += " AND " + _linked(view, "request_centres", "ancestor_id")
        params.append(centre_id)
    for column, value in (("fund_id", fund_id), ("case_id", case_id)):
        if value is not None:
            where += f" AND r.{column} = %s"
            params.append(value)
    return _page(view, where, params, limit, after)


def overdue(view: ApprovalsView, centre_id: str | None, as_of: date) -> list[str]:
    """The ids of the subtree's pending requests past their last day on ``as_of``."""
    where, params = "r.status = %s AND r.valid_until < %s", [RequestStatus.PENDING.value]
    params.append(as_of.isoformat())
    if centre_id is not None:
        where += " AND " + _linked(view, "request_centres", "ancestor_id")
        params.append(centre_id)
    return [r["id"] for r in _page(view, where, params, 1_000_000, None)]


def shown(row: dict[str, Any]) -> dict[str, Any]:
    """A request's row as a reader sees it: yuan, labels in Chinese beside the values."""
    return {
        "id": row["request_id"],
        "fund_id": row["fund_id"],
        "case_id": row["case_id"],
        "centre_id": row["centre_id"],
        "assistance_type": row["assistance_type"],
        "assistance_type_zh": AssistanceType(row["assistance_type"]).zh,
        "amount": yuan(row["amount_fen"]),
        "reference": row["reference"],
        "requested_by": row["requested_by"],
        "requested_on": row["requested_on"],
        "valid_until": row["valid_until"],
        "level": row["level"],
        "level_zh": ApprovalLevel(row["level"]).zh,
        "approver_centre_id": row["approver_centre_id"],
        "status": row["status"],
        "status_zh": RequestStatus(row["status"]).zh,
        "decided_by": row["decided_by"],
        "decided_on": row["decided_on"],
        "reason": row["reason"],
        "payment_id": row["payment_id"],
    }
