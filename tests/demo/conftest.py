"""The demo's small country, seeded once per test module and database (seeding takes seconds), then rolled back.

The tests that take it only read it: a test that changes the demo's data seeds its own from ``session``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from midas.demo import seed_demo


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Iterator[Session]:
    """The small demo (seed 11), in a transaction of its own that is rolled back after the module's tests."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint") as session:
            seed_demo(session, scale="small", seed=11)
            yield session
        if outer.is_active:
            outer.rollback()
