"""Read models built from events: each module turns events into rows a user reads."""

from __future__ import annotations

from domain.application import Ledger
from projections.approvals import ApprovalsView
from projections.archive import ArchiveView
from projections.audit import AuditView
from projections.campaigns import CampaignsView
from projections.conservation import ConservationView
from projections.dynamics import DynamicsView
from projections.earmarks import EarmarksView
from projections.filing import FilingView
from projections.funds import FundsView
from projections.matching import MatchingView
from projections.policy import PolicyView
from projections.provenance import ProvenanceView
from projections.referrals import ReferralsView
from projections.runner import Projector
from projections.schedules import SchedulesView
from projections.suspicious import SuspiciousView
from stores.sql import SqlDatabase


class Views:
    """The read models of one store, and the projector that keeps them current."""

    def __init__(self, ledger: Ledger, batch_size: int = 2000) -> None:
        db = SqlDatabase(ledger)
        self.archive = ArchiveView(db)
        self.funds = FundsView(db)
        self.audit = AuditView(db)
        # the supervision reports, each its own view so that one stopped stops alone
        self.provenance = ProvenanceView(db)
        self.matching = MatchingView(db)
        self.suspicious = SuspiciousView(db)
        self.earmarks = EarmarksView(db)
        self.conservation = ConservationView(db)
        self.policy = PolicyView(db)  # local policy in force at each centre
        self.referrals = ReferralsView(db)  # open referrals and their counts (转介)
        self.campaigns = CampaignsView(db)  # campaigns, rosters and coverage (两节送温暖 ...)
        self.schedules = SchedulesView(db)  # recurring subsidies and the months due (定期生活补助)
        self.approvals = ApprovalsView(db)  # payment requests, approvers' queues (支付审批)
        self.filing = FilingView(db)  # applications, their deadlines, category overrides (建档)
        self.dynamics = DynamicsView(db)  # reviews due, exit candidates, statistics (动态管理)
        self.projector = Projector(
            ledger,
            [
                self.archive,
                self.funds,
                self.audit,
                self.provenance,
                self.matching,
                self.suspicious,
                self.earmarks,
                self.conservation,
                self.policy,
                self.referrals,
                self.campaigns,
                self.schedules,
                self.approvals,
                self.filing,
                self.dynamics,
            ],
            batch_size,
        )
