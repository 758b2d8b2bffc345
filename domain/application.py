"""The Ledger application: one method per use case, each saved atomically in one ``save()``."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, AggregateEvent
from eventsourcing.persistence import (
    JSONTranscoder,
    RecordConflictError,
    Recording,
    Transcoding,
)

from domain.access import GRANTS, Actor, Permission
from domain.cases import Assessment, Case, Goods, Person
from domain.centres import Centre
from domain.clock import Clock, SystemClock, check_business_date, use_clock
from domain.data_access import PersonalDataRead
from domain.errors import (
    BusyError,
    CaseNotFoundError,
    CaseOutsideFundTreeError,
    CentreNotFoundError,
    DuplicateArchiveError,
    FundNotFoundError,
    IdempotencyKeyReusedError,
    NotAChildCentreError,
    NotAuthenticatedError,
    NotFoundError,
    PaymentNotFoundError,
    UserExistsError,
)
from domain.funds import Fund, child_fund_id
from domain.idempotency import IdempotencyRecord, idempotency_id
from domain.payments import Payment
from domain.person_index import PersonIndex, person_index_id
from domain.privacy import PersonalDataVault
from domain.users import TokenKey, User, new_token, token_key_id, user_id
from domain.vocabulary import (
    AssistanceType,
    CampaignKind,
    CentreLevel,
    ClosureReason,
    FundSource,
    Role,
    VisitKind,
)

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    """Business dates are stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class Context:
    """Who is acting, and the request's idempotency key and fingerprint if it has one."""

    actor: Actor
    idempotency_key: str | None = None
    request_sha256: str = ""


@dataclass(frozen=True)
class Outcome:
    """A write's answer: what it created and where it landed in the log."""

    result: dict[str, str]
    position: int | None = None
    replayed: bool = False


@dataclass
class _Change:
    result: dict[str, str]
    aggregates: list[Aggregate] = field(default_factory=list)


