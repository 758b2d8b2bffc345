"""Seeing it work: request ids and log lines, /metrics, /health/live and /health/ready."""

from __future__ import annotations

import gc
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.observability import gc_pauses
from api.observability.logs import configure
from domain.access import SYSTEM
from domain.application import Ledger
from domain.policy_parameters import Parameter
from domain.vocabulary import Role
from settings import Settings
from stores import open_ledger
from tests.api.support import Api, case_body, central_fund, centre_tree, payment_body
from tests.integration.test_concurrent_payments import ADMIN
from tests.integration.test_projection_failures import save_unappliable_receipt

BANGFU = str(Path(sys.executable).parent / "bangfu")


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    """The store does not matter here (but for the pool, below): SQLite only."""
    return sqlite_url


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What Bangfu logs at INFO, as JSON lines."""
    stream, root = io.StringIO(), logging.getLogger()
    level = root.level
    handler = configure("json", logging.INFO, stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO, event: str) -> list[dict[str, Any]]:
    found = [orjson.loads(line) for line in stream.getvalue().splitlines() if line]
    return [line for line in found if line["event"] == event]


def samples(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, float]:
    """Every sample of /metrics, as ``name{label="value",...}`` -> value."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return out


def test_a_request_gets_an_id_and_one_log_line_with_its_route_and_no_personal_data(
    api: Api, logs: io.StringIO
) -> None:
    street = centre_tree(api)[3]
    body = case_body(street)
    case = api.created("/cases", body)
    headers = api.headers("admin")

    read = api.client.get(f"/cases/{case}?q=x", headers=headers | {"X-Request-ID": "trace-1.a"})
    unknown = api.client.get(f"/cases/{case}", headers={"X-Request-ID": "not sane; <script>"})
    api.client.get("/health/live")

    assert read.status_code == 200 and read.headers["X-Request-ID"] == "trace-1.a"
    assert unknown.status_code == 401
    made = unknown.headers["X-Request-ID"]
    assert made != "not sane; <script>" and len(made) == 32
    requests = lines(logs, "request")
    mine = [line for line in requests if line["request_id"] == "trace-1.a"]
    assert len(mine) == 1
    assert {k: mine[0][k] for k in ("actor", "method", "route", "status")} == {
        "actor": "admin",
        "method": "GET",
        "route": "/cases/{case_id}",
        "status": 200,
    }
    assert mine[0]["latency_ms"] >= 0 and mine[0]["level"] == "info"
    anonymous = [line for line in requests if line["request_id"] == made]
    assert [(a["actor"], a["status"]) for a in anonymous] == [(None, 401)]
    assert {line["route"] for line in requests} == {"/centres", "/cases", "/cases/{case_id}"}
    written = logs.getvalue()
    for secret in (body["person"]["name"], body["person"]["id_number"], api.tokens["admin"]):
        assert secret not in written
    assert case not in written and "q=x" not in written


def test_metrics_and_readiness_follow_the_views_checkpoints_and_verify(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=sqlite_url,
        signing_key_file=tmp_path / "signing-key.pem",
        master_key_file=tmp_path / "master.key",
        ready_max_lag_events=2,
    )
    ledger = open_ledger(sqlite_url, master_key_file=settings.master_key_file)
    app = create_app(ledger, settings, projector="none")  # the test moves the views itself
    projector = app.state.views.projector
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, ledger)
            api.user("admin", Role.ADMIN)
            city = centre_tree(api)[0]

            lagging = client.get("/health/ready")
            projector.run_once()
            ready = client.get("/health/ready")
            app.state.checkpoints.take(app.state.signer)
            verify = verify_in_a_process(settings)
            before = samples(client)
            save_unappliable_receipt(ledger, UUID(city))
            projector.run_once()
            failed = client.get("/health/ready")
            after = samples(client)
    finally:
        ledger.close()

    assert lagging.status_code == 503
    assert lagging.json()["failed"] == ["projections"]
    assert "funds" in lagging.json()["checks"]["projections"]["lagging_views"]
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["schema"]["ok"] and ready.json()["checks"]["store"]["ok"]
    assert ready.json()["checks"]["projections"] == {
        "ok": True,
        "max_lag": 0,
        "lag_bound": 2,
        "failed_views": [],
        "lagging_views": [],
    }
    head = before["bangfu_log_head_position"]
    assert head > 0
    assert before['bangfu_http_requests_total{method="POST",route="/centres",status="201"}'] == 4
    assert (
        before['bangfu_http_requests_total{method="GET",route="/health/ready",status="503"}'] == 1
    )
    assert before['bangfu_projection_lag_events{view="funds"}'] == 0
    assert before['bangfu_projection_position{view="archive"}'] == head
    assert before["bangfu_projections_failed"] == 0
    assert before["bangfu_checkpoint_position"] == head
    assert before["bangfu_checkpoint_age_seconds"] >= 0
    assert before["bangfu_chain_verified_position"] == head
    appended = {k: v for k, v in before.items() if k.startswith("bangfu_events_appended_total")}
    assert sum(appended.values()) == head  # every event since the (empty) store's app began
    assert not any(name.startswith("bangfu_db_pool") for name in before)  # SQLite: no pool
    assert before["bangfu_store_up"] == 1

    assert verify.returncode == 0, verify.stderr
    [command] = [orjson.loads(line) for line in verify.stderr.splitlines() if line.startswith("{")]
    assert (command["command"], command["exit_status"]) == ("verify", 0)
    assert command["duration_ms"] > 0

    assert failed.status_code == 503
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["failed"] == ["projections"]
    stopped = failed.json()["checks"]["projections"]["failed_views"]
    assert "funds" in stopped and "archive" not in stopped  # a fund's receipt: not the archive's
    assert after['bangfu_projection_failed{view="funds"}'] == 1
    assert after['bangfu_projection_failed{view="archive"}'] == 0
    assert after["bangfu_projections_failed"] == len(stopped)
    assert after['bangfu_events_appended_total{event="Fund.Received"}'] == 1


