"""No module outside domain/ and tests/ names an event in a string literal: they ask the
catalogue (domain/catalogue.py) and name events by their classes."""

from __future__ import annotations

import ast
from pathlib import Path

from domain.catalogue import CATALOGUE, kind

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["api", "bench", "cli", "projections", "stores", "supervision"]


def names() -> set[str]:
    full = {kind(cls) for cls in CATALOGUE}
    return full | {name.split(".", 1)[1] for name in full}


def string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_module_outside_the_domain_names_an_event_by_a_string() -> None:
    events = names()
    found = [
        f"{path.relative_to(ROOT)}:{line} {value!r}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, value in string_literals(path)
        if value in events
    ]

    assert found == []
