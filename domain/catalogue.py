"""What every event means, in one place beside the events.

Projections, supervision, exports, the timeline and the audit package ask this table what an
event is (its Chinese and English label, which fund balance it moves and which way, which centre
it concerns, which fields hold personal data or credentials) and name events by their class, never
by a string. A test walks every event class of domain/ and fails when one has no meaning here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from eventsourcing.domain import DomainEvent

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


@dataclass(frozen=True)
class Leg:
    """How an event moves the balance of the fund that records it (its originator)."""

    sign: int  # +1 credits the fund, -1 debits it
    total: str  # the running total it feeds, e.g. "received_fen"
    counterparty: str  # payer, parent_fund, child_fund or case
    counterparty_field: str | None  # the field naming the counterparty, if any
    amount: str = "amount_fen"
    counterparty_if_none: str | None = None  # who it is when that field is empty

    def counterparty_of(self, fields: dict[str, Any]) -> tuple[str, Any]:
        """The kind of counterparty and its id (None for a payer outside the ledger)."""
        named = fields.get(self.counterparty_field) if self.counterparty_field else None
        if named is None and self.counterparty_if_none:
            return self.counterparty_if_none, None
        return self.counterparty, named


@dataclass(frozen=True)
class EventMeaning:
    """What one event class means to the people who read the ledger."""

    zh: str
    en: str
    leg: Leg | None = None  # set when the event moves a fund's money
    centre_field: str | None = None  # on a first event: the field naming the aggregate's centre
    personal: tuple[str, ...] = ()  # fields holding (sealed) personal data
    credentials: tuple[str, ...] = ()  # fields that never leave the ledger (token, password hashes)
    correction_of: str | None = None  # the field naming the fact this event corrects

    @property
    def moves_money(self) -> bool:
        return self.leg is not None


def _movement(
    zh: str, en: str, sign: int, total: str, party: str, field: str | None, **more: Any
) -> EventMeaning:
    return EventMeaning(zh, en, leg=Leg(sign, total, party, field, **more))


CATALOGUE: dict[type[DomainEvent], EventMeaning] = {
    Centre.Created: EventMeaning("设立", "Centre created", centre_field="originator_id"),
    Fund.Opened: EventMeaning("开立", "Fund opened", centre_field="centre_id"),
    Fund.Received: _movement("拨入", "Received", +1, "received_fen", "payer", None),
    Fund.AllocatedOut: _movement(
        "下拨", "Allocated down", -1, "allocated_out_fen", "child_fund", "to_fund_id"
    ),
    Fund.AllocatedIn: _movement(
        "上级下拨", "Allocated in", +1, "allocated_in_fen", "parent_fund", "from_fund_id"
    ),
    Fund.Returned: _movement(  # from a top fund, money returns to its payer
        "退回/上缴",
        "Returned",
        -1,
        "returned_fen",
        "parent_fund",
        "to_fund_id",
        counterparty_if_none="payer",
    ),
    Fund.ReturnReceived: _movement(
        "下级退回", "Return received", +1, "returns_received_fen", "child_fund", "from_fund_id"
    ),
    Fund.Disbursed: _movement("帮扶支出", "Paid", -1, "disbursed_fen", "case", "case_id"),
    Fund.DisbursementReversed: EventMeaning(
        "支出冲正",
        "Payment reversed",
        leg=Leg(+1, "reversed_fen", "case", None),
        correction_of="payment_id",
    ),
    Fund.Reserved: EventMeaning("预留", "Reserved for a payment request"),
    Fund.ReservationReleased: EventMeaning("释放预留", "Reservation released"),
    Case.Registered: EventMeaning(
        "建档", "Filed", centre_field="centre_id", personal=("person_sealed", "person_ref")
    ),
    Case.Reassessed: EventMeaning("复核", "Reviewed"),
    Case.Visited: EventMeaning("走访", "Visited"),
    Case.AssistanceReceived: EventMeaning("帮扶支出", "Assistance received"),
    Case.AssistanceReversed: EventMeaning(
        "冲正", "Assistance reversed", correction_of="payment_id"
    ),
    Case.Closed: EventMeaning("结档", "Closed"),
    Case.Reopened: EventMeaning("返困重启", "Reopened"),
    Case.PersonalDataErased: EventMeaning("个人信息销毁", "Personal data erased"),
    Case.MemberJoined: EventMeaning(
        "家庭成员增加", "Member joined", personal=("person_sealed", "member_ref")
    ),
    Case.MemberLeft: EventMeaning("家庭成员减少", "Member left", personal=("person_sealed",)),
    Case.MemberDied: EventMeaning("家庭成员死亡", "Member died", personal=("person_sealed",)),
    Case.Transferred: EventMeaning("转档", "Transferred to another centre"),
    Application.Received: EventMeaning(
        "建档申请受理",
        "Application received",
        centre_field="centre_id",
        personal=("person_sealed", "person_refs"),
    ),
    Application.Reviewed: EventMeaning("审核", "Application reviewed"),
    Application.HomeVisited: EventMeaning("入户核查", "Home visit checked"),
    Application.IncomeChecked: EventMeaning("收入核对", "Income checked"),
    Application.NoticePosted: EventMeaning("公示", "Public notice posted"),
    Application.ObjectionRaised: EventMeaning("公示异议", "Objection raised"),
    Application.ObjectionHandled: EventMeaning("异议处理", "Objection handled"),
    Application.Filed: EventMeaning("申请建档", "Application filed"),
    Application.Rejected: EventMeaning("不予建档", "Application rejected"),
    Payment.Made: EventMeaning("支付", "Payment made", centre_field="centre_id"),
    Payment.Reversed: EventMeaning("冲正", "Payment reversed", correction_of="originator_id"),
    Referral.Made: EventMeaning("转介", "Referred", centre_field="centre_id"),
    Referral.OutcomeRecorded: EventMeaning("转介结果", "Referral outcome"),
    Referral.OutcomeCorrected: EventMeaning(
        "转介结果更正", "Referral outcome corrected", correction_of="corrects"
    ),
    Referral.FollowedUp: EventMeaning("转介跟进", "Referral followed up"),
    Referral.Withdrawn: EventMeaning("转介撤回", "Referral withdrawn"),
    PaymentRequest.Requested: EventMeaning(
        "支付申请", "Payment requested", centre_field="centre_id"
    ),
    PaymentRequest.Approved: EventMeaning("支付审批通过", "Payment request approved"),
    PaymentRequest.Rejected: EventMeaning("支付申请驳回", "Payment request rejected"),
    PaymentRequest.Voided: EventMeaning("支付申请作废", "Payment request voided"),
    PaymentRequest.Expired: EventMeaning("支付申请过期", "Payment request expired"),
    Campaign.Opened: EventMeaning("活动启动", "Campaign opened", centre_field="centre_id"),
    Campaign.ExceptionNoted: EventMeaning("活动未覆盖原因", "Campaign exception noted"),
    Campaign.Charged: EventMeaning("活动支出计入预算", "Campaign payment charged"),
    Campaign.ReversalCredited: EventMeaning("活动冲正退回预算", "Campaign reversal credited"),
    Campaign.Closed: EventMeaning("活动结束", "Campaign closed"),
    Schedule.Set: EventMeaning(
        "定期生活补助设立", "Recurring subsidy set", centre_field="centre_id"
    ),
    Schedule.MonthPaid: EventMeaning("定期补助月度发放", "Recurring subsidy month paid"),
    Schedule.Stopped: EventMeaning("定期补助停发", "Recurring subsidy stopped"),
    IncomeBook.Opened: EventMeaning("收入台账建立", "Income book opened", centre_field="centre_id"),
    IncomeBook.IncomeRecorded: EventMeaning("收入登记", "Monthly income recorded"),
    IncomeBook.IncomeCorrected: EventMeaning(
        "收入更正", "Monthly income corrected", correction_of="corrects"
    ),
    Policy.Started: EventMeaning("本级政策建立", "Centre policy started", centre_field="centre_id"),
    Policy.ParameterSet: EventMeaning(
        "设定政策参数", "Policy parameter set", correction_of="corrects"
    ),
    Policy.SettingWithdrawn: EventMeaning(
        "撤销政策参数设定", "Policy setting withdrawn", correction_of="setting_id"
    ),
    PersonIndex.Claimed: EventMeaning("一人一档登记", "Person indexed"),
    PersonIndex.Reclaimed: EventMeaning("一人一档重新登记", "Person re-indexed"),
    PersonIndex.Released: EventMeaning("一人一档释放", "Person released"),
    PersonIndex.ApplicationHeld: EventMeaning("一人一档申请占用", "Person held by an application"),
    PersonIndex.ApplicationReleased: EventMeaning(
        "一人一档申请释放", "Person released by an application"
    ),
    User.Added: EventMeaning(
        "添加用户", "User added", centre_field="centre_id", credentials=("token_sha256",)
    ),
    User.TokenIssued: EventMeaning("签发令牌", "Token issued", credentials=("token_sha256",)),
    User.PasswordSet: EventMeaning("设置密码", "Password set", credentials=("password_hash",)),
    TokenKey.Issued: EventMeaning(  # its id is derived from the token's hash
        "令牌索引", "Token indexed", credentials=("originator_id",)
    ),
    IdempotencyRecord.Recorded: EventMeaning(
        "幂等记录", "Idempotent write remembered", credentials=("request_sha256",)
    ),
    PersonalDataRead.Recorded: EventMeaning("查阅个人信息", "Personal data read"),
    BankAccount.Recorded: EventMeaning(
        "银行账户登记",
        "Bank account recorded",
        centre_field="centre_id",
        personal=("account_sealed", "account_ref"),
    ),
    BankAccount.Replaced: EventMeaning(
        "银行账户变更", "Bank account replaced", personal=("account_sealed", "account_ref")
    ),
}


def kind(event_class: type[DomainEvent]) -> str:
    """The event's stable name as stored in its topic: "Fund.Disbursed"."""
    return event_class.__qualname__


@cache
def _by_kind() -> dict[str, tuple[type[DomainEvent], EventMeaning]]:
    return {kind(cls): (cls, meaning) for cls, meaning in CATALOGUE.items()}


def meaning(event: DomainEvent | type[DomainEvent] | str) -> EventMeaning:
    """The meaning of an event, its class, or its kind name ("Fund.Disbursed")."""
    if isinstance(event, str):
        return _by_kind()[event][1]
    cls = event if isinstance(event, type) else type(event)
    return CATALOGUE[cls]


def event_class(kind_name: str) -> type[DomainEvent]:
    """The class of a kind name read from a stored topic (KeyError for an unknown one)."""
    return _by_kind()[kind_name][0]


def money_events() -> Iterator[tuple[type[DomainEvent], Leg]]:
    """Every event class that moves a fund's balance, with how."""
    for cls, m in CATALOGUE.items():
        if m.leg is not None:
            yield cls, m.leg


def shown_fields(event: DomainEvent | type[DomainEvent], fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of an event without its credentials (token and password hashes never leave the
    ledger)."""
    hidden = set(meaning(event).credentials)
    return {k: v for k, v in fields.items() if k not in hidden}
