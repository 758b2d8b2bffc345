"""Finding a household on a real store: by archive number, ID number or name, within the
user's subtree only (another subtree's case is refused by URL too), names only for roles that
may read them, every read recorded; and the home page's tiles by role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from domain.id_numbers import make_id_number
from domain.vocabulary import Role
from tests.api.support import Api, World, case_body
from tests.api.test_personal_data import all_text_in_the_store
from tests.api.web_support import ON_POSTGRES, web_sign_in

pytestmark = ON_POSTGRES

NAME, OTHER_NAME = "李秀英", "李秀兰"


@dataclass
class Scene:
    """A household on the street (朝阳区) and one in the other district (南关区)."""

    mine: str
    mine_id_number: str
    theirs: str
    theirs_id_number: str
    district: str
    other_district: str
    street: str


def household(api: Api, centre: str, name: str, seq: int) -> tuple[str, str]:
    id_number = make_id_number("310101", date(1982, 3, 4), seq)
    who = {"name": name, "id_number": id_number, "phone": "13800000000"}
    return api.created("/cases", case_body(centre, person=who)), id_number


@pytest.fixture
def scene(api: Api, world: World) -> Scene:
    mine, mine_id = household(api, world.street, NAME, 1)
    theirs, theirs_id = household(api, world.other_district, OTHER_NAME, 2)
    api.view("/cases")  # the archive view has both
    api.view("/audit/events")
    return Scene(
        mine, mine_id, theirs, theirs_id, world.district, world.other_district, world.street
    )


def sign_in(api: Api, name: str, role: Role, centre: str | None) -> str:
    """Sign in through the form; the pages' answers are then read as sent (redirects kept)."""
    api.client.follow_redirects = True
    csrf = web_sign_in(api.client, api.ledger, name, role, UUID(centre) if centre else None)
    api.client.follow_redirects = False
    return csrf


def search(api: Api, csrf: str, q: str, by: str = "", **more: str) -> str:
    answer = api.client.post("/app/households", data={"q": q, "by": by, "csrf_token": csrf} | more)
    assert answer.status_code in (200, 422), answer.text
    return str(answer.text)


def found(html: str) -> list[str]:
    """The archives a results table links to."""
    return sorted(set(re.findall(r'href="/app/households/([0-9a-f-]{36})"', html)))


def test_a_caseworker_finds_a_household_by_its_archive_number_whole_or_its_first_characters(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)

    whole = api.client.get("/app/households", params={"q": scene.mine})
    first_eight = api.client.get("/app/households", params={"q": scene.mine[:8].upper()})
    too_short = api.client.get("/app/households", params={"q": scene.mine[:6], "by": "number"})
    posted = api.client.post("/app/households", data={"q": scene.mine[:8], "csrf_token": csrf})

    assert posted.status_code == 303 and scene.mine[:8] in posted.headers["location"]
    assert found(whole.text) == found(first_eight.text) == [scene.mine]
    assert NAME in first_eight.text
    assert too_short.status_code == 422 and "至少 8 位" in too_short.text


def test_a_caseworker_finds_a_household_by_id_number_which_stays_out_of_urls_and_the_store(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)

    html = search(api, csrf, scene.mine_id_number)
    by_get = api.client.get("/app/households", params={"q": scene.mine_id_number})
    wrong = search(api, csrf, scene.mine_id_number[:17] + "0", by="id_number")

    assert found(html) == [scene.mine] and NAME in html
    assert by_get.status_code == 422 and found(by_get.text) == []
    assert "身份证号无效" in wrong and found(wrong) == []
    assert scene.mine_id_number not in all_text_in_the_store(api)


def test_a_caseworker_finds_a_household_by_part_of_a_name_and_the_read_is_recorded(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "王干事", Role.CASEWORKER, scene.district)

    html = search(api, csrf, "秀英")
    everyone = search(api, csrf, "李", by="name")

    assert found(html) == [scene.mine] and NAME in html
    assert found(everyone) == [scene.mine]  # 李秀兰 lives in the other district
    assert 'name="sort_to"' in html and "q=" not in html  # sorted by buttons: no name in a URL
    api.position = api.ledger.recorder.max_notification_id() or 0
    reads = api.view("/audit/events", type="Recorded", by="王干事").json()["items"]
    assert [r["data"]["purpose"] for r in reads] == ["search by name"] * 2
    assert all(scene.mine in r["data"]["case_ids"] for r in reads)  # every one opened, and
    assert all(scene.theirs not in r["data"]["case_ids"] for r in reads)  # only the subtree's


def test_a_caseworker_of_another_subtree_finds_nothing_and_cannot_open_the_case_by_url(
    api: Api, scene: Scene
) -> None:
    csrf = sign_in(api, "赵干事", Role.CASEWORKER, scene.other_district)

    by_name = search(api, csrf, NAME)
    by_id = search(api, csrf, scene.mine_id_number)
    by_number = api.client.get("/app/households", params={"q": scene.mine[:8]})
    listed = api.client.get("/app/households")
    page = api.client.get(f"/app/households/{scene.mine}")
    visit = api.client.post(
        f"/app/households/{scene.mine}/visits",
        data={"csrf_token": csrf, "business_date": "2026-03-01", "visitors": "赵干事"},
    )

    assert found(by_name) == found(by_id) == found(by_number.text) == []
    assert found(listed.text) == [scene.theirs]
    assert page.status_code == 403 and visit.status_code == 403
    assert NAME not in page.text and scene.mine_id_number not in page.text
    assert "无权访问" in page.text
    assert api.client.get(f"/app/households/{UUID(int=7)}").status_code == 404


def test_finance_staff_see_no_names_and_cannot_search_by_name(api: Api, scene: Scene) -> None:
    csrf = sign_in(api, "会计", Role.FINANCE, None)

    listed = api.client.get("/app/households")
    by_name = api.client.post("/app/households", data={"q": NAME, "by": "name", "csrf_token": csrf})
    case = api.client.get(f"/app/households/{scene.mine}")

    assert {scene.mine, scene.theirs} <= set(found(listed.text))
    assert NAME not in listed.text and OTHER_NAME not in listed.text
    assert by_name.status_code == 422 and "不能按姓名或身份证号查找" in by_name.text
    assert case.status_code == 200 and NAME not in case.text and "不能查看个人信息" in case.text


def test_the_home_page_offers_caseworkers_find_and_file_and_supervisors_find_only(
    api: Api, scene: Scene
) -> None:
    sign_in(api, "王干事", Role.CASEWORKER, scene.district)
    caseworker = api.client.get("/app/")
    sign_in(api, "钱主任", Role.SUPERVISOR, scene.district)
    supervisor = api.client.get("/app/")
    filing_refused = api.client.get("/app/households/new")

    assert 'href="/app/households"' in caseworker.text
    assert 'href="/app/households/new"' in caseworker.text
    assert 'href="/app/households"' in supervisor.text
    assert 'href="/app/households/new"' not in supervisor.text
    assert filing_refused.status_code == 403
