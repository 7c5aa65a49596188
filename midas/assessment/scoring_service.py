"""Scoring an assessment: expert score sheets, evidence, reconciliation, the final result and self-assessment.

Rules decided here (and shown to people in the pages):

- **Who acts.** An expert acts on an assessment only through an ACCEPTED assignment of their own expert profile.
  Any other expert is refused with :class:`PermissionDenied`, nothing changes, and the refusal is audited
  (``assessment.sheet|evidence|view.refused``). The audit event must survive the failed request:
  :func:`~midas.audit.record_refusal` rolls the caller's transaction back (the refused action must change
  nothing), records the event, commits it alone, and only then is the error raised.
- **Blind scoring.** An expert sees other experts' sheets only once their own sheet is submitted and the
  assessment has left scoring (every expert has submitted). A third expert called in later sees the others
  only after submitting too.
- **Justifications.** A draft may be partial; each score must lie on the scale. Submitting needs a score for
  every item and a justification for every score at an extreme of the scale (its minimum or maximum): those
  are the scores that move a level most and are most often challenged. A justification has at most
  :data:`MAX_JUSTIFICATION` characters.
- **Deadline.** After the round's deadline an expert's draft can no longer be saved or submitted (nothing
  changes). Revisions during reconciliation, and a third expert's sheet, are not bound by it: reconciliation
  starts when scoring ends.
- **Last sheet in.** When the last (non-declined) expert submits, every sheet's overall score and level are
  computed with the framework; if the experts disagree beyond the round's item or level tolerance the
  assessment goes to reconciliation, otherwise it is finalized at once.
- **Finalize.** An operator finalizes a reconciliation when the disagreement is now within the tolerances, or
  when a third expert has submitted, or else with a reason that is kept in the audit log. The final score is
  the median of the submitted experts' overall scores (the mean of two), each area likewise, and the level is
  the framework's level for that score: there is no way to type either.
- **Track.** :func:`recommended_track` maps the level to a support track (see there).
- **Self-assessment.** Members of the assessed company may save and submit one while the assessment waits for or
  is in scoring (before the experts are done); it uses the same framework and checks, the experts never see
  it, and the report sets it against the final result.
- **Evidence.** Notes, photos (images) and files (PDF, office, HWP, CSV, text), at most 10 MB, names
  sanitised; KPI evidence is refused while the platform holds no K-MDS data of the company (it holds none yet).
"""

from __future__ import annotations

import importlib
import re
import statistics
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment.enums import (
    AssessmentStatus,
    AssignmentStatus,
    EvidenceKind,
    ResponseKind,
    ResponseStatus,
)
from midas.assessment.framework_service import framework_of
from midas.assessment.frameworks import Framework, Result, check_scores, score
from midas.assessment.models import (
    Assessment,
    Evidence,
    Expert,
    ExpertAssignment,
    ReconciliationMessage,
    ReportResponse,
    ScoreSheet,
    SelfAssessment,
)
from midas.assessment.reliability import DisagreementReason, ExpertLevel, Rating, find_reconciliation_cases
from midas.audit import record, record_refusal
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem

MAX_JUSTIFICATION = 1000
MAX_MESSAGE = 4000
MAX_TITLE = 200
MAX_NOTE = 4000
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
PLACES = Decimal("0.01")
# Photos, PDF and office documents from the site visit; anything else (archives, executables) is refused.
FILE_TYPES = frozenset({
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/haansofthwp",
    "application/x-hwp",
    "text/csv",
    "text/plain",
})
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "image/gif"})
OPEN_SCORING = frozenset({AssessmentStatus.WAITING, AssessmentStatus.SCORING})
REPORTED = frozenset({AssessmentStatus.FINAL, AssessmentStatus.APPEALED})


# Who is acting on an assessment ----------------------------------------------------------------------------


