"""The applications pages of support programs (under /support): the company's overview of open rounds and its
applications, starting an application, the plan form (with attachments), the status page, and, for operators, the
list of applications and a round's eligibility run with its results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from midas.assessment import TECHNOLOGY_LABELS
from midas.auth import Actor, Permission
from midas.errors import Conflict, InvalidInput, MidasError
from midas.i18n import translate
from midas.registry import SIZE_BAND_LABELS, regions
from midas.support import applications_service, eligibility_service
from midas.support.applications_api import download
from midas.support.applications_service import KPI_KINDS, KPI_LABELS, STEP_LABELS
from midas.support.eligibility import RULE_LABELS
from midas.support.eligibility_service import RULE_SHORT_LABELS
from midas.support.enums import (
    APPLICATION_STATUS_LABELS,
    DECISION_OUTCOME_LABELS,
    PROJECT_STATUS_LABELS,
    TRACK_KIND_LABELS,
    ApplicationStatus,
)
from midas.web.charts import bar_chart
from midas.web.context import DbSession, SignedInActor, request_locale
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/support", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
BLANK_ROWS = 2  # empty rows offered below the filled ones in each part of the plan form
PAGE_SIZE = 50


def _labels() -> dict[str, Any]:
    return {"track_labels": TRACK_KIND_LABELS, "status_labels": APPLICATION_STATUS_LABELS,
            "outcome_labels": DECISION_OUTCOME_LABELS, "project_status_labels": PROJECT_STATUS_LABELS,
            "technology_labels": TECHNOLOGY_LABELS, "kpi_kinds": KPI_KINDS, "kpi_labels": KPI_LABELS,
            "step_labels": STEP_LABELS, "rule_labels": RULE_LABELS, "rule_short_labels": RULE_SHORT_LABELS,
            "regions": regions(), "statuses": list(ApplicationStatus), "place_of": applications_service.place_of,
            "size_labels": {band.value: label for band, label in SIZE_BAND_LABELS.items()}}


def _page_number(request: Request) -> int:
    value = request.query_params.get("page", "1")
    return int(value) if value.isdigit() and int(value) >= 1 else 1


def _query_id(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


# The company -------------------------------------------------------------------------------------------------


@router.get("/my")
def my_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    """Open rounds with their tracks and an apply button, and the company's applications."""
    return render(request, "support/applications_my.html", {
        "open_rounds": applications_service.list_open_rounds_for_company(session, actor=actor),
        "applications": applications_service.list_my_applications(session, actor=actor), **_labels()})


