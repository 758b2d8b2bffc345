"""The `bangfu` command fails in one clear line, never with a Python traceback, and asks before
it destroys anything."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import zipfile
from pathlib import Path
from uuid import UUID

import pytest

from cli.demo import DemoBuilder
from domain.access import SYSTEM
from domain.application import Ledger
from stores import open_ledger
from tests.integration.bangfu import run


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """Exit ``code`` with a single line on stderr that holds ``words``, and no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output, output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, output
    for word in words:
        assert word in lines[0], output


# --- 4. one-line errors ------------------------------------------------------------------------
def test_no_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    unreachable = run(["checkpoint"], tmp_path, "postgresql://postgres@127.0.0.1:1/none")
    unopenable = run(["projections", "status"], tmp_path, "sqlite:////proc/no/such/bangfu.sqlite")

    one_line_error(unreachable, 2, "cannot reach the database", "127.0.0.1:1")
    one_line_error(unopenable, 2, "cannot", "/proc/no/such/bangfu.sqlite")


def test_exporting_an_empty_store_is_one_line(tmp_path: Path) -> None:
    result = run(["audit", "export", "--out", "pkg.zip"], tmp_path)

    one_line_error(result, 1, "empty")
    assert not (tmp_path / "pkg.zip").exists()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is not a zip file\n", ["not a zip"]),
        (_zip({"events.jsonl": b""}), ["manifest.json"]),
        (_zip({"manifest.json": b"{not json"}), ["manifest.json", "JSON"]),
        (_zip({"manifest.json": b"[1, 2]"}), ["manifest.json"]),
        (
            _zip(
                {
                    "manifest.json": json.dumps(
                        {
                            "format": "bangfu-audit-package/2",
                            "scope": {},
                            "positions": [],
                            "files": {},
                        }
                    ).encode()
                }
            ),
            ["events.jsonl"],
        ),
        (None, ["cannot be read"]),
    ],
    ids=[
        "not-a-zip",
        "no-manifest",
        "malformed-json",
        "manifest-not-an-object",
        "no-events",
        "no-file",
    ],
)
def test_verifying_something_that_is_not_a_package_is_one_line(
    tmp_path: Path, content: bytes | None, words: list[str]
) -> None:
    if content is not None:
        (tmp_path / "pkg.zip").write_bytes(content)

    result = run(["audit", "verify", "pkg.zip"], tmp_path)

    one_line_error(result, 1, "pkg.zip", *words)


def test_serve_on_a_port_in_use_says_so_instead_of_printing_a_dead_url(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run(["serve", "--port", str(port)], tmp_path)

    one_line_error(result, 1, f"127.0.0.1:{port}", "in use")
    assert "/docs" not in result.stdout


# --- 5. erasing personal data asks first -------------------------------------------------------
@pytest.fixture
def store(store_url: str, tmp_path: Path) -> tuple[Ledger, UUID]:
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    case = DemoBuilder(ledger, households=5).build().cases[0]
    return ledger, case


def readable(ledger: Ledger, case_id: UUID) -> bool:
    case = ledger.case(SYSTEM, case_id)
    return (
        ledger.read_personal_data(SYSTEM, {case_id: case.person_sealed}, "test")[case_id]
        is not None
    )


@pytest.mark.parametrize("answer", [None, "n\n", "\n"], ids=["no-stdin", "no", "default"])
def test_erasing_personal_data_without_a_yes_erases_nothing(
    store: tuple[Ledger, UUID], store_url: str, tmp_path: Path, answer: str | None
) -> None:
    ledger, case = store
    head = ledger.recorder.max_notification_id()

    result = run(["erase-personal-data", str(case)], tmp_path, store_url, input=answer)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert str(case) in result.stdout  # the question names the case
    assert "nothing" in result.stderr.lower()
    assert ledger.recorder.max_notification_id() == head
    assert readable(ledger, case)
    ledger.close()


@pytest.mark.parametrize(("flags", "answer"), [(["--yes"], None), ([], "y\n")], ids=["flag", "y"])
def test_erasing_personal_data_with_a_yes_erases_it(
    store: tuple[Ledger, UUID],
    store_url: str,
    tmp_path: Path,
    flags: list[str],
    answer: str | None,
) -> None:
    ledger, case = store

    result = run(["erase-personal-data", str(case), *flags], tmp_path, store_url, input=answer)

    assert result.returncode == 0, result.stdout + result.stderr
    assert not readable(ledger, case)
    ledger.close()


def test_erasing_an_unknown_or_malformed_case_asks_nothing(tmp_path: Path) -> None:
    store = open_ledger(
        f"sqlite:///{tmp_path}/bangfu.sqlite", master_key_file=tmp_path / "master.key"
    )
    DemoBuilder(store, households=5).build()
    store.close()

    malformed = run(["erase-personal-data", "nonsense"], tmp_path)
    unknown = run(["erase-personal-data", "00000000-0000-0000-0000-000000000001"], tmp_path)

    one_line_error(malformed, 2, "not a case id")
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert "?" not in unknown.stdout  # no question for a case that does not exist
