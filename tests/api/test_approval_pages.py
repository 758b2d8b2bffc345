"""The payment approval pages on a real store: a request made on the fund's form reserves its
amount (the funds pages show what is available), the maker's own approval is refused beside
the row, and another finance user approves it from their queue; a form without its CSRF token
is refused."""

from __future__ import annotations

from uuid import UUID

from domain.access import SYSTEM
from domain.vocabulary import Role
from tests.api.support import Api, World
from tests.api.web_support import ON_POSTGRES, csrf_of, found_in, web_sign_in

pytestmark = ON_POSTGRES


def head(api: Api) -> int:
    return int(api.ledger.recorder.max_notification_id() or 0)


def money(api: Api, fund: str) -> tuple[int, int]:
    """The fund's balance and available balance in fen, as the fund itself keeps them."""
    found = api.ledger.fund(SYSTEM, UUID(fund))
    return int(found.balance_fen), int(found.available_fen)


def test_a_request_made_on_the_fund_page_reserves_its_amount_and_the_pages_show_what_is_available(
    api: Api, world: World
) -> None:
    csrf = web_sign_in(api.client, api.ledger, "maker", Role.FINANCE, UUID(world.city))
    form = api.client.get(f"/app/funds/{world.fund}/request")
    fields = {"case_id": world.case, "assistance_type": "living_relief", "amount": "800.00"}
    fields |= {"business_date": api.ledger.today().isoformat(), "reference": "临时困难"}
    fields |= {
        "idempotency_key": found_in(form.text, r'name="idempotency_key" value="(\w+)"', "key")
    }

    sent = api.client.post(
        f"/app/funds/{world.fund}/request",
        data={"csrf_token": csrf, **fields},
        follow_redirects=False,
    )
    page = api.client.get(sent.headers["location"])
    listed = api.client.get(f"/app/funds?min_position={head(api)}")

    assert form.status_code == 200 and "支付申请不立即支出" in form.text
    assert sent.status_code == 303, sent.text
    assert money(api, world.fund) == (10_000_00, 9_200_00)  # the balance stays, 800 is held
    assert 'id="fund-available" data-fen="920000">¥9,200.00<' in page.text
    assert 'id="fund-reserved">¥800.00<' in page.text
    assert "支付申请已提交：¥800.00 已从可用余额中预留，由本级审批（待审批）" in page.text
    assert 'class="available" data-fen="920000">¥9,200.00<' in listed.text
    assert "目前没有待审批的支出" not in listed.text


def test_the_makers_own_approval_is_refused_beside_the_row_and_another_finance_user_approves(
    api: Api, world: World
) -> None:
    api.user("maker", Role.FINANCE, UUID(world.city))
    body = {"fund_id": world.fund, "case_id": world.case, "assistance_type": "living_relief"}
    request = api.created("/payment-requests", body | {"amount": "800.00"}, "maker")
    web_sign_in(api.client, api.ledger, "maker", Role.FINANCE, UUID(world.city))
    mine = api.client.get(f"/app/approvals?min_position={head(api)}")
    before = head(api)

    own = api.client.post(
        f"/app/approvals/{request}/approve", data={"csrf_token": csrf_of(mine.text)}
    )

    assert f'id="row-{request}"' in mine.text and "我提交的待审批申请" in mine.text
    assert own.status_code == 403
    beside = found_in(own.text, rf'id="e-row-{request}">([^<]*)<', "no refusal beside the row")
    assert "申请人不能审批自己的支付申请" in beside
    assert head(api) == before  # nothing written

    csrf = web_sign_in(api.client, api.ledger, "checker", Role.FINANCE, UUID(world.city))
    queue = api.client.get("/app/approvals")
    queued = found_in(queue.text, r'<table class="data striped" id="queue">(.*?)</table>', "queue")
    before = head(api)  # signing the checker in added them
    forged = api.client.post(f"/app/approvals/{request}/approve", data={"csrf_token": ""})
    assert forged.status_code == 403 and "表单校验失败" in forged.text and head(api) == before
    approved = api.client.post(
        f"/app/approvals/{request}/approve", data={"csrf_token": csrf}, follow_redirects=False
    )
    done = api.client.get(approved.headers["location"])

    assert f'id="row-{request}"' in queued and ">本级<" in queued and "¥800.00" in queued
    assert approved.status_code == 303, approved.text
    assert money(api, world.fund) == (9_200_00, 9_200_00)
    assert "支付申请 ¥800.00：已批准" in done.text and "/app/funds/payments/" in done.text
    history = found_in(done.text, r'id="history">(.*?)</table>', "no history")
    assert "maker" in history and "checker" in history and "已批准" in history
