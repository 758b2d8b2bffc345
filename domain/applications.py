"""Applications for the archive (建档申请): 申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档.

The household as declared (personal data sealed under the key of the archive it would become,
``filed_case_id``) and its first receiver (首问责任人: who recorded it); each step an event by a
named user, in order, setting the deadline of the next (限时办结, ``due_on``, from the policy in
force); a rejection (不予建档) at any step before filing, with its reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.categorisation import Figures
from domain.errors import ApplicationStepError, InvalidFilingError
from domain.filing_rules import (
    Notice,
    Objection,
    StepDone,
    handling_note,
    notice_ends,
    objection_id,
    objection_note,
    override_reason,
)
from domain.households import MonthlyAmount, total_fen
from domain.text import checked, checked_note
from domain.vocabulary import ApplicationStage, Category

FILING_FIELDS = ("category", "computed_category", "line_fen", "per_capita_fen", "override_reason")


class Application(LedgerAggregate):
    """One household's application for the archive, until it is filed or rejected."""

    class Reviewed(StepDone):  # 审核: the papers are complete and the household may qualify
        note: str

        def apply(self, application: Application) -> None:
            self.step(application, ApplicationStage.REVIEWED)

    class HomeVisited(StepDone):  # 入户核查: who went, and what they found
        visitors: list[str]
        findings: str

        def apply(self, application: Application) -> None:
            self.step(application, ApplicationStage.VISITED)
            application.visitors, application.findings = list(self.visitors), self.findings

    class IncomeChecked(StepDone):  # 收入核对: the incomes and costs as checked
        incomes: list[dict[str, Any]]
        hardship_costs: list[dict[str, Any]]
        note: str

        def apply(self, application: Application) -> None:
            self.step(application, ApplicationStage.INCOME_CHECKED)
            application.incomes = list(self.incomes)
            application.hardship_costs = list(self.hardship_costs)

    class NoticePosted(StepDone):  # 公示: from its first to its last day, where
        starts_on: date
        ends_on: date
        place: str

        def apply(self, application: Application) -> None:
            self.step(application, ApplicationStage.ON_NOTICE)
            application.notice = (self.starts_on, self.ends_on, self.place)

    class ObjectionRaised(Act):  # 异议 during the notice
        objection_id: UUID
        number: int
        note: str

        def apply(self, application: Application) -> None:
            application.objections.append(
                Objection(self.objection_id, self.number, self.business_date, self.note)
            )

    class ObjectionHandled(Act):  # how an objection was handled: upheld or dismissed
        objection_id: UUID
        upheld: bool
        note: str

        def apply(self, application: Application) -> None:
            application.last_on = max(application.last_on, self.business_date)
            application.objections = [
                replace(o, handled_on=self.business_date, upheld=self.upheld, handling=self.note)
                if o.objection_id == self.objection_id
                else o
                for o in application.objections
            ]

    class Filed(Act):  # 建档: the archive is opened; the category against the line in force
        case_id: UUID
        category: str
        computed_category: str
        line_fen: int
        per_capita_fen: int
        override_reason: str

        def apply(self, application: Application) -> None:
            application.stage_value = ApplicationStage.FILED.value
            application.case_id, application.due_on = self.case_id, None
            application.done[ApplicationStage.FILED.value] = (self.business_date, self.actor)
            application.filing = {k: getattr(self, k) for k in FILING_FIELDS}

    class Rejected(Act):  # 不予建档, at the step it had reached
        stage: str
        reason: str

        def apply(self, application: Application) -> None:
            application.stage_value = ApplicationStage.REJECTED.value
            application.due_on = None
            application.rejection = (self.business_date, self.stage, self.reason)

    Received: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Received")
    def __init__(
        self,
        id: UUID,
        centre_id: UUID,
        centre_path: list[UUID],
        person_sealed: str,
        person_refs: list[str],
        household_size: int,
        incomes: list[dict[str, Any]],
        hardship_costs: list[dict[str, Any]],
        primary_cause: str,
        secondary_causes: list[str],
        flags: list[str],
        note: str,
        due_on: date,
        actor: str,
        business_date: date,
    ) -> None:
        self.centre_id, self.centre_path = centre_id, list(centre_path)
        self.person_sealed = person_sealed  # under the key of filed_case_id(id)
        self.person_refs = list(person_refs)  # keyed hashes: the applicant's, then the members'
        self.household_size = household_size
        self.incomes, self.hardship_costs = list(incomes), list(hardship_costs)
        self.primary_cause, self.secondary_causes = primary_cause, list(secondary_causes)
        self.flags, self.note = list(flags), note
        self.first_receiver, self.received_on = actor, business_date  # 首问责任制
        self.stage_value = ApplicationStage.RECEIVED.value
        self.due_on: date | None = due_on
        self.last_on = business_date
        self.done: dict[str, tuple[date, str]] = {}
        self.visitors: list[str] = []
        self.findings = ""
        self.notice: Notice | None = None
        self.objections: list[Objection] = []
        self.case_id: UUID | None = None
        self.filing: dict[str, Any] = {}
        self.rejection: tuple[date, str, str] | None = None

    @property
    def stage(self) -> ApplicationStage:
        return ApplicationStage(self.stage_value)

    @property
    def figures(self) -> Figures:
        """The household's monthly figures as last declared or checked."""
        return Figures(self.household_size, total_fen(self.incomes), total_fen(self.hardship_costs))

    def _require(self, stage: ApplicationStage, doing: str, day: date) -> None:
        if self.stage is not stage:
            raise ApplicationStepError(
                f"application {self.id} is {self.stage.value} ({self.stage.zh}); it can be "
                f"{doing} only when {stage.value} ({stage.zh})"
            )
        if day < self.last_on:
            raise InvalidFilingError(
                f"the application cannot be {doing} on {day.isoformat()}, before the step "
                f"before ({self.last_on.isoformat()})"
            )

    # --- commands ----------------------------------------------------------------------------
    def review(self, note: str, next_days: int, actor: str, day: date) -> None:
        """审核: the papers were checked; the home visit is due within ``next_days``."""
        self._require(ApplicationStage.RECEIVED, "reviewed", day)
        due = day + timedelta(days=next_days)
        self._trigger(self.Reviewed, actor, day, note=checked_note(note), due_on=due)

    def record_home_visit(
        self, visitors: list[str], findings: str, next_days: int, actor: str, day: date
    ) -> None:
        """入户核查: who visited and what they found; the income check is due next."""
        self._require(ApplicationStage.REVIEWED, "visited", day)
        names = [v for v in (checked(v, "a visitor's name") for v in visitors) if v]
        if not names or len(names) > 50:
            raise InvalidFilingError("a home visit names one to 50 visitors")
        findings = checked(findings, "the findings", max_length=4000, multiline=True, required=True)
        due = day + timedelta(days=next_days)
        self._trigger(self.HomeVisited, actor, day, visitors=names, findings=findings, due_on=due)

    def check_income(
        self,
        incomes: tuple[MonthlyAmount, ...] | None,
        hardship_costs: tuple[MonthlyAmount, ...] | None,
        note: str,
        next_days: int,
        actor: str,
        day: date,
    ) -> None:
        """收入核对: the monthly incomes and costs as checked (as declared where not given)."""
        self._require(ApplicationStage.VISITED, "income-checked", day)
        checked_incomes = self.incomes if incomes is None else [a.as_dict() for a in incomes]
        costs = (
            self.hardship_costs if hardship_costs is None else [a.as_dict() for a in hardship_costs]
        )
        self._trigger(
            self.IncomeChecked,
            actor,
            day,
            incomes=checked_incomes,
            hardship_costs=costs,
            note=checked_note(note),
            due_on=day + timedelta(days=next_days),
        )

    def post_notice(
        self,
        notice_days: int,
        filing_days: int,
        place: str,
        ends_on: date | None,
        actor: str,
        day: date,
    ) -> None:
        """公示 from ``day`` for at least ``notice_days`` days; filing is due ``filing_days``
        after its last day."""
        self._require(ApplicationStage.INCOME_CHECKED, "put on public notice", day)
        ends = notice_ends(day, notice_days, ends_on)
        place = checked(place, "where the notice is posted", required=True)
        due = ends + timedelta(days=filing_days)
        self._trigger(
            self.NoticePosted, actor, day, starts_on=day, ends_on=ends, place=place, due_on=due
        )

    def raise_objection(self, note: str, actor: str, day: date) -> UUID:
        """An objection on a day of the notice; answers the objection's id."""
        self._require(ApplicationStage.ON_NOTICE, "objected to", day)
        note = objection_note(self.notice, self.objections, note, day)
        number = len(self.objections) + 1
        new_id = objection_id(self.id, number)
        self._trigger(
            self.ObjectionRaised, actor, day, objection_id=new_id, number=number, note=note
        )
        return new_id

    def handle_objection(
        self, objection: UUID, upheld: bool, note: str, actor: str, day: date
    ) -> None:
        """How an objection was handled (upheld or dismissed), on or after it was raised."""
        self._require(ApplicationStage.ON_NOTICE, "answered on an objection", day)
        note = handling_note(self.objections, objection, note, day)
        self._trigger(
            self.ObjectionHandled, actor, day, objection_id=objection, upheld=upheld, note=note
        )

    def file(
        self,
        case_id: UUID,
        category: Category,
        computed: Category,
        line_fen: int,
        reason: str,
        actor: str,
        day: date,
    ) -> None:
        """建档 after the notice, every objection handled and none upheld; a category other
        than the computed one needs its reason (it shows in supervision)."""
        self._require(ApplicationStage.ON_NOTICE, "filed", day)
        reason = override_reason(
            self.notice, self.objections, category, computed, line_fen, reason, day
        )
        found = {"category": category.value, "computed_category": computed.value}
        per_capita = self.figures.per_capita_fen
        self._trigger(
            self.Filed, actor, day, case_id=case_id, line_fen=line_fen, **found,
            per_capita_fen=per_capita, override_reason=reason,
        )  # fmt: skip

    def reject(self, reason: str, actor: str, day: date) -> None:
        """不予建档 at the step reached, with a reason."""
        if not self.stage.is_open:
            raise ApplicationStepError(f"application {self.id} is {self.stage.value} already")
        if day < self.last_on:
            raise InvalidFilingError(f"the rejection on {day} comes before the step before it")
        reason = checked(reason, "the reason for the rejection", required=True)
        self._trigger(self.Rejected, actor, day, stage=self.stage.value, reason=reason)
