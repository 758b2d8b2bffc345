"""The project as it ships: the wheel holds every module and file of the packages; the hashed
locks pin pyproject's ranges; the image and compose files install from them, keep no secret and
run as an unprivileged user; and the wheel installed into a fresh environment serves the demo.

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
import tomllib
import zipfile
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

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
    assert {"bootstrap.py", "schema.py", "settings.py", "domain/use_cases/__init__.py"} <= held


def test_the_image_copies_every_package_and_module_the_wheel_holds(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.split("/")[0] for n in names if ".dist-info/" not in n}
    copy_lines = re.findall(r"^COPY (.+)$", (ROOT / "Dockerfile").read_text(), re.M)
    copied = {Path(source).name for line in copy_lines for source in line.split()[:-1]}

    assert shipped <= copied, f"the image misses {sorted(shipped - copied)}"


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


LOCKS = ROOT / "requirements"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def pins(lock: Path) -> dict[str, tuple[Version, list[str]]]:
    """Each package the lock names: its pinned version and the hashes on its line."""
    text = re.sub(r"#.*", "", lock.read_text()).replace("\\\n", " ")
    found: dict[str, tuple[Version, list[str]]] = {}
    for line in filter(str.strip, text.splitlines()):
        spec, *options = line.split()
        name, _, version = spec.partition("==")
        hashes = [o.removeprefix("--hash=") for o in options if o.startswith("--hash=sha256:")]
        assert version and hashes and len(hashes) == len(options), f"{lock.name}: {line}"
        found[canonicalize_name(name)] = (Version(version), hashes)
    return found


def wanted(requirements: list[str], lock: dict[str, tuple[Version, list[str]]]) -> list[str]:
    """The requirements the lock leaves out or pins outside pyproject.toml's range."""
    misses = []
    for requirement in map(Requirement, requirements):
        pinned = lock.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned[0], prereleases=True):
            misses.append(f"{requirement} (locked: {pinned[0] if pinned else 'nothing'})")
    return misses


def test_every_lock_pins_each_direct_dependency_inside_pyprojects_range_with_hashes() -> None:
    runtime = PROJECT["project"]["dependencies"]
    app, test = pins(LOCKS / "app.lock"), pins(LOCKS / "test.lock")
    build = pins(LOCKS / "build.lock")

    assert wanted(runtime, app) == []
    assert wanted(runtime + PROJECT["project"]["optional-dependencies"]["test"], test) == []
    assert wanted(PROJECT["build-system"]["requires"], build) == []
    assert {name: pin[0] for name, pin in app.items()} == {n: test[n][0] for n in app}
    assert "pytest" not in app and "psycopg-binary" in app and "uvloop" in app
    assert os.access(LOCKS / "lock.sh", os.X_OK)


def strings(node: Any) -> Iterator[tuple[str, str]]:
    """Every (key, string) pair in a loaded YAML document, list items keyed by their parent."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        if isinstance(value, str):
            yield str(key), value
        elif isinstance(value, dict | list):
            yield from strings(value)


def test_compose_holds_no_password_and_takes_each_secret_from_the_ignored_env_file() -> None:
    pairs = list(strings(COMPOSE))
    secrets = [v for k, v in pairs if "PASSWORD" in k.upper()]
    userinfo = re.compile(r"://[^:/@\s]+:(\$\{[^}]*\}|[^@\s/]+)@")  # user:password@
    secrets += [found for _, v in pairs for found in userinfo.findall(v)]
    example = (ROOT / ".env.example").read_text()
    declared = set(re.findall(r"^([A-Z_]+)=", example, re.M))

    assert secrets and all(re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", s) for s in secrets), secrets
    assert {re.search(r"\w+", s)[0] for s in secrets} <= declared  # type: ignore[index]
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def mounts(service: str) -> dict[str, tuple[str, str]]:
    """A service's named volumes: name -> (path, mode)."""
    found = ((*v.split(":"), "rw")[:3] for v in SERVICES[service].get("volumes", []))
    return {name: (path, mode) for name, path, mode in found}


