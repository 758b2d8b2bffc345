"""Audit packages under attack and at the edges: a package re-signed with another key, an export
through a symbolic link, scopes that cut an aggregate's history in two, and empty periods."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from api.app import create_app
from cli.demo import DemoData
from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Person
from domain.errors import InvalidInputError
from domain.id_numbers import make_id_number
from domain.vocabulary import AssistanceType, CentreLevel, FundSource, Role
from settings import Settings
from stores import open_ledger
from supervision.checkpoints import Checkpoints, signed_message
from supervision.package import DestinationError, export, manifest_message, to_json
from supervision.package_verify import verify_package
from supervision.scope import Scope
from supervision.signing import ExpectedKey, Signer, fingerprint, key_id, public_pem
from tests.integration.bangfu import run
from tests.unit.support import assessment


# --- 1. pinning the key a package must be signed with ------------------------------------------
def resign(package: Path) -> str:
    """Sign the package's checkpoints and manifest again with a new key, as a forger would;
    returns its PEM."""
    with zipfile.ZipFile(package) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    forger = Ed25519PrivateKey.generate()
    pem = public_pem(forger.public_key())

    def signed(c: dict[str, Any]) -> dict[str, Any]:
        message = signed_message(c["position"], c["link"], c["taken_at"], c.get("version", 1))
        return c | {"key_id": key_id(pem), "signature": forger.sign(message).hex()}

    checkpoint = signed(json.loads(files["checkpoint.json"]))
    files["checkpoint.json"] = to_json(checkpoint)
    files["checkpoints.json"] = to_json([signed(c) for c in json.loads(files["checkpoints.json"])])
    files["public-key.pem"] = pem.encode()
    manifest = json.loads(files["manifest.json"])
    manifest["checkpoint"] = checkpoint
    for name in ("checkpoint.json", "checkpoints.json", "public-key.pem"):
        manifest["files"][name] = hashlib.sha256(files[name]).hexdigest()
    files["manifest.json"] = to_json(manifest)
    signature = forger.sign(manifest_message(files["manifest.json"])).hex()
    files["manifest.sig"] = to_json({"key_id": key_id(pem), "signature": signature})
    with zipfile.ZipFile(package, "w") as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return pem


def test_the_fingerprint_is_the_sha256_of_the_pem_and_the_key_id_its_first_16_digits(
    tmp_path: Path,
) -> None:
    signer = Signer(tmp_path / "key.pem")

    full = fingerprint(signer.public_key_pem)

    assert full == hashlib.sha256(signer.public_key_pem.encode()).hexdigest()
    assert signer.fingerprint == full and signer.key_id == full[:16] == key_id(
        signer.public_key_pem
    )


def test_a_package_resigned_with_another_key_passes_only_when_the_key_is_not_pinned(
    demo: tuple[Ledger, DemoData, Signer], whole_package: Path
) -> None:
    _, _, signer = demo
    out = whole_package
    real = signer.public_key_pem
    pins = [
        ExpectedKey(public_key_pem=real),
        ExpectedKey(key_id=signer.key_id),
        ExpectedKey(fingerprint=fingerprint(real)),
    ]
    assert all(verify_package(out, expected_key=pin).ok for pin in pins)

    forged = resign(out)

    unpinned = verify_package(out)
    assert unpinned.ok, unpinned.problems
    assert (unpinned.key_id, unpinned.fingerprint) == (key_id(forged), fingerprint(forged))
    for pin in pins:
        pinned = verify_package(out, expected_key=pin)
        assert not pinned.ok
        assert any("not the expected key" in p for p in pinned.problems), pinned.problems
        assert pinned.key_id == key_id(forged)


def test_audit_verify_names_the_key_and_refuses_a_forged_package_when_the_key_is_pinned(
    sqlite_url: str, tmp_path: Path
) -> None:
    """`audit verify` reads the package alone, never the store: a small ledger on one store
    makes one (packages of the demo on both stores are verified, pinned and forged, above)."""
    ledger = small_store(sqlite_url, tmp_path)
    signer = Signer(tmp_path / "key.pem")
    export(ledger, signer, tmp_path / "pkg.zip", Scope())
    ledger.close()
    (tmp_path / "published.pem").write_text(signer.public_key_pem)
    real_fp = fingerprint(signer.public_key_pem)
    pins = [
        ["--public-key", "published.pem"],
        ["--key-id", signer.key_id],
        ["--fingerprint", real_fp.upper()],
    ]

    # every pin at once: each must match, so none may refuse the genuine package
    genuine = run(["audit", "verify", "pkg.zip", *(arg for pin in pins for arg in pin)], tmp_path)
    forged_pem = resign(tmp_path / "pkg.zip")
    unpinned = run(["audit", "verify", "pkg.zip"], tmp_path)
    # one pin at a time: each alone must refuse the forged package
    pinned = [run(["audit", "verify", "pkg.zip", *pin], tmp_path) for pin in pins]

    assert genuine.returncode == 0, genuine.stdout + genuine.stderr
    assert real_fp in genuine.stdout and signer.key_id in genuine.stdout
    assert "(the pinned key)" in genuine.stdout
    assert "not pinned" not in genuine.stdout + genuine.stderr
    assert unpinned.returncode == 0, unpinned.stdout + unpinned.stderr
    assert fingerprint(forged_pem) in unpinned.stdout and key_id(forged_pem) in unpinned.stdout
    assert "not pinned" in unpinned.stderr
    for result, what in zip(pinned, ("public key", "key id", "fingerprint"), strict=True):
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"not the expected key: pinned {what}" in result.stdout, result.stdout
        assert fingerprint(forged_pem) in result.stdout


def test_audit_verify_refuses_a_malformed_pin(tmp_path: Path) -> None:
    (tmp_path / "pkg.zip").write_bytes(b"")

    short = run(["audit", "verify", "pkg.zip", "--key-id", "abc"], tmp_path)
    not_hex = run(["audit", "verify", "pkg.zip", "--fingerprint", "z" * 64], tmp_path)
    no_file = run(["audit", "verify", "pkg.zip", "--public-key", "missing.pem"], tmp_path)

    for result in (short, not_hex, no_file):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr


# --- 2. writing the package safely ------------------------------------------------------------
def test_export_refuses_a_symlink_and_signs_no_checkpoint(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "link.zip").symlink_to(victim)
    (tmp_path / "dangling.zip").symlink_to(tmp_path / "nowhere.zip")
    before = Checkpoints(ledger).all()

    for name in ("link.zip", "dangling.zip"):
        with pytest.raises(DestinationError, match="symbolic link"):
            export(ledger, signer, tmp_path / name, Scope())

    assert victim.read_text() == "keep me"
    assert not (tmp_path / "nowhere.zip").exists()
    assert Checkpoints(ledger).all() == before


def test_a_destination_that_cannot_be_written_signs_no_checkpoint(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    (tmp_path / "a-folder").mkdir()
    before = Checkpoints(ledger).all()

    with pytest.raises(DestinationError):
        export(ledger, signer, tmp_path / "no-such-folder" / "pkg.zip", Scope())
    with pytest.raises(DestinationError):
        export(ledger, signer, tmp_path / "a-folder", Scope())

    assert Checkpoints(ledger).all() == before


def test_export_replaces_the_file_atomically_with_mode_0600(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, data, signer = demo
    out = tmp_path / "out" / "pkg.zip"
    out.parent.mkdir()
    out.write_bytes(b"an older package")
    out.chmod(0o644)
    case = ledger.case(SYSTEM, data.cases[0])
    person = ledger.read_personal_data(SYSTEM, {case.id: case.person_sealed}, "test")

    manifest = export(ledger, signer, out, Scope(), personal_data=person)

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert os.listdir(out.parent) == ["pkg.zip"]  # no temporary file left behind
    assert verify_package(out).ok
    assert manifest["checkpoint"]["position"] == Checkpoints(ledger).latest().position  # type: ignore[union-attr]


def test_the_checkpoint_is_signed_at_the_head_read_before_the_package_was_built(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    checkpoints = Checkpoints(ledger)
    head = checkpoints.head()
    assert head is not None
    ledger.add_user(SYSTEM, "late", Role.AUDITOR, None)  # the log moves on

    at_head = checkpoints.sign_at(signer, head[0])
    again = checkpoints.sign_at(signer, head[0])

    assert at_head.position == head[0] and at_head.version == 2
    assert at_head.link == checkpoints.scope_chain.link_at(head[0])  # the scope chain's link
    assert again == at_head and checkpoints.all().count(at_head) == 1
    with pytest.raises(ValueError):
        checkpoints.sign_at(signer, 10**9)


def test_audit_export_refuses_a_symlink_before_reading_personal_data(
    store_url: str, tmp_path: Path
) -> None:
    ledger = small_store(store_url, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "link.zip").symlink_to(victim)
    head = ledger.recorder.max_notification_id()
    before = Checkpoints(ledger).all()

    refused = run(
        ["audit", "export", "--out", "link.zip", "--with-personal-data"], tmp_path, store_url
    )

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "symbolic link" in refused.stderr and "Traceback" not in refused.stderr
    assert victim.read_text() == "keep me" and (tmp_path / "link.zip").is_symlink()
    assert Checkpoints(ledger).all() == before
    assert ledger.recorder.max_notification_id() == head  # not even a read was recorded
    ledger.close()


def test_audit_export_writes_mode_0600(sqlite_url: str, tmp_path: Path) -> None:
    """The file is written the same whichever the store (export itself writes mode 0600 on
    both, above): one store suffices."""
    small_store(sqlite_url, tmp_path).close()

    exported = run(
        ["audit", "export", "--out", "pkg.zip", "--with-personal-data"], tmp_path, sqlite_url
    )

    assert exported.returncode == 0, exported.stderr
    assert stat.S_IMODE((tmp_path / "pkg.zip").stat().st_mode) == 0o600
    assert verify_package(tmp_path / "pkg.zip").ok


ADMIN = Context(SYSTEM)


def small_store(url: str, folder: Path) -> Ledger:
    """A ledger (its master key in ``folder``, where `bangfu` run there finds it) with a centre,
    a fund and the payment of a household whose personal data is sealed: what `bangfu audit
    export` needs to have something to read and sign, without the demo's hundreds of events."""
    ledger = open_ledger(url, master_key_file=folder / "master.key")
    living = AssistanceType.LIVING_RELIEF
    jan_10 = date(2026, 1, 10)
    centre = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    fund = ledger.open_fund(
        ADMIN, centre, "生活救助", FundSource.CENTRAL_SPECIAL_FUND, 2026, [living], jan_10
    ).result.id
    ledger.receive(ADMIN, fund, 5_000_00, "财政部", "R-1", jan_10)
    person = Person("张三", make_id_number("220104", date(1970, 1, 1), 1), "")
    case = ledger.register_case(ADMIN, centre, assessment(), person, jan_10).result.id
    ledger.pay(ADMIN, fund, case, living, 500_00, "P-1", date(2026, 1, 20))
    return ledger


