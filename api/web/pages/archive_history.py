"""A case's full history for a supervisor: the household's facts and every event of its archive
and of its referrals (转介), read from the aggregates themselves (as GET /cases/{id} and
/cases/{id}/events), so nothing lags."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import AggregateEvent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import LedgerDep
from api.web.i18n import Translator, language_of
from api.web.pages.archive_filters import term
from api.web.templating import render
from api.web.visitors import VisitorDep
from domain.access import Actor
from domain.application import Ledger
from domain.cases import Case
from domain.errors import BangfuError
from domain.money import display_yuan
from domain.referrals import OutcomeNoted, Referral
from domain.vocabulary import (
    AssistanceType,
    CampaignKind,
    Category,
    Cause,
    ClosureReason,
    HouseholdFlag,
    ReferralChannel,
    ReferralDecision,
    VisitKind,
)

router = APIRouter(include_in_schema=False)


class FundNames:
    """Fund names for payments, each read once; a fund outside the visitor's scope stays
    unnamed (the page shows nothing the API would refuse)."""

    def __init__(self, ledger: Ledger, actor: Actor) -> None:
        self.ledger, self.actor = ledger, actor
        self.known: dict[UUID, str | None] = {}

    def __call__(self, fund_id: UUID) -> str | None:
        if fund_id not in self.known:
            try:
                self.known[fund_id] = self.ledger.fund(self.actor, fund_id).name
            except BangfuError:
                self.known[fund_id] = None
        return self.known[fund_id]


def joined(t: Translator, items: list[str]) -> str:
    return ("、" if t.lang == "zh" else ", ").join(items)


def assessed(t: Translator, f: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("archive.category", term(t, Category, f["category"])),
        ("archive.primary_cause", term(t, Cause, f["primary_cause"])),
        (
            "archive.history.secondary_causes",
            joined(t, [term(t, Cause, c) for c in f["secondary_causes"]]),
        ),
        ("archive.household_size", str(f["household_size"])),
        ("archive.income", display_yuan(f["income_fen"])),
        ("archive.flag", joined(t, [term(t, HouseholdFlag, x) for x in f["flags"]])),
    ]


def referred(t: Translator, event: AggregateEvent, number: int) -> list[tuple[str, str]]:
    """What a referral's event says: which referral, and its channel, answer or note."""
    f = event.__dict__
    details = [("households.referral.number", f"#{number}")]
    if isinstance(event, Referral.Made):
        details += [
            ("households.referral.channel", term(t, ReferralChannel, f["channel"])),
            ("households.referral.receiving_body", f["receiving_body"]),
            ("archive.history.note", f["note"]),
        ]
    elif isinstance(event, OutcomeNoted):
        granted = display_yuan(f["amount_fen"]) if f["amount_fen"] else ""
        details += [
            ("households.referral.decision", term(t, ReferralDecision, f["decision"])),
            ("households.referral.amount", granted),
            ("households.referral.service", f["service"]),
            ("households.referral.reason", f["reason"]),
        ]
    elif isinstance(event, Referral.FollowedUp):
        details.append(("archive.history.note", f["note"]))
    elif isinstance(event, Referral.Withdrawn):
        details.append(("archive.history.reason", f["reason"]))
    return details


