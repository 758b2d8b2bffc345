"""A campaign (两节送温暖, 金秋助学 ...) is opened with a plan that holds together, reaches only
households of its subtree within its window, never spends past its budget (a reversal gives its
amount back once), pays at most its standard, and closes only when every household not reached
has a reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.campaign_terms import ExceptionReason, Excuse, Plan, campaign_payment_id
from domain.campaigns import Campaign, open_campaign
from domain.cases import Case
from domain.centres import Centre
from domain.errors import (
    CampaignBudgetExceededError,
    CampaignClosedError,
    InvalidCampaignError,
    OutsideCampaignError,
    PurposeNotAllowedError,
    UnreachedWithoutReasonError,
)
from domain.funds import Fund
from domain.payments import Payment
from domain.policy_parameters import SchoolLevel
from domain.vocabulary import AssistanceType, CampaignKind, Category, CentreLevel, FundSource
from tests.unit.support import assessment

OPENED, START, END = date(2026, 1, 5), date(2026, 1, 10), date(2026, 2, 20)
IN_WINDOW = date(2026, 1, 20)
CITY = Centre.found("长春市", CentreLevel.PREFECTURE, None, "admin", OPENED)
STREET = Centre.found("前进街道", CentreLevel.STREET, CITY, "admin", OPENED)
WARMTH, SPRING = AssistanceType.WARMTH_VISIT, CampaignKind.SPRING_FESTIVAL_WARMTH


def fund(centre: Centre = CITY, purposes: tuple[AssistanceType, ...] = (WARMTH,)) -> Fund:
    return Fund.open(
        centre.path, "送温暖资金", FundSource.ACFTU_WARMTH_FUND, 2026, list(purposes), "fin", OPENED
    )


def household(centre: Centre = STREET, category: Category = Category.DEEP_HARDSHIP) -> Case:
    plan = assessment(category=category)
    return Case.register(uuid4(), centre.path, plan, "sealed", "ref", "cw", date(2025, 6, 1))


def campaign(
    kind: CampaignKind = SPRING,
    budget_fen: int = 1_000_00,
    standards: dict[str, int] | None = None,
    cap_fen: int | None = None,
    funds: list[Fund] | None = None,
) -> Campaign:
    standards = {"deep_hardship": 500_00} if standards is None else standards
    plan = Plan(kind, "2026年两节送温暖", (START, END), budget_fen, standards, cap_fen)
    return open_campaign(uuid4(), CITY, plan, funds or [fund()], "fin", OPENED)


def test_a_plan_that_does_not_hold_together_is_refused() -> None:
    def opened(funds: list[Fund] | None = None, day: date = OPENED, **changes: object) -> None:
        plan = replace(Plan(SPRING, "送温暖", (START, END), 1_00), **changes)  # type: ignore[arg-type]
        open_campaign(uuid4(), CITY, plan, funds or [fund()], "fin", day)

    with pytest.raises(InvalidCampaignError, match="window"):
        opened(window=(END, START))
    with pytest.raises(InvalidCampaignError, match="last day of its window"):
        opened(day=date(2026, 2, 21))
    with pytest.raises(PurposeNotAllowedError):
        opened(funds=[fund(purposes=(AssistanceType.MEDICAL_RELIEF,))])
    with pytest.raises(InvalidCampaignError, match="not at the centre or above"):
        opened(funds=[fund(STREET)])
    with pytest.raises(InvalidCampaignError, match="sets standards for"):
        opened(standards={"undergraduate": 1_000_00})
    with pytest.raises(InvalidCampaignError, match="over the cap"):
        opened(
            kind=CampaignKind.GOLDEN_AUTUMN_EDUCATION,
            funds=[fund(purposes=(AssistanceType.EDUCATION_AID,))],
            standards={"postgraduate": 12_000_00},
            cap_fen=10_000_00,
        )


def test_a_campaign_reaches_households_of_its_subtree_within_its_window_while_open() -> None:
    spring, home = campaign(), household()
    elsewhere = household(Centre.found("吉林市", CentreLevel.PREFECTURE, None, "admin", OPENED))

    spring.require_reach(home, START, "take visits")
    spring.require_reach(home, END, "take visits")
    with pytest.raises(OutsideCampaignError, match="outside the window"):
        spring.require_reach(home, date(2026, 1, 9), "take visits")
    with pytest.raises(OutsideCampaignError, match="not in the subtree"):
        spring.require_reach(elsewhere, IN_WINDOW, "take visits")
    spring.close([], {}, "", "fin", END)
    with pytest.raises(CampaignClosedError):
        spring.require_reach(home, IN_WINDOW, "take visits")


def test_the_budget_is_never_overspent_and_a_reversal_gives_its_amount_back_once() -> None:
    paying = fund()
    spring, home = campaign(budget_fen=1_000_00, funds=[paying]), household()
    paid = [campaign_payment_id(spring.id, n) for n in (1, 2, 3)]

    spring.charge(paid[0], home, paying.id, 500_00, "fin", IN_WINDOW)
    spring.charge(paid[1], home, paying.id, 500_00, "fin", IN_WINDOW)
    with pytest.raises(CampaignBudgetExceededError, match=r"¥0\.00 of its budget ¥1000\.00 left"):
        spring.charge(paid[2], home, paying.id, 1, "fin", IN_WINDOW)
    with pytest.raises(InvalidCampaignError, match="not one that campaign"):
        spring.charge(paid[2], home, uuid4(), 1, "fin", IN_WINDOW)
    reversed_one = payment_of(spring, home, paying, paid[1])
    reversed_one.reverse(uuid4(), "错发", "fin", IN_WINDOW)
    spring.credit_reversal(reversed_one, "fin", IN_WINDOW)
    spring.credit_reversal(reversed_one, "fin", IN_WINDOW)  # once only

    assert (spring.spent_fen, spring.has_room(500_00), spring.has_room(500_01)) == (
        500_00,
        True,
        False,
    )


def payment_of(spring: Campaign, home: Case, paying: Fund, payment_id: UUID) -> Payment:
    return Payment(
        id=payment_id, fund_id=paying.id, case_id=home.id, centre_id=home.centre_id,
        centre_path=home.centre_path, assistance_type="warmth_visit", amount_fen=500_00,
        reference="", actor="fin", business_date=IN_WINDOW, campaign_id=spring.id,
    )  # fmt: skip


def test_a_payment_is_at_most_the_standard_and_the_standard_when_none_is_asked() -> None:
    spring = campaign(standards={"deep_hardship": 500_00})
    deep, relative = household(), household(category=Category.RELATIVE_HARDSHIP)
    autumn = campaign(
        CampaignKind.GOLDEN_AUTUMN_EDUCATION,
        standards={"undergraduate": 3_000_00},
        cap_fen=10_000_00,
        funds=[fund(purposes=(AssistanceType.EDUCATION_AID,))],
    )

    assert spring.amount_for(deep, None, None) == 500_00
    assert spring.amount_for(deep, None, 300_00) == 300_00
    assert spring.amount_for(relative, None, 800_00) == 800_00  # no standard for relative
    with pytest.raises(InvalidCampaignError, match="above the standard for deep_hardship"):
        spring.amount_for(deep, None, 500_01)
    with pytest.raises(InvalidCampaignError, match="no standard is set for relative_hardship"):
        spring.amount_for(relative, None, None)
    assert autumn.amount_for(deep, SchoolLevel.UNDERGRADUATE, None) == 3_000_00
    with pytest.raises(InvalidCampaignError, match="name the school level"):
        autumn.amount_for(deep, None, None)
    assert autumn.assistance_type(None) is AssistanceType.EDUCATION_AID
    with pytest.raises(PurposeNotAllowedError):
        spring.assistance_type(AssistanceType.LIVING_RELIEF)


def test_a_campaign_closes_only_when_every_household_not_reached_has_a_reason() -> None:
    spring = campaign()
    refused, moved, silent = household(), household(), household()
    spring.note_exception(refused, Excuse(ExceptionReason.REFUSED), "cw", IN_WINDOW)
    with pytest.raises(InvalidCampaignError, match="needs a note"):
        spring.note_exception(moved, Excuse(ExceptionReason.OTHER), "cw", IN_WINDOW)
    unreached = [refused.id, moved.id, silent.id]

    with pytest.raises(UnreachedWithoutReasonError, match=r"^2 household"):
        spring.close(unreached, {}, "", "fin", END)
    given = {moved.id: Excuse(ExceptionReason.MOVED_AWAY, "迁往外省")}
    with pytest.raises(UnreachedWithoutReasonError, match=r"^1 household"):
        spring.close(unreached, given, "", "fin", END)
    given[silent.id] = Excuse(ExceptionReason.UNREACHABLE)
    spring.close(unreached, given, "结束", "fin", END)

    closed = spring.collect_events()[-1]
    assert isinstance(closed, Campaign.Closed)
    assert [(r["case_id"], r["reason"]) for r in closed.unreached] == [
        (str(refused.id), "refused"),
        (str(moved.id), "moved_away"),
        (str(silent.id), "unreachable"),
    ]
    assert spring.closed_on == END and ExceptionReason.MOVED_AWAY.zh == "已迁离"
    with pytest.raises(CampaignClosedError):
        spring.note_exception(silent, Excuse(ExceptionReason.REFUSED), "cw", END)
