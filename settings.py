"""Configuration from BANGFU_* environment variables (pydantic-settings).

Everything Bangfu keeps on disk lives in one absolute data directory: BANGFU_DATA_DIR, else the
platform's data folder for applications (~/.local/share/bangfu on Linux). The embedded SQLite
store, the signing key and the master key default to files in it, so running `bangfu` from
another folder finds the same store and the same keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from platformdirs import user_data_path
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.clock import BUSINESS_ZONE


def default_data_dir() -> Path:
    """The platform's data folder for Bangfu (e.g. ~/.local/share/bangfu)."""
    return user_data_path("bangfu", appauthor=False)


class Settings(BaseSettings):
    """BANGFU_DATABASE_URL selects the store; unset means an SQLite file in the data directory."""

    model_config = SettingsConfigDict(env_prefix="BANGFU_", env_file=".env", extra="ignore")

    data_dir: Path = Path()  # resolved below: BANGFU_DATA_DIR or the platform's data folder
    database_url: str = ""  # resolved below: sqlite:////<data_dir>/bangfu.sqlite
    host: str = "127.0.0.1"
    port: int = 8000
    create_tables: bool = True
    project_in_process: bool = True  # false when `bangfu project` runs the projections
    read_wait_seconds: float = 5.0  # how long a read waits for its view (min_position)
    signing_key_file: Path = Path()  # Ed25519, made on first use; default <data_dir>/...
    checkpoint_every_events: int = 10_000
    checkpoint_every_seconds: float = 86_400.0
    master_key: str | None = None  # base64 of 32 bytes; wraps every household's key
    master_key_file: Path = Path()  # used when master_key is unset; default <data_dir>/...
    business_zone: str = BUSINESS_ZONE  # the time zone whose calendar gives business dates
    log_format: str = "auto"  # json, console, or auto: console in a terminal, else JSON lines
    log_level: str | None = None  # unset: INFO for serve/project, WARNING for other commands
    ready_max_lag_events: int = 10_000  # /health/ready fails when a view lags more than this
    metrics_token: str | None = None  # when set, /metrics wants "Authorization: Bearer <it>"
    migrate_on_start: bool = True  # false: a store behind this code is refused (`bangfu migrate`)
    erasure_record_file: Path | None = None  # default <master_key_file's folder>/erasures.jsonl

    @property
    def erasure_record_path(self) -> Path:
        """The erasure record (stores/erasure_record.py), kept with the keys, not the data."""
        chosen = self.erasure_record_file or self.master_key_file.parent / "erasures.jsonl"
        return chosen.absolute()

    @model_validator(mode="after")
    def _in_the_data_dir(self) -> Self:
        """Fill every unset location from one absolute data directory."""
        fields = self.model_fields_set
        self.data_dir = (self.data_dir if "data_dir" in fields else default_data_dir()).absolute()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'bangfu.sqlite'}"
        if "signing_key_file" not in fields:
            self.signing_key_file = self.data_dir / "signing-key.pem"
        if "master_key_file" not in fields:
            self.master_key_file = self.data_dir / "master.key"
        self.signing_key_file = self.signing_key_file.absolute()
        self.master_key_file = self.master_key_file.absolute()
        return self
