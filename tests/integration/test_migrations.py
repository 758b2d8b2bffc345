"""`bangfu migrate` upgrades a store of the previous release; a store newer than the code is
refused untouched; two processes migrating at once apply each migration once."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from bootstrap import bootstrap
from cli.main import app
from domain.access import SYSTEM
from domain.application import Ledger
from schema import SCHEMA
from settings import Settings
from stores import store_env
from stores.migrations import (
    SchemaBehindError,
    SchemaNewerError,
    current_version,
)
from stores.sql import SqlDatabase
from supervision.verify import verify
from tests.conftest import PG_DSN, require_postgres
from tests.fixtures.release import (
    keys_and_settings,
    postgres_copy,
    release_public_key,
    sqlite_copy,
)
from tests.integration.test_projections import everything


@pytest.fixture(params=["postgres", "sqlite"])
def released(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a copy of the store Bangfu 0.1.0 wrote (tests/fixtures/release-0.1.0)."""
    if request.param == "sqlite":
        yield keys_and_settings(tmp_path, sqlite_copy(tmp_path))
        return
    require_postgres()
    with postgres_copy(PG_DSN) as url:
        yield keys_and_settings(tmp_path, url)


def bangfu(settings: Settings, *args: str) -> Result:
    """`bangfu ARGS` in this process, on the settings' store and keys."""
    env = {
        "BANGFU_DATA_DIR": str(settings.data_dir),
        "BANGFU_DATABASE_URL": settings.database_url,
        "BANGFU_MASTER_KEY_FILE": str(settings.master_key_file),
        "BANGFU_SIGNING_KEY_FILE": str(settings.signing_key_file),
    }
    return CliRunner().invoke(app, list(args), env=env)


def said(result: Result) -> str:
    return " ".join((result.stdout + result.stderr).split())


def fingerprint(settings: Settings) -> str:
    """A digest of every table's rows, so that a test sees whether anything was written."""
    ledger = Ledger(env=store_env(settings.database_url, create_tables=False))
    try:
        db = SqlDatabase(ledger)
        if db.is_postgres:
            schema = store_env(settings.database_url)["POSTGRES_SCHEMA"]
            rows = db.query(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = %s", [schema]
            )
        else:
            rows = db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        h = hashlib.sha256()
        for name in sorted(r["name"] for r in rows):
            content = sorted(
                str(tuple(r.values())) for r in db.query(f"SELECT * FROM {db.table(name)}")
            )
            h.update(f"{name}:{content}".encode())
        return h.hexdigest()
    finally:
        ledger.close()


def test_a_store_of_the_previous_release_is_upgraded_and_its_views_chain_and_checkpoint_hold(
    released: Settings,
) -> None:
    behind = released.model_copy(update={"migrate_on_start": False})
    with pytest.raises(SchemaBehindError, match="run `bangfu migrate`"):
        bootstrap(behind)
    checked = bangfu(released, "migrate", "--check")

    first, again = bangfu(released, "migrate"), bangfu(released, "migrate")

    assert checked.exit_code == 1, said(checked)
    assert f"schema version 0; this Bangfu's is {SCHEMA.latest}" in said(checked)
    assert first.exit_code == 0, said(first)
    for step in SCHEMA.migrations:
        assert f"applied {step.version}/{SCHEMA.latest}: {step.name}" in said(first)
    assert again.exit_code == 0 and "nothing to do" in said(again), said(again)
    assert "applied" not in said(again)
    assert bangfu(released, "migrate", "--check").exit_code == 0

    the_app = bootstrap(behind)  # current now: served without migrating
    try:
        views = the_app.views
        views.projector.run_once()
        projected = everything(views)  # as 0.1.0 projected them (nothing new to apply)
        for view in views.projector.views:
            views.projector.rebuild(view.name)
        assert everything(views) == projected
        assert sum(len(rows) for rows in projected["archive"].values()) > 12

        report = verify(the_app.ledger, release_public_key())
        assert report.ok, [str(f) for f in report.faults]
        assert report.events == 514 and report.checkpoints == 1

        archive = views.archive.table("archive_cases", views.archive.generation())
        case_id = views.archive.db.query(f"SELECT case_id FROM {archive} LIMIT 1")[0]["case_id"]
        case, vault = the_app.ledger.case(SYSTEM, UUID(case_id)), the_app.ledger.vault
        assert vault is not None and vault.open(case.id, case.person_sealed)  # keys came along
    finally:
        the_app.close()


