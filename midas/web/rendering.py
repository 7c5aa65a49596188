"""Rendering pages: one Jinja environment over every domain's templates, with the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from midas import __version__
from midas.auth import ANONYMOUS, ROLE_LABELS, Actor
from midas.i18n import translate
from midas.web.context import request_locale
from midas.web.csrf import csrf_token
from midas.web.navigation import navigation_for

SEOUL = ZoneInfo("Asia/Seoul")
PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [PACKAGE_DIR / "web" / "templates", *sorted(PACKAGE_DIR.glob("*/templates"))]


def seoul_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in Korea's time zone."""
    return value.astimezone(SEOUL).strftime(fmt) if value else ""


def thousands(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


def krw(value: int | None, locale: str = "ko") -> str:
    """Money in won: 12억 3,400만 원 in Korean, KRW 1,234,000,000 in English."""
    if value is None:
        return ""
    if locale == "en":
        return f"KRW {value:,}"
    eok, rest = divmod(value, 100_000_000)
    man = rest // 10_000
    if eok and man:
        return f"{eok:,}억 {man:,}만 원"
    if eok:
        return f"{eok:,}억 원"
    if man:
        return f"{man:,}만 원"
    return f"{value:,}원"


# The request being rendered. Macros imported without context still reach `_` and `url_with` through
# these globals, so every template translates the same way.
_rendering: ContextVar[Request] = ContextVar("midas_rendering_request")


def _gettext_global(message: str, **params: object) -> str:
    return translate(request_locale(_rendering.get()), message, params)


def _url_with_global(**changes: object) -> str:
    return _url_with(_rendering.get(), **changes)


def make_templates() -> Jinja2Templates:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dict.fromkeys(TEMPLATE_DIRS)]),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["seoul_time"] = seoul_time
    environment.filters["thousands"] = thousands
    environment.globals["_"] = _gettext_global
    environment.globals["url_with"] = _url_with_global
    return Jinja2Templates(env=environment)


def _url_with(request: Request, **changes: object) -> str:
    """The current URL with some query parameters changed (for pagination and filter links)."""
    params = dict(request.query_params.items())
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """A page in the request's language, with the layout's shared context."""
    templates: Jinja2Templates = request.app.state.templates
    actor: Actor = getattr(request.state, "actor", ANONYMOUS)
    locale = request_locale(request)

    def gettext(message: str, **params: object) -> str:
        return translate(locale, message, params)

    shared: dict[str, Any] = {
        "request": request,
        "_": gettext,
        "locale": locale,
        "actor": actor,
        "role_label": gettext(ROLE_LABELS[actor.role]) if actor.role else "",
        "csrf_token": csrf_token(request),
        "navigation": navigation_for(actor),
        "version": __version__,
        "krw": lambda value: krw(value, locale),
        "url_with": lambda **changes: _url_with(request, **changes),
    }
    token = _rendering.set(request)
    try:
        return templates.TemplateResponse(request, template, {**shared, **(context or {})},
                                          status_code=status_code)
    finally:
        _rendering.reset(token)
