"""The selection pages of support programs (under /support): the selection run of a round (run form, summary, budget
use, quotas, the applications at the line, every entry), the round's decisions (issue, counts, list, promote the
waitlist, decide by hand), and a company's notifications.

A national run (25,000 applications) takes several seconds: the run form posts with htmx and shows an indicator
while the server works, then swaps in the new run; without script it is an ordinary form.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from midas.auth import Actor, Permission
from midas.errors import MidasError
from midas.registry import regions
from midas.support import decisions_service, selection_service
from midas.support.enums import (
    DECISION_OUTCOME_LABELS,
    OBJECTIVE_LABELS,
    ROUND_STATUS_LABELS,
    TRACK_KIND_LABELS,
    DecisionOutcome,
    TrackKind,
)
from midas.support.notifications_service import count_unread, list_notifications, mark_all_read
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf
from midas.web.forms import see_other
from midas.web.rendering import render

router = APIRouter(prefix="/support", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
ENTRIES_PAGE_SIZE = 50
DECISIONS_PAGE_SIZE = 50


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _status(request: Request, error: MidasError | None) -> int:
    # htmx swaps only successful responses: the form's own request gets the page (with the error shown) as 200.
    if error is None or _is_htmx(request):
        return 200
    return error.status_code


def _page_number(request: Request) -> int:
    value = request.query_params.get("page", "1")
    return int(value) if value.isdigit() and int(value) >= 1 else 1


def _labels() -> dict[str, Any]:
    return {"track_labels": {k.value: v for k, v in TRACK_KIND_LABELS.items()},
            "outcome_labels": {k.value: v for k, v in DECISION_OUTCOME_LABELS.items()},
            "round_status_labels": ROUND_STATUS_LABELS, "objective_labels": OBJECTIVE_LABELS, "regions": regions(),
            "solver_status_labels": selection_service.SOLVER_STATUS_LABELS,
            "track_kinds": [k.value for k in TrackKind], "outcomes": [o.value for o in DecisionOutcome]}


# The selection run ---------------------------------------------------------------------------------------------


def _render_selection(request: Request, session: Session, actor: Actor, round_id: int, *,
                      error: MidasError | None = None, seed: str | None = None) -> Response:
    selection = selection_service.get_round_selection(session, actor=actor, round_id=round_id)
    track = request.query_params.get("track") or None
    funded_text = request.query_params.get("funded", "")
    funded = {"yes": True, "no": False}.get(funded_text)
    entries = None
    if selection.current is not None:
        entries = selection_service.list_selection_entries(
            session, actor=actor, run_id=selection.current.id, track=track, funded=funded,
            page=_page_number(request), page_size=ENTRIES_PAGE_SIZE)
    use = selection.current.budget_use if selection.current else []
    marginal: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in selection.current.marginal if selection.current else []:
        marginal[row["track"]].append(row)
    return render(request, "support/selection_round.html", {
        "selection": selection, "r": selection.round, "run": selection.current, "entries": entries,
        "track_use": [u for u in use if u["kind"] == "track"], "region_use": [u for u in use if u["kind"] == "region"],
        "quota_use": [u for u in use if u["kind"] == "quota"], "marginal": dict(marginal),
        "filters": {"track": track or "", "funded": funded_text}, "error": error,
        "seed": selection.round.lottery_seed or "" if seed is None else seed,
        "can_manage": actor.can(Permission.SUPPORT_MANAGE), **_labels(),
    }, status_code=_status(request, error))


@router.get("/rounds/{round_id}/selection")
def selection_page(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_selection(request, session, actor, round_id)


@router.post("/rounds/{round_id}/selection", dependencies=CHANGES)
def run_selection(request: Request, round_id: int, session: DbSession, actor: SignedInActor,
                  seed: Annotated[str, Form()] = "") -> Response:
    try:
        selection_service.run_selection(session, actor=actor, round_id=round_id, seed=seed.strip())
    except MidasError as error:
        if error.status_code in (401, 403, 404):
            raise
        return _render_selection(request, session, actor, round_id, error=error, seed=seed)
    return see_other(f"/support/rounds/{round_id}/selection")


# Decisions ---------------------------------------------------------------------------------------------------


def _render_decisions(request: Request, session: Session, actor: Actor, round_id: int, *,
                      error: MidasError | None = None, promoted: int | None = None,
                      values: Mapping[str, str] | None = None) -> Response:
    decisions_service.finalize_decisions(session)
    overview = decisions_service.get_decisions_overview(session, actor=actor, round_id=round_id)
    outcome = request.query_params.get("outcome") or None
    track_text = request.query_params.get("track_id", "")
    track_id = int(track_text) if track_text.isdigit() else None
    listed = decisions_service.list_round_decisions(
        session, actor=actor, round_id=round_id, outcome=outcome if outcome in _labels()["outcomes"] else None,
        track_id=track_id, page=_page_number(request), page_size=DECISIONS_PAGE_SIZE)
    return render(request, "support/decisions_round.html", {
        "overview": overview, "r": overview.round, "decisions": listed, "error": error, "promoted": promoted,
        "filters": {"outcome": outcome or "", "track_id": track_text}, "values": values or {},
        "can_manage": actor.can(Permission.SUPPORT_MANAGE), **_labels(),
    }, status_code=_status(request, error))


@router.get("/rounds/{round_id}/decisions")
def decisions_page(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_decisions(request, session, actor, round_id)


@router.post("/rounds/{round_id}/decisions", dependencies=CHANGES)
def issue_decisions(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    try:
        decisions_service.issue_decisions(session, actor=actor, round_id=round_id)
    except MidasError as error:
        if error.status_code in (401, 403, 404):
            raise
        return _render_decisions(request, session, actor, round_id, error=error)
    return see_other(f"/support/rounds/{round_id}/decisions")


@router.post("/rounds/{round_id}/tracks/{track_id}/promote", dependencies=CHANGES)
def promote_waitlist(request: Request, round_id: int, track_id: int, session: DbSession,
                     actor: SignedInActor) -> Response:
    try:
        promoted = decisions_service.promote_waitlist(session, actor=actor, track_id=track_id)
    except MidasError as error:
        if error.status_code in (401, 403, 404):
            raise
        return _render_decisions(request, session, actor, round_id, error=error)
    return _render_decisions(request, session, actor, round_id, promoted=len(promoted))


@router.post("/rounds/{round_id}/decisions/manual", dependencies=CHANGES)
def decide_application(request: Request, round_id: int, session: DbSession, actor: SignedInActor,
                       application_id: Annotated[str, Form()] = "", outcome: Annotated[str, Form()] = "",
                       reason: Annotated[str, Form()] = "") -> Response:
    values = {"application_id": application_id, "outcome": outcome, "reason": reason}
    try:
        decisions_service.decide_application(session, actor=actor, application_id=_whole(application_id),
                                             outcome=outcome, reasons=[reason])
    except MidasError as error:
        if error.status_code in (401, 403):
            raise
        return _render_decisions(request, session, actor, round_id, error=error, values=values)
    return see_other(f"/support/rounds/{round_id}/decisions")


def _whole(text: str) -> int:
    return int(text.strip()) if text.strip().isdigit() else 0


# Notifications -------------------------------------------------------------------------------------------------


@router.get("/notifications")
def notifications_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    items = list_notifications(session, actor=actor)
    return render(request, "support/notifications.html", {
        "notifications": items, "unread": count_unread(session, actor=actor)})


@router.post("/notifications/read", dependencies=CHANGES)
def mark_notifications_read(session: DbSession, actor: SignedInActor) -> Response:
    mark_all_read(session, actor=actor)
    return see_other("/support/notifications")