def test_a_store_written_by_a_newer_bangfu_is_refused_with_a_clear_message_and_nothing_written(
    store_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=store_url, master_key_file=tmp_path / "master.key"
    )
    bootstrap(settings).close()
    ledger = Ledger(env=store_env(store_url, create_tables=False))
    db = SqlDatabase(ledger)
    with db.transaction() as cursor:
        cursor.execute(
            db.sql(f"INSERT INTO {db.table('schema_version')} VALUES (%s, %s, %s, %s)"),
            (SCHEMA.latest + 1, "from the future", "2099-01-01T00:00:00+00:00", "9.0.0"),
        )
    before = fingerprint(settings)

    refusals = []
    for attempt in (settings, settings.model_copy(update={"migrate_on_start": False})):
        with pytest.raises(SchemaNewerError) as refused:
            bootstrap(attempt)
        refusals.append(str(refused.value))
    with pytest.raises(SchemaNewerError):
        bootstrap(settings, ledger=ledger)  # an open ledger (the API's tests) is refused too
    with pytest.raises(SchemaNewerError):
        SCHEMA.migrate(db)
    command, migrating = bangfu(settings, "projections", "status"), bangfu(settings, "migrate")
    ledger.close()

    latest = SCHEMA.latest
    newer = (
        f"this store was written by a newer Bangfu (schema {latest + 1} > {latest}); upgrade Bangfu"
    )
    assert refusals == [newer, newer]
    for result in (command, migrating):
        assert result.exit_code == 2, said(result)
        assert newer in result.stderr and "Traceback" not in said(result)
        assert len(result.stderr.strip().splitlines()) == 1
    assert bangfu(settings, "migrate", "--check").exit_code == 2
    assert fingerprint(settings) == before


def test_two_processes_migrating_at_once_apply_each_migration_once_and_keys_get_birth_times(
    store_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=store_url)
    old = Ledger(env=store_env(store_url))  # keys as stores before 0.1.0 kept them: an erased one
    db = SqlDatabase(old)
    with db.transaction() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {db.table('household_keys')}")
        cursor.execute(
            f"CREATE TABLE {db.table('household_keys')} (case_id TEXT PRIMARY KEY, "
            "wrapped TEXT, erased_at TEXT, erased_by TEXT)"
        )
        cursor.execute(
            f"INSERT INTO {db.table('household_keys')} VALUES ('k', NULL, 'then', 'admin')"
        )
    old.close()
    ledgers = [Ledger(env=store_env(store_url)) for _ in range(2)]  # two pools: two processes
    applied: list[list[int]] = []
    start = threading.Barrier(2)

    def migrating(ledger: Ledger) -> None:
        start.wait()
        applied.append([m.version for m in SCHEMA.migrate(SqlDatabase(ledger))])

    racers = [threading.Thread(target=migrating, args=(ledger,)) for ledger in ledgers]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    for ledger in ledgers:
        ledger.close()

    assert len(applied) == 2  # neither failed
    assert sorted(v for done in applied for v in done) == [m.version for m in SCHEMA.migrations]
    the_app = bootstrap(settings)
    try:
        db = SqlDatabase(the_app.ledger)
        assert current_version(db) == SCHEMA.latest
        rows = db.query(f"SELECT version, release FROM {db.table('schema_version')}")
        assert sorted(r["version"] for r in rows) == [m.version for m in SCHEMA.migrations]
        keys = db.query(f"SELECT case_id, erased_by, created_at FROM {db.table('household_keys')}")
        assert keys == [{"case_id": "k", "erased_by": "admin", "created_at": None}]
    finally:
        the_app.close()
