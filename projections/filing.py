"""Filing (建档申请) by centre subtree: each application where it stands, the step it waits for
and its deadline (限时办结: the overdue list on a day), its first receiver (首问责任人), and the
filings whose category differs from the one the figures gave (an override, with its reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from eventsourcing.domain import AggregateEvent, DomainEvent

from domain.applications import Application
from domain.cases import Case
from domain.centres import Centre
from domain.filing_rules import StepDone
from domain.policy_parameters import FilingStep
from domain.vocabulary import ApplicationStage, Category
from projections.report_tables import CLOSURE, closure_rows, in_subtree, insert_tree, upsert
from projections.view import (
    APPLICATION_EVENTS,
    Batch,
    View,
    every_event_but,
)
from stores.sql import Cursor

_HANDLED: tuple[type[DomainEvent], ...] = (Centre.Created, *APPLICATION_EVENTS, Case.Transferred)
# the step each stage waits for, whose time limit its deadline is (posting the notice and
# filing after it both fall under the filing step's limit)
WAITS_FOR = {
    ApplicationStage.RECEIVED.value: FilingStep.APPLICATION_REVIEW.value,
    ApplicationStage.REVIEWED.value: FilingStep.HOME_VISIT.value,
    ApplicationStage.VISITED.value: FilingStep.INCOME_CHECK.value,
    ApplicationStage.INCOME_CHECKED.value: FilingStep.FILING.value,
    ApplicationStage.ON_NOTICE.value: FilingStep.FILING.value,
}
_STAGE_AFTER = {
    Application.Reviewed: ApplicationStage.REVIEWED,
    Application.HomeVisited: ApplicationStage.VISITED,
    Application.IncomeChecked: ApplicationStage.INCOME_CHECKED,
    Application.NoticePosted: ApplicationStage.ON_NOTICE,
}
COLUMNS = [
    "application_id",
    "centre_id",
    "stage",
    "received_on",
    "first_receiver",
    "household_size",
    "due_on",
    "last_step_on",
    "late_steps",
    "objections",
    "open_objections",
    "case_id",
    "filed_on",
    "category",
    "computed_category",
    "override_reason",
    "rejected_on",
    "rejected_at",
    "rejection_reason",
    "version",
]


class FilingView(View):
    """One row per application as it stands, and the centre tree as a closure table."""

    name = "filing"
    handles = _HANDLED
    ignores = every_event_but(_HANDLED)
    tables: ClassVar[dict[str, str]] = {
        "filing_applications": (
            "application_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, stage TEXT NOT NULL, "
            "received_on TEXT NOT NULL, first_receiver TEXT NOT NULL, "
            "household_size INTEGER NOT NULL, due_on TEXT, last_step_on TEXT NOT NULL, "
            "late_steps INTEGER NOT NULL, objections INTEGER NOT NULL, "
            "open_objections INTEGER NOT NULL, case_id TEXT, filed_on TEXT, category TEXT, "
            "computed_category TEXT, override_reason TEXT, rejected_on TEXT, rejected_at TEXT, "
            "rejection_reason TEXT, version INTEGER NOT NULL, "
            "CHECK (late_steps >= 0 AND open_objections >= 0)"
        ),
        "filing_centres": CLOSURE,
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("filing_applications", "centre_id, stage"),
        ("filing_applications", "case_id"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        table = self.table("filing_applications", generation)
        ids = {str(e.originator_id) for _, e in batch if isinstance(e, Application.Event)}
        rows = self.rows_by_key(cursor, table, "application_id", ids)
        moved = {str(e.originator_id) for _, e in batch if isinstance(e, Case.Transferred)}
        rows |= {r["application_id"]: r for r in self.rows_in(cursor, table, "case_id", moved)}
        by_case = {r["case_id"]: r for r in rows.values() if r["case_id"]}
        closure: list[tuple[str, str]] = []
        for _, event in batch:
            if isinstance(event, Centre.Created):
                closure += closure_rows(event)
            elif isinstance(event, Case.Transferred):  # a filing follows its archive (转档)
                row = by_case.get(str(event.originator_id))
                if row is not None:
                    row["centre_id"] = str(event.__dict__["to_centre_id"])
            else:
                row = _applied(rows, event)
                if row["case_id"]:
                    by_case[row["case_id"]] = row
        upsert(
            self,
            cursor,
            table,
            "application_id",
            [{c: r[c] for c in COLUMNS} for r in rows.values()],
        )
        insert_tree(self, cursor, self.table("filing_centres", generation), closure)


def _applied(rows: dict[str, dict[str, Any]], event: AggregateEvent) -> dict[str, Any]:
    """The application's row after the event."""
    f, aid = event.__dict__, str(event.originator_id)
    day: str = f["business_date"].isoformat()
    if isinstance(event, Application.Received):
        rows[aid] = dict.fromkeys(COLUMNS) | {
            "application_id": aid,
            "centre_id": str(f["centre_id"]),
            "stage": ApplicationStage.RECEIVED.value,
            "received_on": day,
            "first_receiver": f["actor"],
            "household_size": f["household_size"],
            "due_on": f["due_on"].isoformat(),
            "last_step_on": day,
            "late_steps": 0,
            "objections": 0,
            "open_objections": 0,
        }
    row = rows[aid]
    row["version"] = event.originator_version
    late = row["due_on"] is not None and day > row["due_on"]
    if isinstance(event, StepDone):
        stage = _STAGE_AFTER[type(event)]
        row |= {"stage": stage.value, "due_on": f["due_on"].isoformat(), "last_step_on": day}
        row["late_steps"] += late
    elif isinstance(event, Application.ObjectionRaised):
        row["objections"] += 1
        row["open_objections"] += 1
    elif isinstance(event, Application.ObjectionHandled):
        row["open_objections"] -= 1
    elif isinstance(event, Application.Filed):
        row |= {
            "stage": ApplicationStage.FILED.value,
            "due_on": None,
            "last_step_on": day,
            "case_id": str(f["case_id"]),
            "filed_on": day,
            "category": f["category"],
            "computed_category": f["computed_category"],
            "override_reason": f["override_reason"],
        }
        row["late_steps"] += late
    elif isinstance(event, Application.Rejected):
        row |= {
            "stage": ApplicationStage.REJECTED.value,
            "due_on": None,
            "rejected_on": day,
            "rejected_at": f["stage"],
            "rejection_reason": f["reason"],
        }
    return row


