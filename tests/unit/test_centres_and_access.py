"""The centre tree and who may act where."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.access import Actor, Permission
from domain.centres import Centre
from domain.errors import ForbiddenError, InvalidCentreLevelError, InvalidInputError
from domain.vocabulary import (
    TERMS,
    AssistanceType,
    CentreLevel,
    ClosureReason,
    Role,
    Term,
)

DAY = date(2026, 1, 1)
L = CentreLevel


def test_a_childs_path_is_its_parents_path_and_its_own_id() -> None:
    city = Centre.found("市", L.PREFECTURE, None, "a", DAY)
    district = Centre.found("区", L.COUNTY, city, "a", DAY)

    street = Centre.found("街道", L.STREET, district, "a", DAY)

    assert street.path == [city.id, district.id, street.id]
    assert street.parent_id == district.id


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (L.STREET, L.COUNTY, True),
        (L.COUNTY, L.STREET, False),
        (L.PROVINCE, L.PROVINCE, False),
        (L.ENTERPRISE_STATION, L.COMMUNITY, True),
        (L.ENTERPRISE_STATION, L.NATIONAL, True),
        (L.ENTERPRISE_STATION, L.ENTERPRISE_STATION, False),
        (L.INDUSTRY_UNION, L.COUNTY, True),
        (L.INDUSTRY_UNION, L.STREET, False),
        (L.ENTERPRISE_STATION, L.INDUSTRY_UNION, True),
        (L.STREET, L.INDUSTRY_UNION, False),
    ],
)
def test_a_child_level_sits_below_its_parent(child: L, parent: L, allowed: bool) -> None:
    assert child.may_hang_under(parent) is allowed


def test_a_centre_of_the_wrong_level_or_without_a_name_is_refused() -> None:
    street = Centre.found("街道", L.STREET, None, "a", DAY)

    with pytest.raises(InvalidCentreLevelError):
        Centre.found("省", L.PROVINCE, street, "a", DAY)
    with pytest.raises(InvalidInputError):
        Centre.found("  ", L.COMMUNITY, street, "a", DAY)


def test_every_stored_term_has_a_chinese_name() -> None:
    for term in TERMS.values():
        for member in term:
            assert isinstance(member, Term) and member.zh != member.value


def test_closure_reasons_send_a_case_to_the_exited_or_the_cancelled_library() -> None:
    assert ClosureReason.EXITED_INCOME_ABOVE_LINE.status.value == "exited"
    assert ClosureReason.STABILIZED_SAFETY_NET.status.value == "exited"
    assert ClosureReason.DECEASED.status.value == "cancelled"
    assert AssistanceType.EDUCATION_AID.zh == "助学"


def test_a_role_without_the_permission_is_refused() -> None:
    with pytest.raises(ForbiddenError, match="auditor"):
        Actor("审计员", Role.AUDITOR).require(Permission.RECORD_MONEY)


def test_a_user_bound_to_a_centre_acts_inside_its_subtree_only() -> None:
    district, street, elsewhere = uuid4(), uuid4(), uuid4()
    local = Actor("local", Role.FINANCE, district)

    local.require(Permission.RECORD_MONEY, [uuid4(), district, street])

    with pytest.raises(ForbiddenError):
        local.require(Permission.RECORD_MONEY, [uuid4(), elsewhere])
    with pytest.raises(ForbiddenError):
        local.require(Permission.READ, [])


def test_an_unbound_user_acts_anywhere() -> None:
    Actor("boss", Role.ADMIN).require(Permission.MANAGE_CENTRES, [uuid4()])
