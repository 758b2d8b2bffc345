"""The keys' backup, kept apart from the data's: the signing keys (with retired ones), the master
key file (with retired ones) and the erasure record, in a folder or a .tar.gz, mode 600.

Whoever holds the data backup and this one can read every household's personal data that was
not erased; stored apart, neither alone can. A data backup taken before a master-key rotation
needs the retired master key that this backup keeps.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stores.backup import BackupError, sha256
from stores.erasure_record import Erasure, ErasureRecordError, parse_erasures

KEYS_FORMAT = "bangfu-keys/1"
MANIFEST = "manifest.json"
RECORD = "erasures.jsonl"


def _family(key_file: Path) -> list[Path]:
    """The key file and its retired or pending versions beside it (``signing-key.*.pem``,
    ``master.key.*``)."""
    folder = key_file.parent
    if not folder.is_dir():
        return []
    found = {*folder.glob(f"{key_file.stem}.*"), *folder.glob(f"{key_file.name}*")}
    return sorted(p for p in found if p.is_file())


def backup_keys(
    out: Path, signing_key_file: Path, master_key_file: Path | None, erasure_record: Path
) -> dict[str, Any]:
    """Copy the keys and the erasure record to ``out`` (a folder, or a tarball when its name ends
    in .tar.gz or .tgz) with a manifest; the manifest."""
    if out.exists():
        raise BackupError(f"{out} exists; a backup never overwrites one (choose a new name)")
    wanted: dict[str, Path] = {f"signing/{p.name}": p for p in _family(signing_key_file)}
    if master_key_file is not None:
        wanted |= {f"master/{p.name}": p for p in _family(master_key_file)}
    if erasure_record.is_file():
        wanted[RECORD] = erasure_record
    if not wanted:
        raise BackupError(f"there are no keys at {signing_key_file.parent} to back up")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".keys-") as tmp:
        staging = Path(tmp) / "keys"
        staging.mkdir(mode=0o700)
        files = {}
        for name, source in wanted.items():
            copy = staging / name
            copy.parent.mkdir(mode=0o700, exist_ok=True)
            copy.touch(mode=0o600)
            shutil.copyfile(source, copy)
            files[name] = {"sha256": sha256(copy), "from": str(source)}
        manifest = {
            "format": KEYS_FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "master_key": "file" if master_key_file else "BANGFU_MASTER_KEY (not in this backup)",
            "erasures": len(parse_erasures(erasure_record.read_text(), str(erasure_record)))
            if erasure_record.is_file()
            else 0,
            "files": files,
        }
        (staging / MANIFEST).touch(mode=0o600)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if out.name.endswith((".tar.gz", ".tgz")):
            archive = Path(tmp) / "keys.tar.gz"
            archive.touch(mode=0o600)
            with tarfile.open(archive, "w:gz") as tar:
                for path in sorted(staging.rglob("*")):
                    if path.is_file():
                        tar.add(path, arcname=str(path.relative_to(staging)))
            os.replace(archive, out)
        else:
            os.replace(staging, out)
    return manifest


def _read(keys: Path, name: str) -> bytes | None:
    """One file of a keys backup (folder or tarball); None if it holds no such file."""
    if keys.is_dir():
        path = keys / name
        return path.read_bytes() if path.is_file() else None
    try:
        with tarfile.open(keys, "r:*") as tar:
            member = tar.extractfile(name)
            return member.read() if member else None
    except KeyError:
        return None
    except (tarfile.TarError, OSError):
        raise BackupError(f"{keys} is neither a keys backup folder nor a tarball") from None


def keys_backup_erasures(keys: Path) -> list[Erasure]:
    """The erasure record kept in a keys backup, checked against the backup's manifest."""
    if not keys.exists():
        raise BackupError(f"{keys}: there is no such keys backup")
    try:
        manifest = json.loads(_read(keys, MANIFEST) or b"null")
        expected = manifest["files"].get(RECORD) if manifest["format"] == KEYS_FORMAT else None
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{keys} is not a Bangfu keys backup (no manifest)") from None
    if expected is None:
        return []  # no erasure had been made when it was taken
    record = _read(keys, RECORD)
    if record is None or hashlib.sha256(record).hexdigest() != expected["sha256"]:
        raise BackupError(f"{keys}: its erasure record is missing or damaged (see its manifest)")
    try:
        return parse_erasures(record.decode(), f"{keys}:{RECORD}")
    except (ErasureRecordError, UnicodeDecodeError) as e:
        raise BackupError(str(e)) from None
