"""A read model's shape: its tables (one set per generation), how a batch changes them, and
what a reader is told when the view is behind or has stopped at an event it cannot apply."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from eventsourcing.domain import AggregateEvent, DomainEvent

from domain.applications import Application
from domain.bank_accounts import BankAccount
from domain.campaigns import Campaign
from domain.cases import Case
from domain.centres import Centre
from domain.data_access import PersonalDataRead
from domain.funds import Fund
from domain.idempotency import IdempotencyRecord
from domain.incomes import IncomeBook
from domain.payment_requests import PaymentRequest
from domain.payments import Payment
from domain.person_index import PersonIndex
from domain.policy import Policy
from domain.referrals import Referral
from domain.schedules import Schedule
from domain.users import TokenKey, User
from projections.view_errors import ViewBehindError as ViewBehindError
from projections.view_errors import ViewFailedError as ViewFailedError
from stores.sql import Cursor, SqlDatabase

Batch = Sequence[tuple[int, AggregateEvent]]


class Signal(Protocol):
    """A flag one thread or process sets and another waits for (threading's or
    multiprocessing's Event)."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


# A household's referrals to government channels (the referrals view reads them).
REFERRAL_EVENTS: tuple[type[DomainEvent], ...] = (
    Referral.Made,
    Referral.OutcomeRecorded,
    Referral.OutcomeCorrected,
    Referral.FollowedUp,
    Referral.Withdrawn,
)

# Campaigns (两节送温暖, 金秋助学 ...): the campaigns view reads them.
CAMPAIGN_EVENTS: tuple[type[DomainEvent], ...] = (
    Campaign.Opened,
    Campaign.ExceptionNoted,
    Campaign.Charged,
    Campaign.ReversalCredited,
    Campaign.Closed,
)

# Recurring subsidies (定期生活补助): the schedules view reads them.
SCHEDULE_EVENTS: tuple[type[DomainEvent], ...] = (
    Schedule.Set,
    Schedule.MonthPaid,
    Schedule.Stopped,
)

# Local policy: a centre's dated settings (the policy and suspicious views read them).
POLICY_EVENTS: tuple[type[DomainEvent], ...] = (
    Policy.Started,
    Policy.ParameterSet,
    Policy.SettingWithdrawn,
)

# A household's monthly income records (the dynamics view reads them).
INCOME_EVENTS: tuple[type[DomainEvent], ...] = (
    IncomeBook.Opened,
    IncomeBook.IncomeRecorded,
    IncomeBook.IncomeCorrected,
)

# Filing (申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档): the filing view reads them.
APPLICATION_EVENTS: tuple[type[DomainEvent], ...] = (
    Application.Received,
    Application.Reviewed,
    Application.HomeVisited,
    Application.IncomeChecked,
    Application.NoticePosted,
    Application.ObjectionRaised,
    Application.ObjectionHandled,
    Application.Filed,
    Application.Rejected,
)

# A household's changes and its transfer (一户一档, 转档): the archive reads them (a transfer
# moves its scope); views that read none of a case's own events ignore them with this list.
HOUSEHOLD_EVENTS: tuple[type[DomainEvent], ...] = (
    Case.MemberJoined,
    Case.MemberLeft,
    Case.MemberDied,
    Case.Transferred,
)

# Filing and a household's changes (the archive reads those alone), payments (their money is
# the fund's own events), the person index, users, referrals, incomes and write bookkeeping:
# neither the archive nor the funds view reads them, and both say so with this list.
# Payment requests (maker-checker, 支付审批): the approvals view reads them.
REQUEST_EVENTS: tuple[type[DomainEvent], ...] = (
    PaymentRequest.Requested,
    PaymentRequest.Approved,
    PaymentRequest.Rejected,
    PaymentRequest.Voided,
    PaymentRequest.Expired,
)

# Money held for payment requests awaiting approval (预留): the balance does not move; the fund
# itself keeps what is reserved (GET /funds/{id}), and the approvals view reads the requests'
# own events, so every view ignores these with the list below.
FUND_RESERVATIONS: tuple[type[DomainEvent], ...] = (Fund.Reserved, Fund.ReservationReleased)

# A household's bank account (银行账户), sealed: no view reads it (rosters, bank files).
BANK_ACCOUNT_EVENTS: tuple[type[DomainEvent], ...] = (BankAccount.Recorded, BankAccount.Replaced)

OUTSIDE_CASES_AND_FUNDS: tuple[type[DomainEvent], ...] = (
    *FUND_RESERVATIONS,
    *REQUEST_EVENTS,
    *BANK_ACCOUNT_EVENTS,
    *APPLICATION_EVENTS,
    *HOUSEHOLD_EVENTS,
    *REFERRAL_EVENTS,
    *CAMPAIGN_EVENTS,
    *SCHEDULE_EVENTS,
    *POLICY_EVENTS,
    *INCOME_EVENTS,
    Payment.Made,
    Payment.Reversed,
    PersonIndex.Claimed,
    PersonIndex.Reclaimed,
    PersonIndex.Released,
    PersonIndex.ApplicationHeld,
    PersonIndex.ApplicationReleased,
    User.Added,
    User.TokenIssued,
    User.PasswordSet,
    TokenKey.Issued,
    IdempotencyRecord.Recorded,
    PersonalDataRead.Recorded,
)

# Every event of a household's archive, and every event that moves a fund's money.
CASE_EVENTS: tuple[type[DomainEvent], ...] = (
    Case.Registered,
    Case.Reassessed,
    Case.Visited,
    Case.AssistanceReceived,
    Case.AssistanceReversed,
    Case.Closed,
    Case.Reopened,
    Case.PersonalDataErased,
)
FUND_MOVEMENTS: tuple[type[DomainEvent], ...] = (
    Fund.Received,
    Fund.AllocatedOut,
    Fund.AllocatedIn,
    Fund.Returned,
    Fund.ReturnReceived,
    Fund.Disbursed,
    Fund.DisbursementReversed,
)


def every_event_but(handled: tuple[type[DomainEvent], ...]) -> tuple[type[DomainEvent], ...]:
    """Every event of the catalogue but those a view handles: what a view that reads a few
    ignores."""
    every: tuple[type[DomainEvent], ...] = (
        Centre.Created,
        Fund.Opened,
        *FUND_MOVEMENTS,
        *CASE_EVENTS,
        *OUTSIDE_CASES_AND_FUNDS,
    )
    return tuple(e for e in every if e not in handled)


class View(ABC):
    """A read model: its tables (one set per generation) and how a batch of events changes them."""

    name: ClassVar[str]
    tables: ClassVar[dict[str, str]]  # base name -> column definitions
    indexes: ClassVar[list[tuple[str, str]]] = []  # (table base name, columns)
    build_indexes: ClassVar[tuple[int, ...] | None] = None  # those its apply reads; None: all
    # The events it applies and those it ignores, by class; between them every event of the
    # catalogue (tests/unit/test_projection_coverage.py). None applies every event.
    handles: ClassVar[tuple[type[DomainEvent], ...] | None] = None
    ignores: ClassVar[tuple[type[DomainEvent], ...]] = ()

    def relevant(self, batch: Batch) -> Batch:
        """The events of a batch this view applies (its position moves past the others)."""
        if self.handles is None:
            return batch
        return [(p, e) for p, e in batch if isinstance(e, self.handles)]

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def table(self, base: str, generation: int) -> str:
        return self.db.table(f"{base}_g{generation}")

    def create(self, cursor: Cursor, generation: int, building: bool = False) -> None:
        """Make a generation's tables and indexes (while a rebuild fills it, only those of
        ``build_indexes``: the others are made at once when it is full, which is faster)."""
        for base, columns in self.tables.items():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.table(base, generation)} ({columns})")
        for n, (base, columns) in enumerate(self.indexes):
            if building and self.build_indexes is not None and n not in self.build_indexes:
                continue
            index = f"{base}_g{generation}_i{n}"
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {self.table(base, generation)} ({columns})"
            )

    def generation(self, cursor: Cursor | None = None) -> int:
        """The generation of tables that readers use now (read in ``cursor``'s transaction)."""
        statement = f"SELECT generation FROM {self.db.table('view_state')} WHERE view = %s"
        if cursor is None:
            row = self.db.one(statement, (self.name,))
        else:
            cursor.execute(self.db.sql(statement), (self.name,))
            row = cursor.fetchone()
        if row is None:
            raise ViewBehindError(self.name, 0, 1)
        return int(row["generation"])

    @contextmanager
    def reading(self) -> Iterator[tuple[Cursor, int]]:
        """A cursor and the generation readers use now, read in its transaction: a read of the
        view takes one connection from the pool and one transaction, not two."""
        with self.db.transaction(commit=False) as cursor:
            yield cursor, self.generation(cursor)

    def fetch(self, cursor: Cursor, statement: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """The rows of one statement in ``cursor``'s transaction (with ``reading``)."""
        cursor.execute(self.db.sql(statement), tuple(params))
        return [dict(row) for row in cursor.fetchall()]

    def rows_by_key(
        self, cursor: Cursor, table: str, key: str, ids: set[str]
    ) -> dict[str, dict[str, Any]]:
        """The rows whose ``key`` is one of ``ids``, keyed by it (read in chunks of 500)."""
        return {r[key]: r for r in self.rows_in(cursor, table, key, ids)}

    def rows_in(
        self, cursor: Cursor, table: str, key: str, ids: Iterable[str]
    ) -> list[dict[str, Any]]:
        """Every row whose ``key`` is one of ``ids`` (several a key may match), in chunks."""
        rows: list[dict[str, Any]] = []
        id_list = sorted(set(ids))
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                self.db.sql(f"SELECT * FROM {table} WHERE {key} IN ({marks})"), tuple(chunk)
            )
            rows += [dict(r) for r in cursor.fetchall()]
        return rows

    def drop(self, cursor: Cursor, generation: int) -> None:
        for base in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table(base, generation)}")

    @abstractmethod
    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        """Apply events in log order; called inside the batch's transaction."""


@dataclass(frozen=True)
class ViewState:
    """Which generation of a view's tables is current, and how far it has read the log."""

    view: str
    generation: int
    position: int
