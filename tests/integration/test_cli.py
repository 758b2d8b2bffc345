"""The `bangfu` command on real stores: users, demo data, and a running server."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from domain.access import SYSTEM
from domain.errors import NotAuthenticatedError, NotFoundError
from domain.vocabulary import Role
from stores import open_ledger
from supervision.records import from_ledger

BANGFU = str(Path(sys.executable).parent / "bangfu")


def run(args: list[str], cwd: Path, url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env["BANGFU_DATA_DIR"] = str(cwd / "bangfu-data")
    if url:
        env["BANGFU_DATABASE_URL"] = url
    return subprocess.run(
        [BANGFU, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def last_lines(result: subprocess.CompletedProcess[str], n: int) -> list[str]:
    return result.stdout.strip().splitlines()[-n:]


def add_user(url: str, name: str, role: Role, password: str) -> None:
    """Add a user in process, as `bangfu user add NAME --role ROLE --password PASSWORD` does
    (the same use case, the same events): a scene set without starting a process."""
    ledger = open_ledger(url)
    try:
        ledger.add_user(SYSTEM, name, role, None, password)
    finally:
        ledger.close()


def test_user_add_without_a_password_prints_a_made_one_then_a_working_token_on_the_last_line(
    store_url: str, tmp_path: Path
) -> None:
    result = run(["user", "add", "alice", "--role", "finance"], tmp_path, store_url)

    assert result.returncode == 0, result.stderr
    password, token = last_lines(result, 2)
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", password)
    ledger = open_ledger(store_url)
    try:
        actor = ledger.authenticate(token)
        assert (actor.name, actor.role.value, actor.centre_id) == ("alice", "finance", None)
        assert ledger.sign_in("alice", password).name == "alice"
    finally:
        ledger.close()


def test_user_add_refuses_an_unknown_centre_and_a_duplicate_name(
    store_url: str, tmp_path: Path
) -> None:
    add_user(store_url, "bob", Role.AUDITOR, "bob's own password")

    unknown = run(
        [
            "user",
            "add",
            "carol",
            "--role",
            "caseworker",
            "--centre",
            "00000000-0000-0000-0000-000000000001",
        ],
        tmp_path,
        store_url,
    )
    duplicate = run(["user", "add", "bob", "--role", "auditor"], tmp_path, store_url)

    assert unknown.returncode == 1 and "centre" in unknown.stderr
    assert duplicate.returncode == 1 and "exists" in duplicate.stderr


def test_user_add_with_a_password_prints_only_the_token(store_url: str, tmp_path: Path) -> None:
    result = run(
        ["user", "add", "alice", "--role", "finance", "--password", "alice's own password"],
        tmp_path,
        store_url,
    )

    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    assert "alice's own password" not in result.stdout + result.stderr
    ledger = open_ledger(store_url)
    try:
        assert ledger.sign_in("alice", "alice's own password").name == "alice"
    finally:
        ledger.close()


def test_user_add_refuses_a_password_against_the_rules_and_adds_no_one(
    store_url: str, tmp_path: Path
) -> None:
    result = run(
        ["user", "add", "alice", "--role", "finance", "--password", "short"], tmp_path, store_url
    )

    assert result.returncode == 1 and "at least 10 characters" in result.stderr
    ledger = open_ledger(store_url)
    try:
        with pytest.raises(NotFoundError):
            ledger.user("alice")
    finally:
        ledger.close()


def test_user_password_makes_prints_and_sets_a_new_password_and_the_old_one_stops_working(
    store_url: str, tmp_path: Path
) -> None:
    add_user(store_url, "alice", Role.FINANCE, "the first password")

    made = run(["user", "password", "alice"], tmp_path, store_url)
    chosen = run(
        ["user", "password", "alice", "--password", "the third password"], tmp_path, store_url
    )

    assert made.returncode == 0, made.stderr
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", last_lines(made, 1)[0])
    assert chosen.returncode == 0 and chosen.stdout == ""
    ledger = open_ledger(store_url)
    try:
        assert ledger.sign_in("alice", "the third password").name == "alice"
        for old in ("the first password", last_lines(made, 1)[0]):
            with pytest.raises(NotAuthenticatedError):
                ledger.sign_in("alice", old)
    finally:
        ledger.close()


def test_user_password_refuses_an_unknown_user_and_a_short_password_and_changes_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Both refusals come before anything is written (a name looked up, a rule checked), the
    same on either store: one store suffices."""
    add_user(sqlite_url, "alice", Role.FINANCE, "the first password")

    unknown = run(["user", "password", "nobody"], tmp_path, sqlite_url)
    too_short = run(["user", "password", "alice", "--password", "short"], tmp_path, sqlite_url)

    assert unknown.returncode == 1 and "no user is named 'nobody'" in unknown.stderr
    assert too_short.returncode == 1 and "at least 10 characters" in too_short.stderr
    ledger = open_ledger(sqlite_url)
    try:
        assert ledger.sign_in("alice", "the first password").name == "alice"
    finally:
        ledger.close()


