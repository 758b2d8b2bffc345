"""A minimal verifier of Bangfu audit packages (`bangfu-audit-package/2`), written only from the
format's document (docs/audit-package.md, "the contract"), without any of Bangfu's own code.

It makes checks 1 to 6 of "The checks" and, of check 7, only the schemas: each
computed/<name>.json validates against schemas/<name>.schema.json when the package has it. It
does not recompute the figures. Without a pinned key it accepts a package that someone re-signed
with a key of their own (see "Pinning the key"); pass ``public_key_pem`` to pin one.

    python -m tests.conformance.minimal_verifier PACKAGE.zip [PUBLISHED-KEY.pem]
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zipfile
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

FORMAT = "bangfu-audit-package/2"
GENESIS = "0" * 64
CREDENTIAL_KINDS = {
    "User.Added",
    "User.TokenIssued",
    "User.PasswordSet",
    "IdempotencyRecord.Recorded",
    "TokenKey.Issued",
}
Files = dict[str, bytes]
Facts = dict[str, Any]
Entry = tuple[int, str, Facts]  # chain.json: [position, d1, facts]


def verify(path: Path, public_key_pem: bytes | None = None) -> list[str]:
    """The problems found in the package at ``path``; an empty list means it is accepted.
    ``public_key_pem``, if given, is the key the package must be signed with."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            files = {name: zf.read(name) for name in names}
        if len(names) != len(files):
            return ["the zip holds an entry twice"]
        return _verify(files, public_key_pem)
    except Exception as e:  # a file missing, malformed or of the wrong type: rejected
        return [f"not a well-formed package ({type(e).__name__}: {e})"]


def _verify(files: Files, pinned: bytes | None) -> list[str]:
    manifest = json.loads(files["manifest.json"])
    if manifest["format"] != FORMAT:
        return [f"manifest.json does not name the format {FORMAT}"]
    key = load_pem_public_key(files["public-key.pem"])
    if not isinstance(key, Ed25519PublicKey):
        return ["public-key.pem is not an Ed25519 public key"]
    problems = _files(files, manifest) + _manifest_signed(files, key)
    if pinned is not None and _raw(load_pem_public_key(pinned)) != _raw(key):
        problems.append("the package is signed by another key than the pinned one")
    entries: list[Entry] = [
        (int(p), str(d), f) for p, d, f in _json(files, "chain.json")["entries"]
    ]
    problems += _chains(entries, files, manifest, key)
    problems += _events(entries, files, manifest)
    withheld = set(manifest["credential_kinds"])
    if not withheld <= CREDENTIAL_KINDS:  # "Which events a scope holds": only these may be
        problems.append(f"credential_kinds names kinds without credentials: {withheld}")
    wanted = scope_positions(entries, manifest["scope"], withheld)
    if wanted != manifest["positions"]:  # check 6: nothing of the scope is missing
        missing = sorted(set(wanted) - set(manifest["positions"]))
        extra = sorted(set(manifest["positions"]) - set(wanted))
        problems.append(f"the scope is not complete: missing positions {missing}, extra {extra}")
    return problems + _schemas(files, manifest)


def _files(files: Files, manifest: dict[str, Any]) -> list[str]:
    """Check 1 ("Files"): the zip holds manifest.json, manifest.sig and exactly the files that
    manifest.files lists, each with its SHA-256."""
    problems = []
    expected = {"manifest.json", "manifest.sig", *manifest["files"]}
    if set(files) != expected:
        problems.append(
            f"the zip's entries are not the listed files: {sorted(set(files) ^ expected)}"
        )
    for name, digest in manifest["files"].items():
        if name in files and _sha256(files[name]) != digest:
            problems.append(f"{name} does not match its hash in manifest.json")
    return problems


def _manifest_signed(files: Files, key: Ed25519PublicKey) -> list[str]:
    """Check 2: manifest.sig is the key's Ed25519 signature over "bangfu-manifest|" + SHA-256
    of manifest.json, and names the key's key_id (the first 16 hex digits of the SHA-256 of
    public-key.pem's text)."""
    sig = _json(files, "manifest.sig")
    message = b"bangfu-manifest|" + _sha256(files["manifest.json"]).encode()
    if sig["key_id"] != _key_id(files) or not _signed(key, message, sig["signature"]):
        return ["manifest.sig does not verify with public-key.pem"]
    return []


