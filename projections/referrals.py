"""Referrals (转介) by centre subtree: those still open on a day, with their age in days, and
the referrals of a period counted by channel and by where each stands now. A referral stands
under its case's current centre: a transfer (转档) moves the case's referrals with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from eventsourcing.domain import DomainEvent

from domain.cases import Case
from domain.centres import Centre
from domain.funds import Fund
from domain.money import yuan
from domain.referrals import OutcomeNoted, Referral
from domain.vocabulary import ReferralChannel, ReferralDecision, ReferralStatus
from projections.report_tables import upsert
from projections.view import (
    CASE_EVENTS,
    FUND_MOVEMENTS,
    OUTSIDE_CASES_AND_FUNDS,
    REFERRAL_EVENTS,
    Batch,
    View,
)
from stores.sql import Cursor

# what the view reads: the referrals' own events, and a transfer (转档), which moves them
HANDLED: tuple[type[DomainEvent], ...] = (*REFERRAL_EVENTS, Case.Transferred)

COLUMNS = [
    "referral_id",
    "case_id",
    "number",
    "centre_id",
    "channel",
    "receiving_body",
    "referred_on",
    "status",
    "decision",
    "amount_fen",
    "decided_on",
    "withdrawn_on",
    "follow_ups",
    "last_follow_up_on",
    "version",
]


class ReferralsView(View):
    """One row per referral as it stands, and its case's current centre with its ancestors."""

    name = "referrals"
    handles = HANDLED
    ignores = (
        Centre.Created,  # a referral carries its case's centre path
        Fund.Opened,
        *FUND_MOVEMENTS,
        *CASE_EVENTS,  # a referral outlives its case's closure: it stays open until answered
        *(e for e in OUTSIDE_CASES_AND_FUNDS if e not in HANDLED),
    )
    tables: ClassVar[dict[str, str]] = {
        "referrals": (
            "referral_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, number INTEGER NOT NULL, "
            "centre_id TEXT NOT NULL, channel TEXT NOT NULL, receiving_body TEXT NOT NULL, "
            "referred_on TEXT NOT NULL, status TEXT NOT NULL, decision TEXT, amount_fen BIGINT, "
            "decided_on TEXT, withdrawn_on TEXT, follow_ups INTEGER NOT NULL, "
            "last_follow_up_on TEXT, version INTEGER NOT NULL, "
            "CHECK (amount_fen IS NULL OR amount_fen > 0)"
        ),
        "referral_centres": (
            "ancestor_id TEXT NOT NULL, referral_id TEXT NOT NULL, "
            "PRIMARY KEY (ancestor_id, referral_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("referrals", "referred_on, referral_id"),
        ("referrals", "status, referred_on"),
        ("referrals", "case_id"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        table = self.table("referrals", generation)
        touched = {
            str(e.originator_id)
            for _, e in batch
            if not isinstance(e, Referral.Made | Case.Transferred)
        }
        rows = self.rows_by_key(cursor, table, "referral_id", touched)
        placed: dict[str, list[str]] = {}  # referral -> its centre path, where it changed
        for _, event in batch:
            f, rid = event.__dict__, str(event.originator_id)
            if isinstance(event, Case.Transferred):
                path = [str(c) for c in f["centre_path"]]
                for row in self._referrals_of(cursor, table, rid, rows):
                    row["centre_id"] = path[-1]
                    placed[row["referral_id"]] = path
                continue
            day: str = f["business_date"].isoformat()
            if isinstance(event, Referral.Made):
                placed[rid] = [str(c) for c in f["centre_path"]]
                rows[rid] = {
                    "referral_id": rid,
                    "case_id": str(f["case_id"]),
                    "number": f["number"],
                    "centre_id": str(f["centre_id"]),
                    "channel": f["channel"],
                    "receiving_body": f["receiving_body"],
                    "referred_on": day,
                    "status": ReferralStatus.OPEN.value,
                    "decision": None,
                    "amount_fen": None,
                    "decided_on": None,
                    "withdrawn_on": None,
                    "follow_ups": 0,
                    "last_follow_up_on": None,
                }
            row = rows[rid]
            row["version"] = event.originator_version
            if isinstance(event, OutcomeNoted):
                row |= {
                    "status": ReferralStatus.DECIDED.value,
                    "decision": f["decision"],
                    "amount_fen": f["amount_fen"],
                    "decided_on": day,
                }
            elif isinstance(event, Referral.FollowedUp):
                row["follow_ups"] += 1
                row["last_follow_up_on"] = max(row["last_follow_up_on"] or "", day)
            elif isinstance(event, Referral.Withdrawn):
                row |= {"status": ReferralStatus.WITHDRAWN.value, "withdrawn_on": day}
        upsert(
            self, cursor, table, "referral_id", [{c: r[c] for c in COLUMNS} for r in rows.values()]
        )
        self._place(cursor, self.table("referral_centres", generation), placed)

    def _referrals_of(
        self, cursor: Cursor, table: str, case_id: str, rows: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The case's referrals: those stored (read once into ``rows``) and those this batch
        made, each as it stands in ``rows``."""
        for stored in self.rows_in(cursor, table, "case_id", [case_id]):
            rows.setdefault(stored["referral_id"], stored)
        return [row for row in rows.values() if row["case_id"] == case_id]

    def _place(self, cursor: Cursor, links: str, placed: dict[str, list[str]]) -> None:
        """Link each referral whose centre changed to its centre and the centre's ancestors
        alone (a transferred case's referrals leave the old subtree)."""
        ids = sorted(placed)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                self.db.sql(f"DELETE FROM {links} WHERE referral_id IN ({marks})"), tuple(chunk)
            )
        if placed:
            cursor.executemany(
                self.db.sql(f"INSERT INTO {links} VALUES (%s, %s) ON CONFLICT DO NOTHING"),
                [(c, rid) for rid, path in placed.items() for c in path],
            )


def _in_subtree(view: ReferralsView, g: int, centre_id: str | None) -> tuple[str, list[Any]]:
    if centre_id is None:
        return "1 = 1", []
    return (
        f"r.referral_id IN (SELECT referral_id FROM {view.table('referral_centres', g)} "
        "WHERE ancestor_id = %s)",
        [centre_id],
    )


def open_referrals(
    view: ReferralsView,
    centre_id: str | None,
    as_of: date,
    limit: int = 50,
    after: str | None = None,
) -> list[dict[str, Any]]:
    """The referrals of the subtree open on ``as_of`` (made by then, not answered or withdrawn
    by then), oldest first, each with its age in days; one page after the referral ``after``."""
    g = view.generation()
    table = view.table("referrals", g)
    where, params = _in_subtree(view, g, centre_id)
    day = as_of.isoformat()
    where += (
        " AND r.referred_on <= %s AND (r.decided_on IS NULL OR r.decided_on > %s)"
        " AND (r.withdrawn_on IS NULL OR r.withdrawn_on > %s)"
    )
    params += [day, day, day]
    if after is not None:
        last = view.db.one(f"SELECT referred_on FROM {table} WHERE referral_id = %s", [after])
        if last is not None:
            where += " AND (r.referred_on > %s OR (r.referred_on = %s AND r.referral_id > %s))"
            params += [last["referred_on"], last["referred_on"], after]
    rows = view.db.query(
        f"SELECT r.* FROM {table} r WHERE {where} ORDER BY r.referred_on, r.referral_id LIMIT %s",
        [*params, limit],
    )
    return [_open_row(r, as_of) for r in rows]


def _open_row(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    referred_on = date.fromisoformat(row["referred_on"])
    return {
        "id": row["referral_id"],
        "case_id": row["case_id"],
        "number": row["number"],
        "centre_id": row["centre_id"],
        "channel": row["channel"],
        "channel_zh": ReferralChannel(row["channel"]).zh,
        "receiving_body": row["receiving_body"],
        "referred_on": row["referred_on"],
        "age_days": (as_of - referred_on).days,
        "follow_ups": row["follow_ups"],
        "last_follow_up_on": row["last_follow_up_on"],
    }


@dataclass(frozen=True)
class Period:
    """The days whose referrals are counted (either end may be open)."""

    date_from: date | None = None
    date_to: date | None = None


_COUNTED = [
    ("open", f"r.status = '{ReferralStatus.OPEN.value}'"),
    *(
        (d.value, f"r.status = '{ReferralStatus.DECIDED.value}' AND r.decision = '{d.value}'")
        for d in ReferralDecision
    ),
    ("withdrawn", f"r.status = '{ReferralStatus.WITHDRAWN.value}'"),
]
COUNTS = ["made"] + [name for name, _ in _COUNTED]
"""The counts of a row of the statistics: made, open, each decision, withdrawn."""


def statistics(view: ReferralsView, centre_id: str | None, period: Period) -> dict[str, Any]:
    """Per channel, the subtree's referrals made in the period, counted by where each stands
    now (open, accepted, partly accepted, refused, withdrawn), with the amount granted; and
    the rows added up (``total``)."""
    g = view.generation()
    where, params = _in_subtree(view, g, centre_id)
    for bound, op in ((period.date_from, ">="), (period.date_to, "<=")):
        if bound is not None:
            where += f" AND r.referred_on {op} %s"
            params.append(bound.isoformat())
    sums = ", ".join(
        f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}" for name, cond in _COUNTED
    )
    found = {
        r["channel"]: {name: int(r[name]) for name in COUNTS} | {"fen": int(r["granted_fen"])}
        for r in view.db.query(
            f"SELECT r.channel, COUNT(*) AS made, {sums}, "
            f"COALESCE(SUM(r.amount_fen), 0) AS granted_fen "
            f"FROM {view.table('referrals', g)} r WHERE {where} GROUP BY r.channel",
            params,
        )
    }
    rows = [(c, found[c.value]) for c in ReferralChannel if c.value in found]
    total = {name: sum(n[name] for _, n in rows) for name in COUNTS}
    return {
        "rows": [
            {"channel": c.value, "channel_zh": c.zh, **{k: n[k] for k in COUNTS}}
            | {"granted": yuan(n["fen"])}
            for c, n in rows
        ],
        "total": total | {"granted": yuan(sum(n["fen"] for _, n in rows))},
    }
