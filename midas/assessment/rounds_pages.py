"""The rounds pages of the assessment (under /assessment): framework versions (import, preview, publish), rounds
(list, create, enrol, run the assignment and read its results) and the expert's own assignments (accept, decline).

A large round's assignment runs after the response, in a worker thread with a session of its own, while the page
polls a progress fragment (htmx, every second; a refresh without script). The progress of runs is kept in this
process's memory (:class:`RunBoard`): with several server processes, the page polls the one that started the run
only if the proxy keeps the operator on it, so such a deployment should run large rounds with
``midas assessment assign`` instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, UploadFile
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

from midas.assessment import framework_service, rounds_service
from midas.assessment.enums import (
    ASSESSMENT_STATUS_LABELS,
    ASSIGNMENT_STATUS_LABELS,
    FRAMEWORK_STATUS_LABELS,
    ROUND_STATUS_LABELS,
    TRACK_LABELS,
    AssignmentStatus,
)
from midas.assessment.rounds_service import PHASE_LABELS, AssignmentPhase
from midas.auth import Actor, Permission
from midas.config import Settings
from midas.db import transaction
from midas.errors import Conflict, InvalidInput, MidasError
from midas.registry import ksic_divisions, regions
from midas.web.context import DbSession, SignedInActor, settings_of
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/assessment", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
AppSettings = Annotated[Settings, Depends(settings_of)]
logger = logging.getLogger("midas.assessment")

# Rounds with more waiting assessments than this are assigned after the response, with a progress page.
INLINE_ASSESSMENTS = 300
RESULTS_PAGE_SIZE = 50
TRAVEL_LABELS = {"same-region": "Same region", "same-area": "Neighbouring region", "far": "Far"}


def _labels() -> dict[str, Any]:
    return {"round_status_labels": ROUND_STATUS_LABELS, "assessment_status_labels": ASSESSMENT_STATUS_LABELS,
            "assignment_status_labels": ASSIGNMENT_STATUS_LABELS, "framework_status_labels": FRAMEWORK_STATUS_LABELS,
            "track_labels": TRACK_LABELS, "travel_labels": TRAVEL_LABELS, "regions": regions(),
            "ksic_divisions": ksic_divisions(), "track_experts": rounds_service.TRACK_EXPERTS}


# Framework versions ------------------------------------------------------------------------------------------


def _render_frameworks(request: Request, session: Session, actor: Actor, *, values: Mapping[str, str] | None = None,
                       error: MidasError | None = None) -> Response:
    versions = framework_service.list_framework_versions(session, actor=actor)
    return render(request, "assessment/frameworks_list.html", {
        "versions": versions, "values": values or {}, "error": error,
        "can_manage": actor.can(Permission.ASSESSMENT_MANAGE), **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/frameworks")
def frameworks_page(request: Request, session: DbSession, actor: SignedInActor, start_from: int | None = None,
                    ) -> Response:
    """The versions, and the import form; ``start_from`` fills the form with a version's text to edit."""
    values: dict[str, str] = {}
    if start_from is not None and actor.can(Permission.ASSESSMENT_MANAGE):
        version = framework_service.get_framework_version(session, actor=actor, version_id=start_from)
        values = {"source": version.source, "file_format": version.source_format}
    return _render_frameworks(request, session, actor, values=values)