def _chains(
    entries: list[Entry], files: Files, manifest: dict[str, Any], key: Ed25519PublicKey
) -> list[str]:
    """Checks 3 and 4 ("Scope facts and the two chains", "Checkpoints"): both chains, walked
    over chain.json from the genesis, reach every checkpoint's link of its version; each
    checkpoint is signed; checkpoint.json is the version-2 one at the last entry."""
    problems = []
    positions = [p for p, _, _ in entries]
    if not entries or any(a >= b for a, b in pairwise(positions)):
        problems.append("chain.json's positions do not ascend")
    links: dict[int, dict[int, str]] = {1: {}, 2: {}}  # version -> position -> link
    link1 = link2 = GENESIS
    for position, d1, facts in entries:
        d2 = _sha256(b"bangfu-scope|" + _canonical(facts) + f"|{d1}".encode())
        link1 = _sha256(f"{link1}|{position}|{d1}".encode())
        link2 = _sha256(f"{link2}|{position}|{d2}".encode())
        links[1][position], links[2][position] = link1, link2
    checkpoint = _json(files, "checkpoint.json")
    if checkpoint["position"] != positions[-1] or link2 != checkpoint["link"]:  # check 3
        problems.append("the scope chain over chain.json does not reach checkpoint.json")
    listed: list[dict[str, Any]] = _json(files, "checkpoints.json")
    for c in listed if checkpoint in listed else [*listed, checkpoint]:  # check 4
        version = c.get("version", 1)  # a checkpoint without a version is version 1
        prefix = "bangfu-checkpoint|" if version == 1 else f"bangfu-checkpoint|{version}|"
        message = f"{prefix}{c['position']}|{c['link']}|{c['taken_at']}".encode()
        if (
            version not in links
            or c["key_id"] != _key_id(files)
            or not _signed(key, message, c["signature"])
        ):
            problems.append(f"the checkpoint at position {c['position']} is not signed by the key")
        elif links[version].get(c["position"]) != c["link"]:
            problems.append(f"the checkpoint at position {c['position']} is not on the chain")
    if checkpoint not in listed:
        problems.append("checkpoint.json is not one of checkpoints.json")
    if checkpoint.get("version") != 2 or checkpoint != manifest["checkpoint"]:
        problems.append("checkpoint.json is not version 2 or differs from manifest.checkpoint")
    return problems


def _events(entries: list[Entry], files: Files, manifest: dict[str, Any]) -> list[str]:
    """Check 5 ("The events are the chain's"): events.jsonl holds exactly manifest.positions,
    in order; each event's d1 and facts equal those of its entry in chain.json."""
    problems = []
    by_position = {p: (d1, f) for p, d1, f in entries}
    events = [json.loads(line) for line in files["events.jsonl"].decode().splitlines() if line]
    if [e["position"] for e in events] != manifest["positions"]:
        problems.append("events.jsonl does not hold exactly manifest.positions, in order")
    for e in events:
        state = base64.b64decode(e["state"], validate=True)
        head = f"{UUID(e['originator_id']).hex}|{e['originator_version']}|{e['topic']}|"
        entry = by_position.get(e["position"])
        if entry is None or entry[0] != _sha256(head.encode() + state):
            problems.append(f"the event at position {e['position']} is not the chain's")
        elif _canonical(entry[1]) != _canonical(scope_facts(e["originator_id"], e["topic"], state)):
            problems.append(f"the facts of position {e['position']} are not its event's")
    return problems


def _schemas(files: Files, manifest: dict[str, Any]) -> list[str]:
    """Check 7, its first half only: each computed/<name>.json is valid against
    schemas/<name>.schema.json when the package has that schema. The figures themselves are
    not recomputed here."""
    problems = []
    for name in manifest["files"]:
        schema_name = f"schemas/{name.removeprefix('computed/').removesuffix('.json')}.schema.json"
        if name.startswith("computed/") and name in files and schema_name in files:
            schema = _json(files, schema_name)
            validator = jsonschema.validators.validator_for(schema)(schema)
            if next(validator.iter_errors(_json(files, name)), None) is not None:
                problems.append(f"{name} is not valid against {schema_name}")
    return problems


def scope_facts(originator_id: str, topic: str, state: bytes) -> Facts:
    """An event's scope facts ("Scope facts and the two chains", 1 to 5)."""
    fields = _plain(json.loads(state))
    facts: Facts = {
        "kind": topic.split(":", 1)[1],
        "id": str(UUID(originator_id)),
        "date": fields["business_date"]
        if fields.get("business_date") is not None
        else fields["timestamp"][:10],
    }
    for name, value in fields.items():
        if name != "originator_id" and (
            name.endswith(("_id", "_ids")) or name in ("ancestors", "centre_path", "amount_fen")
        ):
            facts[name] = value
    return facts


