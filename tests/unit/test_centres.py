"""Assistance centres form a tree; each centre knows the path from the root down to itself."""

from __future__ import annotations

from datetime import date

import pytest

from domain.centres import Centre
from domain.errors import InvalidCentreLevelError, InvalidInputError
from domain.vocabulary import CentreLevel

DAY = date(2026, 1, 5)
L = CentreLevel


def found(name: str, level: CentreLevel, parent: Centre | None = None) -> Centre:
    return Centre.found(name, level, parent, "admin", DAY)


def test_a_top_centre_has_no_parent_and_a_path_of_its_own_id() -> None:
    province = found("广东省总工会帮扶中心", L.PROVINCE)

    assert province.parent_id is None
    assert province.path == [province.id]
    assert province.level is L.PROVINCE


def test_a_childs_path_is_its_parents_path_followed_by_its_own_id() -> None:
    city = found("广州市", L.PREFECTURE)
    district = found("天河区", L.COUNTY, city)

    street = found("石牌街道", L.STREET, district)

    assert street.path == [*district.path, street.id]
    assert street.path == [city.id, district.id, street.id]
    assert street.parent_id == district.id


def test_an_enterprise_station_may_be_founded_directly_under_a_province() -> None:
    province = found("省", L.PROVINCE)

    station = found("某厂帮扶站", L.ENTERPRISE_STATION, province)

    assert station.path == [province.id, station.id]


MAY_NOT_HANG = {  # parent level: the levels that may not hang under it
    L.STREET: [L.COUNTY, L.INDUSTRY_UNION],
    L.COUNTY: [L.COUNTY],
    L.ENTERPRISE_STATION: [L.ENTERPRISE_STATION],
    L.INDUSTRY_UNION: [L.STREET],
    L.PROVINCE: [L.NATIONAL],
}


@pytest.mark.parametrize(
    ("parent_level", "child_level"), [(p, c) for p in MAY_NOT_HANG for c in MAY_NOT_HANG[p]]
)
def test_a_centre_is_refused_when_its_level_may_not_hang_under_the_parents(
    parent_level: CentreLevel, child_level: CentreLevel
) -> None:
    parent = found("上级", parent_level)

    with pytest.raises(InvalidCentreLevelError) as refusal:
        found("下级", child_level, parent)

    assert child_level.value in refusal.value.detail
    assert parent_level.value in refusal.value.detail


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_centre_without_a_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidInputError, match="name"):
        found(name, L.COUNTY)


def test_a_centres_name_is_stored_without_surrounding_spaces() -> None:
    centre = found("  天河区  ", L.COUNTY)

    assert centre.name == "天河区"


def test_founding_a_centre_records_one_created_event_with_its_place_in_the_tree() -> None:
    city = found("广州市", L.PREFECTURE)
    city.collect_events()

    district = found("天河区", L.COUNTY, city)

    [created] = district.collect_events()
    assert type(created).__name__ == "Created"
    assert created.ancestors == [city.id]  # type: ignore[attr-defined]
    assert created.level == "county"  # type: ignore[attr-defined]


def test_replaying_a_centres_events_rebuilds_the_same_centre() -> None:
    city = found("广州市", L.PREFECTURE)
    district = found("天河区", L.COUNTY, city)

    rebuilt = None
    for stored in district.collect_events():
        rebuilt = stored.mutate(rebuilt)

    assert isinstance(rebuilt, Centre)
    assert (rebuilt.id, rebuilt.name, rebuilt.level, rebuilt.path) == (
        district.id,
        district.name,
        district.level,
        district.path,
    )
