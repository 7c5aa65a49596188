"""What each request knows: its database session, the acting person and their language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from midas.auth import ANONYMOUS, Actor, actor_for, actor_for_token, user_for_session
from midas.config import Settings
from midas.errors import AuthenticationFailed
from midas.i18n import DEFAULT_LOCALE, normalize_locale

LOCALE_COOKIE = "midas_locale"
SESSION_USER_KEY = "user_id"
SESSION_VERSION_KEY = "session_version"


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def db_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back when it raises."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the transaction commits before the response is sent, so the next request of the same
# client never waits on this one's write lock (SQLite) and never reads around an uncommitted change.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_actor(request: Request, session: DbSession) -> Actor:
    """The person (or their API token) behind this request, or ANONYMOUS."""
    token = bearer_token(request)
    if token is not None:
        actor = actor_for_token(session, secret=token)
        request.state.actor = actor
        return actor
    user_id = request.session.get(SESSION_USER_KEY)
    version = request.session.get(SESSION_VERSION_KEY)
    actor = ANONYMOUS
    if isinstance(user_id, int) and isinstance(version, int):
        user = user_for_session(session, user_id=user_id, session_version=version)
        if user is None:
            request.session.clear()
        else:
            actor = actor_for(user)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def signed_in_actor(actor: CurrentActor) -> Actor:
    if not actor.is_authenticated:
        raise AuthenticationFailed("Sign in first")
    return actor


SignedInActor = Annotated[Actor, Depends(signed_in_actor)]


def request_locale(request: Request) -> str:
    """The signed-in person's language, else the language cookie, else Korean."""
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is not None and actor.is_authenticated:
        return normalize_locale(actor.locale)
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie:
        return normalize_locale(cookie)
    return DEFAULT_LOCALE
