"""What every row of a read model is: the view's fields as it holds them (ids, dates and
times as text, amounts as yuan strings)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, WithJsonSchema

Yuan = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+\.[0-9]{2}$",
            "examples": ["1234.50"],
            "description": "yuan, two decimals",
        }
    ),
]
UuidText = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
DayText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
MomentText = Annotated[
    str, WithJsonSchema({"type": "string", "format": "date-time", "description": "UTC"})
]


class Row(BaseModel):
    """A row of a read model, shown as the view holds it (ids, dates and times as text); a field
    a newer view adds passes through."""

    model_config = ConfigDict(extra="allow")
