"""Every text of the pages, one TOML file per area beside this module: key = [Chinese, English].

Event labels come from domain.catalogue, vocabulary terms from domain.vocabulary; a key is
defined once (a test checks that no two areas define the same key)."""

from __future__ import annotations

import tomllib
from pathlib import Path


def _area(path: Path) -> dict[str, tuple[str, str]]:
    """One area's texts; a value that is not a Chinese and an English text is refused."""
    texts: dict[str, tuple[str, str]] = {}
    for key, pair in tomllib.loads(path.read_text(encoding="utf-8")).items():
        match pair:
            case [str(zh), str(en)]:
                texts[key] = (zh, en)
            case _:
                raise ValueError(f"{path.name}: {key} is not [Chinese, English]")
    return texts


AREAS: dict[str, dict[str, tuple[str, str]]] = {
    path.stem: _area(path) for path in sorted(Path(__file__).parent.glob("*.toml"))
}
MESSAGES: dict[str, tuple[str, str]] = {k: v for area in AREAS.values() for k, v in area.items()}
