"""`bangfu policy`: local policy as events. Show what is in force at a centre on a date, list the
settings, set or withdraw one, and import a policy file (the JSON the checks once read per
request) as settings recorded at a centre."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.markup import escape
from rich.table import Table

from cli.base import app, console, fail, open_app, refusals
from domain.access import SYSTEM
from domain.application import Context
from domain.clock import EARLIEST_BUSINESS_DATE
from domain.errors import BangfuError
from domain.policy_parameters import (
    Parameter,
    checked_value,
    parameter,
    parse_value,
    shown,
    subject_of,
)
from projections import Views
from projections import policy as policy_view
from settings import Settings

policy_app = typer.Typer(
    help="Local policy 地方政策: the 低保 line, caps, limits, in force by centre and date.",
    no_args_is_help=True,
)
app.add_typer(policy_app, name="policy")
Centre = Annotated[str, typer.Option("--centre", help="the centre's id")]
Draft = tuple[Parameter, str | None, int, date, str]  # what a file asks to record


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{what} {text!r} is not a date written YYYY-MM-DD")


def _views() -> tuple[Any, Views]:
    """The ledger and the views, with the policy view brought up to the log's head."""
    bangfu = open_app(Settings())
    bangfu.views.projector.catch_up(bangfu.views.policy)
    return bangfu.ledger, bangfu.views


@policy_app.command("show")
def show(
    centre: Centre,
    on: Annotated[str | None, typer.Option(help="the date (ISO); today if left out")] = None,
) -> None:
    """Every parameter in force at a centre on a date, and which centre set it since when."""
    ledger, views = _views()
    with refusals("centre"):
        ledger.centre(SYSTEM, UUID(centre))
    day = _day(on, "the date") if on else ledger.today()
    found, names = policy_view.in_force(views.policy, centre, day)
    table = Table(title=f"Policy in force 现行政策 on {day.isoformat()}")
    for column in ("parameter 参数", "for 对象", "value 值", "set at 设定中心", "since 起始日"):
        table.add_column(column)
    for param, subject, setting in found:
        if setting is None:  # nothing applies (e.g. no living relief cap for borderline)
            continue
        value = f"{shown(param, setting.value)} {param.spec.unit.zh}"
        where = names.get(setting.centre_id or "", "默认 default")
        since = setting.effective_from.isoformat()
        table.add_row(f"{param.spec.zh} {param.value}", subject or "", value, where, since)
    console.print(table)


@policy_app.command("history")
def history(
    centre: Annotated[
        str | None, typer.Option("--centre", help="a centre; all if left out")
    ] = None,
    parameter_name: Annotated[
        str | None, typer.Option("--parameter", help="one parameter only")
    ] = None,
) -> None:
    """The settings recorded (those bearing on a centre, and below it), oldest first, with what
    became of each."""
    ledger, views = _views()
    if centre is not None:
        with refusals("centre"):
            ledger.centre(SYSTEM, UUID(centre))
    with refusals("centre"):
        name = parameter(parameter_name).value if parameter_name else None
    rows = policy_view.history(views.policy, centre, name, 0, 100_000)
    table = Table(title="Policy settings 政策设定")
    for column in ("setting", "centre", "parameter", "for", "value", "from", "reason", "status"):
        table.add_column(column)
    for r in rows:
        status = (
            "withdrawn" if r["withdrawn_by"] else "corrected" if r["replaced_by"] else "in effect"
        )
        table.add_row(
            r["setting_id"],
            r["centre_name"] or r["centre_id"],
            r["parameter"],
            r["subject"] or "",
            shown(Parameter(r["parameter"]), int(r["value"])),
            r["effective_from"],
            escape(r["reason"]),
            status,
        )
    console.print(table)


@policy_app.command("set")
def set_(
    centre: Centre,
    parameter_name: Annotated[str, typer.Argument(metavar="PARAMETER")],
    value: Annotated[str, typer.Argument(help='yuan for money ("790.00"), else a whole number')],
    effective_from: Annotated[str, typer.Option("--from", help="the first day it applies")],
    reason: Annotated[str, typer.Option(help="why, e.g. the document that sets it")],
    subject: Annotated[str | None, typer.Option(help="a category, school level, ...")] = None,
    corrects: Annotated[str | None, typer.Option(help="the setting this one replaces")] = None,
) -> None:
    """Record a parameter's value at a centre from a date on (or correct a setting)."""
    ledger = open_app(Settings()).ledger
    day = _day(effective_from, "--from")
    with refusals("centre or setting"):
        outcome = ledger.set_policy(
            Context(SYSTEM),
            UUID(centre),
            parameter(parameter_name),
            subject,
            value,
            day,
            reason,
            UUID(corrects) if corrects else None,
        )
    console.print(f"Setting {outcome.result.id} recorded at log position {outcome.position}.")


