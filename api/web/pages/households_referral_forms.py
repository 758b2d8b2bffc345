"""A case's referrals to government channels (转介) on its page: each read as GET /referrals/{id}
reads it, the caseworker's forms as first shown, and the forms read by the ledger's rules, a
refusal of the ledger put beside the field it is about."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any
from uuid import UUID

from api.web.forms import Form
from api.web.i18n import Translator
from api.web.pages.households_support import refusal
from domain.access import Actor
from domain.application import Ledger
from domain.errors import BangfuError, ConflictError, InvalidAmountError, ReferralNotFoundError
from domain.money import parse_yuan
from domain.referrals import Referral, referral_id
from domain.text import NOTE_MAX, checked, checked_note
from domain.vocabulary import ReferralChannel, ReferralDecision, ReferralStatus

ACTIONS = ("outcome", "follow_up", "withdraw")  # a referral's forms, each named "<action>-<n>"
WORDS_OF_FIELD = (  # what an InvalidReferralError is about, by the words of its detail
    ("comes before", "business_date"),
    ("business date", "business_date"),
    ("amount", "amount"),
    ("reason", "reason"),
    ("note", "note"),
    ("receiving body", "receiving_body"),
)


def case_referrals(ledger: Ledger, actor: Actor, case_id: UUID) -> list[Referral]:
    """The case's referrals by number, each read by the use case of GET /referrals/{id}."""
    found: list[Referral] = []
    for number in count(1):
        try:
            found.append(ledger.referral(actor, referral_id(case_id, number)))
        except ReferralNotFoundError:
            return found
    return found  # pragma: no cover - count() never ends


def forms_of(referrals: list[Referral], today: date) -> dict[str, Form]:
    """The referral forms as first shown, dated today: a new referral, and for each referral
    not withdrawn its outcome (a correction of the one it has), a follow-up and, while it has
    no outcome, its withdrawal."""
    day = {"business_date": today.isoformat()}
    forms = {"refer": Form(dict(day))}
    for r in referrals:
        if r.status is ReferralStatus.WITHDRAWN:
            continue
        corrects = {"corrects": str(r.outcome_id)} if r.outcome_id else {}
        forms[f"outcome-{r.number}"] = Form(day | corrects)
        forms[f"follow_up-{r.number}"] = Form(dict(day))
        if r.status is ReferralStatus.OPEN:
            forms[f"withdraw-{r.number}"] = Form(dict(day))
    return forms


def _day(form: Form) -> date | None:
    return form.day_in_window("business_date") if form.text("business_date") else None


def referral(form: Form) -> dict[str, Any] | None:
    """A referral: the channel, the receiving body, a note and its date."""
    channel = form.choice("channel", ReferralChannel)
    body = form.text("receiving_body")
    note = form.values.get("note", "")
    day = _day(form)
    form.check("receiving_body", lambda: checked(body, "the receiving body", required=True))
    form.check("note", lambda: checked_note(note))
    if channel is None or day is None or not form.ok:
        return None
    return {"channel": channel, "receiving_body": body, "note": note, "business_date": day}


def outcome(form: Form) -> dict[str, Any] | None:
    """The receiving body's answer (or a correction of the current one): the decision, the
    amount or the service granted, why, and the day it was decided."""
    decision = form.choice("decision", ReferralDecision)
    amount_text = form.text("amount", required=False)
    amount: int | None = None
    if amount_text:
        try:
            amount = parse_yuan(amount_text)
        except InvalidAmountError as error:
            form.errors["amount"] = error.detail
    service, reason = form.text("service", required=False), form.text("reason", required=False)
    form.check("service", lambda: checked(service, "the service granted"))
    form.check("reason", lambda: checked(reason, "the reason"))
    corrects = form.id("corrects", required=False)
    day = _day(form)
    if decision is None or day is None or not form.ok:
        return None
    return {
        "decision": decision,
        "amount_fen": amount,
        "service": service,
        "reason": reason,
        "business_date": day,
        "corrects": corrects,
    }


def follow_up(form: Form) -> tuple[str, date] | None:
    """What happened meanwhile, and on which day."""
    note = form.text("note")
    form.check("note", lambda: checked(note, "the note", max_length=NOTE_MAX, multiline=True))
    day = _day(form)
    if day is None or not form.ok:
        return None
    return note, day


def withdrawal(form: Form) -> tuple[str, date] | None:
    """Why the referral is withdrawn, and on which day."""
    reason = form.text("reason")
    form.check("reason", lambda: checked(reason, "the reason", required=True))
    day = _day(form)
    if day is None or not form.ok:
        return None
    return reason, day


def refuse(t: Translator, form: Form, error: BangfuError) -> None:
    """A refusal of the ledger beside the field it is about; one about the referral or the case
    as they stand (answered already, withdrawn, closed) above the form."""
    field = "_form"
    if not isinstance(error, ConflictError):
        field = next((f for words, f in WORDS_OF_FIELD if words in error.detail), "_form")
    form.errors[field if field in form.values else "_form"] = refusal(t, error)
