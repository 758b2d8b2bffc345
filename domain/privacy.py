"""Personal data is sealed per household; the ledger keeps only ciphertext and a keyed hash."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID


class PersonalDataVault(Protocol):
    """Seals a household's personal data under that household's own key (stores/vault.py)."""

    def seal(self, case_id: UUID, data: dict[str, Any]) -> str:
        """Encrypt under the household's key, creating the key on first use."""
        ...

    def seal_many(self, items: Sequence[tuple[UUID, dict[str, Any]]]) -> list[str]:
        """``seal`` each item, with one look-up of the households' keys (a roster's chunk)."""
        ...

    def open(self, case_id: UUID, sealed: str) -> dict[str, Any] | None:
        """Decrypt, or None once the household's key has been destroyed."""
        ...

    def open_many(self, sealed: dict[UUID, str]) -> dict[UUID, dict[str, Any] | None]:
        """Decrypt many households' data at once (one look-up of their keys)."""
        ...

    def discard(self, case_id: UUID) -> None:
        """Remove the key made for a registration that was never recorded."""
        ...

    def erase(self, case_id: UUID, actor: str) -> bool:
        """Destroy the household's key; True if there was one to destroy."""
        ...

    def person_ref(self, id_number: str) -> str:
        """A keyed hash of an ID number: equal for equal numbers, useless without the key."""
        ...
