"""Reading a submitted form: each field parsed by the same rules as the JSON API, and what is
wrong said beside the field (a message key, or the domain's own words)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TypeVar
from uuid import UUID

from fastapi import Request

from api.deps import FIRST_DAY, LAST_DAY
from domain.errors import BangfuError, InvalidInputError
from domain.money import parse_yuan

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


@dataclass
class Form:
    """The fields as typed (kept for the page shown again) and the errors found so far."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, required: bool = True) -> str:
        value = self.values.get(name, "").strip()
        if required and not value:
            self.errors[name] = "form.required"
        return value

    def yuan(self, name: str) -> int:
        """An amount in yuan ("1234.50") as fen; 0 (and an error) when it is not one."""
        text = self.text(name)
        if not text:
            return 0
        try:
            return parse_yuan(text)
        except InvalidInputError as error:
            self.errors[name] = error.detail
            return 0

    def day(self, name: str, required: bool = False) -> date | None:
        return self._read(name, required, date.fromisoformat, "form.bad_date")

    def day_in_window(self, name: str, error: str = "form.bad_date") -> date | None:
        """A date within the window the API accepts (1949-01-01 .. 2200-12-31); ``error``
        beside the field for one outside it."""
        day = self.day(name)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            self.errors[name] = error
            return None
        return day

    def id(self, name: str, required: bool = True) -> UUID | None:
        return self._read(name, required, UUID, "form.bad_choice")

    def choice(self, name: str, kind: type[E], required: bool = True) -> E | None:
        return self._read(name, required, kind, "form.bad_choice")

    def _read(self, name: str, required: bool, parse: Callable[[str], T], error: str) -> T | None:
        """The field as ``parse`` reads it; None when it is empty, or (and ``error``) not one."""
        text = self.text(name, required)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError:
            self.errors[name] = error
            return None

    def check(self, name: str, check: Callable[[], object]) -> None:
        """Ask the domain about one field (``check`` raises what it refuses), and put what it
        refuses beside the field, unless the field is wrong already: a rule is written once."""
        if name in self.errors:
            return
        try:
            check()
        except InvalidInputError as error:
            self.errors[name] = error.detail

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, error: BangfuError, name: str = "_form") -> None:
        """Put a refusal of the ledger beside a field (or above the form)."""
        self.errors[name] = error.detail


def route_action(request: Request) -> str:
    """The action a route of several stands for: the last part of its path (a money form's
    ``/app/funds/{fund_id}/pay`` is ``pay``)."""
    path: str = request.scope["route"].path
    return path.rsplit("/", 1)[1]
