"""Reading the local policy forms (set or correct a parameter, withdraw a setting): each field
asked of the domain's own rules, one at a time, so that what is wrong stands beside its field;
and how a value, a parameter and a subject read on the page."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from api.problems import slug
from api.web.forms import Form
from api.web.i18n import Translator
from api.web.messages import MESSAGES
from api.web.pages.households_support import yuan_text
from domain.errors import (
    BangfuError,
    CentreNotFoundError,
    ForbiddenError,
    NotAuthenticatedError,
)
from domain.policy_parameters import SPECS, Parameter, Unit, parse_value, subject_of
from domain.text import checked

WORDS_OF_FIELD = (  # what a refusal of the ledger is about, by the words of its detail
    ("takes effect", "effective_from"),
    ("correction", "setting"),
    ("corrected or withdrawn", "setting"),
    ("recorded no policy setting", "setting"),
    ("reason", "reason"),
    ("subject", "subject"),
    ("is set per", "subject"),
    ("value", "value"),
)


def parameter_label(t: Translator, name: str) -> str:
    """A parameter's label in the page's language (its name, for one this version lacks)."""
    try:
        spec = SPECS[Parameter(name)]
    except ValueError:
        return name
    return spec.zh if t.lang == "zh" else spec.en


def shown_value(t: Translator, name: str, value: str | None) -> str:
    """A value as people read it, with its unit: ¥790.00, 12 个月 / 12 months, 80%."""
    if value is None or value == "":
        return "—"
    try:
        unit = SPECS[Parameter(name)].unit
    except ValueError:
        return value
    if unit is Unit.YUAN:
        return yuan_text(value)
    if unit is Unit.PERCENT:
        return f"{value}%"
    return f"{value} {unit.zh if t.lang == 'zh' else unit.en}"


def subject_choices(t: Translator, name: str) -> list[tuple[str, str]]:
    """What the parameter is set for (category, school level ...), in the page's language; none
    for a parameter set for no subject."""
    try:
        subjects = SPECS[Parameter(name)].subjects
    except ValueError:
        return []
    return [] if subjects is None else [(s.value, t.term(s.value)) for s in subjects]


def unit_hint(t: Translator, name: str) -> str:
    try:
        spec = SPECS[Parameter(name)]
    except ValueError:
        return ""
    unit = spec.unit.zh if t.lang == "zh" else spec.unit.en
    return t(f"policy.unit_hint.{spec.unit.name.lower()}", unit=unit)


def setting(form: Form) -> dict[str, Any] | None:
    """A setting (or a correction) as the ledger takes it; None, with what is wrong beside each
    field, when a field is not one."""
    centre = form.id("centre_id")
    param = form.choice("parameter", Parameter)
    subject = form.text("subject", required=False) or None
    value = form.text("value")
    effective_from = form.day("effective_from", required=True)
    reason = form.text("reason")
    corrects = form.id("corrects", required=False)
    if param is not None:
        form.check("subject", lambda: subject_of(param, subject))
        if value:
            form.check("value", lambda: parse_value(param, value))
    form.check("reason", lambda: checked(reason, "the reason", required=True))
    if not form.ok or centre is None or param is None or effective_from is None:
        return None
    return {
        "centre_id": centre,
        "param": param,
        "subject": subject,
        "value": value,
        "effective_from": effective_from,
        "reason": reason,
        "corrects": corrects,
    }


def withdrawal(form: Form) -> tuple[UUID, UUID, str] | None:
    """The centre, the setting to withdraw and why."""
    centre = form.id("centre_id")
    setting_id = form.id("setting_id")
    reason = form.text("reason")
    form.check("reason", lambda: checked(reason, "the reason", required=True))
    if not form.ok or centre is None or setting_id is None:
        return None
    return centre, setting_id, reason


def refuse(t: Translator, form: Form, error: BangfuError, setting_field: str) -> None:
    """The ledger's refusal beside the field it is about (the setting named is ``setting_field``)
    or above the form, in the visitor's language; who may act where, and a centre that does not
    exist, are for an error page, not the form."""
    if isinstance(error, ForbiddenError | NotAuthenticatedError | CentreNotFoundError):
        raise error
    field = next((f for words, f in WORDS_OF_FIELD if words in error.detail), "_form")
    field = setting_field if field == "setting" else field
    key = f"policy.refused.{slug(type(error))}"
    said = t("policy.refused", title=t(key), detail=error.detail) if key in MESSAGES else ""
    form.errors[field if field in form.values else "_form"] = said or error.detail


def setting_defaults(
    today: date, values: dict[str, str], chosen: dict[str, Any] | None
) -> dict[str, str]:
    """The setting form as first shown: the parameter and subject asked for (a link of the
    table), or the setting being corrected with its value; from today."""
    shown = {"parameter": Parameter.DIBAO_LINE.value, "effective_from": today.isoformat()}
    if values.get("parameter") in {p.value for p in Parameter}:
        shown["parameter"] = values["parameter"]
        shown["subject"] = values.get("subject", "")
    if chosen is not None:
        shown |= {
            "parameter": chosen["parameter"],
            "subject": chosen["subject"] or "",
            "value": chosen["value"],
            "effective_from": chosen["effective_from"],
            "corrects": chosen["setting_id"],
        }
    return shown
