"""Fixtures for tests that run ingestion workers as separate processes (MQTT)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from midas.db import make_engine, make_session_factory
from tests.conftest import migrated_database


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def worker_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each backend that a worker PROCESS can reach (the rolled-back test transaction
    of the other tests is invisible to another process), one per test module."""
    with migrated_database(request, f"sqlite:///{tmp_path_factory.mktemp('worker') / 'midas.db'}") as url:
        yield url


@pytest.fixture(scope="module")
def worker_engine(worker_database: str) -> Iterator[Engine]:
    engine = make_engine(worker_database)
    yield engine
    engine.dispose()


@pytest.fixture
def db(worker_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the worker's database; what a test writes there is committed, for the worker to see."""
    return make_session_factory(worker_engine)