def test_compose_migrates_once_then_serves_and_projects_apart_with_health_checks() -> None:
    api, projector = SERVICES["api"], SERVICES["projector"]
    keys = mounts("migrate")["bangfu-keys"][0]

    assert "bangfu migrate" in " ".join(SERVICES["migrate"]["command"])
    for name in ("api", "projector"):
        assert SERVICES[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert mounts(name)["bangfu-keys"] == (keys, "ro") and "user" not in SERVICES[name]
        assert SERVICES[name]["environment"]["BANGFU_MASTER_KEY_FILE"].startswith(keys + "/")
        assert SERVICES[name]["environment"]["BANGFU_CREATE_TABLES"] == "false"
        assert SERVICES[name]["environment"]["BANGFU_MIGRATE_ON_START"] == "false"
    assert mounts("migrate")["bangfu-keys"] == (keys, "rw")
    assert api["environment"]["BANGFU_PROJECT_IN_PROCESS"] == "false"
    assert "/health/ready" in " ".join(api["healthcheck"]["test"])
    assert api["command"][:2] == ["bangfu", "serve"]
    assert projector["command"] == ["bangfu", "project"]
    assert projector["healthcheck"]["test"][:2] == ["CMD", "bangfu"]
    erasures = Path(api["environment"]["BANGFU_ERASURE_RECORD_FILE"]).parent.as_posix()
    assert (erasures, "rw") in mounts("api").values()
    assert mounts("db")["bangfu-pgdata"][1] == "rw"
    used = {v for s in SERVICES for v in mounts(s)}
    assert used == set(COMPOSE["volumes"]) == {"bangfu-pgdata", "bangfu-keys", "bangfu-erasures"}


def test_the_image_installs_the_hashed_lock_then_the_package_alone_and_runs_unprivileged() -> None:
    lines = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    instructions = [line.split(maxsplit=1) for line in lines if line and not line.startswith("#")]
    runs = [rest for kind, rest in instructions if kind == "RUN"]
    installs = [r for r in runs if "pip install" in r]
    ignored = set(re.sub(r"#.*", "", (ROOT / ".dockerignore").read_text()).split())
    copied = {s for kind, rest in instructions if kind == "COPY" for s in rest.split()[:-1]}

    assert "--require-hashes -r requirements/build.lock -r requirements/app.lock" in installs[0]
    assert len(installs) == 2 and "--no-deps --no-build-isolation ." in installs[1]
    assert {"requirements/app.lock", "requirements/build.lock"} <= copied
    kinds = [kind for kind, _ in instructions]
    last_user = len(kinds) - 1 - kinds[::-1].index("USER")
    assert instructions[last_user] == ["USER", "bangfu"] and "RUN" not in kinds[last_user:]
    assert "chown -R" not in " ".join(runs)  # the code stays root's
    assert {".venv", ".git", "tests", "bench", "bangfu-data", "artifacts", ".env"} <= ignored
    assert not [c for c in copied for i in ignored if fnmatch(c, i.removeprefix("**/"))]


def test_the_migrate_service_makes_the_keys_once_and_leaves_them_be(tmp_path: Path) -> None:
    migrate = SERVICES["migrate"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env |= {k: v.replace("/app/", f"{tmp_path}/") for k, v in migrate["environment"].items()}
    env["BANGFU_DATABASE_URL"] = f"sqlite:///{tmp_path / 'store.sqlite'}"  # keys: any store
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # bangfu and python of this venv
    keys = tmp_path / "keys"

    run(migrate["command"], env=env, cwd=tmp_path)
    made = {f.name: (f.read_bytes(), f.stat().st_mode & 0o777) for f in keys.iterdir()}
    run(migrate["command"], env=env, cwd=tmp_path)

    assert set(made) >= {"signing-key.pem", "master.key"}
    assert {mode for _, mode in made.values()} == {0o600}
    assert {f.name: (f.read_bytes(), f.stat().st_mode & 0o777) for f in keys.iterdir()} == made
