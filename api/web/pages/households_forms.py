"""Reading the households forms: each field by the ledger's own rules, its error beside it.

A rule that lives in the domain (an ID number's check digit, a telephone number's shape, the
household size allowed) is asked of the domain one field at a time, so the page can say which
field is wrong without writing the rule a second time."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from api.web.forms import Form
from domain.cases import Assessment, Goods, Person
from domain.errors import InvalidAmountError
from domain.id_numbers import make_id_number
from domain.money import parse_yuan
from domain.text import checked_note
from domain.vocabulary import CampaignKind, Category, Cause, ClosureReason, HouseholdFlag, VisitKind

MAX_MEMBERS = 20  # as the API's request schema allows
GOODS_ROWS = 3
_PROBE_ID = make_id_number("110101", date(1980, 1, 1), 1)  # a valid number to check others beside
_SEPARATORS = re.compile(r"[,，、;；\n]+")


def yuan_or_zero(form: Form, name: str) -> int:
    """An amount in yuan that may be zero (income, goods' value); 0 and an error if not one."""
    text = form.text(name)
    if not text:
        return 0
    try:
        return parse_yuan(text, allow_zero=True)
    except InvalidAmountError as error:
        form.errors[name] = error.detail
        return 0


def whole_number(form: Form, name: str) -> int:
    text = form.text(name)
    if text and not text.isdigit():
        form.errors[name] = "households.form.whole_number"
    return int(text) if text.isdigit() else 0


def assessment(form: Form) -> Assessment | None:
    """Category, causes, household size, income per head and flags, as filing and review ask."""
    category = form.choice("category", Category)
    primary = form.choice("primary_cause", Cause)
    secondary = tuple(c for c in Cause if form.values.get(f"secondary-{c.value}"))
    flags = tuple(f for f in HouseholdFlag if form.values.get(f"flag-{f.value}"))
    size = whole_number(form, "household_size")
    income = yuan_or_zero(form, "per_capita_monthly_income")
    if category is None or primary is None:
        return None
    form.check("household_size", lambda: Assessment(category, primary, (), size, 0, ()))
    form.check("secondary_causes", lambda: Assessment(category, primary, secondary, 1, 0, ()))
    form.check(
        "per_capita_monthly_income", lambda: Assessment(category, primary, (), 1, income, ())
    )
    if not form.ok:
        return None
    return Assessment(category, primary, secondary, size, income, flags)


def member_rows(values: dict[str, str]) -> list[int]:
    """The indexes of the family member rows the form holds (blank ones included)."""
    found = {
        int(m.group(1))
        for k in values
        if (m := re.fullmatch(r"member-(\d+)-(?:name|relation|id_number)", k))
    }
    return sorted(i for i in found if i < MAX_MEMBERS)


def person(form: Form) -> Person | None:
    """The worker's personal details and family members, each field checked on its own."""
    name = form.text("name")
    id_number = form.text("id_number")
    phone = form.text("phone", required=False)
    card = form.text("bank_card", required=False)
    health = form.values.get("health", "")
    probe: dict[str, Any] = {"name": "x", "id_number": _PROBE_ID, "phone": ""}
    form.check("name", lambda: Person.checked(**probe | {"name": name}))
    form.check("id_number", lambda: Person.checked(**probe | {"id_number": id_number}))
    form.check("phone", lambda: Person.checked(**probe | {"phone": phone}))
    form.check("bank_card", lambda: Person.checked(**probe | {"bank_card": card}))
    form.check("health", lambda: Person.checked(**probe | {"health": health}))
    members = []
    for i in member_rows(form.values):
        row = {f: form.values.get(f"member-{i}-{f}", "").strip() for f in ("name", "relation")}
        row["id_number"] = form.values.get(f"member-{i}-id_number", "").strip()
        if not any(row.values()):
            continue
        if not row["name"]:
            form.errors[f"member-{i}-name"] = "form.required"
        for field in ("name", "relation", "id_number"):
            alone = {"name": "x", "relation": "", "id_number": ""} | {field: row[field]}
            form.check(
                f"member-{i}-{field}",
                partial(Person.checked, **probe | {"family_members": (alone,)}),
            )
        members.append(row)
    if not form.ok:
        return None
    return Person.checked(name, id_number, phone, card, tuple(members), health)


def visitors_of(text: str) -> list[str]:
    """The visitors' names, one per comma, 、 or line."""
    return [v.strip() for v in _SEPARATORS.split(text) if v.strip()]


def visit(form: Form) -> dict[str, Any] | None:
    """A home visit: its date, visitors, kind, campaign, notes and goods given in kind."""
    day = form.day("business_date", required=True)
    visitors = visitors_of(form.text("visitors"))
    kind = form.choice("kind", VisitKind) or VisitKind.ROUTINE
    campaign = form.choice("campaign", CampaignKind, required=False)
    if kind is VisitKind.CAMPAIGN and campaign is None:
        form.errors["campaign"] = "households.visit.campaign_needed"
    if kind is VisitKind.ROUTINE and campaign is not None:
        form.errors["campaign"] = "households.visit.routine_no_campaign"
    goods = []
    for i in range(GOODS_ROWS):
        item = form.values.get(f"goods-{i}-item", "").strip()
        value = form.values.get(f"goods-{i}-value", "").strip()
        if item or value:
            if not item:
                form.errors[f"goods-{i}-item"] = "form.required"
            goods.append(Goods(item, yuan_or_zero(form, f"goods-{i}-value")))
    if not form.ok or day is None:
        return None
    notes = form.values.get("notes", "")
    form.check("notes", lambda: checked_note(notes, "the visit's notes"))
    return {
        "visitors": visitors,
        "kind": kind,
        "campaign": campaign,
        "notes": notes,
        "goods": goods,
        "business_date": day,
    }


def note(form: Form) -> str:
    """The free-text note of a review, closure or reopening."""
    text = form.values.get("note", "")
    form.check("note", lambda: checked_note(text))
    return text


def closure(form: Form) -> tuple[ClosureReason, str, date] | None:
    """Why and when the archive closes (结档)."""
    reason = form.choice("reason", ClosureReason)
    day = form.day("business_date", required=True)
    text = note(form)
    if reason is None or day is None or not form.ok:
        return None
    return reason, text, day
