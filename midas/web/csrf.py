"""Cross-site request forgery protection.

Every session gets a random token. Forms carry it in a hidden field ``csrf_token``; htmx and fetch calls
carry it in the ``X-CSRF-Token`` header. Requests authenticated by a bearer token carry no cookie a
foreign site could ride on, so they need none.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from midas.errors import PermissionDenied
from midas.web.context import bearer_token

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


async def verify_csrf(request: Request) -> None:
    """A dependency for every route that changes something."""
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or sent is None or not hmac.compare_digest(expected, sent):
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            await (await request.form()).close()  # uploaded files spooled to disk are released at once
        raise PermissionDenied("The form has expired or did not come from this site; reload the page and try again")
