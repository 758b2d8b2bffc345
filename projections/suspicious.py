"""Suspicious payments (auditors): the facts of every payment that the checks weigh, kept per
payment and per household and judged by the local policy in force at its centre
(suspicious_standards.py), so that the findings, or those of any window or lateness applied
everywhere, are queries (suspicious_rules.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.cases import Case
from domain.centres import Centre
from domain.funds import Fund
from domain.payments import Payment
from domain.policy import Policy, PolicyBook
from projections.policy import SETTINGS
from projections.report_tables import (
    BOOKKEEPING,
    CLOSURE,
    add_up,
    closure_rows,
    insert_tree,
    upsert,
)
from projections.suspicious_facts import Before, counted, derive, made
from projections.suspicious_standards import load_book, record_settings
from projections.view import FUND_MOVEMENTS, POLICY_EVENTS, Batch, View
from stores.sql import Cursor


class SuspiciousView(View):
    """Each payment with its household's category when paid, how late it was recorded, the
    previous live payment of its kind to the household, whether it fell before filing or after
    closure, its reversals and what the policy in force finds of it; yearly totals per household
    and type with their standard; closures and reopenings; the settings of the policy."""

    name = "suspicious"
    handles = (
        Centre.Created,
        Case.Registered,
        Case.Reassessed,
        Case.Closed,
        Case.Reopened,
        Payment.Made,
        Payment.Reversed,
        Policy.ParameterSet,
        Policy.SettingWithdrawn,
    )
    ignores = (
        Case.Visited,
        Case.AssistanceReceived,  # the payment's own events say it, with its date and kind
        Case.AssistanceReversed,
        Case.PersonalDataErased,
        Fund.Opened,
        *FUND_MOVEMENTS,
        Policy.Started,  # each setting names its centre
        *(e for e in BOOKKEEPING if e not in POLICY_EVENTS),
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
            "prev_payment_id TEXT, prev_position BIGINT, gap_days INTEGER, "
            "late_found INTEGER NOT NULL, repeat_found INTEGER NOT NULL, "
            "above_cap INTEGER NOT NULL, schedule_id TEXT"
        ),
        "susp_reversals": "position BIGINT PRIMARY KEY, payment_id TEXT NOT NULL",
        # payments counted by lateness ("lag") and by days since the previous live payment of
        # their kind to the household ("gap"), and those the policy in force finds recorded
        # late ("late") or repeated ("repeat", both days 1), under each centre of their path
        # and over all ('*')
        "susp_days": (
            "kind TEXT NOT NULL, centre_id TEXT NOT NULL, days INTEGER NOT NULL, "
            "payments BIGINT NOT NULL, PRIMARY KEY (kind, centre_id, days)"
        ),
        "susp_years": (
            "case_id TEXT NOT NULL, assistance_type TEXT NOT NULL, year INTEGER NOT NULL, "
            "centre_id TEXT NOT NULL, category TEXT, total_fen BIGINT NOT NULL, "
            "first_position BIGINT NOT NULL, cap_fen BIGINT, above INTEGER NOT NULL, "
            "PRIMARY KEY (case_id, assistance_type, year)"
        ),
        "susp_settings": SETTINGS,
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
        ("susp_payments", "late_found, position"),
        ("susp_payments", "repeat_found, prev_position"),
        ("susp_payments", "above_cap, position"),
        ("susp_payments", "reversals, first_reversal"),
        ("susp_reversals", "payment_id"),
        ("susp_years", "above, first_position"),
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
        touched |= record_settings(self, cursor, t, batch)
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
        before: dict[str, Before] = {
            pid: (p["gap_days"], p["late_found"], p["repeat_found"]) for pid, p in payments.items()
        }
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
                payments[oid] = made(oid, position, event, cases.get(str(f["case_id"]), {}))
            elif isinstance(event, Payment.Reversed):
                paid = payments[oid]
                paid["reversals"] += 1
                paid["first_reversal"] = paid["first_reversal"] or position
                paid["live"] = 0
                reversals.append({"position": position, "payment_id": oid})
        book = load_book(cursor, t["susp_settings"]) if payments else PolicyBook([])
        years = derive(payments, statuses + new_statuses, cases, book)
        changes = counted(payments, before)
        add_up(self, cursor, t["susp_days"], ["kind", "centre_id", "days"], ["payments"], changes)
        if fewer := [key for *key, n in changes if n < 0]:
            cursor.executemany(
                self.db.sql(
                    f"DELETE FROM {t['susp_days']} "
                    "WHERE kind = %s AND centre_id = %s AND days = %s AND payments = 0"
                ),
                fewer,
            )
        insert_tree(self, cursor, t["susp_tree"], closure)
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
