"""Web sessions and failed sign-ins, in tables beside the events (the same PostgreSQL schema or
SQLite file), so that every process of the ledger sees the same ones.

A session is known by a random token that only the browser's cookie holds; the table keeps its
SHA-256. A session ends when signed out, after 2 hours without a request, or 12 hours after
signing in, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError, OperationalError

from stores.sql import SqlDatabase

IDLE_LIMIT = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)  # last_seen is written at most this often
FORGET_FAILURES_AFTER = timedelta(days=1)  # the lock-out looks back 30 minutes

SESSIONS = "web_sessions"
FAILURES = "sign_in_failures"
_LOCK = "bangfu: create the sign-in tables"  # the advisory lock's name
_TRIES = 5


def create_tables(db: SqlDatabase) -> None:
    """Create the sessions and failures tables if they are missing. Processes starting together
    take turns: on PostgreSQL an advisory lock orders them; on SQLite the one refused the write
    lock while another makes the tables tries again, and then finds them there."""
    sessions, failures = db.table(SESSIONS), db.table(FAILURES)
    statements = [
        f"CREATE TABLE IF NOT EXISTS {sessions} (token_sha256 TEXT PRIMARY KEY, "
        "user_name TEXT NOT NULL, csrf_token TEXT NOT NULL, created_at TEXT NOT NULL, "
        "last_seen TEXT NOT NULL, expires_at TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {SESSIONS}_user ON {sessions} (user_name)",
        f"CREATE TABLE IF NOT EXISTS {failures} (user_name TEXT NOT NULL, failed_at TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {FAILURES}_name ON {failures} (user_name, failed_at)",
        f"CREATE INDEX IF NOT EXISTS {FAILURES}_time ON {failures} (failed_at)",
    ]
    for attempt in range(1, _TRIES + 1):
        try:
            with db.transaction() as cursor:
                if db.is_postgres:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_LOCK,))
                for statement in statements:
                    cursor.execute(statement)
            return
        except (IntegrityError, OperationalError):  # "database is locked", or made meanwhile
            if attempt == _TRIES:
                raise
            time.sleep(0.05 * attempt)


@dataclass(frozen=True)
class WebSession:
    """A signed-in person's session. ``expires_at`` is its absolute end (12 hours after signing
    in); 2 hours without a request end it sooner."""

    user_name: str
    csrf_token: str  # sent back with every form and page write
    created_at: datetime
    last_seen: datetime
    expires_at: datetime

    def live_at(self, now: datetime) -> bool:
        return now <= self.expires_at and now - self.last_seen <= IDLE_LIMIT


class SessionStore:
    """Creates, finds and ends web sessions (table web_sessions)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.table = db.table(SESSIONS)

    def create(self, user_name: str, now: datetime) -> tuple[str, WebSession]:
        """A new session: the token for the cookie (shown only now) and the session. Sessions
        that have ended are swept away on the way."""
        now = datetime.fromisoformat(_text(now))  # in UTC, as it is read back
        token = secrets.token_urlsafe(32)
        session = WebSession(user_name, secrets.token_urlsafe(32), now, now, now + LIFETIME)
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(f"DELETE FROM {self.table} WHERE expires_at < %s OR last_seen < %s"),
                (_text(now), _text(now - IDLE_LIMIT)),
            )
            cursor.execute(
                self.db.sql(f"INSERT INTO {self.table} VALUES (%s, %s, %s, %s, %s, %s)"),
                (
                    token_sha256(token),
                    user_name,
                    session.csrf_token,
                    _text(now),
                    _text(now),
                    _text(session.expires_at),
                ),
            )
        return token, session

    def get(self, token: str, now: datetime) -> WebSession | None:
        """The live session of the token, or None (unknown, idle too long or too old); its
        ``last_seen`` becomes ``now`` (written at most once a minute)."""
        if not token:
            return None
        digest = token_sha256(token)
        row = self.db.one(f"SELECT * FROM {self.table} WHERE token_sha256 = %s", (digest,))
        if row is None:
            return None
        session = _session(row)
        if not session.live_at(now):
            self._delete(digest)
            return None
        if now - session.last_seen >= SEEN_EVERY:
            with self.db.transaction() as cursor:
                cursor.execute(
                    self.db.sql(f"UPDATE {self.table} SET last_seen = %s WHERE token_sha256 = %s"),
                    (_text(now), digest),
                )
            session = replace(session, last_seen=now)
        return session

    def delete(self, token: str) -> None:
        """End the session (signing out)."""
        self._delete(token_sha256(token))

    def delete_user(self, user_name: str) -> None:
        """End every session of the user (signed out everywhere)."""
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(f"DELETE FROM {self.table} WHERE user_name = %s"), (user_name,)
            )

    def _delete(self, digest: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(f"DELETE FROM {self.table} WHERE token_sha256 = %s"), (digest,)
            )


class SqlSignInFailures:
    """The ledger's SignInFailures (domain/use_cases/sign_in.py) on table sign_in_failures."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.table = db.table(FAILURES)

    def failed_since(self, name: str, since: datetime) -> list[datetime]:
        rows = self.db.query(
            f"SELECT failed_at FROM {self.table} WHERE user_name = %s AND failed_at >= %s "
            "ORDER BY failed_at",
            (name, _text(since)),
        )
        return [_time(r["failed_at"]) for r in rows]

    def record(self, name: str, at: datetime) -> None:
        """Remember the failure; failures older than a day, of any name, are forgotten."""
        with self.db.transaction() as cursor:
            cursor.execute(
                self.db.sql(f"DELETE FROM {self.table} WHERE failed_at < %s"),
                (_text(at - FORGET_FAILURES_AFTER),),
            )
            cursor.execute(
                self.db.sql(f"INSERT INTO {self.table} VALUES (%s, %s)"), (name, _text(at))
            )

    def clear(self, name: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(self.db.sql(f"DELETE FROM {self.table} WHERE user_name = %s"), (name,))


def token_sha256(token: str) -> str:
    """What the table keeps of a session's token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _text(moment: datetime) -> str:
    """UTC, fixed width, so that the text sorts as the time does."""
    if moment.tzinfo is None:
        raise ValueError("a time without a time zone is ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _session(row: dict[str, Any]) -> WebSession:
    return WebSession(
        row["user_name"],
        row["csrf_token"],
        _time(row["created_at"]),
        _time(row["last_seen"]),
        _time(row["expires_at"]),
    )
