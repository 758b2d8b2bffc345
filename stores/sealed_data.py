"""A household's personal data sealed under its own key: AES-GCM with a random nonce, bound to
the case id (the associated data), as base64 text; the keys are the vault's (stores/vault.py)."""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def seal_data(key: AESGCM, case_id: UUID, data: dict[str, Any]) -> str:
    """The household's data encrypted under its key, bound to its case id."""
    nonce = os.urandom(12)
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return base64.b64encode(nonce + key.encrypt(nonce, plain, str(case_id).encode())).decode()


def open_data(case_id: UUID, key: bytes | None, sealed: str) -> dict[str, Any] | None:
    """The data, or None when the key was destroyed (erased) or the text was not sealed for
    this case under this key."""
    if key is None:
        return None
    blob = base64.b64decode(sealed)
    try:
        opened: dict[str, Any] = json.loads(
            AESGCM(key).decrypt(blob[:12], blob[12:], str(case_id).encode())
        )
    except InvalidTag:
        return None
    return opened
