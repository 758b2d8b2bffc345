"""What the integration tests of audit packages share: the demo data set and its package."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.demo import DemoBuilder, DemoData
from domain.application import Ledger
from supervision.package import export
from supervision.scope import Scope
from supervision.signing import Signer


@pytest.fixture
def demo(ledger: Ledger, tmp_path: Path) -> tuple[Ledger, DemoData, Signer]:
    """The demo data set with 12 households, and the key that signs its packages."""
    return ledger, DemoBuilder(ledger, households=12).build(), Signer(tmp_path / "key.pem")


@pytest.fixture
def whole_package(demo: tuple[Ledger, DemoData, Signer], tmp_path: Path) -> Path:
    """An audit package of the whole demo, exported to the test's folder."""
    ledger, _, signer = demo
    out = tmp_path / "all.zip"
    export(ledger, signer, out, Scope())
    return out
