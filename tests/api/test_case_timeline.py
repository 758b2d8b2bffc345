"""A case's timeline (GET /cases/{id}/history): ordered by business date with the recorded time
beside, labelled in Chinese and English, and every money entry naming its fund and paying centre."""

from __future__ import annotations

from tests.api.support import Api, World, payment_body


def test_the_timeline_is_ordered_by_business_date_and_money_names_the_fund_and_paying_centre(
    api: Api, world: World
) -> None:
    march = api.created("/payments", payment_body(world.fund, world.case, "300.00", "2026-03-01"))
    backdated = api.created(
        "/payments", payment_body(world.fund, world.case, "200.00", "2026-02-01")
    )

    rows = api.get(f"/cases/{world.case}/history").json()

    days = [row["business_date"] for row in rows]
    assert days == sorted(days)
    assert days[0] == "2026-01-05"  # the filing
    money = [row for row in rows if row["type"] == "AssistanceReceived"]
    assert [(m["business_date"], m["data"]["amount"]) for m in money] == [
        ("2026-02-01", "200.00"),
        ("2026-03-01", "300.00"),
    ]
    assert [m["data"]["payment_id"] for m in money] == [backdated, march]
    assert money[1]["recorded_at"] < money[0]["recorded_at"]  # recorded first, shown second
    for m in money:
        assert m["data"]["fund_name"] == "中央财政专项帮扶资金"
        assert m["data"]["paying_centre_id"] == world.city
        assert m["data"]["paying_centre_name"] == "长春市帮扶中心"
    assert all(row["type_zh"] and row["type_en"] for row in rows)
    assert (rows[0]["type_zh"], rows[0]["type_en"]) == ("建档", "Filed")
    assert {(m["type_zh"], m["type_en"]) for m in money} == {("帮扶支出", "Assistance received")}
