"""Rotating the keys: old checkpoints still verify under a new signing key, and every household's
personal data still opens (and duplicate ID numbers are still caught) under a new master key."""

from __future__ import annotations

import json
import zipfile
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Assessment, Person
from domain.errors import DuplicateArchiveError
from domain.id_numbers import make_id_number
from domain.vocabulary import Category, Cause, CentreLevel
from settings import Settings
from stores import open_ledger
from stores.key_files import pending_path
from stores.master_key import MasterKeyError
from stores.vault import Vault
from supervision.checkpoints import Checkpoints
from supervision.package import export
from supervision.package_verify import verify_package
from supervision.scope import Scope
from supervision.signing import ExpectedKey, Signer
from supervision.verify import verify
from tests.integration.bangfu import folder_ledger, run


def _centre(ledger: Ledger, name: str = "市中心") -> UUID:
    return ledger.create_centre(Context(SYSTEM), name, CentreLevel.PREFECTURE, None).result.id


def _register(ledger: Ledger, centre: UUID, n: int) -> UUID:
    person = Person(f"王芳{n}", make_id_number("220104", date(1970, 1, 1), n), "13800000000")
    assessment = Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 50_000, ())
    return ledger.register_case(Context(SYSTEM), centre, assessment, person).result.id


def _personal(ledger: Ledger, cases: list[UUID]) -> dict[UUID, dict[str, Any] | None]:
    sealed = {c: ledger.case(SYSTEM, c).person_sealed for c in cases}
    return ledger.read_personal_data(SYSTEM, sealed, "key rotation test")


def _checked(args: list[str], cwd: Path, url: str | None = None) -> str:
    done = run(args, cwd, url)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_checkpoints_of_a_retired_signing_key_still_verify_everywhere_and_a_stray_key_does_not(
    tmp_path: Path,
) -> None:
    signer = Signer(tmp_path / "key.pem")  # as a running `bangfu serve` holds it
    with closing(folder_ledger(tmp_path)) as ledger:
        _centre(ledger)
        Checkpoints(ledger).take(signer)
    old = signer.key

    rotated = _checked(["keys", "rotate-signing"], tmp_path)
    with closing(folder_ledger(tmp_path)) as ledger:
        _centre(ledger, "区中心")
        Checkpoints(ledger).take(signer)  # finds its key retired: takes up the new one

    new = Signer(tmp_path / "key.pem")
    retired = tmp_path / f"key.{old.key_id}.retired.pem"
    assert signer.key_id == new.key_id != old.key_id and str(retired) in rotated.replace("\n", "")
    assert Signer(retired).key_id == old.key_id  # kept, as the message says
    verified = _checked(["verify"], tmp_path)
    assert f"{old.key_id}: 1 checkpoint" in verified and f"{new.key_id}: 1 checkpoint" in verified
    listed = _checked(["keys", "list"], tmp_path)
    assert old.key_id in listed and new.key_id in listed and "current" in listed
    settings = Settings(
        signing_key_file=tmp_path / "key.pem", master_key_file=tmp_path / "master.key"
    )
    with closing(folder_ledger(tmp_path)) as ledger:
        with TestClient(create_app(ledger, settings, projector="none")) as client:
            published = client.get("/audit/public-keys").json()
        assert [(k["key_id"], k["current"]) for k in published] == [
            (old.key_id, False),
            (new.key_id, True),
        ]
        assert published[0]["succeeded_by"] == new.key_id and published[1]["retired_at"] is None
        package = tmp_path / "after.zip"
        export(ledger, new, package, Scope())
        with zipfile.ZipFile(package) as zf:
            signed_by = {c["key_id"] for c in json.loads(zf.read("checkpoints.json"))}
        assert signed_by == {old.key_id, new.key_id}
        assert verify_package(package, ExpectedKey(public_key_pem=new.public_key_pem)).ok

        stray = Signer(tmp_path / "stray.pem")  # a key written into the history behind its back
        checkpoints = Checkpoints(ledger)
        checkpoints.sign_at(stray, checkpoints.head()[0])  # type: ignore[index]
        faults = [str(f) for f in verify(ledger, new.public_key_pem).faults]
    assert len(faults) == 1 and f"by key {stray.key_id} is by an unknown key" in faults[0]


def test_a_new_master_key_opens_every_household_keeps_erasures_and_finds_duplicates(
    store_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        centre = _centre(ledger)
        cases = [_register(ledger, centre, n) for n in (1, 2, 3)]
        ledger.erase_personal_data(SYSTEM, cases[2], "retention ended")
        before = _personal(ledger, cases)
    finally:
        ledger.close()
    old_key = (tmp_path / "master.key").read_text()

    rotated = _checked(["keys", "rotate-master"], tmp_path, store_url).replace("\n", "")

    retired = [p for p in tmp_path.iterdir() if p.name.endswith(".retired")]
    assert [p.read_text() for p in retired] == [old_key] and str(retired[0]) in rotated
    assert "2 household key(s) re-wrapped, 1 erased" in rotated
    assert (tmp_path / "master.key").read_text() != old_key
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        after = _personal(ledger, cases)
        with pytest.raises(DuplicateArchiveError):
            _register(ledger, centre, 2)
    finally:
        ledger.close()
    assert after == before and after[cases[2]] is None and after[cases[0]] is not None
    with pytest.raises(MasterKeyError):
        open_ledger(store_url, master_key_file=retired[0])


def test_a_master_key_rotation_interrupted_after_the_database_committed_is_finished_by_rerunning(
    tmp_path: Path,
) -> None:
    key_file, new_key = tmp_path / "master.key", tmp_path / "offline.key"
    with closing(folder_ledger(tmp_path)) as ledger:
        case = _register(ledger, _centre(ledger), 1)
        before = _personal(ledger, [case])
    new_key.write_text("Tm90IGEgcmVhbCBrZXksIGp1c3QgMzIgYnl0ZXMhISE=")  # base64 of 32 bytes
    with closing(
        folder_ledger(tmp_path)
    ) as ledger:  # the command, stopped after step 2 (the commit)
        pending_path(key_file).write_text(new_key.read_text())
        vault = ledger.vault
        assert isinstance(vault, Vault)
        vault.rotate_master(b"Not a real key, just 32 bytes!!!")
    with pytest.raises(MasterKeyError, match="rotate-master` was interrupted"):
        folder_ledger(tmp_path)

    finished = _checked(["keys", "rotate-master", "--new-key-file", str(new_key)], tmp_path)

    assert "interrupted rotation is finished" in finished
    assert key_file.read_text() == new_key.read_text()
    with closing(folder_ledger(tmp_path)) as ledger:
        assert _personal(ledger, [case]) == before
