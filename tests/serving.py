"""A `bangfu serve` for a test: started on a free port, waited for until /health answers, and
stopped when the test is done with it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serving(
    command: list[Any], cwd: Path, env: dict[str, str], log: Path, patience: float = 60
) -> Iterator[str]:
    """``command`` (a `bangfu serve`) running on a free port until the block ends: its base URL,
    once /health answers (within ``patience`` seconds). What it prints goes to ``log``."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [*map(str, command), "--port", str(port)], cwd=cwd, env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + patience
        while not answers(f"{base}/health"):
            assert server.poll() is None, f"the server stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer in time:\n{log.read_text()}"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
