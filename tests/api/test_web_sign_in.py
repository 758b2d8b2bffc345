"""The web app's front door on a real store: sessions in a cookie, CSRF on every write, the JSON
API usable from the pages with the same session, errors as pages in the visitor's language."""

from __future__ import annotations

from domain.access import SYSTEM
from tests.api.support import Api
from tests.api.web_support import ON_POSTGRES, PASSWORD, csrf_of, web_sign_in

pytestmark = ON_POSTGRES


def test_the_root_leads_to_the_web_app_and_the_app_to_the_sign_in_page(api: Api):
    client = api.client

    root = client.get("/", follow_redirects=False)
    home = client.get("/app/", follow_redirects=False)

    assert root.status_code == 307 and root.headers["location"] == "/app/"
    assert home.status_code == 303
    assert home.headers["location"] == "/app/sign-in?next=%2Fapp%2F"


def test_signing_in_sets_an_httponly_samesite_session_cookie_that_holds_no_user_data(api: Api):
    client = api.client
    form = client.get("/app/sign-in")
    api.ledger.set_password(SYSTEM, "admin", PASSWORD)

    answer = client.post(
        "/app/sign-in",
        data={"name": "admin", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )

    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("bangfu_session=")
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/app/"
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "admin" not in cookie.split(";")[0]
    assert client.get("/app/").status_code == 200


def test_the_sign_in_form_without_its_csrf_token_is_refused(api: Api):
    client = api.client
    client.get("/app/sign-in")
    api.ledger.set_password(SYSTEM, "admin", PASSWORD)

    answer = client.post("/app/sign-in", data={"name": "admin", "password": PASSWORD})

    assert answer.status_code == 403
    assert "表单校验失败" in answer.text
    assert "bangfu_session" not in answer.headers.get("set-cookie", "")


def test_a_wrong_password_is_answered_on_the_form_with_the_name_kept(api: Api):
    client = api.client
    form = client.get("/app/sign-in?lang=en")

    answer = client.post(
        "/app/sign-in",
        data={"name": "admin", "password": "wrong-password", "csrf_token": csrf_of(form.text)},
    )

    assert answer.status_code == 401
    assert "The user name or password is wrong" in answer.text
    assert 'value="admin"' in answer.text


def test_after_five_failures_even_the_right_password_is_refused_for_a_while(api: Api):
    client = api.client
    api.ledger.set_password(SYSTEM, "admin", PASSWORD)
    for _ in range(5):
        form = client.get("/app/sign-in")
        client.post(
            "/app/sign-in",
            data={"name": "admin", "password": "wrong-password", "csrf_token": csrf_of(form.text)},
        )

    form = client.get("/app/sign-in")
    answer = client.post(
        "/app/sign-in",
        data={"name": "admin", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )

    assert answer.status_code == 429
    assert "登录失败次数过多" in answer.text


def test_signing_out_ends_the_session_on_the_server(api: Api):
    client = api.client
    csrf = web_sign_in(client, api.ledger, "admin")
    session = client.cookies["bangfu_session"]

    client.post("/app/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    client.cookies.set("bangfu_session", session)  # a stolen copy of the cookie

    assert client.get("/app/", follow_redirects=False).status_code == 303


def test_a_page_write_without_the_session_csrf_token_is_refused_and_changes_nothing(api: Api):
    client = api.client
    web_sign_in(client, api.ledger, "admin")

    answer = client.post("/app/sign-out", data={"csrf_token": "forged"})

    assert answer.status_code == 403
    assert client.get("/app/").status_code == 200  # still signed in


def test_the_json_api_answers_a_signed_in_page_and_wants_its_csrf_token_for_a_write(api: Api):
    client = api.client
    csrf = web_sign_in(client, api.ledger, "admin")
    body = {"name": "长春市", "level": "prefecture"}

    read = client.get("/audit/events")
    forged = client.post("/centres", json=body)
    written = client.post("/centres", json=body, headers={"X-CSRF-Token": csrf})

    assert read.status_code == 200
    assert forged.status_code == 403
    assert forged.headers["content-type"] == "application/problem+json"
    assert written.status_code == 201, written.text


def test_changing_the_password_signs_out_every_other_session(api: Api):
    client = api.client
    web_sign_in(client, api.ledger, "admin")
    other_session = client.cookies["bangfu_session"]
    page = client.get("/app/account")
    new = "another-long-password"

    changed = client.post(
        "/app/account/password",
        data={"current": PASSWORD, "new": new, "repeat": new, "csrf_token": csrf_of(page.text)},
    )
    still = client.get("/app/account")
    client.cookies.set("bangfu_session", other_session)
    old = client.get("/app/account", follow_redirects=False)

    assert changed.status_code == 200 and "密码已修改" in changed.text
    assert still.status_code == 200
    assert old.status_code == 303
    assert api.ledger.sign_in("admin", new).name == "admin"


def test_a_mistyped_new_password_is_said_beside_the_field(api: Api):
    client = api.client
    web_sign_in(client, api.ledger, "admin")
    page = client.get("/app/account?lang=en")

    answer = client.post(
        "/app/account/password",
        data={
            "current": PASSWORD,
            "new": "another-long-password",
            "repeat": "another-long-passw0rd",
            "csrf_token": csrf_of(page.text),
        },
    )

    assert answer.status_code == 422
    assert 'id="e-repeat"' in answer.text and "The two new passwords differ" in answer.text


def test_an_unknown_page_is_a_page_in_the_visitors_language_not_json(api: Api):
    client = api.client
    web_sign_in(client, api.ledger, "admin")

    answer = client.get("/app/no-such-page?lang=en")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Not found" in answer.text


def test_the_next_page_after_sign_in_is_never_another_host(api: Api):
    client = api.client
    api.ledger.set_password(SYSTEM, "admin", PASSWORD)
    form = client.get("/app/sign-in?next=https://evil.example/")

    answer = client.post(
        "/app/sign-in",
        data={
            "name": "admin",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )

    assert answer.headers["location"] == "/app/"
