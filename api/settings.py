"""Configuration from BANGFU_* environment variables (pydantic-settings)."""

from __future__ import annotations

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
