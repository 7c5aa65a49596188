"""Errors become a JSON envelope under /api and a page in the person's language elsewhere."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from midas.api.envelope import error_response, problems_from_validation
from midas.errors import AuthenticationFailed, InvalidInput, MidasError, NotFound
from midas.web.context import current_actor, request_locale
from midas.web.rendering import render

logger = logging.getLogger("midas.web")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _know_who_is_asking(request: Request) -> None:
    """An error raised before the route ran (an unknown address) still shows the person's menu and language."""
    if getattr(request.state, "actor", None) is not None or "session" not in request.scope:
        return
    try:
        with request.app.state.session_factory() as session:
            current_actor(request, session)
    except MidasError:
        return  # a revoked token or a stale cookie: the page is shown as to a visitor


def _midas_error(request: Request, error: MidasError) -> Response:
    _know_who_is_asking(request)
    if _is_api(request):
        return error_response(error, request_locale(request))
    if isinstance(error, AuthenticationFailed):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return render(request, "error.html", {"error": error}, status_code=error.status_code)


def _validation_error(request: Request, error: RequestValidationError) -> Response:
    return _midas_error(request, InvalidInput(problems_from_validation(error.errors())))


def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 404:
        return _midas_error(request, NotFound("This page does not exist"))
    wrapped = MidasError("Request failed: {detail}", {"detail": str(error.detail)})
    wrapped.status_code = error.status_code
    return _midas_error(request, wrapped)


def _unexpected_error(request: Request, error: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    wrapped = MidasError("Something went wrong on our side; the error has been logged")
    wrapped.status_code = 500
    wrapped.code = "internal_error"
    return _midas_error(request, wrapped)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MidasError, _midas_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