def _plain(value: Any) -> Any:
    """{"_type_": T, "_data_": X} becomes X (a dashed UUID for "uuid_hex"), recursively."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return str(UUID(value["_data_"])) if value["_type_"] == "uuid_hex" else value["_data_"]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def scope_positions(
    entries: list[Entry], scope: dict[str, Any], credentials: set[str]
) -> list[int]:
    """The positions a scope holds, from the facts of every entry ("Which events a scope
    holds")."""
    opening: dict[str, tuple[int, Facts]] = {}  # an aggregate's first event in the chain
    for position, _, facts in entries:
        opening.setdefault(facts["id"], (position, facts))
    chosen = [(p, f) for p, _, f in entries if f["kind"] not in credentials]
    if scope.get("fund_id"):
        in_tree = _fund_tree(entries, opening, scope["fund_id"])
        chosen = [(p, f) for p, f in chosen if p in in_tree]
    if scope.get("centre_id"):  # with a fund too: an event must be in both
        in_subtree = _centre_subtree(entries, opening, scope["centre_id"])
        chosen = [(p, f) for p, f in chosen if p in in_subtree]
    if scope.get("date_from") or scope.get("date_to"):  # either end may be open
        lo, hi = scope.get("date_from") or "", scope.get("date_to") or "\uffff"
        chosen = [
            (p, f)
            for p, f in chosen
            if lo <= f["date"] <= hi  # inclusive
            or _aggregate(f) == "Policy"  # whatever its date
            or (opening[f["id"]][0] == p and _aggregate(f) in ("Fund", "Centre", "Case"))
        ]
    return [p for p, _ in chosen]


def _fund_tree(entries: list[Entry], opening: dict[str, tuple[int, Facts]], root: str) -> set[int]:
    """A fund tree's positions ("A fund tree F")."""
    tree = {root}  # T
    for _, _, f in entries:  # one pass in log order
        if f["kind"] == "Fund.Opened" and f.get("parent_fund_id") in tree:
            tree.add(f["id"])
    payments = {  # P
        i
        for i, (_, o) in opening.items()
        if _aggregate(o) == "Payment" and o.get("fund_id") in tree
    }
    cases = {opening[i][1].get("case_id") for i in payments}  # named by a payment's opening
    path = {c for i in tree | payments if i in opening for c in _list(opening[i][1], "centre_path")}
    kept = set()
    for position, _, f in entries:
        o = opening[f["id"]][1]
        if (
            (_aggregate(f) == "Fund" and f["id"] in tree)  # an event of a fund in T
            or o.get("fund_id") in tree  # of an aggregate whose opening names T ...
            or tree & set(_list(o, "fund_ids"))
            or f.get("payment_id") in payments  # it names a payment in P
            or (_aggregate(f) == "Case" and f["id"] in cases and opening[f["id"]][0] == position)
            or (_aggregate(f) == "Centre" and f["id"] in path)
            or (_aggregate(f) == "Policy" and o.get("centre_id") in path)
        ):
            kept.add(position)
    return kept


def _centre_subtree(
    entries: list[Entry], opening: dict[str, tuple[int, Facts]], root: str
) -> set[int]:
    """A centre subtree's positions ("A centre subtree C")."""
    centres = {root} | {  # S
        f["id"]
        for _, _, f in entries
        if f["kind"] == "Centre.Created" and root in _list(f, "ancestors")
    }
    cases = {  # K
        f["id"]
        for _, _, f in entries
        if (f["kind"] == "Case.Registered" and f.get("centre_id") in centres)
        or (f["kind"] == "Case.Transferred" and f.get("to_centre_id") in centres)
    }
    above = {  # A: the ancestors of C
        a
        for _, _, f in entries
        if f["kind"] == "Centre.Created" and f["id"] == root
        for a in _list(f, "ancestors")
    }
    kept = set()
    for position, _, f in entries:
        o = opening[f["id"]][1]
        if (
            (_aggregate(f) == "Centre" and f["id"] in centres)  # an event of a centre in S
            or o.get("centre_id") in centres  # of an aggregate whose opening names S
            or f["id"] in cases  # of a case in K
            or o.get("case_id") in cases  # of an aggregate whose opening names K
            or cases & set(_list(o, "case_ids"))
            or (_aggregate(f) == "Policy" and o.get("centre_id") in above)
            or (_aggregate(f) == "Centre" and f["id"] in above)
        ):
            kept.add(position)
    return kept


def _aggregate(facts: Facts) -> str:
    return str(facts["kind"]).split(".", 1)[0]


def _list(facts: Facts, name: str) -> list[Any]:
    return list(facts.get(name) or [])


def _canonical(facts: Facts) -> bytes:
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(files: Files, name: str) -> Any:
    return json.loads(files[name])


def _key_id(files: Files) -> str:
    return _sha256(files["public-key.pem"])[:16]


def _raw(key: object) -> bytes:
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _signed(key: Ed25519PublicKey, message: bytes, signature_hex: str) -> bool:
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except InvalidSignature:
        return False
    return True


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m tests.conformance.minimal_verifier PACKAGE.zip [KEY.pem]")
    pin = Path(sys.argv[2]).read_bytes() if len(sys.argv) == 3 else None
    found = verify(Path(sys.argv[1]), pin)
    for problem in found:
        print(f"REJECTED: {problem}")
    if not found:
        print("ACCEPTED" + ("" if pin else " (the key was not pinned)"))
    sys.exit(1 if found else 0)
