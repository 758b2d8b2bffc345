"""One store, one set of keys: wherever `bangfu` runs from, and only with the store's own key."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

from domain.access import SYSTEM
from domain.application import Context
from domain.cases import Assessment, Person
from domain.id_numbers import make_id_number
from domain.vocabulary import Category, Cause, CentreLevel
from stores import open_ledger

BANGFU = str(Path(sys.executable).parent / "bangfu")


def bangfu(
    args: list[str], cwd: Path, home: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BANGFU_") and not k.startswith("XDG_")
    }
    env |= {"HOME": str(home), **extra}
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [BANGFU, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_commands_run_from_two_folders_use_one_store_and_one_set_of_keys(tmp_path: Path) -> None:
    home = tmp_path / "home"

    added = bangfu(["user", "add", "alice", "--role", "finance"], tmp_path / "one", home)
    token = bangfu(["user", "token", "alice"], tmp_path / "two", home)
    signed = bangfu(["checkpoint"], tmp_path / "three", home)

    assert added.returncode == 0, added.stderr
    assert token.returncode == 0, token.stderr  # the second folder found alice
    assert signed.returncode == 0, signed.stderr
    data = home / ".local" / "share" / "bangfu"
    assert (data / "bangfu.sqlite").exists() and (data / "signing-key.pem").exists()
    for folder in ("one", "two", "three"):
        assert not (tmp_path / folder / "bangfu-data").exists()
        assert list((tmp_path / folder).iterdir()) == []


def _store_with_sealed_data(url: str, key_file: Path) -> None:
    ledger = open_ledger(url, master_key_file=key_file)
    ctx = Context(SYSTEM)
    centre = ledger.create_centre(ctx, "市帮扶中心", CentreLevel.PREFECTURE, None).result.id

    ledger.register_case(
        ctx,
        centre,
        Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 50_000, ()),
        Person("王芳", make_id_number("220104", date(1970, 1, 1), 7), "13800000000"),
        date(2026, 1, 5),
    )
    ledger.close()


def test_a_master_key_that_cannot_open_the_store_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/store.sqlite"
    _store_with_sealed_data(url, tmp_path / "master.key")
    other = base64.b64encode(secrets.token_bytes(32)).decode()

    def status(**key: str) -> subprocess.CompletedProcess[str]:
        """`bangfu projections status` on the store, with the master key given."""
        home = tmp_path / "home"
        return bangfu(["projections", "status"], tmp_path, home, BANGFU_DATABASE_URL=url, **key)

    wrong = status(BANGFU_MASTER_KEY=other)
    missing = status(BANGFU_MASTER_KEY_FILE=str(tmp_path / "nowhere.key"))
    right = status(BANGFU_MASTER_KEY_FILE=str(tmp_path / "master.key"))

    said = {
        name: " ".join(r.stderr.split()) for name, r in [("wrong", wrong), ("missing", missing)]
    }
    assert wrong.returncode == 2 and "is not the one this store" in said["wrong"]
    assert "Traceback" not in wrong.stderr
    assert missing.returncode == 2 and "there is no master key" in said["missing"]
    assert not (tmp_path / "nowhere.key").exists()  # no new key was made for a sealed store
    assert right.returncode == 0, right.stderr
