"""Jinja2 for the pages: the templates folder, the translator and the display filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.web.i18n import COOKIE, Translator, language_of
from domain.clock import BUSINESS_ZONE
from domain.money import display_yuan

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
_ZONE = ZoneInfo(BUSINESS_ZONE)


def money(fen: int | None) -> str:
    """¥1,234.50 (fen inside, yuan on the page)."""
    return "" if fen is None else display_yuan(int(fen))


def moment(value: datetime | str | None) -> str:
    """A recorded time in Asia/Shanghai, to the minute."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(_ZONE)
    return value.strftime("%Y-%m-%d %H:%M")


def day(value: date | str | None) -> str:
    return "" if value is None else str(value)[:10]


TEMPLATES.env.filters.update(money=money, moment=moment, day=day)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page in the visitor's language; ``?lang=`` switches it and is remembered."""
    lang = language_of(request)
    values = {
        "t": Translator(lang),
        "lang": lang,
        "visitor": getattr(request.state, "visitor", None),
        "path": request.url.path,
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, name, values, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
