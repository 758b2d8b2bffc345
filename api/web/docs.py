"""The API's documentation pages, /docs (Swagger UI) and /redoc, built from vendored files only.

FastAPI's own pages load their scripts from a CDN; these load them from /static/vendor (see
api/web/static/vendor/README.md), so the docs work on a network without the internet and tell
no other host who reads them. A Content-Security-Policy lets the browser load nothing from
another host either: Redoc 2 shows Redocly's logo from cdn.redoc.ly, which the policy refuses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"

VENDOR = "/static/vendor"
SWAGGER_JS = f"{VENDOR}/swagger-ui-dist/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui-dist/swagger-ui.css"
FAVICON = f"{VENDOR}/swagger-ui-dist/favicon-32x32.png"
REDOC_JS = f"{VENDOR}/redoc/redoc.standalone.js"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",  # FastAPI starts Swagger UI from an inline script
        "style-src 'self' 'unsafe-inline'",  # both UIs set styles at run time
        "img-src 'self' data:",  # and nothing else: Redoc's logo would come from cdn.redoc.ly
        "worker-src 'self' blob:",  # Redoc builds its search index in a worker made from a blob
        "connect-src 'self'",  # the OpenAPI document, and Swagger UI's "Try it out"
        "object-src 'none'",
        "base-uri 'self'",
    )
)

SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None}
"""No badge from validator.swagger.io (the layout FastAPI uses shows none; this makes sure)."""

Page = Callable[[Request], Awaitable[HTMLResponse]]


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect and /redoc from vendored files, as FastAPI would with
    ``docs_url`` and ``redoc_url`` left on; nothing when the app has no ``openapi_url``."""
    openapi_url = app.openapi_url
    if not openapi_url:
        return

    def page(render: Callable[..., HTMLResponse], name: str, **files: str) -> Page:
        """A page that ``render`` makes from the OpenAPI document, its title and the vendored
        ``files`` (each below the prefix a proxy serves the app under)."""

        async def serve(request: Request) -> HTMLResponse:
            root = _root_path(request)
            located = {key: root + path for key, path in files.items()}
            title = f"{app.title} - {name}"
            return _confined(render(openapi_url=root + openapi_url, title=title, **located))

        return serve

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return _confined(get_swagger_ui_oauth2_redirect_html())

    parameters = {**SWAGGER_UI_PARAMETERS, **(app.swagger_ui_parameters or {})}
    swagger_ui = page(
        partial(
            get_swagger_ui_html,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=parameters,
        ),
        "Swagger UI",
        swagger_js_url=SWAGGER_JS,
        swagger_css_url=SWAGGER_CSS,
        swagger_favicon_url=FAVICON,
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
    )
    redoc = page(
        partial(get_redoc_html, with_google_fonts=False),
        "ReDoc",
        redoc_js_url=REDOC_JS,
        redoc_favicon_url=FAVICON,
    )
    pages: tuple[tuple[str, Page], ...] = (
        (DOCS_URL, swagger_ui),
        (OAUTH2_REDIRECT_URL, oauth2_redirect),
        (REDOC_URL, redoc),
    )
    for path, served in pages:
        app.add_route(path, served, methods=["GET"], include_in_schema=False)


def _root_path(request: Request) -> str:
    """The prefix a proxy serves the app under ("" when none), as FastAPI's own pages use it."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _confined(response: HTMLResponse) -> HTMLResponse:
    """The page, with a policy that lets the browser load nothing from another host."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