@router.post("/frameworks", dependencies=CHANGES)
def import_framework(
    request: Request, session: DbSession, actor: SignedInActor, settings: AppSettings,
    source: Annotated[str, Form()] = "", file_format: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import from the uploaded file if one is given, else from the text area; problems are shown in place."""
    values = {"source": source, "file_format": file_format}
    try:
        if file is not None and file.filename:
            data = file.file.read(settings.upload_max_bytes + 1)
            if len(data) > settings.upload_max_bytes:
                raise InvalidInput.single("file", "The file is larger than {size} MB",
                                          {"size": settings.upload_max_bytes // (1024 * 1024)})
            source = _decoded(data)
            values["source"] = source
        chosen = framework_service.file_format_of(file.filename or "" if file else "", file_format)
        version = framework_service.import_framework(session, actor=actor, source=source, file_format=chosen)
    except (InvalidInput, Conflict) as error:
        return _render_frameworks(request, session, actor, values=values, error=error)
    return see_other(f"/assessment/frameworks/{version.id}")


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("file", "The file is not UTF-8 text") from None


def _render_framework(request: Request, session: Session, actor: Actor, version_id: int, *,
                      error: MidasError | None = None) -> Response:
    overview = framework_service.preview_framework_version(session, actor=actor, version_id=version_id)
    return render(request, "assessment/frameworks_detail.html", {
        "overview": overview, "version": overview.version, "framework": overview.framework,
        "first": overview.samples[0].preview, "error": error,
        "can_manage": actor.can(Permission.ASSESSMENT_MANAGE), **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/frameworks/{version_id}")
def framework_page(request: Request, version_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_framework(request, session, actor, version_id)


@router.post("/frameworks/{version_id}/publish", dependencies=CHANGES)
def publish_framework(request: Request, version_id: int, session: DbSession, actor: SignedInActor) -> Response:
    try:
        framework_service.publish_framework(session, actor=actor, version_id=version_id)
    except Conflict as error:
        return _render_framework(request, session, actor, version_id, error=error)
    return see_other(f"/assessment/frameworks/{version_id}")


# Rounds --------------------------------------------------------------------------------------------------------


@router.get("/rounds")
def rounds_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    overviews = rounds_service.list_rounds(session, actor=actor)
    return render(request, "assessment/rounds_list.html", {
        "overviews": overviews, "can_manage": actor.can(Permission.ASSESSMENT_MANAGE), **_labels()})


def _render_round_form(request: Request, session: Session, actor: Actor, *, values: Mapping[str, str],
                       error: InvalidInput | None = None) -> Response:
    versions = rounds_service.published_framework_versions(session, actor=actor)
    return render(request, "assessment/rounds_new.html", {
        "values": values, "error": error, "versions": versions, **_labels(),
    }, status_code=422 if error else 200)


@router.get("/rounds/new")
def new_round_form(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return _render_round_form(request, session, actor, values={"track": "advance", "item_tolerance": "2",
                                                               "level_tolerance": "0"})


@router.post("/rounds", dependencies=CHANGES)
def create_round(request: Request, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    try:
        created = rounds_service.create_round(session, actor=actor, raw=form)
    except InvalidInput as error:
        return _render_round_form(request, session, actor, values=form, error=error)
    return see_other(f"/assessment/rounds/{created.code}")


def _page_number(request: Request) -> int:
    value = request.query_params.get("page", "1")
    return int(value) if value.isdigit() and int(value) >= 1 else 1


def _render_round(request: Request, session: Session, actor: Actor, round_code: str, *,
                  enrol_error: MidasError | None = None, run_error: MidasError | None = None,
                  enrolment_text: str = "") -> Response:
    overview = rounds_service.get_round(session, actor=actor, round_code=round_code)
    results = rounds_service.list_round_assignments(session, actor=actor, round_code=round_code,
                                                    page=_page_number(request), page_size=RESULTS_PAGE_SIZE)
    error = enrol_error or run_error
    return render(request, "assessment/rounds_detail.html", {
        "overview": overview, "r": overview.round, "summary": overview.round.assignment_summary, "results": results,
        "enrol_error": enrol_error, "run_error": run_error, "enrolment_text": enrolment_text,
        "running": RUNS.get(round_code), "can_manage": actor.can(Permission.ASSESSMENT_MANAGE), **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/rounds/{round_code}")
def round_page(request: Request, round_code: str, session: DbSession, actor: SignedInActor) -> Response:
    return _render_round(request, session, actor, round_code)


@router.post("/rounds/{round_code}/enrolments", dependencies=CHANGES)
def enrol(request: Request, round_code: str, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    text = form.get("entries", "")
    try:
        rounds_service.enrol_organizations(session, actor=actor, round_code=round_code,
                                           entries=rounds_service.parse_enrolment_lines(text))
    except (InvalidInput, Conflict) as error:
        return _render_round(request, session, actor, round_code, enrol_error=error, enrolment_text=text)
    return see_other(f"/assessment/rounds/{round_code}")


# The assignment run and its progress ---------------------------------------------------------------------------


@dataclass
class RunState:
    """Where a background run stands: its phase, steps done, and how it ended."""

    phase: AssignmentPhase = AssignmentPhase.CONFLICTS
    done: int = 0
    total: int = len(AssignmentPhase)
    finished: bool = False
    error: MidasError | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


class RunBoard:
    """The runs of this process, by round code; one run per round at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, RunState] = {}

    def start(self, round_code: str) -> bool:
        """Claim the round for a new run; False while another run of it is going."""
        with self._lock:
            current = self._runs.get(round_code)
            if current is not None and not current.finished:
                return False
            self._runs[round_code] = RunState()
            return True

    def get(self, round_code: str) -> RunState | None:
        with self._lock:
            return self._runs.get(round_code)

    def report(self, round_code: str, phase: AssignmentPhase, done: int, total: int) -> None:
        with self._lock:
            state = self._runs[round_code]
            state.phase, state.done, state.total = phase, done, total

    def finish(self, round_code: str, *, error: MidasError | None = None,
               summary: Mapping[str, Any] | None = None) -> None:
        with self._lock:
            state = self._runs[round_code]
            state.finished, state.error, state.summary = True, error, summary or {}


