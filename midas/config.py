"""One typed settings object, read from ``MIDAS_*`` environment variables.

In production it refuses the built-in secret key (anyone can read it here) and cookies sent over plain HTTP,
so an operator cannot start a production server with an unsafe default.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "midas-development-secret-key-not-for-production"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of the platform; each one is documented in docs/en/settings.md."""

    model_config = SettingsConfigDict(env_prefix="MIDAS_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = Field(
        default="sqlite:///var/midas.db",
        description="SQLAlchemy URL; postgresql+psycopg://user@host/db switches to PostgreSQL.",
    )
    secret_key: str = Field(default=DEVELOPMENT_SECRET_KEY, description="Signs session cookies.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    upload_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    default_locale: str = "ko"
    page_size: int = Field(default=25, ge=5, le=200)
    secure_cookies: bool = False
    mqtt_host: str = Field(default="127.0.0.1", description="The MQTT broker `midas ingest mqtt` consumes from.")
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_client_id: str = Field(default="midas-ingest", description="Fixed: the broker keeps this session.")
    mqtt_topic_prefix: str = "midas/v1"

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError(
                    "MIDAS_SECRET_KEY must be set to a random value of at least 32 characters in production"
                )
            if not self.secure_cookies:
                raise ValueError("MIDAS_SECURE_COOKIES must be true in production (HTTPS only)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL, or None for PostgreSQL and in-memory SQLite."""
        if not self.is_sqlite:
            return None
        raw = self.database_url.split("///", 1)[1] if "///" in self.database_url else ""
        if raw in ("", ":memory:"):
            return None
        return Path(raw)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
