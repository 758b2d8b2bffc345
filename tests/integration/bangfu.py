"""The `bangfu` command run as a user would run it, in a folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from domain.application import Ledger
from stores import open_ledger

BANGFU = str(Path(sys.executable).parent / "bangfu")


def run(
    args: list[str], cwd: Path, url: str | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`bangfu ARGS` in ``cwd``, with its store (unless ``url``), signing key and master key in
    that folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env |= {
        "COLUMNS": "200",
        "BANGFU_DATABASE_URL": url or f"sqlite:///{cwd}/bangfu.sqlite",
        "BANGFU_SIGNING_KEY_FILE": str(cwd / "key.pem"),
        "BANGFU_MASTER_KEY_FILE": str(cwd / "master.key"),
    }
    return subprocess.run(
        [BANGFU, *args],
        cwd=cwd,
        env=env,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def folder_ledger(cwd: Path) -> Ledger:
    """The ledger that `bangfu` run in ``cwd`` uses, to set the scene (close it before running)."""
    return open_ledger(f"sqlite:///{cwd}/bangfu.sqlite", master_key_file=cwd / "master.key")
