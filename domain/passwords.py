"""Passwords for the web app: argon2id hashes only, the rules a new password meets, made ones.

A password is never stored or recorded: an event holds only its argon2id hash (argon2-cffi's
defaults, RFC 9106's second recommended profile), and the catalogue withholds even that.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error

from domain.errors import InvalidInputError

PASSWORD_MIN = 10
PASSWORD_MAX = 200
# letters and digits that are hard to mistake for one another when read aloud or copied by hand:
# no 0/o, 1/l/i
_TYPEABLE = "abcdefghjkmnpqrstuvwxyz23456789"
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of a password (salted: the same password hashes differently each time)."""
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether the password is the one hashed; False, never an error, for a garbled hash."""
    try:
        return _HASHER.verify(password_hash, password)
    except (Argon2Error, ValueError, TypeError):  # a wrong password, or a hash that is not one
        return False


def is_password_hash(text: str) -> bool:
    """Whether the text looks like an argon2id hash (never a password stored by mistake)."""
    return isinstance(text, str) and text.startswith("$argon2id$")


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(32))  # of a secret no one knows


def spend_one_verify(password: str) -> None:
    """Take as long as checking a password takes, against a hash no password matches: a sign-in
    with an unknown user name then answers as slowly as one with a wrong password."""
    password_matches(_dummy_hash(), password[:PASSWORD_MAX])


def check_new_password(password: str, user_name: str) -> str:
    """The password, or InvalidInputError saying which rule it breaks."""
    if not isinstance(password, str):
        raise InvalidInputError("a password must be text")
    if len(password) < PASSWORD_MIN:
        raise InvalidInputError(f"a password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidInputError(f"a password may be at most {PASSWORD_MAX} characters long")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in password):
        raise InvalidInputError(
            "a password may not contain control characters (such as a tab or a line break)"
        )
    if password.strip().casefold() == user_name.strip().casefold():
        raise InvalidInputError("a password may not be the user name")
    return password


def new_password() -> str:
    """A random password a person can type: four groups of four letters and digits, like
    ``k7wq-3mfz-pa9x-dn2e`` (about 79 bits)."""
    return "-".join("".join(secrets.choice(_TYPEABLE) for _ in range(4)) for _ in range(4))
