"""Users and access: users, their tokens, and the centre tree that bounds their authority."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.access import Actor, Permission
from domain.centres import Centre
from domain.clock import use_clock
from domain.errors import (
    CentreNotFoundError,
    NotAuthenticatedError,
    NotFoundError,
    UserExistsError,
)
from domain.passwords import check_new_password, hash_password
from domain.results import Created
from domain.users import TokenKey, User, new_token, token_key_id, user_id
from domain.vocabulary import (
    CentreLevel,
    Role,
)
from domain.writes import Change, Context, LedgerCore, Outcome


class AccessUseCases(LedgerCore):
    """Adding users, issuing tokens, authenticating, founding centres."""

    token_cache_seconds = 5.0
    token_cache_size = 4096
    _tokens: dict[UUID, tuple[Actor, datetime]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tokens = {}

    def add_user(
        self,
        actor: Actor,
        name: str,
        role: Role,
        centre_id: UUID | None,
        password: str | None = None,
    ) -> str:
        """Add a user and return the bearer token (shown once; only its hash is kept); with a
        password, the user can sign in to the web app too (only its argon2id hash is kept)."""
        actor.require(Permission.MANAGE_CENTRES)
        centre = self._get(Centre, centre_id, CentreNotFoundError) if centre_id else None
        # a bound admin adds users only inside its subtree, never an unbound one
        actor.require(Permission.MANAGE_CENTRES, centre.path if centre else [])
        if self._find(User, user_id(name.strip())) is not None:
            raise UserExistsError(f"a user named {name!r} exists already")
        if password is not None:
            password_hash = hash_password(check_new_password(password, name))
        token = new_token()
        with use_clock(self.clock):
            user = User.add(name, role, centre_id, token, actor.name, self.today())
            if password is not None:
                user.set_password(password_hash, actor.name, self.today())
            self.save(user, TokenKey.issue(token, user, actor.name, self.today()))
        return token

    def issue_token(self, actor: Actor, name: str) -> str:
        """Give an existing user a new token; the old one stops working."""
        actor.require(Permission.MANAGE_CENTRES)
        user = self._find(User, user_id(name))
        if user is None:
            raise NotFoundError(f"no user is named {name!r}")
        centre = self._get(Centre, user.centre_id, CentreNotFoundError) if user.centre_id else None
        actor.require(Permission.MANAGE_CENTRES, centre.path if centre else [])
        token = new_token()
        with use_clock(self.clock):
            user.issue_token(token, actor.name, self.today())
            self.save(user, TokenKey.issue(token, user, actor.name, self.today()))
        self._tokens.clear()  # the old token stops working here at once
        return token

    def user(self, name: str) -> Actor:
        """A user by name (NotFoundError if there is none)."""
        found = self._find(User, user_id(name))
        if found is None:
            raise NotFoundError(f"no user is named {name!r}")
        return found.as_actor

    def authenticate(self, token: str) -> Actor:
        """The user a bearer token belongs to.

        Accepted tokens are remembered for ``token_cache_seconds`` (by the hash-derived id of the
        token, never the token itself): a token replaced through this process stops working at
        once, one replaced through another process within that many seconds."""
        remembered = self.remembered_actor(token)
        if remembered is not None:
            return remembered
        key_id, now = token_key_id(token), self.clock.now()
        key = self._find(TokenKey, key_id)
        user = self._find(User, key.user_id) if key else None
        if user is None or not user.accepts(token):
            raise NotAuthenticatedError("the bearer token is not valid")
        if len(self._tokens) >= self.token_cache_size:
            self._tokens.clear()
        self._tokens[key_id] = (user.as_actor, now + timedelta(seconds=self.token_cache_seconds))
        return user.as_actor

    def remembered_actor(self, token: str) -> Actor | None:
        """The user of a token accepted here within ``token_cache_seconds``, without a read of
        the store (None: ask ``authenticate``)."""
        cached = self._tokens.get(token_key_id(token))
        return cached[0] if cached is not None and self.clock.now() < cached[1] else None

    # --- centres ------------------------------------------------------------------------------
    def create_centre(
        self, ctx: Context, name: str, level: CentreLevel, parent_id: UUID | None
    ) -> Outcome[Created]:
        def change() -> Change[Created]:
            parent = self._get(Centre, parent_id, CentreNotFoundError) if parent_id else None
            ctx.actor.require(Permission.MANAGE_CENTRES, parent.path if parent else [])
            centre = Centre.found(name, level, parent, ctx.actor.name, self.today())
            return Change(Created(centre.id), [centre])

        return self._write(ctx, change, parent_id)

    def centre(self, actor: Actor, centre_id: UUID) -> Centre:
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        actor.require(Permission.READ, centre.path)
        return centre