def _render_new(request: Request, session: Session, actor: Actor, round_id: int, track_id: int | None, *,
                values: Mapping[str, str], error: MidasError | None = None) -> Response:
    form = applications_service.start_form(session, actor=actor, round_id=round_id, track_id=track_id)
    return render(request, "support/applications_new.html", {
        "form": form, "r": form.round, "values": values, "error": error, **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/applications/new")
def new_application_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    round_id = _query_id(request, "round")
    if round_id is None:
        return see_other("/support/my")
    track_id = _query_id(request, "track")
    return _render_new(request, session, actor, round_id, track_id, values={"track": str(track_id or "")})


@router.post("/applications", dependencies=CHANGES)
def start_application(request: Request, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    round_text = form.get("round_id", "")
    round_id = int(round_text) if round_text.isdigit() else 0
    try:
        application = applications_service.start_application(
            session, actor=actor, round_id=round_id, track=form.get("track"), factory_id=form.get("factory_id"),
            title=form.get("title"), scope=form.get("scope"))
    except (InvalidInput, Conflict) as error:
        track = form.get("track", "")
        return _render_new(request, session, actor, round_id, int(track) if track.isdigit() else None,
                           values=form, error=error)
    return see_other(f"/support/applications/{application.id}/edit")


def _render_status(request: Request, session: Session, actor: Actor, application_id: int, *,
                   error: MidasError | None = None) -> Response:
    view = applications_service.get_application_status(session, actor=actor, application_id=application_id)
    return render(request, "support/applications_status.html", {
        "view": view, "a": view.application, "error": error,
        "can_manage": actor.can(Permission.SUPPORT_MANAGE), **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/applications/{application_id}")
def status_page(request: Request, application_id: int, session: DbSession, actor: SignedInActor) -> Response:
    """Where the application stands: steps, plan, what is missing, eligibility checks, decision, project."""
    return _render_status(request, session, actor, application_id)


@router.post("/applications/{application_id}/submit", dependencies=CHANGES)
def submit_application(request: Request, application_id: int, session: DbSession, actor: SignedInActor) -> Response:
    try:
        applications_service.submit_application(session, actor=actor, application_id=application_id)
    except (InvalidInput, Conflict) as error:
        return _render_status(request, session, actor, application_id, error=error)
    return see_other(f"/support/applications/{application_id}")


@router.post("/applications/{application_id}/withdraw", dependencies=CHANGES)
def withdraw_application(request: Request, application_id: int, session: DbSession, actor: SignedInActor,
                         form: FormFields) -> Response:
    try:
        applications_service.withdraw_application(session, actor=actor, application_id=application_id,
                                                  reason=form.get("reason", ""))
    except Conflict as error:
        return _render_status(request, session, actor, application_id, error=error)
    return see_other(f"/support/applications/{application_id}")


@router.post("/applications/{application_id}/decline", dependencies=CHANGES)
def decline_grant(request: Request, application_id: int, session: DbSession, actor: SignedInActor,
                  form: FormFields) -> Response:
    """The company gives up its grant before the agreement."""
    try:
        applications_service.decline_grant(session, actor=actor, application_id=application_id,
                                           reason=form.get("reason", ""))
    except (Conflict, InvalidInput) as error:
        return _render_status(request, session, actor, application_id, error=error)
    return see_other(f"/support/applications/{application_id}")


@router.post("/applications/{application_id}/eligibility", dependencies=CHANGES)
def recheck_application(request: Request, application_id: int, session: DbSession, actor: SignedInActor) -> Response:
    """An operator's re-check of one application's eligibility."""
    try:
        eligibility_service.evaluate_application(session, actor=actor, application_id=application_id)
    except (InvalidInput, Conflict) as error:
        return _render_status(request, session, actor, application_id, error=error)
    return see_other(f"/support/applications/{application_id}")


# The plan form ----------------------------------------------------------------------------------------------


def _rows(values: Mapping[str, str], part: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one part of the form as typed (after a refusal), plus blank ones."""
    rows: list[dict[str, str]] = []
    position = 0
    while any(f"plan.{part}[{position}].{name}" in values for name in names):
        rows.append({name: values.get(f"plan.{part}[{position}].{name}", "") for name in names})
        position += 1
    return rows + [dict.fromkeys(names, "") for _ in range(BLANK_ROWS)]


def _stored_values(application: Any) -> dict[str, str]:
    """The form's fields from the stored plan, named as the form names them."""
    plan = application.plan or {}
    values: dict[str, str] = {"title": application.title, "goals": str(plan.get("goals") or ""),
                              "co_funder_id": str(application.co_funder_id or ""),
                              "government_krw": str(application.government_krw or ""),
                              "company_krw": str(application.company_krw or ""),
                              "co_funder_krw": str(application.co_funder_krw or "")}
    for kind, entry in (plan.get("target_kpis") or {}).items():
        for name in ("baseline", "target", "unit"):
            value = entry.get(name)
            values[f"plan.target_kpis.{kind}.{name}"] = "" if value is None else str(value)
    for part in ("suppliers", "budget_lines", "schedule"):
        for position, row in enumerate(plan.get(part) or []):
            for name, value in row.items():
                values[f"plan.{part}[{position}].{name}"] = "" if value is None else str(value)
    return values


def _render_edit(request: Request, session: Session, actor: Actor, application_id: int, *,
                 values: Mapping[str, str] | None = None, error: MidasError | None = None,
                 upload_error: MidasError | None = None, saved: bool = False) -> Response:
    view = applications_service.get_application_status(session, actor=actor, application_id=application_id)
    application = view.application
    if not view.can_change:
        return see_other(f"/support/applications/{application_id}")
    shown = dict(values) if values is not None else _stored_values(application)
    failed = error or upload_error
    return render(request, "support/applications_edit.html", {
        "view": view, "a": application, "values": shown, "error": error, "upload_error": upload_error,
        "saved": saved, "factories": applications_service.factories_for(session, actor=actor, application=application),
        "suppliers": _rows(shown, "suppliers", ("organization_id", "name", "solution")),
        "budget_lines": _rows(shown, "budget_lines", ("item", "amount_krw")),
        "schedule": _rows(shown, "schedule", ("title", "due_on")),
        "total": applications_service.budget_total(shown), "max_mb": applications_service.MAX_ATTACHMENT_BYTES
        // (1024 * 1024), **_labels(),
    }, status_code=failed.status_code if failed else 200)


@router.get("/applications/{application_id}/edit")
def edit_page(request: Request, application_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_edit(request, session, actor, application_id, saved=request.query_params.get("saved") == "1")


@router.post("/applications/{application_id}/edit", dependencies=CHANGES)
def save_plan(request: Request, application_id: int, session: DbSession, actor: SignedInActor,
              form: FormFields) -> Response:
    """Save the plan; "save and review" goes to the status page, where what is missing is listed."""
    raw = applications_service.plan_from_form(form)
    try:
        applications_service.update_application(session, actor=actor, application_id=application_id, raw=raw)
    except (InvalidInput, Conflict) as error:
        return _render_edit(request, session, actor, application_id, values=form, error=error)
    if form.get("then") == "review":
        return see_other(f"/support/applications/{application_id}")
    return see_other(f"/support/applications/{application_id}/edit?saved=1")


@router.post("/applications/{application_id}/total")
def running_total(actor: SignedInActor, form: FormFields) -> HTMLResponse:
    """The budget lines' total as typed, for the plan form's running total (htmx)."""
    total = applications_service.budget_total(form)
    return HTMLResponse("—" if total is None else f"{total:,}")


@router.post("/applications/{application_id}/attachments", dependencies=CHANGES)
def upload_attachment(request: Request, application_id: int, session: DbSession, actor: SignedInActor,
                      file: Annotated[UploadFile | None, File()] = None,
                      title: Annotated[str, Form()] = "") -> Response:
    content = file.file.read(applications_service.MAX_ATTACHMENT_BYTES + 1) if file is not None else b""
    try:
        applications_service.add_attachment(
            session, actor=actor, application_id=application_id, title=title,
            filename=(file.filename or "") if file is not None else "",
            content_type=(file.content_type or "") if file is not None else "", content=content)
    except (InvalidInput, Conflict) as error:
        return _render_edit(request, session, actor, application_id, upload_error=error)
    return see_other(f"/support/applications/{application_id}/edit#attachments")


@router.get("/applications/{application_id}/attachments/{attachment_id}")
def download_attachment(application_id: int, attachment_id: int, session: DbSession,
                        actor: SignedInActor) -> Response:
    attachment = applications_service.get_attachment(session, actor=actor, application_id=application_id,
                                                     attachment_id=attachment_id)
    return download(attachment.filename, attachment.content_type, attachment.content)


@router.post("/applications/{application_id}/attachments/{attachment_id}/delete", dependencies=CHANGES)
def delete_attachment(request: Request, application_id: int, attachment_id: int, session: DbSession,
                      actor: SignedInActor) -> Response:
    try:
        applications_service.remove_attachment(session, actor=actor, application_id=application_id,
                                               attachment_id=attachment_id)
    except Conflict as error:
        return _render_edit(request, session, actor, application_id, upload_error=error)
    return see_other(f"/support/applications/{application_id}/edit#attachments")


# Operators -----------------------------------------------------------------------------------------------------


@router.get("/applications")
def applications_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    """Every application, filtered by round, track, status and region."""
    status = request.query_params.get("status") or None
    region = request.query_params.get("region") or None
    round_id, track_id = _query_id(request, "round"), _query_id(request, "track")
    filters = {"round": round_id, "track": track_id, "status": status, "region": region}
    try:
        page = applications_service.list_applications(
            session, actor=actor, round_id=round_id, track_id=track_id, status=status, region=region,
            page=_page_number(request), page_size=PAGE_SIZE)
    except InvalidInput as error:
        return render(request, "support/applications_list.html", {"page": None, "error": error,
                                                                  "filters": filters, **_labels()}, status_code=422)
    return render(request, "support/applications_list.html", {"page": page, "error": None, "filters": filters,
                                                              "region_of": applications_service.region_of,
                                                              **_labels()})


def _render_eligibility(request: Request, session: Session, actor: Actor, round_id: int, *,
                        error: MidasError | None = None, ran: eligibility_service.EligibilitySummary | None = None,
                        ) -> Response:
    passed_text = request.query_params.get("passed", "")
    rule = request.query_params.get("rule") or None
    track = _query_id(request, "track")
    results = eligibility_service.list_eligibility_results(
        session, actor=actor, round_id=round_id, passed={"1": True, "0": False}.get(passed_text), track_id=track,
        failed_rule=rule if rule in RULE_LABELS else None, page=_page_number(request), page_size=PAGE_SIZE)
    labels = _labels()
    locale = request_locale(request)
    chart = bar_chart([(translate(locale, RULE_SHORT_LABELS.get(rule_code, rule_code), {}), count,
                        f"?rule={rule_code}&passed=0")
                       for rule_code, count in results.summary.failures_by_rule.items()])
    return render(request, "support/eligibility_round.html", {
        "results": results, "r": results.round, "summary": results.summary, "page": results.page, "chart": chart,
        "filters": {"passed": passed_text, "rule": rule or "", "track": track}, "error": error, "ran": ran,
        "can_manage": actor.can(Permission.SUPPORT_MANAGE), **labels,
    }, status_code=error.status_code if error else 200)


@router.get("/rounds/{round_id}/eligibility")
def eligibility_page(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    """A round's eligibility: the run button, counts, failures by rule (chart), and each application's checks."""
    return _render_eligibility(request, session, actor, round_id)


@router.post("/rounds/{round_id}/eligibility", dependencies=CHANGES)
def run_eligibility(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    try:
        eligibility_service.evaluate_round(session, actor=actor, round_id=round_id)
    except (InvalidInput, Conflict) as error:
        return _render_eligibility(request, session, actor, round_id, error=error)
    return see_other(f"/support/rounds/{round_id}/eligibility")
