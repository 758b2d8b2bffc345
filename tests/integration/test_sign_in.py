"""Signing in with a user name and password, on both stores: one answer for every wrong guess,
a lock after five failures, passwords set by admins within their subtree, changed by users."""

from __future__ import annotations

import base64
import json
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger
from domain.clock import FixedClock
from domain.errors import (
    ForbiddenError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    SignInLockedError,
)
from domain.users import User, user_id
from domain.vocabulary import CentreLevel, Role
from projections import Views
from stores import open_ledger
from stores.sessions import SessionStore
from stores.sql import SqlDatabase
from supervision.package import export
from supervision.package_verify import verify_package
from supervision.scope import Scope
from supervision.signing import Signer

MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
PASSWORD = "correct horse battery"
WRONG = "the user name or password is wrong"


@dataclass
class World:
    """A city with two districts; an admin bound to district A; users in each district."""

    ledger: Ledger
    clock: FixedClock
    district_a: UUID
    district_b: UUID
    bound_admin: Actor


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    clock = FixedClock(MORNING)
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key", clock=clock)
    city = ledger.create_centre(Context(SYSTEM), "市中心", CentreLevel.PREFECTURE, None)
    a, b = (
        ledger.create_centre(Context(SYSTEM), name, CentreLevel.COUNTY, city.result.id).result.id
        for name in ("朝阳区", "南关区")
    )
    ledger.add_user(SYSTEM, "alice", Role.FINANCE, None, PASSWORD)
    ledger.add_user(SYSTEM, "admin-a", Role.ADMIN, a)
    ledger.add_user(SYSTEM, "worker-a", Role.CASEWORKER, a)
    ledger.add_user(SYSTEM, "worker-b", Role.CASEWORKER, b)
    ledger.add_user(SYSTEM, "no-password", Role.AUDITOR, None)
    yield World(ledger, clock, a, b, ledger.user("admin-a"))
    ledger.close()


def refused(ledger: Ledger, name: str, password: str) -> str:
    with pytest.raises(NotAuthenticatedError) as caught:
        ledger.sign_in(name, password)
    return caught.value.detail


def fail_five_times(ledger: Ledger, name: str) -> None:
    for _ in range(5):
        refused(ledger, name, "not the password")


# --- signing in ---------------------------------------------------------------------------------
def test_the_right_password_signs_the_user_in_with_their_role_and_centre(world: World) -> None:
    actor = world.ledger.sign_in("alice", PASSWORD)

    assert actor == Actor("alice", Role.FINANCE, None)


def test_a_wrong_password_an_unknown_name_and_a_user_without_one_get_the_same_answer(
    world: World,
) -> None:
    answers = {
        refused(world.ledger, "alice", "not the password"),
        refused(world.ledger, "nobody", PASSWORD),
        refused(world.ledger, "no-password", ""),
        refused(world.ledger, "no-password", PASSWORD),
        refused(world.ledger, "", PASSWORD),
        refused(world.ledger, "bad\x00name", PASSWORD),
        refused(world.ledger, "x" * 1000, PASSWORD),
    }

    assert answers == {WRONG}


