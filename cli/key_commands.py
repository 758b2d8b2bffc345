"""`bangfu keys ...`: the public key history, signing-key and master-key rotation.

Rotating the signing key keeps the retired private key as ``signing-key.<key_id>.retired.pem``
beside the key file (so an interrupted rotation can be finished; delete it once backed up:
verifying needs only the public keys, which stay in the key history). Rotating the master key
keeps the old one as ``master.key.<time>.retired`` until the operator deletes it (backups taken
before need it). Either command, interrupted, finishes when run again (stores/master_key.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import PersistenceError
from rich.table import Table

from bootstrap import App, bootstrap
from cli.base import app, console, fail, open_app
from settings import Settings
from stores import StoreConfigError
from stores.key_files import install_pending, pending_path
from stores.master_key import MasterKeyError, load_master_key, retire_copy, write_key
from stores.vault import Vault
from supervision import signing
from supervision.key_history import trusted

__all__ = ["app", "keys_app"]

keys_app = typer.Typer(
    help="Keys 密钥: the public key history, and rotating the signing and master keys.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")


@keys_app.command("list")
def list_keys() -> None:
    """Print every public key that has signed checkpoints, oldest first (as GET
    /audit/public-keys publishes them)."""
    bangfu = open_app(Settings())
    signer = bangfu.signer
    keys = bangfu.checkpoints.keys.listing(signer)
    chain = trusted({signer.key_id: signer.public_key_pem}, keys)
    table = Table(title="Signing keys 签名密钥 (Ed25519)")
    for column in ("key id", "fingerprint (SHA-256 of the PEM)", "activated", "retired", "status"):
        table.add_column(column, overflow="fold")
    for k in keys:
        if k.key_id == signer.key_id:
            status = "current 当前"
        elif k.key_id not in chain:
            status = "UNTRUSTED: no succession signature leads to the current key"
        else:
            status = f"retired 已停用, succeeded by {k.succeeded_by}"
        table.add_row(k.key_id, k.fingerprint, k.activated_at or "-", k.retired_at or "-", status)
    console.print(table)


@keys_app.command("rotate-signing")
def rotate_signing() -> None:
    """Make a new checkpoint signing key; the old one is retired (its public key stays in the
    history, so its checkpoints still verify). Running services take up the new key at their
    next checkpoint."""
    settings = Settings()
    key_file = settings.signing_key_file
    if not key_file.exists():
        fail(
            f"there is no signing key at {key_file} yet (one is made when the first "
            "checkpoint is signed): nothing to rotate 尚无签名密钥"
        )
    bangfu = open_app(settings)
    checkpoints, old = bangfu.checkpoints, bangfu.signer.key
    pending = pending_path(key_file)
    if pending.exists():  # an earlier rotation stopped: did the key history take its key?
        new = signing.read_key(pending)
        known = checkpoints.keys.get(new.key_id)
        if known is not None and known.retired_at is None:
            _signing_rotated(old, new, signing.install_pending(key_file, old), finished=True)
            return
        pending.unlink()
    new = signing.SigningKey.of(Ed25519PrivateKey.generate())
    signing.write_private(pending, new)
    checkpoints.keys.rotate(old, checkpoints.first_use(old.key_id), new)
    _signing_rotated(old, new, signing.install_pending(key_file, old), finished=False)


def _signing_rotated(
    old: signing.SigningKey, new: signing.SigningKey, retired: Path, *, finished: bool
) -> None:
    what = "An interrupted rotation is finished" if finished else "The signing key is rotated"
    for line in (
        f"{what} 签名密钥已更换: key {new.key_id} (fingerprint {new.fingerprint}) signs from "
        f"now on; key {old.key_id} is retired, and its checkpoints still verify.",
        f"The retired private key is kept at {retired}: delete it once your key backups no "
        "longer need it (verifying needs only the public keys) 确认备份后请删除旧私钥.",
        "Publish the new key (GET /audit/public-keys, `bangfu keys list`) to your auditors.",
    ):
        console.print(line, soft_wrap=True, highlight=False)


@keys_app.command("rotate-master")
def rotate_master(
    new_key_file: Annotated[
        Path | None,
        typer.Option(help="a file holding the new key (base64 of 32 bytes); default: a new one"),
    ] = None,
) -> None:
    """Re-wrap every household's key under a new master key in one transaction (erased ones
    stay erased), then install it in the master key file. Stop every other bangfu process
    (serve, project) first: they hold the old key until restarted."""
    settings = Settings()
    if settings.master_key:
        fail(
            "the master key comes from BANGFU_MASTER_KEY: rotation replaces a key file. Put "
            "the key in BANGFU_MASTER_KEY_FILE and unset BANGFU_MASTER_KEY first",
            2,
        )
    key_file = settings.master_key_file
    if not key_file.exists():
        fail(
            f"there is no master key at {key_file} yet (one is made when the first household "
            "is filed): nothing to rotate 尚无主密钥"
        )
    pending = pending_path(key_file)
    if pending.exists():  # an earlier rotation stopped: was the store re-wrapped already?
        taken = _store_takes(settings, pending)
        if taken is not None:
            taken.close()
            install_pending(key_file)
            console.print(
                f"An interrupted rotation is finished: the new master key is "
                f"installed at {key_file} 主密钥已更换.",
                soft_wrap=True,
            )
            return
        pending.unlink()
    try:
        new = load_master_key(None, new_key_file, create=False) if new_key_file else None
    except (OSError, ValueError) as e:  # binascii.Error and MasterKeyError are ValueErrors
        fail(f"--new-key-file {new_key_file}: not a master key ({e})", 2)
    bangfu = open_app(settings)  # refuses a master key file that does not fit the store
    old = load_master_key(None, key_file, create=False)
    new = new or secrets.token_bytes(32)
    if new == old:
        fail("the new master key is the one in use; give another 新旧主密钥相同", 2)
    vault = bangfu.ledger.vault
    assert isinstance(vault, Vault)
    write_key(pending, new)
    retired = retire_copy(key_file, old)
    rewrapped, erased = vault.rotate_master(new)
    install_pending(key_file)
    for line in (
        f"The master key is rotated 主密钥已更换: {rewrapped} household key(s) re-wrapped, "
        f"{erased} erased one(s) stay erased; person refs (duplicate checks) are unchanged.",
        f"The new master key is installed at {key_file}.",
        f"The old master key is kept at {retired}: backups taken before now need it to open "
        "their personal data. Delete it once they are gone 旧主密钥待确认后删除.",
        "Restart every other bangfu process (serve, project): they hold the old key.",
    ):
        console.print(line, soft_wrap=True, highlight=False)


def _store_takes(settings: Settings, key_file: Path) -> App | None:
    """Bangfu with ``key_file`` as its master key, or None if the store refuses that key."""
    tried = settings.model_copy(update={"master_key_file": key_file})
    try:
        return bootstrap(tried)
    except MasterKeyError:
        return None
    except (StoreConfigError, PersistenceError, psycopg.Error, OSError):
        return open_app(tried)  # the same failure, told as every command tells it (exit 2)
