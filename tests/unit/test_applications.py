"""Filing step by step (申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档): steps in order, each
setting the next one's deadline; filing after the notice; an override needs its reason; one open
application per person (一户一档)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.applications import Application
from domain.errors import ApplicationStepError, DuplicateArchiveError, InvalidFilingError
from domain.filing_rules import filed_case_id
from domain.person_index import PersonIndex
from domain.vocabulary import ApplicationStage, Category

JUNE = date(2026, 6, 1)


def received(on: date = JUNE) -> Application:
    """A household of three with ¥2,400 a month, received on ``on`` with 10 days to review."""
    return Application(
        id=uuid4(),
        centre_id=uuid4(),
        centre_path=[],
        person_sealed="sealed",
        person_refs=["applicant", "spouse", "child"],
        household_size=3,
        incomes=[{"label": "工资", "amount_fen": 2_400_00}],
        hardship_costs=[],
        primary_cause="serious_illness",
        secondary_causes=[],
        flags=[],
        note="",
        due_on=on + timedelta(days=10),
        actor="首问",
        business_date=on,
    )


def on_notice() -> Application:
    """Reviewed 06-05, visited 06-10, income checked 06-15, on notice 06-16 to 06-22."""
    application = received()
    application.review("齐全", 15, "cw", date(2026, 6, 5))
    application.record_home_visit(["王干事"], "属实", 15, "cw", date(2026, 6, 10))
    application.check_income(None, None, "", 5, "cw", date(2026, 6, 15))
    application.post_notice(7, 5, "社区公示栏", None, "cw", date(2026, 6, 16))
    return application


def test_each_step_sets_the_deadline_of_the_next_from_its_own_day() -> None:
    application = on_notice()

    assert application.first_receiver == "首问"
    assert application.notice == (date(2026, 6, 16), date(2026, 6, 22), "社区公示栏")
    assert application.due_on == date(2026, 6, 27)  # the notice's last day + 5 days to file
    assert application.stage is ApplicationStage.ON_NOTICE


def test_a_step_out_of_order_is_refused() -> None:
    application = received()

    with pytest.raises(ApplicationStepError, match="only when reviewed"):
        application.record_home_visit(["王干事"], "属实", 15, "cw", date(2026, 6, 2))
    assert application.stage is ApplicationStage.RECEIVED


def test_a_step_dated_before_the_one_before_it_is_refused() -> None:
    application = received()

    with pytest.raises(InvalidFilingError, match="before the step before"):
        application.review("", 15, "cw", date(2026, 5, 31))


def test_a_notice_shorter_than_the_policy_is_refused() -> None:
    application = received()
    application.review("", 15, "cw", date(2026, 6, 5))
    application.record_home_visit(["王干事"], "属实", 15, "cw", date(2026, 6, 10))
    application.check_income(None, None, "", 5, "cw", date(2026, 6, 15))

    with pytest.raises(InvalidFilingError, match="at least 7 days"):
        application.post_notice(7, 5, "公示栏", date(2026, 6, 21), "cw", date(2026, 6, 16))


def test_filing_waits_for_the_notice_to_end_and_for_every_objection_to_be_handled() -> None:
    application = on_notice()
    objection = application.raise_objection("收入不实", "cw", date(2026, 6, 18))
    relative = Category.RELATIVE_HARDSHIP

    with pytest.raises(InvalidFilingError, match="filing comes after it"):
        application.file(uuid4(), relative, relative, 790_00, "", "cw", date(2026, 6, 22))
    with pytest.raises(ApplicationStepError, match="not handled yet"):
        application.file(uuid4(), relative, relative, 790_00, "", "cw", date(2026, 6, 23))
    application.handle_objection(objection, False, "核实无误", "cw", date(2026, 6, 20))
    application.file(
        filed_case_id(application.id), relative, relative, 790_00, "", "cw", date(2026, 6, 23)
    )
    assert application.stage is ApplicationStage.FILED
    assert application.filing["per_capita_fen"] == 800_00


def test_an_upheld_objection_stops_the_filing() -> None:
    application = on_notice()
    objection = application.raise_objection("有营业收入", "cw", date(2026, 6, 18))
    application.handle_objection(objection, True, "属实", "cw", date(2026, 6, 20))
    deep = Category.DEEP_HARDSHIP

    with pytest.raises(ApplicationStepError, match="upheld"):
        application.file(uuid4(), deep, deep, 790_00, "", "cw", date(2026, 6, 23))
    application.reject("异议成立", "cw", date(2026, 6, 23))
    assert application.rejection == (date(2026, 6, 23), "on_notice", "异议成立")


def test_a_category_other_than_the_computed_one_needs_its_reason() -> None:
    application = on_notice()
    deep, relative = Category.DEEP_HARDSHIP, Category.RELATIVE_HARDSHIP

    with pytest.raises(InvalidFilingError, match="needs its reason"):
        application.file(uuid4(), deep, relative, 790_00, "  ", "cw", date(2026, 6, 23))
    application.file(uuid4(), deep, relative, 790_00, "大病支出", "cw", date(2026, 6, 23))
    assert application.filing["override_reason"] == "大病支出"


def test_a_person_named_by_an_open_application_may_not_be_named_by_another() -> None:
    first, second, case_id = uuid4(), uuid4(), uuid4()
    index = PersonIndex.hold_new("spouse", first, "cw", JUNE)

    with pytest.raises(DuplicateArchiveError) as refused:
        index.hold(second, "cw", JUNE)
    assert refused.value.holder == first
    with pytest.raises(DuplicateArchiveError):
        index.claim(case_id, "cw", JUNE)  # a direct filing while the application is open
    index.claim(case_id, "cw", JUNE, application_id=first)  # the application is filed
    assert (index.open_case_id, index.open_application_id) == (case_id, None)
    with pytest.raises(DuplicateArchiveError):
        index.hold(second, "cw", JUNE)  # now an open archive holds the person
