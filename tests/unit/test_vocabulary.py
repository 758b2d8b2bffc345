"""The ledger's words: which centre level hangs under which, Chinese labels, closure statuses."""

from __future__ import annotations

import pytest

from domain.vocabulary import TERMS, ZH, CaseStatus, CentreLevel, ClosureReason, Term

L = CentreLevel
STATION = L.ENTERPRISE_STATION
INDUSTRY = L.INDUSTRY_UNION
COUNTY_OR_ABOVE = [L.NATIONAL, L.PROVINCE, L.PREFECTURE, L.COUNTY]


def all_terms() -> list[Term]:
    """Every member of every stored vocabulary."""
    return [member for vocabulary in TERMS.values() for member in vocabulary]


def test_a_street_may_hang_under_a_county() -> None:
    assert L.STREET.may_hang_under(L.COUNTY)


def test_a_county_may_not_hang_under_a_street() -> None:
    assert not L.COUNTY.may_hang_under(L.STREET)


LADDER = [L.NATIONAL, L.PROVINCE, L.PREFECTURE, L.COUNTY, L.STREET, L.COMMUNITY]


@pytest.mark.parametrize(
    ("child", "parent"), [*zip(LADDER[1:], LADDER[:-1], strict=True), (L.COMMUNITY, L.COUNTY)]
)
def test_a_lower_level_may_hang_under_a_higher_one(child: L, parent: L) -> None:
    assert child.may_hang_under(parent)


@pytest.mark.parametrize(
    "level",
    [
        *(lvl for lvl in L if lvl is not INDUSTRY),
        (INDUSTRY),
    ],
)
def test_no_centre_may_hang_under_a_centre_of_its_own_level(level: L) -> None:
    assert not level.may_hang_under(level)


@pytest.mark.parametrize("parent", [lvl for lvl in L if lvl is not STATION])
def test_an_enterprise_station_may_hang_under_any_other_level(parent: L) -> None:
    assert STATION.may_hang_under(parent)


@pytest.mark.parametrize("child", list(L))
def test_nothing_may_hang_under_an_enterprise_station(child: L) -> None:
    assert not child.may_hang_under(STATION)


@pytest.mark.parametrize("parent", COUNTY_OR_ABOVE)
def test_an_industry_union_may_hang_under_a_county_or_above(parent: L) -> None:
    assert INDUSTRY.may_hang_under(parent)


@pytest.mark.parametrize("parent", [L.STREET, L.COMMUNITY, STATION])
def test_an_industry_union_may_not_hang_under_a_level_below_the_county(parent: L) -> None:
    assert not INDUSTRY.may_hang_under(parent)


@pytest.mark.parametrize(
    "child",
    [
        *(lvl for lvl in L if lvl not in (STATION, INDUSTRY)),
        (INDUSTRY),
    ],
)
def test_only_an_enterprise_station_may_hang_under_an_industry_union(child: L) -> None:
    assert not child.may_hang_under(INDUSTRY)


def test_an_enterprise_station_may_hang_under_an_industry_union() -> None:
    assert STATION.may_hang_under(INDUSTRY)


@pytest.mark.parametrize("parent", list(L))
def test_the_national_union_hangs_under_nothing(parent: L) -> None:
    assert not L.NATIONAL.may_hang_under(parent)


def test_every_term_enum_is_listed_among_the_stored_vocabularies() -> None:
    defined = set(Term.__subclasses__())

    assert defined == set(TERMS.values())


@pytest.mark.parametrize("term", all_terms(), ids=lambda t: f"{type(t).__name__}.{t.value}")
def test_every_stored_term_has_its_own_chinese_label(term: Term) -> None:
    assert term.value in ZH
    assert term.zh == ZH[term.value]
    assert term.zh.strip() and term.zh != term.value
    assert any("\u4e00" <= ch <= "\u9fff" for ch in term.zh)


def test_a_term_is_stored_as_its_plain_value() -> None:
    assert L("county") is L.COUNTY
    assert str(L.COUNTY) == "county"
    assert L.COUNTY.zh == "区县级"


LIBRARY = {
    ClosureReason.EXITED_INCOME_ABOVE_LINE: CaseStatus.EXITED,
    ClosureReason.STABILIZED_SAFETY_NET: CaseStatus.EXITED,
    ClosureReason.DECEASED: CaseStatus.CANCELLED,
    ClosureReason.DEREGISTERED_INELIGIBLE: CaseStatus.CANCELLED,
    ClosureReason.RETIRED: CaseStatus.CANCELLED,
    ClosureReason.TRANSFERRED_OUT: CaseStatus.CANCELLED,
    ClosureReason.DUPLICATE_ARCHIVE: CaseStatus.CANCELLED,
}


@pytest.mark.parametrize(("reason", "status"), LIBRARY.items())
def test_a_closure_reason_sends_the_case_to_the_exited_or_cancelled_library(
    reason: ClosureReason, status: CaseStatus
) -> None:
    assert reason.status is status


def test_no_closure_reason_leaves_a_case_active() -> None:
    assert all(reason.status is not CaseStatus.ACTIVE for reason in ClosureReason)
