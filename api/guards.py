"""Hostile requests refused in one place, before a handler or a store sees them.

- A NUL or any other control character (Unicode category Cc: U+0000..U+001F, U+007F..U+009F)
  in the path or the query string: PostgreSQL cannot store NUL in text, and no identifier,
  name or filter of this API ever holds a control character.
- The same key twice in one JSON object of a request body: JSON parsers silently keep one of
  them (which one differs between parsers), so what is signed, fingerprinted and stored could
  differ from what a reviewer of the request saw.

Both answer 422 ``urn:bangfu:problem:validation-failed`` with the offending fields in ``errors``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email.message import Message
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import problem

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _decoded(component: bytes) -> str:
    return unquote_to_bytes(component.replace(b"+", b" ")).decode("utf-8", "replace")


def control_characters(path: str, query_string: bytes) -> list[dict[str, str]]:
    """The fields of the path and query (percent-decoded) that hold a control character."""
    errors = []
    if (found := CONTROL.search(path)) is not None:
        errors.append(_error("path", found.group()))
    for part in query_string.split(b"&"):
        name, _, value = (_decoded(p) for p in part.partition(b"="))
        if (found := CONTROL.search(name) or CONTROL.search(value)) is not None:
            field = "query" if CONTROL.search(name) else f"query.{name}"
            errors.append(_error(field, found.group()))
    return errors


def _error(field: str, char: str) -> dict[str, str]:
    return {
        "field": field,
        "message": f"control characters such as U+{ord(char):04X} are not accepted",
        "type": "control_character",
    }


class RefuseControlCharacters:
    """Pure ASGI middleware: 422 problem+json for a control character in the path or query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            errors = control_characters(scope["path"], scope.get("query_string", b""))
            if errors:
                detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
                response = problem(
                    Request(scope),
                    422,
                    "validation-failed",
                    "The request is not valid",
                    detail,
                    errors=errors,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _Object:
        obj, seen = cls(pairs), set()
        obj.duplicates = []
        for key, _ in pairs:
            if key in seen:
                obj.duplicates.append(key)
            seen.add(key)
        return obj


def _duplicates(value: Any, at: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, _Object):
        for key in dict.fromkeys(value.duplicates):
            yield (*at, key)
        for key, item in value.items():
            yield from _duplicates(item, (*at, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _duplicates(item, (*at, n))


def _is_json(content_type: str | None) -> bool:
    """The bodies FastAPI parses as JSON: no content type, application/json or */*+json."""
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def refuse_duplicate_keys(request: Request) -> None:
    """App-wide dependency: 422 when an object of a JSON body names the same key twice."""
    if not _is_json(request.headers.get("content-type")):
        return
    body = await request.body()
    if not body:
        return
    try:
        parsed = json.loads(body, object_pairs_hook=_Object.of)
    except (ValueError, RecursionError):
        return  # not JSON: FastAPI reports that itself
    errors = [
        {
            "loc": ("body", *path),
            "msg": "this key appears more than once in the same object (duplicate key)",
            "type": "duplicate_key",
        }
        for path in _duplicates(parsed, ())
    ]
    if errors:
        raise RequestValidationError(errors)
