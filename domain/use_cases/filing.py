"""Filing a household (建档): 申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档, or a rejection.

An application holds its people in the index (一户一档) from the day it is received; filing
turns the hold into the archive's (``Case.Registered`` names the application), a rejection lets
them go. Deadlines and the 低保 line are the policy's in force at the centre on the step's day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

from domain.access import Actor, Permission
from domain.applications import Application
from domain.cases import Assessment, Case
from domain.categorisation import category_for
from domain.centres import Centre
from domain.errors import ApplicationNotFoundError, CentreNotFoundError, DuplicateArchiveError
from domain.filing_rules import filed_case_id
from domain.households import Household, MonthlyAmount
from domain.person_index import PersonIndex, person_index_id
from domain.policy_parameters import FilingStep, Parameter
from domain.results import Created
from domain.text import checked_note
from domain.use_cases.cases import CaseUseCases
from domain.use_cases.policy import PolicyUseCases
from domain.vocabulary import Category, Cause, HouseholdFlag
from domain.writes import Change, Context, Outcome

Step = FilingStep


def _who(n: int) -> str:
    return "the applicant" if n == 0 else f"family member {n}"


class FilingUseCases(CaseUseCases, PolicyUseCases):
    """The caseworkers' filing workflow; supervisors and auditors read applications."""

    def receive_application(
        self,
        ctx: Context,
        centre_id: UUID,
        household: Household,
        note: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """申请: record the household at a centre of the actor's subtree; the actor is its first
        receiver (首问责任人). Refused when a person of it is in an open archive or another
        open application."""
        day = self._day(business_date)
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, centre.path)
        vault = self._vault()
        refs = [vault.person_ref(n) for n in household.id_numbers]
        application_id = uuid4()
        case_id = filed_case_id(application_id)  # its key seals the data, now and once filed
        sealed = vault.seal(case_id, household.sealed_data(case_id))

        def change() -> Change[Created]:
            days = self._policy(centre.id, Parameter.STEP_LIMIT_DAYS, Step.APPLICATION_REVIEW, day)
            application = Application(
                id=application_id,
                centre_id=centre.id,
                centre_path=centre.path,
                person_sealed=sealed,
                person_refs=refs,
                household_size=household.size,
                incomes=[a.as_dict() for a in household.incomes],
                hardship_costs=[a.as_dict() for a in household.hardship_costs],
                primary_cause=Cause(household.primary_cause).value,
                secondary_causes=[Cause(c).value for c in household.secondary_causes],
                flags=sorted({HouseholdFlag(f).value for f in household.flags}),
                note=checked_note(note),
                due_on=day + timedelta(days=days),
                actor=ctx.actor.name,
                business_date=day,
            )
            held = [
                self._hold(ctx.actor, ref, _who(n), application.id, day)
                for n, ref in enumerate(refs)
            ]
            return Change(Created(application.id), [application, *held])

        return self._write_sealed(ctx, change, case_id, *(person_index_id(r) for r in refs))

    def review_application(
        self, ctx: Context, application_id: UUID, note: str = "", business_date: date | None = None
    ) -> Outcome[Created]:
        """审核; the home visit is due within the policy's days."""

        def step(application: Application, day: date) -> None:
            days = self._policy(
                application.centre_id, Parameter.STEP_LIMIT_DAYS, Step.HOME_VISIT, day
            )
            application.review(note, days, ctx.actor.name, day)

        return self._step(ctx, application_id, business_date, step)

    def record_application_visit(
        self,
        ctx: Context,
        application_id: UUID,
        visitors: list[str],
        findings: str,
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """入户核查: who visited and what they found; the income check is due next."""

        def step(application: Application, day: date) -> None:
            days = self._policy(
                application.centre_id, Parameter.STEP_LIMIT_DAYS, Step.INCOME_CHECK, day
            )
            application.record_home_visit(visitors, findings, days, ctx.actor.name, day)

        return self._step(ctx, application_id, business_date, step)

    def check_application_income(
        self,
        ctx: Context,
        application_id: UUID,
        incomes: tuple[MonthlyAmount, ...] | None,
        hardship_costs: tuple[MonthlyAmount, ...] | None,
        note: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """收入核对: incomes and costs as checked (None: as declared); the notice is due next."""

        def step(application: Application, day: date) -> None:
            days = self._policy(application.centre_id, Parameter.STEP_LIMIT_DAYS, Step.FILING, day)
            application.check_income(incomes, hardship_costs, note, days, ctx.actor.name, day)

        return self._step(ctx, application_id, business_date, step)

    def post_application_notice(
        self,
        ctx: Context,
        application_id: UUID,
        place: str,
        ends_on: date | None = None,
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """公示 from the business date for at least the policy's days (or to ``ends_on``)."""

        def step(application: Application, day: date) -> None:
            centre = application.centre_id
            notice = self._policy(centre, Parameter.PUBLIC_NOTICE_DAYS, None, day)
            filing = self._policy(centre, Parameter.STEP_LIMIT_DAYS, Step.FILING, day)
            application.post_notice(notice, filing, place, ends_on, ctx.actor.name, day)

        return self._step(ctx, application_id, business_date, step)

    def raise_objection(
        self, ctx: Context, application_id: UUID, note: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """An objection to the public notice (异议); answers the objection's id."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            application = self._managed_application(ctx, application_id)
            raised = application.raise_objection(note, ctx.actor.name, day)
            return Change(Created(raised), [application])

        return self._write(ctx, change, application_id)

    def handle_objection(
        self,
        ctx: Context,
        application_id: UUID,
        objection: UUID,
        upheld: bool,
        note: str,
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """How an objection was handled: upheld or dismissed, and why."""

        def step(application: Application, day: date) -> None:
            application.handle_objection(objection, upheld, note, ctx.actor.name, day)

        return self._step(ctx, application_id, business_date, step)

    def file_application(
        self,
        ctx: Context,
        application_id: UUID,
        category: Category | None = None,
        override_reason: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """建档: open the archive with the category the figures give against the line in force
        (or ``category``, with its reason); answers the new archive's id."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            application = self._managed_application(ctx, application_id)
            line = self._policy(application.centre_id, Parameter.DIBAO_LINE, None, day)
            computed = category_for(application.figures, line)
            case_id = filed_case_id(application.id)
            chosen = Category(category) if category else computed
            application.file(case_id, chosen, computed, line, override_reason, ctx.actor.name, day)
            case = Case.register(
                case_id,
                application.centre_path,
                Assessment(
                    chosen,
                    Cause(application.primary_cause),
                    tuple(Cause(c) for c in application.secondary_causes),
                    application.household_size,
                    application.figures.per_capita_fen,
                    tuple(HouseholdFlag(f) for f in application.flags),
                ),
                application.person_sealed,
                application.person_refs[0],
                ctx.actor.name,
                day,
                application_id=application.id,
                member_refs=application.person_refs[1:],
            )
            indexes = self._claim_people(ctx.actor, case, day, application.id)
            return Change(Created(case.id), [application, case, *indexes])

        return self._write(ctx, change, application_id)

    def reject_application(
        self, ctx: Context, application_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """不予建档 at the step reached, with its reason; the household's people are let go."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            application = self._managed_application(ctx, application_id)
            application.reject(reason, ctx.actor.name, day)
            indexes = [
                self._get(PersonIndex, person_index_id(ref), ApplicationNotFoundError)
                for ref in application.person_refs
            ]
            for index in indexes:
                index.let_go(application.id, ctx.actor.name, day)
            return Change(Created(application.id), [application, *indexes])

        return self._write(ctx, change, application_id)

    # --- reads and the pieces of the writes -----------------------------------------------------
    def application(self, actor: Actor, application_id: UUID) -> Application:
        application = self._get(Application, application_id, ApplicationNotFoundError)
        actor.require(Permission.READ, application.centre_path)
        return application

    def _managed_application(self, ctx: Context, application_id: UUID) -> Application:
        application = self._get(Application, application_id, ApplicationNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, application.centre_path)
        return application

    def _step(
        self,
        ctx: Context,
        application_id: UUID,
        business_date: date | None,
        step: Callable[[Application, date], None],
    ) -> Outcome[Created]:
        """A step of the application in the actor's subtree, on its business date."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            application = self._managed_application(ctx, application_id)
            step(application, day)
            return Change(Created(application.id), [application])

        return self._write(ctx, change, application_id)

    def _policy(
        self, centre_id: UUID, param: Parameter, subject: FilingStep | None, day: date
    ) -> int:
        """The policy's value in force at the centre on the day (every one has a default)."""
        value = self.policy_value(centre_id, param, subject.value if subject else None, day)
        assert value is not None, f"{param.value} has no default"
        return value

    def _hold(
        self, actor: Actor, ref: str, who: str, application_id: UUID, day: date
    ) -> PersonIndex:
        """Hold one person of the household for the application, or refuse."""
        index = self._find(PersonIndex, person_index_id(ref))
        try:
            if index is None:
                return PersonIndex.hold_new(ref, application_id, actor.name, day)
            index.hold(application_id, actor.name, day)
        except DuplicateArchiveError as refused:
            raise self._duplicate_archive(actor, refused, who) from None
        return index
