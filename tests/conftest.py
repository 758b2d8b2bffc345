"""Real stores for every integration and API test: a fresh PostgreSQL schema or SQLite file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from domain.application import Ledger
from settings import Settings
from stores import open_ledger
from tests.scratch import SchemaPool
from tests.store_templates import StoreTemplates

PG_DSN = os.environ.get("BANGFU_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    try:
        with psycopg.connect(PG_DSN, connect_timeout=3):
            return None
    except psycopg.Error as e:
        return str(e)


_PG_PROBLEM = _postgres_reachable()


def require_postgres() -> None:
    """Fail loudly under CI=true when PostgreSQL is down; skip on a developer's laptop."""
    if _PG_PROBLEM is None:
        return
    message = f"PostgreSQL is unreachable at {PG_DSN}: {_PG_PROBLEM}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def schema_pool() -> Iterator[SchemaPool]:
    """This test process's scratch schemas, all dropped when it ends (tests/scratch.py)."""
    pool = SchemaPool(PG_DSN)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreTemplates]:
    """An empty migrated store and the demo data set, each made once per store kind in this
    test process and copied for each test that asks (tests/store_templates.py)."""
    stores = StoreTemplates(PG_DSN, tmp_path_factory.mktemp("store-templates"))
    try:
        yield stores
    finally:
        stores.close()


@pytest.fixture
def postgres_url(schema_pool: SchemaPool) -> Iterator[str]:
    """A database URL naming a schema of its own that holds no rows (its tables may be made
    already), emptied or dropped afterwards."""
    require_postgres()
    with schema_pool.schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/bangfu.sqlite"


@pytest.fixture(params=["postgres", "sqlite"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on PostgreSQL and once on SQLite."""
    name = "postgres_url" if request.param == "postgres" else "sqlite_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """API settings whose signing key lives in the test's own folder."""
    return Settings(
        signing_key_file=tmp_path / "signing-key.pem", master_key_file=tmp_path / "master.key"
    )


@pytest.fixture
def ledger(store_url: str, tmp_path: Path, store_templates: StoreTemplates) -> Iterator[Ledger]:
    """A ledger on an empty store at the code's schema version (a copy, tests/store_templates.py:
    what create_app would migrate it to), its master key made in the test's folder."""
    store_templates.copy_into(store_url, tmp_path / "master.key")
    the_ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        yield the_ledger
    finally:
        the_ledger.close()
