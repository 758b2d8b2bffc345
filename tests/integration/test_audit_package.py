"""An audit package from the demo data verifies offline, and fails when any event is changed."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest

from cli.demo import DemoData
from cli.demo_data import POLICY
from domain.access import SYSTEM
from domain.application import Ledger
from domain.catalogue import meaning
from domain.policy import Policy
from supervision.package import export
from supervision.package_verify import verify_package
from supervision.records import is_, of, record
from supervision.scope import Scope
from supervision.signing import Signer


def rewrite(package: Path, name: str, data: bytes, fix_manifest: bool) -> None:
    """Replace one file inside the zip (optionally fixing its hash in the manifest too)."""
    with zipfile.ZipFile(package) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files[name] = data
    if fix_manifest:
        import hashlib

        manifest = json.loads(files["manifest.json"])
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(package, "w") as zf:
        for n, d in files.items():
            zf.writestr(n, d)


def test_a_package_of_the_whole_demo_verifies_offline(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, _, signer = demo
    out = tmp_path / "all.zip"

    manifest = export(ledger, signer, out, Scope())

    verdict = verify_package(out)
    everything = ledger.recorder.select_notifications(None, 10**6)
    withheld = [n for n in everything if meaning(n.topic.split(":", 1)[1]).credentials]
    assert verdict.ok, verdict.problems
    assert withheld  # the users' events, holding token and password hashes: digests only
    assert verdict.events == manifest["events"] == len(everything) - len(withheld)
    names = set(zipfile.ZipFile(out).namelist())
    assert {
        "README.md",
        "events.jsonl",
        "chain.json",
        "checkpoint.json",
        "public-key.pem",
        "computed/balances_and_flows.json",
        "computed/earmarks.json",
    } <= names


def test_a_fund_tree_package_holds_only_its_events_and_still_reaches_the_checkpoint(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, data, signer = demo
    out = tmp_path / "fund.zip"

    manifest = export(ledger, signer, out, Scope(fund_id=str(data.funds[0])))

    verdict = verify_package(out)
    assert verdict.ok, verdict.problems
    assert 0 < manifest["events"] < ledger.recorder.max_notification_id()  # type: ignore[operator]
    trace = json.loads(zipfile.ZipFile(out).read("computed/provenance.json"))
    assert trace["received_fen"] == 10_000_000


@pytest.mark.parametrize("fix_manifest", [False, True])
def test_changing_any_byte_of_an_event_makes_the_package_fail(
    whole_package: Path, fix_manifest: bool
) -> None:
    out = whole_package
    lines = zipfile.ZipFile(out).read("events.jsonl").decode().splitlines()
    event = json.loads(lines[40])
    state = bytearray(__import__("base64").b64decode(event["state"]))
    state[len(state) // 2] ^= 0x01
    event["state"] = __import__("base64").b64encode(bytes(state)).decode()
    lines[40] = json.dumps(event)

    rewrite(out, "events.jsonl", ("\n".join(lines) + "\n").encode(), fix_manifest)

    verdict = verify_package(out)
    assert not verdict.ok
    assert any(f"position {event['position']}" in p for p in verdict.problems)


def test_a_doctored_figure_is_caught_by_recomputation(whole_package: Path) -> None:
    out = whole_package
    earmarks = json.loads(zipfile.ZipFile(out).read("computed/earmarks.json"))
    earmarks["payments_checked"] += 1

    rewrite(out, "computed/earmarks.json", json.dumps(earmarks).encode(), fix_manifest=True)

    assert verify_package(out).problems == [  # the forger cannot sign the manifest again
        "manifest.json's signature does not verify with public-key.pem",
        "computed/earmarks.json differs from the figures recomputed from the events",
    ]


def test_personal_data_is_left_out_unless_asked_for(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, data, signer = demo
    case = ledger.case(SYSTEM, data.cases[0])
    name = ledger.read_personal_data(SYSTEM, {case.id: case.person_sealed}, "test")[case.id]
    assert name is not None

    export(ledger, signer, tmp_path / "plain.zip", Scope())
    export(ledger, signer, tmp_path / "personal.zip", Scope(), personal_data={case.id: name})

    def text(p: Path) -> str:
        zf = zipfile.ZipFile(p)
        return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())

    assert name["name"] not in text(tmp_path / "plain.zip")
    assert name["id_number"] not in text(tmp_path / "plain.zip")
    assert name["name"] in text(tmp_path / "personal.zip")
    assert verify_package(tmp_path / "personal.zip").ok


def test_a_centre_subtree_and_a_period_narrow_the_package(
    demo: tuple[Ledger, DemoData, Signer], tmp_path: Path
) -> None:
    ledger, data, signer = demo
    street = ledger.case(SYSTEM, data.cases[0]).centre_id

    street_only = export(ledger, signer, tmp_path / "street.zip", Scope(centre_id=str(street)))
    january = export(
        ledger, signer, tmp_path / "jan.zip", Scope(date_from="2026-01-01", date_to="2026-01-31")
    )

    everything = len(ledger.recorder.select_notifications(None, 10**6))
    assert 0 < street_only["events"] < january["events"] < everything
    assert verify_package(tmp_path / "street.zip").ok
    assert verify_package(tmp_path / "jan.zip").ok
    stored = [
        json.loads(line)
        for line in zipfile.ZipFile(tmp_path / "jan.zip").read("events.jsonl").splitlines()
    ]
    records = [
        record(
            s["position"],
            s["originator_id"],
            s["originator_version"],
            s["topic"],
            base64.b64decode(s["state"]),
        )
        for s in stored
    ]
    openings = {"Fund.Opened", "Centre.Created", "Case.Registered"}  # kept whatever their date
    days = {
        r.get("business_date") for r in records if not of(r, Policy) and r["kind"] not in openings
    }
    assert days and all(d is not None and d.startswith("2026-01") for d in days)
    # the local policy the checks judge by is kept whatever the period
    assert len([r for r in records if is_(r, Policy.ParameterSet)]) == len(POLICY)
