"""The campaign pages on a real store: the campaigns of a supervisor's subtree, and a campaign's
coverage per centre with the hand-counted households, its budget used and the households not
reached with their reasons."""

from __future__ import annotations

import re
from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World, case_body
from tests.api.web_support import ON_POSTGRES, found_in, web_sign_in

pytestmark = ON_POSTGRES


def test_a_campaign_page_shows_coverage_per_centre_the_budget_used_and_who_was_not_reached(
    api: Api, world: World
) -> None:
    moved = api.created("/cases", case_body(world.other_district))  # 南关区: moved away
    silent = api.created("/cases", case_body(world.district))  # 朝阳区: no reason yet
    campaign = api.created(
        "/campaigns",
        {
            "centre_id": world.city, "kind": "spring_festival_warmth", "name": "2026年两节送温暖",
            "starts_on": "2026-01-10", "ends_on": "2026-02-20", "fund_ids": [world.fund],
            "budget": "1000.00", "standards": {"deep_hardship": "500.00"},
            "business_date": "2026-01-05",
        },
    )  # fmt: skip
    visit = {"case_id": world.case, "visitors": ["王干事"], "business_date": "2026-01-15"}
    api.created(f"/campaigns/{campaign}/visits", visit)
    paid = {"case_id": world.case, "fund_id": world.fund, "business_date": "2026-01-15"}
    api.created(f"/campaigns/{campaign}/payments", paid)  # the standard, ¥500
    excuse = {"case_id": moved, "reason": "moved_away", "note": "迁往外省"}
    api.created(f"/campaigns/{campaign}/exceptions", excuse)
    web_sign_in(api.client, api.ledger, "sup", Role.SUPERVISOR, UUID(world.city))

    listed = api.client.get(f"/app/campaigns?min_position={api.position}")
    page = api.client.get(f"/app/campaigns/{campaign}?min_position={api.position}")

    assert listed.status_code == 200 and f'href="/app/campaigns/{campaign}"' in listed.text
    assert "两节送温暖" in listed.text and "进行中" in listed.text
    assert page.status_code == 200, page.text
    totals = dict(re.findall(r'id="total-(\w+)">(\d+)<', page.text))
    # three households: 红旗街道's visited and paid, 南关区's moved away, 朝阳区's not reached
    assert totals == {
        "households": "3",
        "visited": "1",
        "paid": "1",
        "both": "1",
        "neither": "2",
        "exceptions": "1",
    }
    coverage = found_in(page.text, r'id="coverage">(.*?)</table>', "no coverage table")
    assert re.search(r"红旗街道</th>\s*" + r"<td class=\"num\">1</td>" * 4, coverage)
    assert 'id="budget-bar" value="50000" max="100000"' in page.text
    assert "已用 ¥500.00（预算 ¥1,000.00，剩余 ¥500.00，已用 50%）" in page.text
    unreached = found_in(page.text, r'id="unreached">(.*?)</table>', "no unreached list")
    assert moved[:8] in unreached and "已迁离" in unreached and "迁往外省" in unreached
    assert silent[:8] in unreached and "未记录原因" in unreached
    assert world.case[:8] not in unreached
    assert "其中 1 户尚未记录原因" in page.text
    export = f"/campaigns/{campaign}/coverage?centre_id={world.city}&amp;rows=unreached"
    assert f"{export}&amp;format=xlsx&amp;lang=zh" in page.text
