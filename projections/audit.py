"""The audit trail (auditors): every event in commit order, filterable; case timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar

import orjson
from eventsourcing.domain import DomainEvent

from domain.cases import Case
from domain.catalogue import event_class, meaning
from domain.centres import Centre
from domain.funds import Fund
from projections.funds import stamp
from projections.history import readable
from projections.report_tables import closure_rows, insert_tree
from projections.sql_batches import insert_rows
from projections.view import Batch, View
from stores.sql import Cursor

_HIDDEN = {  # the row's own columns, left out of its data
    "originator_id", "originator_version", "timestamp", "originator_topic",
    "actor", "business_date",
}  # fmt: skip
COLUMNS = [
    "position", "originator_id", "aggregate", "type", "version", "actor", "recorded_at",
    "business_date", "centre_id", "fund_id", "case_id", "data",
]  # fmt: skip


class AuditView(View):
    """One row per event with the columns auditors filter on, and the aggregates' centres."""

    name = "audit"
    handles = None  # the trail holds every event
    tables: ClassVar[dict[str, str]] = {
        "audit_events": (
            "position BIGINT PRIMARY KEY, originator_id TEXT NOT NULL, aggregate TEXT NOT NULL, "
            "type TEXT NOT NULL, version INTEGER NOT NULL, actor TEXT NOT NULL, "
            "recorded_at TEXT NOT NULL, business_date TEXT, centre_id TEXT, fund_id TEXT, "
            "case_id TEXT, data TEXT NOT NULL"
        ),
        "audit_aggregates": (
            "aggregate_id TEXT PRIMARY KEY, kind TEXT NOT NULL, centre_id TEXT, name TEXT"
        ),
        "audit_centres": (
            "ancestor_id TEXT NOT NULL, centre_id TEXT NOT NULL, "
            "PRIMARY KEY (ancestor_id, centre_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("audit_events", "originator_id, position"),
        ("audit_events", "actor, position"),
        ("audit_events", "type, position"),
        ("audit_events", "centre_id, position"),
        ("audit_events", "fund_id, position"),
        ("audit_events", "case_id, position"),
        ("audit_events", "recorded_at"),
    ]

    build_indexes = (0,)  # a transfer (转档) moves an archive's events by originator_id

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        aggregates_t = self.table("audit_aggregates", generation)
        ids = {str(e.originator_id) for _, e in batch if e.originator_version > 1}
        known = self.rows_by_key(cursor, aggregates_t, "aggregate_id", ids)
        new: dict[str, dict[str, Any]] = {}
        closure: list[tuple[str, str]] = []
        moved: dict[str, str] = {}  # an archive transferred (转档) -> its centre now
        rows = []
        for position, event in batch:
            aggregate, kind, centre_field, hidden = _kind(type(event))
            f, oid = event.__dict__, str(event.originator_id)
            if event.originator_version == 1:
                if isinstance(event, Centre.Created):
                    closure += closure_rows(event)
                centre = f.get(centre_field) if centre_field else None
                known[oid] = new[oid] = {
                    "aggregate_id": oid,
                    "kind": aggregate,
                    "centre_id": str(centre) if centre else None,
                    "name": f.get("name"),
                }
            if isinstance(event, Case.Transferred):  # its scope moves, its history with it
                moved[oid] = str(f["to_centre_id"])
                known.setdefault(oid, {})["centre_id"] = moved[oid]
            me = known.get(oid, {})
            fund_id = oid if isinstance(event, Fund.Event) else f.get("fund_id")
            case_id = oid if isinstance(event, Case.Event) else f.get("case_id")
            business_date: date | None = f.get("business_date")
            rows.append(
                (
                    position,
                    oid,
                    aggregate,
                    kind,
                    event.originator_version,
                    f.get("actor", ""),
                    stamp(event.timestamp),
                    business_date.isoformat() if business_date else None,
                    me.get("centre_id"),
                    str(fund_id) if fund_id else None,
                    str(case_id) if case_id else None,
                    orjson.dumps(
                        readable({k: v for k, v in f.items() if k not in hidden})
                    ).decode(),
                )
            )
        insert_rows(self.db, cursor, self.table("audit_events", generation), COLUMNS, rows)
        insert_rows(
            self.db,
            cursor,
            aggregates_t,
            ("aggregate_id", "kind", "centre_id", "name"),
            [tuple(r.values()) for r in new.values()],
        )
        insert_tree(self, cursor, self.table("audit_centres", generation), closure)
        if moved:
            self._move(cursor, generation, moved)

    def _move(self, cursor: Cursor, generation: int, moved: dict[str, str]) -> None:
        """Place each transferred archive, its events and its trail under its new centre (the
        payments to it stay with the funds and centres that paid them)."""
        for table, key in (("audit_aggregates", "aggregate_id"), ("audit_events", "originator_id")):
            cursor.executemany(
                self.db.sql(
                    f"UPDATE {self.table(table, generation)} SET centre_id = %s WHERE {key} = %s"
                ),
                [(centre, oid) for oid, centre in moved.items()],
            )


@cache
def _kind(cls: type[DomainEvent]) -> tuple[str, str, str | None, frozenset[str]]:
    """An event class's aggregate and kind names, the field of a first event naming its centre,
    and the fields its trail row leaves out (bookkeeping and credentials): looked up once."""
    aggregate, kind = cls.__qualname__.split(".", 1)
    what = meaning(cls)
    return aggregate, kind, what.centre_field, frozenset(_HIDDEN | set(what.credentials))


MERGED = 32  # centres of a subtree whose pages are read one by one and merged


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor can ask of the trail."""

    actor: str | None = None
    type: str | None = None
    centre_id: str | None = None
    fund_id: str | None = None
    case_id: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None


def events(
    view: AuditView, f: AuditFilter, limit: int = 100, after: int = 0
) -> list[dict[str, Any]]:
    """A page of the trail in commit order, after log position ``after``."""
    with view.reading() as (cursor, g):
        query = _events_query(view, cursor, g, f, limit, after)
        return [_readable(r) for r in view.fetch(cursor, *query)]


def _events_query(
    view: AuditView, cursor: Cursor, g: int, f: AuditFilter, limit: int, after: int
) -> tuple[str, list[Any]]:
    """The page's query. A subtree of up to ``MERGED`` centres is read centre by centre, each
    centre's next rows from the index on (centre_id, position) in order, and the pages merged:
    a district's page no longer reads every event of the district. A larger subtree (a city, the
    province) holds most events and is read in log order, filtered."""
    clauses: list[str] = ["e.position > %s"]
    params: list[Any] = [after]
    for column in ("actor", "type", "fund_id", "case_id"):
        if value := getattr(f, column):
            clauses.append(f"e.{column} = %s")
            params.append(value)
    if f.recorded_from:
        clauses.append("e.recorded_at >= %s")
        params.append(stamp(f.recorded_from))
    if f.recorded_to:
        clauses.append("e.recorded_at < %s")
        params.append(stamp(f.recorded_to))
    table = view.table("audit_events", g)
    if f.centre_id:
        subtree = f"SELECT centre_id FROM {view.table('audit_centres', g)} WHERE ancestor_id = %s"
        centres = [r["centre_id"] for r in view.fetch(cursor, subtree, (f.centre_id,))]
        if 1 <= len(centres) <= MERGED:
            where = " AND ".join(["e.centre_id = %s", *clauses])
            parts = " UNION ALL ".join(
                f"SELECT * FROM (SELECT e.* FROM {table} e WHERE {where} "
                f"ORDER BY e.position LIMIT %s) AS part{n}"
                for n in range(len(centres))
            )
            merged = [p for c in centres for p in (c, *params, limit)]
            return f"{parts} ORDER BY position LIMIT %s", [*merged, limit]
        clauses.append(f"e.centre_id IN ({subtree})")
        params.append(f.centre_id)
    return (
        f"SELECT e.* FROM {table} e WHERE {' AND '.join(clauses)} ORDER BY e.position LIMIT %s",
        [*params, limit],
    )


def timeline(view: AuditView, case_id: str) -> list[dict[str, Any]]:
    """Every event of one household's archive in order, with fund names for payments."""
    # the fund's name looked up by key for each of the household's rows: a join let the planner
    # read every aggregate of the trail (a hash join) when its statistics overestimated the rows
    with view.reading() as (cursor, g):
        rows = view.fetch(
            cursor,
            f"SELECT e.*, (SELECT a.name FROM {view.table('audit_aggregates', g)} a "
            f"WHERE a.aggregate_id = e.fund_id AND e.aggregate = %s) AS fund_name "
            f"FROM {view.table('audit_events', g)} e WHERE e.originator_id = %s "
            f"ORDER BY e.position",
            (Case.__name__, case_id),
        )
    return [_readable(r) | {"summary": _summary(r)} for r in rows]


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in COLUMNS if k != "data"}
    out["type_zh"] = _label(row)
    out["data"] = orjson.loads(row["data"])
    if row.get("fund_name"):
        out["fund_name"] = row["fund_name"]
    return out


