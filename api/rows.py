"""Aggregates and read-model rows as the API shows them: every amount kept in fen, a field named
``<name>_fen``, is shown as ``<name>``, a yuan string ("1234.50")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from domain.money import yuan

M = TypeVar("M", bound=BaseModel)


def in_yuan(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with each ``<name>_fen`` amount as ``<name>`` in yuan (None stays None)."""
    return {
        key.removesuffix("_fen"): yuan(value)
        if key.endswith("_fen") and value is not None
        else value
        for key, value in row.items()
    }


def shown(model: type[M], source: object, **given: Any) -> M:
    """``model`` filled from an aggregate (or any object): each field from ``<field>_fen`` in
    yuan if the source has it, else from the attribute of the same name; ``given`` fields as
    they are."""
    values = dict(given)
    for name in model.model_fields.keys() - given.keys():
        if hasattr(source, f"{name}_fen"):
            values[name] = yuan(getattr(source, f"{name}_fen"))
        elif hasattr(source, name):
            values[name] = getattr(source, name)
    return model.model_validate(values)
