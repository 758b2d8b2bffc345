"""People sign in with the password the demo prints, see their pages in Chinese or English,
and sign out; forms without their CSRF token change nothing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_demo_user_signs_in_with_the_printed_password_and_signs_out(visit, lang):
    v = visit(lang)
    v.go("/app/sign-in")
    v.screenshot("sign-in")

    v.sign_in("demo-finance")

    heading = v.page.locator("h1").inner_text()
    assert heading == ("欢迎，demo-finance" if lang == "zh" else "Welcome, demo-finance")
    assert v.page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    v.screenshot("home-finance")
    v.sign_out()
    assert v.page.locator("[role=status]").inner_text() == (
        "您已退出" if lang == "zh" else "You have signed out"
    )
    v.go("/app/")
    assert "/app/sign-in" in v.page.url


def test_a_wrong_password_is_refused_beside_the_form(visit):
    v = visit("zh")
    v.go("/app/sign-in")

    v.page.fill("#f-name", "demo-auditor")
    v.page.fill("#f-password", "not-the-password")
    v.page.click("form[action='/app/sign-in'] button[type=submit]")

    assert v.page.locator("[role=alert]").inner_text() == "用户名或密码错误"
    assert v.page.input_value("#f-name") == "demo-auditor"
    assert "/app/sign-in" in v.page.url


def test_a_page_asked_for_before_signing_in_opens_after_signing_in(visit):
    v = visit("en")
    v.go("/app/account")
    assert "/app/sign-in" in v.page.url

    v.page.fill("#f-name", "demo-auditor")
    v.page.fill("#f-password", v.server.passwords["demo-auditor"])
    v.page.click("form[action='/app/sign-in'] button[type=submit]")

    v.page.wait_for_url("**/app/account?**")
    assert v.page.locator("h1").inner_text() == "My account"


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(visit):
    v = visit("en")
    v.sign_in("demo-caseworker")

    token = v.page.locator("form[action='/app/sign-out'] input[name=csrf_token]")
    token.evaluate("field => field.remove()")
    v.page.click("form[action='/app/sign-out'] button")

    assert v.page.locator("h1").inner_text().startswith("The form could not be verified")
    v.go("/app/")  # still signed in: the sign-out was refused
    assert v.page.locator("h1").inner_text() == "Welcome, demo-caseworker"


def test_the_language_chosen_is_remembered_across_pages(visit):
    v = visit("zh")
    v.sign_in("demo-supervisor")

    v.page.click("a.lang-switch")
    v.page.wait_for_url("**lang=en")  # the answer that sets the cookie has arrived
    v.page.goto(v.server.url + "/app/account")

    assert v.page.locator("h1").inner_text() == "My account"


def test_the_api_documentation_works_without_another_host(visit):
    v = visit("en")
    v.go("/docs")
    v.page.wait_for_selector(".swagger-ui .info", timeout=15000)
    v.screenshot("api-docs")

    v.go("/redoc")
    v.page.wait_for_selector("redoc h1, .api-info h1, h1", timeout=15000)


def test_the_demo_prints_the_web_apps_address_and_a_password_for_every_demo_user(demo_server):
    output = " ".join(demo_server.output.split())  # rich wraps long lines

    assert f"{demo_server.url}/app/" in output
    assert sorted(demo_server.passwords) == [
        "demo-admin",
        "demo-auditor",
        "demo-caseworker",
        "demo-finance",
        "demo-supervisor",
    ]
