"""A household's archive: assessment rules, visits, closure, relapse, one archive per person."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Assessment, Case, Goods, Person
from domain.errors import (
    AlreadyReversedError,
    CaseClosedError,
    CaseNotClosedError,
    DuplicateArchiveError,
    InvalidHouseholdError,
    InvalidIdNumberError,
    InvalidInputError,
)
from domain.payments import Payment
from domain.person_index import PersonIndex
from domain.users import User
from domain.vocabulary import (
    CampaignKind,
    Category,
    Cause,
    ClosureReason,
    HouseholdFlag,
    Role,
    VisitKind,
)

DAY = date(2026, 1, 5)
ID = "11010519491231002X"


def assessment(**changes: object) -> Assessment:
    fields: dict[str, object] = {
        "category": Category.DEEP_HARDSHIP,
        "primary_cause": Cause.SERIOUS_ILLNESS,
        "secondary_causes": (Cause.LAID_OFF_UNEMPLOYED,),
        "household_size": 3,
        "income_fen": 650_00,
        "flags": (HouseholdFlag.ZERO_EMPLOYMENT_FAMILY,),
    }
    return Assessment(**(fields | changes))  # type: ignore[arg-type]


def case() -> Case:
    return Case.register(uuid4(), [uuid4()], assessment(), "sealed", "keyed-hash", "a", DAY)


@pytest.mark.parametrize(
    "changes",
    [
        {
            "secondary_causes": (
                Cause.ACCIDENT,
                Cause.OTHER,
                Cause.NATURAL_DISASTER,
                Cause.CHILD_SCHOOLING,
            )
        },
        {"secondary_causes": (Cause.ACCIDENT, Cause.ACCIDENT)},
        {"secondary_causes": (Cause.SERIOUS_ILLNESS,)},
        {"household_size": 0},
        {"household_size": 31},
        {"income_fen": -1},
    ],
)
def test_an_assessment_out_of_range_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidHouseholdError):
        assessment(**changes)


def test_a_person_needs_a_name_a_valid_id_number_and_a_plausible_phone() -> None:
    with pytest.raises(InvalidHouseholdError):
        Person.checked(" ", ID, "")
    with pytest.raises(InvalidIdNumberError):
        Person.checked("张三", "110105194912310021", "")
    with pytest.raises(InvalidHouseholdError):
        Person.checked("张三", ID, "call me")


def test_a_closed_case_takes_no_payment_and_no_visit() -> None:
    c = case()
    c.close(ClosureReason.DECEASED, "", "a", DAY)

    with pytest.raises(CaseClosedError):
        c.receive_assistance(uuid4(), uuid4(), "living_relief", 100, "a", DAY)
    with pytest.raises(CaseClosedError):
        c.record_visit(uuid4(), ["王"], VisitKind.ROUTINE, None, "", [], "a", DAY)
    assert c.status.value == "cancelled"


def test_closing_for_income_above_the_line_exits_and_relapse_reopens() -> None:
    c = case()
    with pytest.raises(CaseNotClosedError):
        c.reopen("", "a", DAY)

    c.close(ClosureReason.EXITED_INCOME_ABOVE_LINE, "", "a", DAY)
    assert c.status.value == "exited"
    c.reopen("返困", "a", DAY)

    assert c.is_open and c.closure_reason is None


def test_a_campaign_visit_names_its_campaign_and_a_routine_one_does_not() -> None:
    c = case()

    with pytest.raises(InvalidHouseholdError):
        c.record_visit(uuid4(), ["王"], VisitKind.CAMPAIGN, None, "", [], "a", DAY)
    with pytest.raises(InvalidHouseholdError):
        c.record_visit(
            uuid4(), ["王"], VisitKind.ROUTINE, CampaignKind.SUMMER_COOLING, "", [], "a", DAY
        )
    c.record_visit(
        uuid4(),
        ["王"],
        VisitKind.CAMPAIGN,
        CampaignKind.SPRING_FESTIVAL_WARMTH,
        "",
        [Goods("米面油", 200_00)],
        "a",
        date(2026, 1, 20),
    )
    assert (c.visits, c.last_visit_on) == (1, date(2026, 1, 20))


def test_a_reassessment_changes_the_category_and_income() -> None:
    c = case()

    c.reassess(
        uuid4(),
        assessment(category=Category.RELATIVE_HARDSHIP, income_fen=1200_00),
        "年度复核",
        "a",
        DAY,
    )

    assert (c.category, c.income_fen) == ("relative_hardship", 1200_00)


def test_one_person_has_one_open_archive_until_it_closes() -> None:
    first, second = uuid4(), uuid4()
    index = PersonIndex.claim_new(ID, first, "a", DAY)

    with pytest.raises(DuplicateArchiveError):
        index.claim(second, "a", DAY)
    index.release(first, "a", DAY)
    index.claim(second, "a", DAY)

    assert index.open_case_id == second


def test_a_payment_is_reversed_once_and_only_with_a_reason() -> None:
    p = Payment(
        id=uuid4(),
        fund_id=uuid4(),
        case_id=uuid4(),
        centre_id=uuid4(),
        centre_path=[],
        assistance_type="living_relief",
        amount_fen=100,
        reference="",
        actor="a",
        business_date=DAY,
    )

    with pytest.raises(InvalidInputError):
        p.reverse(uuid4(), "  ", "a", DAY)
    p.reverse(uuid4(), "错付", "a", DAY)
    with pytest.raises(AlreadyReversedError):
        p.reverse(uuid4(), "错付", "a", DAY)


def test_a_user_accepts_only_the_current_token() -> None:
    user = User.add("alice", Role.FINANCE, None, "first", "a", DAY)
    assert user.accepts("first") and not user.accepts("other")

    user.issue_token("second", "a", DAY)

    assert user.accepts("second") and not user.accepts("first")