def test_an_unknown_name_takes_as_long_as_a_wrong_password(world: World) -> None:
    def slowest_of_three(name: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            refused(world.ledger, name, "not the password")
            times.append(time.perf_counter() - start)
        return min(times)

    wrong_password, unknown_name = slowest_of_three("alice"), slowest_of_three("nobody")

    assert unknown_name > wrong_password / 2


def test_a_name_is_trimmed_as_it_was_when_the_user_was_added(world: World) -> None:
    assert world.ledger.sign_in("  alice ", PASSWORD).name == "alice"


# --- the lock-out -------------------------------------------------------------------------------
def test_after_five_failures_even_the_right_password_is_refused_and_told_when_to_retry(
    world: World,
) -> None:
    fail_five_times(world.ledger, "alice")

    with pytest.raises(SignInLockedError) as caught:
        world.ledger.sign_in("alice", PASSWORD)

    assert "2026-03-02 01:15:00 UTC" in caught.value.detail
    assert caught.value.retry_after_seconds == 15 * 60


def test_four_failures_leave_the_right_password_working(world: World) -> None:
    for _ in range(4):
        refused(world.ledger, "alice", "not the password")

    assert world.ledger.sign_in("alice", PASSWORD).name == "alice"


def test_the_lock_ends_15_minutes_after_the_last_failure(world: World) -> None:
    for minute in range(5):
        world.clock.moment = MORNING + timedelta(minutes=minute)
        refused(world.ledger, "alice", "not the password")

    world.clock.moment = MORNING + timedelta(minutes=4 + 14, seconds=59)
    with pytest.raises(SignInLockedError):
        world.ledger.sign_in("alice", PASSWORD)
    world.clock.moment = MORNING + timedelta(minutes=4 + 15)
    actor = world.ledger.sign_in("alice", PASSWORD)

    assert actor.name == "alice"


def test_a_success_clears_the_count_of_failures(world: World) -> None:
    for _ in range(4):
        refused(world.ledger, "alice", "not the password")
    world.ledger.sign_in("alice", PASSWORD)

    for _ in range(4):
        refused(world.ledger, "alice", "not the password")

    assert world.ledger.sign_in("alice", PASSWORD).name == "alice"


def test_an_unknown_name_is_locked_as_a_known_one_is(world: World) -> None:
    fail_five_times(world.ledger, "nobody")

    with pytest.raises(SignInLockedError):
        world.ledger.sign_in("nobody", PASSWORD)


def test_a_lock_on_one_name_leaves_the_others_alone(world: World) -> None:
    fail_five_times(world.ledger, "nobody")

    assert world.ledger.sign_in("alice", PASSWORD).name == "alice"


def test_failures_counted_by_one_process_lock_the_name_in_another(
    world: World, store_url: str, tmp_path: Path
) -> None:
    other = open_ledger(store_url, master_key_file=tmp_path / "master.key", clock=world.clock)
    try:
        fail_five_times(other, "alice")

        with pytest.raises(SignInLockedError):
            world.ledger.sign_in("alice", PASSWORD)
    finally:
        other.close()


# --- an admin sets a password -------------------------------------------------------------------
def test_an_admin_sets_a_password_and_the_old_one_stops_working(world: World) -> None:
    world.ledger.set_password(SYSTEM, "alice", "a brand new password")

    assert world.ledger.sign_in("alice", "a brand new password").name == "alice"
    assert refused(world.ledger, "alice", PASSWORD) == WRONG


def test_setting_a_password_signs_the_user_out_everywhere(world: World) -> None:
    sessions = SessionStore(SqlDatabase(world.ledger))
    token, _ = sessions.create("alice", MORNING)
    other_token, _ = sessions.create("worker-a", MORNING)

    world.ledger.set_password(SYSTEM, "alice", "a brand new password")

    assert sessions.get(token, MORNING) is None
    assert sessions.get(other_token, MORNING) is not None


def test_setting_a_password_lifts_a_lock(world: World) -> None:
    fail_five_times(world.ledger, "alice")

    world.ledger.set_password(SYSTEM, "alice", "a brand new password")

    assert world.ledger.sign_in("alice", "a brand new password").name == "alice"


def test_finance_may_not_set_a_password(world: World) -> None:
    finance = world.ledger.user("alice")

    with pytest.raises(ForbiddenError):
        world.ledger.set_password(finance, "worker-a", "a brand new password")


def test_a_bound_admin_sets_passwords_inside_its_subtree_only(world: World) -> None:
    world.ledger.set_password(world.bound_admin, "worker-a", "a brand new password")

    with pytest.raises(ForbiddenError):
        world.ledger.set_password(world.bound_admin, "worker-b", "a brand new password")
    with pytest.raises(ForbiddenError):  # bound to no centre: the whole tree
        world.ledger.set_password(world.bound_admin, "alice", "a brand new password")
    assert world.ledger.sign_in("worker-a", "a brand new password").name == "worker-a"
    assert refused(world.ledger, "worker-b", "a brand new password") == WRONG


def test_a_bound_admin_adds_users_and_issues_tokens_inside_its_subtree_only(
    world: World,
) -> None:
    world.ledger.add_user(world.bound_admin, "worker-a2", Role.CASEWORKER, world.district_a)
    world.ledger.issue_token(world.bound_admin, "worker-a")

    with pytest.raises(ForbiddenError):  # an unbound user would act on the whole tree
        world.ledger.add_user(world.bound_admin, "admin-all", Role.ADMIN, None)
    with pytest.raises(ForbiddenError):
        world.ledger.add_user(world.bound_admin, "worker-b2", Role.CASEWORKER, world.district_b)
    with pytest.raises(ForbiddenError):
        world.ledger.issue_token(world.bound_admin, "worker-b")
    with pytest.raises(ForbiddenError):
        world.ledger.issue_token(world.bound_admin, "alice")
    with pytest.raises(NotFoundError):
        world.ledger.user("admin-all")


def test_a_password_for_an_unknown_user_or_against_the_rules_is_refused(world: World) -> None:
    with pytest.raises(NotFoundError):
        world.ledger.set_password(SYSTEM, "nobody", "a brand new password")
    with pytest.raises(InvalidInputError, match="at least 10"):
        world.ledger.set_password(SYSTEM, "alice", "short")
    with pytest.raises(InvalidInputError, match="user name"):
        world.ledger.set_password(SYSTEM, "no-password", "no-password")


def test_a_user_added_with_a_password_can_sign_in_at_once(world: World) -> None:
    world.ledger.add_user(SYSTEM, "carol", Role.AUDITOR, None, "carol's own password")

    assert world.ledger.sign_in("carol", "carol's own password").role is Role.AUDITOR


def test_a_user_is_not_added_with_a_password_against_the_rules(world: World) -> None:
    with pytest.raises(InvalidInputError):
        world.ledger.add_user(SYSTEM, "carol", Role.AUDITOR, None, "short")

    with pytest.raises(NotFoundError):
        world.ledger.user("carol")


def test_a_user_stored_before_passwords_existed_loads_without_one(world: World) -> None:
    user: object = world.ledger.repository.get(user_id("no-password"))

    assert isinstance(user, User)
    assert (user.password_hash, user.has_password) == (None, False)


# --- a user changes their own password ----------------------------------------------------------
def test_a_user_changes_their_password_with_the_current_one(world: World) -> None:
    world.ledger.change_password("alice", PASSWORD, "my next password")

    assert world.ledger.sign_in("alice", "my next password").name == "alice"
    assert refused(world.ledger, "alice", PASSWORD) == WRONG


def test_a_wrong_current_password_changes_nothing(world: World) -> None:
    with pytest.raises(NotAuthenticatedError):
        world.ledger.change_password("alice", "not the password", "my next password")

    assert world.ledger.sign_in("alice", PASSWORD).name == "alice"


def test_a_new_password_against_the_rules_changes_nothing(world: World) -> None:
    with pytest.raises(InvalidInputError):
        world.ledger.change_password("alice", PASSWORD, "short")

    assert world.ledger.sign_in("alice", PASSWORD).name == "alice"


def test_changing_a_password_is_recorded_as_the_user_themself(world: World) -> None:
    world.ledger.change_password("alice", PASSWORD, "my next password")

    last = list(world.ledger.stream(user_id("alice")))[-1]
    assert isinstance(last, User.PasswordSet)
    assert last.actor == "alice"


# --- the hash never leaves the ledger -----------------------------------------------------------
def password_hashes(ledger: Ledger) -> list[str]:
    return [
        e.password_hash
        for name in ("alice", "worker-a")
        for e in ledger.stream(user_id(name))
        if isinstance(e, User.PasswordSet)
    ]


def test_no_read_model_holds_a_password_hash(world: World) -> None:
    world.ledger.set_password(SYSTEM, "worker-a", "a brand new password")
    views = Views(world.ledger)
    views.projector.run_once()

    rows = [
        str(row)
        for view in views.projector.views
        for base in view.tables
        for row in view.db.query(f"SELECT * FROM {view.table(base, view.generation())}")
    ]

    hashes = password_hashes(world.ledger)
    assert len(hashes) == 2 and rows
    assert not [r for r in rows if "$argon2" in r or any(h in r for h in hashes)]


def test_an_audit_package_of_everything_holds_no_password_hash_and_verifies(
    world: World, tmp_path: Path
) -> None:
    world.ledger.set_password(SYSTEM, "worker-a", "a brand new password")
    out = tmp_path / "all.zip"

    export(world.ledger, Signer(tmp_path / "key.pem"), out, Scope())

    with zipfile.ZipFile(out) as package:
        files = {name: package.read(name) for name in package.namelist()}
    states = [
        base64.b64decode(json.loads(line)["state"]).decode()
        for line in files["events.jsonl"].decode().splitlines()
    ]
    everything = "\n".join([*states, *(data.decode() for data in files.values())])
    assert states
    assert "$argon2" not in everything
    assert not [h for h in password_hashes(world.ledger) if h in everything]
    assert verify_package(out).ok
