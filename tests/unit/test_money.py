"""Amounts are integer fen inside the ledger, parsed from and shown as yuan strings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidAmountError, InvalidInputError
from domain.money import display_yuan, parse_yuan, yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.50", 123450),
        ("0.01", 1),
        ("12", 1200),
        ("12.3", 1230),
        ("100000000.00", 10_000_000_000),
        ("100000000000.00", 10_000_000_000_000),
    ],
)
def test_a_yuan_string_becomes_exactly_that_many_fen(text: str, fen: int) -> None:
    amount = parse_yuan(text)

    assert amount == fen
    assert isinstance(amount, int)


@pytest.mark.parametrize("text", [" 10.00 ", "10.00\n", "\t10.00", "10.00 ", "  99.99\n"])
def test_an_amount_with_spaces_or_a_newline_around_it_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError, match="not an amount"):
        parse_yuan(text)


@pytest.mark.parametrize(
    "text", ["100000000000.01", "99999999999999999999.99", "1000000000000", "9" * 400]
)
def test_a_single_movement_above_a_hundred_billion_yuan_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan(text)


def test_a_command_refuses_a_movement_above_a_hundred_billion_yuan_even_without_parsing() -> None:
    from domain.money import MAX_MOVEMENT_FEN, require_positive

    require_positive(MAX_MOVEMENT_FEN)
    with pytest.raises(InvalidAmountError, match="100,000,000,000"):
        require_positive(MAX_MOVEMENT_FEN + 1)


def test_an_amount_with_three_decimals_is_refused_rather_than_rounded() -> None:
    with pytest.raises(InvalidAmountError, match="two decimals"):
        parse_yuan("1.005")


@pytest.mark.parametrize("text", ["0", "0.00", "0.0"])
def test_a_zero_amount_is_refused_by_default(text: str) -> None:
    with pytest.raises(InvalidAmountError, match="more than zero"):
        parse_yuan(text)


def test_a_zero_amount_is_accepted_where_the_caller_allows_it() -> None:
    assert parse_yuan("0.00", allow_zero=True) == 0


@pytest.mark.parametrize("text", ["-1", "-0.01", "-1234.50"])
def test_a_negative_amount_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan(text)


@pytest.mark.parametrize(
    "text",
    ["abc", "", "   ", "1e3", "1E3", "1,234.50", "¥12", "12元", ".50", "12.", "+12", "1 000"],
)
def test_text_that_is_not_a_plain_yuan_amount_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan(text)


@pytest.mark.parametrize("value", [12.5, 0.1, 100, Decimal("1.50"), None, b"12.00"])
def test_an_amount_that_is_not_a_string_is_refused_so_no_float_reaches_the_books(
    value: object,
) -> None:
    with pytest.raises(InvalidAmountError, match="must be a string"):
        parse_yuan(value)  # type: ignore[arg-type]


def test_a_refused_amount_is_reported_as_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as refusal:
        parse_yuan("twelve")

    assert "twelve" in refusal.value.detail


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "1234.50"),
        (1, "0.01"),
        (5, "0.05"),
        (0, "0.00"),
        (1200, "12.00"),
        (123456789, "1234567.89"),
        (-80000, "-800.00"),
        (-5, "-0.05"),
    ],
)
def test_fen_are_written_as_plain_yuan_with_two_decimals(fen: int, text: str) -> None:
    assert yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "¥1,234.50"),
        (1, "¥0.01"),
        (0, "¥0.00"),
        (99999, "¥999.99"),
        (100000, "¥1,000.00"),
        (123456789, "¥1,234,567.89"),
        (-123450, "-¥1,234.50"),
        (-5, "-¥0.05"),
    ],
)
def test_fen_are_shown_to_people_with_the_yuan_sign_and_thousands_separators(
    fen: int, text: str
) -> None:
    assert display_yuan(fen) == text


@pytest.mark.parametrize("fen", [1, 99, 100, 123450, 10_000_000_000])
def test_a_written_amount_parses_back_to_the_same_fen(fen: int) -> None:
    written = yuan(fen)

    assert parse_yuan(written) == fen


def test_a_minus_sign_is_refused_even_on_zero() -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan("-0.00", allow_zero=True)
