"""The engines the platform opens: what each database connection is set up with."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from midas.db import make_engine


@pytest.mark.postgres
def test_postgresql_plans_every_statement_for_its_own_parameters(postgres_admin_url: str) -> None:
    """A statement prepared by psycopg (after five runs) must not fall back to one generic plan for any
    parameters: a year of KPI peers took three times longer on one."""
    engine = make_engine(postgres_admin_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    finally:
        engine.dispose()


def test_sqlite_checks_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/db.sqlite")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
