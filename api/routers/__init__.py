"""One router per resource, and how their operations declare what they answer."""

from __future__ import annotations

from typing import Any

from api.responses import spreadsheet_responses
from api.schemas import Created

CREATED: dict[str, Any] = {"status_code": 201, "response_model": Created}
"""How every write answers: 201 and the new id with its log position (``**CREATED``)."""


def listing(model: Any, what: str) -> dict[str, Any]:
    """How a list or report answers: ``model`` as JSON, or with ``format=csv`` or ``xlsx`` a
    spreadsheet download (``**listing(FundPage, "A page of funds")``)."""
    return {"response_model": model, "responses": spreadsheet_responses(what)}
