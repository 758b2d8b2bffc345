"""What one role does shows where another looks: a payment recorded by finance staff appears in
the supervisor's case history; a user an admin adds signs in with the password shown once."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_payment_recorded_by_finance_staff_appears_in_the_supervisors_case_history(visit):
    finance = visit("zh")
    finance.sign_in("demo-finance")
    finance.go("/app/funds/pay")
    finance.page.locator("#payable-funds tbody td a").first.click()
    household = finance.send_payment("2.71", "across-roles")
    finance.page.locator("#recorded").wait_for()

    supervisor = visit("en")
    supervisor.sign_in("demo-supervisor")
    supervisor.go(f"/app/archive/{household}")

    timeline = supervisor.page.locator("main").inner_text()
    assert "¥2.71" in timeline
    assert "demo-finance" in timeline


def test_a_user_the_admin_adds_signs_in_with_the_password_shown_once(visit):
    admin = visit("en")
    admin.sign_in("demo-admin")
    admin.go("/app/users")
    admin.page.fill("#f-name", "auditor-from-browser")
    admin.page.select_option("#f-role", "auditor")
    admin.page.click("form[action='/app/users'] button[type=submit]")
    password = admin.page.locator("#shown-password").inner_text()
    admin.screenshot("users")

    newcomer = visit("zh")
    newcomer.server.passwords["auditor-from-browser"] = password
    newcomer.sign_in("auditor-from-browser")

    assert newcomer.page.locator("h1").inner_text() == "欢迎，auditor-from-browser"
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", password)
