"""Sealing a roster chunk's data at once: one look-up of the households' keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from domain.application import Ledger
from stores import open_ledger
from stores.vault import Vault


@pytest.fixture
def vault(store_url: str, tmp_path: Path) -> Iterator[Vault]:
    ledger: Ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    assert isinstance(ledger.vault, Vault)
    yield ledger.vault
    ledger.close()


def test_sealing_many_opens_like_one_by_one_and_makes_the_keys_that_were_missing(
    vault: Vault,
) -> None:
    """Over 500 households (the queries go 500 ids at a time), one of them twice, and one
    whose key already exists."""
    known = UUID(int=7)
    first = vault.seal(known, {"card": "0"})
    items = [(UUID(int=n), {"card": str(n)}) for n in range(1, 620)] + [(known, {"card": "again"})]

    sealed = vault.seal_many(items)

    assert len(sealed) == len(items)
    for (case_id, data), blob in zip(items, sealed, strict=True):
        assert vault.open(case_id, blob) == data
    assert vault.open(known, first) == {"card": "0"}  # the key it had is the key it kept
    rows = vault.db.query(f"SELECT case_id FROM {vault.table}")
    assert len(rows) == 619


def test_sealing_many_refuses_a_household_whose_data_was_erased(vault: Vault) -> None:
    erased = UUID(int=9)
    vault.seal(erased, {"card": "9"})
    vault.erase(erased, "admin")

    with pytest.raises(ValueError, match="erased"):
        vault.seal_many([(UUID(int=8), {"card": "8"}), (erased, {"card": "9"})])
