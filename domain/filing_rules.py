"""The rules of filing's later steps, apart from the application's state: the public notice's
days (公示), objections and their handling (异议), the filing's category against the 低保 line
(an override needs its reason), and the ids a filing derives from the application's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from domain.aggregate import Act
from domain.errors import (
    ApplicationStepError,
    InvalidFilingError,
    ObjectionNotFoundError,
)
from domain.money import yuan
from domain.text import NOTE_MAX, checked
from domain.vocabulary import ApplicationStage, Category

if TYPE_CHECKING:
    from domain.applications import Application

MAX_OBJECTIONS = 100  # per notice: a bound on one aggregate's length
LONGEST_NOTICE = timedelta(days=366)


def filed_case_id(application_id: UUID) -> UUID:
    """The id of the archive an application becomes when filed (its key seals the data)."""
    return uuid5(application_id, "case")


def objection_id(application_id: UUID, number: int) -> UUID:
    """The id of the ``number``-th objection to the application's public notice."""
    return uuid5(application_id, f"objection {number}")


@dataclass(frozen=True)
class Objection:
    """An objection raised during the public notice, and how it was handled."""

    objection_id: UUID
    number: int
    raised_on: date
    note: str
    handled_on: date | None = None
    upheld: bool | None = None
    handling: str = ""


class StepDone(Act):
    """A step of the filing done; ``due_on`` is the deadline of the step that comes next."""

    due_on: date

    def step(self, application: Application, reached: ApplicationStage) -> None:
        application.stage_value = reached.value
        application.due_on = self.due_on
        application.last_on = max(application.last_on, self.business_date)
        application.done[reached.value] = (self.business_date, self.actor)


Notice = tuple[date, date, str]  # its first day, its last day, where it is posted


def notice_ends(day: date, notice_days: int, ends_on: date | None) -> date:
    """The last day of a notice posted on ``day``: at least ``notice_days`` days in all."""
    shortest = day + timedelta(days=notice_days - 1)
    ends = ends_on or shortest
    if not shortest <= ends <= day + LONGEST_NOTICE:
        raise InvalidFilingError(
            f"a public notice here runs at least {notice_days} days: from {day.isoformat()} to "
            f"{shortest.isoformat()} or later (and within a year)"
        )
    return ends


def objection_note(notice: Notice | None, objections: list[Objection], note: str, day: date) -> str:
    """An objection's text, once it is raised on a day of the notice."""
    if notice is None:
        raise ApplicationStepError("the application is not on public notice")
    starts, ends, _ = notice
    if not starts <= day <= ends:
        raise InvalidFilingError(
            f"an objection is raised while the notice runs, {starts} to {ends}, not on {day}"
        )
    if len(objections) >= MAX_OBJECTIONS:
        raise InvalidFilingError(f"a notice takes at most {MAX_OBJECTIONS} objections")
    return checked(note, "the objection", max_length=NOTE_MAX, multiline=True, required=True)


def handling_note(objections: list[Objection], objection: UUID, note: str, day: date) -> str:
    """How an objection was handled, once: on or after the day it was raised."""
    found = next((o for o in objections if o.objection_id == objection), None)
    if found is None:
        raise ObjectionNotFoundError(f"the application has no objection {objection}")
    if found.handled_on is not None:
        raise ApplicationStepError(f"objection {objection} was handled already")
    if day < found.raised_on:
        raise InvalidFilingError(f"the objection was raised on {found.raised_on}, after {day}")
    return checked(note, "how it was handled", max_length=NOTE_MAX, multiline=True, required=True)


def override_reason(
    notice: Notice | None,
    objections: list[Objection],
    category: Category,
    computed: Category,
    line_fen: int,
    reason: str,
    day: date,
) -> str:
    """The reason a filing gives for its category ("" when it is the computed one), once the
    notice has ended with every objection handled and none upheld."""
    if notice is not None and day <= notice[1]:
        raise InvalidFilingError(f"the notice runs to {notice[1]}; filing comes after it")
    if any(o.handled_on is None for o in objections):
        raise ApplicationStepError("an objection to the notice is not handled yet")
    if any(o.upheld for o in objections):
        raise ApplicationStepError("an objection was upheld: reject the application instead")
    if category == computed:
        return ""
    reason = checked(reason, "the reason for the category")
    if not reason:
        raise InvalidFilingError(
            f"the figures give {computed.value} ({computed.zh}) against the line of "
            f"{yuan(line_fen)} yuan; filing as {category.value} ({category.zh}) needs its reason"
        )
    return reason
