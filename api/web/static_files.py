"""The browser's files: api/web/static, served at /static (vendored assets under vendor/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

STATIC = Path(__file__).parent / "static"


class RevalidatedFiles(StaticFiles):
    """Static files that a browser checks again (a cheap 304) before it reuses them.

    The URLs carry no version (``/static/vendor/htmx.org/htmx.min.js``), so a long cache life
    would keep an old copy after an upgrade; ``no-cache`` with the ETag is always current."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


def mount_static(app: FastAPI) -> None:
    """Serve this package's static folder at /static, named "static" for ``url_for``."""
    app.mount("/static", RevalidatedFiles(directory=STATIC), name="static")
