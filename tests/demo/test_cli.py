"""`midas seed` and `midas demo` through Typer, each against a SQLite file of its own (the commands open their
own engine and commit, so they cannot share the tests' rolled-back connection)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from midas import migrations
from midas.auth import User
from midas.cli.main import app
from midas.config import get_settings
from midas.db import make_engine, make_session_factory
from midas.demo import demo_credentials
from midas.registry import Organization


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated SQLite database; the settings cache is cleared so the command reads its URL."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrations.upgrade(url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def midas(url: str, *args: str, **env: str) -> Result:
    # A wide terminal keeps Rich from wrapping the log-in table the tests read.
    return CliRunner().invoke(app, list(args), env={"MIDAS_DATABASE_URL": url, "COLUMNS": "200", **env})


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return (session.scalar(select(func.count()).select_from(Organization)) or 0,
                    session.scalar(select(func.count()).select_from(User)) or 0)
    finally:
        engine.dispose()


def test_seed_small_fills_the_database_and_prints_every_log_in_once(database_file: str) -> None:
    result = midas(database_file, "seed", "--scale", "small", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert counts(database_file) == (300, 12)
    for credential in demo_credentials(3):
        assert credential.email in result.output
        assert credential.password in result.output
        assert result.output.count(credential.password) == 1
    assert "기업 300 organizations" in result.output


def test_seed_refuses_a_seeded_database_without_reset_and_replaces_it_with_reset(database_file: str) -> None:
    assert midas(database_file, "seed", "--scale", "small", "--seed", "3").exit_code == 0
    refused = midas(database_file, "seed", "--scale", "small", "--seed", "4")
    assert refused.exit_code == 1
    assert "--reset" in refused.output
    assert "이미 기업 300곳" in refused.output
    assert demo_credentials(4)[0].password not in refused.output
    replaced = midas(database_file, "seed", "--scale", "small", "--seed", "4", "--reset")
    assert replaced.exit_code == 0, replaced.output
    assert demo_credentials(4)[0].password in replaced.output
    assert counts(database_file) == (300, 12)


def test_seed_migrates_a_new_database_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    get_settings.cache_clear()
    try:
        result = midas(url, "seed", "--scale", "small", "--seed", "1")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert counts(url) == (300, 12)


def test_seed_refuses_production_and_an_unknown_scale(database_file: str) -> None:
    production = {"MIDAS_ENVIRONMENT": "production", "MIDAS_SECRET_KEY": "k" * 40, "MIDAS_SECURE_COOKIES": "true"}
    refused = midas(database_file, "seed", "--scale", "small", **production)
    assert refused.exit_code == 1
    assert "production" in refused.output
    get_settings.cache_clear()
    unknown = midas(database_file, "seed", "--scale", "galactic")
    assert unknown.exit_code == 1
    assert "galactic" in unknown.output
    assert counts(database_file) == (0, 0)


class FakeServer:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run(self, app: object, **options: Any) -> None:
        self.calls.append({"app": app, **options})


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """uvicorn.run recorded instead of serving, so the command returns."""
    fake = FakeServer()
    monkeypatch.setattr(uvicorn, "run", fake.run)
    return fake


def test_demo_seeds_an_empty_database_prints_the_log_ins_and_serves(database_file: str, server: FakeServer) -> None:
    result = midas(database_file, "demo", "--scale", "small", "--seed", "9", "--port", "8765")
    assert result.exit_code == 0, result.output
    assert counts(database_file) == (300, 12)
    assert "http://127.0.0.1:8765" in result.output
    assert "데모 주소" in result.output
    assert all(c.password in result.output for c in demo_credentials(9))
    assert [(call["host"], call["port"]) for call in server.calls] == [("127.0.0.1", 8765)]


def test_demo_on_a_seeded_database_skips_seeding_and_prints_the_recorded_log_ins(
    database_file: str, server: FakeServer
) -> None:
    assert midas(database_file, "seed", "--scale", "small", "--seed", "9").exit_code == 0
    result = midas(database_file, "demo", "--seed", "2027")
    assert result.exit_code == 0, result.output
    assert "seeding skipped" in result.output
    assert all(c.password in result.output for c in demo_credentials(9))
    assert demo_credentials(2027)[0].password not in result.output
    assert counts(database_file) == (300, 12)
    assert "http://127.0.0.1:8000" in result.output
    assert len(server.calls) == 1


def test_demo_listens_where_midas_host_and_midas_port_say(database_file: str, server: FakeServer) -> None:
    assert midas(database_file, "seed", "--scale", "small", "--seed", "9").exit_code == 0
    get_settings.cache_clear()  # a new process reads the environment again
    result = midas(database_file, "demo", MIDAS_HOST="0.0.0.0", MIDAS_PORT="8777")
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:8777" in result.output
    assert [(call["host"], call["port"]) for call in server.calls] == [("0.0.0.0", 8777)]


def test_serve_runs_one_process_by_default_and_a_worker_per_process_asked_for(
    database_file: str, server: FakeServer
) -> None:
    """One process serves the app made here; with --workers N uvicorn starts N processes, each making its own app
    from the factory (uvicorn needs an import string for that), on the same address."""
    assert midas(database_file, "serve", "--port", "8766").exit_code == 0
    assert midas(database_file, "serve", "--port", "8766", "--workers", "2").exit_code == 0
    single, several = server.calls
    assert isinstance(single["app"], FastAPI)
    assert "workers" not in single
    assert (several["app"], several["factory"], several["workers"]) == ("midas.web.app:create_app", True, 2)
    assert [(call["host"], call["port"]) for call in server.calls] == [("127.0.0.1", 8766)] * 2
    assert midas(database_file, "serve", "--workers", "0").exit_code == 2  # refused by the option's minimum
