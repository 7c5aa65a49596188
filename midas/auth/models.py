from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from midas.auth.enums import Role, TokenScope
from midas.db import Base, UtcDateTime, enum_column, utc_now


class User(Base):
    """A person who signs in. Company members belong to one organization."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Guessing passwords: after too many failures in a row the account waits before it accepts another try.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiToken(Base):
    """A bearer token for a machine client, acting for its user within one organization and its scopes."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    # Only a SHA-256 digest is stored; the token itself is shown once, at creation.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    # The scopes, space-separated and sorted as OAuth 2 writes them ("ingest:write read"): a short fixed
    # vocabulary, always read and written whole, so a table of its own would buy nothing. An empty or unknown
    # name grants nothing: a damaged value fails closed.
    scope_names: Mapped[str] = mapped_column("scopes", String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def scopes(self) -> tuple[TokenScope, ...]:
        """The token's scopes in the order of their definition (names no longer defined are skipped)."""
        names = set(self.scope_names.split())
        return tuple(scope for scope in TokenScope if scope.value in names)

    @scopes.setter
    def scopes(self, scopes: frozenset[TokenScope]) -> None:
        self.scope_names = " ".join(sorted(scope.value for scope in scopes))
