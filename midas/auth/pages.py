from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from midas.auth import service
from midas.errors import AuthenticationFailed, InvalidInput
from midas.i18n import SUPPORTED_LOCALES
from midas.web.context import (
    LOCALE_COOKIE,
    SESSION_USER_KEY,
    SESSION_VERSION_KEY,
    CurrentActor,
    DbSession,
    SignedInActor,
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
        return render(request, "auth/login.html", {"next": _safe_next(next), "email": email, "error": error},
                      status_code=401)
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


@router.get("/account/tokens")
def tokens_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return render(request, "auth/tokens.html", {"tokens": service.list_api_tokens(session, actor=actor)})


@router.post("/account/tokens", dependencies=[Depends(verify_csrf)])
def issue_token_page(
    request: Request, session: DbSession, actor: SignedInActor, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        _, secret = service.issue_api_token(session, actor=actor, name=name)
    except InvalidInput as error:
        return render(request, "auth/tokens.html",
                      {"tokens": service.list_api_tokens(session, actor=actor), "error": error}, status_code=422)
    return render(request, "auth/tokens.html",
                  {"tokens": service.list_api_tokens(session, actor=actor), "new_secret": secret})


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_token_page(token_id: int, session: DbSession, actor: SignedInActor) -> Response:
    service.revoke_api_token(session, actor=actor, token_id=token_id)
    return RedirectResponse("/account/tokens", status_code=303)
