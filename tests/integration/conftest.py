"""What integration tests share: the demo data set and its audit package, and a second ledger
on the same store (another process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.demo import DemoData
from domain.application import Ledger
from stores import open_ledger
from supervision.package import export
from supervision.scope import Scope
from supervision.signing import Signer
from tests.store_templates import StoreTemplates


@pytest.fixture
def demo(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates
) -> Iterator[tuple[Ledger, DemoData, Signer]]:
    """The demo data set with 12 households (a copy of this process's, made once per store),
    its ledger, and the key that signs its packages."""
    with store_templates.demo(store_url, tmp_path) as (ledger, data):
        yield ledger, data, Signer(tmp_path / "key.pem")


@pytest.fixture
def whole_package(demo: tuple[Ledger, DemoData, Signer], tmp_path: Path) -> Path:
    """An audit package of the whole demo, exported to the test's folder."""
    ledger, _, signer = demo
    out = tmp_path / "all.zip"
    export(ledger, signer, out, Scope())
    return out


@pytest.fixture
def there(ledger: Ledger, store_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """A second ledger on the fixture ledger's store: another process (``serve --workers 2``)."""
    other = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        yield other
    finally:
        other.close()
