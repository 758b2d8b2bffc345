"""One person, one open archive (一人一档): the index refuses a second archive while one is open."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import DuplicateArchiveError
from domain.person_index import PersonIndex, person_index_id

DAY = date(2026, 1, 10)
ID_NUMBER = "11010519491231002X"
REF = "keyed-hash-of-the-id-number"


def test_the_first_archive_for_a_person_claims_the_index() -> None:
    case_id = uuid4()

    index = PersonIndex.claim_new(REF, case_id, "cw", DAY)

    assert index.open_case_id == case_id
    assert index.id == person_index_id(REF)


def test_the_index_is_found_from_the_keyed_hash_and_not_from_the_id_number() -> None:
    index = PersonIndex.claim_new(REF, uuid4(), "cw", DAY)

    assert index.id == person_index_id(REF)
    assert index.id != person_index_id(ID_NUMBER)
    assert ID_NUMBER not in repr(index.collect_events())


def test_another_case_may_not_claim_a_person_whose_archive_is_open() -> None:
    first = uuid4()
    index = PersonIndex.claim_new(REF, first, "cw", DAY)
    index.collect_events()

    with pytest.raises(DuplicateArchiveError, match="一人一档") as refused:
        index.claim(uuid4(), "cw", DAY)

    assert refused.value.holder == first
    assert str(first) not in refused.value.detail  # the Ledger decides who may be told

    assert index.open_case_id == first
    assert index.collect_events() == []


def test_after_the_archive_is_released_a_new_case_may_claim_the_person() -> None:
    first, second = uuid4(), uuid4()
    index = PersonIndex.claim_new(REF, first, "cw", DAY)
    index.release(first, "cw", DAY)

    index.claim(second, "cw", DAY)

    assert index.open_case_id == second


def test_a_released_archive_may_claim_the_person_again_on_relapse() -> None:
    case_id = uuid4()
    index = PersonIndex.claim_new(REF, case_id, "cw", DAY)
    index.release(case_id, "cw", DAY)

    index.claim(case_id, "cw", DAY)

    assert index.open_case_id == case_id
    assert [type(e).__name__ for e in index.collect_events()] == [
        "Claimed",
        "Released",
        "Reclaimed",
    ]


def test_claiming_again_for_the_case_already_open_changes_nothing() -> None:
    case_id = uuid4()
    index = PersonIndex.claim_new(REF, case_id, "cw", DAY)
    index.collect_events()

    index.claim(case_id, "cw", DAY)

    assert index.open_case_id == case_id
    assert index.collect_events() == []


def test_releasing_for_a_case_that_does_not_hold_the_index_changes_nothing() -> None:
    holder = uuid4()
    index = PersonIndex.claim_new(REF, holder, "cw", DAY)
    index.collect_events()

    index.release(uuid4(), "cw", DAY)

    assert index.open_case_id == holder
    assert index.collect_events() == []
