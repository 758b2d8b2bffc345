"""The container files agree with the project (no Docker engine runs here to try them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_copies_every_package_the_project_installs() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]
    copied = set(re.findall(r"^COPY (\w+) ", (ROOT / "Dockerfile").read_text(), re.M))

    assert {p.split(".")[0] for p in packages} <= copied


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
