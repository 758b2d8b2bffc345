"""Checking an audit package offline: every file, every event, the chain, the signature and
every figure. `bangfu audit verify FILE` runs this; docs/audit-package.md lets anyone write
another verifier."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from stores.chain import digest, link
from supervision.package import FORMAT, computed, to_json
from supervision.records import record
from supervision.scope import Scope
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


class PackageError(ValueError):
    """The file is not a readable audit package (the message says why, in one line)."""


@dataclass(frozen=True)
class _Package:
    """The parts of a package, read and checked for shape (not yet for truth)."""

    files: dict[str, bytes]
    manifest: dict[str, Any]
    scope: Scope
    stored: list[dict[str, Any]]
    chain: dict[str, Any]
    checkpoint: dict[str, Any]
    pem: str


def verify_package(path: Path, expected_key: ExpectedKey | None = None) -> Verdict:
    """Check a package offline: file hashes, every event in the chain, the chain reaching a
    signed checkpoint, and every computed figure recomputed from the events.

    Without ``expected_key`` any key that signed the checkpoint is accepted (a package re-signed
    by someone else passes): pin the key the ledger publishes to rule that out. The verdict names
    the signing key either way. A file that is not a package gives a verdict that is not
    ``readable``, with the reason as its one problem."""
    try:
        package = _read(path)
    except PackageError as e:
        return Verdict(problems=[str(e)], readable=False)
    verdict = Verdict()
    files, manifest = package.files, package.manifest
    for name, expected in manifest["files"].items():
        if hashlib.sha256(files.get(name, b"")).hexdigest() != expected:
            verdict.problems.append(f"{name} does not match its hash in manifest.json")
    digests = {pos: d for pos, d in package.chain["digests"]}
    records = []
    for s in package.stored:
        state = base64.b64decode(s["state"])
        d = digest(s["originator_id"], s["originator_version"], s["topic"], state)
        if digests.get(s["position"]) != d:
            verdict.problems.append(
                f"event at position {s['position']} does not match the "
                "chain's digest for it (altered)"
            )
        try:
            records.append(
                record(
                    s["position"], s["originator_id"], s["originator_version"], s["topic"], state
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            verdict.problems.append(f"event at position {s['position']} cannot be read")
    if sorted(s["position"] for s in package.stored) != manifest["positions"]:
        verdict.problems.append("events.jsonl does not hold exactly the positions listed")
    verdict.events = len(package.stored)
    _check_chain(package, verdict)
    _check_key(package.pem, expected_key, verdict)
    try:
        figures = computed(records, package.scope)
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
        if json.loads(to_json(value)) != stated:
            verdict.problems.append(
                f"computed/{name}.json differs from the figures recomputed from the events"
            )
    return verdict


def _read(path: Path) -> _Package:
    """The package's files, parsed; PackageError if it is not an audit package at all."""
    try:
        with zipfile.ZipFile(path) as zf:
            files = {n: zf.read(n) for n in zf.namelist()}
    except OSError as e:
        raise PackageError(f"cannot be read ({e.strerror or e})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
        raise PackageError(f"not a zip file, or a damaged one ({e})") from None
    manifest = _json_part(files, "manifest.json", dict)
    if manifest.get("format") != FORMAT:
        raise PackageError(f"manifest.json does not name the format {FORMAT}")
    listed, positions, scope = (manifest.get(k) for k in ("files", "positions", "scope"))
    if not (
        isinstance(listed, dict) and all(isinstance(v, str) for v in listed.values())
    ) or not _ints(positions):
        raise PackageError("manifest.json lacks the files' hashes or the positions included")
    if not isinstance(scope, dict) or not set(scope) <= set(Scope.__dataclass_fields__):
        raise PackageError("manifest.json does not state a scope")
    if not all(v is None or isinstance(v, str) for v in scope.values()):
        raise PackageError("manifest.json does not state a scope")
    stored = []
    for number, line in enumerate(_part(files, "events.jsonl").splitlines(), 1):
        if not line.strip():
            continue
        try:
            s = json.loads(line)
            base64.b64decode(s["state"], validate=True)
            UUID(s["originator_id"])
            if not (
                _ints([s["position"], s["originator_version"]]) and isinstance(s["topic"], str)
            ):
                raise TypeError("a field of the wrong type")
        except (ValueError, KeyError, TypeError) as e:  # binascii.Error is a ValueError
            raise PackageError(
                f"line {number} of events.jsonl is not a stored event ({e})"
            ) from None
        stored.append(s)
    chain = _json_part(files, "chain.json", dict)
    try:
        anchor_ok = isinstance(chain["anchor"]["link"], str)
        digests_ok = all(isinstance(pos, int) and isinstance(d, str) for pos, d in chain["digests"])
    except (KeyError, TypeError, ValueError):
        anchor_ok = digests_ok = False
    if not (anchor_ok and digests_ok):
        raise PackageError("chain.json does not hold an anchor and a list of digests")
    checkpoint = _json_part(files, "checkpoint.json", dict)
    shape = {"position": int, "link": str, "taken_at": str, "key_id": str, "signature": str}
    if not all(isinstance(checkpoint.get(k), t) for k, t in shape.items()):
        raise PackageError("checkpoint.json does not hold a signed checkpoint")
    try:
        pem = _part(files, "public-key.pem").decode()
    except UnicodeDecodeError:
        raise PackageError("public-key.pem is not text") from None
    return _Package(files, manifest, Scope(**scope), stored, chain, checkpoint, pem)


def _part(files: dict[str, bytes], name: str) -> bytes:
    if name not in files:
        raise PackageError(f"it has no {name}")
    return files[name]


def _json_part(files: dict[str, bytes], name: str, kind: type[dict[str, Any]]) -> dict[str, Any]:
    try:
        value = json.loads(_part(files, name))
    except ValueError as e:
        raise PackageError(f"{name} is not valid JSON ({e})") from None
    if not isinstance(value, kind):
        raise PackageError(f"{name} does not hold a JSON object")
    return value


def _ints(values: Any) -> bool:
    return isinstance(values, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    )


def _check_chain(package: _Package, verdict: Verdict) -> None:
    checkpoint, chain, pem = package.checkpoint, package.chain, package.pem
    verdict.checkpoint_position = checkpoint["position"]
    previous = chain["anchor"]["link"]
    for pos, d in chain["digests"]:
        previous = link(previous, pos, d)
        if pos == checkpoint["position"]:
            break
    if previous != checkpoint["link"]:
        verdict.problems.append("the chain does not reach the signed checkpoint's link")
    message = (
        f"bangfu-checkpoint|{checkpoint['position']}|{checkpoint['link']}|"
        f"{checkpoint['taken_at']}".encode()
    )
    if key_id(pem) != checkpoint["key_id"] or not signature_valid(
        pem, message, checkpoint["signature"]
    ):
        verdict.problems.append("the checkpoint's signature does not verify with public-key.pem")


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
