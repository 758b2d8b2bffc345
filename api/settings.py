"""Configuration from BANGFU_* environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """BANGFU_DATABASE_URL selects the store; unset means an SQLite file under ./bangfu-data/."""

    model_config = SettingsConfigDict(env_prefix="BANGFU_", env_file=".env", extra="ignore")

    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    create_tables: bool = True
    project_in_process: bool = True  # false when `bangfu project` runs the projections
    read_wait_seconds: float = 5.0  # how long a read waits for its view (min_position)
    signing_key_file: Path = Path("bangfu-data/signing-key.pem")  # Ed25519, made on first use
    checkpoint_every_events: int = 10_000
    checkpoint_every_seconds: float = 86_400.0
    master_key: str | None = None  # base64 of 32 bytes; wraps every household's key
    master_key_file: Path = Path("bangfu-data/master.key")  # used when master_key is unset
    policy_file: Path | None = (
        None  # dated policy data (低保 lines, caps) for the compliance checks
    )
