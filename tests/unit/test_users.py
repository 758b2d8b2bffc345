"""Users and bearer tokens: only the current token is accepted, and only its hash is kept."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import InvalidInputError
from domain.users import TokenKey, User, new_token, token_hash, token_key_id, user_id
from domain.vocabulary import Role

DAY = date(2026, 1, 5)


def alice(token: str = "bf_first") -> User:
    return User.add("alice", Role.FINANCE, None, token, "admin", DAY)


def test_a_user_accepts_the_token_issued_and_no_other() -> None:
    user = alice("bf_first")

    assert user.accepts("bf_first")
    assert not user.accepts("bf_other")
    assert not user.accepts("")
    assert not user.accepts("BF_FIRST")


def test_issuing_a_new_token_makes_the_old_one_fail() -> None:
    user = alice("bf_first")

    user.issue_token("bf_second", "admin", DAY)

    assert user.accepts("bf_second")
    assert not user.accepts("bf_first")


def test_only_a_hash_of_the_token_is_recorded() -> None:
    user = alice("bf_secret_token")

    user.issue_token("bf_next_secret", "admin", DAY)

    recorded = repr(user.collect_events())
    assert "bf_secret_token" not in recorded and "bf_next_secret" not in recorded
    assert user.token_sha256 == token_hash("bf_next_secret")


def test_a_user_is_known_by_a_stable_id_from_the_name() -> None:
    user = User.add("  alice ", Role.FINANCE, None, "bf_x", "admin", DAY)

    assert user.name == "alice"
    assert user.id == user_id("alice") == alice().id


@pytest.mark.parametrize("name", ["", "   ", "a" * 101])
def test_a_user_without_a_name_or_with_an_overlong_one_is_refused(name: str) -> None:
    with pytest.raises(InvalidInputError):
        User.add(name, Role.AUDITOR, None, "bf_x", "admin", DAY)


def test_a_user_acts_with_its_role_and_centre() -> None:
    centre = uuid4()

    user = User.add("district", Role.CASEWORKER, centre, "bf_x", "admin", DAY)

    assert (user.as_actor.name, user.as_actor.role, user.as_actor.centre_id) == (
        "district",
        Role.CASEWORKER,
        centre,
    )


def test_a_token_key_points_from_a_tokens_hash_to_its_user() -> None:
    token = new_token()
    user = alice(token)

    key = TokenKey.issue(token, user, "admin", DAY)

    assert (key.id, key.user_id) == (token_key_id(token), user.id)
    assert token_key_id(token) != token_key_id(new_token())


def test_new_tokens_are_long_random_and_recognisable() -> None:
    first, second = new_token(), new_token()

    assert first != second
    assert first.startswith("bf_") and len(first) > 40


def test_a_name_is_measured_after_its_spaces_are_trimmed() -> None:
    user = User.add(" " + "名" * 99 + " ", Role.AUDITOR, None, "bf_x", "admin", date(2026, 1, 1))

    assert user.name == "名" * 99
