"""Conformance vectors: genuine audit packages of every scope, and forgeries of them that a
verifier of format 2 must reject (docs/audit-package.md, "The checks").

Every forgery is what someone holding a genuine package, but not the ledger's signing key, can
make: edit the files, redo every hash in manifest.files and every digest and link they can
compute, but not a signature. The one exception is re-signing everything with a key of their own
(``resigned_with_another_key``), which only a pinned key rules out.

    python -m tests.conformance.vectors --out tests/conformance/vectors

builds the demo data set (12 households) in a fresh SQLite ledger, exports a package of each
scope, and writes each genuine package, each forgery and vectors.json (file, scope, tamper,
verdict, why, genuine: the package it was made from).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cli.demo import DemoBuilder, DemoData
from domain.access import SYSTEM
from domain.application import Ledger
from domain.cases import Case
from domain.vocabulary import FundSource
from stores import open_ledger
from supervision.checkpoints import Checkpoints, signed_message
from supervision.package import export
from supervision.records import from_ledger, is_
from supervision.scope import Scope
from supervision.signing import Signer
from tests.conformance.minimal_verifier import GENESIS, scope_facts, scope_positions, verify

Files = dict[str, bytes]
Facts = dict[str, Any]

# the demo's year is 2026; each scope is (fund, centre, date_from, date_to) by role, resolved by
# genuine_packages: "central" = the central special fund's tree, "district" = 南关区's centre,
# "street" = 永吉街道 (which received a case by transfer)
SCOPES: dict[str, tuple[str | None, str | None, str | None, str | None]] = {
    "whole": (None, None, None, None),
    "fund": ("central", None, None, None),
    "fund-period": ("central", None, "2026-01-01", "2026-06-30"),
    "period": (None, None, "2026-06-01", "2026-09-30"),
    "centre": (None, "district", None, None),
    "centre-period": (None, "street", "2026-07-01", None),
    "centre-personal": (None, "district", None, None),  # with personal-data.jsonl
}


@dataclass(frozen=True)
class Vector:
    """One package of the kit and the verdict every verifier must give it."""

    file: str
    scope: dict[str, str | None]
    tamper: str | None
    verdict: str  # "accepted", "rejected" or "accepted-unpinned"
    why: str
    genuine: str  # the genuine package it was made from (itself for a genuine one)


# -- reading and writing a package's files ------------------------------------------------------


def unpack(data: bytes) -> Files:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def pack(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _json(files: Files, name: str) -> Any:
    return json.loads(files[name])


def _put(files: Files, name: str, value: Any) -> None:
    files[name] = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _events(files: Files) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files["events.jsonl"].decode().splitlines() if line]


def _put_events(files: Files, events: list[dict[str, Any]]) -> None:
    files["events.jsonl"] = "".join(
        json.dumps(e, ensure_ascii=False) + "\n" for e in events
    ).encode()


def _state(event: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(base64.b64decode(event["state"]))
    return state


def _facts(event: dict[str, Any]) -> Facts:
    return scope_facts(event["originator_id"], event["topic"], base64.b64decode(event["state"]))


def _d1(event: dict[str, Any]) -> str:
    head = f"{UUID(event['originator_id']).hex}|{event['originator_version']}|{event['topic']}|"
    return hashlib.sha256(head.encode() + base64.b64decode(event["state"])).hexdigest()


def _kind(event: dict[str, Any]) -> str:
    return str(event["topic"]).split(":", 1)[1]


def rehash(files: Files, positions: list[int] | None = None) -> Files:
    """Redo manifest.files for every listed file still there (and positions and the count of
    events, if given); manifest.sig is left as it was: a forger cannot sign."""
    manifest = _json(files, "manifest.json")
    if positions is not None:
        manifest["positions"], manifest["events"] = positions, len(positions)
    for name in manifest["files"]:
        if name in files:
            manifest["files"][name] = hashlib.sha256(files[name]).hexdigest()
    _put(files, "manifest.json", manifest)
    return files


def _link2(entries: list[list[Any]]) -> str:
    link = GENESIS
    for position, d1, facts in entries:
        canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        d2 = hashlib.sha256(f"bangfu-scope|{canonical}|{d1}".encode()).hexdigest()
        link = hashlib.sha256(f"{link}|{position}|{d2}".encode()).hexdigest()
    return link


def _drop(files: Files, gone: Callable[[dict[str, Any]], bool]) -> Files:
    """Remove the events ``gone`` picks, with manifest positions and hashes redone."""
    events = [e for e in _events(files) if not gone(e)]
    _put_events(files, events)
    return rehash(files, [e["position"] for e in events])


def _first(files: Files, kind: str) -> dict[str, Any]:
    return next(e for e in _events(files) if _kind(e) == kind)


# -- the forgeries ---------------------------------------------------------------------------


def amount_edited(files: Files) -> Files:
    """A disbursement's amount raised by ¥100 in its stored state; hashes redone."""
    events = _events(files)
    target = next(e for e in events if _kind(e) == "Fund.Disbursed")
    state = _state(target)
    state["amount_fen"] += 10_000
    target["state"] = base64.b64encode(json.dumps(state, ensure_ascii=False).encode()).decode()
    _put_events(files, events)
    return rehash(files)