RUNS = RunBoard()


def run_in_background(factory: sessionmaker[Session], actor: Actor, round_code: str) -> None:
    """The whole run in a session of its own, committed when it succeeds; the board learns how it went."""
    def progress(phase: AssignmentPhase, done: int, total: int) -> None:
        RUNS.report(round_code, phase, done, total)

    try:
        with transaction(factory) as session:
            run = rounds_service.run_assignment(session, actor=actor, round_code=round_code, progress=progress)
            summary = dict(run.summary)
    except MidasError as error:
        RUNS.finish(round_code, error=error)
    except Exception:
        logger.exception("the assignment run of round %s failed", round_code)
        RUNS.finish(round_code, error=MidasError("Something went wrong on our side; the error has been logged"))
    else:
        RUNS.finish(round_code, summary=summary)


@router.post("/rounds/{round_code}/assignment", dependencies=CHANGES)
def run_assignment(request: Request, round_code: str, session: DbSession, actor: SignedInActor,
                   background: BackgroundTasks) -> Response:
    """Run the assignment now (a small round) or after the response with a progress page (a large one)."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    overview = rounds_service.get_round(session, actor=actor, round_code=round_code)
    if overview.waiting > INLINE_ASSESSMENTS:
        if RUNS.start(round_code):
            background.add_task(run_in_background, request.app.state.session_factory, actor, round_code)
        return see_other(f"/assessment/rounds/{round_code}/assignment")
    try:
        rounds_service.run_assignment(session, actor=actor, round_code=round_code)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_round(request, session, actor, round_code, run_error=error)
    return see_other(f"/assessment/rounds/{round_code}")


def _progress_context(round_code: str) -> dict[str, Any]:
    return {"code": round_code, "state": RUNS.get(round_code), "phase_labels": PHASE_LABELS}


@router.get("/rounds/{round_code}/assignment")
def progress_page(request: Request, round_code: str, session: DbSession, actor: SignedInActor) -> Response:
    overview = rounds_service.get_round(session, actor=actor, round_code=round_code)
    return render(request, "assessment/rounds_progress.html", {"r": overview.round, **_progress_context(round_code)})


@router.get("/rounds/{round_code}/assignment/progress")
def progress_fragment(request: Request, round_code: str, session: DbSession, actor: SignedInActor) -> Response:
    """The progress alone, for htmx polling; when the run has succeeded the browser goes to the results."""
    rounds_service.get_round(session, actor=actor, round_code=round_code)
    response = render(request, "assessment/rounds_progress_fragment.html", _progress_context(round_code))
    state = RUNS.get(round_code)
    if state is not None and state.finished and state.error is None:
        response.headers["HX-Redirect"] = f"/assessment/rounds/{round_code}"
    return response


# The expert's assignments ---------------------------------------------------------------------------------------


def _render_mine(request: Request, session: Session, actor: Actor, *, error: MidasError | None = None,
                 failed_id: int | None = None) -> Response:
    assignments = rounds_service.list_my_assignments(session, actor=actor)
    answered = request.query_params.get("answered", "")
    return render(request, "assessment/my_assignments.html", {
        "assignments": assignments, "error": error, "failed_id": failed_id,
        "answered": int(answered) if answered.isdigit() else None,
        "proposed": AssignmentStatus.PROPOSED, "accepted": AssignmentStatus.ACCEPTED, **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/my")
def my_assignments(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return _render_mine(request, session, actor)


def _answer(request: Request, session: Session, actor: Actor, assignment_id: int, *, accept: bool,
            reason: str) -> Response:
    try:
        answer = rounds_service.respond_to_assignment(session, actor=actor, assignment_id=assignment_id,
                                                      accept=accept, reason=reason)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_mine(request, session, actor, error=error, failed_id=assignment_id)
    return see_other(f"/assessment/my?answered={answer.assignment.id}")


@router.post("/my/assignments/{assignment_id}/accept", dependencies=CHANGES)
def accept_assignment(request: Request, assignment_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _answer(request, session, actor, assignment_id, accept=True, reason="")


@router.post("/my/assignments/{assignment_id}/decline", dependencies=CHANGES)
def decline_assignment(request: Request, assignment_id: int, session: DbSession, actor: SignedInActor,
                       form: FormFields) -> Response:
    return _answer(request, session, actor, assignment_id, accept=False, reason=form.get("reason", ""))
