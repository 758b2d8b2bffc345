"""Chinese first, English on a switch that is remembered (a cookie); one message catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import Request

from api.web.messages import MESSAGES
from domain.catalogue import CATALOGUE
from domain.vocabulary import TERMS, ZH

LANGUAGES = ("zh", "en")
COOKIE = "bangfu_lang"


def language_of(request: Request) -> str:
    """``?lang=`` if given, else the remembered choice, else Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else "zh"


def vocab(value: Any) -> Any:
    """A stored vocabulary value (category, fund source, level ...) as its Term, so that a page
    can say it in either language (``t.term``); other values as they are."""
    if value is None or isinstance(value, Enum):
        return value
    for kind in TERMS.values():
        try:
            return kind(value)
        except ValueError:
            continue
    return value


@dataclass(frozen=True)
class Translator:
    """Looks a message up in the page's language (the key itself when it is missing)."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        pair = MESSAGES.get(key)
        text = key if pair is None else pair[0 if self.lang == "zh" else 1]
        return text.format(**values) if values else text

    def both(self, key: str) -> str:
        """Chinese with the English beside it, e.g. for a table header in an export."""
        zh, en = MESSAGES.get(key, (key, key))
        return f"{zh} {en}"

    def term(self, value: Enum | str | None) -> str:
        """A stored vocabulary value (category, cause, role, level ...) in the page's language."""
        if value is None:
            return ""
        raw = value.value if isinstance(value, Enum) else str(value)
        pair = MESSAGES.get(f"term.{raw}")
        if pair is not None:
            return pair[0 if self.lang == "zh" else 1]
        if self.lang == "zh":
            return ZH.get(raw, raw)
        return raw.replace("_", " ").capitalize()

    def event(self, event_class: type[Any]) -> str:
        """An event's label from the event catalogue."""
        meaning = CATALOGUE.get(event_class)
        if meaning is None:
            return event_class.__qualname__
        return meaning.zh if self.lang == "zh" else meaning.en

    def problem(self, kind: str, fallback: str) -> str:
        """The title of a problem type (``urn:bangfu:problem:<kind>``) in the page's language."""
        pair = MESSAGES.get(f"problem.{kind}")
        return fallback if pair is None else pair[0 if self.lang == "zh" else 1]
