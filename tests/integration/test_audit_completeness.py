"""An audit package proves what it leaves out: every position of the chain is either in the
package or listed with the facts that put it outside the scope, and the scope chain binds those
facts to the signed checkpoint. Even someone holding the signing key cannot drop an event of the
scope without the verifier seeing it."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cli.demo import DemoData
from domain.application import Ledger
from domain.cases import Case
from domain.centres import Centre
from domain.funds import Fund
from domain.payments import Payment
from domain.users import token_hash, token_key_id
from stores.sql import SqlDatabase
from supervision.checkpoints import Checkpoints, signed_message
from supervision.package import export, manifest_message, to_json
from supervision.package_verify import verify_package
from supervision.records import from_ledger, is_
from supervision.scope import Scope
from supervision.scope_chain import ChainBrokenError
from supervision.signing import Signer
from supervision.verify import verify


def _files(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _resign(package: Path, files: dict[str, bytes], signer: Signer) -> None:
    """Write the files back with the manifest's hashes redone and signed with the real key, as
    an insider could."""
    manifest = json.loads(files["manifest.json"])
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256(files[name]).hexdigest()
    files["manifest.json"] = to_json(manifest)
    signature = {
        "key_id": signer.key_id,
        "signature": signer.sign(manifest_message(files["manifest.json"])),
    }
    files["manifest.sig"] = to_json(signature)
    with zipfile.ZipFile(package, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def _drop(files: dict[str, bytes], positions: set[int]) -> None:
    manifest = json.loads(files["manifest.json"])
    manifest["positions"] = [p for p in manifest["positions"] if p not in positions]
    manifest["events"] = len(manifest["positions"])
    files["manifest.json"] = to_json(manifest)
    lines = files["events.jsonl"].decode().splitlines(keepends=True)
    files["events.jsonl"] = "".join(
        line for line in lines if json.loads(line)["position"] not in positions
    ).encode()


def _entries(files: dict[str, bytes]) -> list[list[Any]]:
    entries: list[list[Any]] = json.loads(files["chain.json"])["entries"]
    return entries


def test_a_payment_dropped_from_a_whole_package_is_missed_even_with_the_manifest_re_signed(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    out = tmp_path / "all.zip"
    export(ledger, signer, out, Scope())
    files = _files(out)
    payment = next(f["id"] for _, _, f in _entries(files) if f["kind"] == "Payment.Made")
    its_events = {p for p, _, f in _entries(files) if payment in (f["id"], f.get("payment_id"))}

    _drop(files, its_events)
    _resign(out, files, signer)

    verdict = verify_package(out)
    assert f"{len(its_events)} event(s) of the scope are missing" in " ".join(verdict.problems)


@pytest.mark.parametrize("scope", ["centre", "fund", "period"])
def test_an_event_of_a_scoped_package_cannot_be_passed_off_as_outside_it(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path, scope: str
) -> None:
    ledger, data, signer = demo
    chosen = {
        "centre": Scope(centre_id=str(next(iter(data.street_funds)))),
        "fund": Scope(fund_id=str(data.funds[0])),
        "period": Scope(date_from="2026-01-01", date_to="2026-06-30"),
    }[scope]
    out = tmp_path / f"{scope}.zip"
    manifest = export(ledger, signer, out, chosen)
    files = _files(out)
    victim = next(
        p
        for p, _, f in _entries(files)
        if p in manifest["positions"] and f["kind"] != "Policy.Started"
    )
    entries = _entries(files)
    for entry in entries:  # claim it is an event of some other aggregate, on another date
        if entry[0] == victim:
            entry[2] = {
                "kind": "Fund.Received",
                "id": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                "date": "1999-01-01",
                "amount_fen": 1,
            }
    files["chain.json"] = to_json({"entries": entries})

    _drop(files, {victim})
    _resign(out, files, signer)

    problems = " ".join(verify_package(out).problems)
    assert "the chain does not reach the signed checkpoint's link" in problems


def test_a_store_signed_before_the_scope_chain_keeps_its_old_checkpoints_verifiable(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    checkpoints = Checkpoints(ledger)
    db = SqlDatabase(ledger)
    position, link1 = checkpoints.head()  # type: ignore[misc]
    taken_at = "2026-01-01T00:00:00.000000Z"
    with db.transaction() as cursor:  # what the previous release left: a version-1 checkpoint
        cursor.execute(db.sql(f"DELETE FROM {checkpoints.scope_chain.table}"))
        cursor.execute(
            db.sql(f"INSERT INTO {checkpoints.tables[1]} VALUES (%s, %s, %s, %s, %s)"),
            (
                position,
                link1,
                taken_at,
                signer.key_id,
                signer.sign(signed_message(position, link1, taken_at, 1)),
            ),
        )
    out = tmp_path / "all.zip"

    export(ledger, signer, out, Scope())  # extends the scope chain from genesis, signs version 2

    verdict = verify_package(out)
    listed = json.loads(_files(out)["checkpoints.json"])
    assert verdict.ok, verdict.problems
    assert {1, 2} <= {c.get("version", 1) for c in listed if c["position"] == position}
    assert verify(ledger, signer.public_key_pem).ok


def test_the_scope_chain_is_not_extended_over_an_altered_event(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    checkpoints = Checkpoints(ledger)
    db = SqlDatabase(ledger)
    recorder: Any = ledger.recorder
    first = checkpoints.head()[0] - 3  # type: ignore[index]
    id_column = "notification_id" if db.is_postgres else "rowid"
    with db.transaction() as cursor:
        cursor.execute(db.sql(f"DELETE FROM {checkpoints.scope_chain.table}"))
        cursor.execute(
            db.sql(
                f"UPDATE {db.table(recorder.events_table_name)} SET state = %s "
                f"WHERE {id_column} = %s"
            ),
            (
                b'{"timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-01T00:00:00+00:00"}}',
                first,
            ),
        )

    with pytest.raises(ChainBrokenError):
        export(ledger, signer, tmp_path / "all.zip", Scope())

    assert not [c for c in checkpoints.all() if c.version == 2]


def test_no_package_holds_a_token_its_hash_or_an_id_derived_from_it(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, data, signer = demo
    out = tmp_path / "all.zip"
    export(ledger, signer, out, Scope())
    text = b"".join(_files(out).values()).decode("utf-8", "replace")
    derived = [
        form
        for token in data.tokens.values()
        for form in (token, token_hash(token), str(token_key_id(token)))
    ]

    assert data.tokens and not [form for form in derived if form in text]


def test_a_fund_package_holds_the_centres_and_filings_its_payments_need(
    demo: tuple[Ledger, DemoData, Signer],
) -> None:
    ledger, data, _ = demo
    records = list(from_ledger(ledger))
    fund = str(data.funds[0])

    chosen = Scope(fund_id=fund).select(records)

    paid = {r["case_id"] for r in chosen if is_(r, Payment.Made)}
    filed = {r["id"] for r in chosen if is_(r, Case.Registered)}
    centres = {r["id"] for r in chosen if is_(r, Centre.Created)}
    paths = {c for r in chosen if is_(r, Payment.Made, Fund.Opened) for c in r["centre_path"]}
    assert paid and paid == filed  # so its personal data and matching are not empty
    assert paths <= centres
