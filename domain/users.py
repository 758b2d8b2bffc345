"""Users, their bearer tokens and passwords: only a hash of either is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.access import Actor
from domain.aggregate import Act, LedgerAggregate
from domain.passwords import is_password_hash
from domain.text import checked
from domain.vocabulary import Role

_USERS = uuid5(NAMESPACE_URL, "https://bangfu.example/users")
_TOKENS = uuid5(NAMESPACE_URL, "https://bangfu.example/tokens")
USER_NAME_MAX = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_id(name: str) -> UUID:
    return uuid5(_USERS, name)


def token_key_id(token: str) -> UUID:
    return uuid5(_TOKENS, token_hash(token))


def new_token() -> str:
    return "bf_" + secrets.token_urlsafe(32)


class User(LedgerAggregate):
    """A named user with a role, optionally bound to a centre's subtree."""

    Added: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    class TokenIssued(Act):  # the old token stops working
        token_sha256: str

        def apply(self, user: User) -> None:
            user.token_sha256 = self.token_sha256

    class PasswordSet(Act):  # the old password stops working
        password_hash: str  # argon2id, never the password

        def apply(self, user: User) -> None:
            user.password_hash = self.password_hash

    @event("Added")
    def __init__(
        self,
        id: UUID,
        name: str,
        role: str,
        centre_id: UUID | None,
        token_sha256: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.name = name
        self.role_value = role
        self.centre_id = centre_id
        self.token_sha256 = token_sha256
        self.password_hash: str | None = None  # until a password is set (web sign-in)

    @classmethod
    def add(
        cls,
        name: str,
        role: Role,
        centre_id: UUID | None,
        token: str,
        actor: str,
        business_date: date,
    ) -> User:
        name = checked(name, "a user's name", max_length=USER_NAME_MAX, required=True)
        return cls(
            id=user_id(name),
            name=name,
            role=role.value,
            centre_id=centre_id,
            token_sha256=token_hash(token),
            actor=actor,
            business_date=business_date,
        )

    def issue_token(self, token: str, actor: str, business_date: date) -> None:
        """Replace the token: the old one stops working."""
        self._trigger(self.TokenIssued, actor, business_date, token_sha256=token_hash(token))

    def set_password(self, password_hash: str, actor: str, business_date: date) -> None:
        """Replace the password (given as its argon2id hash): the old one stops working."""
        if not is_password_hash(password_hash):
            raise ValueError("a password is recorded only as its argon2id hash")
        self._trigger(self.PasswordSet, actor, business_date, password_hash=password_hash)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def accepts(self, token: str) -> bool:
        return secrets.compare_digest(self.token_sha256, token_hash(token))

    @property
    def as_actor(self) -> Actor:
        return Actor(name=self.name, role=Role(self.role_value), centre_id=self.centre_id)


class TokenKey(LedgerAggregate):
    """Finds the user of a token by the token's hash."""

    Issued: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Issued")
    def __init__(self, id: UUID, user_id: UUID, actor: str, business_date: date) -> None:
        self.user_id = user_id

    @classmethod
    def issue(cls, token: str, user: User, actor: str, business_date: date) -> TokenKey:
        return cls(
            id=token_key_id(token), user_id=user.id, actor=actor, business_date=business_date
        )