def amount_edited_chain_redone(files: Files) -> Files:
    """The same edit, with the entry's d1 and facts, the scope chain's link and every copy of
    the checkpoint's link (checkpoint.json, checkpoints.json, manifest.checkpoint) redone."""
    files = amount_edited(files)
    changed = next(e for e in _events(files) if _kind(e) == "Fund.Disbursed")
    entries = _json(files, "chain.json")["entries"]
    for entry in entries:
        if entry[0] == changed["position"]:
            entry[1], entry[2] = _d1(changed), _facts(changed)
    _put(files, "chain.json", {"entries": entries})
    old, new = _json(files, "checkpoint.json"), _link2(entries)
    _put(files, "checkpoint.json", {**old, "link": new})
    _put(
        files,
        "checkpoints.json",
        [c if c != old else {**c, "link": new} for c in _json(files, "checkpoints.json")],
    )
    manifest = _json(files, "manifest.json")
    manifest["checkpoint"] = {**old, "link": new}
    _put(files, "manifest.json", manifest)
    return rehash(files)


def payment_deleted(files: Files) -> Files:
    """A whole payment gone: every event of one Payment aggregate (a reversed one if there is
    one) and every event naming its payment_id."""
    events = _events(files)
    reversed_ = [e["originator_id"] for e in events if _kind(e) == "Payment.Reversed"]
    payment = (reversed_ or [e["originator_id"] for e in events if _kind(e) == "Payment.Made"])[0]
    return _drop(
        files,
        lambda e: e["originator_id"] == payment or _facts(e).get("payment_id") == payment,
    )


def visit_deleted(files: Files) -> Files:
    """One home visit (Case.Visited) gone."""
    position = _first(files, "Case.Visited")["position"]
    return _drop(files, lambda e: e["position"] == position)


def _disguised(files: Files, kind: str, disguise: Callable[[Facts], None]) -> Files:
    """An included event of ``kind`` gone, and its chain entry's facts changed so that they
    place it outside the package's scope."""
    position = _first(files, kind)["position"]
    files = _drop(files, lambda e: e["position"] == position)
    entries = _json(files, "chain.json")["entries"]
    for entry in entries:
        if entry[0] == position:
            disguise(entry[2])
    _put(files, "chain.json", {"entries": entries})
    return rehash(files)


def fund_event_disguised(files: Files) -> Files:
    """Fund tree: a Case.AssistanceReceived (in scope by its payment) gone; its entry names
    another payment."""
    return _disguised(files, "Case.AssistanceReceived", lambda f: f.update(payment_id=str(uuid4())))


def centre_event_disguised(files: Files) -> Files:
    """Centre subtree: a Case.Visited (in scope by its case) gone; its entry names another
    aggregate."""
    return _disguised(files, "Case.Visited", lambda f: f.update(id=str(uuid4())))