@policy_app.command("withdraw")
def withdraw(
    centre: Centre,
    setting: Annotated[str, typer.Argument(help="the setting's id")],
    reason: Annotated[str, typer.Option(help="why it stops counting")],
) -> None:
    """Withdraw a setting of a centre: the centres above it decide again."""
    ledger = open_app(Settings()).ledger
    with refusals("centre or setting"):
        ledger.withdraw_policy(Context(SYSTEM), UUID(centre), UUID(setting), reason)
    console.print(f"Setting {setting} withdrawn.")


@policy_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    centre: Annotated[
        str | None, typer.Option("--centre", help="where to record it; the root if left out")
    ] = None,
    effective_from: Annotated[
        str,
        typer.Option("--from", help="the first day an undated value applies (default: always)"),
    ] = EARLIEST_BUSINESS_DATE.isoformat(),
    reason: Annotated[str, typer.Option(help="why")] = "imported from a policy file",
    dry_run: Annotated[
        bool, typer.Option(help="show what would be recorded, record nothing")
    ] = False,
) -> None:
    """Record a policy file as settings at a centre. The file is the JSON the checks once read:
    {"dibao_lines_fen": [["2026-01-01", 82000]], "living_relief_months": {"deep_hardship": 12},
    "accident_aid_cap_fen": ..., "education_aid_cap_fen": ..., "repeat_window_days": ...,
    "late_recording_days": ...}, and "settings": [{"parameter", "subject", "value" (as text),
    "effective_from"}] for any other parameter. A value already in force from the same day at
    the centre is left out."""
    ledger, views = _views()
    try:
        drafts = drafts_of(json.loads(file.read_text()), _day(effective_from, "--from"), reason)
    except (ValueError, TypeError, KeyError, AttributeError, BangfuError) as e:
        detail = e.detail if isinstance(e, BangfuError) else f"{type(e).__name__}: {e}"
        fail(f"{file} is not a policy file Bangfu reads: {detail}")
    target = centre or _the_root(views)
    with refusals("centre"):
        ledger.centre(SYSTEM, UUID(target))
    already = {
        (r["parameter"], r["subject"], int(r["value"]), r["effective_from"])
        for r in policy_view.history(views.policy, target, None, 0, 100_000)
        if r["centre_id"] == target and not (r["withdrawn_by"] or r["replaced_by"])
    }
    table = Table(title=f"{'Would record' if dry_run else 'Recording'} at centre {target}")
    for column in ("parameter", "for", "value", "from", ""):
        table.add_column(column)
    for param, subject, value, day, why in drafts:
        same = (param.value, subject, value, day.isoformat()) in already
        table.add_row(param.value, subject or "", shown(param, value), day.isoformat(),
                      "unchanged, left out" if same else "")  # fmt: skip
        if not same and not dry_run:
            with refusals("centre"):
                ledger.set_policy(Context(SYSTEM), UUID(target), param, subject, value, day, why)
    console.print(table)


def _the_root(views: Views) -> str:
    found = policy_view.roots(views.policy)
    if len(found) != 1:
        fail(f"the tree has {len(found)} root centres; name one with --centre")
    return found[0]


LEGACY = {  # the keys of the old policy file, in fen, months and days
    "accident_aid_cap_fen": Parameter.ACCIDENT_AID_CAP,
    "education_aid_cap_fen": Parameter.EDUCATION_AID_CAP,
    "repeat_window_days": Parameter.REPEAT_WINDOW_DAYS,
    "late_recording_days": Parameter.LATE_RECORDING_DAYS,
}


def drafts_of(data: dict[str, Any], since: date, reason: str) -> list[Draft]:
    """The settings a policy file asks for, each checked as the ledger will check it."""
    known = {"dibao_lines_fen", "living_relief_months", "settings", *LEGACY}
    if unknown := sorted(set(data) - known):
        raise ValueError(f"unknown keys {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    found: list[Draft] = []

    def add(param: Parameter, subject: str | None, value: int, day: date) -> None:
        found.append((param, subject_of(param, subject), checked_value(param, value), day, reason))

    for day_text, fen in data.get("dibao_lines_fen", []):
        add(Parameter.DIBAO_LINE, None, fen, date.fromisoformat(str(day_text)))
    for category, months in dict(data.get("living_relief_months", {})).items():
        add(Parameter.LIVING_RELIEF_MONTHS, category, months, since)
    for key, param in LEGACY.items():
        if key in data:
            add(param, None, data[key], since)
    for s in data.get("settings", []):
        param = parameter(s["parameter"])
        day = date.fromisoformat(s.get("effective_from", since.isoformat()))
        add(param, s.get("subject"), parse_value(param, str(s["value"])), day)
    return found