class Ledger(Application[UUID]):
    """Bangfu's use cases over the event store (PostgreSQL or SQLite)."""

    name = "Bangfu"
    snapshotting_intervals = {Fund: 100, Case: 100}  # noqa: RUF012 - the library's class var
    max_attempts = 30
    lost_races = 0  # writes retried because another writer changed a record first

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()
        self.listeners: list[Callable[[int], None]] = []  # told each new log position
        self.vault: PersonalDataVault | None = None  # set by stores.open_ledger

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            for listener in self.listeners:
                listener(recordings[-1].notification.id)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def today(self) -> date:
        """Today's business date (Asia/Shanghai unless configured otherwise)."""
        return self.clock.today()

    def _day(self, business_date: date | None) -> date:
        """The business date given, checked against the window, or today's."""
        if business_date is None:
            return self.today()
        return check_business_date(business_date, self.today())

    # --- the write path: idempotency, bounded retries of lost races, one atomic save --------
    def _write(self, ctx: Context, change: Callable[[], _Change]) -> Outcome:
        with use_clock(self.clock):
            return self._write_now(ctx, change)

    def _write_now(self, ctx: Context, change: Callable[[], _Change]) -> Outcome:
        for attempt in range(self.max_attempts):
            if ctx.idempotency_key is not None:
                earlier = self._idempotent_replay(ctx)
                if earlier is not None:
                    return earlier
            done = change()
            if ctx.idempotency_key is not None:
                done.aggregates.append(
                    IdempotencyRecord(
                        id=idempotency_id(ctx.actor.name, ctx.idempotency_key),
                        request_sha256=ctx.request_sha256,
                        result=done.result,
                        actor=ctx.actor.name,
                        business_date=self.today(),
                    )
                )
            try:
                recordings = self.save(*done.aggregates)
            except RecordConflictError:
                self.lost_races += 1
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            position = recordings[-1].notification.id if recordings else None
            return Outcome(done.result, position)
        raise BusyError("other writers kept changing the same records; please try again")

    def _idempotent_replay(self, ctx: Context) -> Outcome | None:
        assert ctx.idempotency_key is not None
        record = self._find(IdempotencyRecord, idempotency_id(ctx.actor.name, ctx.idempotency_key))
        if record is None:
            return None
        if record.request_sha256 != ctx.request_sha256:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was already used for a different request"
            )
        return Outcome(dict(record.result), None, replayed=True)

    def remembered(self, actor: Actor, key: str) -> dict[str, str] | None:
        """The result of the write this user made with this Idempotency-Key, if any."""
        record = self._find(IdempotencyRecord, idempotency_id(actor.name, key))
        return dict(record.result) if record else None

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None

    def _get(self, cls: type[A], aggregate_id: UUID, missing: type[NotFoundError]) -> A:
        found = self._find(cls, aggregate_id)
        if found is None:
            raise missing(f"no {cls.__name__.lower()} has the id {aggregate_id}")
        return found

    # --- users ------------------------------------------------------------------------------
    def add_user(self, actor: Actor, name: str, role: Role, centre_id: UUID | None) -> str:
        """Add a user and return the bearer token (shown once; only its hash is kept)."""
        actor.require(Permission.MANAGE_CENTRES)
        if centre_id is not None:
            self._get(Centre, centre_id, CentreNotFoundError)
        if self._find(User, user_id(name.strip())) is not None:
            raise UserExistsError(f"a user named {name!r} exists already")
        token = new_token()
        with use_clock(self.clock):
            user = User.add(name, role, centre_id, token, actor.name, self.today())
            self.save(user, TokenKey.issue(token, user, actor.name, self.today()))
        return token

    def issue_token(self, actor: Actor, name: str) -> str:
        """Give an existing user a new token; the old one stops working."""
        actor.require(Permission.MANAGE_CENTRES)
        user = self._find(User, user_id(name))
        if user is None:
            raise NotFoundError(f"no user is named {name!r}")
        token = new_token()
        with use_clock(self.clock):
            user.issue_token(token, actor.name, self.today())
            self.save(user, TokenKey.issue(token, user, actor.name, self.today()))
        return token

    def user(self, name: str) -> Actor:
        """A user by name (NotFoundError if there is none)."""
        found = self._find(User, user_id(name))
        if found is None:
            raise NotFoundError(f"no user is named {name!r}")
        return found.as_actor

    def authenticate(self, token: str) -> Actor:
        key = self._find(TokenKey, token_key_id(token))
        user = self._find(User, key.user_id) if key else None
        if user is None or not user.accepts(token):
            raise NotAuthenticatedError("the bearer token is not valid")
        return user.as_actor

    # --- centres ------------------------------------------------------------------------------
    def create_centre(
        self, ctx: Context, name: str, level: CentreLevel, parent_id: UUID | None
    ) -> Outcome:
        def change() -> _Change:
            parent = self._get(Centre, parent_id, CentreNotFoundError) if parent_id else None
            ctx.actor.require(Permission.MANAGE_CENTRES, parent.path if parent else [])
            centre = Centre.found(name, level, parent, ctx.actor.name, self.today())
            return _Change({"id": str(centre.id)}, [centre])

        return self._write(ctx, change)

    def centre(self, actor: Actor, centre_id: UUID) -> Centre:
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        actor.require(Permission.READ, centre.path)
        return centre

    # --- funds ----------------------------------------------------------------------------------
    def open_fund(
        self,
        ctx: Context,
        centre_id: UUID,
        name: str,
        source: FundSource,
        fiscal_year: int,
        purposes: list[AssistanceType],
        business_date: date | None = None,
    ) -> Outcome:
        day = self._day(business_date)

        def change() -> _Change:
            centre = self._get(Centre, centre_id, CentreNotFoundError)
            ctx.actor.require(Permission.RECORD_MONEY, centre.path)
            fund = Fund.open(
                centre.path,
                name,
                source,
                fiscal_year,
                purposes,
                ctx.actor.name,
                day,
            )
            return _Change({"id": str(fund.id)}, [fund])

        return self._write(ctx, change)

    def receive(
        self,
        ctx: Context,
        fund_id: UUID,
        amount_fen: int,
        payer: str,
        reference: str,
        business_date: date,
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            fund = self._money_fund(ctx, fund_id)
            movement_id = uuid4()
            fund.receive(movement_id, amount_fen, payer, reference, ctx.actor.name, business_date)
            return _Change({"id": str(movement_id), "fund_id": str(fund.id)}, [fund])

        return self._write(ctx, change)

    def allocate(
        self,
        ctx: Context,
        fund_id: UUID,
        to_centre_id: UUID,
        amount_fen: int,
        reference: str,
        business_date: date,
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            fund = self._money_fund(ctx, fund_id)
            centre = self._get(Centre, to_centre_id, CentreNotFoundError)
            if centre.parent_id != fund.centre_id:
                raise NotAChildCentreError(
                    f"centre {centre.name!r} is not a direct child of the fund's centre; "
                    "money moves down the tree one level at a time"
                )
            child = self._find(Fund, child_fund_id(fund.id, centre.id)) or Fund.open(
                centre.path,
                fund.name,
                fund.source,
                fund.fiscal_year,
                fund.purposes,
                ctx.actor.name,
                business_date,
                parent_fund_id=fund.id,
            )
            movement_id = uuid4()
            fund.allocate_to(
                child, movement_id, amount_fen, reference, ctx.actor.name, business_date
            )
            return _Change({"id": str(child.id), "movement_id": str(movement_id)}, [fund, child])

        return self._write(ctx, change)

    def return_funds(
        self, ctx: Context, fund_id: UUID, amount_fen: int, reference: str, business_date: date
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            fund = self._money_fund(ctx, fund_id)
            parent = (
                self._get(Fund, fund.parent_fund_id, FundNotFoundError)
                if fund.parent_fund_id
                else None
            )
            movement_id = uuid4()
            fund.return_up(
                parent, movement_id, amount_fen, reference, ctx.actor.name, business_date
            )
            return _Change(
                {"id": str(movement_id), "fund_id": str(fund.id)},
                [fund, parent] if parent else [fund],
            )

        return self._write(ctx, change)

    def _money_fund(self, ctx: Context, fund_id: UUID) -> Fund:
        fund = self._get(Fund, fund_id, FundNotFoundError)
        ctx.actor.require(Permission.RECORD_MONEY, fund.centre_path)
        return fund

    def fund(self, actor: Actor, fund_id: UUID) -> Fund:
        fund = self._get(Fund, fund_id, FundNotFoundError)
        actor.require(Permission.READ, fund.centre_path)
        return fund

    def fund_events(self, actor: Actor, fund_id: UUID) -> Iterator[AggregateEvent]:
        self.fund(actor, fund_id)
        return self.stream(fund_id)

    # --- cases ----------------------------------------------------------------------------------
    def register_case(
        self,
        ctx: Context,
        centre_id: UUID,
        assessment: Assessment,
        person: Person,
        business_date: date | None = None,
    ) -> Outcome:
        day = self._day(business_date)
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, centre.path)
        vault = self._vault()
        person_ref = vault.person_ref(person.id_number)
        case_id = uuid4()  # one id (and one household key) however often the write is retried
        sealed = vault.seal(case_id, person.as_dict())

        def change() -> _Change:
            case = Case.register(
                case_id, centre.path, assessment, sealed, person_ref, ctx.actor.name, day
            )
            index = self._claim_person(ctx.actor, case, day)
            return _Change({"id": str(case.id)}, [case, index])

        try:
            outcome = self._write(ctx, change)
        except BaseException:
            vault.discard(case_id)  # a refused registration leaves no orphan key behind
            raise
        if outcome.replayed:
            vault.discard(case_id)
        return outcome

    def _claim_person(self, actor: Actor, case: Case, business_date: date) -> PersonIndex:
        index = self._find(PersonIndex, person_index_id(case.person_ref))
        if index is None:
            return PersonIndex.claim_new(case.person_ref, case.id, actor.name, business_date)
        try:
            index.claim(case.id, actor.name, business_date)
        except DuplicateArchiveError as refused:
            raise self._duplicate_archive(actor, refused) from None
        return index

    def _duplicate_archive(
        self, actor: Actor, refused: DuplicateArchiveError
    ) -> DuplicateArchiveError:
        """Name the open archive only to a user whose subtree holds it; tell others nothing."""
        holder = self._find(Case, refused.holder) if isinstance(refused.holder, UUID) else None
        if holder is not None and (
            actor.centre_id is None or actor.centre_id in holder.centre_path
        ):
            return DuplicateArchiveError(
                f"this person already has an open archive, case {holder.id}, in your centre's "
                "subtree; one person, one archive (一人一档)"
            )
        return DuplicateArchiveError(
            "this person already has an open archive outside your centre's subtree; "
            "one person, one archive (一人一档): ask the centre above you"
        )

    def reassess(
        self, ctx: Context, case_id: UUID, assessment: Assessment, note: str, business_date: date
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            case = self._managed_case(ctx, case_id)
            reassessment_id = uuid4()
            case.reassess(reassessment_id, assessment, note, ctx.actor.name, business_date)
            return _Change({"id": str(reassessment_id), "case_id": str(case.id)}, [case])

        return self._write(ctx, change)

    def record_visit(
        self,
        ctx: Context,
        case_id: UUID,
        visitors: list[str],
        kind: VisitKind,
        campaign: CampaignKind | None,
        notes: str,
        goods: list[Goods],
        business_date: date,
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            case = self._managed_case(ctx, case_id)
            visit_id = uuid4()
            case.record_visit(
                visit_id, visitors, kind, campaign, notes, goods, ctx.actor.name, business_date
            )
            return _Change({"id": str(visit_id), "case_id": str(case.id)}, [case])

        return self._write(ctx, change)

    def close_case(
        self, ctx: Context, case_id: UUID, reason: ClosureReason, note: str, business_date: date
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            case = self._managed_case(ctx, case_id)
            case.close(reason, note, ctx.actor.name, business_date)
            index = self._get(PersonIndex, person_index_id(case.person_ref), CaseNotFoundError)
            index.release(case.id, ctx.actor.name, business_date)
            return _Change({"id": str(case.id)}, [case, index])

        return self._write(ctx, change)

    def reopen_case(self, ctx: Context, case_id: UUID, note: str, business_date: date) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            case = self._managed_case(ctx, case_id)
            case.reopen(note, ctx.actor.name, business_date)
            index = self._claim_person(ctx.actor, case, business_date)
            return _Change({"id": str(case.id)}, [case, index])

        return self._write(ctx, change)

    def _managed_case(self, ctx: Context, case_id: UUID) -> Case:
        case = self._get(Case, case_id, CaseNotFoundError)
        ctx.actor.require(Permission.MANAGE_CASES, case.centre_path)
        return case

    def case(self, actor: Actor, case_id: UUID) -> Case:
        case = self._get(Case, case_id, CaseNotFoundError)
        actor.require(Permission.READ, case.centre_path)
        return case

    def _vault(self) -> PersonalDataVault:
        if self.vault is None:
            raise RuntimeError("this ledger was opened without a personal-data vault")
        return self.vault

    def read_personal_data(
        self, actor: Actor, sealed: dict[UUID, str], purpose: str
    ) -> dict[UUID, dict[str, Any] | None]:
        """Decrypt households' personal data and record who read whose, and why.

        The caller has checked that these cases lie in the user's subtree; a household whose
        key was destroyed reads as None."""
        actor.require(Permission.READ_PERSONAL_DATA)
        if not sealed:
            return {}
        with use_clock(self.clock):
            self.save(
                PersonalDataRead(
                    case_ids=list(sealed),
                    purpose=purpose,
                    actor=actor.name,
                    business_date=self.today(),
                )
            )
        vault = self._vault()
        return {case_id: vault.open(case_id, blob) for case_id, blob in sealed.items()}

    def may_read_personal_data(self, actor: Actor) -> bool:
        return Permission.READ_PERSONAL_DATA in GRANTS[actor.role]

    def erase_personal_data(self, actor: Actor, case_id: UUID, reason: str) -> Outcome:
        """Destroy the household's key: its personal data becomes unreadable everywhere, while
        every event, balance, chain link and checkpoint stays as it was.

        The erasure is recorded first and the key destroyed after, so a failure in between
        leaves a record and a key that the next attempt destroys, never a silent loss."""
        case = self._get(Case, case_id, CaseNotFoundError)
        actor.require(Permission.MANAGE_CENTRES, case.centre_path)

        def change() -> _Change:
            fresh = self._get(Case, case_id, CaseNotFoundError)
            fresh.note_erasure(reason, actor.name, self.today())
            return _Change({"id": str(case_id)}, [fresh])

        outcome = self._write(Context(actor), change)
        self._vault().erase(case.id, actor.name)
        return outcome

    def case_events(self, actor: Actor, case_id: UUID) -> Iterator[AggregateEvent]:
        self.case(actor, case_id)
        return self.stream(case_id)

    # --- payments ------------------------------------------------------------------------------
    def pay(
        self,
        ctx: Context,
        fund_id: UUID,
        case_id: UUID,
        assistance_type: AssistanceType,
        amount_fen: int,
        reference: str,
        business_date: date,
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            fund = self._money_fund(ctx, fund_id)
            case = self._get(Case, case_id, CaseNotFoundError)
            if fund.centre_id not in case.centre_path:
                raise CaseOutsideFundTreeError(
                    f"case {case.id} belongs to a centre outside the fund's centre and its "
                    "subtree; a fund pays only households at or below its own centre"
                )
            payment_id = uuid4()
            case.receive_assistance(
                payment_id,
                fund.id,
                assistance_type.value,
                amount_fen,
                ctx.actor.name,
                business_date,
            )
            fund.disburse(
                payment_id,
                case.id,
                assistance_type,
                amount_fen,
                reference,
                ctx.actor.name,
                business_date,
            )
            payment = Payment(
                id=payment_id,
                fund_id=fund.id,
                case_id=case.id,
                centre_id=case.centre_id,
                centre_path=case.centre_path,
                assistance_type=assistance_type.value,
                amount_fen=amount_fen,
                reference=reference,
                actor=ctx.actor.name,
                business_date=business_date,
            )
            return _Change({"id": str(payment_id)}, [fund, case, payment])

        return self._write(ctx, change)

    def reverse_payment(
        self, ctx: Context, payment_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome:
        business_date = self._day(business_date)

        def change() -> _Change:
            payment = self._get(Payment, payment_id, PaymentNotFoundError)
            fund = self._money_fund(ctx, payment.fund_id)
            case = self._get(Case, payment.case_id, CaseNotFoundError)
            reversal_id = uuid4()
            payment.reverse(reversal_id, reason, ctx.actor.name, business_date)
            fund.take_back(
                payment.id,
                reversal_id,
                payment.amount_fen,
                reason.strip(),
                ctx.actor.name,
                business_date,
            )
            case.note_reversal(
                payment.id,
                reversal_id,
                payment.amount_fen,
                reason.strip(),
                ctx.actor.name,
                business_date,
            )
            return _Change(
                {"id": str(reversal_id), "payment_id": str(payment.id)}, [payment, fund, case]
            )

        return self._write(ctx, change)

    def payment(self, actor: Actor, payment_id: UUID) -> Payment:
        payment = self._get(Payment, payment_id, PaymentNotFoundError)
        actor.require(Permission.READ, payment.centre_path)
        return payment

    # --- the whole log ---------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return self.recorder.max_notification_id() is None

    def stream(self, aggregate_id: UUID) -> Iterator[AggregateEvent]:
        """One aggregate's events, oldest first."""
        return cast("Iterator[AggregateEvent]", self.events.get(aggregate_id))
