"""The caseworker's forms on a real store: filing a household with what is wrong said beside each
field and a second archive refused (一户一档), and visits, reviews, closures and reopenings
recorded from the case page and shown on its timeline."""

from __future__ import annotations

import re
from datetime import date

from domain.id_numbers import make_id_number
from domain.vocabulary import Role
from tests.api.support import Api
from tests.api.test_household_pages import Scene, scene, sign_in
from tests.api.web_support import ON_POSTGRES, csrf_of

pytestmark = ON_POSTGRES

__all__ = ["scene"]  # the fixture, shared with the search tests


def filing(scene: Scene, csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "name": "周建华",
        "id_number": make_id_number("310101", date(1975, 6, 1), 9),
        "phone": "13900000000",
        "member-0-name": "周小明",
        "member-0-relation": "子",
        "member-0-id_number": "",
        "category": "relative_hardship",
        "primary_cause": "laid_off_unemployed",
        "secondary-serious_illness": "on",
        "household_size": "3",
        "per_capita_monthly_income": "820.50",
        "flag-single_parent": "on",
        "centre_id": scene.street,
        "business_date": "2026-03-02",
    } | fields


def test_the_filing_form_keeps_what_was_typed_and_says_beside_each_field_what_is_wrong(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)
    bad = filing(
        scene,
        csrf,
        name="",
        id_number="310101197506010001",
        per_capita_monthly_income="12.345",
        household_size="31",
        **{"member-1-relation": "配偶", "secondary-laid_off_unemployed": "on"},
    )

    answer = api.client.post("/app/households/new", data=bad)

    html = answer.text
    assert answer.status_code == 422
    assert re.search(r'id="e-name"[^>]*>此项必填', html)
    assert re.search(r'id="e-id_number"[^>]*>[^<]*check digit', html)
    assert re.search(r'id="e-per_capita_monthly_income"[^>]*>[^<]*two decimals', html)
    assert re.search(r'id="e-household_size"[^>]*>[^<]*between 1 and 30', html)
    assert re.search(r'id="e-secondary_causes"[^>]*>[^<]*primary cause', html)
    assert re.search(r'id="e-member-1-name"[^>]*>此项必填', html)
    assert 'value="12.345"' in html and 'value="周小明"' in html and 'value="配偶"' in html
    assert "周小明" not in api.client.get("/app/households").text  # nothing was filed


def test_a_household_is_filed_and_a_second_archive_for_the_same_person_is_refused(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)

    filed = api.client.post("/app/households/new", data=filing(scene, csrf))
    case_page = api.client.get(filed.headers["location"])
    again = api.client.post("/app/households/new", data=filing(scene, csrf_of(case_page.text)))

    assert filed.status_code == 303
    case_id = filed.headers["location"].split("/")[3].split("?")[0]
    assert "已建档" in case_page.text and "周建华" in case_page.text and "周小明" in case_page.text
    assert "建档" in case_page.text.split('id="timeline"')[1]
    assert again.status_code == 422
    assert re.search(r'id="e-id_number"[^>]*>此身份证号已有在档档案', again.text)
    assert f'href="/app/households/{case_id}"' in again.text


def test_a_household_filed_elsewhere_is_refused_without_saying_where(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)

    again = api.client.post(
        "/app/households/new", data=filing(scene, csrf, id_number=scene.theirs_id_number)
    )

    assert again.status_code == 422 and "您范围以外的中心" in again.text
    assert scene.theirs not in again.text


def visit_form(csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "form_key": "k" * 20,
        "business_date": "2026-03-05",
        "kind": "routine",
        "campaign": "",
        "visitors": "王干事、李主席",
        "notes": "了解就医情况",
        "goods-0-item": "米面油",
        "goods-0-value": "150",
    } | fields


def test_a_visit_recorded_on_the_case_page_appears_on_its_timeline_once(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)
    path = f"/app/households/{scene.mine}/visits"

    refused = api.client.post(path, data=visit_form(csrf, visitors="", kind="campaign"))
    done = api.client.post(path, data=visit_form(csrf))
    twice = api.client.post(path, data=visit_form(csrf))  # twice
    page = api.client.get(done.headers["location"])

    assert refused.status_code == 422
    assert re.search(r'id="e-visitors"[^>]*>此项必填', refused.text)
    assert re.search(r'id="e-campaign"[^>]*>活动走访须选择活动', refused.text)
    assert 'value="米面油"' in refused.text and '<details open id="visit">' in refused.text
    assert done.status_code == twice.status_code == 303
    timeline = page.text.split('id="timeline"')[1]
    assert "走访已记录" in page.text
    assert timeline.count("了解就医情况") == 1
    assert "王干事、李主席" in timeline and "¥150.00" in timeline and "2026-03-05" in timeline


def test_a_review_a_closure_and_a_reopening_are_recorded_from_the_case_page(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)
    base = f"/app/households/{scene.mine}"
    review = {
        "csrf_token": csrf,
        "business_date": "2026-04-01",
        "category": "borderline",
        "primary_cause": "serious_illness",
        "household_size": "2",
        "per_capita_monthly_income": "1200",
        "note": "年度复核",
    }

    reviewed = api.client.post(f"{base}/reviews", data=review)
    closed = api.client.post(
        f"{base}/closure",
        data={
            "csrf_token": csrf,
            "reason": "exited_income_above_line",
            "business_date": "2026-05-01",
        },
    )
    closed_again = api.client.post(
        f"{base}/closure",
        data={"csrf_token": csrf, "reason": "retired", "business_date": "2026-05-02"},
    )
    reopened = api.client.post(
        f"{base}/reopening",
        data={"csrf_token": csrf, "business_date": "2026-06-01", "note": "返困"},
    )
    page = api.client.get(reopened.headers["location"])

    assert reviewed.status_code == closed.status_code == reopened.status_code == 303
    assert closed_again.status_code == 422 and "档案已结档" in closed_again.text
    timeline = page.text.split('id="timeline"')[1]
    for label in ("复核", "结档", "返困重启", "脱困（收入超过低保线）", "年度复核", "边缘"):
        assert label in timeline, label
    assert "在档" in page.text and "¥1,200.00" in page.text


def test_a_family_member_row_is_added_by_htmx_and_without_javascript(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)

    fragment = api.client.get("/app/households/new/member", params={"n": 1})
    no_script = api.client.post(
        "/app/households/new", data=filing(scene, csrf, name="") | {"add_member": "1"}
    )

    assert 'name="member-1-name"' in fragment.text and "n=2" in fragment.text
    assert no_script.status_code == 200 and 'name="member-1-name"' in no_script.text
    assert 'id="e-name"' not in no_script.text  # nothing is checked before the form is sent
