"""The pages are accessible: axe-core (vendored in tests/browser/vendor/ for the tests, never
served by the app) finds no serious or critical WCAG 2.1 A/AA problem on the main pages of each
role, in Chinese and in English, in the light colour scheme and (contrast) in the dark one; at a
tablet's size (768x1024) no page scrolls sideways (a wide table scrolls inside its own
container); and signing in works with the keyboard alone, the skip link being the first stop."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}

RUN_AXE = """async (only) => {
  const result = await axe.run(document, {
    runOnly: only ? {type: 'rule', values: [only]}
                  : {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations', 'incomplete'],
  });
  const serious = v => v.impact === 'serious' || v.impact === 'critical';
  const said = (v, kind) => ({kind, id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                              targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))});
  // "needs review" too (a duplicate id that a label points to, aria-label on a plain div), but
  // not a colour axe cannot work out (a select's arrow image, an empty field): no verdict there
  return result.violations.filter(serious).map(v => said(v, 'violation')).concat(
    result.incomplete.filter(v => serious(v) && v.id !== 'color-contrast')
      .map(v => said(v, 'needs review')));
}"""

WIDTHS = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const root = document.documentElement;
  const wide = [];
  if (root.scrollWidth > root.clientWidth + 1) {
    // the outermost elements that stick out to the right, to say where the page is too wide
    for (const el of document.body.querySelectorAll('*')) {
      if (el.getBoundingClientRect().right <= root.clientWidth + 1) continue;
      if (wide.some(w => w.contains(el))) continue;
      wide.push(el);
      if (wide.length >= 3) break;
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth,
          wide: wide.map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                               (el.className && typeof el.className === 'string'
                                  ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))};
}"""


@dataclass(frozen=True)
class Step:
    """One page of a role's walk: opened at ``go``, or by filling ``fill`` (selector: text) and
    clicking the first ``follow``; ready once ``ready`` shows (and, with ``settle``, once the
    requests the page makes by itself are done)."""

    name: str
    go: str = ""
    fill: dict[str, str] = field(default_factory=dict)
    follow: str = ""
    ready: str = ""
    settle: bool = False

    def take(self, v: Any) -> None:
        if self.go:
            v.go(self.go)
        for selector, text in self.fill.items():
            v.page.fill(selector, text)
        if self.follow:
            v.page.locator(self.follow).first.click()
        if self.ready:
            v.page.wait_for_selector(self.ready)
        if self.settle:
            v.page.wait_for_load_state("networkidle")


SIGN_IN = "form[action='/app/sign-in'] button[type=submit]"
FILE = "form[action='/app/households/new'] button[type=submit]:not([name])"
CASE = "#archive-table tbody tr:first-child td:first-child a"
ROLES: dict[str | None, tuple[Step, ...]] = {
    None: (
        Step("sign-in", go="/app/sign-in"),
        # a name of its own: no demo user's failures grow
        Step(
            "sign-in refused",
            fill={"#f-name": "no-such-user", "#f-password": "not-the-password"},
            follow=SIGN_IN,
            ready="[role=alert]",
        ),
    ),
    "demo-caseworker": (
        Step("households", go="/app/households"),
        Step("household case", follow="a.household-name", ready="#timeline"),
        Step("filing form", go="/app/households/new"),
        Step("filing form refused", follow=FILE, ready=".field-error"),
    ),
    "demo-finance": (
        Step("funds", go="/app/funds"),
        Step("fund", follow="#funds tbody th a", ready="#fund-balance"),
        # the household lookup that htmx makes on load
        Step("pay form", follow=".actions a[href$='/pay']", ready="#f-case_id", settle=True),
    ),
    "demo-supervisor": (
        Step("archive", go="/app/archive", ready="[data-chart='chart-category'] canvas"),
        Step("case history", follow=CASE, ready="#timeline"),
        Step("statistics", go="/app/archive/statistics", ready="[data-chart='chart-type'] canvas"),
    ),
    "demo-auditor": (
        Step("audit", go="/app/audit"),
        Step(
            "fund balance",
            follow="main table a[href^='/app/audit/funds/']",
            ready="#balance-chart canvas",
        ),
        Step("flows", go="/app/audit/flows", ready="#sankey-chart canvas"),
        Step("trail", go="/app/audit/trail"),
        Step("package", go="/app/audit/package"),
    ),
    # an admin's home has every area's tiles: the others' show fewer of the same
    "demo-admin": (
        Step("home", go="/app/"),
        Step("users", go="/app/users"),
        Step("account", go="/app/account"),
    ),
}
"""The main pages of each role (None: signed out), opened one after another in one visit."""


