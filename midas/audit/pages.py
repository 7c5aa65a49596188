from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from midas.audit.service import list_events
from midas.web.context import DbSession, SignedInActor
from midas.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/audit")
def audit_log(
    request: Request, session: DbSession, actor: SignedInActor, object_type: str | None = None,
    object_id: str | None = None, action: str | None = None,
) -> Response:
    events = list_events(session, actor=actor, object_type=object_type or None, object_id=object_id or None,
                         action_prefix=action or None, limit=200)
    return render(request, "audit/events.html", {"events": events, "object_type": object_type or "",
                                                  "object_id": object_id or "", "action": action or ""})
