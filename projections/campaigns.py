"""Campaigns (两节送温暖, 金秋助学 ...): each campaign's roster and what reached each household.

The roster is derived here from the log, in log order, so a rebuild derives the same one: at a
campaign's opening, every active archive of its centre's subtree filed by the window's end; while
it is open, every archive filed (建档), reopened (返困) or transferred in (转档) within the subtree
with a business date on or before the window's end. Visits and payments linked to the campaign
mark its households visited and paid (net of reversals); exceptions carry their reasons; at its
close the counts are kept as they stood. The queries are in projections/campaign_coverage.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from domain.campaigns import Campaign
from domain.cases import Case
from domain.centres import Centre
from domain.payments import Payment
from domain.vocabulary import CaseStatus
from projections.report_tables import CLOSURE, closure_rows, in_subtree, insert_tree, upsert
from projections.view import Batch, View, every_event_but
from stores.sql import Cursor

_JOINS = (Case.Registered, Case.Reopened, Case.Transferred)
_HANDLED = (
    Centre.Created,
    *_JOINS,
    Case.Closed,
    Case.Visited,
    Payment.Made,
    Payment.Reversed,
    Campaign.Opened,
    Campaign.ExceptionNoted,
    Campaign.Closed,
)
OPEN, CLOSED = "open", "closed"
COUNTED = (
    "COUNT(*) AS households, "
    "SUM(CASE WHEN visits > 0 THEN 1 ELSE 0 END) AS visited, "
    "SUM(CASE WHEN paid_fen > 0 THEN 1 ELSE 0 END) AS paid, "
    "SUM(CASE WHEN visits > 0 AND paid_fen > 0 THEN 1 ELSE 0 END) AS both_, "
    "SUM(CASE WHEN visits = 0 AND paid_fen <= 0 THEN 1 ELSE 0 END) AS neither, "
    "SUM(CASE WHEN exception IS NOT NULL THEN 1 ELSE 0 END) AS exceptions, "
    "COALESCE(SUM(paid_fen), 0) AS paid_fen"
)
"""The coverage counts of a set of roster rows (``both_``: both is a word SQL keeps)."""


class CampaignsView(View):
    """Campaigns, the archives they reach, each campaign's roster and its linked payments."""

    name = "campaigns"
    handles = _HANDLED
    ignores = every_event_but(_HANDLED)  # the campaign's own budget events: payments say it
    tables: ClassVar[dict[str, str]] = {
        "cmp_centres": CLOSURE,
        "cmp_centre_names": "centre_id TEXT PRIMARY KEY, name TEXT NOT NULL",
        "cmp_campaigns": (
            "campaign_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, kind TEXT NOT NULL, "
            "name TEXT NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, "
            "fund_ids TEXT NOT NULL, budget_fen BIGINT NOT NULL, spent_fen BIGINT NOT NULL, "
            "standards TEXT NOT NULL, cap_fen BIGINT, status TEXT NOT NULL, "
            "opened_on TEXT NOT NULL, closed_on TEXT, at_close TEXT"
        ),
        "cmp_cases": (
            "case_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, centre_path TEXT NOT NULL, "
            "status TEXT NOT NULL, filed_on TEXT NOT NULL"
        ),
        "cmp_roster": (
            "roster_key TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, case_id TEXT NOT NULL, "
            "centre_id TEXT NOT NULL, joined TEXT NOT NULL, visits INTEGER NOT NULL, "
            "last_visit_on TEXT, payments INTEGER NOT NULL, paid_fen BIGINT NOT NULL, "
            "exception TEXT, exception_note TEXT NOT NULL"
        ),
        "cmp_payments": (
            "payment_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, case_id TEXT NOT NULL, "
            "amount_fen BIGINT NOT NULL, reversed INTEGER NOT NULL"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("cmp_roster", "campaign_id, centre_id"),
        ("cmp_roster", "case_id"),
        ("cmp_cases", "centre_id, status"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        _Apply(self, cursor, generation, batch).run()


def roster_key(campaign_id: object, case_id: object) -> str:
    return f"{campaign_id}:{case_id}"


class _Apply:
    """One batch: the rows it touches, read once, changed in log order, written at the end (and
    before a campaign opens or closes, which read the tables)."""

    def __init__(self, view: CampaignsView, cursor: Cursor, g: int, batch: Batch) -> None:
        self.view, self.cursor, self.batch = view, cursor, [e for _, e in batch]
        self.t = {base: view.table(base, g) for base in view.tables}
        ids = _ids(self.batch)
        self.payments = view.rows_by_key(
            cursor, self.t["cmp_payments"], "payment_id", ids["payments"]
        )
        for p in self.payments.values():
            ids["roster"].add(roster_key(p["campaign_id"], p["case_id"]))
            ids["campaigns"].add(p["campaign_id"])
        self.cases = view.rows_by_key(cursor, self.t["cmp_cases"], "case_id", ids["cases"])
        self.roster = view.rows_by_key(cursor, self.t["cmp_roster"], "roster_key", ids["roster"])
        for row in view.rows_in(cursor, self.t["cmp_roster"], "case_id", ids["cases"]):
            self.roster.setdefault(row["roster_key"], row)
        table = self.t["cmp_campaigns"]
        cursor.execute(view.db.sql(f"SELECT * FROM {table} WHERE status = %s"), (OPEN,))
        self.campaigns = {r["campaign_id"]: dict(r) for r in cursor.fetchall()}
        self.campaigns |= view.rows_by_key(cursor, table, "campaign_id", ids["campaigns"])
        self.tree: list[tuple[str, str]] = []
        self.names: list[dict[str, Any]] = []
        self.dirty: dict[str, set[str]] = {k: set() for k in ("cases", "roster", "campaigns")}
        self.dirty["payments"] = set()

    def run(self) -> None:
        for event in self.batch:
            f, oid = event.__dict__, str(event.originator_id)
            if isinstance(event, Centre.Created):
                self.tree += closure_rows(event)
                self.names.append({"centre_id": oid, "name": f["name"]})
            elif isinstance(event, Campaign.Opened):
                self._opened(oid, f)
            elif isinstance(event, Campaign.ExceptionNoted):
                self._excuse(oid, str(f["case_id"]), f["reason"], f["note"])
            elif isinstance(event, Campaign.Closed):
                self._closed(oid, f)
            elif isinstance(event, Payment.Made | Payment.Reversed):
                self._money(event, oid, f)
            elif isinstance(event, Case.Visited):
                row = self._on_roster(f.get("campaign_id"), oid)
                if row is not None:
                    row["visits"] += 1
                    day = f["business_date"].isoformat()
                    row["last_visit_on"] = max(row["last_visit_on"] or "", day)
            else:
                self._case(event, oid, f)
        self._flush()

    # --- the archives and who joins a roster ------------------------------------------------
    def _case(self, event: Any, oid: str, f: dict[str, Any]) -> None:
        if isinstance(event, Case.Registered):
            self.cases[oid] = {"case_id": oid, "filed_on": f["business_date"].isoformat()}
        case = self.cases.get(oid)
        if case is None:  # an archive older than this view's tables cannot be: all are read
            return
        self.dirty["cases"].add(oid)
        if isinstance(event, Case.Closed):
            case["status"] = CaseStatus.CANCELLED.value  # exited or cancelled: off the roster
            return
        if not isinstance(event, Case.Transferred):
            case["status"] = CaseStatus.ACTIVE.value
        if "centre_path" in f:
            path = [str(c) for c in f["centre_path"]]
            case["centre_id"], case["centre_path"] = path[-1], ",".join(path)
            for campaign_id in self.campaigns:
                row = self._on_roster(campaign_id, oid)
                if row is not None:
                    row["centre_id"] = path[-1]
        if case["status"] == CaseStatus.ACTIVE.value:
            day, path = f["business_date"].isoformat(), case["centre_path"].split(",")
            for c in self.campaigns.values():
                if c["status"] == OPEN and day <= c["ends_on"] and c["centre_id"] in path:
                    self._join(c["campaign_id"], oid, case["centre_id"], _JOINED[type(event)])

    def _join(self, campaign_id: str, case_id: str, centre_id: str, how: str) -> None:
        key = roster_key(campaign_id, case_id)
        if key not in self.roster:
            self.roster[key] = {
                "roster_key": key, "campaign_id": campaign_id, "case_id": case_id,
                "centre_id": centre_id, "joined": how, "visits": 0, "last_visit_on": None,
                "payments": 0, "paid_fen": 0, "exception": None, "exception_note": "",
            }  # fmt: skip
            self.dirty["roster"].add(key)

    def _on_roster(self, campaign_id: object, case_id: str) -> dict[str, Any] | None:
        """The household's row on an open campaign's roster, to change (a closed campaign's
        roster stays as it was at the close)."""
        campaign = self.campaigns.get(str(campaign_id)) if campaign_id else None
        row = self.roster.get(roster_key(campaign_id, case_id)) if campaign else None
        if campaign is None or row is None or campaign["status"] != OPEN:
            return None
        self.dirty["roster"].add(row["roster_key"])
        return row

    # --- campaigns ----------------------------------------------------------------------------
    def _opened(self, oid: str, f: dict[str, Any]) -> None:
        ends_on = f["ends_on"].isoformat()
        self.campaigns[oid] = {
            "campaign_id": oid, "centre_id": str(f["centre_id"]), "kind": f["kind"],
            "name": f["name"], "starts_on": f["starts_on"].isoformat(), "ends_on": ends_on,
            "fund_ids": ",".join(str(i) for i in f["fund_ids"]), "budget_fen": f["budget_fen"],
            "spent_fen": 0, "standards": json.dumps(f["standards"], sort_keys=True),
            "cap_fen": f["cap_fen"], "status": OPEN,
            "opened_on": f["business_date"].isoformat(), "closed_on": None, "at_close": None,
        }  # fmt: skip
        self.dirty["campaigns"].add(oid)
        self._flush()  # the archives as they stand at this point of the log
        cases = self.t["cmp_cases"]
        where = in_subtree("centre_id", self.t["cmp_centres"])
        self.cursor.execute(
            self.view.db.sql(
                f"SELECT case_id, centre_id FROM {cases} "
                f"WHERE status = %s AND filed_on <= %s AND {where}"
            ),
            (CaseStatus.ACTIVE.value, ends_on, str(f["centre_id"])),
        )
        for row in self.cursor.fetchall():
            self._join(oid, row["case_id"], row["centre_id"], "opening")

    def _excuse(self, campaign_id: str, case_id: str, reason: str, note: str) -> None:
        row = self._on_roster(campaign_id, case_id)
        if row is not None:
            row["exception"], row["exception_note"] = reason, note

    def _closed(self, oid: str, f: dict[str, Any]) -> None:
        for u in f["unreached"]:
            self._excuse(oid, u["case_id"], u["reason"], u["note"])
        self._flush()  # the roster as it stands at the close
        self.cursor.execute(
            self.view.db.sql(
                f"SELECT {COUNTED} FROM {self.t['cmp_roster']} WHERE campaign_id = %s"
            ),
            (oid,),
        )
        counts = {k: int(v or 0) for k, v in dict(self.cursor.fetchone()).items()}
        campaign = self.campaigns[oid]
        counts["spent_fen"] = campaign["spent_fen"]
        campaign |= {"status": CLOSED, "closed_on": f["business_date"].isoformat()}
        campaign["at_close"] = json.dumps(counts, sort_keys=True)
        self.dirty["campaigns"].add(oid)

    def _money(self, event: Any, oid: str, f: dict[str, Any]) -> None:
        if isinstance(event, Payment.Made):
            if str(f.get("campaign_id")) not in self.campaigns:  # none, or none opened
                return
            paid = {"payment_id": oid, "campaign_id": str(f["campaign_id"]), "reversed": 0,
                    "case_id": str(f["case_id"]), "amount_fen": f["amount_fen"]}  # fmt: skip
            sign, self.payments[oid] = 1, paid
        elif oid in self.payments and not self.payments[oid]["reversed"]:
            sign, paid = -1, self.payments[oid]
            paid["reversed"] = 1
        else:
            return
        self.dirty["payments"].add(oid)
        campaign = self.campaigns[paid["campaign_id"]]
        campaign["spent_fen"] += sign * paid["amount_fen"]
        self.dirty["campaigns"].add(paid["campaign_id"])
        row = self._on_roster(paid["campaign_id"], paid["case_id"])
        if row is not None:
            row["payments"] += sign
            row["paid_fen"] += sign * paid["amount_fen"]

    def _flush(self) -> None:
        insert_tree(self.view, self.cursor, self.t["cmp_centres"], self.tree)
        upsert(self.view, self.cursor, self.t["cmp_centre_names"], "centre_id", self.names)
        self.tree, self.names = [], []
        for name, table, key, rows in (
            ("cases", "cmp_cases", "case_id", self.cases),
            ("roster", "cmp_roster", "roster_key", self.roster),
            ("campaigns", "cmp_campaigns", "campaign_id", self.campaigns),
            ("payments", "cmp_payments", "payment_id", self.payments),
        ):
            changed = [rows[k] for k in sorted(self.dirty[name])]
            upsert(self.view, self.cursor, self.t[table], key, changed)
            self.dirty[name] = set()


_JOINED: dict[type[Any], str] = {
    Case.Registered: "filed", Case.Reopened: "reopened", Case.Transferred: "transferred"
}  # fmt: skip


def _ids(events: Iterable[Any]) -> dict[str, set[str]]:
    """What a batch touches that may be stored already: archives, payments, roster rows and
    campaigns (an archive filed or a campaign opened in the batch is new)."""
    ids: dict[str, set[str]] = {k: set() for k in ("cases", "payments", "roster", "campaigns")}
    for e in events:
        f, oid = e.__dict__, str(e.originator_id)
        if isinstance(e, Case.Closed | Case.Reopened | Case.Transferred):
            ids["cases"].add(oid)
        elif isinstance(e, Payment.Reversed):
            ids["payments"].add(oid)
        elif isinstance(e, Case.Visited | Payment.Made) and f.get("campaign_id") is not None:
            case = oid if isinstance(e, Case.Visited) else str(f["case_id"])
            ids["roster"].add(roster_key(f["campaign_id"], case))
            ids["campaigns"].add(str(f["campaign_id"]))
        elif isinstance(e, Campaign.ExceptionNoted | Campaign.Closed):
            ids["campaigns"].add(oid)
            cases = [u["case_id"] for u in f.get("unreached", [])] + [f.get("case_id")]
            ids["roster"] |= {roster_key(oid, c) for c in cases if c is not None}
    return ids
