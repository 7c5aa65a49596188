from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from midas.auth import service
from midas.auth.enums import ROLE_LABELS, TOKEN_SCOPE_HINT_LABELS, TOKEN_SCOPE_LABELS, Permission, Role, TokenScope
from midas.errors import AuthenticationFailed, Conflict, InvalidInput
from midas.i18n import SUPPORTED_LOCALES, translate
from midas.registry import find_organization_by_brn, get_organization
from midas.web.context import (
    LOCALE_COOKIE,
    SESSION_USER_KEY,
    SESSION_VERSION_KEY,
    CurrentActor,
    DbSession,
    SignedInActor,
    request_locale,
)
from midas.web.csrf import verify_csrf
from midas.web.rendering import render

router = APIRouter(include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send people to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, actor: CurrentActor, next: str | None = None) -> Response:
    if actor.is_authenticated:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = service.authenticate(session, email=email, password=password)
    except AuthenticationFailed as error:
        session.commit()  # keep the count of failed attempts
        return render(request, "auth/login.html", {"next": _safe_next(next), "email": email, "error": error},
                      status_code=error.status_code)
    request.session.clear()  # a fresh session (and CSRF token) on every sign-in
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_VERSION_KEY] = user.session_version
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/language", dependencies=[Depends(verify_csrf)])
def switch_language(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Keep the choice on the account when signed in, and in a cookie for everyone."""
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput.single("locale", "Unsupported language {locale}", {"locale": locale})
    service.set_locale(session, actor=actor, locale=locale)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, locale, max_age=ONE_YEAR, samesite="lax")
    return response


def _tokens_context(session: DbSession, actor: SignedInActor, **extra: object) -> dict[str, object]:
    """What the tokens page shows: the actor's tokens, the scopes they may grant, and the form's last values."""
    return {
        "tokens": service.list_api_tokens(session, actor=actor),
        "scope_choices": [(scope.value, TOKEN_SCOPE_LABELS[scope], TOKEN_SCOPE_HINT_LABELS[scope])
                          for scope in service.grantable_scopes(actor)],
        "scope_labels": {scope.value: TOKEN_SCOPE_LABELS[scope] for scope in TokenScope},
        "can_issue": actor.can(Permission.TOKENS_MANAGE_OWN),
        "values": {"name": "", "scopes": []},
        **extra,
    }


@router.get("/account/tokens")
def tokens_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return render(request, "auth/tokens.html", _tokens_context(session, actor))


@router.post("/account/tokens", dependencies=[Depends(verify_csrf)])
def issue_token_page(
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Issue a token with the scopes ticked on the form; ticking none is an error, not "all of them"."""
    chosen = scopes or []
    try:
        _, secret = service.issue_api_token(session, actor=actor, name=name, scopes=chosen)
    except InvalidInput as error:
        return render(request, "auth/tokens.html",
                      _tokens_context(session, actor, error=error, values={"name": name, "scopes": chosen}),
                      status_code=422)
    return render(request, "auth/tokens.html", _tokens_context(session, actor, new_secret=secret))


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_token_page(token_id: int, session: DbSession, actor: SignedInActor) -> Response:
    service.revoke_api_token(session, actor=actor, token_id=token_id)
    return RedirectResponse("/account/tokens", status_code=303)


# Administration of accounts -----------------------------------------------------------------------------


def _role_options(gettext_locale: str) -> list[tuple[str, str]]:
    return [(role.value, translate(gettext_locale, ROLE_LABELS[role])) for role in Role]


def _organization_id_for(session: DbSession, actor: CurrentActor, brn: str) -> int | None:
    """The organization a BRN names, for linking a company member; a clear error when there is none."""
    if not brn.strip():
        return None
    organization = find_organization_by_brn(session, actor=actor, brn=brn)
    if organization is None:
        raise InvalidInput.single("organization_brn", "No organization with business registration number {brn}",
                                  {"brn": brn.strip()})
    return organization.id


@router.get("/admin/users")
def users_page(
    request: Request, session: DbSession, actor: SignedInActor, q: str = "", role: str = "", page: int = 1
) -> Response:
    selected_role = Role(role) if role in {r.value for r in Role} else None
    users = service.list_users(session, actor=actor, text=q, role=selected_role, page=page)
    return render(request, "auth/users.html", {
        "users": users, "q": q, "role": role, "roles": _role_options(request_locale(request)),
    })


@router.get("/admin/users/new")
def new_user_form(request: Request, actor: SignedInActor) -> Response:
    actor.require(Permission.USERS_MANAGE)
    return render(request, "auth/user_form.html", {"values": {"role": "operator"},
                                                   "roles": _role_options(request_locale(request))})


@router.post("/admin/users/new", dependencies=[Depends(verify_csrf)])
def create_user_page(
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    organization_brn: Annotated[str, Form()] = "",
) -> Response:
    values = {"email": email, "display_name": display_name, "role": role, "organization_brn": organization_brn}
    try:
        if role not in {r.value for r in Role}:
            raise InvalidInput.single("role", "Choose a role")
        user = service.create_user(
            session, actor=actor, email=email, display_name=display_name, password=password, role=Role(role),
            organization_id=_organization_id_for(session, actor, organization_brn),
        )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return render(request, "auth/user_form.html", {"values": values, "error": error,
                                                       "roles": _role_options(request_locale(request))},
                      status_code=422 if isinstance(error, InvalidInput) else 409)
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.get("/admin/users/{user_id}")
def user_page(request: Request, session: DbSession, actor: SignedInActor, user_id: int) -> Response:
    actor.require(Permission.USERS_MANAGE)
    user = service.get_user(session, user_id)
    organization = get_organization(session, actor=actor, organization_id=user.organization_id) \
        if user.organization_id else None
    return render(request, "auth/user_edit.html", {
        "user": user, "organization": organization, "roles": _role_options(request_locale(request)),
        "values": {"role": user.role.value, "organization_brn": organization.brn if organization else "",
                   "active": user.is_active},
    })


@router.post("/admin/users/{user_id}", dependencies=[Depends(verify_csrf)])
def update_user_page(
    request: Request,
    session: DbSession,
    actor: SignedInActor,
    user_id: int,
    role: Annotated[str, Form()] = "",
    organization_brn: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        if role not in {r.value for r in Role}:
            raise InvalidInput.single("role", "Choose a role")
        service.update_user(session, actor=actor, user_id=user_id, role=Role(role),
                            organization_id=_organization_id_for(session, actor, organization_brn),
                            active=active == "on", reason=reason)
    except InvalidInput as error:
        session.rollback()
        user = service.get_user(session, user_id)
        return render(request, "auth/user_edit.html", {
            "user": user, "organization": None, "error": error, "roles": _role_options(request_locale(request)),
            "values": {"role": role, "organization_brn": organization_brn, "active": active == "on",
                       "reason": reason},
        }, status_code=422)
    return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)
