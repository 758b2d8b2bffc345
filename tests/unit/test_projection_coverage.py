"""Every read model decides about every event: it applies it or says that it ignores it, so a
new event cannot slip past a view unnoticed."""

from __future__ import annotations

import pytest

from domain.catalogue import CATALOGUE, kind
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
from projections.schedules import SchedulesView
from projections.suspicious import SuspiciousView
from projections.view import View

VIEWS = [
    ArchiveView,
    FundsView,
    AuditView,
    ProvenanceView,
    MatchingView,
    SuspiciousView,
    EarmarksView,
    ConservationView,
    PolicyView,
    ReferralsView,
    DynamicsView,
    FilingView,
    CampaignsView,
    SchedulesView,
    ApprovalsView,
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_a_view_applies_or_ignores_each_event_of_the_catalogue_and_nothing_twice(
    view: type[View],
) -> None:
    handled = set(CATALOGUE) if view.handles is None else set(view.handles)
    ignored = set(view.ignores)

    assert sorted(kind(c) for c in set(CATALOGUE) - handled - ignored) == []
    assert sorted(kind(c) for c in handled & ignored) == []
    assert sorted(kind(c) for c in (handled | ignored) - set(CATALOGUE)) == []
