"""Key files on disk: written mode 600 and flushed, replaced atomically, renames made durable.

The signing key (supervision/signing.py), the master key (stores/master_key.py) and the erasure
record (stores/erasure_record.py) all live in the key folder and are written the same way."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


def write_secret(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 600), flushed to disk before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def pending_path(key_file: Path) -> Path:
    """Where a rotation writes the new key before it is installed: ``<name>.new``."""
    return key_file.with_name(key_file.name + ".new")


def install_pending(key_file: Path) -> None:
    """Rename the pending key over the key file (atomic) and make the rename durable."""
    os.replace(pending_path(key_file), key_file)
    sync_folder(key_file.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable where the system allows it."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
