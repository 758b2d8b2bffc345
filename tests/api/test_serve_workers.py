"""`bangfu serve --workers N`: several server processes on one listening socket."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.serving import serving

BANGFU = Path(sys.executable).parent / "bangfu"


def environment(folder: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    return env | {"BANGFU_DATA_DIR": str(folder), "COLUMNS": "200"} | settings


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_several_workers_are_refused_while_the_server_would_keep_the_views_itself(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "2"], env=environment(tmp_path))

    assert result.exit_code == 2
    assert "BANGFU_PROJECT_IN_PROCESS=false" in result.output
    assert not (tmp_path / "bangfu.sqlite").exists()  # refused before the store was opened


def test_a_command_run_inside_a_test_leaves_no_log_handler_behind_on_a_closed_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)

    result = CliRunner().invoke(app, ["serve", "--workers", "2"], env=environment(tmp_path))
    logging.getLogger("bangfu.projections").warning("funds: stopped at position 7")

    assert result.exit_code == 2
    assert (list(root.handlers), root.level) == before  # serve had set INFO on the root
    assert "Logging error" not in capsys.readouterr().err


def test_two_workers_answer_on_one_port_when_the_projector_runs_apart(tmp_path: Path) -> None:
    env = environment(tmp_path, BANGFU_PROJECT_IN_PROCESS="false")
    command = [BANGFU, "serve", "--workers", "2"]

    with serving(command, tmp_path, env, tmp_path / "serve.log", patience=180) as base:
        answers = [httpx.get(f"{base}/health/live", timeout=10).status_code for _ in range(10)]
        server = int(
            next(
                line.split("[")[1].split("]")[0]
                for line in (tmp_path / "serve.log").read_text().splitlines()
                if "Started parent process" in line
            )
        )
        workers = workers_of(server)

    assert answers == [200] * 10
    assert len(workers) == 2
