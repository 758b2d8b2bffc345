"""The one rule for text a person types: no NUL, no control characters, a length limit.

Names, references and reasons are one line; free-text notes may hold newlines. Every text field
of every command passes through ``checked``: the API, the CLI and every import share the rule.
"""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidInputError

NAME_MAX = 200  # names, payers, references, reasons, visitors, items
NOTE_MAX = 4000  # free-text notes (may span lines)
_REFUSED_CATEGORIES = {"Cc", "Cs"}  # control characters, lone surrogates


def problem(value: str, *, max_length: int = NAME_MAX, multiline: bool = False) -> str | None:
    """Why ``value`` may not be stored, or None when it may (length counts the trimmed text)."""
    if len(value.strip()) > max_length:
        return f"is longer than {max_length} characters"
    for ch in value:
        if ch == "\n" and multiline:
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            name = "NUL" if ch == "\x00" else f"U+{ord(ch):04X}"
            return f"contains a control character ({name}); only printable text is stored"
    return None


def checked(
    value: str,
    what: str,
    *,
    max_length: int = NAME_MAX,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """``value`` trimmed, or InvalidInputError naming the field and the reason."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be text")
    why = problem(value, max_length=max_length, multiline=multiline)
    if why is not None:
        raise InvalidInputError(f"{what} {why}")
    trimmed = value.strip()
    if required and not trimmed:
        raise InvalidInputError(f"{what} is required")
    return trimmed


def checked_note(value: str, what: str = "the note") -> str:
    """Free text that may span lines."""
    return checked(value, what, max_length=NOTE_MAX, multiline=True)
