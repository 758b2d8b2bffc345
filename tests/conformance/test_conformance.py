"""Two verifiers of the audit package, format 2, give every conformance vector its verdict: the
product's (supervision.package_verify) and a minimal one written from the document alone."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from supervision.package_verify import verify_package
from supervision.signing import ExpectedKey, Signer
from tests.conformance import minimal_verifier, vectors
from tests.store_templates import StoreTemplates

VECTORS = Path(__file__).parent / "vectors"
KIT: list[dict[str, Any]] = json.loads((VECTORS / "vectors.json").read_text(encoding="utf-8"))


def _genuine_key(vector: dict[str, Any]) -> bytes:
    with zipfile.ZipFile(VECTORS / vector["genuine"]) as zf:
        return zf.read("public-key.pem")


PRODUCT_GAPS: dict[str, str] = {}  # vectors the product's verifier gets wrong (none now)


def _accepted(vector: dict[str, Any]) -> bool:
    return vector["verdict"] in ("accepted", "accepted-unpinned")


@pytest.mark.parametrize("vector", KIT, ids=[v["file"] for v in KIT])
def test_the_minimal_verifier_gives_each_vector_its_verdict(vector: dict[str, Any]) -> None:
    problems = minimal_verifier.verify(VECTORS / vector["file"])

    assert (not problems) == _accepted(vector), problems


@pytest.mark.parametrize(
    "vector",
    [
        pytest.param(v, marks=pytest.mark.xfail(reason=PRODUCT_GAPS[v["file"]], strict=True))
        if v["file"] in PRODUCT_GAPS
        else v
        for v in KIT
    ],
    ids=[v["file"] for v in KIT],
)
def test_the_products_verifier_gives_each_vector_its_verdict(vector: dict[str, Any]) -> None:
    verdict = verify_package(VECTORS / vector["file"])

    assert verdict.ok == _accepted(vector), verdict.problems


@pytest.mark.parametrize(
    "vector", [v for v in KIT if v["verdict"] == "accepted-unpinned"], ids=lambda v: v["file"]
)
def test_a_package_signed_again_with_another_key_fails_once_the_published_key_is_pinned(
    vector: dict[str, Any],
) -> None:
    package, published = VECTORS / vector["file"], _genuine_key(vector)

    minimal = minimal_verifier.verify(package, public_key_pem=published)
    product = verify_package(package, ExpectedKey(public_key_pem=published.decode()))

    assert minimal and not product.ok
    assert verify_package(VECTORS / vector["genuine"], ExpectedKey(published.decode())).ok


def test_fresh_packages_of_every_scope_pass_and_deletions_hidden_from_the_scope_fail(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates
) -> None:
    # a copy of the demo (vectors.demo_ledger builds the same one for the kit), with its
    # earlier checkpoints
    with store_templates.demo(store_url, tmp_path) as (ledger, data):
        signer = Signer(tmp_path / "signing-key.pem")
        vectors.earlier_checkpoints(ledger, signer)
        genuine = {n: p for n, (_, p) in vectors.genuine_packages(ledger, signer, data).items()}

    deletions = vectors.forge(
        genuine,
        signer,
        lambda name: name == "payment-deleted" or name.endswith(("disguised", "by-the-ledger")),
    )
    forged = {f.name: p for f, p in deletions}

    for name, package in [*genuine.items(), *forged.items()]:
        path = tmp_path / f"{name}.zip"
        path.write_bytes(package)
        expected = name in genuine
        assert (not minimal_verifier.verify(path)) == expected, name
        assert verify_package(path).ok == expected, name
