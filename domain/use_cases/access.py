"""Users and access: users, their tokens, and the centre tree that bounds their authority."""

from __future__ import annotations

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
from domain.users import TokenKey, User, new_token, token_key_id, user_id
from domain.vocabulary import (
    CentreLevel,
    Role,
)
from domain.writes import Change, Context, LedgerCore, Outcome


class AccessUseCases(LedgerCore):
    """Adding users, issuing tokens, authenticating, founding centres."""

    def add_user(self, actor: Actor, name: str, role: Role, centre_id: UUID | None) -> str:
        """Add a user and return the bearer token (shown once; only its hash is kept)."""
        actor.require(Permission.MANAGE_CENTRES)
        if centre_id is not None:
            self._get(Centre, centre_id, CentreNotFoundError)
        if self._find(User, user_id(name.strip())) is not None:
            raise UserExistsError(f"a user named {name!r} exists already")
        token = new_token()
        with use_clock(self.clock):
            user = User.add(name, role, centre_id, token, actor.name, self.today())
            self.save(user, TokenKey.issue(token, user, actor.name, self.today()))
        return token

    def issue_token(self, actor: Actor, name: str) -> str:
        """Give an existing user a new token; the old one stops working."""
        actor.require(Permission.MANAGE_CENTRES)
        user = self._find(User, user_id(name))
        if user is None:
            raise NotFoundError(f"no user is named {name!r}")
        token = new_token()
        with use_clock(self.clock):
            user.issue_token(token, actor.name, self.today())
            self.save(user, TokenKey.issue(token, user, actor.name, self.today()))
        return token

    def user(self, name: str) -> Actor:
        """A user by name (NotFoundError if there is none)."""
        found = self._find(User, user_id(name))
        if found is None:
            raise NotFoundError(f"no user is named {name!r}")
        return found.as_actor

    def authenticate(self, token: str) -> Actor:
        key = self._find(TokenKey, token_key_id(token))
        user = self._find(User, key.user_id) if key else None
        if user is None or not user.accepts(token):
            raise NotAuthenticatedError("the bearer token is not valid")
        return user.as_actor

    # --- centres ------------------------------------------------------------------------------
    def create_centre(
        self, ctx: Context, name: str, level: CentreLevel, parent_id: UUID | None
    ) -> Outcome:
        def change() -> Change:
            parent = self._get(Centre, parent_id, CentreNotFoundError) if parent_id else None
            ctx.actor.require(Permission.MANAGE_CENTRES, parent.path if parent else [])
            centre = Centre.found(name, level, parent, ctx.actor.name, self.today())
            return Change({"id": str(centre.id)}, [centre])

        return self._write(ctx, change)

    def centre(self, actor: Actor, centre_id: UUID) -> Centre:
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        actor.require(Permission.READ, centre.path)
        return centre
