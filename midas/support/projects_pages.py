"""The projects pages of support programs (under /support): the list with filters and counts by status, and a
project's page: milestones, payments against the agreement, delivery, outcomes and the operators' actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from midas.auth import Actor
from midas.errors import Conflict, InvalidInput, MidasError
from midas.support import projects_service as service
from midas.support.enums import PAYER_LABELS, PROJECT_STATUS_LABELS, MilestoneStatus, PayerKind, ProjectStatus
from midas.web.charts import bar_chart
from midas.web.context import DbSession, SignedInActor
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/support", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]


ACHIEVED_PREFIX = "achieved:"
MILESTONE_LABELS: dict[MilestoneStatus, str] = {MilestoneStatus.PLANNED: "Planned", MilestoneStatus.DONE: "Done"}

LABELS: dict[str, Any] = {"status_labels": PROJECT_STATUS_LABELS, "payer_labels": PAYER_LABELS,
                          "milestone_labels": MILESTONE_LABELS, "kpi_labels": service.KPI_LABELS,
                          "payers": list(PayerKind)}


@router.get("/projects")
def projects_list(request: Request, session: DbSession, actor: SignedInActor, status: str = "",
                  round: str = "", page: int = 1) -> Response:
    error: MidasError | None = None
    try:
        listed = service.list_projects(session, actor=actor, status=status, round_ref=round, page=page)
    except InvalidInput as refused:
        error = refused
        listed = service.list_projects(session, actor=actor)
    def link(state: ProjectStatus) -> str:
        return "/support/projects?" + urlencode({"status": state.value, **({"round": round} if round else {})})

    chart = bar_chart([(PROJECT_STATUS_LABELS[s], n, link(s)) for s, n in listed.counts.items()])
    context = {**LABELS, "listed": listed, "status": status, "round": round, "statuses": list(ProjectStatus),
               "chart": chart, "error": error, "total": sum(listed.counts.values())}
    return render(request, "support/projects_list.html", context, status_code=error.status_code if error else 200)


def _render_project(request: Request, session: DbSession, actor: Actor, project_id: int, *,
                    error: MidasError | None = None, form_name: str = "", values: dict[str, str] | None = None,
                    done: str = "") -> Response:
    view = service.view_project(session, actor=actor, project_id=project_id)
    context: dict[str, Any] = {**LABELS, "view": view, "project": view.project, "application": view.project.application,
                               "error": error, "form_name": form_name, "values": values or {}, "done": done,
                               "open": view.project.status in service.OPEN_STATES}
    context["milestone_options"] = [(m.id, f"{m.title} ({m.due_on})") for m in view.project.milestones]
    if view.role == "operator":
        sanctions = service.clawback_sanctions(session, actor=actor, project_id=project_id)
        context["sanctions"] = sanctions
        context["sanction_options"] = [(s.id, f"#{s.id} {s.reason[:60]}") for s in sanctions]
        context["inspector_options"] = [(e.id, f"{e.name} ({e.employer_name})")
                                        for e in service.inspector_choices(session, actor=actor,
                                                                           project_id=project_id)]
    return render(request, "support/projects_detail.html", context, status_code=error.status_code if error else 200)


@router.get("/projects/{project_id}")
def project_detail(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                   done: str = "") -> Response:
    return _render_project(request, session, actor, project_id, done=done)


def _act(request: Request, session: DbSession, actor: Actor, project_id: int, form: dict[str, str], name: str,
         action: Callable[[], object]) -> Response:
    try:
        action()
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_project(request, session, actor, project_id, error=error, form_name=name, values=form)
    return see_other(f"/support/projects/{project_id}?done={name}#{name}")


@router.post("/projects/{project_id}/milestones", dependencies=CHANGES)
def add_milestone(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                  form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "milestones", lambda: service.add_milestone(
        session, actor=actor, project_id=project_id, title=form.get("title", ""), due_on=form.get("due_on", "")))


@router.post("/projects/{project_id}/milestones/{milestone_id}/done", dependencies=CHANGES)
def complete_milestone(request: Request, project_id: int, milestone_id: int, session: DbSession,
                       actor: SignedInActor, form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "milestones", lambda: service.complete_milestone(
        session, actor=actor, project_id=project_id, milestone_id=milestone_id, note=form.get("note", "")))


@router.post("/projects/{project_id}/payments", dependencies=CHANGES)
def record_payment(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "payments", lambda: service.record_payment(
        session, actor=actor, project_id=project_id, payer=form.get("payer", ""),
        amount_krw=form.get("amount_krw", ""), paid_on=form.get("paid_on", ""),
        milestone_id=form.get("milestone_id") or None, note=form.get("note", "")))


@router.post("/projects/{project_id}/delivered", dependencies=CHANGES)
def mark_delivered(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "delivery",
                lambda: service.mark_delivered(session, actor=actor, project_id=project_id))


@router.post("/projects/{project_id}/inspector", dependencies=CHANGES)
def assign_inspector(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                     form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "inspection", lambda: service.assign_inspector(
        session, actor=actor, project_id=project_id, expert_id=form.get("expert_id", "")))


@router.post("/projects/{project_id}/outcome", dependencies=CHANGES)
def record_outcome(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    achieved = {key.removeprefix(ACHIEVED_PREFIX): value for key, value in form.items()
                if key.startswith(ACHIEVED_PREFIX)}
    return _act(request, session, actor, project_id, form, "outcome", lambda: service.record_outcome(
        session, actor=actor, project_id=project_id, achieved=achieved))


@router.post("/projects/{project_id}/clawbacks", dependencies=CHANGES)
def apply_clawback(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "clawbacks", lambda: service.apply_clawback(
        session, actor=actor, project_id=project_id, sanction_id=form.get("sanction_id", ""),
        amount_krw=form.get("amount_krw", ""), reason=form.get("reason", ""),
        terminate=form.get("terminate", "")))


@router.post("/projects/{project_id}/terminate", dependencies=CHANGES)
def terminate_project(request: Request, project_id: int, session: DbSession, actor: SignedInActor,
                      form: FormFields) -> Response:
    return _act(request, session, actor, project_id, form, "terminate", lambda: service.terminate_project(
        session, actor=actor, project_id=project_id, reason=form.get("reason", "")))