def _check(v: Any, name: str, problems: list[str]) -> None:
    """The open page's width at a tablet's size; then axe at the laptop's with every folded
    part (<details>) opened, and its colour contrast again in the dark colour scheme (Pico
    follows the system's)."""
    page = v.page
    where = f"{v.lang} {name} ({page.url.removeprefix(v.server.url)})"
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if v.lang == "zh" else "en")
    page.set_viewport_size(TABLET)
    widths = page.evaluate(WIDTHS)
    page.set_viewport_size(DESKTOP)
    if widths["scroll"] > widths["client"] + 1:
        problems.append(
            f"{where}: scrolls sideways at 768px ({widths['scroll']} > {widths['client']}),"
            f" too wide: {', '.join(widths['wide'])}"
        )
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=str(AXE))
    for scheme, only in (("light", None), ("dark", "color-contrast")):
        # no transitions: a colour read halfway through one is neither scheme's
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        for found in page.evaluate(RUN_AXE, only):
            targets = " | ".join(found["targets"])
            problems.append(
                f"{where} {scheme}: {found['id']} [{found['impact']}, {found['kind']}]"
                f" {found['help']} — {found['count']} element(s), e.g. {targets}"
            )
    page.emulate_media(color_scheme="light")


def test_the_main_pages_of_every_role_pass_axe_and_fit_a_tablet(visit: Any) -> None:
    problems: list[str] = []
    checked: list[str] = []
    for user, pages in ROLES.items():
        v = visit("zh")
        if user:
            v.sign_in(user)
        for lang in ("zh", "en"):
            v.lang = lang  # one signed-in visit: its pages asked for in each language in turn
            for step in pages:
                step.take(v)
                _check(v, f"{(user or 'signed out').removeprefix('demo-')} {step.name}", problems)
                checked.append(step.name)
    assert len(checked) == 40, checked
    assert not problems, "accessibility problems:\n" + "\n".join(problems)


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'body';
  return el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
}"""


def test_signing_in_works_with_the_keyboard_alone_and_the_skip_link_comes_first(
    visit: Any,
) -> None:
    v = visit("en")
    page = v.page
    page.emulate_media(reduced_motion="reduce")  # colours read at once are the final ones
    v.go("/app/sign-in")
    assert page.evaluate(FOCUSED) == "#f-name"  # the name field has the focus on arrival

    stops: list[str] = []  # back from the name field to the start of the page
    while (at := page.evaluate(FOCUSED)) != "body" and len(stops) < 10:
        stops.append(at)
        page.keyboard.press("Shift+Tab")
    assert stops == ["#f-name", "a.lang-switch", "a.brand", "a.skip"]  # the skip link first

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "a.skip"
    box = page.locator("a.skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # shown on screen while it has the focus
    page.add_script_tag(path=str(AXE))
    for scheme in ("light", "dark"):  # and readable, now that axe can see it
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(RUN_AXE, "color-contrast") == [], scheme
    page.emulate_media(color_scheme="light")
    assert page.evaluate(FOCUSED) == "a.skip"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "#main"

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "#f-name"
    page.keyboard.type("demo-caseworker")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "#f-password"
    page.keyboard.type(v.server.passwords["demo-caseworker"])
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "button"
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "/app/sign-in" not in page.url
    assert page.locator("h1").inner_text() == "Welcome, demo-caseworker"
    page.keyboard.press("Tab")  # a page without a field to start in: the skip link comes first
    assert page.evaluate(FOCUSED) == "a.skip"