@dataclass(frozen=True)
class ApplicationFilter:
    """Which applications of a subtree a list shows: at a stage, or open and overdue on a day."""

    centre_id: str | None = None
    stage: str | None = None
    overdue_on: date | None = None  # open, and its step was due before this day


def applications(
    view: FilingView, f: ApplicationFilter, as_of: date, limit: int = 50, after: str | None = None
) -> list[dict[str, Any]]:
    """A page of the subtree's applications by id (``after`` the last one shown), each with the
    step it waits for, its deadline and how many days past it the application is on ``as_of``."""
    g = view.generation()
    clauses, params = _subtree(view, g, f.centre_id)
    if f.stage:
        clauses.append("a.stage = %s")
        params.append(f.stage)
    if f.overdue_on:
        clauses.append("a.due_on IS NOT NULL AND a.due_on < %s")
        params.append(f.overdue_on.isoformat())
    rows = _page(view, g, clauses, params, limit, after)
    return [_readable(r, as_of) for r in rows]


def _page(
    view: FilingView, g: int, clauses: list[str], params: list[Any], limit: int, after: str | None
) -> list[dict[str, Any]]:
    """The applications that meet every clause, by id, ``limit`` of them ``after`` the one named."""
    if after:
        clauses.append("a.application_id > %s")
        params.append(after)
    return view.db.query(
        f"SELECT a.* FROM {view.table('filing_applications', g)} a "
        f"WHERE {' AND '.join(clauses)} ORDER BY a.application_id LIMIT %s",
        [*params, limit],
    )


def overrides(
    view: FilingView, centre_id: str | None, limit: int = 50, after: str | None = None
) -> list[dict[str, Any]]:
    """The subtree's filings whose category is not the one the figures gave, with the reason."""
    g = view.generation()
    clauses, params = _subtree(view, g, centre_id)
    clauses.append("a.filed_on IS NOT NULL AND a.category <> a.computed_category")
    rows = _page(view, g, clauses, params, limit, after)
    return [
        {
            "id": r["application_id"],
            "case_id": r["case_id"],
            "centre_id": r["centre_id"],
            "filed_on": r["filed_on"],
            "category": r["category"],
            "category_zh": Category(r["category"]).zh,
            "computed_category": r["computed_category"],
            "computed_category_zh": Category(r["computed_category"]).zh,
            "override_reason": r["override_reason"],
        }
        for r in rows
    ]


def _subtree(view: FilingView, g: int, centre_id: str | None) -> tuple[list[str], list[Any]]:
    if centre_id is None:
        return ["1 = 1"], []
    return [in_subtree("a.centre_id", view.table("filing_centres", g))], [centre_id]


def _readable(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    stage = ApplicationStage(row["stage"])
    step = WAITS_FOR.get(row["stage"])
    due = date.fromisoformat(row["due_on"]) if row["due_on"] else None
    return {
        "id": row["application_id"],
        "centre_id": row["centre_id"],
        "stage": stage.value,
        "stage_zh": stage.zh,
        "received_on": row["received_on"],
        "first_receiver": row["first_receiver"],
        "household_size": row["household_size"],
        "waiting_for": step,
        "waiting_for_zh": FilingStep(step).zh if step else None,
        "due_on": row["due_on"],
        "days_overdue": max(0, (as_of - due).days) if due else 0,
        "late_steps": row["late_steps"],
        "objections": row["objections"],
        "open_objections": row["open_objections"],
        "case_id": row["case_id"],
        "category": row["category"],
        "computed_category": row["computed_category"],
        "rejected_at": row["rejected_at"],
        "rejection_reason": row["rejection_reason"],
    }
