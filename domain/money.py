"""The one place amounts are parsed and formatted: integer fen inside, yuan strings outside."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidAmountError

_YUAN = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")


def parse_yuan(text: str, *, allow_zero: bool = False) -> int:
    """Parse a yuan string such as "1234.50" into fen (123450); refuse floats and bad input."""
    if not isinstance(text, str):
        raise InvalidAmountError(
            f'an amount must be a string of yuan such as "1234.50", not {type(text).__name__}'
        )
    cleaned = text.strip()
    if not _YUAN.match(cleaned):
        raise InvalidAmountError(
            f'{text!r} is not an amount of yuan with at most two decimals (e.g. "1234.50")'
        )
    try:
        fen = int(Decimal(cleaned) * 100)
    except InvalidOperation as e:  # pragma: no cover - the regex already refused it
        raise InvalidAmountError(f"{text!r} is not a number") from e
    if fen < 0 or cleaned.startswith("-"):
        raise InvalidAmountError(f"{text!r} is negative; amounts must be positive")
    if fen == 0 and not allow_zero:
        raise InvalidAmountError("the amount must be more than zero")
    return fen


def require_positive(amount_fen: int) -> None:
    """Money moves in positive whole fen; a zero or negative movement is refused."""
    if amount_fen <= 0:
        raise InvalidAmountError("an amount must be more than zero")


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
