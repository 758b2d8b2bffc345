"""The local policy an audit recomputation applies, read from the events themselves: what is
in force at a centre on a date (domain/policy.py), and the limits and standards the checks of
supervision/compliance.py take from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.policy import Policy, PolicyBook, Setting, year_end
from domain.policy_parameters import MATCHER_LEVEL, Parameter
from domain.vocabulary import AssistanceType, Category
from supervision.records import Record, is_

P = Parameter
Limit = Callable[[Record], int | None]


@dataclass(frozen=True)
class Standards:
    """What a check of suspicious payments applies over the policy in force: a window or a
    lateness given here applies to every payment (a what-if); None, the value in force at the
    paying household's centre on the payment's business date."""

    repeat_window_days: int | None = None
    late_recording_days: int | None = None


def policy_book(records: Sequence[Record]) -> PolicyBook:
    """The local policy the records hold (their ``Policy`` settings and withdrawals)."""
    settings = [
        Setting(
            r["setting_id"],
            r["centre_id"],
            r["parameter"],
            r["subject"],
            r["value"],
            date.fromisoformat(r["effective_from"]),
            r["position"],
            r["corrects"],
        )
        for r in records
        if is_(r, Policy.ParameterSet)
    ]
    withdrawn = [r["setting_id"] for r in records if is_(r, Policy.SettingWithdrawn)]
    return PolicyBook(settings, withdrawn)


def limit(book: PolicyBook, param: Parameter, given: int | None) -> Limit:
    """A payment's limit: the one given for all, or the one in force at its household's centre
    on its business date."""
    if given is not None:
        return lambda p: given
    return lambda p: book.value(
        param, None, p["centre_path"], date.fromisoformat(p["business_date"])
    )


def education_cap(book: PolicyBook, p: Record) -> int | None:
    """The most an education payment may be, in force at its centre on its business date."""
    day = date.fromisoformat(p["business_date"])
    return book.value(P.EDUCATION_AID_CAP, None, p["centre_path"], day)


def yearly_cap(
    book: PolicyBook, kind: str, category: str | None, path: list[str], year: int
) -> int | None:
    """Months of the 低保 line for the category (living relief), or the accident cap
    (temporary relief of accident-induced hardship), in force on the year's last day."""
    day = year_end(year)
    if kind == AssistanceType.LIVING_RELIEF and category:
        months = book.value(P.LIVING_RELIEF_MONTHS, category, path, day)
        line = book.value(P.DIBAO_LINE, None, path, day)
        return months * line if months is not None and line is not None else None
    if kind == AssistanceType.TEMPORARY_RELIEF and category == Category.ACCIDENT_INDUCED:
        return book.value(P.ACCIDENT_AID_CAP, None, path, day)
    return None


def matching_ratio(book: PolicyBook, path: list[str], source: str, year: int) -> tuple[int, int]:
    """Central : match as 100 : the share in force at the centre on the year's last day for
    the level the source stands for."""
    share = book.value(P.MATCHING_RATIO, MATCHER_LEVEL[source], path, year_end(year))
    return (100, 100 if share is None else share)
