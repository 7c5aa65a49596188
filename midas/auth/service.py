from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from midas.audit import record
from midas.auth.actor import Actor
from midas.auth.enums import Permission, Role, TokenScope, scopes_of_role
from midas.auth.models import ApiToken, User
from midas.db import utc_now
from midas.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.i18n import SUPPORTED_LOCALES
from midas.paging import Page

TOKEN_PREFIX = "midas_"
MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()
# A real hash to verify against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash with other argon2 parameters from now on (the test suite uses cheap ones to stay fast)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def actor_for(user: User, *, token: ApiToken | None = None) -> Actor:
    """The Actor that a signed-in user (or a token of theirs) acts as."""
    return Actor(
        user_id=user.id,
        label=user.email if token is None else f"{user.email} (token {token.prefix})",
        role=user.role,
        organization_id=token.organization_id if token else user.organization_id,
        token_id=token.id if token else None,
        locale=user.locale,
        scopes=frozenset(token.scopes) if token else None,
    )


def _check_new_user(email: str, password: str, role: Role, organization_id: int | None) -> None:
    problems: list[Problem] = []
    if "@" not in email or len(email) > 254:
        problems.append(Problem("email", "Enter a valid e-mail address"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem("password", "The password must have at least {n} characters", {"n": MIN_PASSWORD_LENGTH})
        )
    if role is Role.COMPANY_MEMBER and organization_id is None:
        problems.append(Problem("organization_id", "A company member must belong to an organization"))
    if problems:
        raise InvalidInput(problems)


def create_user(
    session: Session,
    *,
    actor: Actor,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    organization_id: int | None = None,
    locale: str = "ko",
) -> User:
    """Register a person; only administrators may do it."""
    actor.require(Permission.USERS_MANAGE)
    email = email.strip().lower()
    _check_new_user(email, password, role, organization_id)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with the e-mail {email} exists already", {"email": email})
    user = User(
        email=email,
        display_name=display_name.strip() or email,
        password_hash=hash_password(password),
        role=role,
        organization_id=organization_id,
        locale=locale if locale in SUPPORTED_LOCALES else "ko",
    )
    session.add(user)
    session.flush()
    record(session, actor=actor, action="user.create", object_type="user", object_id=user.id,
           details={"email": email, "role": role.value})
    return user


class TooManyAttempts(AuthenticationFailed):
    status_code = 429
    code = "too_many_attempts"


def _refuse_while_locked(user: User | None) -> None:
    if user is not None and user.locked_until is not None and user.locked_until > utc_now():
        minutes = max(1, int((user.locked_until - utc_now()).total_seconds() // 60) + 1)
        raise TooManyAttempts("Too many failed sign-ins; try again in {minutes} minutes", {"minutes": minutes})


def _count_failure(user: User | None) -> None:
    if user is None:
        return
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = utc_now() + LOCK_DURATION
        user.failed_logins = 0


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active user with these credentials; one message for every failure, so accounts cannot be probed.

    The caller must commit even when this raises, so that failed attempts are counted.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    _refuse_while_locked(user)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        _count_failure(user)
        raise AuthenticationFailed("The e-mail address or password is wrong") from None
    if user is None or not user.is_active:
        raise AuthenticationFailed("The e-mail address or password is wrong")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utc_now()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No user with id {id}", {"id": user_id})
    return user


def user_for_session(session: Session, *, user_id: int, session_version: int) -> User | None:
    """The user a session cookie names, if the cookie is still valid for them."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != session_version:
        return None
    return user


def set_locale(session: Session, *, actor: Actor, locale: str) -> None:
    """Keep the language a signed-in person chose."""
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput.single("locale", "Unsupported language {locale}", {"locale": locale})
    if actor.user_id is None:
        return
    get_user(session, actor.user_id).locale = locale


def change_password(session: Session, *, actor: Actor, current: str, new: str) -> None:
    if actor.user_id is None:
        raise AuthenticationFailed("Sign in first")
    user = get_user(session, actor.user_id)
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise InvalidInput.single("current_password", "The current password is wrong") from None
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.single(
            "new_password", "The password must have at least {n} characters", {"n": MIN_PASSWORD_LENGTH}
        )
    user.password_hash = hash_password(new)
    user.session_version += 1
    record(session, actor=actor, action="user.change_password", object_type="user", object_id=user.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def grantable_scopes(actor: Actor) -> tuple[TokenScope, ...]:
    """The scopes the actor may put on a token: those that carry at least one permission of their role."""
    if actor.role is None:
        return ()
    held = scopes_of_role(actor.role)
    return tuple(scope for scope in TokenScope if scope in held)


def _chosen_scopes(actor: Actor, requested: Collection[str] | None) -> tuple[frozenset[TokenScope], list[Problem]]:
    """The scopes asked for, checked against the vocabulary and the actor's role; None means all of the role's."""
    grantable = grantable_scopes(actor)
    if requested is None:
        return frozenset(grantable), []
    problems: list[Problem] = []
    chosen: set[TokenScope] = set()
    for name in dict.fromkeys(str(n).strip() for n in requested):
        if name not in {scope.value for scope in TokenScope}:
            problems.append(Problem("scopes", "There is no scope {scope}", {"scope": name[:40]}))
        elif TokenScope(name) not in grantable:
            problems.append(Problem("scopes", "Your role cannot grant the scope {scope}", {"scope": name}))
        else:
            chosen.add(TokenScope(name))
    if not chosen and not problems:
        problems.append(Problem("scopes", "Choose at least one scope"))
    return frozenset(chosen), problems


def issue_api_token(
    session: Session, *, actor: Actor, name: str, scopes: Collection[str] | None = None
) -> tuple[ApiToken, str]:
    """A new token for the actor's own organization, limited to ``scopes``; the secret is returned once and
    never stored.

    Without ``scopes`` the token gets every scope the actor's role can grant, which is what a token could do
    before tokens had scopes; a person choosing on the form or in the API names the scopes instead.
    """
    actor.require(Permission.TOKENS_MANAGE_OWN)
    if actor.user_id is None or actor.token_id is not None:
        raise PermissionDenied("API tokens are issued to signed-in people, not to other tokens")
    chosen, problems = _chosen_scopes(actor, scopes)
    if not name.strip():
        problems.insert(0, Problem("name", "Give the token a name"))
    if problems:
        raise InvalidInput(problems)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.user_id,
        organization_id=actor.organization_id,
        name=name.strip()[:120],
        token_digest=_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
    )
    token.scopes = chosen
    session.add(token)
    session.flush()
    record(session, actor=actor, action="api_token.issue", object_type="api_token", object_id=token.id,
           details={"name": token.name, "organization_id": token.organization_id,
                    "scopes": [scope.value for scope in token.scopes]})
    return token, secret


def list_api_tokens(session: Session, *, actor: Actor) -> Sequence[ApiToken]:
    if actor.user_id is None:
        return []
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
    ).all()


def revoke_api_token(session: Session, *, actor: Actor, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.can(Permission.USERS_MANAGE)):
        raise NotFound("No API token with id {id}", {"id": token_id})
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        record(session, actor=actor, action="api_token.revoke", object_type="api_token", object_id=token.id,
               details={"name": token.name, "scopes": [scope.value for scope in token.scopes]})


def actor_for_token(session: Session, *, secret: str) -> Actor:
    """The Actor a bearer token acts as; refused if unknown, revoked or its user is inactive."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_digest == _digest(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationFailed("The API token is unknown or revoked")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("The API token is unknown or revoked")
    now = utc_now()
    # A machine client may call many times a second; recording the minute is enough and saves a write each.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return actor_for(user, token=token)


def count_users_by_role(session: Session) -> dict[Role, int]:
    rows = session.execute(select(User.role, func.count()).group_by(User.role)).all()
    return dict(rows)


def list_users(
    session: Session, *, actor: Actor, text: str = "", role: Role | None = None, page: int = 1, page_size: int = 25
) -> Page[User]:
    """People with an account, newest first, for the administrator's user list."""
    actor.require(Permission.USERS_MANAGE)
    query = select(User)
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern)))
    if role is not None:
        query = query.where(User.role == role)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(page, 1)
    items = session.scalars(query.order_by(User.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=items, total=total, page=page, page_size=page_size)


def update_user(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    role: Role,
    organization_id: int | None,
    active: bool,
    reason: str,
) -> User:
    """Change a person's role, organization or access. Any change signs them out everywhere."""
    actor.require(Permission.USERS_MANAGE)
    user = get_user(session, user_id)
    if user.id == actor.user_id and (role is not user.role or not active):
        raise InvalidInput.single("role", "You cannot change your own role or access; ask another administrator")
    if role is Role.COMPANY_MEMBER and organization_id is None:
        raise InvalidInput.single("organization_id", "A company member must belong to an organization")
    if not reason.strip():
        raise InvalidInput.single("reason", "Say why")
    before = {"role": user.role.value, "organization_id": user.organization_id, "active": user.is_active}
    after = {"role": role.value, "organization_id": organization_id, "active": active}
    if before == after:
        return user
    user.role, user.organization_id, user.is_active = role, organization_id, active
    user.session_version += 1
    record(session, actor=actor, action="user.update", object_type="user", object_id=user.id,
           reason=reason.strip(), details={"before": before, "after": after})
    return user


def reset_password(session: Session, *, actor: Actor, user_id: int, new_password: str, reason: str) -> None:
    """An administrator sets a new password (the person should change it after signing in)."""
    actor.require(Permission.USERS_MANAGE)
    user = get_user(session, user_id)
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.single(
            "new_password", "The password must have at least {n} characters", {"n": MIN_PASSWORD_LENGTH}
        )
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    record(session, actor=actor, action="user.reset_password", object_type="user", object_id=user.id,
           reason=reason.strip())
