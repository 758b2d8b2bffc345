"""The audit package: one zip of open formats that anyone can verify offline.

See docs/audit-package.md for the format; `bangfu audit verify FILE` is one verifier of it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from domain.application import Ledger
from stores.chain import GENESIS, digest, link
from supervision import compliance, ledger_math, provenance
from supervision.checkpoints import Checkpoints
from supervision.records import Record, from_ledger, record
from supervision.signing import Signer, key_id, signature_valid

FORMAT = "bangfu-audit-package/1"
README = Path(__file__).resolve().parents[1] / "docs" / "audit-package.md"


@dataclass(frozen=True)
class Scope:
    """Which events go in: a fund tree, a centre subtree, a period (recorded or business date)."""

    fund_id: str | None = None
    centre_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def select(self, records: Sequence[Record]) -> list[Record]:
        chosen = list(records)
        if self.fund_id:
            chosen = _fund_tree_events(chosen, self.fund_id)
        if self.centre_id:
            chosen = _centre_subtree_events(chosen, self.centre_id)
        if self.date_from or self.date_to:
            lo, hi = self.date_from or "0000", self.date_to or "9999"
            chosen = [
                r for r in chosen if lo <= (r.get("business_date") or r["recorded_at"][:10]) <= hi
            ]
        return chosen


def _fund_tree_events(records: Sequence[Record], root: str) -> list[Record]:
    tree = {root}
    for r in records:  # funds are opened after their parents, so one pass finds the tree
        if r["kind"] == "Fund.Opened" and r["parent_fund_id"] in tree:
            tree.add(r["id"])
    payments = {r["id"] for r in records if r["kind"] == "Payment.Made" and r["fund_id"] in tree}
    return [
        r
        for r in records
        if (r["kind"].startswith("Fund.") and r["id"] in tree)
        or (r["kind"].startswith("Payment.") and r["id"] in payments)
        or r.get("payment_id") in payments
    ]


def _centre_subtree_events(records: Sequence[Record], root: str) -> list[Record]:
    centres = {
        r["id"]
        for r in records
        if r["kind"] == "Centre.Created" and (r["id"] == root or root in r["ancestors"])
    }
    owned = {
        r["id"]
        for r in records
        if r["kind"] in ("Fund.Opened", "Case.Registered", "Payment.Made")
        and r["centre_id"] in centres
    }
    return [r for r in records if r["id"] in centres or r["id"] in owned]


@dataclass
class Verdict:
    """What an offline check of a package found."""

    events: int = 0
    checkpoint_position: int | None = None
    problems: list[str] = field(default_factory=list)

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
    """Write the package for ``scope``; signs a fresh checkpoint so the chain reaches one."""
    checkpoints = Checkpoints(ledger)
    checkpoint = checkpoints.take(signer)
    if checkpoint is None:
        raise ValueError("the log is empty; there is nothing to export")
    everything = [r for r in from_ledger(ledger) if r["position"] <= checkpoint.position]
    chosen = scope.select(everything)
    positions = [r["position"] for r in chosen]
    stored = _stored(ledger, checkpoints, positions)
    chain = _chain(
        checkpoints, positions[0] if positions else checkpoint.position, checkpoint.position
    )
    files: dict[str, bytes] = {
        "events.jsonl": "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in stored).encode(),
        "chain.json": _json(chain),
        "checkpoint.json": _json(checkpoint.as_dict()),
        "checkpoints.json": _json([c.as_dict() for c in checkpoints.all()]),
        "public-key.pem": signer.public_key_pem.encode(),
    }
    for name, value in computed(chosen, scope).items():
        files[f"computed/{name}.json"] = _json(value)
    if personal_data is not None:
        files["personal-data.jsonl"] = "".join(
            json.dumps({"case_id": str(k), "person": v}, ensure_ascii=False) + "\n"
            for k, v in personal_data.items()
        ).encode()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "scope": scope.__dict__,
        "events": len(stored),
        "positions": positions,
        "checkpoint_position": checkpoint.position,
        "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", _json(manifest))
        zf.writestr(
            "README.md",
            README.read_bytes()
            if README.exists()
            else b"The format is described in docs/audit-package.md of Bangfu's sources.\n",
        )
        for name, data in files.items():
            zf.writestr(name, data)
    return manifest


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _stored(ledger: Ledger, checkpoints: Checkpoints, positions: list[int]) -> list[dict[str, Any]]:
    wanted, out = set(positions), []
    after = (positions[0] - 1) if positions else 0
    last = positions[-1] if positions else 0
    while after < last:
        rows = ledger.recorder.select_notifications(after, 2000, inclusive_of_start=False)
        for n in rows:
            if n.id in wanted:
                out.append(
                    {
                        "position": n.id,
                        "originator_id": str(n.originator_id),
                        "originator_version": n.originator_version,
                        "topic": n.topic,
                        "state": base64.b64encode(n.state).decode(),
                    }
                )
        if not rows:
            break
        after = rows[-1].id
    return out


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


def verify_package(path: Path) -> Verdict:
    """Check a package offline: file hashes, every event in the chain, the chain reaching a
    signed checkpoint, and every computed figure recomputed from the events."""
    verdict = Verdict()
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(files["manifest.json"])
    if manifest.get("format") != FORMAT:
        return Verdict(problems=[f"not a {FORMAT} file"])
    for name, expected in manifest["files"].items():
        if hashlib.sha256(files.get(name, b"")).hexdigest() != expected:
            verdict.problems.append(f"{name} does not match its hash in manifest.json")
    stored = [json.loads(line) for line in files["events.jsonl"].splitlines() if line.strip()]
    chain = json.loads(files["chain.json"])
    digests = {pos: d for pos, d in chain["digests"]}
    records = []
    for s in stored:
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
        except (ValueError, KeyError):
            verdict.problems.append(f"event at position {s['position']} cannot be read")
    if sorted(s["position"] for s in stored) != manifest["positions"]:
        verdict.problems.append("events.jsonl does not hold exactly the positions listed")
    verdict.events = len(stored)
    _check_chain(files, chain, verdict)
    scope = Scope(**manifest["scope"])
    for name, value in computed(records, scope).items():
        stated = json.loads(files.get(f"computed/{name}.json", b"null"))
        if json.loads(_json(value)) != stated:
            verdict.problems.append(
                f"computed/{name}.json differs from the figures recomputed from the events"
            )
    return verdict


def _check_chain(files: dict[str, bytes], chain: dict[str, Any], verdict: Verdict) -> None:
    checkpoint = json.loads(files["checkpoint.json"])
    pem = files["public-key.pem"].decode()
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


def package_bytes(ledger: Ledger, signer: Signer, scope: Scope) -> bytes:
    """The package as bytes (for the API)."""
    buffer = io.BytesIO()
    export(ledger, signer, buffer, scope)
    return buffer.getvalue()
