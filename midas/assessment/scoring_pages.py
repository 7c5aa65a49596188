"""The scoring pages of the assessment (under /assessment): the experts' tablet scoring form, the assessment with
its reconciliation thread, and the company's list, self-assessment and report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from midas.assessment import report_service
from midas.assessment import scoring_service as service
from midas.assessment.enums import (
    ASSESSMENT_STATUS_LABELS,
    EVIDENCE_KIND_LABELS,
    TRACK_LABELS,
    AssessmentStatus,
    EvidenceKind,
)
from midas.assessment.frameworks import Area, Framework, Item, LocalizedText
from midas.assessment.reliability import DISAGREEMENT_KIND_LABELS
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, MidasError
from midas.web.context import DbSession, SignedInActor, request_locale
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/assessment", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
SCORE_PREFIX = "score:"
WHY_PREFIX = "why:"


def assessment_page(assessment_id: int) -> str:
    return f"/assessment/assessments/{assessment_id}"


@dataclass(frozen=True, slots=True)
class Section:
    """A collapsible part of the form: a top-tier area and, inside, the areas holding items."""

    area: Area
    groups: tuple[tuple[Area, tuple[Item, ...]], ...]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for _, items in self.groups for item in items)


def sections_of(framework: Framework) -> tuple[Section, ...]:
    """The form's sections: each root area with every area below it that holds items, in framework order."""
    sections = []
    for root in framework.children(None):
        under = {item.id for item in framework.items_under(root.id)}
        groups = tuple((area, area.items) for area in framework.areas if area.items and area.items[0].id in under)
        sections.append(Section(root, groups))
    return tuple(sections)


def localized(locale: str) -> Callable[[LocalizedText], str]:
    def text(value: LocalizedText) -> str:
        return value.en if locale == "en" else value.ko

    return text


def scores_from_form(form: Mapping[str, str]) -> dict[str, object]:
    """{item: score} from the form's ``score:<item>`` fields; empty ones are unscored, others are checked later."""
    scores: dict[str, object] = {}
    for key, value in form.items():
        if key.startswith(SCORE_PREFIX) and value.strip():
            text = value.strip()
            scores[key.removeprefix(SCORE_PREFIX)] = int(text) if text.lstrip("-").isdigit() else text
    return scores


def justifications_from_form(form: Mapping[str, str]) -> dict[str, object]:
    return {key.removeprefix(WHY_PREFIX): value for key, value in form.items()
            if key.startswith(WHY_PREFIX) and value.strip()}


def problems_by_field(error: MidasError | None) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    if isinstance(error, InvalidInput):
        for problem in error.problems:
            grouped[problem.field].append(problem)
    return grouped


def _common(request: Request, framework: Framework) -> dict[str, Any]:
    locale = request_locale(request)
    return {"framework": framework, "sections": sections_of(framework), "t": localized(locale),
            "status_labels": ASSESSMENT_STATUS_LABELS, "track_labels": TRACK_LABELS,
            "kind_labels": EVIDENCE_KIND_LABELS, "disagreement_labels": DISAGREEMENT_KIND_LABELS}


# The expert's scoring form ---------------------------------------------------------------------------------


def _render_score_form(request: Request, session: DbSession, actor: Actor, view: service.SheetView, *,
                       scores: Mapping[str, object] | None = None,
                       justifications: Mapping[str, object] | None = None,
                       error: MidasError | None = None, saved: str = "") -> Response:
    evidence = service.list_evidence(session, actor=actor, assessment_id=view.assessment.id)
    context = {
        **_common(request, view.framework), "view": view, "assessment": view.assessment,
        "scores": dict(view.scores) if scores is None else dict(scores),
        "justifications": dict(view.justifications) if justifications is None else dict(justifications),
        "error": error, "problems": problems_by_field(error), "saved": saved, "evidence": evidence,
        "kpi_available": service.kmds_data_available(session, view.assessment.organization_id),
        "evidence_kinds": list(EvidenceKind),
    }
    return render(request, "assessment/scoring_form.html", context,
                  status_code=error.status_code if error else 200)


@router.get("/assessments/{assessment_id}/score")
def score_form(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
               saved: str = "") -> Response:
    view = service.get_my_sheet(session, actor=actor, assessment_id=assessment_id)
    return _render_score_form(request, session, actor, view, saved=saved)


