"""Test fixtures: real databases (SQLite and PostgreSQL) migrated by Alembic, one rolled-back
transaction per test, and an app client bound to that transaction."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from midas import migrations
from midas.auth.service import use_password_hasher
from midas.config import Environment, Settings
from midas.db import make_engine
from midas.web.app import create_app
from tests.services import POSTGRES_ADMIN_URL, missing

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    # Production argon2 costs ~0.1-0.5 s a hash on two cores; the tests hash hundreds of passwords and test
    # the flow, not the cost. The parameters stay real argon2id, only cheaper.
    use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    try:
        with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), connect_timeout=3):
            pass
    except psycopg.OperationalError as error:
        missing("PostgreSQL", f"{make_url(POSTGRES_ADMIN_URL).render_as_string()} refused: {error}".strip())
    return POSTGRES_ADMIN_URL


def create_postgres_database(admin_url: str) -> str:
    """A new, empty database on the test server; the caller drops it with drop_postgres_database."""
    name = f"midas_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # name is ours: letters, digits, underscores
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'midas.db'}"


@contextmanager
def migrated_database(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """A migrated database of the backend ``request.param`` names: the SQLite file at ``sqlite_url``, or a new
    PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        migrations.upgrade(sqlite_url)
        yield sqlite_url
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    url = create_postgres_database(admin_url)
    try:
        migrations.upgrade(url)
        yield url
    finally:
        drop_postgres_database(admin_url, url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """A migrated database of each backend, made once per test run and thrown away after."""
    with migrated_database(request, sqlite_url) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One outer transaction per test, rolled back at the end: tests never see each other's data."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the code under test release a SAVEPOINT; the outer transaction still rolls back.
    return sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(environment=Environment.TEST, database_url=database_url)


_APPS: dict[str, FastAPI] = {}


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    """The app of this test's database, built once per run (FastAPI builds its ~150 routes in 0.3-0.6 s, which
    over a thousand tests was most of the suite's time), with this test's settings and session factory."""
    app = _APPS.get(settings.database_url)
    if app is None:
        app = _APPS[settings.database_url] = create_app(settings)
    app.state.settings = settings
    app.state.session_factory = session_factory
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def shared_standards() -> Path:
    """The standards bodies' files in ../shared/standards (read-only, never copied into the project)."""
    path = Path(__file__).resolve().parents[2] / "shared" / "standards"
    if not path.is_dir():
        missing("../shared/standards", f"{path.name} not found beside the project")
    return path
