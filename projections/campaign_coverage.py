"""What the campaigns view answers: the campaigns of a subtree, and a campaign's coverage per
centre (households on its roster visited, paid, both, neither; exceptions with their reasons),
its budget used, and the households not reached, live and as they stood at its close."""

from __future__ import annotations

import json
from typing import Any

from domain.campaign_terms import ExceptionReason
from domain.money import yuan
from domain.vocabulary import CampaignKind
from projections.campaigns import CLOSED, COUNTED, CampaignsView
from projections.report_tables import Reader, in_subtree, reading

COUNTS = ("households", "visited", "paid", "both", "neither", "exceptions")


def campaigns(
    view: CampaignsView, scope: str | None, status: str | None = None
) -> list[dict[str, Any]]:
    """The campaigns a reader of the subtree takes part in: those at its centre or below it,
    and those above it (its households are on their rosters); newest window first."""
    with reading(view) as read:
        rows = read.rows(f"SELECT * FROM {read.table('cmp_campaigns')}")
        path = _path(read, scope) if scope else []
        below = _below(read, scope) if scope else set()
    found = [
        _campaign(r)
        for r in rows
        if (scope is None or r["centre_id"] in path or r["centre_id"] in below)
        and (status is None or r["status"] == status)
    ]
    return sorted(found, key=lambda c: (c["starts_on"], c["id"]), reverse=True)


def coverage(view: CampaignsView, campaign_id: str, scope: str | None) -> dict[str, Any] | None:
    """The campaign's coverage within the subtree asked (its whole roster for None): per
    centre and in total; the households not reached, each with its reason if one is recorded;
    every exception; the budget used (payments net of reversals); the counts at its close."""
    with reading(view) as read:
        rows = read.rows(
            f"SELECT * FROM {read.table('cmp_campaigns')} WHERE campaign_id = %s", [campaign_id]
        )
        if not rows:
            return None
        roster = read.table("cmp_roster")
        where, params = "r.campaign_id = %s", [campaign_id]
        if scope is not None:
            where += " AND " + in_subtree("r.centre_id", read.table("cmp_centres"))
            params.append(scope)
        names = f"LEFT JOIN {read.table('cmp_centre_names')} n ON n.centre_id = r.centre_id"
        centres = read.rows(
            f"SELECT r.centre_id, n.name AS centre_name, {COUNTED} FROM {roster} r {names} "
            f"WHERE {where} GROUP BY r.centre_id, n.name ORDER BY n.name, r.centre_id",
            params,
        )
        households = read.rows(
            f"SELECT r.case_id, r.centre_id, n.name AS centre_name, r.visits, r.paid_fen, "
            f"r.exception, r.exception_note FROM {roster} r {names} "
            f"WHERE {where} AND (r.exception IS NOT NULL OR (r.visits = 0 AND r.paid_fen <= 0)) "
            "ORDER BY n.name, r.case_id",
            params,
        )
        campaign = _campaign(rows[0])
    per_centre = [_counted(c) for c in centres]
    total = {k: sum(c[k] for c in per_centre) for k in COUNTS}
    total["paid_amount"] = yuan(sum(int(c["paid_fen"] or 0) for c in centres))
    unreached = [_household(h) for h in households if h["visits"] == 0 and h["paid_fen"] <= 0]
    return {
        "campaign": campaign,
        "centres": per_centre,
        "total": total,
        "unreached": unreached,
        "unreached_without_reason": sum(1 for h in unreached if h["reason"] is None),
        "exceptions": [_household(h) for h in households if h["exception"] is not None],
    }


def campaign_of(view: CampaignsView, campaign_id: str) -> dict[str, Any] | None:
    """The campaign as the view holds it (None before the view has seen it)."""
    table = view.table("cmp_campaigns", view.generation())
    row = view.db.one(f"SELECT * FROM {table} WHERE campaign_id = %s", [campaign_id])
    return _campaign(row) if row else None


def unreached_cases(view: CampaignsView, campaign_id: str) -> list[str]:
    """The case ids of the campaign's whole roster neither visited nor paid (closing asks)."""
    table = view.table("cmp_roster", view.generation())
    rows = view.db.query(
        f"SELECT case_id FROM {table} WHERE campaign_id = %s AND visits = 0 AND paid_fen <= 0 "
        "ORDER BY case_id",
        [campaign_id],
    )
    return [r["case_id"] for r in rows]


def _path(read: Reader, centre: str) -> set[str]:
    rows = read.rows(
        f"SELECT ancestor_id FROM {read.table('cmp_centres')} WHERE centre_id = %s", [centre]
    )
    return {r["ancestor_id"] for r in rows}


def _below(read: Reader, centre: str) -> set[str]:
    rows = read.rows(
        f"SELECT centre_id FROM {read.table('cmp_centres')} WHERE ancestor_id = %s", [centre]
    )
    return {r["centre_id"] for r in rows}


def _campaign(r: dict[str, Any]) -> dict[str, Any]:
    kind = CampaignKind(r["kind"])
    at_close = json.loads(r["at_close"]) if r["at_close"] else None
    if at_close is not None:
        at_close = {k: at_close[k if k != "both" else "both_"] for k in COUNTS} | {
            "paid_amount": yuan(at_close["paid_fen"]),
            "spent": yuan(at_close["spent_fen"]),
        }
    budget, spent = int(r["budget_fen"]), int(r["spent_fen"])
    return {
        "id": r["campaign_id"],
        "centre_id": r["centre_id"],
        "kind": kind.value,
        "kind_zh": kind.zh,
        "name": r["name"],
        "starts_on": r["starts_on"],
        "ends_on": r["ends_on"],
        "status": r["status"],
        "status_zh": "已结束" if r["status"] == CLOSED else "进行中",
        "opened_on": r["opened_on"],
        "closed_on": r["closed_on"],
        "fund_ids": r["fund_ids"].split(","),
        "budget": yuan(budget),
        "spent": yuan(spent),
        "left": yuan(budget - spent),
        "standards": {k: yuan(v) for k, v in json.loads(r["standards"]).items()},
        "cap": None if r["cap_fen"] is None else yuan(int(r["cap_fen"])),
        "at_close": at_close,
    }


def _counted(row: dict[str, Any]) -> dict[str, Any]:
    counts = {k: int(row[k if k != "both" else "both_"] or 0) for k in COUNTS}
    return (
        {"centre_id": row["centre_id"], "centre_name": row["centre_name"]}
        | counts
        | {"paid_amount": yuan(int(row["paid_fen"] or 0))}
    )


def _household(h: dict[str, Any]) -> dict[str, Any]:
    reason = ExceptionReason(h["exception"]) if h["exception"] else None
    return {
        "case_id": h["case_id"],
        "centre_id": h["centre_id"],
        "centre_name": h["centre_name"],
        "visited": h["visits"] > 0,
        "paid": int(h["paid_fen"]) > 0,
        "reason": reason.value if reason else None,
        "reason_zh": reason.zh if reason else None,
        "note": h["exception_note"],
    }
