"""Money is integer fen parsed from yuan strings; ID numbers follow GB 11643."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidAmountError, InvalidIdNumberError
from domain.id_numbers import make_id_number, normalise_id_number
from domain.money import display_yuan, parse_yuan, yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1234.50", 123450), ("0.01", 1), ("12", 1200), (" 7.5 ", 750), ("1000000.00", 100_000_000)],
)
def test_yuan_strings_become_exact_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["1.234", "0", "0.00", "-1.00", "abc", "", "1e3", "1,000", "١٢", "12\n3"]
)
def test_anything_but_a_positive_amount_with_two_decimals_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan(text)


@pytest.mark.parametrize("value", [12.5, 100, None, b"1.00"])
def test_a_number_object_is_refused_so_no_float_reaches_the_books(value: object) -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan(value)  # type: ignore[arg-type]


def test_zero_is_allowed_only_where_asked_for() -> None:
    assert parse_yuan("0.00", allow_zero=True) == 0


def test_fen_are_shown_as_yuan_for_machines_and_people() -> None:
    assert (yuan(123450), yuan(5), yuan(-80000)) == ("1234.50", "0.05", "-800.00")
    assert display_yuan(123456789) == "¥1,234,567.89"
    assert display_yuan(-5) == "-¥0.05"


def test_a_valid_id_number_passes_and_a_lower_case_x_is_normalised() -> None:
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    built = make_id_number("220104", date(1980, 2, 29), 17)
    assert normalise_id_number(built) == built


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",
        "11010519491231002",
        "1101051949123100211",
        "11010519491331002X",
        "A10105194912310028",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_id_numbers_with_a_wrong_check_digit_shape_or_birth_date_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdNumberError):
        normalise_id_number(text)
