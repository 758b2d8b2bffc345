"""A household's archive (Case): visits, payments, reassessment, closure and relapse."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case, Goods
from domain.errors import (
    CaseClosedError,
    CaseNotClosedError,
    InvalidHouseholdError,
)
from domain.vocabulary import CampaignKind, CaseStatus, Category, Cause, ClosureReason, VisitKind
from tests.unit.support import assessment

DAY = date(2026, 1, 10)
FESTIVAL = CampaignKind.SPRING_FESTIVAL_WARMTH


def archived() -> Case:
    return Case.register(uuid4(), [uuid4(), uuid4()], assessment(), "sealed", "ref", "cw", DAY)


def closed(reason: ClosureReason = ClosureReason.DECEASED) -> Case:
    case = archived()
    case.close(reason, "", "cw", DAY)
    return case


def visit(case: Case, kind: VisitKind, campaign: CampaignKind | None, on: date = DAY) -> None:
    case.record_visit(uuid4(), ["王干事"], kind, campaign, "", [Goods("米面油", 200_00)], "cw", on)


def test_a_new_archive_is_active_with_its_assessment() -> None:
    case = archived()

    assert case.status is CaseStatus.ACTIVE and case.is_open
    assert (case.category, case.household_size) == ("deep_hardship", 3)
    assert case.flags == ["single_parent"]


LIBRARY = {
    ClosureReason.EXITED_INCOME_ABOVE_LINE: CaseStatus.EXITED,
    ClosureReason.STABILIZED_SAFETY_NET: CaseStatus.EXITED,
    ClosureReason.DECEASED: CaseStatus.CANCELLED,
    ClosureReason.TRANSFERRED_OUT: CaseStatus.CANCELLED,
}


@pytest.mark.parametrize(("reason", "status"), LIBRARY.items())
def test_closing_moves_the_case_to_the_library_its_reason_names(
    reason: ClosureReason, status: CaseStatus
) -> None:
    case = closed(reason)

    assert case.status is status and not case.is_open
    assert case.closure_reason == reason.value


def test_a_closed_case_refuses_payments_visits_reassessment_and_another_closure() -> None:
    case = closed()
    case.collect_events()

    with pytest.raises(CaseClosedError):
        case.receive_assistance(uuid4(), uuid4(), "living_relief", 500_00, "fin", DAY)
    with pytest.raises(CaseClosedError):
        visit(case, VisitKind.ROUTINE, None)
    with pytest.raises(CaseClosedError):
        case.reassess(uuid4(), assessment(), "复核", "cw", DAY)
    with pytest.raises(CaseClosedError):
        case.close(ClosureReason.RETIRED, "", "cw", DAY)

    assert (case.received_fen, case.visits) == (0, 0)
    assert case.collect_events() == []


def test_reopening_an_open_case_is_refused() -> None:
    case = archived()

    with pytest.raises(CaseNotClosedError):
        case.reopen("返困", "cw", DAY)


def test_a_relapse_reopens_a_closed_case_as_active() -> None:
    case = closed(ClosureReason.EXITED_INCOME_ABOVE_LINE)

    case.reopen("返困", "cw", DAY)

    assert case.status is CaseStatus.ACTIVE and case.closure_reason is None
    visit(case, VisitKind.ROUTINE, None)
    assert case.visits == 1


def test_a_campaign_visit_must_name_its_campaign() -> None:
    case = archived()

    with pytest.raises(InvalidHouseholdError, match="campaign"):
        visit(case, VisitKind.CAMPAIGN, None)

    assert case.visits == 0


def test_a_routine_visit_must_not_name_a_campaign() -> None:
    case = archived()

    with pytest.raises(InvalidHouseholdError, match="routine"):
        visit(case, VisitKind.ROUTINE, FESTIVAL)

    assert case.visits == 0


def test_a_visit_needs_a_visitor_and_goods_of_honest_value() -> None:
    case = archived()

    with pytest.raises(InvalidHouseholdError):
        case.record_visit(uuid4(), [" "], VisitKind.ROUTINE, None, "", [], "cw", DAY)
    with pytest.raises(InvalidHouseholdError):
        case.record_visit(
            uuid4(), ["王"], VisitKind.ROUTINE, None, "", [Goods("米", -1)], "cw", DAY
        )

    assert case.visits == 0


def test_visits_are_counted_and_the_latest_date_is_kept() -> None:
    case = archived()

    visit(case, VisitKind.CAMPAIGN, FESTIVAL, date(2026, 1, 20))
    visit(case, VisitKind.ROUTINE, None, date(2026, 1, 2))

    assert (case.visits, case.last_visit_on) == (2, date(2026, 1, 20))


def test_a_reassessment_updates_category_causes_size_and_income() -> None:
    case = archived()
    again = assessment(category=Category.RELATIVE_HARDSHIP, primary_cause=Cause.ACCIDENT,
                       secondary_causes=(), household_size=4, income_fen=1_200_00)  # fmt: skip

    case.reassess(uuid4(), again, "年度复核", "cw", DAY)

    assert (case.category, case.primary_cause, case.secondary_causes) == (
        "relative_hardship", "accident", [],
    )  # fmt: skip
    assert (case.household_size, case.income_fen) == (4, 1_200_00)


def test_payments_and_their_reversals_are_totalled_on_the_case() -> None:
    case = archived()
    payment_id = uuid4()

    case.receive_assistance(payment_id, uuid4(), "living_relief", 800_00, "fin", DAY)
    case.note_reversal(payment_id, uuid4(), 800_00, "错付", "fin", DAY)

    assert (case.received_fen, case.reversed_fen) == (800_00, 800_00)


def test_replaying_a_cases_events_rebuilds_its_status_and_history() -> None:
    case = closed(ClosureReason.EXITED_INCOME_ABOVE_LINE)
    case.reopen("返困", "cw", DAY)
    visit(case, VisitKind.ROUTINE, None)

    rebuilt = None
    for stored in case.collect_events():
        rebuilt = stored.mutate(rebuilt)

    assert isinstance(rebuilt, Case)
    assert (rebuilt.status, rebuilt.visits, rebuilt.category) == (
        CaseStatus.ACTIVE,
        1,
        case.category,
    )
