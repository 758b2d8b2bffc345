"""`bangfu backup` and `bangfu restore` on both stores: a restored backup never brings erased
personal data back, and a damaged backup or an unforced restore changes nothing."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from bootstrap import App, bootstrap
from cli.main import app
from domain.access import SYSTEM
from domain.application import Context
from domain.cases import Person
from domain.id_numbers import make_id_number
from domain.vocabulary import AssistanceType, CentreLevel, FundSource
from settings import Settings
from stores.erasure_record import Erasure, ErasureRecord
from stores.vault import Vault
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
LIVING = AssistanceType.LIVING_RELIEF
BORN = date(1970, 1, 1)


@dataclass
class Scene:
    """A fund of ¥5,000 and three households filed with personal data, checkpointed."""

    settings: Settings
    fund: UUID
    cases: list[UUID]
    backups: Path


def bangfu(*args: str | Path) -> Result:
    """`bangfu ARGS` in this process, with the settings of the test's environment."""
    return CliRunner().invoke(app, [str(a) for a in args])


def said(result: Result) -> str:
    return " ".join((result.stdout + result.stderr).split())


@contextmanager
def running(settings: Settings) -> Iterator[App]:
    the_app = bootstrap(settings)
    try:
        yield the_app
    finally:
        the_app.close()


def personal_data(the_app: App, case_id: UUID) -> dict[str, Any] | None:
    vault = the_app.ledger.vault
    assert isinstance(vault, Vault)
    return vault.open(case_id, the_app.ledger.case(SYSTEM, case_id).person_sealed)


@pytest.fixture
def scene(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scene:
    for name in [k for k in os.environ if k.startswith("BANGFU_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BANGFU_DATABASE_URL", store_url)
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "keys"))  # keys and erasure record
    settings = Settings()
    with running(settings) as the_app:
        ledger = the_app.ledger
        centre = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
        fund = ledger.open_fund(
            ADMIN, centre, "生活救助", FundSource.CENTRAL_SPECIAL_FUND, 2026, [LIVING]
        ).result.id
        ledger.receive(ADMIN, fund, 5_000_00, "财政部", "R-1", ledger.today())
        cases = [
            ledger.register_case(
                ADMIN, centre, assessment(), Person(name, make_id_number("220104", BORN, n), "")
            ).result.id
            for n, name in enumerate(("张三", "李四", "王五"), start=1)
        ]
        the_app.checkpoints.take(the_app.signer)
    return Scene(settings, fund, cases, tmp_path / "backups")


def pay(settings: Settings, fund: UUID, case_id: UUID) -> None:
    with running(settings) as the_app:
        ledger = the_app.ledger
        ledger.pay(ADMIN, fund, case_id, LIVING, 100_00, "春节慰问", ledger.today())


def test_a_backup_restored_after_erasures_keeps_those_households_erased_and_verifies(
    scene: Scene,
) -> None:
    settings, (first, second, kept), data = scene.settings, scene.cases, scene.backups / "data"
    backed_up = bangfu("backup", "data", data)
    with running(settings) as the_app:
        the_app.ledger.erase_personal_data(SYSTEM, first, "保存期满")
    keys = bangfu("backup", "keys", scene.backups / "keys.tar.gz")
    settings.erasure_record_path.unlink()  # the disk that held the keys is replaced ...
    with running(settings) as the_app:  # ... and work goes on: one more erasure, a payment
        the_app.ledger.erase_personal_data(SYSTEM, second, "本人申请")
    pay(settings, scene.fund, kept)

    restored = bangfu("restore", data, "--keys", scene.backups / "keys.tar.gz", "--force")

    assert backed_up.exit_code == 0 and keys.exit_code == 0, said(backed_up) + said(keys)
    assert restored.exit_code == 0, said(restored)
    assert "2 household keys that the backup still held are destroyed again" in said(restored)
    assert "The log is intact" in said(restored)
    with running(settings) as the_app:
        assert personal_data(the_app, first) is None  # erased before the keys backup
        assert personal_data(the_app, second) is None  # erased after it: the current record
        assert (personal_data(the_app, kept) or {}).get("name") == "王五"  # the others read
        assert the_app.ledger.case(SYSTEM, first).personal_data_erased
        assert the_app.ledger.case(SYSTEM, second).personal_data_erased
        assert the_app.ledger.fund(SYSTEM, scene.fund).balance_fen == 5_000_00  # as backed up
    recorded = {e.case_id for e in ErasureRecord(settings.erasure_record_path).entries()}
    assert recorded == {first, second}  # the keys backup's erasure is recorded again
    assert stat.S_IMODE((scene.backups / "keys.tar.gz").stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o600


def test_a_damaged_backup_or_a_restore_over_events_without_force_is_refused_and_changes_nothing(
    scene: Scene,
) -> None:
    data = scene.backups / "data"
    assert bangfu("backup", "data", data).exit_code == 0
    pay(scene.settings, scene.fund, scene.cases[0])
    damaged = scene.backups / "damaged"
    content = bytearray(data.read_bytes())
    content[len(content) // 2] ^= 0x01
    damaged.write_bytes(content)
    damaged.with_name("damaged.manifest.json").write_bytes(
        data.with_name("data.manifest.json").read_bytes()
    )

    refused_damaged = bangfu("restore", damaged, "--force")
    refused_unforced = bangfu("restore", data)

    assert refused_damaged.exit_code == 1
    assert "does not match the SHA-256 in its manifest" in said(refused_damaged)
    assert refused_unforced.exit_code == 1
    assert "restore with --force" in said(refused_unforced)
    with running(scene.settings) as the_app:  # the payment made after the backup is still there
        assert the_app.ledger.fund(SYSTEM, scene.fund).balance_fen == 4_900_00
        assert personal_data(the_app, scene.cases[0]) is not None


def test_the_erasure_record_is_private_names_no_person_and_survives_a_torn_last_line(
    tmp_path: Path,
) -> None:
    record = ErasureRecord(tmp_path / "keys" / "erasures.jsonl")
    first, second = UUID(int=1), UUID(int=2)

    record.append([Erasure(first, "2026-03-01T00:00:00+00:00", "admin")])
    with record.path.open("ab") as f:
        f.write(b'{"case_id": "00000000-0000-')  # a crash in the middle of a line
    torn = record.entries()
    record.append([Erasure(second, "2026-03-02T00:00:00+00:00", "admin")])

    assert [e.case_id for e in torn] == [first]
    assert [e.case_id for e in record.entries()] == [first, second]
    assert stat.S_IMODE(record.path.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in record.path.read_text().splitlines()]
    assert [set(line) for line in lines] == [{"case_id", "erased_at", "erased_by"}] * 2
