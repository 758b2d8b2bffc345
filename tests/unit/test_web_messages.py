"""Every text a page shows exists in Chinese and in English, once."""

from __future__ import annotations

import re
from pathlib import Path

from api.web.messages import AREAS, MESSAGES

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.-]+)["']""")
QUOTED = re.compile(r"""["']([a-z_]+(?:\.[a-z0-9_-]+)+\.?)(?: num| hidden)?["']""")
"""A quoted key handed to a macro that looks it up (a field's label, a table's "key num" column)."""


def test_no_two_areas_define_the_same_message_key():
    seen: dict[str, str] = {}
    clashes = []
    for area, messages in AREAS.items():
        for key in messages:
            if key in seen:
                clashes.append(f"{key}: {seen[key]} and {area}")
            seen[key] = area

    assert clashes == []


def test_every_message_has_a_chinese_and_an_english_text():
    missing = [key for key, (zh, en) in MESSAGES.items() if not zh.strip() or not en.strip()]

    assert missing == []


def _defined(key: str) -> bool:
    """A key, or a prefix a template completes (``t("audit.party." ~ kind)``)."""
    if key.endswith("."):
        return any(k.startswith(key) for k in MESSAGES)
    return key in MESSAGES


def _named(text: str) -> set[str]:
    """The keys a template or page names: in ``t(...)``, and quoted ones of an area (not a
    template's file name) that it hands to a macro."""
    areas = {key.split(".")[0] for key in MESSAGES}
    handed = {
        key
        for key in QUOTED.findall(text)
        if key.split(".")[0] in areas and not key.endswith(".html")
    }
    return set(KEY.findall(text)) | handed


def test_every_message_key_a_template_or_page_names_is_defined():
    named = {
        (path.relative_to(WEB).as_posix(), key)
        for path in [*WEB.rglob("*.html"), *(WEB / "pages").glob("*.py")]
        for key in _named(path.read_text(encoding="utf-8"))
    }

    undefined = sorted(f"{where}: {key}" for where, key in named if not _defined(key))

    assert named, "no message keys found: the pattern no longer matches the templates"
    assert undefined == []
