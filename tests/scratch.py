"""Scratch PostgreSQL schemas for tests, fuzzing runs and benchmarks, dropped after them.

Creating Bangfu's seventy-odd tables is most of what a PostgreSQL test costs (about a second of
DDL on these machines), so a test process keeps the schemas its tests used: after each test it
empties every table and resets every sequence (a few DELETEs, a tenth of a second) and hands the
schema to the next test, which then finds its tables made. A schema that cannot be emptied (a
lock still held, say) is dropped instead, and every schema is dropped when the process ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql


@contextmanager
def postgres_schema(dsn: str, prefix: str = "bangfu_test") -> Iterator[str]:
    """A database URL naming a new schema in ``dsn``'s database; the schema is dropped after."""
    schema = _create(dsn, prefix)
    try:
        yield _url(dsn, schema)
    finally:
        _drop(dsn, schema)


class SchemaPool:
    """Schemas of one test process, emptied after each test and used again."""

    def __init__(self, dsn: str, prefix: str = "bangfu_test") -> None:
        self.dsn, self.prefix = dsn, prefix
        self._free: list[str] = []

    @contextmanager
    def schema(self) -> Iterator[str]:
        """A database URL naming an empty schema (its tables may exist, holding no rows)."""
        schema = self._free.pop() if self._free else _create(self.dsn, self.prefix)
        try:
            yield _url(self.dsn, schema)
        finally:
            if _emptied(self.dsn, schema):
                self._free.append(schema)
            else:
                _drop(self.dsn, schema)

    def close(self) -> None:
        while self._free:
            _drop(self.dsn, self._free.pop())


def _url(dsn: str, schema: str) -> str:
    return f"{dsn}?schema={schema}"


def _create(dsn: str, prefix: str) -> str:
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return schema


def _drop(dsn: str, schema: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _emptied(dsn: str, schema: str) -> bool:
    """Delete every row of every table and restart every sequence, in one transaction; False
    (nothing changed) when that cannot be done within a few seconds."""
    try:
        with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '3s'")
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            ).fetchall()
            sequences = conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", (schema,)
            ).fetchall()
            statements = [
                sql.SQL("DELETE FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(t))
                for (t,) in tables
            ] + [
                sql.SQL("ALTER SEQUENCE {}.{} RESTART").format(
                    sql.Identifier(schema), sql.Identifier(s)
                )
                for (s,) in sequences
            ]
            if statements:
                conn.execute(sql.SQL("; ").join(statements))
        return True
    except psycopg.Error:
        return False