# --- 3. scopes that cut histories in two, and empty periods ------------------------------------
SCOPES: dict[str, dict[str, object]] = {
    "whole": {},
    "fund": {"fund_id": 0},
    "centre": {"centre_id": "street"},
    "period with closures of cases filed before it": {
        "date_from": "2026-06-01",
        "date_to": "2026-06-30",
    },
    "period after the funds were opened": {"date_from": "2026-02-01", "date_to": "2026-12-31"},
    "fund and period": {"fund_id": 0, "date_from": "2026-02-01", "date_to": "2026-12-31"},
    "child fund and period": {"fund_id": 4, "date_from": "2026-01-20", "date_to": "2026-12-31"},
    "centre and period": {"centre_id": "street", "date_from": "2026-06-01"},
}


def _scope(ledger: Ledger, data: DemoData, spec: dict[str, object]) -> Scope:
    fields = dict(spec)
    if "fund_id" in fields:
        fields["fund_id"] = str(data.funds[int(str(fields["fund_id"]))])
    if "centre_id" in fields:
        fields["centre_id"] = str(ledger.case(SYSTEM, data.cases[0]).centre_id)
    return Scope(**fields)  # type: ignore[arg-type]


def test_every_scope_exports_and_verifies(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    """One demo for all the scopes (each package exported in turn, as an auditor would)."""
    ledger, data, signer = demo
    failed: dict[str, object] = {}

    for n, (name, spec) in enumerate(SCOPES.items()):
        out = tmp_path / f"pkg-{n}.zip"
        manifest = export(ledger, signer, out, _scope(ledger, data, spec))
        verdict = verify_package(out)
        if not (verdict.ok and verdict.events == manifest["events"] > 0):
            failed[name] = (verdict.problems, verdict.events, manifest["events"])

    assert failed == {}, failed


def test_a_period_package_reports_no_earmark_violation_it_cannot_see(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    out = tmp_path / "pkg.zip"

    export(ledger, signer, out, Scope(date_from="2026-02-01", date_to="2026-12-31"))

    earmarks = json.loads(zipfile.ZipFile(out).read("computed/earmarks.json"))
    assert earmarks["violations"] == []


def test_a_fund_and_period_trace_still_shows_the_fund_and_its_children(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, data, signer = demo
    out = tmp_path / "pkg.zip"

    export(ledger, signer, out, Scope(fund_id=str(data.funds[0]), date_from="2026-02-01"))

    trace = json.loads(zipfile.ZipFile(out).read("computed/provenance.json"))

    def funds_and_paid(node: dict[str, Any]) -> tuple[int, int]:
        below = [funds_and_paid(c) for c in node["children"]]
        return 1 + sum(n for n, _ in below), node["paid_fen"] + sum(p for _, p in below)

    assert (trace["fund_id"], trace["name"]) == (str(data.funds[0]), "2026年中央财政专项帮扶资金")
    assert trace["received_fen"] == 0 and trace["returned_fen"] == 500_00  # returned 2026-04-02
    tree, paid = funds_and_paid(trace)
    assert tree == 1 + 3 + 5  # the city, three districts, five streets, opened in January
    assert paid > 0  # medical aid paid in February


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("2026-02-01", "2026-01-01"), ("2026-13-01", None)]
)
def test_an_empty_or_malformed_period_is_refused_before_anything_is_signed(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path, date_from: str, date_to: str | None
) -> None:
    ledger, _, signer = demo
    before = Checkpoints(ledger).all()

    with pytest.raises(InvalidInputError):
        export(ledger, signer, tmp_path / "pkg.zip", Scope(date_from=date_from, date_to=date_to))

    assert Checkpoints(ledger).all() == before
    assert not (tmp_path / "pkg.zip").exists()


@pytest.fixture
def web(
    demo: tuple[Ledger, DemoData, Signer], settings: Settings
) -> Iterator[tuple[TestClient, DemoData]]:
    ledger, data, _ = demo
    token = ledger.add_user(SYSTEM, "auditor", Role.AUDITOR, None)
    with TestClient(create_app(ledger, settings), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, data


def test_the_package_route_answers_for_split_histories_and_refuses_an_empty_period(
    web: tuple[TestClient, DemoData], tmp_path: Path
) -> None:
    client, data = web

    june = client.get("/supervision/package?date_from=2026-06-01&date_to=2026-06-30")
    fund = client.get(f"/supervision/package?fund_id={data.funds[0]}&date_from=2026-02-01")
    empty = client.get("/supervision/package?date_from=2026-02-01&date_to=2026-01-01")

    for response in (june, fund):
        assert response.status_code == 200, response.text
        (tmp_path / "p.zip").write_bytes(response.content)
        assert verify_package(tmp_path / "p.zip").ok
    assert empty.status_code == 422, empty.text
    assert "2026-02-01" in empty.json()["detail"]


def test_audit_export_refuses_an_empty_period_in_one_line(sqlite_url: str, tmp_path: Path) -> None:
    small_store(sqlite_url, tmp_path).close()
    url = sqlite_url

    empty = run(
        ["audit", "export", "--out", "p.zip", "--from", "2026-02-01", "--to", "2026-01-01"],
        tmp_path,
        url,
    )
    malformed = run(["audit", "export", "--out", "p.zip", "--from", "1 Feb"], tmp_path, url)

    for result in (empty, malformed):
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "2026-02-01" in empty.stderr
    assert not (tmp_path / "p.zip").exists()
