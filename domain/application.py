"""The Ledger application: one method per use case, each saved atomically in one ``save()``.

The write machinery (retries, idempotency, the clock) is in domain/writes.py; the use cases are
grouped by area in domain/use_cases/. This class puts them together over one event store.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from domain.campaigns import Campaign
from domain.cases import Case
from domain.funds import Fund
from domain.use_cases.access import AccessUseCases
from domain.use_cases.approvals import ApprovalUseCases
from domain.use_cases.bank_files import BankFileUseCases
from domain.use_cases.campaigns import CampaignUseCases
from domain.use_cases.cases import CaseUseCases
from domain.use_cases.filing import FilingUseCases
from domain.use_cases.household import HouseholdUseCases
from domain.use_cases.money import MoneyUseCases
from domain.use_cases.policy import PolicyUseCases
from domain.use_cases.referrals import ReferralUseCases
from domain.use_cases.review import ReviewUseCases
from domain.use_cases.rosters import RosterUseCases
from domain.use_cases.schedules import ScheduleUseCases
from domain.use_cases.search import SearchUseCases
from domain.use_cases.sign_in import SignInUseCases
from domain.use_cases.supervision import SupervisionUseCases
from domain.writes import Context, DateAsISO, Outcome

__all__ = ["Context", "DateAsISO", "Ledger", "Outcome"]


class Ledger(
    AccessUseCases,
    SignInUseCases,
    ScheduleUseCases,  # 定期生活补助; extends MoneyUseCases and PolicyUseCases
    CampaignUseCases,  # 两节送温暖, 金秋助学 ...; extends MoneyUseCases and CaseUseCases
    ApprovalUseCases,  # maker-checker (支付审批); extends MoneyUseCases and PolicyUseCases
    RosterUseCases,  # 花名册 in; extends MoneyUseCases and PolicyUseCases
    BankFileUseCases,  # 银行代发 file out, 回盘 in; extends MoneyUseCases
    MoneyUseCases,
    ReviewUseCases,  # incomes and reviews (动态管理); its case timeline adds to the referrals
    ReferralUseCases,  # before CaseUseCases, which it extends
    FilingUseCases,  # 申请 → 审核 → 入户核查 → 公示 → 建档; extends CaseUseCases and PolicyUseCases
    HouseholdUseCases,  # members join, leave, die; 转档
    CaseUseCases,
    SearchUseCases,
    SupervisionUseCases,
    PolicyUseCases,
):
    """Bangfu's use cases over the event store (PostgreSQL or SQLite)."""

    name = "Bangfu"
    snapshotting_intervals = {Fund: 100, Case: 100, Campaign: 100}  # noqa: RUF012 - the library's class var

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, without its check of each object against a runtime protocol
        (a fifth of a large write's time on Python 3.11): an aggregate or an event of ours is
        known by its class; anything else is left to the library's check."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events += obj.collect_events()
                processing_event.aggregates[obj.id] = obj
            elif isinstance(obj, Aggregate.Event):
                processing_event.events.append(obj)
            else:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as it calls it
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """One snapshot of each aggregate whose save passed a multiple of its interval, of the
        state just saved: the library's would replay the stream from the store once for each
        multiple passed, and one write of a roster passes several on its fund."""
        if self.snapshots is None:
            return
        due: dict[UUID, Any] = {}
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate)) if aggregate else None
            if interval and event.originator_version % interval == 0:
                due[event.originator_id] = aggregate
        for aggregate in due.values():
            if aggregate.pending_events:  # not as saved: replay it from the store
                self.take_snapshot(aggregate.id)
                continue
            snapshot_class: Any = getattr(type(aggregate), "Snapshot", self.snapshot_class)
            self.snapshots.put([snapshot_class.take(aggregate)])
