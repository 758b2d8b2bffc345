"""The archive (supervisors): current cases of a centre subtree, with filters and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain.cases import Case
from domain.centres import Centre
from domain.money import yuan
from domain.vocabulary import ClosureReason
from projections.report_tables import closure_rows, insert_tree
from projections.view import (
    CASE_EVENTS,
    HOUSEHOLD_EVENTS,
    Batch,
    View,
    every_event_but,
)
from stores.sql import Cursor

CASE_COLUMNS = [
    "case_id",
    "centre_id",
    "status",
    "category",
    "primary_cause",
    "secondary_causes",
    "flags",
    "household_size",
    "income_fen",
    "person_sealed",
    "filed_on",
    "last_reviewed_on",
    "last_visit_on",
    "last_assisted_on",
    "received_fen",
    "reversed_fen",
    "visits",
    "closure_reason",
    "version",
]


def _flags(values: list[str]) -> str:
    return "," + ",".join(values) + "," if values else ""


class ArchiveView(View):
    """One row per case, the centre tree as a closure table, and yearly totals per case."""

    name = "archive"
    handles = (Centre.Created, *CASE_EVENTS, *HOUSEHOLD_EVENTS)  # a transfer moves the row
    ignores = every_event_but(handles)
    tables: ClassVar[dict[str, str]] = {
        "archive_cases": (
            "case_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, status TEXT NOT NULL, "
            "category TEXT NOT NULL, primary_cause TEXT NOT NULL, secondary_causes TEXT NOT NULL, "
            "flags TEXT NOT NULL, household_size INTEGER NOT NULL, income_fen BIGINT NOT NULL, "
            "person_sealed TEXT NOT NULL, filed_on TEXT NOT NULL, last_reviewed_on TEXT NOT NULL, "
            "last_visit_on TEXT, last_assisted_on TEXT, received_fen BIGINT NOT NULL, "
            "reversed_fen BIGINT NOT NULL, visits INTEGER NOT NULL, closure_reason TEXT, "
            "version INTEGER NOT NULL, CHECK (received_fen >= 0 AND reversed_fen >= 0)"
        ),
        "archive_case_years": (
            "case_id TEXT NOT NULL, year INTEGER NOT NULL, received_fen BIGINT NOT NULL, "
            "PRIMARY KEY (case_id, year)"
        ),
        "archive_centres": (
            "ancestor_id TEXT NOT NULL, centre_id TEXT NOT NULL, "
            "PRIMARY KEY (ancestor_id, centre_id)"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("archive_cases", "centre_id, status, case_id"),  # a subtree's page, in case order
        ("archive_cases", "status, category"),
        # a page by category walks it in case order, filtering centre and visit in the index
        ("archive_cases", "category, case_id, centre_id, last_visit_on"),
    ]
    build_indexes = ()  # apply reads by primary key only: a rebuild makes these when full

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        cases_table = self.table("archive_cases", generation)
        touched = {str(e.originator_id) for _, e in batch if isinstance(e, Case.Event)}
        cases = self.rows_by_key(cursor, cases_table, "case_id", touched)
        closure: list[tuple[str, str]] = []
        years: dict[tuple[str, int], int] = {}
        for _, event in batch:
            f = event.__dict__
            if isinstance(event, Centre.Created):
                closure += closure_rows(event)
            elif isinstance(event, Case.Event):
                self._case_event(cases, years, event, str(event.originator_id), f)
        insert_tree(self, cursor, self.table("archive_centres", generation), closure)
        if cases:
            placeholders = ", ".join(["%s"] * len(CASE_COLUMNS))
            updates = ", ".join(f"{c} = excluded.{c}" for c in CASE_COLUMNS[1:])
            cursor.executemany(
                self.db.sql(
                    f"INSERT INTO {cases_table} ({', '.join(CASE_COLUMNS)}) "
                    f"VALUES ({placeholders}) "
                    f"ON CONFLICT (case_id) DO UPDATE SET {updates}"
                ),
                [tuple(row[c] for c in CASE_COLUMNS) for row in cases.values()],
            )
        if years:
            table = self.table("archive_case_years", generation)
            cursor.executemany(
                self.db.sql(
                    f"INSERT INTO {table} VALUES (%s, %s, %s) ON CONFLICT (case_id, year) "
                    f"DO UPDATE SET received_fen = {table}.received_fen + excluded.received_fen"
                ),
                [(c, y, v) for (c, y), v in years.items()],
            )

    @staticmethod
    def _case_event(
        cases: dict[str, dict[str, Any]],
        years: dict[tuple[str, int], int],
        event: Case.Event,
        case_id: str,
        f: dict[str, Any],
    ) -> None:
        day: date = f["business_date"]
        if isinstance(event, Case.Registered):
            cases[case_id] = {
                "case_id": case_id,
                "centre_id": str(f["centre_id"]),
                "status": "active",
                "person_sealed": f["person_sealed"],
                "filed_on": day.isoformat(),
                "last_visit_on": None,
                "last_assisted_on": None,
                "received_fen": 0,
                "reversed_fen": 0,
                "visits": 0,
                "closure_reason": None,
            }
        row = cases[case_id]
        row["version"] = event.originator_version
        if isinstance(event, Case.Registered | Case.Reassessed):
            row |= {
                "category": f["category"],
                "primary_cause": f["primary_cause"],
                "secondary_causes": ",".join(f["secondary_causes"]),
                "flags": _flags(f["flags"]),
                "household_size": f["household_size"],
                "income_fen": f["income_fen"],
                "last_reviewed_on": day.isoformat(),
            }
        elif isinstance(event, Case.Visited):
            row["visits"] += 1
            row["last_visit_on"] = max(row["last_visit_on"] or "", day.isoformat())
        elif isinstance(event, Case.AssistanceReceived):
            row["received_fen"] += f["amount_fen"]
            row["last_assisted_on"] = max(row["last_assisted_on"] or "", day.isoformat())
            years[(case_id, day.year)] = years.get((case_id, day.year), 0) + f["amount_fen"]
        elif isinstance(event, Case.AssistanceReversed):
            row["reversed_fen"] += f["amount_fen"]
            years[(case_id, day.year)] = years.get((case_id, day.year), 0) - f["amount_fen"]
        elif isinstance(event, Case.Closed):
            row["status"] = ClosureReason(f["reason"]).status.value
            row["closure_reason"] = f["reason"]
        elif isinstance(event, Case.Reopened):
            row["status"], row["closure_reason"] = "active", None
        elif isinstance(event, Case.Transferred):  # 转档: the archive's scope moves with it
            row["centre_id"] = str(f["to_centre_id"])
        elif isinstance(event, Case.MemberJoined | Case.MemberLeft | Case.MemberDied):
            row["person_sealed"] = f["person_sealed"]  # the household as it is now


@dataclass(frozen=True)
class ArchiveFilter:
    """What a supervisor can ask of the archive."""

    centre_id: str | None = None
    status: str | None = None
    category: str | None = None
    cause: str | None = None
    flag: str | None = None
    not_visited_since: date | None = None
    not_reviewed_since: date | None = None
    never_assisted: bool = False
    year: int | None = None


def _where(view: ArchiveView, cursor: Cursor, g: int, f: ArchiveFilter) -> tuple[str, list[Any]]:
    clauses, params = ["1 = 1"], []
    if f.centre_id:  # the subtree's ids first: the planner then sees how many (a street: one)
        subtree = [
            r["centre_id"]
            for r in view.fetch(
                cursor,
                f"SELECT centre_id FROM {view.table('archive_centres', g)} WHERE ancestor_id = %s",
                (f.centre_id,),
            )
        ]
        clauses.append(
            f"c.centre_id IN ({', '.join(['%s'] * len(subtree))})" if subtree else "1 = 0"
        )
        params += subtree
    for column, value in (("status", f.status), ("category", f.category)):
        if value:
            clauses.append(f"c.{column} = %s")
            params.append(value)
    if f.cause:
        clauses.append("(c.primary_cause = %s OR ',' || c.secondary_causes || ',' LIKE %s)")
        params += [f.cause, f"%,{f.cause},%"]
    if f.flag:
        clauses.append("c.flags LIKE %s")
        params.append(f"%,{f.flag},%")
    if f.not_visited_since:
        clauses.append("(c.last_visit_on IS NULL OR c.last_visit_on < %s)")
        params.append(f.not_visited_since.isoformat())
    if f.not_reviewed_since:
        clauses.append("c.last_reviewed_on < %s")
        params.append(f.not_reviewed_since.isoformat())
    if f.never_assisted:
        clauses.append("c.last_assisted_on IS NULL")
    return " AND ".join(clauses), params


def list_cases(
    view: ArchiveView, f: ArchiveFilter, limit: int = 50, after: str | None = None
) -> list[dict[str, Any]]:
    """One page of the archive, ordered by case id (keyset pagination with ``after``)."""
    year = f.year or date.today().year  # the API passes the ledger's year
    with view.reading() as (cursor, g):
        where, params = _where(view, cursor, g, f)
        if after:
            where += " AND c.case_id > %s"
            params.append(after)
        cases = view.table("archive_cases", g)
        rows = view.fetch(  # the page's ids first, from an index alone where one covers them
            cursor,
            f"WITH page AS (SELECT c.case_id FROM {cases} c WHERE {where} "
            f"ORDER BY c.case_id LIMIT %s) "
            f"SELECT c.*, COALESCE(y.received_fen, 0) AS year_fen "
            f"FROM page JOIN {cases} c ON c.case_id = page.case_id "
            f"LEFT JOIN {view.table('archive_case_years', g)} y "
            f"ON y.case_id = c.case_id AND y.year = %s ORDER BY c.case_id",
            [*params, limit, year],
        )
    return [_readable(r, year) for r in rows]


def _readable(row: dict[str, Any], year: int) -> dict[str, Any]:
    return {
        "id": row["case_id"],
        "centre_id": row["centre_id"],
        "status": row["status"],
        "category": row["category"],
        "primary_cause": row["primary_cause"],
        "secondary_causes": [c for c in row["secondary_causes"].split(",") if c],
        "flags": [x for x in row["flags"].split(",") if x],
        "household_size": row["household_size"],
        "per_capita_monthly_income": yuan(row["income_fen"]),
        "person_sealed": row["person_sealed"],
        "filed_on": row["filed_on"],
        "last_reviewed_on": row["last_reviewed_on"],
        "last_visit_on": row["last_visit_on"],
        "last_assisted_on": row["last_assisted_on"],
        "visits": row["visits"],
        "received_total": yuan(row["received_fen"] - row["reversed_fen"]),
        "year": year,
        "received_in_year": yuan(row["year_fen"]),
        "closure_reason": row["closure_reason"],
    }


def summary(view: ArchiveView, f: ArchiveFilter) -> dict[str, dict[str, int]]:
    """Counts by category, primary cause and status for a subtree."""
    out: dict[str, dict[str, int]] = {}
    with view.reading() as (cursor, g):
        where, params = _where(view, cursor, g, f)
        for column in ("category", "primary_cause", "status"):
            rows = view.fetch(
                cursor,
                f"SELECT c.{column} AS k, COUNT(*) AS n FROM {view.table('archive_cases', g)} c "
                f"WHERE {where} GROUP BY c.{column} ORDER BY c.{column}",
                params,
            )
            out[column] = {r["k"]: int(r["n"]) for r in rows}
    return out
