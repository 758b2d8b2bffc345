"""The layout tells the architecture: each layer imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {
    "domain",
    "stores",
    "projections",
    "supervision",
    "schema",
    "bootstrap",
    "settings",
    "api",
    "cli",
}
_BELOW_BOOTSTRAP = {"domain", "stores", "projections", "supervision", "schema", "settings"}
MAY_IMPORT = {
    "domain": {"domain"},
    "stores": {"domain", "stores"},
    "projections": {"domain", "stores", "projections"},
    "supervision": {"domain", "stores", "projections", "supervision"},
    "settings": {"domain"},
    "schema": {"domain", "stores", "projections", "supervision"},
    "bootstrap": _BELOW_BOOTSTRAP,
    "api": _BELOW_BOOTSTRAP | {"bootstrap", "api"},
    "cli": _BELOW_BOOTSTRAP | {"bootstrap", "api", "cli"},
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OURS


def test_no_layer_imports_one_above_it() -> None:
    wrong = []
    for layer, allowed in MAY_IMPORT.items():
        files = [ROOT / f"{layer}.py"] if (ROOT / f"{layer}.py").exists() else []
        files += sorted((ROOT / layer).rglob("*.py")) if (ROOT / layer).is_dir() else []
        for path in files:
            for name in imported(path) - allowed:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")

    assert wrong == []


def test_the_domain_imports_no_framework() -> None:
    frameworks = {"fastapi", "starlette", "psycopg", "orjson", "typer", "rich", "pydantic"}
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "domain").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [a.name.split(".")[0] for a in node.names]
            if isinstance(node, ast.Import)
            else [(node.module or "").split(".")[0]]
        )
        if name in frameworks
    ]

    assert found == []
