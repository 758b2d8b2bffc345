"""On PostgreSQL the server's projector runs in a child process: reads still see the writes,
a child that dies is started again, and none outlives the server."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import SYSTEM
from domain.vocabulary import Role
from settings import Settings
from stores import open_ledger


def _centre_then_read(client: TestClient, headers: dict[str, str], name: str) -> int:
    """Write a centre, then read the archive at the write's position: the status code."""
    written = client.post("/centres", json={"name": name, "level": "prefecture"}, headers=headers)
    assert written.status_code == 201, written.text
    position = written.json()["position"]
    read = client.get("/cases", params={"min_position": position}, headers=headers)
    return int(read.status_code)


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.1)


@pytest.mark.postgres_only
def test_the_projector_in_its_own_process_keeps_the_views_current_and_is_restarted_when_it_dies(
    postgres_url: str, settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"database_url": postgres_url, "read_wait_seconds": 30})
    ledger = open_ledger(postgres_url, master_key_file=settings.master_key_file)
    try:
        token = ledger.add_user(SYSTEM, "admin", Role.ADMIN, None)
        app = create_app(ledger, settings, projector="process")
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as client:
            runner = app.state.projector
            first = runner.child_pid
            assert first is not None
            assert "bangfu-projector" not in {t.name for t in threading.enumerate()}

            assert _centre_then_read(client, headers, "一市") == 200

            os.kill(first, signal.SIGKILL)
            _until(lambda: runner.child_pid not in (None, first))
            assert _centre_then_read(client, headers, "二市") == 200
            second = runner.child_pid
        assert runner.child_pid is None
        _until(lambda: not Path(f"/proc/{second}").exists() or _zombie(second), 15)
    finally:
        ledger.close()


def _zombie(pid: int | None) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True
