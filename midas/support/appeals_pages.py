"""The appeals pages of support programs (under /support): the company's appeal form, the operators' appeal list
and appeal page (re-reviewers, reviews side by side, resolution), and the experts' re-reviews and inspections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from midas.auth import Actor, Permission
from midas.errors import Conflict, InvalidInput, MidasError
from midas.support import appeals_service as service
from midas.support import projects_service
from midas.support.enums import (
    APPEAL_STATUS_LABELS,
    APPLICATION_STATUS_LABELS,
    DECISION_OUTCOME_LABELS,
    PROJECT_STATUS_LABELS,
    AppealStatus,
)
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/support", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]


LABELS: dict[str, Any] = {"appeal_labels": APPEAL_STATUS_LABELS, "outcome_labels": DECISION_OUTCOME_LABELS,
                          "application_labels": APPLICATION_STATUS_LABELS, "project_labels": PROJECT_STATUS_LABELS}


# The company's appeal form -------------------------------------------------------------------------------------


def _render_form(request: Request, session: DbSession, actor: Actor, decision_id: int, *,
                 error: MidasError | None = None, values: dict[str, str] | None = None, filed: str = "") -> Response:
    form = service.appeal_form(session, actor=actor, decision_id=decision_id)
    context = {**LABELS, "form": form, "error": error, "values": values or {}, "filed": filed,
               "min_reason": service.MIN_REASON}
    return render(request, "support/appeals_form.html", context, status_code=error.status_code if error else 200)


@router.get("/decisions/{decision_id}/appeal")
def appeal_page(request: Request, decision_id: int, session: DbSession, actor: SignedInActor,
                filed: str = "") -> Response:
    return _render_form(request, session, actor, decision_id, filed=filed)


@router.post("/decisions/{decision_id}/appeal", dependencies=CHANGES)
def file_appeal(request: Request, decision_id: int, session: DbSession, actor: SignedInActor,
                form: FormFields) -> Response:
    try:
        service.file_appeal(session, actor=actor, decision_id=decision_id, reason=form.get("reason", ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_form(request, session, actor, decision_id, error=error, values=form)
    return see_other(f"/support/decisions/{decision_id}/appeal?filed=1")


# The operators' appeals ------------------------------------------------------------------------------------------


@router.get("/appeals")
def appeals_list(request: Request, session: DbSession, actor: SignedInActor, status: str = "") -> Response:
    error: MidasError | None = None
    try:
        chosen = service.parse_status(status)
    except InvalidInput as refused:
        error, chosen = refused, None
    appeals = service.list_appeals(session, actor=actor, status=chosen)
    context = {**LABELS, "appeals": appeals, "status": chosen.value if chosen else "", "statuses": list(AppealStatus),
               "error": error}
    return render(request, "support/appeals_list.html", context, status_code=error.status_code if error else 200)


def _render_appeal(request: Request, session: DbSession, actor: Actor, appeal_id: int, *,
                   error: MidasError | None = None, values: dict[str, str] | None = None, done: str = "") -> Response:
    appeal = service.get_appeal(session, actor=actor, appeal_id=appeal_id)
    can_manage = actor.can(Permission.SUPPORT_MANAGE)
    search = None
    if can_manage and appeal.status is AppealStatus.OPEN:
        search = service.find_re_reviewers(session, actor=actor, appeal_id=appeal_id)
    experts = service.reviewer_names(session, appeal)
    context = {**LABELS, "appeal": appeal, "decision": appeal.decision, "application": appeal.decision.application,
               "search": search, "experts": experts, "can_manage": can_manage, "error": error,
               "values": values or {}, "done": done,
               "all_in": bool(appeal.reviews) and all(r.submitted_at for r in appeal.reviews)}
    return render(request, "support/appeals_detail.html", context, status_code=error.status_code if error else 200)


@router.get("/appeals/{appeal_id}")
def appeal_detail(request: Request, appeal_id: int, session: DbSession, actor: SignedInActor,
                  done: str = "") -> Response:
    return _render_appeal(request, session, actor, appeal_id, done=done)


def _act(request: Request, session: DbSession, actor: Actor, appeal_id: int, form: dict[str, str], done: str,
         action: Callable[[], object]) -> Response:
    try:
        action()
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_appeal(request, session, actor, appeal_id, error=error, values=form)
    return see_other(f"/support/appeals/{appeal_id}?done={done}")


@router.post("/appeals/{appeal_id}/reviewers", dependencies=CHANGES)
def assign_reviewers(request: Request, appeal_id: int, session: DbSession, actor: SignedInActor,
                     form: FormFields) -> Response:
    return _act(request, session, actor, appeal_id, form, "assigned", lambda: service.assign_re_reviewers(
        session, actor=actor, appeal_id=appeal_id, count=form.get("count", "")))


@router.post("/appeals/{appeal_id}/resolve", dependencies=CHANGES)
def resolve_appeal(request: Request, appeal_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    return _act(request, session, actor, appeal_id, form, "resolved", lambda: service.resolve_appeal(
        session, actor=actor, appeal_id=appeal_id, granted=form.get("granted", ""),
        resolution=form.get("resolution", "")))


# The experts' re-reviews and inspections -------------------------------------------------------------------------


def _render_reviews(request: Request, session: DbSession, actor: Actor, *, error: MidasError | None = None,
                    failed: str = "", values: dict[str, str] | None = None, done: str = "") -> Response:
    reviews = service.my_reviews(session, actor=actor)
    inspections = projects_service.my_inspections(session, actor=actor)
    maxima = {r.appeal_id: service.score_maximum(session, r.appeal.decision.application) for r in reviews
              if r.submitted_at is None}
    context = {**LABELS, "reviews": reviews, "inspections": inspections, "maxima": maxima, "error": error,
               "failed": failed, "values": values or {}, "done": done,
               "has_profile": service.expert_of(session, actor) is not None}
    return render(request, "support/reviews_mine.html", context, status_code=error.status_code if error else 200)


@router.get("/reviews")
def my_reviews(request: Request, session: DbSession, actor: SignedInActor, done: str = "") -> Response:
    return _render_reviews(request, session, actor, done=done)


@router.post("/reviews/appeals/{appeal_id}", dependencies=CHANGES)
def submit_review(request: Request, appeal_id: int, session: DbSession, actor: SignedInActor,
                  form: FormFields) -> Response:
    try:
        service.submit_review(session, actor=actor, appeal_id=appeal_id, score=form.get("score", ""),
                              supports_appeal=form.get("supports_appeal", ""), opinion=form.get("opinion", ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_reviews(request, session, actor, error=error, failed=f"appeal-{appeal_id}", values=form)
    return see_other("/support/reviews?done=review")


@router.post("/reviews/projects/{project_id}", dependencies=CHANGES)
def submit_inspection(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                      form: FormFields) -> Response:
    try:
        projects_service.submit_inspection(session, actor=actor, project_id=project_id,
                                           passed=form.get("passed", ""), note=form.get("note", ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_reviews(request, session, actor, error=error, failed=f"project-{project_id}", values=form)
    return see_other("/support/reviews?done=inspection")
