"""Ed25519 keys for checkpoints: the private key stays in a file; the public key is published."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
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
        self.fingerprint = fingerprint(self.public_key_pem)

    def sign(self, message: bytes) -> str:
        return self._key.sign(message).hex()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(public_key_pem: str) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of its PEM's SHA-256."""
    return fingerprint(public_key_pem)[:16]


def fingerprint(public_key_pem: str) -> str:
    """A public key's full fingerprint: the SHA-256 (64 hex digits) of its PEM's text."""
    return hashlib.sha256(public_key_pem.encode()).hexdigest()


def canonical_pem(public_key_pem: str) -> str:
    """The PEM Bangfu itself writes for this Ed25519 public key (so line endings or spacing
    do not change a fingerprint); ValueError if the text holds no Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise ValueError(f"not a PEM public key ({e})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return public_pem(key)


@dataclass(frozen=True)
class ExpectedKey:
    """The key an auditor expects a package to be signed with, pinned by any of: its PEM, its
    16-hex key id, its 64-hex fingerprint. Every pin given must match."""

    public_key_pem: str | None = None
    key_id: str | None = None
    fingerprint: str | None = None

    def __post_init__(self) -> None:
        if self.public_key_pem is not None:
            canonical_pem(self.public_key_pem)  # ValueError now, not at verification
        for name, digits in (("key id", self.key_id), ("fingerprint", self.fingerprint)):
            size = 16 if name == "key id" else 64
            if digits is not None and not _is_hex(digits, size):
                raise ValueError(f"a {name} is {size} hex digits, not {digits!r}")

    def mismatches(self, public_key_pem: str) -> list[str]:
        """What does not match the key whose PEM is given (empty when it is the expected key)."""
        actual = fingerprint(canonical_pem(public_key_pem))
        wanted = []
        if self.public_key_pem is not None:
            wanted.append(("public key", fingerprint(canonical_pem(self.public_key_pem))))
        if self.fingerprint is not None:
            wanted.append(("fingerprint", self.fingerprint.lower()))
        if self.key_id is not None:
            wanted.append(("key id", self.key_id.lower()))
        return [
            f"the package is signed by key {actual[:16]} (fingerprint {actual}), not the "
            f"expected key: pinned {what} {value}"
            for what, value in wanted
            if not actual.startswith(value)
        ]


def _is_hex(text: str, size: int) -> bool:
    return len(text) == size and all(c in "0123456789abcdefABCDEF" for c in text)


def signature_valid(public_key_pem: str, message: bytes, signature_hex: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
