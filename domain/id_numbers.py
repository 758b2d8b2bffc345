"""Chinese resident ID numbers (GB 11643-1999): format, birth date and the MOD 11-2 check digit."""

from __future__ import annotations

import re
from datetime import date

from domain.errors import InvalidIdNumberError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(text: str) -> str:
    """Return the ID number upper-cased and stripped, or raise InvalidIdNumberError."""
    value = text.strip().upper()
    if not _SHAPE.match(value):
        raise InvalidIdNumberError(
            "a national ID number has 18 characters: 17 digits and a digit or X"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumberError(
            f"characters 7-14 of the ID number ({value[6:14]}) are not a birth date"
        ) from None
    if born > date.today() or born.year < 1900:
        raise InvalidIdNumberError(f"the ID number's birth date {born} is not a plausible one")
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise InvalidIdNumberError(
            f"the ID number's check digit is {value[17]}, but GB 11643 requires {expected}"
        )
    return value


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
