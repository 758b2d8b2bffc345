"""The roster page on a real store: a check shows each row's fate with a bad row's reason and
writes nothing; the import pays the valid row; an upload without its CSRF token is refused."""

from __future__ import annotations

import csv
import io
from uuid import UUID, uuid4

from domain.access import SYSTEM
from domain.rosters import FIELDS
from domain.vocabulary import Role
from tests.api.support import Api, World
from tests.api.web_support import ON_POSTGRES, found_in, web_sign_in

pytestmark = ON_POSTGRES


def roster(*rows: list[str]) -> bytes:
    """A roster as CSV: the template's Chinese headers, then the rows."""
    out = io.StringIO()
    csv.writer(out).writerows([[f.zh for f in FIELDS], *rows])
    return out.getvalue().encode("utf-8")


def test_a_roster_check_shows_a_bad_rows_reason_and_writes_nothing_and_the_import_pays_once(
    api: Api, world: World
) -> None:
    csrf = web_sign_in(api.client, api.ledger, "fin", Role.FINANCE, UUID(world.city))
    # 序号, 档案编号, 姓名, 资金编号, 帮扶类型, 金额（元）, 标准（元）, 银行卡号, 业务日期, 备注
    content = roster(
        ["1", world.case, "", "", "送温暖慰问", "300.00", "", "", "2026-02-01", ""],
        ["2", str(uuid4()), "", "", "送温暖慰问", "200.00", "", "", "2026-02-01", ""],
    )
    files = {"file": ("春节.csv", content, "text/csv")}
    form = {"csrf_token": csrf, "fund_id": world.fund}
    before = api.ledger.recorder.max_notification_id()

    page = api.client.get("/app/rosters")
    checked = api.client.post("/app/rosters", data=form | {"action": "check"}, files=files)
    unchanged = api.ledger.recorder.max_notification_id()
    forged = api.client.post(
        "/app/rosters", data=form | {"csrf_token": "", "action": "import"}, files=files
    )
    after_forged = api.ledger.recorder.max_notification_id()
    imported = api.client.post("/app/rosters", data=form | {"action": "import"}, files=files)

    assert page.status_code == 200 and 'href="/rosters/template.xlsx"' in page.text
    assert checked.status_code == 200, checked.text
    bad = found_in(checked.text, r'<tr id="row-3">(.*?)</tr>', "no report row 3")
    assert "档案不存在（no archive has this number）" in bad and "有误" in bad
    good = found_in(checked.text, r'<tr id="row-2">(.*?)</tr>', "no report row 2")
    assert "可导入" in good and "¥300.00" in good
    assert "这是校验，没有保存任何记录" in checked.text and "可导入金额合计 ¥300.00" in checked.text
    assert unchanged == before
    assert forged.status_code == 403 and "表单校验失败" in forged.text and after_forged == before
    assert imported.status_code == 200, imported.text
    assert 'id="count-recorded">已记录 1<' in imported.text
    assert "本次记录支出合计 ¥300.00" in imported.text
    assert int(api.ledger.fund(SYSTEM, UUID(world.fund)).balance_fen) == 9_700_00