def test_demo_prints_a_password_for_each_demo_user_that_signs_them_in(tmp_path: Path) -> None:
    result = run(["demo", "--households", "5"], tmp_path, None)

    passwords = passwords_in(result.stdout)
    assert result.returncode == 0, result.stderr
    assert len(passwords) == 5
    ledger = open_ledger(
        f"sqlite:///{tmp_path}/bangfu-data/bangfu.sqlite",
        master_key_file=tmp_path / "bangfu-data" / "master.key",
    )
    try:
        for name, password in passwords.items():
            assert ledger.sign_in(name, password).name == name
    finally:
        ledger.close()


def test_demo_fills_the_embedded_default_store_once(tmp_path: Path) -> None:
    first = run(["demo", "--households", "10"], tmp_path, None)
    second = run(["demo", "--households", "10"], tmp_path, None)

    assert first.returncode == 0, first.stderr
    assert (tmp_path / "bangfu-data" / "bangfu.sqlite").exists()
    assert re.findall(r"demo-(\w+)\s*│\s*(bf_\S+)", first.stdout)
    assert second.returncode == 1 and "already holds events" in second.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve_demo_until_healthy(cwd: Path, port: int) -> str:
    """Run `bangfu serve --demo`, wait for /health, stop it, and return what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env["BANGFU_DATA_DIR"] = str(cwd / "bangfu-data")
    env["PYTHONUNBUFFERED"] = "1"
    server = subprocess.Popen(
        [BANGFU, "serve", "--demo", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.3)
        server.terminate()
        return server.communicate(timeout=30)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def tokens_in(output: str) -> dict[str, str]:
    return dict(re.findall(r"(demo-\w+)\s*│\s*(bf_\S+)", output))


def passwords_in(output: str) -> dict[str, str]:
    return dict(re.findall(r"(demo-\w+)\s*│\s*([a-z0-9]{4}(?:-[a-z0-9]{4}){3})\b", output))


def test_serve_with_demo_runs_the_api_on_sqlite_with_no_database_server(tmp_path: Path) -> None:
    port = free_port()

    output = serve_demo_until_healthy(tmp_path, port)

    assert set(tokens_in(output)) == {
        "demo-admin",
        "demo-finance",
        "demo-caseworker",
        "demo-supervisor",
        "demo-auditor",
    }
    assert f"http://127.0.0.1:{port}/docs" in output
    assert (tmp_path / "bangfu-data" / "bangfu.sqlite").exists()


def test_serve_with_demo_on_an_existing_store_issues_new_tokens(tmp_path: Path) -> None:
    first = tokens_in(serve_demo_until_healthy(tmp_path, free_port()))

    again = tokens_in(serve_demo_until_healthy(tmp_path, free_port()))

    assert again["demo-auditor"] != first["demo-auditor"]
    ledger = open_ledger(
        f"sqlite:///{tmp_path}/bangfu-data/bangfu.sqlite",
        master_key_file=tmp_path / "bangfu-data" / "master.key",
    )
    assert ledger.authenticate(again["demo-auditor"]).role.value == "auditor"
    with pytest.raises(NotAuthenticatedError):
        ledger.authenticate(first["demo-auditor"])
    ledger.close()


def test_serve_with_demo_prints_new_passwords_at_each_start_and_only_the_last_ones_work(
    tmp_path: Path,
) -> None:
    first = passwords_in(serve_demo_until_healthy(tmp_path, free_port()))

    again = passwords_in(serve_demo_until_healthy(tmp_path, free_port()))

    assert (
        set(first)
        == set(again)
        == {
            "demo-admin",
            "demo-finance",
            "demo-caseworker",
            "demo-supervisor",
            "demo-auditor",
        }
    )
    assert first["demo-caseworker"] != again["demo-caseworker"]
    ledger = open_ledger(
        f"sqlite:///{tmp_path}/bangfu-data/bangfu.sqlite",
        master_key_file=tmp_path / "bangfu-data" / "master.key",
    )
    try:
        assert ledger.sign_in("demo-caseworker", again["demo-caseworker"]).role.value == (
            "caseworker"
        )
        with pytest.raises(NotAuthenticatedError):
            ledger.sign_in("demo-caseworker", first["demo-caseworker"])
    finally:
        ledger.close()


def test_projections_status_and_rebuild_report_positions_and_rates(
    store_url: str, tmp_path: Path
) -> None:
    add_user(store_url, "alice", Role.FINANCE, "alice's own password")  # three events

    rebuilt = run(["projections", "rebuild"], tmp_path, store_url)
    status = run(["projections", "status"], tmp_path, store_url)

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.search(r"archive: \d+ events in .* events/s", rebuilt.stdout)
    assert "Rebuilding audit" in rebuilt.stderr
    assert re.search(r"│ audit\s+│\s+2 │\s+3 │\s+0 │", status.stdout), status.stdout


def test_projections_rebuild_refuses_a_view_it_does_not_have(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The name is checked against the views before any is rebuilt, whichever the store: one
    store suffices."""
    unknown = run(["projections", "rebuild", "nonsense"], tmp_path, sqlite_url)

    assert unknown.returncode == 2 and "no view is named" in unknown.stderr


