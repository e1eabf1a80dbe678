"""Service settings, read from environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


class Settings(BaseSettings):
    """Every knob of the service; each is an environment variable of the same name."""

    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore"
    )

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file in DATA_DIR.",
    )
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Folder for the embedded SQLite store and the local admin key.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server binds.")
    port: int = Field(
        default=8000, ge=1, le=65535, description="Port the server binds."
    )
    log_level: str = Field(default="info", description="debug, info, warning or error.")
    auto_migrate: bool = Field(
        default=True,
        description="Upgrade the schema on start; turn off where several "
        "processes share one PostgreSQL and run `compute-cost migrate` instead.",
    )
    load_bundled_catalog: bool = Field(
        default=True,
        description="Load the bundled catalogue on start when the store is empty.",
    )
    catalog_refresh_seconds: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="How often a process checks whether another one changed the "
        "catalogue; its own changes are seen at once.",
    )
    key_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        description="How long a verified API key is trusted before it is checked "
        "again; a revocation in another process takes effect within this time.",
    )
    max_body_bytes: int = Field(
        default=2**20, ge=1024, description="Largest JSON request body accepted."
    )
    max_upload_bytes: int = Field(
        default=64 * 2**20, ge=1024, description="Largest catalogue file upload."
    )

    @property
    def embedded(self) -> bool:
        """Whether the store is the embedded SQLite default."""
        return not self.database_url

    def resolved_database_url(self) -> str:
        """Return the database URL, creating the data folder for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'compute-cost.sqlite3').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """Read the settings once per process."""
    return Settings()
