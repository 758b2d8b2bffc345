"""An admin sets up the people who sign in: role, centre subtree and a password shown once."""

from __future__ import annotations

from domain.vocabulary import Role
from tests.api.support import Api, World
from tests.api.web_support import ON_POSTGRES, csrf_of, found_in, web_sign_in

pytestmark = ON_POSTGRES


def shown_password(html: str) -> str:
    return found_in(html, r'id="shown-password">([^<]+)<', "the page shows no password")


def add_user(api: Api, csrf: str, **fields: str):  # type: ignore[no-untyped-def]
    """The users page's form to add a user, sent with ``fields``."""
    return api.client.post("/app/users", data={**fields, "csrf_token": csrf})


def test_an_admin_adds_a_caseworker_of_a_street_who_then_signs_in_with_the_shown_password(
    api: Api, world: World
):
    client = api.client
    csrf = web_sign_in(client, api.ledger, "admin")

    added = add_user(api, csrf, name="王芳", role="caseworker", centre_id=world.street)

    assert added.status_code == 200, added.text
    password = shown_password(added.text)
    assert api.ledger.sign_in("王芳", password).centre_id is not None
    listed = client.get("/app/users")
    assert "王芳" in listed.text


def test_a_user_name_that_exists_is_refused_beside_the_name_and_the_form_keeps_its_values(
    api: Api, world: World
):
    client = api.client
    csrf = web_sign_in(client, api.ledger, "admin")

    answer = add_user(api, csrf, name="admin", role="auditor", centre_id=world.city)

    assert answer.status_code == 422
    assert 'id="e-name"' in answer.text
    assert 'value="admin"' in answer.text


def test_a_weak_first_password_adds_no_user(api: Api, world: World):
    client = api.client
    csrf = web_sign_in(client, api.ledger, "admin")

    answer = add_user(api, csrf, name="李雷", role="auditor", password="short")

    assert answer.status_code == 422 and 'id="e-password"' in answer.text
    assert "李雷" not in client.get("/app/users").text.split("<article>")[0]


def test_a_new_password_set_by_the_admin_signs_the_user_out_everywhere(api: Api, world: World):
    client = api.client
    web_sign_in(client, api.ledger, "clerk", Role.FINANCE, None)
    clerk_session = client.cookies["bangfu_session"]
    csrf = web_sign_in(client, api.ledger, "admin")

    answer = client.post("/app/users/password", data={"user": "clerk", "csrf_token": csrf})
    password = shown_password(answer.text)
    client.cookies.set("bangfu_session", clerk_session)

    assert api.ledger.sign_in("clerk", password).name == "clerk"
    assert client.get("/app/", follow_redirects=False).status_code == 303


def test_a_finance_user_cannot_open_the_users_page(api: Api, world: World):
    client = api.client
    web_sign_in(client, api.ledger, "clerk", Role.FINANCE, None)

    answer = client.get("/app/users")

    assert answer.status_code == 403
    assert "无权访问" in answer.text


def test_an_admin_bound_to_a_district_sees_and_sets_only_the_users_of_that_district(
    api: Api, world: World
):
    client = api.client
    web_sign_in(client, api.ledger, "street-worker", Role.CASEWORKER, world.street)
    web_sign_in(client, api.ledger, "other-worker", Role.CASEWORKER, world.other_district)
    csrf = web_sign_in(client, api.ledger, "district-admin", Role.ADMIN, world.district)

    page = client.get("/app/users")
    refused = client.post("/app/users/password", data={"user": "other-worker", "csrf_token": csrf})

    assert "street-worker" in page.text and "other-worker" not in page.text
    assert refused.status_code == 422
    assert csrf_of(page.text)


def test_an_admin_bound_to_a_district_cannot_add_an_unbound_user_or_one_of_another_district(
    api: Api, world: World
):
    client = api.client
    csrf = web_sign_in(client, api.ledger, "district-admin", Role.ADMIN, world.district)

    unbound = add_user(api, csrf, name="新管理员", role="admin")
    elsewhere = add_user(api, csrf, name="新管理员", role="admin", centre_id=world.other_district)

    assert unbound.status_code == 422 and 'id="e-centre_id"' in unbound.text
    assert elsewhere.status_code == 422 and 'id="e-centre_id"' in elsewhere.text
    assert "新管理员" not in client.get("/app/users").text.split("<article>")[0]
