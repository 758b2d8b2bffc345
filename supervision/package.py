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
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from domain.application import Ledger
from domain.catalogue import CATALOGUE, kind
from domain.errors import ConflictError
from domain.policy_parameters import SPECS
from stores.log import LogReader
from supervision import compliance, ledger_math, provenance
from supervision.checkpoints import Checkpoints
from supervision.figure_schemas import SCHEMAS
from supervision.key_history import trusted
from supervision.records import Record, record
from supervision.scope import Scope
from supervision.scope_chain import Facts
from supervision.signing import Signer, SigningKey

FORMAT = "bangfu-audit-package/2"
README = Path(__file__).resolve().parents[1] / "docs" / "audit-package.md"
WITHHELD = frozenset(kind(c) for c, m in CATALOGUE.items() if m.credentials)
"""Kinds never included, only their facts and digests: token and password hashes never leave
the ledger."""


class EmptyLogError(ConflictError):
    """There is no event to put in a package yet."""


class DestinationError(Exception):
    """The package cannot be written where asked: a symbolic link, a folder, no such folder."""


def computed(
    records: Sequence[Record], scope: Scope, facts: Sequence[Facts] = ()
) -> dict[str, Any]:
    """Everything the package states that the verifier recomputes from the events (and, for a
    period's opening balances, from the facts of the events before it)."""
    opening = ledger_math.opening_balances(facts, scope.date_from) if scope.date_from else None
    reports: dict[str, Any] = {
        "balances_and_flows": ledger_math.balances_and_flows(records, opening),
        # a fund tree holds one source's money: matching compares sources, so it is not stated
        "matching": [] if scope.fund_id else compliance.matching(records),
        "suspicious_payments": compliance.suspicious(records),
        "earmarks": compliance.earmarks(records),
    }
    if scope.fund_id:
        reports["provenance"] = provenance.trace(records, scope.fund_id, opening=opening)
    return reports


def policy_defaults() -> dict[str, list[list[Any]]]:
    """The built-in value of every policy parameter where no centre set one:
    ``{parameter: [[subject or None, since (ISO date), value], ...]}``."""
    return {
        str(p): [[s, since.isoformat(), v] for s, since, v in spec.defaults]
        for p, spec in sorted(SPECS.items())
    }


def export(
    ledger: Ledger,
    signer: Signer,
    out: Path | BinaryIO,
    scope: Scope,
    personal_data: dict[UUID, dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """Write the package for ``scope`` at the log's head, proven up to a checkpoint signed there
    (each export signs one, unless this key signed that position already). Events that hold
    credentials (users' token and password hashes) are in it only as facts and digests.

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
    entries = checkpoints.scope_chain.entries(position)
    scope.require_known([(e.position, e.facts) for e in entries])
    positions = scope.positions([(e.position, e.facts) for e in entries], WITHHELD)
    stored = _stored(ledger, positions)
    chosen = [
        record(s["position"], s["originator_id"], s["originator_version"], s["topic"], s["bytes"])
        for s in stored
    ]
    events = "".join(
        json.dumps({k: v for k, v in s.items() if k != "bytes"}, ensure_ascii=False) + "\n"
        for s in stored
    ).encode()
    figures = computed(chosen, scope, [e.facts for e in entries])
    reports = {f"computed/{n}.json": to_json(v) for n, v in figures.items()}
    reports |= {f"schemas/{n}.schema.json": SCHEMAS[f"{n}.schema.json"] for n in figures}
    if personal_data is not None:
        reports["personal-data.jsonl"] = "".join(
            json.dumps({"case_id": str(k), "person": v}, ensure_ascii=False) + "\n"
            for k, v in personal_data.items()
        ).encode()
    staged = _Staged(out) if isinstance(out, Path) else None
    try:
        checkpoint = checkpoints.sign_at(signer, position)
        key = signer.key  # as sign_at left it (it takes up a key rotated meanwhile)
        keys = _key_history(checkpoints, key)
        files: dict[str, bytes] = {
            "README.md": README.read_bytes()
            if README.exists()
            else b"The format is described in docs/audit-package.md of Bangfu's sources.\n",
            "events.jsonl": events,
            "chain.json": to_json({"entries": [e.as_list() for e in entries]}),
            "checkpoint.json": to_json(checkpoint.as_dict()),
            "checkpoints.json": to_json(
                [
                    c.as_dict()
                    for c in checkpoints.all()
                    if c.position <= position and c.key_id in keys
                ]
            ),
            "public-key.pem": key.public_key_pem.encode(),
            "public-keys.json": to_json(list(keys.values())),
            **reports,
        }
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "scope": scope.__dict__,
            "events": len(stored),
            "positions": positions,
            "checkpoint": checkpoint.as_dict(),
            "policy_defaults": policy_defaults(),
            "credential_kinds": sorted(WITHHELD),
            "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
        }
        manifest_bytes = to_json(manifest)
        signature = {"key_id": key.key_id, "signature": key.sign(manifest_message(manifest_bytes))}
        data = _zip({"manifest.json": manifest_bytes, "manifest.sig": to_json(signature), **files})
        if staged is not None:
            staged.commit(data)
        elif not isinstance(out, Path):
            out.write(data)
    finally:
        if staged is not None:
            staged.discard()
    return manifest


def _key_history(checkpoints: Checkpoints, key: SigningKey) -> dict[str, dict[str, Any]]:
    """The signing key and every key it succeeded (oldest first), as public-keys.json lists
    them, by key id."""
    history = checkpoints.keys.all()
    chain = trusted({key.key_id: key.public_key_pem}, history)
    return {k.key_id: k.as_dict() for k in history if k.key_id in chain}


def manifest_message(manifest_bytes: bytes) -> bytes:
    """Exactly the bytes manifest.sig's signature covers."""
    return f"bangfu-manifest|{hashlib.sha256(manifest_bytes).hexdigest()}".encode()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
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


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _stored(ledger: Ledger, positions: list[int]) -> list[dict[str, Any]]:
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
            "bytes": e.state or b"",
        }
        for e in LogReader(ledger, page_size=2000).entries(positions[0] - 1, positions[-1])
        if e.position in wanted
    ]


def package_bytes(ledger: Ledger, signer: Signer, scope: Scope) -> bytes:
    """The package as bytes (for the API)."""
    buffer = io.BytesIO()
    export(ledger, signer, buffer, scope)
    return buffer.getvalue()
