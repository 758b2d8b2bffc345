"""Passwords: only argon2id hashes, the rules a new one meets, made ones people can type, and
the lock-out rule for failed sign-ins."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import InvalidInputError, SignInLockedError
from domain.passwords import (
    check_new_password,
    hash_password,
    new_password,
    password_matches,
    spend_one_verify,
)
from domain.use_cases.sign_in import locked_until
from domain.users import User
from domain.vocabulary import Role

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def test_a_hash_matches_its_password_and_no_other() -> None:
    password_hash = hash_password("correct horse battery")

    assert password_matches(password_hash, "correct horse battery")
    assert not password_matches(password_hash, "correct horse battery ")
    assert not password_matches(password_hash, "Correct horse battery")
    assert not password_matches(password_hash, "")


def test_a_hash_is_argon2id_salted_and_never_holds_the_password() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")

    assert first.startswith("$argon2id$")
    assert first != second
    assert "correct horse battery" not in first


@pytest.mark.parametrize(
    "garbled", ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$garbage", "$2b$12$abc"]
)
def test_a_garbled_hash_matches_nothing_and_raises_nothing(garbled: str) -> None:
    assert password_matches(garbled, "correct horse battery") is False


def test_a_password_that_cannot_be_encoded_matches_nothing() -> None:
    password_hash = hash_password("correct horse battery")

    assert password_matches(password_hash, "correct\ud800horse") is False


def test_spending_one_verify_raises_nothing_whatever_the_password() -> None:
    for password in ["", "x" * 10_000, "\ud800", "correct horse battery"]:
        spend_one_verify(password)


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short1234", "at least 10 characters"),
        ("x" * 201, "at most 200 characters"),
        ("tab\tinside it", "control characters"),
        ("line\nbreak inside", "control characters"),
        ("nul\x00inside it", "control characters"),
        ("lone\ud800surrogate", "control characters"),
        ("alice-the-admin", "may not be the user name"),
        (" ALICE-the-Admin ", "may not be the user name"),
    ],
)
def test_a_new_password_that_breaks_a_rule_is_refused_with_the_rule(
    password: str, says: str
) -> None:
    with pytest.raises(InvalidInputError, match=says):
        check_new_password(password, "alice-the-admin")


@pytest.mark.parametrize(
    "password", ["x" * 10, "x" * 200, "密码也可以是中文的十个字", "spaces are fine too"]
)
def test_a_new_password_within_the_rules_is_returned_as_it_is(password: str) -> None:
    assert check_new_password(password, "alice") == password


def test_made_passwords_are_four_groups_of_four_typeable_characters_and_differ() -> None:
    made = {new_password() for _ in range(50)}

    assert len(made) == 50
    assert all(re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", p) for p in made)
    assert all(check_new_password(p, "alice") == p for p in made)


def test_a_user_has_no_password_until_one_is_set() -> None:
    user = User.add("alice", Role.FINANCE, None, "bf_x", "admin", date(2026, 1, 5))

    assert (user.password_hash, user.has_password) == (None, False)


def test_setting_a_password_records_only_its_hash() -> None:
    user = User.add("alice", Role.FINANCE, None, "bf_x", "admin", date(2026, 1, 5))
    password_hash = hash_password("correct horse battery")

    user.set_password(password_hash, "admin", date(2026, 1, 5))

    events = user.collect_events()
    assert isinstance(events[-1], User.PasswordSet)
    assert (user.password_hash, user.has_password) == (password_hash, True)
    assert "correct horse battery" not in repr(events)


def test_a_password_that_is_not_hashed_is_never_recorded() -> None:
    user = User.add("alice", Role.FINANCE, None, "bf_x", "admin", date(2026, 1, 5))

    with pytest.raises(ValueError, match="argon2id"):
        user.set_password("correct horse battery", "admin", date(2026, 1, 5))


# --- the lock-out rule --------------------------------------------------------------------------
def test_four_failures_do_not_lock_a_name() -> None:
    assert locked_until([NOON] * 4, NOON) is None


def test_five_failures_within_15_minutes_lock_until_15_minutes_after_the_last() -> None:
    failures = [NOON + timedelta(minutes=m) for m in (0, 3, 6, 9, 12)]

    until = locked_until(failures, NOON + timedelta(minutes=13))

    assert until == NOON + timedelta(minutes=27)
    assert locked_until(failures, NOON + timedelta(minutes=26, seconds=59)) == until
    assert locked_until(failures, NOON + timedelta(minutes=27)) is None


def test_five_failures_spread_over_more_than_15_minutes_do_not_lock() -> None:
    failures = [NOON + timedelta(minutes=m) for m in (0, 4, 8, 12, 16)]

    assert locked_until(failures, NOON + timedelta(minutes=17)) is None


def test_the_locked_message_says_when_to_try_again() -> None:
    error = SignInLockedError(NOON + timedelta(minutes=15), NOON + timedelta(seconds=30))

    assert "15 minutes" in error.detail and "2026-03-02 04:15:00 UTC" in error.detail
    assert error.retry_after_seconds == 14 * 60 + 30
