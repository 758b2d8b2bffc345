"""National ID numbers (GB 11643-1999): 17 digits, a real birth date and a MOD 11-2 check digit."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidIdNumberError, InvalidInputError
from domain.id_numbers import check_digit, make_id_number, normalise_id_number

WELL_KNOWN = "11010519491231002X"


def with_check_digit(first17: str) -> str:
    """A number whose check digit is right, so only its other parts can be wrong."""
    return first17 + check_digit(first17)


def test_the_well_known_example_number_is_accepted_as_it_is() -> None:
    assert normalise_id_number(WELL_KNOWN) == WELL_KNOWN


def test_a_lower_case_x_check_digit_is_normalised_to_a_capital() -> None:
    assert normalise_id_number("11010519491231002x") == WELL_KNOWN


def test_surrounding_spaces_are_dropped() -> None:
    assert normalise_id_number(f"  {WELL_KNOWN}\t") == WELL_KNOWN


@pytest.mark.parametrize(
    ("region", "birth", "sequence"),
    [
        ("110105", date(1949, 12, 31), 2),
        ("220104", date(1980, 2, 29), 17),
        ("440305", date(2001, 7, 1), 999),
        ("310101", date(1965, 1, 1), 0),
    ],
)
def test_a_number_built_for_demo_data_passes_the_check(
    region: str, birth: date, sequence: int
) -> None:
    number = make_id_number(region, birth, sequence)

    assert len(number) == 18
    assert normalise_id_number(number) == number


def test_the_check_digit_of_the_well_known_example_is_x() -> None:
    assert check_digit(WELL_KNOWN[:17]) == "X"


@pytest.mark.parametrize("wrong", "0123456789")
def test_a_number_with_a_wrong_check_digit_is_refused(wrong: str) -> None:
    with pytest.raises(InvalidIdNumberError, match="check digit"):
        normalise_id_number(WELL_KNOWN[:17] + wrong)


@pytest.mark.parametrize(
    "text",
    [
        WELL_KNOWN[:17],
        WELL_KNOWN + "1",
        "",
        "11010519491231002 X",
        "A1010519491231002X",
        "1101051949123100XX",
        "X10105194912310021",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_a_number_of_the_wrong_length_or_with_letters_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdNumberError, match="18 characters"):
        normalise_id_number(text)


@pytest.mark.parametrize(
    "birth",
    ["19491331", "19490001", "19490230", "19000229", "19491200", "00001231"],
)
def test_a_number_whose_birth_date_cannot_exist_is_refused(birth: str) -> None:
    number = with_check_digit(f"110105{birth}002")

    with pytest.raises(InvalidIdNumberError, match="birth date"):
        normalise_id_number(number)


def test_a_leap_day_birth_date_is_accepted_in_a_leap_year() -> None:
    number = with_check_digit("11010520000229002")

    assert normalise_id_number(number) == number


def test_a_refused_id_number_is_reported_as_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        normalise_id_number("110105194912310021")


def test_a_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidIdNumberError, match="birth date"):
        normalise_id_number(make_id_number("110105", date(2999, 1, 1), 1))
