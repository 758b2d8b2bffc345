"""Ed25519 keys for checkpoints: the private key stays in a file; the public key is published."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from stores.key_files import install_pending as install_key_file
from stores.key_files import write_secret


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 private key with the names of its public half."""

    private: Ed25519PrivateKey
    public_key_pem: str
    key_id: str
    fingerprint: str

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> SigningKey:
        pem = public_pem(private.public_key())
        return cls(private, pem, key_id(pem), fingerprint(pem))

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()

    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


class Signer:
    """Loads the signing key from ``key_file``, creating it (mode 600) on first use.

    ``reload`` reads the file again: a process that finds its key retired (`bangfu keys
    rotate-signing` ran meanwhile) takes up the new one. The key is one immutable object,
    swapped whole, so a signature and its key id always belong together."""

    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file
        if key_file.exists():
            self.key = read_key(key_file)
        else:
            self.key = SigningKey.of(Ed25519PrivateKey.generate())
            write_private(key_file, self.key)

    def reload(self) -> SigningKey:
        self.key = read_key(self.key_file)
        return self.key

    @property
    def public_key_pem(self) -> str:
        return self.key.public_key_pem

    @property
    def key_id(self) -> str:
        return self.key.key_id

    @property
    def fingerprint(self) -> str:
        return self.key.fingerprint

    def sign(self, message: bytes) -> str:
        return self.key.sign(message)


def read_key(key_file: Path) -> SigningKey:
    """The Ed25519 private key in a PEM file; ValueError if it holds another kind of key."""
    loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{key_file} does not hold an Ed25519 private key")
    return SigningKey.of(loaded)


def write_private(key_file: Path, key: SigningKey) -> None:
    """Write a private key (mode 600), flushed to disk before returning."""
    write_secret(key_file, key.private_pem())


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


def retired_path(key_file: Path, retired_key_id: str) -> Path:
    """Where a rotation keeps the retired private key: ``signing-key.<key_id>.retired.pem``."""
    return key_file.with_name(f"{key_file.stem}.{retired_key_id}.retired{key_file.suffix}")


def install_pending(key_file: Path, old: SigningKey) -> Path:
    """Keep the old private key as its retired file, then rename the pending key over the key
    file (atomic); returns the retired file's path."""
    retired = retired_path(key_file, old.key_id)
    if not retired.exists():
        write_private(retired, old)
    install_key_file(key_file)
    return retired
