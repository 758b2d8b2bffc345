"""Dynamic management (动态管理), the lists, each "as of" a day and for a centre's subtree, from
the dynamics view's facts: reviews due and overdue, and exit candidates (脱困); the statistics
are in projections/dynamics_statistics.py. Each judges by the policy in force at the
household's own centre: the review interval on the day asked about, the 低保 line of each month
(on its first day), the months above the line that make an exit on the day asked about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.categorisation import Figures, above_line
from domain.incomes import add_months, month_of, month_start, previous_month
from domain.money import yuan
from domain.policy import PolicyBook
from domain.policy_parameters import Parameter
from domain.vocabulary import CaseStatus
from projections.dynamics import CLOSED, FILED, REOPENED, REVIEWED, DynamicsView
from projections.policy import book_of
from projections.report_tables import Reader, in_subtree, reading

DUE_WITHIN_DAYS = 30  # a review falling due this soon is listed as due
EXIT_LOOKBACK_MONTHS = 36  # the most months an exit may ask for (the parameter's bound)
ACTIVE = CaseStatus.ACTIVE.value


@dataclass
class Household:
    """An archive as it stood on a day: status, last review, the assessment then in force."""

    case_id: str
    centre_id: str
    path: list[str]
    status: str | None = None  # None: not filed by then
    reviewed_on: str = ""  # the last filing, review or reopening
    reopened_on: str = ""
    category: str = ""
    primary_cause: str = ""
    flags: list[str] = field(default_factory=list)

    def fold(self, fact: dict[str, Any]) -> None:
        """Take in the next fact (in business-date order)."""
        kind, day = fact["kind"], fact["day"]
        if kind in (FILED, REVIEWED):
            self.category, self.primary_cause = fact["category"], fact["primary_cause"]
            self.flags = [f for f in (fact["flags"] or "").split(",") if f]
            self.reviewed_on = day
            self.status = ACTIVE if kind == FILED else self.status
        elif kind == CLOSED:
            self.status = fact["closure_status"]
        elif kind == REOPENED:
            self.status, self.reopened_on, self.reviewed_on = ACTIVE, day, day


def scope(r: Reader, centre_id: str | None) -> tuple[str, list[Any]]:
    """A condition that a case row (alias c) lies in the subtree, and its parameters."""
    if centre_id is None:
        return "1 = 1", []
    return in_subtree("c.centre_id", r.table("dyn_centres")), [centre_id]


def households(r: Reader, centre_id: str | None, day: date) -> dict[str, Household]:
    """Every archive of the subtree filed by ``day``, as it stood that day."""
    where, params = scope(r, centre_id)
    found: dict[str, Household] = {}
    for fact in r.rows(
        f"SELECT f.*, c.centre_id, c.centre_path FROM {r.table('dyn_facts')} f "
        f"JOIN {r.table('dyn_cases')} c ON c.case_id = f.case_id "
        f"WHERE {where} AND f.day <= %s ORDER BY f.case_id, f.day, f.position",
        [*params, day.isoformat()],
    ):
        case = fact["case_id"]
        if case not in found:
            found[case] = Household(case, fact["centre_id"], fact["centre_path"].split(","))
        found[case].fold(fact)
    return found


def _policy(r: Reader) -> PolicyBook:
    return book_of(r.rows(f"SELECT * FROM {r.table('dyn_settings')}"))


def review_due(
    view: DynamicsView, centre_id: str | None, as_of: date, within: int = DUE_WITHIN_DAYS
) -> list[dict[str, Any]]:
    """The active archives of the subtree whose review falls due within ``within`` days of
    ``as_of`` or is overdue: the last filing, review or reopening plus the review interval in
    force at the household's centre; most overdue first."""
    with reading(view) as r:
        book, held = _policy(r), households(r, centre_id, as_of)
    rows = []
    for h in held.values():
        if h.status != ACTIVE:
            continue
        months = book.value(Parameter.ANNUAL_REVIEW_MONTHS, None, h.path, as_of) or 12
        due_on = add_months(date.fromisoformat(h.reviewed_on), months)
        days = (due_on - as_of).days
        if days <= within:
            rows.append(
                {
                    "case_id": h.case_id,
                    "centre_id": h.centre_id,
                    "category": h.category,
                    "last_reviewed_on": h.reviewed_on,
                    "interval_months": months,
                    "due_on": due_on.isoformat(),
                    "days_left": days,
                    "state": "overdue" if days < 0 else "due",
                }
            )
    return sorted(rows, key=lambda row: (row["due_on"], row["case_id"]))


def exit_candidates(view: DynamicsView, centre_id: str | None, as_of: date) -> list[dict[str, Any]]:
    """The active archives of the subtree whose per-capita income was above the line in force
    (each month's, at the household's centre) in each of the consecutive months up to its
    latest record by ``as_of`` (and since its last reopening), at least as many months as the
    policy asks for an exit (脱困); with those months."""
    last = month_of(as_of)
    first = month_of(add_months(as_of, -EXIT_LOOKBACK_MONTHS))
    with reading(view) as r:
        book, held = _policy(r), households(r, centre_id, as_of)
        where, params = scope(r, centre_id)
        records = r.rows(
            f"SELECT i.* FROM {r.table('dyn_incomes')} i "
            f"JOIN {r.table('dyn_cases')} c ON c.case_id = i.case_id "
            f"WHERE {where} AND i.replaced_by IS NULL AND i.month >= %s AND i.month <= %s "
            "ORDER BY i.case_id, i.month DESC",
            [*params, first, last],
        )
    by_case: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_case.setdefault(record["case_id"], []).append(record)
    rows = []
    for case, newest_first in sorted(by_case.items()):
        h = held.get(case)
        if h is None or h.status != ACTIVE:
            continue
        run = _run_above(book, h, newest_first)
        needed = book.value(Parameter.EXIT_MONTHS, None, h.path, as_of) or 6
        if run and len(run) >= needed:
            rows.append(
                {
                    "case_id": case,
                    "centre_id": h.centre_id,
                    "category": h.category,
                    "months_above": len(run),
                    "required_months": needed,
                    "from_month": run[-1]["month"],
                    "to_month": run[0]["month"],
                    "months": run[::-1],
                }
            )
    return rows


def _run_above(book: PolicyBook, h: Household, newest_first: list[dict[str, Any]]) -> list[Any]:
    """The months, newest first, of the unbroken run of records above the line that ends at
    the newest record (a month missing or at or below the line ends it; so does a reopening)."""
    since = month_of(date.fromisoformat(h.reopened_on)) if h.reopened_on else ""
    run: list[dict[str, Any]] = []
    expected = newest_first[0]["month"] if newest_first else ""
    for record in newest_first:
        month = record["month"]
        line = book.value(Parameter.DIBAO_LINE, None, h.path, month_start(month))
        figures = Figures(record["household_size"], int(record["income_fen"]))
        if month != expected or month < since or line is None or not above_line(figures, line):
            break
        run.append(
            {"month": month, "per_capita_income": yuan(figures.per_capita_fen), "line": yuan(line)}
        )
        expected = previous_month(month)
    return run
