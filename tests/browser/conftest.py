"""A real server with demo data, and Debian's chromium driven by Playwright.

One `bangfu serve --demo` per test session (the README's first command, on a fresh data
directory): the tests sign in with the passwords it prints. Every page a test opens records the
requests it makes; a request to any other host fails the test. Screenshots go to
artifacts/screenshots/<lang>/ (a test artefact, not committed).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.serving import serving

CHROMIUM = os.environ.get("BANGFU_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ROOT = Path(__file__).resolve().parents[2]


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    message = f"no chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class DemoServer:
    """The running demo: its URL, what it printed, and the demo users' passwords."""

    url: str
    output: str
    passwords: dict[str, str] = field(default_factory=dict)


PASSWORD_LINE = re.compile(r"(demo-[a-z]+)[\s│|]+([a-z0-9]{4}(?:-[a-z0-9]{4}){3})\b")
"""A row of the demo's "Web sign-in" table: the user and the password made for this run."""


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    _require_chromium()
    data = tmp_path_factory.mktemp("bangfu-demo")
    env = {**os.environ, "BANGFU_DATA_DIR": str(data), "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("BANGFU_DATABASE_URL", None)
    log = data / "serve.log"
    command = [sys.executable, "-m", "cli.main", "serve", "--demo"]
    with serving(command, ROOT, env, log, patience=240) as url:
        output = log.read_text()
        yield DemoServer(url, output, dict(PASSWORD_LINE.findall(output)))


@pytest.fixture(scope="session")
def browser(demo_server: DemoServer) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """A browser context in one language, recording every host its pages ask for."""

    def __init__(self, browser: object, server: DemoServer, lang: str) -> None:
        # a copy of its own: a password a test adds for one visit is not the session's
        self.server = replace(server, passwords=dict(server.passwords))
        self.lang = lang
        locale = "zh-CN" if lang == "zh" else "en-US"
        self.context = browser.new_context(  # type: ignore[attr-defined]
            locale=locale, timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
        )
        self.foreign: list[str] = []
        own = urlsplit(server.url).netloc
        self.context.on(
            "request",
            lambda request: (
                self.foreign.append(request.url)
                if urlsplit(request.url).scheme not in ("data", "blob", "about")
                and urlsplit(request.url).netloc != own
                else None
            ),
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def go(self, path: str) -> object:
        separator = "&" if "?" in path else "?"
        response = self.page.goto(f"{self.server.url}{path}{separator}lang={self.lang}")
        return response

    def sign_in(self, name: str) -> None:
        self.go("/app/sign-in")
        self.page.fill("#f-name", name)
        self.page.fill("#f-password", self.server.passwords[name])
        self.page.click("form[action='/app/sign-in'] button[type=submit]")
        self.page.wait_for_url(f"{self.server.url}/app/**")

    def send_payment(self, amount: str, reference: str = "") -> str:
        """On a fund's payment form: ``amount`` yuan of the first assistance type to the first
        household it offers (with ``reference``), sent; returns the household's archive number."""
        household = str(self.page.locator("#active-cases option").first.get_attribute("value"))
        self.page.fill("#f-case_id", household)
        self.page.locator("#case-info span").wait_for()  # the household's centre and status
        self.page.select_option("#f-assistance_type", index=1)
        self.page.fill("#f-amount", amount)
        if reference:
            self.page.fill("#f-reference", reference)
        self.page.click("form[action$='/pay'] button[type=submit]")
        return household

    def sign_out(self) -> None:
        self.page.click("form[action='/app/sign-out'] button")
        self.page.wait_for_url("**/app/sign-in**")

    def screenshot(self, name: str) -> Path:
        folder = SCREENSHOTS / self.lang
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()
        assert not self.foreign, f"pages asked other hosts for: {sorted(set(self.foreign))}"
        assert not self.errors, f"scripts failed on the page: {self.errors}"


@pytest.fixture
def visit(browser: object, demo_server: DemoServer) -> Iterator[object]:
    """visit(lang) -> a Visit; every visit is closed (and checked) after the test."""
    opened: list[Visit] = []

    def open_visit(lang: str = "zh") -> Visit:
        opened.append(Visit(browser, demo_server, lang))
        return opened[-1]

    yield open_visit
    for v in opened:
        v.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (the README's test command), every browser test runs in one worker,
    so one demo server and one chromium serve them all."""
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
