"""When the database drops every connection (a restart, a failover), a request answers 503
problem+json with Retry-After, never 500, and the same request sent again with its
Idempotency-Key pays once; the dead connections are dropped at once, so the next request works.

PostgreSQL only (SQLite has no server to lose), on a database of its own: its connections are
the only ones ended."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.vocabulary import Role
from settings import Settings
from stores import open_ledger
from tests.api.support import Api, case_body, central_fund, centre_tree, payment_body
from tests.conftest import PG_DSN, require_postgres


@pytest.fixture
def own_database() -> Iterator[str]:
    require_postgres()
    name = f"bangfu_unavailable_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def end_every_connection(database: str) -> int:
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def test_a_payment_during_a_lost_database_answers_503_and_its_retry_pays_once(
    own_database: str, tmp_path: Path
) -> None:
    url = PG_DSN.rsplit("/", 1)[0] + f"/{own_database}"
    ledger = open_ledger(url, master_key_file=tmp_path / "master.key")
    settings = Settings(
        signing_key_file=tmp_path / "signing-key.pem", master_key_file=tmp_path / "master.key"
    )
    try:
        app = create_app(ledger, settings, projector="none")  # only the requests meet the pool
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, ledger)
            api.user("admin", Role.ADMIN)
            city, _, _, street = centre_tree(api)
            fund = central_fund(api, city, "1000.00")
            case = api.created("/cases", case_body(street))
            body = payment_body(fund, case, "10.00", "2026-01-20", reference="停电-1")
            assert end_every_connection(own_database) > 0

            first = api.post("/payments", body, key="pay-once")
            assert first.status_code == 503, first.text
            assert first.headers["content-type"] == "application/problem+json"
            assert first.headers["retry-after"] == "1"
            assert first.json()["type"].endswith("store-unavailable")

            again = api.post("/payments", body, key="pay-once")  # the pool was cleaned at once
            assert again.status_code == 201, again.text
            replay = api.post("/payments", body, key="pay-once")
            assert replay.json()["id"] == again.json()["id"]
            trail = api.get(f"/funds/{fund}").json()
            assert trail["disbursed"] == "10.00", trail
    finally:
        ledger.close()
