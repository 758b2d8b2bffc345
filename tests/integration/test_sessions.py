"""Web sessions on both stores: a random token for the cookie, only its hash kept, ended by
signing out, by 2 idle hours or 12 hours after signing in; their tables made once, even by
processes starting together."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bootstrap import bootstrap
from domain.application import Ledger
from settings import Settings
from stores import open_ledger
from stores.sessions import SessionStore, create_tables
from stores.sql import SqlDatabase

SIGNED_IN = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def sessions(ledger: Ledger) -> SessionStore:
    return SessionStore(SqlDatabase(ledger))


def later(**by: float) -> datetime:
    return SIGNED_IN + timedelta(**by)


def test_a_new_session_is_found_by_its_token_with_its_user_and_csrf_token(
    sessions: SessionStore,
) -> None:
    token, created = sessions.create("alice", SIGNED_IN)

    found = sessions.get(token, later(seconds=5))

    assert found == created
    assert found is not None and found.user_name == "alice"
    assert (found.created_at, found.last_seen, found.expires_at) == (
        SIGNED_IN,
        SIGNED_IN,
        later(hours=12),
    )
    assert len(token) >= 43 and len(found.csrf_token) >= 43
    assert found.csrf_token != token


def test_every_session_has_its_own_token_and_csrf_token(sessions: SessionStore) -> None:
    made = [sessions.create("alice", SIGNED_IN) for _ in range(5)]

    assert len({token for token, _ in made}) == 5
    assert len({session.csrf_token for _, session in made}) == 5


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 10_000, "\ud800"])
def test_an_unknown_token_finds_no_session(sessions: SessionStore, token: str) -> None:
    sessions.create("alice", SIGNED_IN)

    assert sessions.get(token, SIGNED_IN) is None


def test_the_table_keeps_the_tokens_sha256_never_the_token(
    sessions: SessionStore,
) -> None:
    token, _ = sessions.create("alice", SIGNED_IN)

    rows = sessions.db.query(f"SELECT * FROM {sessions.table}")

    assert [r["token_sha256"] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert not [value for r in rows for value in r.values() if token in str(value)]


def test_two_idle_hours_end_a_session(sessions: SessionStore) -> None:
    token, _ = sessions.create("alice", SIGNED_IN)
    other, _ = sessions.create("alice", SIGNED_IN)

    at_the_limit = sessions.get(token, later(hours=2))
    past_it = sessions.get(other, later(hours=2, seconds=1))

    assert at_the_limit is not None
    assert past_it is None
    assert sessions.get(other, later(hours=2, seconds=2)) is None


def test_a_busy_session_still_ends_12_hours_after_signing_in(sessions: SessionStore) -> None:
    token, _ = sessions.create("alice", SIGNED_IN)

    alive = [sessions.get(token, later(hours=h)) is not None for h in range(1, 13)]
    after = sessions.get(token, later(hours=12, seconds=1))

    assert all(alive)
    assert after is None


def test_last_seen_is_written_at_most_once_a_minute(sessions: SessionStore) -> None:
    token, _ = sessions.create("alice", SIGNED_IN)

    soon = sessions.get(token, later(seconds=30))
    minute = sessions.get(token, later(seconds=61))
    stored = sessions.db.one(f"SELECT last_seen FROM {sessions.table}")

    assert soon is not None and soon.last_seen == SIGNED_IN
    assert minute is not None and minute.last_seen == later(seconds=61)
    assert stored is not None and datetime.fromisoformat(stored["last_seen"]) == later(seconds=61)


def test_signing_out_ends_that_session_only(sessions: SessionStore) -> None:
    token, _ = sessions.create("alice", SIGNED_IN)
    other, _ = sessions.create("alice", SIGNED_IN)

    sessions.delete(token)

    assert sessions.get(token, SIGNED_IN) is None
    assert sessions.get(other, SIGNED_IN) is not None


def test_signing_a_user_out_everywhere_leaves_other_users_signed_in(
    sessions: SessionStore,
) -> None:
    alices = [sessions.create("alice", SIGNED_IN)[0] for _ in range(3)]
    bobs, _ = sessions.create("bob", SIGNED_IN)

    sessions.delete_user("alice")

    assert [sessions.get(t, SIGNED_IN) for t in alices] == [None, None, None]
    assert sessions.get(bobs, SIGNED_IN) is not None


def test_ended_sessions_are_swept_away_when_a_new_one_starts(sessions: SessionStore) -> None:
    sessions.create("alice", SIGNED_IN)
    sessions.create("bob", later(hours=2))

    sessions.create("carol", later(hours=3, seconds=30))

    names = {r["user_name"] for r in sessions.db.query(f"SELECT * FROM {sessions.table}")}
    assert names == {"bob", "carol"}


def test_a_time_without_a_zone_is_refused(sessions: SessionStore) -> None:
    with pytest.raises(ValueError, match="time zone"):
        sessions.create("alice", datetime(2026, 3, 2, 9, 0))


def test_a_session_made_by_one_process_is_found_by_another(
    store_url: str, tmp_path: Path, sessions: SessionStore
) -> None:
    token, _ = sessions.create("alice", SIGNED_IN)
    other = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        found = SessionStore(SqlDatabase(other)).get(token, SIGNED_IN)
    finally:
        other.close()

    assert found is not None and found.user_name == "alice"


def test_the_apps_sessions_and_the_ledgers_are_the_same_table(
    ledger: Ledger, settings: Settings
) -> None:
    app = bootstrap(settings, ledger=ledger)
    token, _ = app.sessions.create("alice", SIGNED_IN)

    assert ledger.sessions is not None
    ledger.sessions.delete_user("alice")

    assert app.sessions.get(token, SIGNED_IN) is None


# --- the tables ---------------------------------------------------------------------------------
def _drop_tables(ledger: Ledger) -> None:
    db = SqlDatabase(ledger)
    with db.transaction() as cursor:
        for name in ("web_sessions", "sign_in_failures"):
            cursor.execute(f"DROP TABLE IF EXISTS {db.table(name)}")


def _has_tables(ledger: Ledger) -> bool:
    db = SqlDatabase(ledger)
    try:
        db.query(f"SELECT * FROM {db.table('web_sessions')}, {db.table('sign_in_failures')}")
    except Exception:
        return False
    return True


@pytest.fixture
def two_processes(store_url: str, tmp_path: Path) -> Iterator[tuple[Ledger, Ledger]]:
    key = tmp_path / "master.key"
    first, second = (
        open_ledger(store_url, master_key_file=key),
        open_ledger(store_url, master_key_file=key),
    )
    yield first, second
    first.close()
    second.close()


def test_the_tables_are_made_only_when_tables_are_to_be_created(
    two_processes: tuple[Ledger, Ledger], store_url: str, tmp_path: Path
) -> None:
    first, _ = two_processes
    _drop_tables(first)

    without = open_ledger(store_url, master_key_file=tmp_path / "master.key", create_tables=False)
    made_by_without = _has_tables(first)
    with_tables = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    without.close()
    with_tables.close()

    assert not made_by_without
    assert _has_tables(first)


def _make_tables(ledger: Ledger, start: threading.Barrier, errors: list[Exception]) -> None:
    start.wait()
    try:
        create_tables(SqlDatabase(ledger))
    except Exception as error:
        errors.append(error)


def test_two_processes_making_the_tables_at_the_same_moment_both_succeed(
    two_processes: tuple[Ledger, Ledger],
) -> None:
    first, second = two_processes
    for _ in range(5):
        _drop_tables(first)
        start, errors = threading.Barrier(2), list[Exception]()

        threads = [
            threading.Thread(target=_make_tables, args=(p, start, errors)) for p in two_processes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert _has_tables(second)
