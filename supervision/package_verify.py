"""Checking an audit package offline: every file, the signed manifest, every checkpoint, every
event, the chain, the completeness of the scope and every figure. `bangfu audit verify FILE` runs
this; docs/audit-package.md lets anyone write another verifier."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from stores.chain import GENESIS, digest, link
from supervision.checkpoints import signed_message
from supervision.figure_schemas import schema_problems
from supervision.key_history import PublicKey, trusted
from supervision.package import WITHHELD, computed, manifest_message, to_json
from supervision.package_files import Package, PackageError, read_package
from supervision.records import Record, record
from supervision.scope_chain import facts, scope_digest
from supervision.signing import (
    ExpectedKey,
    canonical_pem,
    fingerprint,
    key_id,
    signature_valid,
)


@dataclass
class Verdict:
    """What an offline check of a package found. ``readable`` is false when the file is not an
    audit package at all (then ``problems`` says why, in one line)."""

    events: int = 0
    checkpoint_position: int | None = None
    problems: list[str] = field(default_factory=list)
    readable: bool = True
    key_id: str | None = None  # of the key that signed the checkpoint (public-key.pem)
    fingerprint: str | None = None  # the same key's full SHA-256 fingerprint
    key_pinned: bool = False  # whether it was checked against a key the auditor expects

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_package(path: Path, expected_key: ExpectedKey | None = None) -> Verdict:
    """Check a package offline (docs/audit-package.md, "The checks"): the files are exactly the
    signed manifest's, every checkpoint is signed and lies on the chain, the chain reaches the
    signed checkpoint, every event is the one the chain recorded, no event of the scope is
    missing, and every computed figure follows from the events.

    Without ``expected_key`` any key that signed the checkpoint is accepted (a package re-signed
    by someone else passes): pin the key the ledger publishes to rule that out. The verdict names
    the signing key either way. A file that is not a package gives a verdict that is not
    ``readable``, with the reason as its one problem."""
    try:
        package = read_package(path)
    except PackageError as e:
        return Verdict(problems=[str(e)], readable=False)
    verdict = Verdict(events=len(package.stored))
    _check_files(package, verdict)
    _check_key(package.pem, expected_key, verdict)
    links = _check_chain(package, verdict)
    if links is not None:
        _check_checkpoints(package, links, verdict)
    records = _check_events(package, verdict)
    _check_scope(package, verdict)
    _check_figures(package, records, verdict)
    return verdict


def _check_files(package: Package, verdict: Verdict) -> None:
    """1-2: the zip holds exactly the files the manifest lists, with their hashes, and the
    manifest is signed by the package's key."""
    files, manifest = package.files, package.manifest
    listed = set(manifest["files"])
    for name in sorted(set(files) - listed - {"manifest.json", "manifest.sig"}):
        verdict.problems.append(f"{name} is in the package but not in its manifest")
    for name, expected in sorted(manifest["files"].items()):
        if name not in files:
            verdict.problems.append(f"{name} is listed in the manifest but missing")
        elif hashlib.sha256(files[name]).hexdigest() != expected:
            verdict.problems.append(f"{name} does not match its hash in manifest.json")
    sig = package.signature
    if sig.get("key_id") != key_id(package.pem) or not signature_valid(
        package.pem, manifest_message(files["manifest.json"]), str(sig.get("signature"))
    ):
        verdict.problems.append("manifest.json's signature does not verify with public-key.pem")


def _check_chain(package: Package, verdict: Verdict) -> dict[int, tuple[str, str]] | None:
    """3: both chains from genesis over every entry; returns each position's (event chain link,
    scope chain link)."""
    links: dict[int, tuple[str, str]] = {}
    link1 = link2 = GENESIS
    last = 0
    for position, d1, event_facts in package.entries:
        if position <= last:
            verdict.problems.append("chain.json's positions are not in ascending order")
            return None
        link1 = link(link1, position, d1)
        link2 = link(link2, position, scope_digest(event_facts, d1))
        links[position] = (link1, link2)
        last = position
    checkpoint = package.checkpoint
    verdict.checkpoint_position = checkpoint["position"]
    if checkpoint["position"] != last or links.get(last, ("", ""))[1] != checkpoint["link"]:
        verdict.problems.append("the chain does not reach the signed checkpoint's link")
    return links


