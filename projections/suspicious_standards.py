"""The standards the suspicious-payments view judges by: the local policy in force at each
household's centre (domain/policy.py), kept in the view and applied when a payment is projected,
and applied again to a subtree's payments when a setting there changes what is in force.

A payment is judged on its business date (the repeat window, the lateness, the education cap);
a household's yearly total of a capped kind on its year's last day (months of the 低保 line for
its category; the accident cap). A request may instead apply one window or lateness everywhere,
a what-if (``Lens``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from domain.policy import PolicyBook, year_end
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, Category
from projections.policy import book_of, keep_settings
from projections.report_tables import in_subtree
from projections.view import Batch, View
from stores.sql import Cursor

EDUCATION = AssistanceType.EDUCATION_AID.value
LIVING = AssistanceType.LIVING_RELIEF.value
TEMPORARY = AssistanceType.TEMPORARY_RELIEF.value
ACCIDENT = Category.ACCIDENT_INDUCED.value
P = Parameter
JUDGED_BY = frozenset(
    p.value
    for p in (
        P.DIBAO_LINE,
        P.LIVING_RELIEF_MONTHS,
        P.ACCIDENT_AID_CAP,
        P.EDUCATION_AID_CAP,
        P.REPEAT_WINDOW_DAYS,
        P.LATE_RECORDING_DAYS,
    )
)


class Lens(Protocol):
    """What a request applies instead of the policy in force: a window or lateness for every
    payment, or None for the policy (``supervision.compliance.Standards`` fits)."""

    @property
    def repeat_window_days(self) -> int | None: ...
    @property
    def late_recording_days(self) -> int | None: ...


def record_settings(view: View, cursor: Cursor, t: dict[str, str], batch: Batch) -> set[str]:
    """Keep the batch's settings of the parameters the checks use; the households whose
    payments may be judged otherwise now: those paid in a changed centre's subtree from the
    first day of the year of the earliest date the change touches."""
    since = keep_settings(view, cursor, t["susp_settings"], batch, JUDGED_BY)
    touched: set[str] = set()
    for centre, day in since.items():
        cursor.execute(
            view.db.sql(
                f"SELECT DISTINCT case_id FROM {t['susp_payments']} p WHERE "
                f"{in_subtree('p.centre_id', t['susp_tree'])} AND p.business_date >= %s"
            ),
            (centre, date(day.year, 1, 1).isoformat()),
        )
        touched |= {r["case_id"] for r in cursor.fetchall()}
    return touched


def load_book(cursor: Cursor, settings_table: str) -> PolicyBook:
    """The policy as the view knows it (a few rows: the settings of six parameters)."""
    cursor.execute(f"SELECT * FROM {settings_table}")
    return book_of(dict(r) for r in cursor.fetchall())


def judge_payment(book: PolicyBook, p: dict[str, Any]) -> None:
    """Whether the payment was recorded late, repeats one within the window, or is above the
    education cap, by the policy in force at its household's centre on its business date."""
    path, day = p["centre_path"].split(","), date.fromisoformat(p["business_date"])
    late = book.value(P.LATE_RECORDING_DAYS, None, path, day)
    p["late_found"] = int(late is not None and p["lag_days"] > late)
    window = (
        book.value(P.REPEAT_WINDOW_DAYS, None, path, day) if p["gap_days"] is not None else None
    )
    p["repeat_found"] = int(window is not None and p["gap_days"] <= window)
    cap = None
    if p["live"] and p["assistance_type"] == EDUCATION:
        cap = book.value(P.EDUCATION_AID_CAP, None, path, day)
    p["above_cap"] = int(cap is not None and p["amount_fen"] > cap)


def year_cap(book: PolicyBook, p: dict[str, Any], year: int) -> int | None:
    """A household's yearly standard for the kind of the payment: months of the 低保 line for
    its category (living relief), or the accident cap (temporary relief of accident-induced
    hardship), in force at its centre on the year's last day; None for no standard."""
    path, day = p["centre_path"].split(","), year_end(year)
    if p["assistance_type"] == LIVING and p["category"]:
        months = book.value(P.LIVING_RELIEF_MONTHS, p["category"], path, day)
        line = book.value(P.DIBAO_LINE, None, path, day)
        return months * line if months is not None and line is not None else None
    if p["assistance_type"] == TEMPORARY and p["category"] == ACCIDENT:
        return book.value(P.ACCIDENT_AID_CAP, None, path, day)
    return None
