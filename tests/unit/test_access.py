"""Who may act where: a role grants permissions, a user's centre bounds a subtree."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.access import GRANTS, SYSTEM, Actor, Permission
from domain.errors import ForbiddenError
from domain.vocabulary import Role

P = Permission
PROVINCE, CITY, DISTRICT, STREET = uuid4(), uuid4(), uuid4(), uuid4()
OTHER_CITY = uuid4()


REFUSED = {  # what each role may not do, stated apart from GRANTS
    Role.AUDITOR: [P.RECORD_MONEY, P.READ_PERSONAL_DATA],
    Role.FINANCE: [P.MANAGE_CASES, P.READ_PERSONAL_DATA],
    Role.CASEWORKER: [P.RECORD_MONEY],
    Role.SUPERVISOR: [P.MANAGE_CASES, P.MANAGE_CENTRES],
}


@pytest.mark.parametrize(("role", "permission"), [(r, p) for r in REFUSED for p in REFUSED[r]])
def test_a_role_lacking_the_permission_is_refused(role: Role, permission: Permission) -> None:
    actor = Actor("小李", role)

    with pytest.raises(ForbiddenError) as refusal:
        actor.require(permission, [PROVINCE])

    assert role.value in refusal.value.detail and permission.value in refusal.value.detail


@pytest.mark.parametrize(
    ("role", "permission"), [(r, p) for r in Role for p in sorted(GRANTS[r], key=str)]
)
def test_a_role_granted_the_permission_may_act(role: Role, permission: Permission) -> None:
    Actor("小李", role).require(permission, [PROVINCE, CITY])


def test_an_administrator_holds_every_permission() -> None:
    assert GRANTS[Role.ADMIN] == frozenset(Permission)


def test_a_user_bound_to_a_centre_may_act_at_that_centre_and_below() -> None:
    city_finance = Actor("市财务", Role.FINANCE, CITY)

    city_finance.require(P.RECORD_MONEY, [PROVINCE, CITY])
    city_finance.require(P.RECORD_MONEY, [PROVINCE, CITY, DISTRICT, STREET])


@pytest.mark.parametrize(
    "path", [[PROVINCE], [PROVINCE, OTHER_CITY], [PROVINCE, OTHER_CITY, STREET], []]
)
def test_a_user_bound_to_a_centre_is_refused_outside_its_subtree(path: list[UUID]) -> None:
    city_finance = Actor("市财务", Role.FINANCE, CITY)

    with pytest.raises(ForbiddenError, match=str(CITY)):
        city_finance.require(P.RECORD_MONEY, path)


def test_a_bound_user_may_use_a_permission_that_names_no_centre() -> None:
    Actor("市财务", Role.FINANCE, CITY).require(P.READ)


def test_a_bound_user_is_refused_for_a_missing_permission_even_inside_its_subtree() -> None:
    city_auditor = Actor("市审计", Role.AUDITOR, CITY)

    with pytest.raises(ForbiddenError):
        city_auditor.require(P.RECORD_MONEY, [PROVINCE, CITY])


@pytest.mark.parametrize("path", [[PROVINCE], [OTHER_CITY, STREET], [], None])
def test_an_unbound_user_may_act_anywhere(path: list[UUID] | None) -> None:
    Actor("全总", Role.FINANCE).require(P.RECORD_MONEY, path)


def test_the_system_actor_is_an_unbound_administrator() -> None:
    assert (SYSTEM.role, SYSTEM.centre_id) == (Role.ADMIN, None)

    SYSTEM.require(P.MANAGE_CENTRES, [OTHER_CITY])