def get_assessment(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound("No assessment has the id {id}", {"id": assessment_id})
    return assessment


def framework_for(assessment: Assessment) -> Framework:
    """The framework version the assessment's round pinned."""
    return framework_of(assessment.round.framework)


def expert_of(session: Session, actor: Actor) -> Expert | None:
    """The expert profile of the signed-in person, if they have one."""
    if actor.user_id is None:
        return None
    return session.scalar(select(Expert).where(Expert.user_id == actor.user_id))


def accepted_assignment(session: Session, actor: Actor, assessment: Assessment) -> ExpertAssignment | None:
    """The actor's accepted assignment on the assessment, or None."""
    expert = expert_of(session, actor)
    if expert is None or not actor.can(Permission.ASSESSMENT_SCORE):
        return None
    return session.scalar(select(ExpertAssignment).where(
        ExpertAssignment.assessment_id == assessment.id, ExpertAssignment.expert_id == expert.id,
        ExpertAssignment.status == AssignmentStatus.ACCEPTED))


def _refuse(session: Session, *, actor: Actor, assessment_id: int, what: str) -> PermissionDenied:
    """Audit a refused expert and return the error to raise; the audit event is committed on its own."""
    record_refusal(session, actor=actor, action=f"assessment.{what}.refused", object_type="assessment",
                   object_id=assessment_id, reason="not an assigned expert")
    return PermissionDenied("You are not an assigned expert of assessment {id}", {"id": assessment_id})


def my_assignment(session: Session, *, actor: Actor, assessment: Assessment, what: str) -> ExpertAssignment:
    """The actor's accepted assignment; any other expert is refused and audited."""
    actor.require(Permission.ASSESSMENT_SCORE)
    assignment = accepted_assignment(session, actor, assessment)
    if assignment is None:
        raise _refuse(session, actor=actor, assessment_id=assessment.id, what=what)
    return assignment


def is_company_member_of(actor: Actor, assessment: Assessment) -> bool:
    return actor.can(Permission.ASSESSMENT_SELF) and actor.organization_id == assessment.organization_id


def _require_company(actor: Actor, assessment: Assessment) -> None:
    """Members of the assessed company only; to anyone else the assessment does not exist."""
    actor.require(Permission.ASSESSMENT_SELF)
    if actor.organization_id != assessment.organization_id:
        raise NotFound("No assessment has the id {id}", {"id": assessment.id})


def _require_expert_or_operator(session: Session, actor: Actor, assessment: Assessment, what: str) -> None:
    if actor.can(Permission.ASSESSMENT_VIEW_ALL):
        return
    my_assignment(session, actor=actor, assessment=assessment, what=what)


# Score sheets ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OtherSheet:
    """Another expert's submitted sheet, shown once blind scoring is over."""

    label: str
    scores: Mapping[str, int]
    justifications: Mapping[str, str]
    overall: Decimal | None
    level: int | None


@dataclass(frozen=True, slots=True)
class SheetView:
    """What an expert sees of their own sheet, and of the others' when blind scoring is over."""

    assessment: Assessment
    assignment: ExpertAssignment
    framework: Framework
    scores: Mapping[str, int]
    justifications: Mapping[str, str]
    submitted_at: datetime | None
    revised_at: datetime | None
    overall: Decimal | None
    level: int | None
    can_edit: bool
    is_revision: bool
    deadline: datetime
    deadline_passed: bool
    others: tuple[OtherSheet, ...] | None  # None while blind
    disagreements: tuple[DisagreementReason, ...]


def get_my_sheet(session: Session, *, actor: Actor, assessment_id: int) -> SheetView:
    """The actor's sheet on an assessment (empty until first saved)."""
    assessment = get_assessment(session, assessment_id)
    assignment = my_assignment(session, actor=actor, assessment=assessment, what="sheet")
    return _sheet_view(session, assessment, assignment)


def _sheet_view(session: Session, assessment: Assessment, assignment: ExpertAssignment) -> SheetView:
    framework = framework_for(assessment)
    sheet = assignment.sheet
    submitted = sheet is not None and sheet.submitted_at is not None
    blind_over = submitted and assessment.status not in OPEN_SCORING
    others = _other_sheets(assessment, assignment) if blind_over else None
    return SheetView(
        assessment=assessment, assignment=assignment, framework=framework,
        scores=dict(sheet.scores) if sheet else {}, justifications=dict(sheet.justifications) if sheet else {},
        submitted_at=sheet.submitted_at if sheet else None, revised_at=sheet.revised_at if sheet else None,
        overall=sheet.overall if sheet else None, level=sheet.level if sheet else None,
        can_edit=_editable(assessment, assignment, sheet), is_revision=_is_revision(assessment, sheet),
        deadline=assessment.round.deadline, deadline_passed=_deadline_passed(assessment),
        others=others, disagreements=current_disagreements(assessment) if blind_over else (),
    )


def _other_sheets(assessment: Assessment, mine: ExpertAssignment) -> tuple[OtherSheet, ...]:
    return tuple(
        OtherSheet(label=assignment.expert.name, scores=dict(assignment.sheet.scores),
                   justifications=dict(assignment.sheet.justifications), overall=assignment.sheet.overall,
                   level=assignment.sheet.level)
        for assignment in submitted_assignments(assessment) if assignment.id != mine.id and assignment.sheet
    )


def _deadline_passed(assessment: Assessment) -> bool:
    return utc_now() > assessment.round.deadline


def _is_revision(assessment: Assessment, sheet: ScoreSheet | None) -> bool:
    return assessment.status is AssessmentStatus.RECONCILIATION and sheet is not None \
        and sheet.submitted_at is not None


def _editable(assessment: Assessment, assignment: ExpertAssignment, sheet: ScoreSheet | None) -> bool:
    if assessment.status is AssessmentStatus.RECONCILIATION:
        return True
    if assessment.status not in OPEN_SCORING or (sheet is not None and sheet.submitted_at is not None):
        return False
    return assignment.is_additional or not _deadline_passed(assessment)


def _check_editable(assessment: Assessment, assignment: ExpertAssignment, sheet: ScoreSheet | None) -> None:
    if assessment.status in REPORTED:
        raise Conflict("Assessment {id} is final; its sheets no longer change", {"id": assessment.id})
    if sheet is not None and sheet.submitted_at is not None and assessment.status is not \
            AssessmentStatus.RECONCILIATION:
        raise Conflict("This sheet is submitted; it can be revised only during reconciliation")
    if not _editable(assessment, assignment, sheet):
        raise Conflict("The deadline {deadline} has passed; the sheet can no longer change",
                       {"deadline": assessment.round.deadline.isoformat(timespec="minutes")})


def _clean_justifications(framework: Framework, raw: Mapping[str, object]) -> tuple[dict[str, str], list[Problem]]:
    known = {item.id for item in framework.items}
    problems: list[Problem] = []
    cleaned: dict[str, str] = {}
    for item_id, value in raw.items():
        text = "" if value is None else str(value).strip()
        field = f"justifications.{item_id}"
        if item_id not in known:
            problems.append(Problem(field, "No item has the id {id}", {"id": str(item_id)[:60]}))
        elif len(text) > MAX_JUSTIFICATION:
            problems.append(Problem(field, "Write at most {max} characters", {"max": MAX_JUSTIFICATION}))
        elif text:
            cleaned[item_id] = text
    return cleaned, problems


def missing_justifications(framework: Framework, scores: Mapping[str, int],
                           justifications: Mapping[str, str]) -> list[Problem]:
    """A problem for each score at an extreme of the scale that has no justification."""
    extremes = {framework.scale.minimum, framework.scale.maximum}
    return [Problem(f"justifications.{item.id}", "A score of {score} needs a justification",
                    {"score": scores[item.id]})
            for item in framework.items
            if scores.get(item.id) in extremes and not justifications.get(item.id)]


def save_sheet(session: Session, *, actor: Actor, assessment_id: int, scores: Mapping[str, object],
               justifications: Mapping[str, object]) -> SheetView:
    """Save a draft (partial scores allowed), or, during reconciliation, revise a submitted sheet (complete)."""
    assessment = get_assessment(session, assessment_id)
    assignment = my_assignment(session, actor=actor, assessment=assessment, what="sheet")
    framework = framework_for(assessment)
    sheet = assignment.sheet
    _check_editable(assessment, assignment, sheet)
    revision = _is_revision(assessment, sheet)
    problems = check_scores(framework, scores, complete=revision)
    cleaned, justification_problems = _clean_justifications(framework, justifications)
    problems += justification_problems
    valid_scores = {item_id: int(str(value)) for item_id, value in scores.items()} if not problems else {}
    if revision and not problems:
        problems += missing_justifications(framework, valid_scores, cleaned)
    if problems:
        raise InvalidInput(problems)
    if sheet is None:
        sheet = ScoreSheet(assignment_id=assignment.id)
        session.add(sheet)
        assignment.sheet = sheet
    sheet.scores, sheet.justifications = valid_scores, cleaned
    if revision:
        _store_result(sheet, score(framework, valid_scores))
        sheet.revised_at = utc_now()
        record(session, actor=actor, action="assessment.sheet.revise", object_type="assessment",
               object_id=assessment.id, details={"overall": str(sheet.overall), "level": sheet.level})
    session.flush()
    return _sheet_view(session, assessment, assignment)


def submit_sheet(session: Session, *, actor: Actor, assessment_id: int,
                 scores: Mapping[str, object] | None = None,
                 justifications: Mapping[str, object] | None = None) -> SheetView:
    """Submit the sheet (saving ``scores`` first when given): complete, on the scale, extremes justified."""
    assessment = get_assessment(session, assessment_id)
    assignment = my_assignment(session, actor=actor, assessment=assessment, what="sheet")
    if scores is not None:
        save_sheet(session, actor=actor, assessment_id=assessment_id, scores=scores,
                   justifications=justifications or {})
    sheet = assignment.sheet
    _check_editable(assessment, assignment, sheet)
    if sheet is not None and sheet.submitted_at is not None:
        raise Conflict("This sheet is submitted already")
    framework = framework_for(assessment)
    stored = dict(sheet.scores) if sheet else {}
    problems = check_scores(framework, stored) or missing_justifications(
        framework, stored, sheet.justifications if sheet else {})
    if problems or sheet is None:
        raise InvalidInput(problems)
    _store_result(sheet, score(framework, stored))
    sheet.submitted_at = utc_now()
    record(session, actor=actor, action="assessment.sheet.submit", object_type="assessment",
           object_id=assessment.id, details={"overall": str(sheet.overall), "level": sheet.level})
    session.flush()
    _after_submission(session, actor, assessment)
    return _sheet_view(session, assessment, assignment)


def _store_result(sheet: ScoreSheet, result: Result) -> None:
    sheet.overall, sheet.level = result.overall, result.level


def active_assignments(assessment: Assessment) -> list[ExpertAssignment]:
    """The experts still on the assessment (proposed or accepted)."""
    return [a for a in assessment.assignments if a.status is not AssignmentStatus.DECLINED]


def submitted_assignments(assessment: Assessment) -> list[ExpertAssignment]:
    return [a for a in active_assignments(assessment) if a.sheet is not None and a.sheet.submitted_at is not None]


def _after_submission(session: Session, actor: Actor, assessment: Assessment) -> None:
    """When the last expert is in: reconciliation if they disagree beyond the tolerances, else the final result."""
    if assessment.status not in OPEN_SCORING:
        return
    if len(submitted_assignments(assessment)) < len(active_assignments(assessment)):
        return
    reasons = current_disagreements(assessment)
    if reasons:
        assessment.status = AssessmentStatus.RECONCILIATION
        record(session, actor=actor, action="assessment.reconciliation.open", object_type="assessment",
               object_id=assessment.id, details={"reasons": len(reasons)})
    else:
        _finalize(session, actor, assessment, rule="agreement")


def current_disagreements(assessment: Assessment) -> tuple[DisagreementReason, ...]:
    """Every disagreement between the submitted sheets beyond the round's tolerances."""
    submitted = submitted_assignments(assessment)
    ratings = [Rating(str(assessment.id), item_id, str(a.expert_id), value)
               for a in submitted if a.sheet for item_id, value in a.sheet.scores.items()]
    levels = [ExpertLevel(str(assessment.id), str(a.expert_id), a.sheet.level)
              for a in submitted if a.sheet and a.sheet.level is not None]
    cases = find_reconciliation_cases(ratings, levels, tolerated_item_spread=assessment.round.item_tolerance,
                                      tolerated_level_spread=assessment.round.level_tolerance)
    return cases[0].reasons if cases else ()


# The final result ------------------------------------------------------------------------------------------


def recommended_track(framework: Framework, level: int) -> str:
    """The support track a level points to, counted down from the framework's top level.

    The top level is "leading" (build a new leading model); the two below it "advance" (advance a smart
    factory); everything lower "start" (start a smart factory). For KS X 9001-3 (levels 1-5) that is 1-2 start,
    3-4 advance, 5 leading; for the SIRI bands 0-5 it is 0-2 start, 3-4 advance, 5 leading.
    """
    top = max(rule.level for rule in framework.levels)
    if level >= top:
        return "leading"
    if level >= top - 2:
        return "advance"
    return "start"


def _median(values: Sequence[Decimal]) -> Decimal:
    return Decimal(statistics.median(values)).quantize(PLACES, rounding=ROUND_HALF_EVEN)


def _finalize(session: Session, actor: Actor, assessment: Assessment, *, rule: str, reason: str = "") -> None:
    framework = framework_for(assessment)
    results = [score(framework, a.sheet.scores) for a in submitted_assignments(assessment) if a.sheet]
    final = _median([result.overall for result in results])
    areas = {area.id: str(_median([result.area(area.id).score for result in results])) for area in framework.areas}
    level = framework.level_for(final).level
    assessment.final_score, assessment.final_level, assessment.final_areas = final, level, areas
    assessment.recommended_track = recommended_track(framework, level)
    assessment.status, assessment.finalized_at = AssessmentStatus.FINAL, utc_now()
    record(session, actor=actor, action="assessment.finalize", object_type="assessment", object_id=assessment.id,
           reason=reason, details={"rule": rule, "score": str(final), "level": level, "experts": len(results),
                                   "track": assessment.recommended_track})


def finalize(session: Session, *, actor: Actor, assessment_id: int, reason: str = "") -> Assessment:
    """Close a reconciliation (operators): within tolerance now, a third expert in, or an operator's reason."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    assessment = get_assessment(session, assessment_id)
    if assessment.status is not AssessmentStatus.RECONCILIATION:
        raise Conflict("Only an assessment in reconciliation can be finalized by an operator")
    reason = reason.strip()
    if not current_disagreements(assessment):
        rule = "within_tolerance"
    elif any(a.is_additional for a in submitted_assignments(assessment)):
        rule = "third_expert"
    elif reason:
        rule = "operator_reason"
    else:
        raise InvalidInput.single("reason", "The experts still disagree: call a third expert or give a reason")
    _finalize(session, actor, assessment, rule=rule, reason=reason[:1000])
    session.flush()
    return assessment


def call_third_expert(session: Session, *, actor: Actor, assessment_id: int) -> ExpertAssignment:
    """Add a third expert to a reconciliation (operators), through the rounds service's assignment rules."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    assessment = get_assessment(session, assessment_id)
    if assessment.status is not AssessmentStatus.RECONCILIATION:
        raise Conflict("A third expert is called only during reconciliation")
    rounds = importlib.import_module("midas.assessment.rounds_service")
    add: Callable[..., ExpertAssignment] = rounds.add_additional_expert
    return add(session, actor=actor, assessment_id=assessment_id)


# The reconciliation thread ---------------------------------------------------------------------------------


def list_messages(session: Session, *, actor: Actor, assessment_id: int) -> list[ReconciliationMessage]:
    assessment = get_assessment(session, assessment_id)
    _require_expert_or_operator(session, actor, assessment, "reconciliation")
    return list(session.scalars(select(ReconciliationMessage)
                                .where(ReconciliationMessage.assessment_id == assessment.id)
                                .order_by(ReconciliationMessage.created_at, ReconciliationMessage.id)))


def post_message(session: Session, *, actor: Actor, assessment_id: int, body: str) -> ReconciliationMessage:
    """A message in the thread (the assessment's experts and operators, during reconciliation)."""
    assessment = get_assessment(session, assessment_id)
    _require_expert_or_operator(session, actor, assessment, "reconciliation")
    if assessment.status is not AssessmentStatus.RECONCILIATION:
        raise Conflict("The discussion is open only during reconciliation")
    text = body.strip()
    if not text:
        raise InvalidInput.single("body", "Write a message")
    if len(text) > MAX_MESSAGE:
        raise InvalidInput.single("body", "Write at most {max} characters", {"max": MAX_MESSAGE})
    message = ReconciliationMessage(assessment_id=assessment.id, author_user_id=actor.user_id,
                                    author_label=actor.label, body=text)
    session.add(message)
    session.flush()
    return message


# Evidence --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as received: its name and type as the browser sent them, and its bytes."""

    filename: str
    content_type: str
    content: bytes


def kmds_data_available(session: Session, organization_id: int) -> bool:
    """Whether the platform holds K-MDS data of the company to quote as KPI evidence.

    The platform validates K-MDS files but stores none yet (ingestion is a later issue), so there is none for
    any company; KPI evidence is refused rather than made up.
    """
    del session, organization_id
    return False


def sanitize_filename(name: str) -> str:
    """A file name safe to store and send back: no folders, no control characters, at most 120 characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*;]', "_", base).strip(" .")
    if len(base) > 120:
        stem, dot, extension = base.rpartition(".")
        base = (stem[: 119 - len(extension)] + dot + extension) if dot and len(extension) <= 10 else base[:120]
    return base or "file"


def _evidence_kind(raw: str) -> EvidenceKind:
    try:
        return EvidenceKind(raw)
    except ValueError:
        raise InvalidInput.single("kind", "Unknown evidence kind {value}", {"value": raw[:20]}) from None


def _check_upload(kind: EvidenceKind, upload: Upload | None) -> list[Problem]:
    if upload is None or not upload.content:
        return [Problem("file", "Choose a file")]
    content_type = upload.content_type.split(";")[0].strip().lower()
    allowed = PHOTO_TYPES if kind is EvidenceKind.PHOTO else PHOTO_TYPES | FILE_TYPES
    problems = []
    if content_type not in allowed:
        problems.append(Problem("file", "Files of type {type} are not accepted", {"type": content_type[:60]}))
    if len(upload.content) > MAX_EVIDENCE_BYTES:
        problems.append(Problem("file", "The file is larger than {max} MB", {"max": MAX_EVIDENCE_BYTES // 2**20}))
    return problems


def add_evidence(session: Session, *, actor: Actor, assessment_id: int, kind: str, title: str, note: str = "",
                 item_id: str | None = None, upload: Upload | None = None) -> Evidence:
    """A note, photo or file from the site visit, optionally tied to an item (the assessment's experts)."""
    assessment = get_assessment(session, assessment_id)
    assignment = my_assignment(session, actor=actor, assessment=assessment, what="evidence")
    if assessment.status in REPORTED:
        raise Conflict("Assessment {id} is final; its sheets no longer change", {"id": assessment.id})
    evidence_kind = _evidence_kind(kind)
    framework = framework_for(assessment)
    problems: list[Problem] = []
    title, note, item_id = title.strip(), note.strip(), (item_id or "").strip() or None
    if not title:
        problems.append(Problem("title", "Give the evidence a title"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem("title", "Write at most {max} characters", {"max": MAX_TITLE}))
    if len(note) > MAX_NOTE:
        problems.append(Problem("note", "Write at most {max} characters", {"max": MAX_NOTE}))
    if item_id is not None and item_id not in {item.id for item in framework.items}:
        problems.append(Problem("item_id", "No item has the id {id}", {"id": item_id[:60]}))
    if evidence_kind is EvidenceKind.KPI and not kmds_data_available(session, assessment.organization_id):
        problems.append(Problem("kind", "The platform holds no K-MDS data of this company yet"))
    if evidence_kind is EvidenceKind.NOTE and not note:
        problems.append(Problem("note", "Write the note"))
    if evidence_kind in (EvidenceKind.PHOTO, EvidenceKind.FILE):
        problems += _check_upload(evidence_kind, upload)
    if problems:
        raise InvalidInput(problems)
    evidence = Evidence(assessment_id=assessment.id, assignment_id=assignment.id, item_id=item_id,
                        kind=evidence_kind, title=title, note=note, created_by_label=actor.label)
    if upload is not None and evidence_kind in (EvidenceKind.PHOTO, EvidenceKind.FILE):
        evidence.filename = sanitize_filename(upload.filename)
        evidence.content_type = upload.content_type.split(";")[0].strip().lower()
        evidence.content, evidence.size_bytes = upload.content, len(upload.content)
    session.add(evidence)
    session.flush()
    record(session, actor=actor, action="assessment.evidence.add", object_type="assessment",
           object_id=assessment.id, details={"evidence_id": evidence.id, "kind": evidence_kind.value})
    return evidence


def list_evidence(session: Session, *, actor: Actor, assessment_id: int) -> list[Evidence]:
    """Every piece of evidence on the assessment (its experts and operators)."""
    assessment = get_assessment(session, assessment_id)
    _require_expert_or_operator(session, actor, assessment, "evidence")
    return list(session.scalars(select(Evidence).where(Evidence.assessment_id == assessment.id)
                                .order_by(Evidence.created_at, Evidence.id)))


def get_evidence_file(session: Session, *, actor: Actor, evidence_id: int) -> Evidence:
    """A photo or file to download (the assessment's experts and operators)."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.content is None:
        raise NotFound("No evidence file has the id {id}", {"id": evidence_id})
    assessment = get_assessment(session, evidence.assessment_id)
    _require_expert_or_operator(session, actor, assessment, "evidence")
    return evidence


# The assessment as each role sees it -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpertSummary:
    """An expert's state on the assessment; scores only where the viewer may see them."""

    label: str
    is_additional: bool
    status: AssignmentStatus
    submitted_at: datetime | None
    revised_at: datetime | None
    overall: Decimal | None
    level: int | None
    scores: Mapping[str, int] | None
    justifications: Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """One assessment as the viewer may see it: ``role`` is "operator", "expert" or "company"."""

    assessment: Assessment
    framework: Framework
    role: str
    experts: tuple[ExpertSummary, ...]  # empty for the company: expert identities are not shown to it
    sheet: SheetView | None  # the expert's own
    disagreements: tuple[DisagreementReason, ...]
    messages: tuple[ReconciliationMessage, ...]


def view_assessment(session: Session, *, actor: Actor, assessment_id: int) -> AssessmentView:
    """The assessment for an operator or auditor (everything), an assigned expert, or the company."""
    assessment = get_assessment(session, assessment_id)
    framework = framework_for(assessment)
    if actor.can(Permission.ASSESSMENT_VIEW_ALL):
        experts = tuple(_summary(a, show_scores=True) for a in assessment.assignments)
        return AssessmentView(assessment, framework, "operator", experts, None,
                              current_disagreements(assessment), _thread(session, assessment))
    if is_company_member_of(actor, assessment):
        return AssessmentView(assessment, framework, "company", (), None, (), ())
    if not actor.can(Permission.ASSESSMENT_SCORE):
        raise NotFound("No assessment has the id {id}", {"id": assessment_id})
    assignment = my_assignment(session, actor=actor, assessment=assessment, what="view")
    sheet = _sheet_view(session, assessment, assignment)
    experts = tuple(_summary(a, show_scores=sheet.others is not None or a.id == assignment.id)
                    for a in active_assignments(assessment))
    return AssessmentView(assessment, framework, "expert", experts, sheet, sheet.disagreements,
                          _thread(session, assessment) if sheet.others is not None else ())


def _summary(assignment: ExpertAssignment, *, show_scores: bool) -> ExpertSummary:
    sheet = assignment.sheet
    submitted = sheet is not None and sheet.submitted_at is not None
    visible = show_scores and sheet is not None
    return ExpertSummary(
        label=assignment.expert.name, is_additional=assignment.is_additional, status=assignment.status,
        submitted_at=sheet.submitted_at if sheet else None, revised_at=sheet.revised_at if sheet else None,
        overall=sheet.overall if visible and submitted and sheet else None,
        level=sheet.level if visible and submitted and sheet else None,
        scores=dict(sheet.scores) if visible and sheet else None,
        justifications=dict(sheet.justifications) if visible and sheet else None,
    )


def _thread(session: Session, assessment: Assessment) -> tuple[ReconciliationMessage, ...]:
    return tuple(session.scalars(select(ReconciliationMessage)
                                 .where(ReconciliationMessage.assessment_id == assessment.id)
                                 .order_by(ReconciliationMessage.created_at, ReconciliationMessage.id)))


def company_assessments(session: Session, *, actor: Actor) -> list[Assessment]:
    """The assessments of the actor's company, newest first."""
    actor.require(Permission.ASSESSMENT_SELF)
    if actor.organization_id is None:
        return []
    return list(session.scalars(select(Assessment).where(Assessment.organization_id == actor.organization_id)
                                .order_by(Assessment.created_at.desc(), Assessment.id.desc())))


# Self-assessment -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelfView:
    assessment: Assessment
    framework: Framework
    scores: Mapping[str, int]
    submitted_at: datetime | None
    overall: Decimal | None
    level: int | None
    can_edit: bool


def _self_row(session: Session, assessment: Assessment) -> SelfAssessment | None:
    return session.scalar(select(SelfAssessment).where(SelfAssessment.assessment_id == assessment.id))


def submitted_self_scores(session: Session, assessment: Assessment) -> dict[str, int] | None:
    """The company's submitted self-assessment scores, or None."""
    row = _self_row(session, assessment)
    return dict(row.scores) if row is not None and row.submitted_at is not None else None


def _self_view(session: Session, assessment: Assessment) -> SelfView:
    row = _self_row(session, assessment)
    submitted = row is not None and row.submitted_at is not None
    return SelfView(assessment, framework_for(assessment), dict(row.scores) if row else {},
                    row.submitted_at if row else None, row.overall if row else None, row.level if row else None,
                    can_edit=assessment.status in OPEN_SCORING and not submitted)


def get_self_assessment(session: Session, *, actor: Actor, assessment_id: int) -> SelfView:
    assessment = get_assessment(session, assessment_id)
    _require_company(actor, assessment)
    return _self_view(session, assessment)


def _editable_self(session: Session, actor: Actor, assessment_id: int) -> tuple[Assessment, SelfAssessment]:
    assessment = get_assessment(session, assessment_id)
    _require_company(actor, assessment)
    if assessment.status not in OPEN_SCORING:
        raise Conflict("The self-assessment closes when the experts have scored")
    row = _self_row(session, assessment)
    if row is not None and row.submitted_at is not None:
        raise Conflict("The self-assessment is submitted already")
    if row is None:
        row = SelfAssessment(assessment_id=assessment.id, scores={})
        session.add(row)
    return assessment, row


def save_self_assessment(session: Session, *, actor: Actor, assessment_id: int,
                         scores: Mapping[str, object]) -> SelfView:
    """Save the company's draft (partial scores allowed, each on the scale); open until the experts are done."""
    assessment = get_assessment(session, assessment_id)
    _require_company(actor, assessment)
    problems = check_scores(framework_for(assessment), scores, complete=False)
    if problems:
        raise InvalidInput(problems)
    assessment, row = _editable_self(session, actor, assessment_id)
    row.scores = {item_id: int(str(value)) for item_id, value in scores.items()}
    session.flush()
    return _self_view(session, assessment)


def submit_self_assessment(session: Session, *, actor: Actor, assessment_id: int,
                           scores: Mapping[str, object] | None = None) -> SelfView:
    """Submit the self-assessment: every item scored on the scale; then it no longer changes."""
    if scores is not None:
        save_self_assessment(session, actor=actor, assessment_id=assessment_id, scores=scores)
    assessment, row = _editable_self(session, actor, assessment_id)
    result = score(framework_for(assessment), row.scores)
    row.overall, row.level, row.submitted_at = result.overall, result.level, utc_now()
    record(session, actor=actor, action="assessment.self.submit", object_type="assessment",
           object_id=assessment.id, details={"overall": str(result.overall), "level": result.level})
    session.flush()
    return _self_view(session, assessment)


# The company's responses to its report ---------------------------------------------------------------------


def require_report_reader(actor: Actor, assessment: Assessment) -> None:
    """The report is read by the company's members, operators and auditors, once the result is final."""
    if not actor.can(Permission.ASSESSMENT_VIEW_ALL):
        _require_company(actor, assessment)
    if assessment.status not in REPORTED:
        raise Conflict("The report is out when the assessment is final")


def list_responses(session: Session, *, actor: Actor, assessment_id: int) -> list[ReportResponse]:
    assessment = get_assessment(session, assessment_id)
    require_report_reader(actor, assessment)
    return list(session.scalars(select(ReportResponse).where(ReportResponse.assessment_id == assessment.id)
                                .order_by(ReportResponse.created_at, ReportResponse.id)))


def add_response(session: Session, *, actor: Actor, assessment_id: int, kind: str, body: str) -> ReportResponse:
    """The company comments on or appeals its report; an appeal puts the assessment in APPEALED."""
    assessment = get_assessment(session, assessment_id)
    _require_company(actor, assessment)
    require_report_reader(actor, assessment)
    try:
        response_kind = ResponseKind(kind)
    except ValueError:
        raise InvalidInput.single("kind", "Choose a comment or an appeal") from None
    text = body.strip()
    if not text:
        raise InvalidInput.single("body", "Write a message")
    if len(text) > MAX_MESSAGE:
        raise InvalidInput.single("body", "Write at most {max} characters", {"max": MAX_MESSAGE})
    response = ReportResponse(assessment_id=assessment.id, kind=response_kind, body=text, author_label=actor.label)
    session.add(response)
    if response_kind is ResponseKind.APPEAL:
        assessment.status = AssessmentStatus.APPEALED
    session.flush()
    record(session, actor=actor, action=f"assessment.report.{response_kind.value}", object_type="assessment",
           object_id=assessment.id, details={"response_id": response.id})
    return response


def answer_response(session: Session, *, actor: Actor, response_id: int, answer: str) -> ReportResponse:
    """An operator answers a comment or an appeal (once)."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    response = session.get(ReportResponse, response_id)
    if response is None:
        raise NotFound("No response has the id {id}", {"id": response_id})
    if response.status is ResponseStatus.ANSWERED:
        raise Conflict("This response is answered already")
    text = answer.strip()
    if not text:
        raise InvalidInput.single("answer", "Write the answer")
    if len(text) > MAX_MESSAGE:
        raise InvalidInput.single("answer", "Write at most {max} characters", {"max": MAX_MESSAGE})
    response.answer, response.status = text, ResponseStatus.ANSWERED
    response.answered_by_label, response.answered_at = actor.label, utc_now()
    record(session, actor=actor, action="assessment.report.answer", object_type="assessment",
           object_id=response.assessment_id, details={"response_id": response.id})
    session.flush()
    return response