@router.post("/assessments/{assessment_id}/score", dependencies=CHANGES)
def save_score_form(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
                    form: FormFields) -> Response:
    """Save the draft (action=save) or submit the sheet (action=submit); problems are shown at their items."""
    scores, justifications = scores_from_form(form), justifications_from_form(form)
    try:
        if form.get("action") == "submit":
            service.submit_sheet(session, actor=actor, assessment_id=assessment_id, scores=scores,
                                 justifications=justifications)
            return see_other(assessment_page(assessment_id))
        service.save_sheet(session, actor=actor, assessment_id=assessment_id, scores=scores,
                           justifications=justifications)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        view = service.get_my_sheet(session, actor=actor, assessment_id=assessment_id)
        return _render_score_form(request, session, actor, view, scores=scores, justifications=justifications,
                                  error=error)
    return see_other(f"{assessment_page(assessment_id)}/score?saved=1")


@router.post("/assessments/{assessment_id}/score/draft", dependencies=CHANGES)
def autosave_draft(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    """htmx saves the draft a moment after each change and shows the result beside the buttons.

    Problems are answered with 200 so that htmx swaps them in; nothing is saved then, as with the button.
    """
    error: MidasError | None = None
    try:
        service.save_sheet(session, actor=actor, assessment_id=assessment_id, scores=scores_from_form(form),
                           justifications=justifications_from_form(form))
    except (InvalidInput, Conflict) as refused:
        session.rollback()
        error = refused
    return render(request, "assessment/scoring_status.html", {"error": error, "saved_at": utc_now()})


@router.post("/assessments/{assessment_id}/evidence", dependencies=CHANGES)
def add_evidence(
    request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
    kind: Annotated[str, Form()] = "", title: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
    item_id: Annotated[str, Form()] = "", file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    upload = None
    if file is not None and file.filename:
        upload = service.Upload(file.filename, file.content_type or "", file.file.read(service.MAX_EVIDENCE_BYTES + 1))
    try:
        service.add_evidence(session, actor=actor, assessment_id=assessment_id, kind=kind, title=title, note=note,
                             item_id=item_id or None, upload=upload)
    except InvalidInput as error:
        session.rollback()
        view = service.get_my_sheet(session, actor=actor, assessment_id=assessment_id)
        return _render_score_form(request, session, actor, view, error=error)
    return see_other(f"{assessment_page(assessment_id)}/score?saved=evidence#evidence")


# The assessment, its sheets side by side and the reconciliation thread -------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    score: int | None
    why: str


@dataclass(frozen=True, slots=True)
class Row:
    item: Item
    cells: tuple[Cell, ...]
    apart: bool  # the experts are further apart on the item than the round tolerates


def side_by_side(view: service.AssessmentView) -> tuple[tuple[service.ExpertSummary, ...], tuple[Row, ...]]:
    """The experts whose scores the viewer may see, and one row per item when there are two or more."""
    shown = tuple(e for e in view.experts if e.scores is not None and e.submitted_at is not None)
    if len(shown) < 2:
        return shown, ()
    rows = []
    for item in view.framework.items:
        cells = tuple(Cell((e.scores or {}).get(item.id), (e.justifications or {}).get(item.id, "")) for e in shown)
        values = [cell.score for cell in cells if cell.score is not None]
        spread = max(values) - min(values) if values else 0
        rows.append(Row(item, cells, spread > view.assessment.round.item_tolerance))
    return shown, tuple(rows)


def _render_assessment(request: Request, session: DbSession, actor: Actor, assessment_id: int, *,
                       error: MidasError | None = None) -> Response:
    view = service.view_assessment(session, actor=actor, assessment_id=assessment_id)
    shown, rows = side_by_side(view)
    evidence = [] if view.role == "company" else service.list_evidence(session, actor=actor,
                                                                        assessment_id=assessment_id)
    context = {**_common(request, view.framework), "view": view, "assessment": view.assessment, "error": error,
               "shown": shown, "side_by_side": rows, "evidence": evidence,
               "can_manage": actor.can(Permission.ASSESSMENT_MANAGE),
               "reported": view.assessment.status in service.REPORTED,
               "reconciling": view.assessment.status is AssessmentStatus.RECONCILIATION}
    return render(request, "assessment/reconciliation_assessment.html", context,
                  status_code=error.status_code if error else 200)


@router.get("/assessments/{assessment_id}")
def assessment_detail(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_assessment(request, session, actor, assessment_id)


def _act(request: Request, session: DbSession, actor: Actor, assessment_id: int,
         action: Callable[[], object]) -> Response:
    try:
        action()
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_assessment(request, session, actor, assessment_id, error=error)
    return see_other(assessment_page(assessment_id))


@router.post("/assessments/{assessment_id}/messages", dependencies=CHANGES)
def post_message(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
                 form: FormFields) -> Response:
    return _act(request, session, actor, assessment_id, lambda: service.post_message(
        session, actor=actor, assessment_id=assessment_id, body=form.get("body", "")))


@router.post("/assessments/{assessment_id}/third-expert", dependencies=CHANGES)
def call_third_expert(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _act(request, session, actor, assessment_id, lambda: service.call_third_expert(
        session, actor=actor, assessment_id=assessment_id))


@router.post("/assessments/{assessment_id}/finalize", dependencies=CHANGES)
def finalize(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
             form: FormFields) -> Response:
    return _act(request, session, actor, assessment_id, lambda: service.finalize(
        session, actor=actor, assessment_id=assessment_id, reason=form.get("reason", "")))


# The company -----------------------------------------------------------------------------------------------


@router.get("/company")
def company_home(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    assessments = service.company_assessments(session, actor=actor)
    return render(request, "assessment/company_assessments.html", {
        "assessments": assessments, "status_labels": ASSESSMENT_STATUS_LABELS, "reported": service.REPORTED,
        "open_scoring": service.OPEN_SCORING, "t": localized(request_locale(request)),
    })


def _render_self(request: Request, view: service.SelfView, *, scores: Mapping[str, object] | None = None,
                 error: MidasError | None = None, saved: str = "") -> Response:
    context = {**_common(request, view.framework), "view": view, "assessment": view.assessment,
               "scores": dict(view.scores) if scores is None else dict(scores), "error": error,
               "problems": problems_by_field(error), "saved": saved}
    return render(request, "assessment/company_self.html", context, status_code=error.status_code if error else 200)


@router.get("/assessments/{assessment_id}/self")
def self_form(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
              saved: str = "") -> Response:
    return _render_self(request, service.get_self_assessment(session, actor=actor, assessment_id=assessment_id),
                        saved=saved)


@router.post("/assessments/{assessment_id}/self", dependencies=CHANGES)
def save_self_form(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
                   form: FormFields) -> Response:
    scores = scores_from_form(form)
    try:
        if form.get("action") == "submit":
            service.submit_self_assessment(session, actor=actor, assessment_id=assessment_id, scores=scores)
            return see_other(f"{assessment_page(assessment_id)}/self?saved=submitted")
        service.save_self_assessment(session, actor=actor, assessment_id=assessment_id, scores=scores)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        view = service.get_self_assessment(session, actor=actor, assessment_id=assessment_id)
        return _render_self(request, view, scores=scores, error=error)
    return see_other(f"{assessment_page(assessment_id)}/self?saved=1")


def _render_report(request: Request, session: DbSession, actor: Actor, assessment_id: int, *,
                   error: MidasError | None = None) -> Response:
    report = report_service.build_report(session, actor=actor, assessment_id=assessment_id)
    locale = request_locale(request)
    context = {**_common(request, report.framework), "report": report, "assessment": report.assessment,
               "radar": report_service.radar_for(report, locale), "error": error,
               "series_labels": report_service.SERIES_LABELS, "track_reasons": report_service.TRACK_REASON_LABELS,
               "is_company": service.is_company_member_of(actor, report.assessment),
               "can_manage": actor.can(Permission.ASSESSMENT_MANAGE)}
    return render(request, "assessment/report_company.html", context,
                  status_code=error.status_code if error else 200)


@router.get("/assessments/{assessment_id}/report")
def report_page(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_report(request, session, actor, assessment_id)


@router.post("/assessments/{assessment_id}/responses", dependencies=CHANGES)
def add_response(request: Request, assessment_id: int, session: DbSession, actor: SignedInActor,
                 form: FormFields) -> Response:
    try:
        service.add_response(session, actor=actor, assessment_id=assessment_id, kind=form.get("kind", ""),
                             body=form.get("body", ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_report(request, session, actor, assessment_id, error=error)
    return see_other(f"{assessment_page(assessment_id)}/report#responses")


@router.post("/responses/{response_id}/answer", dependencies=CHANGES)
def answer_response(request: Request, response_id: int, session: DbSession, actor: SignedInActor,
                    form: FormFields) -> Response:
    response = service.answer_response(session, actor=actor, response_id=response_id,
                                       answer=form.get("answer", ""))
    return see_other(f"{assessment_page(response.assessment_id)}/report#responses")
