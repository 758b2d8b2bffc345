"""Health, the views' progress and the terms; the problem every error answers with, and the
OpenAPI responses that declare it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.exports import XLSX
from api.responses.base import Row


class HealthOut(BaseModel):
    status: str
    position: int | None = Field(description="the log's last position; null while it is empty")


class ViewStatus(Row):
    view: str
    generation: int | None
    position: int
    head: int
    lag: int


class Term(BaseModel):
    value: str
    zh: str


class ProblemField(BaseModel):
    """One invalid part of a request."""

    field: str = Field(description="`query.name`, `path`, or the body's dotted path")
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error (application/problem+json)."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(examples=["urn:bangfu:problem:validation-failed"])
    title: str
    status: int
    detail: str
    instance: str = Field(description="the request's path")
    errors: list[ProblemField] | None = Field(
        default=None, description="422 validation-failed: each invalid part of the request"
    )
    view: str | None = Field(default=None, description="503 view-behind: the view")
    view_position: int | None = Field(default=None, description="503 view-behind")
    wanted_position: int | None = Field(default=None, description="503 view-behind")


PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEMS: dict[int, str] = {
    401: "No bearer token, or one that is unknown or revoked",
    403: "The role may not do this, or the centre is outside the user's subtree",
    404: "An id that names nothing (in the path, the query or the body)",
    409: "A conflict with the ledger's state, or an Idempotency-Key reused with another body",
    422: "The request is not valid (a parameter, the body, or a control character in the URL)",
    503: "Busy (retry), or the view has not caught up with `min_position` yet",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these error statuses: application/problem+json of a Problem."""
    return {
        status: {
            "description": PROBLEMS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def spreadsheet_responses(what: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a list or report that `format=csv` or `format=xlsx` downloads instead."""
    return {
        200: {
            "description": f"{what}; with `format=csv` or `format=xlsx` a spreadsheet download",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