def entry(
    t: Translator, event: AggregateEvent, fund_names: FundNames, numbers: dict[UUID, int]
) -> dict[str, Any]:
    """One event as the timeline shows it: label, dates, actor, amount and details (a
    referral's with its number, from ``numbers``)."""
    f = event.__dict__
    out: dict[str, Any] = {
        "no": event.originator_version,
        "label": t.event(type(event)),
        "business_date": f.get("business_date"),
        "recorded_at": event.timestamp,
        "actor": f.get("actor", ""),
        "amount_fen": None,
        "payment_id": None,
        "details": [],
    }
    details: list[tuple[str, str]] = []
    if isinstance(event, Case.Registered | Case.Reassessed):
        details = assessed(t, f)
        if isinstance(event, Case.Reassessed) and f["note"]:
            details.append(("archive.history.note", f["note"]))
    elif isinstance(event, Case.Visited):
        goods = joined(t, [f"{g['item']} {display_yuan(g['value_fen'])}" for g in f["goods"]])
        details = [
            ("archive.history.visitors", joined(t, f["visitors"])),
            ("archive.history.visit_kind", term(t, VisitKind, f["kind"])),
            ("archive.history.campaign", term(t, CampaignKind, f["campaign"])),
            ("archive.history.goods", goods),
            ("archive.history.notes", f["notes"]),
        ]
    elif isinstance(event, Case.AssistanceReceived):
        name = fund_names(f["fund_id"])
        out |= {"amount_fen": f["amount_fen"], "payment_id": f["payment_id"]}
        details = [
            ("archive.history.assistance_type", term(t, AssistanceType, f["assistance_type"])),
            ("common.fund", name or t("archive.history.not_yours")),
        ]
    elif isinstance(event, Case.AssistanceReversed):
        out |= {"amount_fen": -f["amount_fen"], "payment_id": f["payment_id"]}
        details = [("archive.history.reason", f["reason"])]
    elif isinstance(event, Case.Closed):
        details = [
            ("archive.history.closure_reason", term(t, ClosureReason, f["reason"])),
            ("archive.history.note", f["note"]),
        ]
    elif isinstance(event, Case.Reopened):
        details = [("archive.history.note", f["note"])]
    elif isinstance(event, Case.PersonalDataErased):
        details = [("archive.history.reason", f["reason"])]
    elif isinstance(event, Referral.Event):
        details = referred(t, event, numbers.get(event.originator_id, 0))
    out["details"] = [(label, value) for label, value in details if value]
    return out


def person_of(ledger: Ledger, actor: Actor, case: Case) -> dict[str, Any]:
    """The person, for roles that may read personal data (the read recorded as GET /cases/{id}
    records it); ``shown`` says whether it is shown, withheld or erased."""
    if not ledger.may_read_personal_data(actor):
        return {"shown": "withheld"}
    person = ledger.read_personal_data(actor, {case.id: case.person_sealed}, "view case")[case.id]
    return {"shown": "erased"} if person is None else {"shown": "shown", **person}


def facts(t: Translator, ledger: Ledger, actor: Actor, case: Case) -> dict[str, Any]:
    return {
        "centre": ledger.centre(actor, case.centre_id).name,
        "status": t.term(case.status),
        "status_value": case.status.value,
        "closure_reason": term(t, ClosureReason, case.closure_reason),
        "category": term(t, Category, case.category),
        "primary_cause": term(t, Cause, case.primary_cause),
        "secondary_causes": joined(t, [term(t, Cause, c) for c in case.secondary_causes]),
        "flags": [term(t, HouseholdFlag, x) for x in case.flags],
        "household_size": case.household_size,
        "income_fen": case.income_fen,
        "filed_on": case.filed_on,
        "last_visit_on": case.last_visit_on,
        "visits": case.visits,
        "received_fen": case.received_fen,
        "reversed_fen": case.reversed_fen,
        "net_fen": case.received_fen - case.reversed_fen,
    }


@router.get("/app/archive/{case_id:uuid}", response_class=HTMLResponse)
def case_history(
    case_id: UUID, request: Request, visitor: VisitorDep, ledger: LedgerDep
) -> HTMLResponse:
    """The household's facts and its whole timeline; another subtree's case is refused before
    anything is read (the error page)."""
    t, actor = Translator(language_of(request)), visitor.actor
    case = ledger.case(actor, case_id)
    events = list(ledger.case_events(actor, case_id))
    fund_names = FundNames(ledger, actor)
    numbers = {
        e.originator_id: e.__dict__["number"] for e in events if isinstance(e, Referral.Made)
    }
    reviews = [e for e in events if isinstance(e, Case.Registered | Case.Reassessed)]
    context = {
        "case_id": str(case_id),
        "facts": facts(t, ledger, actor, case),
        "last_reviewed_on": reviews[-1].business_date if reviews else None,
        "person": person_of(ledger, actor, case),
        "timeline": [entry(t, e, fund_names, numbers) for e in events],
    }
    return render(request, "archive/history.html", context)
