"""The project as it ships: the wheel holds every module and file of the packages, the container
files agree with it, and the wheel installed into a fresh environment (not the checkout) serves
the demo from another folder.

The wheel is built by pip from a copy of the source (the checkout is left as it is), with a local
version label, ``+packaging.test``, so an answer of the server shows which code it runs. The fresh
environment gets the wheel alone (``--no-deps``) and borrows the project environment's installed
dependencies through a ``.pth`` file, so nothing but the build backend is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.integration.test_cli import tokens_in
from tests.serving import serving

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "bench"}
MARK = "+packaging.test"
LEFT_OUT = shutil.ignore_patterns(
    ".*", "__pycache__", "*.egg-info", "build", "dist", "bangfu-data", *NOT_SHIPPED
)


def run(args: list[Any], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=180, check=False, **kwargs
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


def shipped_sources() -> set[str]:
    """Every file the wheel must hold: the top-level modules, and each file of each package."""
    packages = [
        d for d in ROOT.iterdir() if (d / "__init__.py").exists() and d.name not in NOT_SHIPPED
    ]
    files = {f.name for f in ROOT.glob("*.py")}
    for package in packages:
        files |= {
            f.relative_to(ROOT).as_posix()
            for f in package.rglob("*")
            if f.is_file() and "__pycache__" not in f.parts
        }
    return files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    pyproject = source / "pyproject.toml"
    version = re.compile(r'^version = "(.+)"$', re.M)
    pyproject.write_text(version.sub(rf'version = "\1{MARK}"', pyproject.read_text(), count=1))

    run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "--wheel-dir", work])

    (built,) = work.glob("bangfu-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel installed, seeing the project's dependencies."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python]
    run([*pip, "install", "--no-deps", "--no-index", "-q", wheel])
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    (Path(site.stdout.strip()) / "bangfu_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )
    return venv


def test_the_wheel_holds_every_module_and_file_of_the_packages(wheel: Path) -> None:
    held = set(zipfile.ZipFile(wheel).namelist())

    missing = sorted(shipped_sources() - held)

    assert not missing, f"files the wheel leaves out: {missing}"
    assert {"bootstrap.py", "settings.py", "domain/use_cases/__init__.py"} <= held


def test_the_image_copies_every_package_and_module_the_wheel_holds(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.split("/")[0] for n in names if ".dist-info/" not in n}
    copy_lines = re.findall(r"^COPY (.+)$", (ROOT / "Dockerfile").read_text(), re.M)
    copied = {Path(source).name for line in copy_lines for source in line.split()[:-1]}

    assert shipped <= copied, f"the image misses {sorted(shipped - copied)}"


def test_compose_runs_the_api_on_a_healthy_postgres_with_a_named_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]

    assert "healthcheck" in db and "healthcheck" in api
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["environment"]["BANGFU_DATABASE_URL"].startswith("postgresql://")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    keys = api["volumes"][0].split(":")
    assert keys[0] in compose["volumes"] and keys[0] != volume
    assert api["environment"]["BANGFU_MASTER_KEY_FILE"].startswith(keys[1])


def listed(url: str, headers: dict[str, str]) -> httpx.Response:
    """The list at ``url`` once its view holds a row (the projector catches up after start)."""
    deadline = time.monotonic() + 20
    while (response := httpx.get(url, headers=headers)).status_code == 200:
        if response.json()["items"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return response


WHERE_FROM = (
    "import importlib, sys\nfor m in sys.argv[1:]: print(importlib.import_module(m).__file__)"
)
MODULES = [
    "api.app",
    "bootstrap",
    "settings",
    "cli.main",
    "domain.use_cases",
    "projections.archive",
]


def test_the_installed_wheel_serves_the_demo_docs_and_views_from_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "PYTHON"))}
    env |= {"BANGFU_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    bangfu, python = installed / "bin" / "bangfu", installed / "bin" / "python"
    run([bangfu, "demo", "--households", "5"], cwd=elsewhere, env=env)  # small; serve reuses it
    origins = run([python, "-c", WHERE_FROM, *MODULES], cwd=elsewhere, env=env).stdout.split()

    log = elsewhere / "serve.log"
    with serving([bangfu, "serve", "--demo"], elsewhere, env, log) as base:
        auditor = {"Authorization": f"Bearer {tokens_in(log.read_text())['demo-auditor']}"}
        docs = httpx.get(f"{base}/docs")
        document = httpx.get(f"{base}/openapi.json")
        archive = listed(f"{base}/cases", auditor)
        funds = listed(f"{base}/funds", auditor)

    assert (docs.status_code, document.status_code) == (200, 200)
    assert "swagger-ui" in docs.text and "/openapi.json" in docs.text
    assert document.json()["info"]["version"].endswith(MARK)
    assert (archive.status_code, funds.status_code) == (200, 200)
    assert archive.json()["items"] and funds.json()["items"]
    assert len(origins) == len(MODULES)
    assert all(Path(origin).is_relative_to(installed) for origin in origins), origins
