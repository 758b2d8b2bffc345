"""The one place amounts are parsed and formatted: integer fen inside, yuan strings outside."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidAmountError

_YUAN = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")
MAX_MOVEMENT_FEN = 100_000_000_000 * 100
"""No single movement of money is above ¥100,000,000,000 (the 2020 送温暖 campaign: ¥6.18 bn)."""
MAX_FUND_TOTAL_FEN = 10_000 * MAX_MOVEMENT_FEN
"""A fund's running totals stay far below what a BIGINT column holds (9.2e18 fen)."""


def parse_yuan(text: str, *, allow_zero: bool = False) -> int:
    """Parse a yuan string such as "1234.50" into fen (123450); refuse floats and bad input.

    The whole string must be the amount: no sign, no spaces or newlines around it, ASCII digits,
    at most two decimals, and at most ¥100,000,000,000."""
    if not isinstance(text, str):
        raise InvalidAmountError(
            f'an amount must be a string of yuan such as "1234.50", not {type(text).__name__}'
        )
    if text.startswith("-") and _YUAN.fullmatch(text[1:]):
        raise InvalidAmountError(f"{text!r} is negative; amounts must be positive")
    if not _YUAN.fullmatch(text):
        raise InvalidAmountError(
            f'{text[:40]!r} is not an amount of yuan with at most two decimals (e.g. "1234.50")'
        )
    try:
        fen = int(Decimal(text) * 100)
    except InvalidOperation as e:  # pragma: no cover - the pattern already refused it
        raise InvalidAmountError(f"{text!r} is not a number") from e
    if fen == 0 and not allow_zero:
        raise InvalidAmountError("the amount must be more than zero")
    if fen > MAX_MOVEMENT_FEN:
        raise InvalidAmountError(
            f"{text!r} is above ¥100,000,000,000, the most a single movement may be"
        )
    return fen


def require_positive(amount_fen: int) -> None:
    """Money moves in positive whole fen, at most ¥100,000,000,000 at a time."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise InvalidAmountError("an amount must be a whole number of fen")
    if amount_fen <= 0:
        raise InvalidAmountError("an amount must be more than zero")
    if amount_fen > MAX_MOVEMENT_FEN:
        raise InvalidAmountError("an amount may not be above ¥100,000,000,000")


def yuan(fen: int) -> str:
    """Format fen as a plain yuan string with two decimals: 123450 -> "1234.50"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def display_yuan(fen: int) -> str:
    """Format fen for people: 123450 -> "¥1,234.50"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"
