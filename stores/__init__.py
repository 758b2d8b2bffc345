"""Where events are kept: turns a database URL into the eventsourcing library's settings."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from domain.application import Ledger
from domain.clock import Clock


class StoreConfigError(ValueError):
    """The database URL names no store Bangfu can use."""


def store_env(database_url: str, *, create_tables: bool = True) -> dict[str, str]:
    """The eventsourcing environment for ``postgresql://...`` or ``sqlite:///path``."""
    url = database_url
    parsed = urlparse(url)
    env = {
        "CREATE_TABLE": "y" if create_tables else "n",
        # aggregates kept between commands, brought up to date from the store on every get
        # (one query for the events after the cached version) and copied before use
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }
    if parsed.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        query = parse_qs(parsed.query)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_POOL_SIZE": query.get("pool_size", ["10"])[0],
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": "stores.bulk_events:BulkPostgresRecorder",
        }
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = query["schema"][0]
        return env
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:":
            raise StoreConfigError(
                "SQLite needs a file: sqlite:///relative/path or "
                "sqlite:////absolute/path (the in-memory store is not used)"
            )
        file = Path(path).absolute()  # one store, wherever the command is run from
        file.parent.mkdir(parents=True, exist_ok=True)
        return env | {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(file),
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": "stores.bulk_events:BulkSQLiteRecorder",
        }
    raise StoreConfigError(
        f"{url!r}: BANGFU_DATABASE_URL must start with postgresql:// or sqlite:///"
    )


def describe(database_url: str) -> str:
    """A password-free description of the store for messages."""
    parsed = urlparse(database_url)
    if parsed.scheme == "sqlite":
        return f"SQLite file {Path(database_url[len('sqlite:///') :]).absolute()}"
    return f"PostgreSQL {parsed.hostname}:{parsed.port or 5432}/{parsed.path.lstrip('/')}"


def open_ledger(
    database_url: str,
    *,
    create_tables: bool = True,
    master_key: str | None = None,
    master_key_file: Path | None = None,
    clock: Clock | None = None,
    erasure_record: Path | None = None,
) -> Ledger:
    """A Ledger on the store the URL names, with its personal-data vault, its web sessions and
    its count of failed sign-ins (their tables made only when ``create_tables``); every key the
    vault destroys is written to the ``erasure_record`` file first."""
    from stores import sessions
    from stores.erasure_record import ErasureRecord
    from stores.sql import SqlDatabase
    from stores.vault import Vault, load_master_key

    ledger = Ledger(env=store_env(database_url, create_tables=create_tables), clock=clock)
    db = SqlDatabase(ledger)
    vault = Vault(db, lambda create: load_master_key(master_key, master_key_file, create=create))
    vault.erasure_record = ErasureRecord(erasure_record) if erasure_record else None
    vault.check_master_key()
    vault.sweep_orphans(ledger.recorder.events_table_name)  # type: ignore[attr-defined]
    ledger.vault = vault
    if create_tables:
        sessions.create_tables(db)
    ledger.sessions = sessions.SessionStore(db)
    ledger.sign_in_failures = sessions.SqlSignInFailures(db)
    return ledger
