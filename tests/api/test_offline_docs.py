"""/docs, /redoc and every page's scripts and styles come from this host: vendored npm files."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.web.docs import install_docs
from api.web.static_files import STATIC, mount_static

VENDOR = STATIC / "vendor"
MANIFEST: dict[str, Any] = json.loads((VENDOR / "VENDORED.json").read_text(encoding="utf-8"))
CONTENT_TYPES = {
    ".js": {"text/javascript", "application/javascript"},
    ".css": {"text/css"},
    ".png": {"image/png"},
}

REMOTE_LOAD = re.compile(
    r"""(?:https?:)?//(?:cdn[\w.-]*|[\w.-]*\.cdn[\w.-]*|[\w.-]*jsdelivr[\w.-]*|unpkg\.com"""
    r"""|esm\.sh|fonts\.googleapis\.com|fonts\.gstatic\.com)(?:/[^\s"'`)]*)?""",
    re.IGNORECASE,
)
"""A URL on a content host: where a script or a stylesheet would fetch code, fonts or images."""

INERT_OR_REFUSED: set[tuple[str, str]] = set()
"""Content-host URLs a vendored file may hold as inert text; none today. (Redoc 2's side-menu
logo from cdn.redoc.ly is patched out: see static/vendor/README.md, "Local patches".)"""


class Links(HTMLParser):
    """Every src and href in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def vendored_files() -> list[dict[str, Any]]:
    return [file for package in MANIFEST["packages"] for file in package["files"]]


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI(title="Bangfu 帮扶", docs_url=None, redoc_url=None)
    install_docs(app)
    mount_static(app)
    with TestClient(app) as the_client:
        yield the_client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_every_script_style_and_icon_from_this_host(
    client: TestClient, page: str
) -> None:
    response = client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = links_of(response.text)
    assert urls, "the page names no script or stylesheet"
    assert all(url.startswith("/static/vendor/") for url in urls), urls
    assert "//" not in "".join(urls)
    assert "://" not in response.text
    assert "fonts.googleapis" not in response.text


def test_swagger_ui_finds_the_openapi_document_and_the_oauth2_redirect_on_this_host(
    client: TestClient,
) -> None:
    page = client.get("/docs").text

    assert "url: '/openapi.json'" in page
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in page
    assert '"validatorUrl": null' in page
    assert client.get("/docs/oauth2-redirect").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_the_docs_pages_forbid_the_browser_to_load_anything_from_another_host(
    client: TestClient,
) -> None:
    for page in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        policy = client.get(page).headers["content-security-policy"]

        sources = {word for directive in policy.split(";") for word in directive.split()[1:]}
        assert "default-src 'self'" in policy
        assert "img-src 'self' data:" in policy
        assert sources <= {"'self'", "'unsafe-inline'", "'none'", "data:", "blob:"}, policy


def test_the_docs_pages_follow_the_prefix_a_proxy_serves_the_app_under() -> None:
    app = FastAPI(docs_url=None, redoc_url=None)
    install_docs(app)
    client = TestClient(app, root_path="/bangfu")

    urls = links_of(client.get("/bangfu/redoc").text) + links_of(client.get("/bangfu/docs").text)

    assert urls and all(url.startswith("/bangfu/static/vendor/") for url in urls), urls


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_file_a_docs_page_names_is_served_with_its_content_type(
    client: TestClient, page: str
) -> None:
    for url in links_of(client.get(page).text):
        response = client.get(url)

        assert response.status_code == 200, url
        media_type = response.headers["content-type"].split(";")[0]
        assert media_type in CONTENT_TYPES[Path(url).suffix], (url, media_type)
        assert response.content == (STATIC / url.removeprefix("/static/")).read_bytes()


def test_every_vendored_script_stylesheet_and_image_is_served_with_its_content_type(
    client: TestClient,
) -> None:
    for file in vendored_files():
        suffix = Path(file["path"]).suffix
        if suffix not in CONTENT_TYPES:
            continue

        response = client.get(f"/static/vendor/{file['path']}")

        assert response.status_code == 200, file["path"]
        assert response.headers["content-type"].split(";")[0] in CONTENT_TYPES[suffix]
        assert response.headers["cache-control"] == "no-cache"


def test_a_browser_revalidating_a_vendored_file_gets_a_304_without_the_file(
    client: TestClient,
) -> None:
    first = client.get("/static/vendor/htmx.org/htmx.min.js")

    again = client.get(
        "/static/vendor/htmx.org/htmx.min.js", headers={"If-None-Match": first.headers["etag"]}
    )

    assert again.status_code == 304
    assert again.content == b""


def test_every_vendored_file_has_the_checksum_vendored_json_records() -> None:
    for file in vendored_files():
        data = (VENDOR / file["path"]).read_bytes()

        assert hashlib.sha256(data).hexdigest() == file["sha256"], file["path"]
        assert len(data) == file["bytes"], file["path"]


def test_the_vendor_folder_holds_nothing_that_vendored_json_does_not_list() -> None:
    listed = {file["path"] for file in vendored_files()} | {"VENDORED.json", "README.md"}

    present = {path.relative_to(VENDOR).as_posix() for path in VENDOR.rglob("*") if path.is_file()}

    assert present == listed
    assert not any(part == "node_modules" for path in VENDOR.rglob("*") for part in path.parts)


def test_vendored_json_pins_each_package_to_one_release_from_the_registry() -> None:
    versions = {package["name"]: package["version"] for package in MANIFEST["packages"]}

    assert set(versions) == {"htmx.org", "echarts", "swagger-ui-dist", "redoc", "@picocss/pico"}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in versions.values())
    assert versions["htmx.org"].startswith("2.0.")
    assert versions["echarts"].startswith("6.")
    assert versions["swagger-ui-dist"].startswith("5.")
    assert versions["@picocss/pico"] == "2.1.1"
    for package in MANIFEST["packages"]:
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package["integrity"]), package
        assert package["license"] in {"0BSD", "MIT", "Apache-2.0"}, package


def test_every_vendored_package_folder_carries_its_licence() -> None:
    for package in MANIFEST["packages"]:
        folder = VENDOR / package["folder"]

        assert folder.is_dir(), folder
        assert (folder / "LICENSE").stat().st_size > 0, folder
        assert f"{package['folder']}/LICENSE" in {file["path"] for file in package["files"]}
    assert {p.name for p in VENDOR.iterdir() if p.is_dir()} == {
        package["folder"] for package in MANIFEST["packages"]
    }


def test_no_vendored_script_or_stylesheet_loads_code_or_fonts_from_another_host() -> None:
    found = set()
    for file in vendored_files():
        if Path(file["path"]).suffix not in {".js", ".css"}:
            continue

        text = (VENDOR / file["path"]).read_text(encoding="utf-8")

        found |= {(file["path"], url) for url in REMOTE_LOAD.findall(text)}
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, file["path"]
        if file["path"].endswith(".css"):
            assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", text), file["path"]

    assert found == INERT_OR_REFUSED
