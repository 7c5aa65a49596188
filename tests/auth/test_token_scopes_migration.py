"""Revision 0005 on both databases: tokens issued before scopes keep what their user's role allowed, and the
downgrade gives the table back as it was, tokens included."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, inspect

from midas import migrations
from midas.auth import ROLE_PERMISSIONS, Permission, Role, actor_for_token
from midas.db import UtcDateTime, make_engine, make_session_factory, transaction
from tests.conftest import create_postgres_database, drop_postgres_database

BEFORE, SCOPES = "0004", "0005"
USERS = sa.table("user_account", *(sa.column(name) for name in (
    "id", "email", "display_name", "password_hash", "role", "locale", "is_active", "session_version",
    "failed_logins")), sa.column("created_at", UtcDateTime()))
TOKENS = sa.table("api_token", *(sa.column(name) for name in ("id", "user_id", "name", "token_digest", "prefix")),
                  sa.column("created_at", UtcDateTime()))
LEGACY = {Role.COMPANY_MEMBER: "midas_member-before-scopes", Role.OPERATOR: "midas_operator-before-scopes",
          Role.AUDITOR: "midas_auditor-before-scopes"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_at_0004(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new database of each backend migrated to 0004, holding one token for each of three roles."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('scopes') / 'midas.db'}"
        migrations.upgrade(url, BEFORE)
        _add_legacy_tokens(url)
        yield url
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    url = create_postgres_database(admin_url)
    try:
        migrations.upgrade(url, BEFORE)
        _add_legacy_tokens(url)
        yield url
    finally:
        drop_postgres_database(admin_url, url)


def _add_legacy_tokens(url: str) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as connection:
            for number, (role, secret) in enumerate(LEGACY.items(), start=1):
                connection.execute(USERS.insert().values(
                    id=number, email=f"{role.value}@before.example.kr", display_name=role.value, password_hash="x",
                    role=role.value, locale="ko", is_active=True, session_version=1, failed_logins=0,
                    created_at=now))
                digest = hashlib.sha256(secret.encode()).hexdigest()  # how tokens have always been stored
                connection.execute(TOKENS.insert().values(id=number, user_id=number, name=f"{role.value} client",
                                                          token_digest=digest, prefix=secret[:12], created_at=now))
    finally:
        engine.dispose()


def _scopes_by_token(engine: Engine) -> dict[int, str]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, scopes FROM api_token ORDER BY id")).all()
    return {row.id: row.scopes for row in rows}


def test_old_tokens_get_their_roles_scopes_and_keep_working(database_at_0004: str) -> None:
    migrations.upgrade(database_at_0004, SCOPES)
    engine = make_engine(database_at_0004)
    try:
        assert _scopes_by_token(engine) == {
            1: "assessment:write ingest:write read registry:write support:apply",
            2: "program:manage read registry:write",
            3: "read",
        }
        migrations.upgrade(database_at_0004)  # the models below are those of head
        with transaction(make_session_factory(engine)) as session:
            for role, secret in LEGACY.items():
                actor = actor_for_token(session, secret=secret)
                assert actor.permissions == ROLE_PERMISSIONS[role] - {Permission.TOKENS_MANAGE_OWN}, role
    finally:
        engine.dispose()


def test_the_downgrade_drops_the_scopes_and_keeps_the_tokens(database_at_0004: str) -> None:
    migrations.upgrade(database_at_0004, SCOPES)
    migrations.downgrade(database_at_0004, BEFORE)
    engine = make_engine(database_at_0004)
    try:
        assert "scopes" not in {column["name"] for column in inspect(engine).get_columns("api_token")}
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM api_token")).scalar_one() == len(LEGACY)
    finally:
        engine.dispose()
    migrations.upgrade(database_at_0004, SCOPES)  # and up again, filling the column anew
    engine = make_engine(database_at_0004)
    try:
        assert _scopes_by_token(engine)[3] == "read"
    finally:
        engine.dispose()