def _check_checkpoints(
    package: Package, links: dict[int, tuple[str, str]], verdict: Verdict
) -> None:
    """4: every checkpoint is signed by the package's key, or by a key it succeeded (public-keys.
    json), and vouches for this chain; checkpoint.json is one of them, of version 2, signed by
    the package's key, and the manifest's."""
    checkpoint, keys = package.checkpoint, _keys(package)
    named = [("the checkpoint", checkpoint)] + [
        (f"a checkpoint in checkpoints.json (position {c['position']})", c)
        for c in package.checkpoints
    ]
    for where, c in named:
        version = c.get("version", 1)
        message = signed_message(c["position"], c["link"], c["taken_at"], version)
        pem = keys.get(c["key_id"])
        if pem is None:
            verdict.problems.append(
                f"{where}: its key {c['key_id']} is neither public-key.pem nor a key it "
                "succeeded (public-keys.json)"
            )
        elif not signature_valid(pem, message, c["signature"]):
            verdict.problems.append(f"{where}: its signature does not verify with its key")
        at = links.get(c["position"])
        if at is None or at[0 if version == 1 else 1] != c["link"]:
            verdict.problems.append(f"{where}: it vouches for another history than chain.json's")
    if checkpoint not in package.checkpoints:
        verdict.problems.append("checkpoint.json is not among the checkpoints in checkpoints.json")
    if checkpoint["key_id"] != key_id(package.pem):
        verdict.problems.append("checkpoint.json is not signed with public-key.pem")
    if checkpoint.get("version") != 2 or checkpoint != package.manifest.get("checkpoint"):
        verdict.problems.append("checkpoint.json is not the manifest's version-2 checkpoint")


def _keys(package: Package) -> dict[str, str]:
    """public-key.pem's key and each key of public-keys.json it succeeded, link by link (the
    successor's signature over the retired key: supervision/key_history.py), by key id."""
    try:
        history = [
            PublicKey(
                k["key_id"], k["public_key_pem"], k["fingerprint"], k.get("activated_at"),
                k.get("retired_at"), k.get("succeeded_by"), k.get("succession"),
            )
            for k in package.key_history
        ]  # fmt: skip
        keys = trusted({"": package.pem}, history)
    except ValueError:  # an unusable public-key.pem, reported by _check_key
        return {}
    return keys


def _check_events(package: Package, verdict: Verdict) -> list[Record]:
    """5: each event is the one its chain entry names (digest and facts), and the events are
    exactly the positions the manifest lists, in order."""
    entries = {position: (d1, f) for position, d1, f in package.entries}
    records = []
    for s in package.stored:
        state = base64.b64decode(s["state"])
        d1 = digest(s["originator_id"], s["originator_version"], s["topic"], state)
        try:
            same = entries.get(s["position"]) == (d1, facts(s["originator_id"], s["topic"], state))
            records.append(
                record(
                    s["position"], s["originator_id"], s["originator_version"], s["topic"], state
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            verdict.problems.append(f"event at position {s['position']} cannot be read")
            continue
        if not same:
            verdict.problems.append(
                f"event at position {s['position']} does not match the "
                "chain's digest for it (altered)"
            )
    if [s["position"] for s in package.stored] != package.manifest["positions"]:
        verdict.problems.append("events.jsonl does not hold exactly the positions listed")
    return records


def _check_scope(package: Package, verdict: Verdict) -> None:
    """6: completeness. The positions the scope holds, recomputed from the facts of every entry,
    are exactly the positions included."""
    withheld = frozenset(package.manifest.get("credential_kinds") or ())
    if not withheld <= WITHHELD:
        verdict.problems.append(
            "manifest.json withholds events that hold no credentials: "
            + ", ".join(sorted(withheld - WITHHELD))
        )
    try:
        expected = package.scope.positions([(p, f) for p, _, f in package.entries], withheld)
    except (KeyError, TypeError, AttributeError) as e:
        verdict.problems.append(f"the scope cannot be recomputed from chain.json ({e})")
        return
    included = set(package.manifest["positions"])
    missing = sorted(set(expected) - included)
    extra = sorted(included - set(expected))
    if missing:
        verdict.problems.append(
            f"{len(missing)} event(s) of the scope are missing (positions {_few(missing)})"
        )
    if extra:
        verdict.problems.append(
            f"{len(extra)} event(s) outside the scope are included (positions {_few(extra)})"
        )


def _check_figures(package: Package, records: list[Record], verdict: Verdict) -> None:
    """7: each computed file fits its schema and equals the figures recomputed from the events
    (and, for a period's opening balances, from the facts of the events before it)."""
    files = package.files
    try:
        figures = computed(records, package.scope, [f for _, _, f in package.entries])
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as e:
        verdict.problems.append(
            f"the figures cannot be recomputed from the events ({type(e).__name__}: {e})"
        )
        figures = {}
    for name, value in figures.items():
        try:
            stated = json.loads(files.get(f"computed/{name}.json", b"null"))
        except ValueError:
            stated = None
        verdict.problems += [f"computed/{name}.json: {p}" for p in schema_problems(name, stated)]
        if json.loads(to_json(value)) != stated:
            verdict.problems.append(
                f"computed/{name}.json differs from the figures recomputed from the events"
            )


def _few(positions: list[int]) -> str:
    shown = ", ".join(str(p) for p in positions[:5])
    return shown + (", …" if len(positions) > 5 else "")


def _check_key(pem: str, expected_key: ExpectedKey | None, verdict: Verdict) -> None:
    """Name the key that signed, and compare it with the one the auditor expects, if any."""
    try:
        canonical = canonical_pem(pem)
    except ValueError as e:
        verdict.problems.append(f"public-key.pem holds no usable key: {e}")
        return
    verdict.key_id, verdict.fingerprint = key_id(canonical), fingerprint(canonical)
    if expected_key is not None:
        verdict.key_pinned = True
        verdict.problems += expected_key.mismatches(canonical)
