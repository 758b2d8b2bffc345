"""What the approvals page and the funds pages share: the money each fund holds for payment
requests awaiting approval (预留), read from the approvals view as GET /payment-requests reads
it, and a request's row as the pages show it (its fund, its age, its level)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from domain.money import parse_yuan
from domain.payment_requests import RequestStatus
from projections import Views, approvals
from projections.fund_reports import list_funds

EVERY_ROW = 1_000_000  # the requests of one subtree: all of them


def reserved_by_fund(views: Views, scope: str | None) -> dict[str, int]:
    """Per fund of the subtree (None: the whole tree), the fen its pending requests hold: a
    fund's available balance is its balance less this (Fund.available_fen)."""
    held: dict[str, int] = defaultdict(int)
    for row in approvals.history(views.approvals, scope, limit=EVERY_ROW):
        if row["status"] == RequestStatus.PENDING.value:
            held[row["fund_id"]] += parse_yuan(row["amount"])
    return dict(held)


def fund_names(views: Views, scope: str | None) -> dict[str, str]:
    """The names of the funds of the subtree (a fund above it is shown by its short id)."""
    return {r["fund_id"]: r["name"] for r in list_funds(views.funds, scope, None, EVERY_ROW)}


def request_rows(
    rows: list[dict[str, Any]], names: dict[str, str], today: date
) -> list[dict[str, Any]]:
    """The view's rows of requests with what a page shows beside them: the amount in fen, the
    fund's name, and the age in days since the request's business date."""
    return [
        r
        | {
            "amount_fen": parse_yuan(r["amount"]),
            "fund_name": names.get(r["fund_id"], r["fund_id"][:8]),
            "age_days": (today - date.fromisoformat(r["requested_on"])).days,
        }
        for r in rows
    ]