def test_checkpoint_and_verify_exit_non_zero_once_the_store_is_tampered_with(
    tmp_path: Path,
) -> None:
    run(["demo", "--households", "5"], tmp_path, None)
    taken = run(["checkpoint"], tmp_path, None)
    intact = run(["verify"], tmp_path, None)
    with sqlite3.connect(tmp_path / "bangfu-data" / "bangfu.sqlite") as db:
        rowid, state = db.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE "
            "'%Disbursed' ORDER BY rowid LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (state.replace(b'"amount_fen":', b'"amount_fen":7'), rowid),
        )

    broken = run(["verify"], tmp_path, None)

    assert taken.returncode == 0 and "Checkpoint at position" in taken.stdout
    assert intact.returncode == 0 and "intact" in intact.stdout
    assert broken.returncode == 1
    assert f"position {rowid}:" in broken.stdout and "Disbursed" in broken.stdout


def test_audit_export_writes_a_package_that_audit_verify_accepts(tmp_path: Path) -> None:
    run(["demo", "--households", "5"], tmp_path, None)

    exported = run(["audit", "export", "--out", "pkg.zip"], tmp_path, None)
    verified = run(["audit", "verify", "pkg.zip"], tmp_path, None)
    (tmp_path / "junk.zip").write_bytes((tmp_path / "pkg.zip").read_bytes()[:-200] + b"\0" * 200)
    broken = run(["audit", "verify", "junk.zip"], tmp_path, None)

    assert exported.returncode == 0, exported.stderr
    assert verified.returncode == 0 and "verified" in verified.stdout
    assert broken.returncode != 0


def test_erase_personal_data_destroys_the_key_and_verify_still_passes(tmp_path: Path) -> None:
    run(["demo", "--households", "5"], tmp_path, None)
    run(["checkpoint"], tmp_path, None)
    ledger = open_ledger(
        f"sqlite:///{tmp_path}/bangfu-data/bangfu.sqlite",
        master_key_file=tmp_path / "bangfu-data" / "master.key",
    )
    case = next(r for r in from_ledger(ledger) if r["kind"] == "Case.Registered")
    sealed = {UUID(case["id"]): case["person_sealed"]}
    assert ledger.read_personal_data(SYSTEM, sealed, "test")[UUID(case["id"])] is not None

    erased = run(
        ["erase-personal-data", case["id"], "--reason", "保存期满", "--yes"], tmp_path, None
    )
    not_a_case = run(["erase-personal-data", "nonsense"], tmp_path, None)

    assert erased.returncode == 0, erased.stderr
    assert ledger.read_personal_data(SYSTEM, sealed, "test")[UUID(case["id"])] is None
    assert run(["verify"], tmp_path, None).returncode == 0
    assert not_a_case.returncode == 2 and "not a case id" in not_a_case.stderr
    ledger.close()
