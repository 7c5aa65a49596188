"""What every page module needs to read an HTML form and answer it: the submitted text fields, and the redirect
after a successful POST (303, so that a reload does not post again)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import RedirectResponse

from midas.web.csrf import FIELD as CSRF_FIELD


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted form's text fields, without the CSRF token."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != CSRF_FIELD}


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def see_other(path: str) -> RedirectResponse:
    """Go to ``path`` after a POST that changed something."""
    return RedirectResponse(path, status_code=303)
