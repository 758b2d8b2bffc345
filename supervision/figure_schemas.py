"""The JSON Schema of each figure an audit package states (computed/<name>.json), and the check
of a figure against it, so that a package carries its schemas and a verifier reads its problems.

The schemas are the files of supervision/schemas/ (JSON Schema draft 2020-12). An amount must be
a JSON integer: a whole number written with a fraction (``100.0``) is refused here, though the
draft's own "integer" would take it, since money is never a float."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators

FOLDER = Path(__file__).resolve().parent / "schemas"
SCHEMAS: dict[str, bytes] = {f.name: f.read_bytes() for f in sorted(FOLDER.glob("*.schema.json"))}
"""File name ("earmarks.schema.json") -> the schema's bytes, as a package holds it in schemas/."""


def _whole(_checker: Any, instance: Any) -> bool:
    """JSON integers only: neither a float nor a boolean."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validator(name: str) -> Any:
    schema = json.loads(SCHEMAS[f"{name}.schema.json"])
    Draft202012Validator.check_schema(schema)
    strict = Draft202012Validator.TYPE_CHECKER.redefine("integer", _whole)
    return validators.extend(Draft202012Validator, type_checker=strict)(schema)  # type: ignore[no-untyped-call]


def schema_problems(name: str, value: Any) -> list[str]:
    """What is wrong with ``value`` as computed/<name>.json by its schema, one readable line a
    problem, naming where (a JSON path); empty when it fits. A name without a schema is a
    problem too."""
    if f"{name}.schema.json" not in SCHEMAS:
        return [f"computed/{name}.json has no schema"]
    errors = sorted(_validator(name).iter_errors(value), key=lambda e: (e.json_path, e.message))
    return [f"computed/{name}.json at {e.json_path}: {e.message}" for e in errors]
