"""Who may do what, and where: roles grant permissions; a user's centre bounds a subtree."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from domain.errors import ForbiddenError
from domain.vocabulary import Role


class Permission(Enum):
    MANAGE_CENTRES = "manage centres"
    RECORD_MONEY = "record money"
    MANAGE_CASES = "manage cases"
    READ = "read"
    READ_PERSONAL_DATA = "read personal data"
    SET_POLICY = "set local policy"  # admins only: the 低保 line, caps, limits (domain/policy.py)
    APPROVE_PAYMENTS = "approve payment requests"  # the checker of maker-checker (支付审批)


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.FINANCE: frozenset(
        {Permission.RECORD_MONEY, Permission.APPROVE_PAYMENTS, Permission.READ}
    ),
    Role.CASEWORKER: frozenset(
        {Permission.MANAGE_CASES, Permission.READ, Permission.READ_PERSONAL_DATA}
    ),
    Role.SUPERVISOR: frozenset({Permission.READ, Permission.READ_PERSONAL_DATA}),
    Role.AUDITOR: frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class Actor:
    """The user behind a command; ``centre_id`` None means the whole tree."""

    name: str
    role: Role
    centre_id: UUID | None = None

    def require(self, permission: Permission, centre_path: list[UUID] | None = None) -> None:
        """Refuse unless the role grants the permission and the centre lies in the subtree."""
        if permission not in GRANTS[self.role]:
            raise ForbiddenError(
                f"user {self.name!r} is {self.role.value} ({self.role.zh}) and may not "
                f"{permission.value}"
            )
        if (
            self.centre_id is not None
            and centre_path is not None
            and self.centre_id not in centre_path
        ):  # [] is the whole tree: bound users fail
            raise ForbiddenError(
                f"user {self.name!r} acts only within centre {self.centre_id} and below"
            )


SYSTEM = Actor(name="system", role=Role.ADMIN)
