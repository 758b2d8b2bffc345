"""Time comes from the clock passed in; household keys are never lost without a record, nor left
behind by a refused registration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import pytest

from cli.demo import DemoBuilder, demo_id_number, demo_state
from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Assessment, Case, Person
from domain.clock import FixedClock
from domain.errors import DuplicateArchiveError
from domain.id_numbers import make_id_number, normalise_id_number
from domain.vocabulary import Category, Cause, CentreLevel
from stores import open_ledger
from stores.vault import Vault

# 17:30 UTC on 1 March is already 01:30 on 2 March in Shanghai
EVENING_IN_UTC = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)


@pytest.fixture
def clocked(store_url: str, tmp_path: Path) -> Iterator[tuple[Ledger, FixedClock]]:
    clock = FixedClock(EVENING_IN_UTC, step=timedelta(milliseconds=1))
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key", clock=clock)
    yield ledger, clock
    ledger.close()


def _centre(ledger: Ledger) -> UUID:
    return ledger.create_centre(Context(SYSTEM), "市中心", CentreLevel.PREFECTURE, None).result.id


def _register(ledger: Ledger, centre: UUID, n: int, day: date | None = None) -> UUID:
    outcome = ledger.register_case(
        Context(SYSTEM),
        centre,
        Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 50_000, ()),
        Person("王芳", make_id_number("220104", date(1970, 1, 1), n), "13800000000"),
        day,
    )
    return outcome.result.id


def _keys(ledger: Ledger) -> list[dict[str, Any]]:
    vault = ledger.vault
    assert isinstance(vault, Vault)
    return vault.db.query(f"SELECT * FROM {vault.table}")


def test_the_default_business_date_is_today_in_shanghai_and_events_are_stamped_by_the_clock(
    clocked: tuple[Ledger, FixedClock],
) -> None:
    ledger, _ = clocked

    case_id = _register(ledger, _centre(ledger), 1)

    case = ledger.case(SYSTEM, case_id)
    assert case.filed_on == date(2026, 3, 2)  # not 1 March, as UTC would have it
    stamps = [e.timestamp for e in ledger.stream(case_id)]
    assert all(EVENING_IN_UTC <= t < EVENING_IN_UTC + timedelta(seconds=1) for t in stamps)


def test_a_business_date_a_year_after_the_clocks_today_is_refused_but_not_one_within_it(
    clocked: tuple[Ledger, FixedClock],
) -> None:
    ledger, clock = clocked
    centre = _centre(ledger)

    _register(ledger, centre, 2, date(2027, 3, 1))
    with pytest.raises(Exception, match="outside the ledger's window"):
        _register(ledger, centre, 3, date(2027, 3, 10))
    clock.advance(timedelta(days=30))
    _register(ledger, centre, 3, date(2027, 3, 10))


def test_a_refused_registration_leaves_no_household_key_behind(
    clocked: tuple[Ledger, FixedClock],
) -> None:
    ledger, _ = clocked
    centre = _centre(ledger)
    _register(ledger, centre, 4)

    for _ in range(3):
        with pytest.raises(DuplicateArchiveError):
            _register(ledger, centre, 4)

    assert len(_keys(ledger)) == 1


def test_an_orphan_key_from_a_crash_is_swept_once_it_is_old_but_a_young_one_is_kept(
    clocked: tuple[Ledger, FixedClock],
) -> None:
    ledger, _ = clocked
    case = _register(ledger, _centre(ledger), 5)
    vault = ledger.vault
    assert isinstance(vault, Vault)
    vault.seal(UUID(int=1), {"name": "never recorded"})  # a crash after sealing
    vault.seal(UUID(int=2), {"name": "in flight"})
    with vault.db.transaction() as cursor:
        cursor.execute(
            vault.db.sql(f"UPDATE {vault.table} SET created_at = %s WHERE case_id IN (%s, %s)"),
            ("2020-01-01T00:00:00+00:00", str(UUID(int=1)), str(case)),
        )

    swept = vault.sweep_orphans(ledger.recorder.events_table_name)  # type: ignore[attr-defined]

    assert swept == 1
    assert {r["case_id"] for r in _keys(ledger)} == {str(case), str(UUID(int=2))}


def erasure_failing_in(
    ledger: Ledger,
    case_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    why: str,
) -> Case:
    """Erase the household's personal data while ``owner.name`` fails; the case after it."""

    def failing(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError(why)

    monkeypatch.setattr(owner, name, failing)
    with pytest.raises(RuntimeError, match=why):
        ledger.erase_personal_data(SYSTEM, case_id, "retention ended")
    monkeypatch.undo()
    return ledger.case(SYSTEM, case_id)


def test_erasure_is_recorded_before_the_key_is_destroyed_so_a_failure_loses_nothing_silently(
    clocked: tuple[Ledger, FixedClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, _ = clocked
    case_id = _register(ledger, _centre(ledger), 6)
    vault = ledger.vault
    assert isinstance(vault, Vault)

    case = erasure_failing_in(ledger, case_id, monkeypatch, vault, "erase", "the power failed")

    assert case.personal_data_erased  # the record is there ...
    assert vault.open(case_id, case.person_sealed) is not None  # ... and the data not yet lost
    ledger.erase_personal_data(SYSTEM, case_id, "retention ended")  # the retry finishes it
    assert vault.open(case_id, ledger.case(SYSTEM, case_id).person_sealed) is None
    erasures = [e for e in ledger.stream(case_id) if isinstance(e, Case.PersonalDataErased)]
    assert len(erasures) == 1


def test_a_failed_erasure_record_leaves_the_key_in_place(
    clocked: tuple[Ledger, FixedClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, _ = clocked
    case_id = _register(ledger, _centre(ledger), 7)

    case = erasure_failing_in(ledger, case_id, monkeypatch, ledger, "save", "the database is gone")

    assert not case.personal_data_erased
    assert ledger.vault is not None
    assert ledger.vault.open(case_id, case.person_sealed) is not None


def test_demo_id_numbers_never_collide_for_a_hundred_thousand_households() -> None:
    numbers = [demo_id_number(n) for n in range(100_000)]

    assert len(set(numbers)) == len(numbers)
    assert all(normalise_id_number(n) == n for n in numbers[::997])


class _CrashError(Exception):
    pass


def test_an_interrupted_demo_load_resumes_to_the_same_data_as_an_uninterrupted_one(
    store_url: str, tmp_path: Path, sqlite_url: str
) -> None:
    crashed = open_ledger(store_url, master_key_file=tmp_path / "a.key")
    clean = open_ledger(f"sqlite:///{tmp_path}/clean.sqlite", master_key_file=tmp_path / "b.key")
    seen = 0

    def crash_midway(n: int) -> None:
        nonlocal seen
        seen += n
        if seen > 25:
            raise _CrashError

    with pytest.raises(_CrashError):
        DemoBuilder(crashed, households=8, tick=crash_midway, resumable=True).build()
    assert demo_state(crashed) == "unfinished"
    resumed = DemoBuilder(crashed, households=8, resumable=True).build()
    expected = DemoBuilder(clean, households=8, resumable=True).build()

    assert demo_state(crashed) == "loaded"
    assert (len(resumed.cases), len(resumed.funds), len(resumed.payments)) == (
        len(expected.cases),
        len(expected.funds),
        len(expected.payments),
    )
    balances = sorted(crashed.fund(SYSTEM, f).balance_fen for f in resumed.funds)
    assert balances == sorted(clean.fund(SYSTEM, f).balance_fen for f in expected.funds)
    assert len(set(resumed.cases)) == 8
    crashed.close()
    clean.close()
