"""The erasure record: every destroyed household key, kept with the keys and apart from the data.

A backup of the data taken before an erasure still holds the household's wrapped key. Restoring
it would bring the erased personal data back, unless every erasure since is destroyed again:
`bangfu restore` reads them from this file. It is append-only JSON lines, one per destroyed key
(case id, when, by which user name; never personal data), written and fsynced before the key is
destroyed, so no key is ever gone without a line here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from uuid import UUID

from stores.key_files import sync_folder


class ErasureRecordError(ValueError):
    """The erasure record cannot be read: a line that is not an erasure."""


@dataclass(frozen=True)
class Erasure:
    """One destroyed household key."""

    case_id: UUID
    erased_at: str  # ISO 8601, UTC
    erased_by: str  # the user's name

    def line(self) -> bytes:
        fields = asdict(self) | {"case_id": str(self.case_id)}
        return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def parse_erasures(text: str, where: str) -> list[Erasure]:
    """The erasures in JSON-lines ``text``; a last line without its newline is a write torn by
    a crash (its key was never destroyed: the line is written first) and is skipped."""
    lines = text.split("\n")
    complete = lines[:-1]  # after the last newline: "" or a torn line
    erasures = []
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            erasures.append(
                Erasure(UUID(fields["case_id"]), str(fields["erased_at"]), str(fields["erased_by"]))
            )
        except (ValueError, KeyError, TypeError):
            raise ErasureRecordError(
                f"{where}, line {number}: not an erasure (case_id, erased_at, erased_by)"
            ) from None
    return erasures


def _drop_torn_line(fd: int) -> None:
    """Cut off a last line that a crash left without its newline (it never counted)."""
    size = os.fstat(fd).st_size
    tail = os.pread(fd, min(size, 65536), max(0, size - 65536))
    if tail and not tail.endswith(b"\n"):
        os.ftruncate(fd, size - len(tail) + tail.rfind(b"\n") + 1)


class ErasureRecord:
    """The append-only file of erasures (mode 600), fsynced on every line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, erasures: Iterable[Erasure]) -> None:
        """Add the erasures and wait until they are on disk."""
        data = b"".join(e.line() for e in erasures)
        if not data:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            _drop_torn_line(fd)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new file's name must survive a power cut too
            sync_folder(self.path.parent)

    def entries(self) -> list[Erasure]:
        """Every erasure recorded (none when the file does not exist yet)."""
        if not self.path.exists():
            return []
        return parse_erasures(self.path.read_text(encoding="utf-8"), str(self.path))

    def add_missing(self, erasures: Iterable[Erasure]) -> list[Erasure]:
        """Append the erasures of cases this record does not hold; the ones appended."""
        known = {e.case_id for e in self.entries()}
        missing = list({e.case_id: e for e in erasures if e.case_id not in known}.values())
        self.append(missing)
        return missing
