"""Settings: MIDAS_* variables are read, and production refuses the defaults anyone can read in the source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from midas.config import DEVELOPMENT_SECRET_KEY, Environment, Settings

A_GOOD_KEY = "k" * 20 + "9f3a1c7e5b2d4f60"  # 36 characters, not the development key


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own MIDAS_* variables must not leak into these tests."""
    for name in list(os.environ):
        if name.startswith("MIDAS_"):
            monkeypatch.delenv(name)


def test_development_accepts_the_defaults() -> None:
    settings = Settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.secret_key == DEVELOPMENT_SECRET_KEY
    assert settings.is_sqlite
    assert settings.sqlite_path() == Path("var/midas.db")
    assert settings.secure_cookies is False
    assert settings.default_locale == "ko"


def test_tests_accept_the_defaults_too() -> None:
    assert Settings(environment=Environment.TEST).secret_key == DEVELOPMENT_SECRET_KEY


def test_production_refuses_the_development_secret_key() -> None:
    with pytest.raises(ValidationError, match="MIDAS_SECRET_KEY"):
        Settings(environment=Environment.PRODUCTION, secure_cookies=True)


@pytest.mark.parametrize("length", [1, 16, 31])
def test_production_refuses_a_short_secret_key(length: int) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment=Environment.PRODUCTION, secret_key="x" * length, secure_cookies=True)


def test_production_refuses_cookies_sent_over_plain_http() -> None:
    with pytest.raises(ValidationError, match="MIDAS_SECURE_COOKIES"):
        Settings(environment=Environment.PRODUCTION, secret_key=A_GOOD_KEY, secure_cookies=False)


def test_production_accepts_a_long_random_key_and_secure_cookies() -> None:
    settings = Settings(environment=Environment.PRODUCTION, secret_key="x" * 32, secure_cookies=True)
    assert settings.environment is Environment.PRODUCTION


def test_midas_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIDAS_ENVIRONMENT", "production")
    monkeypatch.setenv("MIDAS_SECRET_KEY", A_GOOD_KEY)
    monkeypatch.setenv("MIDAS_SECURE_COOKIES", "true")
    monkeypatch.setenv("MIDAS_DATABASE_URL", "postgresql+psycopg://midas@db.example.kr/midas")
    monkeypatch.setenv("MIDAS_HOST", "0.0.0.0")
    monkeypatch.setenv("MIDAS_PORT", "9100")
    monkeypatch.setenv("MIDAS_SESSION_MAX_AGE_SECONDS", "3600")
    monkeypatch.setenv("MIDAS_UPLOAD_MAX_BYTES", "4096")
    monkeypatch.setenv("MIDAS_DEFAULT_LOCALE", "en")
    monkeypatch.setenv("MIDAS_PAGE_SIZE", "50")

    settings = Settings()

    assert settings.environment is Environment.PRODUCTION
    assert settings.secret_key == A_GOOD_KEY
    assert settings.secure_cookies is True
    assert settings.database_url == "postgresql+psycopg://midas@db.example.kr/midas"
    assert not settings.is_sqlite
    assert settings.sqlite_path() is None
    assert (settings.host, settings.port) == ("0.0.0.0", 9100)
    assert settings.session_max_age_seconds == 3600
    assert settings.upload_max_bytes == 4096
    assert settings.default_locale == "en"
    assert settings.page_size == 50


def test_production_from_the_environment_without_a_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIDAS_ENVIRONMENT", "production")
    monkeypatch.setenv("MIDAS_SECURE_COOKIES", "true")
    with pytest.raises(ValidationError, match="MIDAS_SECRET_KEY"):
        Settings()


def test_variables_without_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://someone-else@elsewhere/db")
    monkeypatch.setenv("PORT", "1234")
    settings = Settings()
    assert settings.is_sqlite
    assert settings.port == 8000


@pytest.mark.parametrize(
    ("name", "value"),
    [("MIDAS_PORT", "0"), ("MIDAS_PORT", "70000"), ("MIDAS_PAGE_SIZE", "1000"), ("MIDAS_ENVIRONMENT", "staging")],
)
def test_out_of_range_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("MIDAS_").lower()):
        Settings()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///var/midas.db", Path("var/midas.db")),
        ("sqlite:////srv/midas/midas.db", Path("/srv/midas/midas.db")),
        ("sqlite:///:memory:", None),
        ("sqlite://", None),
        ("postgresql+psycopg://midas@localhost/midas", None),
    ],
)
def test_the_sqlite_file_is_found_in_the_url(url: str, path: Path | None) -> None:
    assert Settings(database_url=url).sqlite_path() == path
