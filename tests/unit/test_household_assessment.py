"""What an assessment and a person's details may hold before an archive is filed."""

from __future__ import annotations

import pytest

from domain.cases import Person
from domain.errors import InvalidHouseholdError, InvalidIdNumberError
from domain.vocabulary import Cause, HouseholdFlag
from tests.unit.support import assessment

ID = "11010519491231002X"
THREE_CAUSES = (Cause.ACCIDENT, Cause.OTHER, Cause.NATURAL_DISASTER)


@pytest.mark.parametrize(
    "changes",
    [
        {"secondary_causes": (*THREE_CAUSES, Cause.CHILD_SCHOOLING)},
        {"secondary_causes": (Cause.ACCIDENT, Cause.ACCIDENT)},
        {"secondary_causes": (Cause.SERIOUS_ILLNESS,)},
        {"household_size": 0},
        {"household_size": 31},
        {"income_fen": -1},
    ],
    ids=["four-secondaries", "duplicate", "primary-as-secondary", "size-0", "size-31", "negative"],
)  # fmt: skip
def test_an_assessment_out_of_range_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidHouseholdError):
        assessment(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"secondary_causes": THREE_CAUSES},
        {"secondary_causes": ()},
        {"household_size": 1},
        {"household_size": 30},
        {"income_fen": 0},
    ],
)
def test_an_assessment_at_the_limits_is_accepted(changes: dict[str, object]) -> None:
    assert assessment(**changes).household_size >= 1


def test_a_persons_details_are_checked_and_tidied() -> None:
    person = Person.checked(
        " 张三 ", "11010519491231002x", " 138-0013-8000 ", "6222 0202 0000 1234"
    )

    assert (person.name, person.id_number, person.phone) == ("张三", ID, "138-0013-8000")
    assert person.bank_card == "6222020200001234"


@pytest.mark.parametrize(
    ("name", "id_number", "phone", "card", "error"),
    [
        ("  ", ID, "", "", InvalidHouseholdError),
        ("张三", "110105194912310021", "", "", InvalidIdNumberError),
        ("张三", "11010519491331002X", "", "", InvalidIdNumberError),
        ("张三", ID, "call me", "", InvalidHouseholdError),
        ("张三", ID, "123", "", InvalidHouseholdError),
        ("张三", ID, "", "1234", InvalidHouseholdError),
    ],
)
def test_a_person_with_a_bad_name_id_number_phone_or_card_is_refused(
    name: str, id_number: str, phone: str, card: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        Person.checked(name, id_number, phone, card)


def test_a_family_members_id_number_is_checked_too() -> None:
    with pytest.raises(InvalidIdNumberError):
        Person.checked("张三", ID, "", family_members=({"name": "李四", "id_number": "123"},))


def test_an_assessment_lists_each_flag_once_in_its_event() -> None:
    fields = assessment(
        flags=(HouseholdFlag.SINGLE_PARENT, HouseholdFlag.SINGLE_PARENT)
    ).as_event_fields()

    assert fields["flags"] == ["single_parent"]
    assert fields["category"] == "deep_hardship"


@pytest.mark.parametrize("phone", ["-----", "   -  ", "1234"])
def test_a_phone_number_needs_at_least_five_digits(phone: str) -> None:
    with pytest.raises(InvalidHouseholdError):
        Person.checked("张三", "11010519491231002X", phone)


def test_a_phone_number_may_be_written_in_groups() -> None:
    assert Person.checked("张三", "11010519491231002X", "+86 138 0000 0000").phone
