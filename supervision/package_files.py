"""Reading an audit package: its files, parsed and checked for shape (not yet for truth), or one
line saying why it is not an audit package at all (docs/audit-package.md, "Files")."""

from __future__ import annotations

import base64
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from supervision.package import FORMAT
from supervision.scope import Scope
from supervision.scope_chain import Facts


class PackageError(ValueError):
    """The file is not a readable audit package (the message says why, in one line)."""


@dataclass(frozen=True)
class Package:
    """The parts of a package, read and checked for shape (not yet for truth)."""

    files: dict[str, bytes]
    manifest: dict[str, Any]
    scope: Scope
    stored: list[dict[str, Any]]
    entries: list[tuple[int, str, Facts]]  # every position: event digest and scope facts
    checkpoint: dict[str, Any]
    checkpoints: list[dict[str, Any]]
    signature: dict[str, Any]  # manifest.sig
    pem: str
    key_history: list[dict[str, Any]]  # public-keys.json ([] in packages made before it was)


def read_package(path: Path) -> Package:
    """The package's files, parsed; PackageError if it is not an audit package at all."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if len(names) != len(set(names)):
                raise PackageError("it holds a file name twice (a zip can hide a forgery so)")
            files = {n: zf.read(n) for n in names}
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
        entries = [(p, d, f) for p, d, f in chain["entries"]]
        entries_ok = all(
            _ints([p])
            and isinstance(d, str)
            and isinstance(f, dict)
            and isinstance(f.get("kind"), str)
            for p, d, f in entries
        )
    except (KeyError, TypeError, ValueError):
        entries_ok = False
    if not (entries_ok and entries):
        raise PackageError("chain.json does not hold the chain's entries")
    checkpoint = _json_part(files, "checkpoint.json", dict)
    try:
        listed_checkpoints = json.loads(_part(files, "checkpoints.json"))
    except ValueError as e:
        raise PackageError(f"checkpoints.json is not valid JSON ({e})") from None
    if not (
        _checkpoint_shape(checkpoint)
        and isinstance(listed_checkpoints, list)
        and all(_checkpoint_shape(c) for c in listed_checkpoints)
    ):
        raise PackageError("checkpoint.json or checkpoints.json does not hold signed checkpoints")
    signature = _json_part(files, "manifest.sig", dict)
    try:
        pem = _part(files, "public-key.pem").decode()
    except UnicodeDecodeError:
        raise PackageError("public-key.pem is not text") from None
    key_history = _key_history(files)
    return Package(
        files,
        manifest,
        Scope(**scope),
        stored,
        entries,
        checkpoint,
        listed_checkpoints,
        signature,
        pem,
        key_history,
    )


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


def _checkpoint_shape(c: Any) -> bool:
    shape = {"position": int, "link": str, "taken_at": str, "key_id": str, "signature": str}
    return isinstance(c, dict) and all(isinstance(c.get(k), t) for k, t in shape.items())


def _key_history(files: dict[str, bytes]) -> list[dict[str, Any]]:
    """public-keys.json's keys; [] when the package has none (made before it was written)."""
    if "public-keys.json" not in files:
        return []
    try:
        keys = json.loads(files["public-keys.json"])
    except ValueError as e:
        raise PackageError(f"public-keys.json is not valid JSON ({e})") from None
    if not (isinstance(keys, list) and all(_key_shape(k) for k in keys)):
        raise PackageError("public-keys.json does not hold a list of public keys")
    return keys


def _key_shape(k: Any) -> bool:
    texts = ("key_id", "public_key_pem", "fingerprint")
    optional = ("activated_at", "retired_at", "succeeded_by", "succession")
    return (
        isinstance(k, dict)
        and all(isinstance(k.get(n), str) for n in texts)
        and all(k.get(n) is None or isinstance(k.get(n), str) for n in optional)
    )


def _ints(values: Any) -> bool:
    return isinstance(values, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    )
