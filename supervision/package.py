"""The audit package: one zip of open formats that anyone can verify offline.

See docs/audit-package.md for the format; `bangfu audit verify FILE` is one verifier of it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from domain.application import Ledger
from domain.cases import Case
from domain.centres import Centre
from domain.errors import ConflictError, InvalidInputError
from domain.funds import Fund
from domain.payments import Payment
from stores.chain import GENESIS, digest, link
from stores.log import LogReader
from supervision import compliance, ledger_math, provenance
from supervision.checkpoints import Checkpoints
from supervision.records import Record, from_ledger, is_, of, record
from supervision.signing import (
    ExpectedKey,
    Signer,
    canonical_pem,
    fingerprint,
    key_id,
    signature_valid,
)

FORMAT = "bangfu-audit-package/1"
README = Path(__file__).resolve().parents[1] / "docs" / "audit-package.md"


@dataclass(frozen=True)
class Scope:
    """Which events go in: a fund tree, a centre subtree, a period (recorded or business date)."""

    fund_id: str | None = None
    centre_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def check(self) -> None:
        """InvalidInputError unless each date is an ISO date (YYYY-MM-DD) and the period holds
        at least one day."""
        for name, value in (("start date", self.date_from), ("end date", self.date_to)):
            if value is None:
                continue
            try:
                iso = date.fromisoformat(value).isoformat()
            except (TypeError, ValueError):
                iso = None
            if iso != value:
                raise InvalidInputError(f"the {name} {value!r} is not a date written YYYY-MM-DD")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInputError(
                f"the period from {self.date_from} to {self.date_to} is empty: "
                "it starts after it ends"
            )

    def select(self, records: Sequence[Record]) -> list[Record]:
        """The events in scope. A fund tree keeps the opening of each of its funds whatever the
        period: those events define the tree (and hold no money)."""
        chosen = list(records)
        if self.fund_id:
            chosen = _fund_tree_events(chosen, self.fund_id)
        if self.centre_id:
            chosen = _centre_subtree_events(chosen, self.centre_id)
        if self.date_from or self.date_to:
            lo, hi = self.date_from or "0000", self.date_to or "9999"
            chosen = [
                r
                for r in chosen
                if (self.fund_id and is_(r, Fund.Opened))
                or lo <= (r.get("business_date") or r["recorded_at"][:10]) <= hi
            ]
        return chosen


def _fund_tree_events(records: Sequence[Record], root: str) -> list[Record]:
    tree = {root}
    for r in records:  # funds are opened after their parents, so one pass finds the tree
        if is_(r, Fund.Opened) and r["parent_fund_id"] in tree:
            tree.add(r["id"])
    payments = {r["id"] for r in records if is_(r, Payment.Made) and r["fund_id"] in tree}
    return [
        r
        for r in records
        if (of(r, Fund) and r["id"] in tree)
        or (of(r, Payment) and r["id"] in payments)
        or r.get("payment_id") in payments
    ]


def _centre_subtree_events(records: Sequence[Record], root: str) -> list[Record]:
    centres = {
        r["id"]
        for r in records
        if is_(r, Centre.Created) and (r["id"] == root or root in r["ancestors"])
    }
    owned = {
        r["id"]
        for r in records
        if is_(r, Fund.Opened, Case.Registered, Payment.Made) and r["centre_id"] in centres
    }
    return [r for r in records if r["id"] in centres or r["id"] in owned]


class EmptyLogError(ConflictError):
    """There is no event to put in a package yet."""


class DestinationError(Exception):
    """The package cannot be written where asked: a symbolic link, a folder, no such folder."""


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


def computed(records: Sequence[Record], scope: Scope) -> dict[str, Any]:
    """Everything the package states that the verifier recomputes from the events."""
    reports: dict[str, Any] = {
        "balances_and_flows": ledger_math.balances_and_flows(records),
        "matching": compliance.matching(records),
        "suspicious_payments": compliance.suspicious(records),
        "earmarks": compliance.earmarks(records),
    }
    if scope.fund_id:
        reports["provenance"] = provenance.trace(records, scope.fund_id)
    return reports


def export(
    ledger: Ledger,
    signer: Signer,
    out: Path | BinaryIO,
    scope: Scope,
    personal_data: dict[UUID, dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """Write the package for ``scope`` at the log's head, proven up to a checkpoint signed there.

    The head is read first and every file built in memory; only once the destination is ready
    is the checkpoint signed, so a refused scope (InvalidInputError), an empty log
    (EmptyLogError) or a refused destination (DestinationError) signs nothing. A path is never
    written through a symbolic link: the zip goes to a temporary file (mode 0600) in the same
    folder, is flushed to disk and renamed over ``out``."""
    scope.check()
    checkpoints = Checkpoints(ledger)
    head = checkpoints.head()
    if head is None:
        raise EmptyLogError("the log is empty; there is nothing to export")
    position = head[0]
    everything = list(from_ledger(ledger, upto=position))
    chosen = scope.select(everything)
    positions = [r["position"] for r in chosen]
    stored = _stored(ledger, checkpoints, positions)
    chain = _chain(checkpoints, positions[0] if positions else position, position)
    events = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in stored).encode()
    reports = {f"computed/{n}.json": _json(v) for n, v in computed(chosen, scope).items()}
    if personal_data is not None:
        reports["personal-data.jsonl"] = "".join(
            json.dumps({"case_id": str(k), "person": v}, ensure_ascii=False) + "\n"
            for k, v in personal_data.items()
        ).encode()
    staged = _Staged(out) if isinstance(out, Path) else None
    try:
        checkpoint = checkpoints.sign_at(signer, position)
        files: dict[str, bytes] = {
            "events.jsonl": events,
            "chain.json": _json(chain),
            "checkpoint.json": _json(checkpoint.as_dict()),
            "checkpoints.json": _json([c.as_dict() for c in checkpoints.all()]),
            "public-key.pem": signer.public_key_pem.encode(),
            **reports,
        }
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "scope": scope.__dict__,
            "events": len(stored),
            "positions": positions,
            "checkpoint_position": checkpoint.position,
            "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
        }
        data = _zip(manifest, files)
        if staged is not None:
            staged.commit(data)
        elif not isinstance(out, Path):
            out.write(data)
    finally:
        if staged is not None:
            staged.discard()
    return manifest


def _zip(manifest: dict[str, Any], files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", _json(manifest))
        zf.writestr(
            "README.md",
            README.read_bytes()
            if README.exists()
            else b"The format is described in docs/audit-package.md of Bangfu's sources.\n",
        )
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def check_destination(out: Path) -> None:
    """DestinationError if ``out`` is a symbolic link (even a dangling one) or a folder, or its
    folder does not exist or cannot be written in."""
    if out.is_symlink():
        raise DestinationError(f"{out} is a symbolic link; refusing to write through it")
    if out.is_dir():
        raise DestinationError(f"{out} is a folder; name the zip file to write")
    if not out.parent.is_dir():
        raise DestinationError(f"cannot write {out}: the folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot write {out}: no permission to write in {out.parent}")


class _Staged:
    """A temporary file (mode 0600) beside the destination, renamed over it once complete.

    Made before anything is signed, so a destination that cannot be written is refused early:
    a symbolic link (even a dangling one), a folder, or a folder that does not exist."""

    def __init__(self, out: Path) -> None:
        check_destination(out)
        self.out = out
        try:
            self.fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        except OSError as e:
            raise DestinationError(f"cannot write in {out.parent}: {e.strerror or e}") from None
        self.tmp: Path | None = Path(tmp)

    def commit(self, data: bytes) -> None:
        assert self.tmp is not None
        with os.fdopen(self.fd, "wb") as f:
            self.fd = -1  # the file object owns (and closes) the descriptor now
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.replace(self.tmp, self.out)  # replaces a link made since, never writes through it
        except OSError as e:
            raise DestinationError(f"cannot write {self.out}: {e.strerror or e}") from None
        self.tmp = None
        with suppress(OSError):  # make the rename itself durable where the system allows
            folder = os.open(self.out.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def discard(self) -> None:
        """Remove the temporary file unless it was committed."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.tmp is not None:
            with suppress(FileNotFoundError):
                self.tmp.unlink()
            self.tmp = None


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _stored(ledger: Ledger, checkpoints: Checkpoints, positions: list[int]) -> list[dict[str, Any]]:
    if not positions:
        return []
    wanted = set(positions)
    return [
        {
            "position": e.position,
            "originator_id": str(e.originator_id),
            "originator_version": e.originator_version,
            "topic": e.topic,
            "state": base64.b64encode(e.state or b"").decode(),
        }
        for e in LogReader(ledger, page_size=2000).entries(positions[0] - 1, positions[-1])
        if e.position in wanted
    ]


def _chain(checkpoints: Checkpoints, first: int, upto: int) -> dict[str, Any]:
    db = checkpoints.db
    anchor = db.one(
        f"SELECT position, link FROM {checkpoints.chain} WHERE position < %s "
        "ORDER BY position DESC LIMIT 1",
        (first,),
    )
    rows = db.query(
        f"SELECT position, digest FROM {checkpoints.chain} WHERE position >= %s "
        "AND position <= %s ORDER BY position",
        (first, upto),
    )
    return {
        "anchor": {"position": anchor["position"], "link": anchor["link"]}
        if anchor
        else {"position": 0, "link": GENESIS},
        "digests": [[r["position"], r["digest"]] for r in rows],
    }


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
        if json.loads(_json(value)) != stated:
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


def package_bytes(ledger: Ledger, signer: Signer, scope: Scope) -> bytes:
    """The package as bytes (for the API)."""
    buffer = io.BytesIO()
    export(ledger, signer, buffer, scope)
    return buffer.getvalue()