def verify_in_a_process(settings: Settings) -> subprocess.CompletedProcess[str]:
    """`bangfu verify` on the settings' store, logging at INFO (its one line per command)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env |= {
        "BANGFU_DATABASE_URL": settings.database_url,
        "BANGFU_SIGNING_KEY_FILE": str(settings.signing_key_file),
        "BANGFU_MASTER_KEY_FILE": str(settings.master_key_file),
        "BANGFU_LOG_LEVEL": "INFO",
    }
    return subprocess.run(
        [BANGFU, "verify"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_postgresql_shows_its_pool_and_a_metrics_token_guards_the_metrics(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        signing_key_file=tmp_path / "k.pem",
        master_key_file=tmp_path / "m.key",
        metrics_token="s3cret-scrape",
    )
    ledger: Ledger = open_ledger(postgres_url, master_key_file=settings.master_key_file)
    try:
        with TestClient(create_app(ledger, settings, projector="none")) as client:
            ledger.add_user(SYSTEM, "admin", Role.ADMIN, None)
            refused = client.get("/metrics")
            wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
            shown = samples(client, {"Authorization": "Bearer s3cret-scrape"})
            live = client.get("/health/live")
    finally:
        ledger.close()

    assert (refused.status_code, wrong.status_code) == (401, 401)
    assert refused.headers["content-type"] == "application/problem+json"
    assert live.status_code == 200 and live.json() == {"status": "alive"}
    assert 1 <= shown["bangfu_db_pool_size"] <= shown["bangfu_db_pool_max"]
    assert 0 <= shown["bangfu_db_pool_available"] <= shown["bangfu_db_pool_size"]
    assert shown["bangfu_db_pool_waiting"] == 0
    assert shown["bangfu_log_head_position"] >= 1


def test_the_metrics_count_writes_and_a_race_lost_to_another_process(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        signing_key_file=tmp_path / "signing-key.pem", master_key_file=tmp_path / "master.key"
    )
    ledger = open_ledger(sqlite_url, master_key_file=settings.master_key_file)
    there = open_ledger(sqlite_url, master_key_file=settings.master_key_file)  # a 2nd server
    try:
        with TestClient(create_app(ledger, settings, projector="none")) as client:
            api = Api(client, ledger)
            api.user("admin", Role.ADMIN)
            city, _, _, street = centre_tree(api)
            fund = central_fund(api, city, "10000.00")
            case = api.created("/cases", case_body(street))
            before = samples(client)
            paid = api.post("/payments", payment_body(fund, case, "800.00", "2026-02-01"))
            # the other server sets an approval line this one remembers as not set
            there.set_policy(
                ADMIN, UUID(city), Parameter.APPROVAL_ABOVE, None, 500_00, date(2026, 1, 10), "审批"
            )
            refused = api.post("/payments", payment_body(fund, case, "800.00", "2026-02-01"))
            after = samples(client)
    finally:
        there.close()
        ledger.close()

    assert paid.status_code == 201, paid.text
    assert refused.json()["type"] == "urn:bangfu:problem:approval-required", refused.text
    assert after["bangfu_write_commands_total"] - before["bangfu_write_commands_total"] == 2
    assert after["bangfu_write_batches_total"] - before["bangfu_write_batches_total"] == 2
    assert before["bangfu_write_races_lost_total"] == 0
    assert after["bangfu_write_races_lost_total"] == 1  # decided again, and refused


def test_the_metrics_count_the_garbage_collectors_pauses_and_a_long_one_is_logged(
    sqlite_url: str, tmp_path: Path, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        signing_key_file=tmp_path / "signing-key.pem", master_key_file=tmp_path / "master.key"
    )
    ledger = open_ledger(sqlite_url, master_key_file=settings.master_key_file)
    try:
        with TestClient(create_app(ledger, settings, projector="none")) as client:
            Api(client, ledger).user("admin", Role.ADMIN)
            before = samples(client)
            monkeypatch.setattr(gc_pauses, "SLOW", 0.0)  # every pause counts as long
            gc.collect()
            monkeypatch.setattr(gc_pauses, "SLOW", 0.1)
            after = samples(client)
    finally:
        ledger.close()

    full = 'bangfu_gc_pause_seconds_count{generation="2"}'
    assert after[full] - before[full] >= 1
    assert after['bangfu_gc_pause_seconds_bucket{generation="2",le="+Inf"}'] == after[full]
    assert after['bangfu_gc_pause_seconds_sum{generation="2"}'] > 0
    logged = lines(logs, "gc pause")
    assert logged and logged[-1]["generation"] == 2 and logged[-1]["ms"] >= 0


def test_a_server_freezes_what_start_up_made_and_collects_young_objects_less_often() -> None:
    thresholds = gc.get_threshold()
    try:
        gc_pauses.settle_heap()
        frozen = gc.get_freeze_count()
        settled = gc.get_threshold()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

    assert frozen > 0  # the modules and the app: never scanned again
    assert settled == gc_pauses.SERVING_THRESHOLDS
    assert settled[0] > thresholds[0]