def _label(row: dict[str, Any]) -> str:
    try:
        return meaning(f"{row['aggregate']}.{row['type']}").zh
    except KeyError:  # an event of a kind this version no longer has
        return str(row["type"])


def _summary(row: dict[str, Any]) -> str:
    d = orjson.loads(row["data"])
    try:
        kind: type | None = event_class(f"{row['aggregate']}.{row['type']}")
    except KeyError:
        kind = None
    if kind is Case.Visited:
        goods = "; ".join(f"{g['item']} ¥{g['value']}" for g in d.get("goods", []))
        return (
            f"走访 visit by {', '.join(d['visitors'])}"
            + (f" ({d['campaign']})" if d.get("campaign") else "")
            + (f"; {goods}" if goods else "")
        )
    if kind is Case.AssistanceReceived:
        fund = row.get("fund_name") or d["fund_id"]
        return f"帮扶 paid ¥{d['amount']} {d['assistance_type']} from {fund}"
    if kind is Case.AssistanceReversed:
        return f"冲正 reversed ¥{d['amount']} of payment {d['payment_id']}: {d['reason']}"
    if kind in (Case.Registered, Case.Reassessed):
        return (
            f"{_label(row)} {d['category']}, {d['primary_cause']}, "
            f"{d['household_size']} people, ¥{d['income']} per head a month"
        )
    if kind is Case.Closed:
        return f"结档 closed: {d['reason']}"
    return _label(row)


def named_aggregates(
    view: AuditView, kind: type, subtree: str | None = None
) -> list[dict[str, Any]]:
    """The aggregates of one class (Centre, User, ...) by name, with the fields of their first
    event, within a centre's subtree (None: all of them, unbound ones included)."""
    g = view.generation()
    where, params = "a.kind = %s", [kind.__name__]
    if subtree is not None:
        where += (
            f" AND a.centre_id IN (SELECT centre_id FROM {view.table('audit_centres', g)} "
            "WHERE ancestor_id = %s)"
        )
        params.append(subtree)
    rows = view.db.query(
        f"SELECT a.aggregate_id, a.name, a.centre_id, e.actor, e.recorded_at, e.data "
        f"FROM {view.table('audit_aggregates', g)} a JOIN {view.table('audit_events', g)} e "
        f"ON e.originator_id = a.aggregate_id AND e.version = 1 WHERE {where} ORDER BY a.name",
        params,
    )
    return [{**r, "data": orjson.loads(r["data"])} for r in rows]
