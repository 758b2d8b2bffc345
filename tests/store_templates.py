"""Stores made once per test process and store kind, and copied for each test that asks.

Two kinds of store cost every test that makes them more than the test itself: an empty store
brought to the code's schema (seventy-odd tables made and three migrations recorded, which
`create_app` does first), and the demo data set (hundreds of single-event saves). So a test
process makes each once per store kind, as a template (a PostgreSQL schema or a SQLite file,
with the master key its sealed data needs), and each test gets a copy that it may change as it
likes: a SQLite file copied by the online backup, or the template's rows inserted into the
test's own schema from the pool (its tables made first when that schema is new) with its
sequences set to match. A copy holds what the template holds, row for row.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from cli.demo import DemoBuilder, DemoData
from domain.application import Ledger
from schema import SCHEMA
from stores import open_ledger, store_env
from stores.sql import SqlDatabase
from tests.scratch import _create, _drop, _url

MIGRATED = 0
"""The template with no households: an empty store at the code's schema version."""


@dataclass(frozen=True)
class Template:
    """A made store: its schema name or file, the master key of its sealed data (if any),
    the tables that hold rows, and what the demo made in it (None when it is empty)."""

    where: str
    master_key: Path | None
    tables: tuple[str, ...]
    data: DemoData | None


class StoreTemplates:
    """The templates of one test process, dropped by ``close``."""

    def __init__(self, dsn: str, folder: Path) -> None:
        self.dsn, self.folder = dsn, folder
        self._made: dict[tuple[str, int], Template] = {}

    def copy_into(self, url: str, master_key: Path, households: int = MIGRATED) -> DemoData | None:
        """Put the template with ``households`` (the demo; none: an empty migrated store) into
        the store ``url`` names, which holds no rows (a schema from the pool, or a SQLite file
        not made yet), and its master key at ``master_key``; returns what the demo made."""
        kind = "sqlite" if url.startswith("sqlite:") else "postgres"
        template = self._template(kind, households)
        if kind == "sqlite":
            _copy_file(template.where, url[len("sqlite:///") :])
        else:
            _copy_rows(self.dsn, template, url, lambda: self._make_tables(households, url))
        if template.master_key is not None:
            master_key.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template.master_key, master_key)
        return copy.deepcopy(template.data)

    @contextmanager
    def demo(
        self, url: str, folder: Path, households: int = 12
    ) -> Iterator[tuple[Ledger, DemoData]]:
        """A ledger on ``url`` holding a copy of the demo, its master key in ``folder``."""
        data = self.copy_into(url, folder / "master.key", households)
        assert data is not None
        ledger = open_ledger(url, master_key_file=folder / "master.key")
        try:
            yield ledger, data
        finally:
            ledger.close()

    def close(self) -> None:
        for template in self._made.values():
            if not template.where.endswith(".sqlite"):
                _drop(self.dsn, template.where)
        self._made.clear()

    def _template(self, kind: str, households: int) -> Template:
        if (kind, households) not in self._made:
            name = f"template-{kind}-{households}"
            if kind == "sqlite":
                where = str(self.folder / f"{name}.sqlite")
                url = f"sqlite:///{where}"
            else:
                where = _create(self.dsn, "bangfu_template")
                url = _url(self.dsn, where)
            if households == MIGRATED:
                self._make_tables(MIGRATED, url)
                template = Template(where, None, _filled(url, where), None)
            else:
                key = self.folder / f"{name}.key"
                ledger = open_ledger(url, master_key_file=key)
                try:
                    data = DemoBuilder(ledger, households=households).build()
                finally:
                    ledger.close()
                template = Template(where, key, _filled(url, where), data)
            self._made[kind, households] = template
        return self._made[kind, households]

    def _make_tables(self, households: int, url: str) -> None:
        """The tables of the template with ``households`` at ``url``: a store migrated as
        bootstrap's prepare_store does it, or (the demo's) as open_ledger makes them."""
        if households == MIGRATED:
            bare = Ledger(env=store_env(url))
            try:
                SCHEMA.migrate(SqlDatabase(bare))
            finally:
                bare.close()
            return
        scratch = self.folder / "scratch.key"
        scratch.unlink(missing_ok=True)
        open_ledger(url, master_key_file=scratch).close()


def _copy_file(source: str, target: str) -> None:
    assert not Path(target).exists(), f"{target} is not a new store"
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _copy_rows(dsn: str, template: Template, url: str, make: Callable[[], object]) -> None:
    """The template's rows into the schema ``url`` names, its tables made first (by ``make``,
    then emptied) when that schema lacks one, and its sequences set as the template's stand."""
    source, target = template.where, url.rsplit("schema=", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as conn:
        if not set(_tables(conn, source)) <= set(_tables(conn, target)):
            make()
            _delete_all(conn, target)
        sequences = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s", (source,)
        ).fetchall()
        with conn.transaction():
            for table in template.tables:
                conn.execute(
                    sql.SQL("INSERT INTO {} SELECT * FROM {}").format(
                        sql.Identifier(target, table), sql.Identifier(source, table)
                    )
                )
            for name, last in sequences:
                if last is not None:
                    conn.execute(
                        sql.SQL("SELECT setval({}, {})").format(
                            sql.Literal(sql.Identifier(target, name).as_string(conn)),
                            sql.Literal(last),
                        )
                    )


def _filled(url: str, where: str) -> tuple[str, ...]:
    """The template's tables that hold a row (PostgreSQL's: a SQLite file is copied whole)."""
    if url.startswith("sqlite:"):
        return ()  # copied whole
    with psycopg.connect(url.split("?", 1)[0]) as conn:
        return tuple(
            t
            for t in _tables(conn, where)
            if conn.execute(
                sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(where, t))
            ).fetchone()
        )


def _delete_all(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> None:
    with conn.transaction():
        for table in _tables(conn, schema):
            conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, table)))


def _tables(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> list[str]:
    query = "SELECT tablename FROM pg_tables WHERE schemaname = %s"
    return [str(name) for (name,) in conn.execute(query, (schema,)).fetchall()]
