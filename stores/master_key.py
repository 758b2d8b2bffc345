"""The master key file: reading it, and replacing it by a new one without a moment when a crash
leaves the store unopenable for good.

A rotation (`bangfu keys rotate-master`, cli/key_commands.py) goes in this order:

1. the new key is written to ``master.key.new`` and the old one copied to
   ``master.key.<UTC time>.retired`` (both mode 600, flushed);
2. one transaction re-wraps every household key, the person-index secret and the key check under
   the new key (``Vault.rotate_master``);
3. ``master.key.new`` is renamed over ``master.key`` (atomic).

A crash before 2 commits changes nothing the store needs (the store still opens with
``master.key``); a crash between 2 and 3 leaves a store that refuses ``master.key`` (its key check
names the new key) and a ``master.key.new`` that fits it. Running the command again finishes
either way: it installs ``master.key.new`` if the store takes it, else discards it and starts
over.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from stores.key_files import write_secret


class MasterKeyError(ValueError):
    """The configured master key cannot open this store's sealed personal data."""


def load_master_key(key: str | None, key_file: Path | None, *, create: bool = True) -> bytes:
    """The master key from configuration, else from the key file (made, mode 600, if absent
    and ``create``)."""
    if key:
        raw = base64.b64decode(key)
    elif key_file is None:
        raise MasterKeyError("no master key is configured (BANGFU_MASTER_KEY or a key file)")
    elif key_file.exists():
        raw = base64.b64decode(key_file.read_text().strip())
    elif not create:
        raise MasterKeyError(
            f"this store holds sealed personal data, but there is no master key: "
            f"{key_file} does not exist and BANGFU_MASTER_KEY is not set. Point "
            "BANGFU_MASTER_KEY_FILE (or BANGFU_DATA_DIR) at the key this store was made with."
        )
    else:
        raw = secrets.token_bytes(32)
        write_key(key_file, raw)
    if len(raw) != 32:
        raise ValueError("the master key must be 32 bytes (base64-encoded)")
    return raw


def write_key(key_file: Path, raw: bytes) -> None:
    """Write a master key file (mode 600, base64), flushed to disk before returning."""
    write_secret(key_file, base64.b64encode(raw))


def retire_copy(key_file: Path, old: bytes) -> Path:
    """Keep the old master key as ``<name>.<UTC time>.retired`` beside the key file."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S.%fZ")
    retired = key_file.with_name(f"{key_file.name}.{stamp}.retired")
    write_key(retired, old)
    return retired


ROTATED = (
    "this store's keys are not wrapped under this process's master key: was the master key "
    "rotated (`bangfu keys rotate-master`) since it started? Restart it."
)


def wrap(master: AESGCM, aad: bytes, key: bytes) -> str:
    """A key encrypted under the master key (AES-GCM, ``aad`` bound to it), as base64 text."""
    nonce = os.urandom(12)
    return base64.b64encode(nonce + master.encrypt(nonce, key, aad)).decode()


def unwrap(master: AESGCM, aad: bytes, wrapped: str) -> bytes:
    """The key ``wrap`` wrapped; MasterKeyError if another master key wrapped it."""
    blob = base64.b64decode(wrapped)
    try:
        return master.decrypt(blob[:12], blob[12:], aad)
    except InvalidTag:
        raise MasterKeyError(ROTATED) from None