def period_event_disguised(files: Files) -> Files:
    """Period: a Case.Visited (in scope by its date) gone; its entry is dated before it."""
    return _disguised(files, "Case.Visited", lambda f: f.update(date="1999-12-31"))


def line_deleted(files: Files) -> Files:
    """A line of events.jsonl gone, nothing else changed but the hashes."""
    lines = files["events.jsonl"].splitlines(keepends=True)
    files["events.jsonl"] = b"".join(lines[: len(lines) // 2] + lines[len(lines) // 2 + 1 :])
    return rehash(files)


def lines_swapped(files: Files) -> Files:
    """Two lines of events.jsonl swapped (each event still at its own position)."""
    lines = files["events.jsonl"].splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    files["events.jsonl"] = b"".join(lines)
    return rehash(files)


def positions_swapped(files: Files) -> Files:
    """Two events swap positions: each line now claims the other's place (the lines still in
    ascending order)."""
    events = _events(files)
    events[1]["position"], events[2]["position"] = events[2]["position"], events[1]["position"]
    events[1], events[2] = events[2], events[1]
    _put_events(files, events)
    return rehash(files)


def checkpoint_position_edited(files: Files) -> Files:
    """checkpoint.json moved to the position before its own."""
    entries = _json(files, "chain.json")["entries"]
    checkpoint = _json(files, "checkpoint.json")
    _put(files, "checkpoint.json", {**checkpoint, "position": entries[-2][0]})
    return rehash(files)


def checkpoint_link_edited(files: Files) -> Files:
    """checkpoint.json's link changed to the scope chain's link one position earlier."""
    entries = _json(files, "chain.json")["entries"]
    checkpoint = _json(files, "checkpoint.json")
    _put(files, "checkpoint.json", {**checkpoint, "link": _link2(entries[:-1])})
    return rehash(files)


def checkpoints_edited(files: Files) -> Files:
    """An earlier checkpoint of checkpoints.json (the first, version 1) moved one position."""
    checkpoints = _json(files, "checkpoints.json")
    checkpoints[0]["position"] += 1
    _put(files, "checkpoints.json", checkpoints)
    return rehash(files)


def resigned_with_another_key(files: Files) -> Files:
    """Every checkpoint and the manifest signed again with a new key, put in public-key.pem."""
    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    key_id = hashlib.sha256(pem).hexdigest()[:16]

    def resign(c: dict[str, Any]) -> dict[str, Any]:
        version = c.get("version", 1)
        fields = [c["position"], c["link"], c["taken_at"]]
        message = "|".join(
            map(str, ["bangfu-checkpoint", *([version] if version != 1 else []), *fields])
        )
        return {**c, "key_id": key_id, "signature": key.sign(message.encode()).hex()}

    checkpoint = resign(_json(files, "checkpoint.json"))
    _put(files, "checkpoint.json", checkpoint)
    _put(files, "checkpoints.json", [resign(c) for c in _json(files, "checkpoints.json")])
    files["public-key.pem"] = pem
    manifest = _json(files, "manifest.json")
    manifest["checkpoint"] = checkpoint
    _put(files, "manifest.json", manifest)
    files = rehash(files)
    digest = hashlib.sha256(files["manifest.json"]).hexdigest()
    signature = key.sign(f"bangfu-manifest|{digest}".encode()).hex()
    _put(files, "manifest.sig", {"key_id": key_id, "signature": signature})
    return files


def unlisted_file_added(files: Files, provenance: bytes) -> Files:
    """A computed/provenance.json (a fund package's) slipped into a package without a fund."""
    files["computed/provenance.json"] = provenance
    return files


def entry_doubled(package: bytes) -> bytes:
    """A second events.jsonl, one event short, written into the zip before the genuine one:
    Python's zipfile reads the last entry of a name, a reader that streams the zip shows the
    first."""
    files = unpack(package)
    lines = files["events.jsonl"].splitlines(keepends=True)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name"
        zf.writestr("events.jsonl", b"".join(lines[:1] + lines[2:]))
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def listed_file_removed(files: Files) -> Files:
    """A listed file (computed/earmarks.json) taken out of the zip."""
    del files["computed/earmarks.json"]
    return files


def personal_data_edited(files: Files) -> Files:
    """A household's personal data changed in personal-data.jsonl; hashes redone."""
    lines = files["personal-data.jsonl"].decode().splitlines(keepends=True)
    row = json.loads(lines[0])
    row["person"] = {**(row["person"] or {}), "name": "王某某"}
    lines[0] = json.dumps(row, ensure_ascii=False) + "\n"
    files["personal-data.jsonl"] = "".join(lines).encode()
    return rehash(files)


def manifest_edited(files: Files) -> Files:
    """manifest.json's created_at moved a year back, not signed again."""
    manifest = _json(files, "manifest.json")
    manifest["created_at"] = "2025" + manifest["created_at"][4:]
    _put(files, "manifest.json", manifest)
    return files


def signed_by_the_ledger(files: Files, signer: Signer) -> Files:
    """manifest.json signed again with the ledger's own key (``signer``): what a dishonest
    operator, not an outsider, can do."""
    digest = hashlib.sha256(files["manifest.json"]).hexdigest()
    signature = signer.sign(f"bangfu-manifest|{digest}".encode())
    _put(files, "manifest.sig", {"key_id": signer.key_id, "signature": signature})
    return files


@dataclass(frozen=True)
class Forgery:
    """A tamper function, the genuine package it starts from, and why a verifier rejects it
    (the numbers are those of docs/audit-package.md, "The checks")."""

    name: str
    genuine: str
    make: Callable[[Files], Files]
    why: str
    verdict: str = "rejected"
    by_the_ledger: bool = False  # its manifest is then signed with the ledger's key


_DISGUISED = "check 3: the changed facts change link2, which no longer reaches checkpoint.json "
_DISGUISED += "(check 6 alone would pass); check 2"
_OMITTED = "check 6 alone: the ledger's key signed a manifest leaving out events that the "
_OMITTED += "chain's facts place in scope"
FORGERIES = [
    Forgery("amount-edited", "whole", amount_edited,
            "check 5: the event's d1 differs from its entry in chain.json; check 2"),
    Forgery("amount-edited-chain-redone", "whole", amount_edited_chain_redone,
            "check 4: no checkpoint's signature covers the new link2, and the earlier ones "
            "are no longer on the chain; check 2"),
    Forgery("payment-deleted", "whole", payment_deleted,
            "check 6: the chain's facts still place the payment's events in scope; check 2"),
    Forgery("visit-deleted", "whole", visit_deleted,
            "check 6: the visit's entry is still in the chain and in scope; check 2"),
    Forgery("fund-event-disguised", "fund", fund_event_disguised, _DISGUISED),
    Forgery("centre-event-disguised", "centre", centre_event_disguised, _DISGUISED),
    Forgery("period-event-disguised", "period", period_event_disguised, _DISGUISED),
    Forgery("fund-event-disguised-by-the-ledger", "fund", fund_event_disguised,
            "check 3 alone: the manifest is signed with the ledger's key, but the disguised "
            "facts change link2, which no longer reaches the checkpoint signed before",
            by_the_ledger=True),
    Forgery("payment-omitted-by-the-ledger", "fund-period", payment_deleted, _OMITTED,
            by_the_ledger=True),
    Forgery("visit-omitted-by-the-ledger", "centre", visit_deleted, _OMITTED,
            by_the_ledger=True),
    Forgery("line-deleted", "centre-period", line_deleted,
            "check 5: events.jsonl lacks a position of manifest.positions; check 2"),
    Forgery("lines-swapped", "centre-period", lines_swapped,
            "check 5: events.jsonl is not in manifest.positions' order; check 2"),
    Forgery("positions-swapped", "centre-period", positions_swapped,
            "check 5: each event's d1 differs from the entry at the position it claims; "
            "check 2"),
    Forgery("checkpoint-position-edited", "fund-period", checkpoint_position_edited,
            "checks 3 and 4: not at the last entry, its signature fails, not among "
            "checkpoints.json; check 2"),
    Forgery("checkpoint-link-edited", "fund-period", checkpoint_link_edited,
            "checks 3 and 4: link2 does not reach it, its signature fails; check 2"),
    Forgery("checkpoints-edited", "fund-period", checkpoints_edited,
            "check 4: the version-1 checkpoint's signature does not cover its new position; "
            "check 2"),
    Forgery("resigned-with-another-key", "period", resigned_with_another_key,
            "checks 1 to 7 hold for any key: only the published key, pinned, rejects it",
            "accepted-unpinned"),
    Forgery("listed-file-removed", "centre", listed_file_removed,
            "check 1: a file listed in manifest.files is not in the zip"),
    Forgery("personal-data-edited", "centre-personal", personal_data_edited,
            "check 2: the new hash of personal-data.jsonl is not signed (check 1 passes)"),
    Forgery("manifest-edited", "fund", manifest_edited,
            "check 2: manifest.sig does not cover the edited manifest.json"),
]  # fmt: skip
DOUBLED = Forgery("entry-doubled", "centre-period", lambda f: f,
                  "check 1: the zip's entries are not exactly the listed files (one is there "
                  "twice, with two contents)")  # fmt: skip
UNLISTED = Forgery("unlisted-file-added", "centre", lambda f: f,
                   "check 1: the zip holds a file that manifest.files does not list")  # fmt: skip


def forge(
    genuine: dict[str, bytes], signer: Signer, only: Callable[[str], bool] = lambda name: True
) -> list[tuple[Forgery, bytes]]:
    """The forgeries of the kit (those whose name ``only`` accepts), made from the genuine
    packages (by scope name); ``signer`` (the ledger's key) signs the manifests of the
    omissions made by the ledger itself."""
    made = []
    for forgery in filter(lambda f: only(f.name), FORGERIES):
        files = forgery.make(unpack(genuine[forgery.genuine]))
        made.append((forgery, pack(signed_by_the_ledger(files, signer) if forgery.by_the_ledger
                                   else files)))  # fmt: skip
    if only(UNLISTED.name):
        provenance = unpack(genuine["fund"])["computed/provenance.json"]
        forged = unlisted_file_added(unpack(genuine["centre"]), provenance)
        made.append((UNLISTED, pack(forged)))
    if only(DOUBLED.name):
        made.append((DOUBLED, entry_doubled(genuine[DOUBLED.genuine])))
    return made


def disguise_hides_from_completeness(package: bytes) -> bool:
    """Whether the scope computed from the (forged) facts equals manifest.positions: then only
    the scope chain's link catches the forgery."""
    files = unpack(package)
    manifest = _json(files, "manifest.json")
    entries = [(p, d, f) for p, d, f in _json(files, "chain.json")["entries"]]
    kinds = set(manifest["credential_kinds"])
    return bool(scope_positions(entries, manifest["scope"], kinds) == manifest["positions"])


# -- the genuine packages --------------------------------------------------------------------


def genuine_packages(
    ledger: Ledger, signer: Signer, data: DemoData
) -> dict[str, tuple[dict[str, Any], bytes]]:
    """A package of every scope of SCOPES from a ledger holding the demo data (by scope name):
    (the scope as a dict, the zip's bytes)."""
    ids = {
        "central": str(data.root_funds[FundSource.CENTRAL_SPECIAL_FUND]),
        "district": str(data.centres["南关区总工会帮扶中心"]),
        "street": str(data.centres["永吉街道"]),
    }
    made = {}
    for name, (fund, centre, date_from, date_to) in SCOPES.items():
        scope = Scope(
            fund_id=ids[fund] if fund else None,
            centre_id=ids[centre] if centre else None,
            date_from=date_from,
            date_to=date_to,
        )
        personal = _personal_data(ledger, scope) if name.endswith("personal") else None
        buffer = io.BytesIO()
        export(ledger, signer, buffer, scope, personal)
        made[name] = (asdict(scope), buffer.getvalue())
    return made


def _personal_data(ledger: Ledger, scope: Scope) -> dict[UUID, dict[str, Any] | None]:
    """Decrypted personal data of the scope's households, read as `bangfu audit export
    --with-personal-data` reads it (cli/supervision_commands.py)."""
    records = scope.select(list(from_ledger(ledger)))
    sealed = {UUID(r["id"]): r["person_sealed"] for r in records if is_(r, Case.Registered)}
    return ledger.read_personal_data(SYSTEM, sealed, "conformance vectors")


def earlier_checkpoints(ledger: Ledger, signer: Signer) -> None:
    """Sign a version-1 checkpoint a third of the way up the chain (as a store written before
    format 2 holds them) and a version-2 one half way, so that packages carry both versions."""
    checkpoints = Checkpoints(ledger)
    rows = checkpoints.db.query(f"SELECT position, link FROM {checkpoints.chain} ORDER BY position")
    third = rows[len(rows) // 3]
    taken_at = "2026-06-30T12:00:00.000000Z"
    signature = signer.sign(signed_message(third["position"], third["link"], taken_at, 1))
    with checkpoints.db.transaction() as cursor:
        cursor.execute(
            checkpoints.db.sql(f"INSERT INTO {checkpoints.tables[1]} VALUES (%s, %s, %s, %s, %s)"),
            (third["position"], third["link"], taken_at, signer.key_id, signature),
        )
    checkpoints.sign_at(signer, rows[len(rows) // 2]["position"])


def demo_ledger(url: str, folder: Path) -> tuple[Ledger, Signer, DemoData]:
    """A ledger at ``url`` (empty) loaded with the demo data (12 households) and earlier
    checkpoints, and the key (in ``folder``) that signs its packages."""
    ledger = open_ledger(url, master_key_file=folder / "master.key")
    try:
        data = DemoBuilder(ledger, households=12).build()
        signer = Signer(folder / "signing-key.pem")
        earlier_checkpoints(ledger, signer)
    except BaseException:
        ledger.close()
        raise
    return ledger, signer, data


def build_vectors() -> list[tuple[Vector, bytes]]:
    """Every vector of the kit with its package's bytes, from a fresh demo ledger."""
    with tempfile.TemporaryDirectory() as tmp:
        ledger, signer, data = demo_ledger(f"sqlite:///{tmp}/bangfu.sqlite", Path(tmp))
        try:
            genuine = genuine_packages(ledger, signer, data)
        finally:
            ledger.close()
        made = [
            (Vector(f"genuine-{n}.zip", scope, None, "accepted", "a package as Bangfu exports it",
                    f"genuine-{n}.zip"), package)
            for n, (scope, package) in genuine.items()
        ]  # fmt: skip
        for forgery, package in forge({n: p for n, (_, p) in genuine.items()}, signer):
            _check_isolation(forgery, package, Path(tmp) / "forged.zip")
            vector = Vector(f"forged-{forgery.name}.zip", genuine[forgery.genuine][0],
                            forgery.name, forgery.verdict, forgery.why,
                            f"genuine-{forgery.genuine}.zip")  # fmt: skip
            made.append((vector, package))
    return made


def _check_isolation(forgery: Forgery, package: bytes, scratch: Path) -> None:
    """AssertionError unless a disguise passes completeness (the scope chain's link catches
    it) and a forgery signed by the ledger passes the manifest's signature."""
    if "disguised" in forgery.name:
        assert disguise_hides_from_completeness(package), forgery.name
    if forgery.by_the_ledger:
        scratch.write_bytes(package)
        problems = verify(scratch)
        assert problems and not any("manifest.sig" in p for p in problems), problems


def write_vectors(out: Path) -> list[Vector]:
    """Build the vectors and write them, with vectors.json, to ``out``, replacing the packages
    of an earlier run (only once all are built)."""
    made = build_vectors()
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("genuine-*.zip"), *out.glob("forged-*.zip")]:
        old.unlink()
    for vector, package in made:
        (out / vector.file).write_bytes(package)
    text = json.dumps([asdict(v) for v, _ in made], ensure_ascii=False, indent=1)
    (out / "vectors.json").write_text(text + "\n", encoding="utf-8")
    return [v for v, _ in made]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "vectors")
    written = write_vectors(parser.parse_args().out)
    print(f"wrote {len(written)} vectors")
