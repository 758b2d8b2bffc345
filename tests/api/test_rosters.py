"""Rosters and bank files over HTTP: the template, a roster uploaded as XLSX or CSV (a dry run
that saves nothing, an import that pays once), the bank file with Chinese headers, the bank's
return file; refusals as problem+json."""

from __future__ import annotations

import csv
import io
from uuid import UUID

import httpx
from openpyxl import Workbook, load_workbook

from domain.rosters import FIELDS
from domain.vocabulary import Role
from tests.api.support import Api, World, case_body, person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(
    api: Api, path: str, name: str, content: bytes, as_: str, query: str = "", **form: str
) -> httpx.Response:
    """Upload a file as the user, with form fields (and a query string)."""
    kind = XLSX if name.endswith(".xlsx") else "text/csv"
    files = {"file": (name, content, kind)}
    response: httpx.Response = api.client.post(
        path + query, files=files, data=form, headers=api.headers(as_)
    )
    return response


def filled(rows: list[list[str]], template: bytes | None = None) -> bytes:
    """The template as downloaded (a new workbook with its headers if none is given), its rows
    filled in."""
    book = load_workbook(io.BytesIO(template)) if template else Workbook()
    sheet = book.worksheets[0]
    if template is None:
        sheet.append([f.zh for f in FIELDS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def roster_row(key: str, case: str, amount: str, card: str = "") -> list[str]:
    # 序号, 档案编号, 姓名, 资金编号, 帮扶类型, 金额（元）, 标准（元）, 银行卡号, 业务日期, 备注
    return [key, case, "", "", "送温暖慰问", amount, "", card, "2026-02-01", ""]


def test_a_roster_from_the_template_is_checked_then_imported_once(api: Api, world: World) -> None:
    api.user("fin", Role.FINANCE, UUID(world.city))
    template = api.get("/rosters/template.xlsx", "fin")
    headers = [
        c.value for c in next(load_workbook(io.BytesIO(template.content)).worksheets[0].rows)
    ]
    rows = [
        roster_row("1", world.case, "800.00", "6222000011112222"),
        roster_row("2", world.case, "abc"),
        roster_row("3", world.case, "20000.00"),
    ]
    content, form = filled(rows, template.content), {"fund_id": world.fund, "roster": "2026春节"}
    before = api.ledger.recorder.max_notification_id()

    checked = upload(api, "/rosters/validate", "r.xlsx", content, "fin", **form)
    unchanged = api.ledger.recorder.max_notification_id()
    imported = upload(api, "/rosters/import", "r.xlsx", content, "fin", **form)
    again = upload(api, "/rosters/import", "r.xlsx", content, "fin", "?format=csv&lang=zh", **form)

    assert headers == [f.zh for f in FIELDS]
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert (body["dry_run"], body["counts"]["valid"], body["amount_valid"]) == (True, 1, "800.00")
    assert [(r["row"], r["problem"]) for r in body["rows"]] == [
        (2, None),
        (3, "bad_amount"),
        (4, "insufficient_funds"),  # ¥9,200 left after row 2
    ]
    assert body["rows"][1]["message"].startswith("第3行：金额不正确（not an amount of yuan）")
    assert unchanged == before
    assert imported.json()["counts"]["recorded"] == 1
    assert imported.json()["amount_recorded"] == "800.00"
    sheet = table(again)
    assert sheet[0] == [
        "行号",
        "序号",
        "结果",
        "问题",
        "说明",
        "档案编号",
        "金额（元）",
        "支付编号",
    ]
    assert [r[2] for r in sheet[1:]] == ["已跳过", "有误", "有误"]
    assert sheet[1][3] == "已支付（重复导入）"


def test_the_bank_file_and_the_banks_return_file_over_http(api: Api, world: World) -> None:
    api.user("fin", Role.FINANCE, UUID(world.city))
    second = api.created(
        "/cases", case_body(world.street, person=person() | {"bank_card": "6222000099998888"})
    )
    rows = [
        roster_row("1", world.case, "300.00", "6222000011112222"),
        roster_row("2", second, "200.00"),
    ]
    csv_roster = "\n".join(",".join(r) for r in [[f.zh for f in FIELDS], *rows]).encode("gb18030")
    imported = upload(api, "/rosters/import", "春节.csv", csv_roster, "fin", fund_id=world.fund)
    paid = [r["payment_id"] for r in imported.json()["rows"]]

    bank = api.client.get(
        "/rosters/bank-file",
        params={"fund_id": world.fund, "roster": "春节", "format": "csv", "lang": "zh"},
        headers=api.headers("fin"),
    )
    returned = "业务参考号,处理结果,失败原因\n" + f"{paid[0]},失败,户名不符\n{paid[1]},成功,\n"
    answer = upload(api, "/rosters/bank-returns", "回盘.csv", returned.encode(), "fin")

    assert imported.json()["counts"]["recorded"] == 2, imported.text
    sheet = table(bank)
    assert sheet[0] == [
        "序号",
        "收款人姓名",
        "银行卡号",
        "金额（元）",
        "业务参考号",
        "摘要",
        "业务日期",
        "档案编号",
    ]
    assert [(r[2], r[3], r[4]) for r in sheet[1:]] == [
        ("6222000011112222", "300.00", paid[0]),
        ("6222000099998888", "200.00", paid[1]),
    ]
    assert answer.json()["counts"] == {
        "paid": 1,
        "reversed": 1,
        "already_reversed": 0,
        "refused": 0,
    }
    reversed_one = api.get(f"/payments/{paid[0]}", "fin").json()
    assert reversed_one["reversed"] is True


def test_refusals_are_problems_and_write_nothing(api: Api, world: World) -> None:
    api.user("fin-b", Role.FINANCE, UUID(world.other_district))
    api.user("aud", Role.AUDITOR)
    content = filled([roster_row("1", world.case, "1.00")])
    before = api.ledger.recorder.max_notification_id()

    elsewhere = upload(api, "/rosters/import", "r.xlsx", content, "fin-b", fund_id=world.fund)
    auditor = upload(api, "/rosters/validate", "r.xlsx", content, "aud", fund_id=world.fund)
    garbage = upload(api, "/rosters/validate", "r.xlsx", b"PK\x03\x04 not a zip", "fin-b")
    bank = api.client.get(
        "/rosters/bank-file", params={"fund_id": world.fund}, headers=api.headers("aud")
    )

    assert (elsewhere.status_code, auditor.status_code, bank.status_code) == (403, 403, 403)
    assert garbage.status_code == 422
    assert garbage.headers["content-type"] == "application/problem+json"
    assert "XLSX" in garbage.json()["detail"]
    assert api.ledger.recorder.max_notification_id() == before
