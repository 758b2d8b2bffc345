"""Ed25519 keys for checkpoints: the private key stays in a file; the public key is published."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class Signer:
    """Loads the signing key from ``key_file``, creating it (mode 600) on first use."""

    def __init__(self, key_file: Path) -> None:
        if key_file.exists():
            loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"{key_file} does not hold an Ed25519 private key")
            self._key = loaded
        else:
            self._key = Ed25519PrivateKey.generate()
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_bytes(
                self._key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        self.public_key_pem = public_pem(self._key.public_key())
        self.key_id = key_id(self.public_key_pem)

    def sign(self, message: bytes) -> str:
        return self._key.sign(message).hex()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(public_key_pem: str) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of its PEM's SHA-256."""
    return hashlib.sha256(public_key_pem.encode()).hexdigest()[:16]


def signature_valid(public_key_pem: str, message: bytes, signature_hex: str) -> bool:
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
