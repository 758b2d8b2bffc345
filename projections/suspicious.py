"""Suspicious payments (auditors): the facts of every payment that the checks weigh, kept per
payment and per household, so that any window, lateness or standard applies at query time."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any, ClassVar

from eventsourcing.domain import AggregateEvent

from domain.cases import Case
from domain.centres import Centre
from domain.funds import Fund
from domain.payments import Payment
from domain.vocabulary import AssistanceType
from projections.report_tables import (
    BOOKKEEPING,
    CLOSURE,
    add_up,
    closure_rows,
    upsert,
)
from projections.view import FUND_MOVEMENTS, Batch, View
from stores.sql import Cursor

# the assistance types whose yearly total per household a standard caps
CAPPED_YEARLY = (AssistanceType.LIVING_RELIEF.value, AssistanceType.TEMPORARY_RELIEF.value)


class SuspiciousView(View):
    """Each payment with its household's category when paid, how late it was recorded, the
    previous live payment of its kind to the household, whether it fell before filing or after
    closure, and its reversals; yearly totals per household and type; closures and reopenings."""

    name = "suspicious"
    handles = (
        Centre.Created,
        Case.Registered,
        Case.Reassessed,
        Case.Closed,
        Case.Reopened,
        Payment.Made,
        Payment.Reversed,
    )
    ignores = (
        Case.Visited,
        Case.AssistanceReceived,  # the payment's own events say it, with its date and kind
        Case.AssistanceReversed,
        Case.PersonalDataErased,
        Fund.Opened,
        *FUND_MOVEMENTS,
        *BOOKKEEPING,
    )
    tables: ClassVar[dict[str, str]] = {
        "susp_tree": CLOSURE,
        "susp_cases": ("case_id TEXT PRIMARY KEY, filed_on TEXT, category TEXT"),
        "susp_status": (
            "case_id TEXT NOT NULL, position BIGINT NOT NULL, business_date TEXT NOT NULL, "
            "closed INTEGER NOT NULL, PRIMARY KEY (case_id, position)"
        ),
        "susp_payments": (
            "payment_id TEXT PRIMARY KEY, position BIGINT NOT NULL, case_id TEXT NOT NULL, "
            "centre_id TEXT NOT NULL, centre_path TEXT NOT NULL, assistance_type TEXT NOT NULL, "
            "amount_fen BIGINT NOT NULL, "
            "business_date TEXT NOT NULL, category TEXT, lag_days INTEGER NOT NULL, "
            "reversals INTEGER NOT NULL, first_reversal BIGINT, live INTEGER NOT NULL, "
            "filed_on TEXT, before_filing INTEGER NOT NULL, closed_on TEXT, "
            "prev_payment_id TEXT, prev_position BIGINT, gap_days INTEGER"
        ),
        "susp_reversals": "position BIGINT PRIMARY KEY, payment_id TEXT NOT NULL",
        # payments counted by lateness ("lag") and by days since the previous live payment of
        # their kind to the household ("gap"), under each centre of their path and over all ('*')
        "susp_days": (
            "kind TEXT NOT NULL, centre_id TEXT NOT NULL, days INTEGER NOT NULL, "
            "payments BIGINT NOT NULL, PRIMARY KEY (kind, centre_id, days)"
        ),
        "susp_years": (
            "case_id TEXT NOT NULL, assistance_type TEXT NOT NULL, year INTEGER NOT NULL, "
            "centre_id TEXT NOT NULL, category TEXT, total_fen BIGINT NOT NULL, "
            "first_position BIGINT NOT NULL, PRIMARY KEY (case_id, assistance_type, year)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("susp_payments", "case_id"),
        ("susp_payments", "position"),
        ("susp_payments", "lag_days, position"),
        ("susp_payments", "centre_id, position"),
        ("susp_payments", "centre_id, prev_position"),
        ("susp_payments", "centre_id, lag_days"),
        ("susp_payments", "gap_days, prev_position"),
        ("susp_payments", "prev_position"),
        ("susp_payments", "closed_on, position"),
        ("susp_payments", "before_filing, position"),
        ("susp_payments", "assistance_type, amount_fen"),
        ("susp_payments", "reversals, first_reversal"),
        ("susp_reversals", "payment_id"),
        ("susp_years", "assistance_type, total_fen"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        reversed_ids = {str(e.originator_id) for _, e in batch if isinstance(e, Payment.Reversed)}
        touched = {
            str(e.originator_id) for _, e in batch if isinstance(e, Case.Closed | Case.Reopened)
        }
        touched |= {str(e.__dict__["case_id"]) for _, e in batch if isinstance(e, Payment.Made)}
        touched |= {
            r["case_id"]
            for r in self.rows_by_key(
                cursor, t["susp_payments"], "payment_id", reversed_ids
            ).values()
        }
        payments = {
            r["payment_id"]: r for r in self.rows_in(cursor, t["susp_payments"], "case_id", touched)
        }
        statuses = self.rows_in(cursor, t["susp_status"], "case_id", touched)
        cases = self.rows_by_key(
            cursor,
            t["susp_cases"],
            "case_id",
            touched | {str(e.originator_id) for _, e in batch if isinstance(e, Case.Event)},
        )
        gaps_before = {pid: p["gap_days"] for pid, p in payments.items()}
        closure: list[tuple[str, str]] = []
        reversals: list[dict[str, Any]] = []
        new_statuses: list[dict[str, Any]] = []
        for position, event in batch:
            f, oid = event.__dict__, str(event.originator_id)
            if isinstance(event, Centre.Created):
                closure += closure_rows(event)
            elif isinstance(event, Case.Event):
                case = cases.setdefault(oid, {"case_id": oid, "filed_on": None, "category": None})
                if isinstance(event, Case.Registered):
                    case["filed_on"] = f["business_date"].isoformat()
                if isinstance(event, Case.Registered | Case.Reassessed):
                    case["category"] = f["category"]
                elif isinstance(event, Case.Closed | Case.Reopened):
                    status = {
                        "case_id": oid,
                        "position": position,
                        "business_date": f["business_date"].isoformat(),
                        "closed": int(isinstance(event, Case.Closed)),
                    }
                    new_statuses.append(status)
            elif isinstance(event, Payment.Made):
                payments[oid] = _made(oid, position, event, cases.get(str(f["case_id"]), {}))
            elif isinstance(event, Payment.Reversed):
                paid = payments[oid]
                paid["reversals"] += 1
                paid["first_reversal"] = paid["first_reversal"] or position
                paid["live"] = 0
                reversals.append({"position": position, "payment_id": oid})
        years = _derive(payments, statuses + new_statuses, cases)
        counted = _counted(payments, gaps_before)
        add_up(self, cursor, t["susp_days"], ["kind", "centre_id", "days"], ["payments"], counted)
        if fewer := [key for *key, n in counted if n < 0]:
            cursor.executemany(
                self.db.sql(
                    f"DELETE FROM {t['susp_days']} "
                    "WHERE kind = %s AND centre_id = %s AND days = %s AND payments = 0"
                ),
                fewer,
            )
        if closure:
            cursor.executemany(
                self.db.sql(f"INSERT INTO {t['susp_tree']} VALUES (%s, %s) ON CONFLICT DO NOTHING"),
                closure,
            )
        upsert(self, cursor, t["susp_cases"], "case_id", list(cases.values()))
        upsert(self, cursor, t["susp_status"], "case_id, position", new_statuses)
        upsert(self, cursor, t["susp_reversals"], "position", reversals)
        upsert(self, cursor, t["susp_payments"], "payment_id", list(payments.values()))
        cases_touched = sorted(touched)
        for start in range(0, len(cases_touched), 500):
            chunk = cases_touched[start : start + 500]
            cursor.execute(
                self.db.sql(
                    f"DELETE FROM {t['susp_years']} "
                    f"WHERE case_id IN ({', '.join(['%s'] * len(chunk))})"
                ),
                tuple(chunk),
            )
        upsert(self, cursor, t["susp_years"], "case_id, assistance_type, year", years)


def _counted(
    payments: dict[str, dict[str, Any]], gaps_before: dict[str, int | None]
) -> list[tuple[str, str, int, int]]:
    """How the counts of payments by lateness and by gap change: each new payment counts once
    by its lateness; a payment whose gap changed moves from one count to the other."""
    change: dict[tuple[str, str, int], int] = {}

    def count(kind: str, path: str, days: int | None, n: int) -> None:
        if days is not None:
            for key in ((kind, centre, days) for centre in (*path.split(","), "*")):
                change[key] = change.get(key, 0) + n

    for pid, p in payments.items():
        if pid not in gaps_before:
            count("lag", p["centre_path"], p["lag_days"], 1)
        if gaps_before.get(pid) != p["gap_days"]:
            count("gap", p["centre_path"], gaps_before.get(pid), -1)
            count("gap", p["centre_path"], p["gap_days"], 1)
    return [(*key, n) for key, n in change.items() if n]


def _made(
    payment_id: str, position: int, event: AggregateEvent, case: dict[str, Any]
) -> dict[str, Any]:
    """A new payment's row: the household's category as it stood when the payment was made."""
    f = event.__dict__
    day: date = f["business_date"]
    return {
        "payment_id": payment_id,
        "position": position,
        "case_id": str(f["case_id"]),
        "centre_id": str(f["centre_id"]),
        "centre_path": ",".join(str(c) for c in f["centre_path"]),
        "assistance_type": f["assistance_type"],
        "amount_fen": f["amount_fen"],
        "business_date": day.isoformat(),
        "category": case.get("category"),
        "lag_days": (event.timestamp.date() - day).days,
        "reversals": 0,
        "first_reversal": None,
        "live": 1,
        "filed_on": None,
        "before_filing": 0,
        "closed_on": None,
        "prev_payment_id": None,
        "prev_position": None,
        "gap_days": None,
    }


def _derive(
    payments: dict[str, dict[str, Any]],
    statuses: list[dict[str, Any]],
    cases: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Set what depends on a household's other events on each of its payments (filing,
    closure in force, the previous live payment of the kind); return its yearly totals."""
    by_case: dict[str, list[dict[str, Any]]] = {}
    for p in sorted(payments.values(), key=lambda p: p["position"]):
        by_case.setdefault(p["case_id"], []).append(p)
    changes: dict[str, list[tuple[str, bool]]] = {}
    for s in sorted(statuses, key=lambda s: (s["business_date"], s["position"])):
        changes.setdefault(s["case_id"], []).append((s["business_date"], bool(s["closed"])))
    years: dict[tuple[str, str, int], dict[str, Any]] = {}
    for case_id, paid in by_case.items():
        filed_on = cases.get(case_id, {}).get("filed_on")
        kinds: dict[str, list[dict[str, Any]]] = {}
        for p in paid:
            p["filed_on"] = filed_on
            p["before_filing"] = int(filed_on is not None and p["business_date"] < filed_on)
            closed_on = None
            for day, closed in changes.get(case_id, []):
                if day <= p["business_date"]:
                    closed_on = day if closed else None
            p["closed_on"] = closed_on
            p["prev_payment_id"] = p["prev_position"] = p["gap_days"] = None
            if p["live"]:
                kinds.setdefault(p["assistance_type"], []).append(p)
                if p["assistance_type"] in CAPPED_YEARLY:
                    _add_to_year(years, p)
        for same in kinds.values():
            same.sort(key=lambda p: (p["business_date"], p["position"]))
            for a, b in pairwise(same):
                gap = date.fromisoformat(b["business_date"]) - date.fromisoformat(
                    a["business_date"]
                )
                b["prev_payment_id"], b["prev_position"] = a["payment_id"], a["position"]
                b["gap_days"] = gap.days
    return list(years.values())


def _add_to_year(years: dict[tuple[str, str, int], dict[str, Any]], p: dict[str, Any]) -> None:
    """Payments come in log order: the first one's category is the year's."""
    key = (p["case_id"], p["assistance_type"], int(p["business_date"][:4]))
    year = years.setdefault(
        key,
        {
            "case_id": key[0],
            "assistance_type": key[1],
            "year": key[2],
            "centre_id": p["centre_id"],
            "category": p["category"],
            "total_fen": 0,
            "first_position": p["position"],
        },
    )
    year["total_fen"] += p["amount_fen"]
