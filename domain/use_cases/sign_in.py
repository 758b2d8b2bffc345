"""Signing in with a user name and password, and setting passwords.

Five failed sign-ins of one user name within 15 minutes lock that name until 15 minutes after
the last of them, whether or not a user has it (so the lock tells no names apart). The failures
are kept in the store (``SignInFailures``, stores/sessions.py), so every process counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from domain.access import Actor, Permission
from domain.centres import Centre
from domain.errors import (
    CentreNotFoundError,
    NotAuthenticatedError,
    NotFoundError,
    SignInLockedError,
)
from domain.passwords import (
    PASSWORD_MAX,
    check_new_password,
    hash_password,
    password_matches,
    spend_one_verify,
)
from domain.results import Created
from domain.text import problem
from domain.users import USER_NAME_MAX, User, user_id
from domain.writes import Change, Context, LedgerCore

LOCK_AFTER = 5  # failed sign-ins ...
LOCK_WINDOW = timedelta(minutes=15)  # ... within this long lock the name for this long
WRONG = "the user name or password is wrong"  # the same words whatever was wrong


class SignInFailures(Protocol):
    """Failed sign-ins by user name, kept where every process of the ledger sees them."""

    def failed_since(self, name: str, since: datetime) -> list[datetime]:
        """When the sign-ins with this name failed, from ``since`` on."""
        ...

    def record(self, name: str, at: datetime) -> None:
        """Remember a failed sign-in."""
        ...

    def clear(self, name: str) -> None:
        """Forget the name's failures (it signed in, or was given a new password)."""
        ...


class Sessions(Protocol):
    """The web sessions (stores/sessions.py), as far as the ledger ends them."""

    def delete_user(self, user_name: str) -> None:
        """Sign the user out everywhere."""
        ...


def locked_until(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """Until when a name is locked, or None: five failures within 15 minutes lock it until 15
    minutes after the last of them."""
    if not failures:
        return None
    last = max(failures)
    if now >= last + LOCK_WINDOW:
        return None
    if sum(1 for t in failures if last - t < LOCK_WINDOW) < LOCK_AFTER:
        return None
    return last + LOCK_WINDOW


def _may_name_a_user(name: str) -> bool:
    """Whether the (trimmed) text could be a user's name: printable, 1 to 100 characters."""
    return bool(name) and problem(name, max_length=USER_NAME_MAX) is None


class SignInUseCases(LedgerCore):
    """Signing in with a password, changing one's own, and an admin setting anyone's."""

    sign_in_failures: SignInFailures | None
    sessions: Sessions | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sign_in_failures = None  # set by stores.open_ledger, as the vault is
        self.sessions = None

    def sign_in(self, name: str, password: str) -> Actor:
        """The user whose name and password these are: NotAuthenticatedError with the same
        words for an unknown name, a wrong password or a user without one (in about the same
        time), SignInLockedError after too many failures."""
        failures, now, name = self._failures(), self.clock.now(), name.strip()
        countable = _may_name_a_user(name)  # else neither looked up nor counted
        if countable:
            until = locked_until(failures.failed_since(name, now - 2 * LOCK_WINDOW), now)
            if until is not None:
                raise SignInLockedError(until, now)
        user = self._user_named(name)
        if user is None or user.password_hash is None or len(password) > PASSWORD_MAX:
            spend_one_verify(password)
            matches = False
        else:
            matches = password_matches(user.password_hash, password)
        if not matches or user is None:
            if countable:
                failures.record(name, now)
            raise NotAuthenticatedError(WRONG)
        failures.clear(name)
        return user.as_actor

    def set_password(self, actor: Actor, name: str, password: str) -> None:
        """An admin sets a user's password (a bound admin only for users of its subtree); the
        user is signed out everywhere, and a lock on the name is lifted."""
        actor.require(Permission.MANAGE_CENTRES)
        user = self._user_named(name)
        if user is None:
            raise NotFoundError(f"no user is named {name!r}")
        actor.require(Permission.MANAGE_CENTRES, self._path_of(user))
        check_new_password(password, user.name)
        self._record_password(actor, user.id, hash_password(password))
        self._sessions().delete_user(user.name)
        self._failures().clear(user.name)

    def change_password(self, name: str, current: str, new: str) -> None:
        """The user changes their own password, giving the current one (NotAuthenticatedError
        when it is wrong; it counts as a failed sign-in). Ending their other sessions is the
        caller's."""
        actor = self.sign_in(name, current)
        check_new_password(new, actor.name)
        self._record_password(actor, user_id(actor.name), hash_password(new))

    def _record_password(self, actor: Actor, of_user: UUID, password_hash: str) -> None:
        def change() -> Change[Created]:
            user = self._get(User, of_user, NotFoundError)
            user.set_password(password_hash, actor.name, self.today())
            return Change(Created(user.id), [user])

        self._write(Context(actor), change, of_user)

    def _user_named(self, name: str) -> User | None:
        name = name.strip()
        return self._find(User, user_id(name)) if _may_name_a_user(name) else None

    def _path_of(self, user: User) -> list[UUID]:
        """The path of the user's centre; [] (the whole tree) for a user bound to none."""
        if user.centre_id is None:
            return []
        return self._get(Centre, user.centre_id, CentreNotFoundError).path

    def _failures(self) -> SignInFailures:
        if self.sign_in_failures is None:
            raise RuntimeError("this ledger was opened without its sign-in failures table")
        return self.sign_in_failures

    def _sessions(self) -> Sessions:
        if self.sessions is None:
            raise RuntimeError("this ledger was opened without its web sessions table")
        return self.sessions
