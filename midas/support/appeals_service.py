"""Appeals: a company contests a decision, different experts re-review the application, an operator resolves.

Rules decided here (and shown to people in the pages):

- **What may be appealed.** Only the current decision on an application, while it is not final, before its
  appeal deadline, once per decision, by a member of the applying organization. A funded decision is not
  appealed (there is nothing to gain); the reason must have at least :data:`MIN_REASON` characters.
- **Who re-reviews.** Available experts who can sign in, who were never assigned to the assessment the
  application stands on (in any status: an expert who declined may have declined for a reason), and who have no
  conflict of interest with the organization: neither an active recorded one nor one the assessment domain's
  detection finds today (unless an operator lifted that kind for the pair). The best matches come first:
  the organization's KSIC division, then the application's technology scope, then experience, then the fewest
  open re-reviews. Too few such experts: refused, saying how many were found.
- **Reviews.** Only an assigned re-reviewer reviews; any other expert is refused and the refusal is audited (the
  audit event outlives the failed request, see :func:`~midas.audit.record_refusal`). A score is the re-assessed
  overall score x 10, from 0 to the framework's maximum x 10, the same scale as the selection.
- **Resolution.** Once every re-review is in, an operator grants or upholds, with a resolution text. Granted: a
  new final decision supersedes the appealed one, FUNDED when the track's remaining budget (and the region's,
  where the track has one for the application's region) covers the grant, else WAITLISTED, each with its
  reason. Upheld: the appealed decision becomes final. Either way the company is notified.

Decisions that were never appealed are made final by the decisions service when their window closes; this
module does not duplicate that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from midas.assessment import (
    Assessment,
    ConflictOfInterest,
    Expert,
    ExpertAssignment,
    FrameworkVersion,
    find_conflicts,
    framework_of,
)
from midas.audit import record, record_refusal
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.support.enums import (
    APPEAL_STATUS_LABELS,
    AppealStatus,
    ApplicationStatus,
    DecisionOutcome,
    ReviewStatus,
)
from midas.support.models import (
    AppealReview,
    SupportAppeal,
    SupportApplication,
    SupportDecision,
    SupportTrack,
    TrackRegionBudget,
)
from midas.support.notifications_service import notify

SEOUL = ZoneInfo("Asia/Seoul")
MIN_REASON = 20
MAX_REASON = 5000
MIN_TEXT = 5
MAX_TEXT = 5000
DEFAULT_REVIEWERS = 2
MAX_REVIEWERS = 5


def seoul_text(value: datetime) -> str:
    """A time as people read it in the program: Korea's time zone, to the minute."""
    return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# Reading ------------------------------------------------------------------------------------------------------


def _decision(session: Session, decision_id: int) -> SupportDecision:
    decision = session.get(SupportDecision, decision_id)
    if decision is None:
        raise NotFound("No decision with id {id}", {"id": decision_id})
    return decision


def _appeal(session: Session, appeal_id: int) -> SupportAppeal:
    appeal = session.get(SupportAppeal, appeal_id)
    if appeal is None:
        raise NotFound("No appeal with id {id}", {"id": appeal_id})
    return appeal


def expert_of(session: Session, actor: Actor) -> Expert | None:
    """The expert profile of the signed-in person, if they have one."""
    if actor.user_id is None:
        return None
    return session.scalar(select(Expert).where(Expert.user_id == actor.user_id))


def _is_member(actor: Actor, organization_id: int) -> bool:
    return actor.can(Permission.SUPPORT_APPLY) and actor.organization_id == organization_id


def _assigned_review(session: Session, actor: Actor, appeal: SupportAppeal) -> AppealReview | None:
    expert = expert_of(session, actor) if actor.can(Permission.SUPPORT_REVIEW) else None
    if expert is None:
        return None
    return next((review for review in appeal.reviews if review.expert_id == expert.id), None)


def get_appeal(session: Session, *, actor: Actor, appeal_id: int) -> SupportAppeal:
    """One appeal: for operators and auditors, the appealing organization's members, and its re-reviewers."""
    appeal = _appeal(session, appeal_id)
    if actor.can(Permission.SUPPORT_VIEW_ALL) or _assigned_review(session, actor, appeal) is not None:
        return appeal
    if _is_member(actor, appeal.decision.application.organization_id):
        return appeal
    raise NotFound("No appeal with id {id}", {"id": appeal_id})


def list_appeals(session: Session, *, actor: Actor, status: AppealStatus | None = None) -> Sequence[SupportAppeal]:
    """Appeals, oldest open first: every appeal for operators and auditors, the organization's own for members."""
    query = select(SupportAppeal).join(SupportApplication, SupportApplication.id == SupportAppeal.application_id)
    if not actor.can(Permission.SUPPORT_VIEW_ALL):
        if not actor.can(Permission.SUPPORT_APPLY) or actor.organization_id is None:
            raise PermissionDenied("You do not have the permission {permission}",
                                   {"permission": str(Permission.SUPPORT_VIEW_ALL)})
        query = query.where(SupportApplication.organization_id == actor.organization_id)
    if status is not None:
        query = query.where(SupportAppeal.status == status)
    query = query.options(selectinload(SupportAppeal.reviews),
                          selectinload(SupportAppeal.decision).selectinload(SupportDecision.application)
                          .selectinload(SupportApplication.organization))
    return session.scalars(query.order_by(SupportAppeal.filed_at, SupportAppeal.id)).all()


def parse_status(value: str | None) -> AppealStatus | None:
    """An appeal status from a query parameter; empty means any."""
    text = (value or "").strip().lower()
    if not text:
        return None
    try:
        return AppealStatus(text)
    except ValueError:
        raise InvalidInput.single("status", "Unknown appeal status {value}", {"value": text[:40]}) from None


@dataclass(frozen=True, slots=True)
class AppealForm:
    """What the company's appeal page shows: the decision, its appeal (if filed) and whether one may be filed."""

    decision: SupportDecision
    application: SupportApplication
    appeal: SupportAppeal | None
    can_file: bool
    why_not: str | None  # an English message id when no appeal may be filed
    why_not_params: dict[str, str | int]


def appeal_form(session: Session, *, actor: Actor, decision_id: int, now: datetime | None = None) -> AppealForm:
    """The decision a company member may appeal, with its appeal or the reason none may be filed."""
    decision = _decision(session, decision_id)
    application = decision.application
    if not (_is_member(actor, application.organization_id) or actor.can(Permission.SUPPORT_VIEW_ALL)):
        raise NotFound("No decision with id {id}", {"id": decision_id})
    appeal = session.scalar(select(SupportAppeal).where(SupportAppeal.decision_id == decision.id))
    refusal = _why_not_appealable(decision, appeal, now or utc_now())
    return AppealForm(decision=decision, application=application, appeal=appeal,
                      can_file=refusal is None and _is_member(actor, application.organization_id),
                      why_not=refusal.message if refusal else None,
                      why_not_params={k: v for k, v in (refusal.params if refusal else {}).items()
                                      if isinstance(v, str | int)})


def _why_not_appealable(decision: SupportDecision, appeal: SupportAppeal | None, now: datetime) -> Conflict | None:
    if appeal is not None:
        return Conflict("Decision {id} has been appealed already (appeal {appeal_id})",
                        {"id": decision.id, "appeal_id": appeal.id})
    if not decision.is_current:
        return Conflict("Decision {id} has been superseded by a later decision; only the current one can be appealed",
                        {"id": decision.id})
    if decision.is_final:
        return Conflict("Decision {id} is final and can no longer be appealed", {"id": decision.id})
    if decision.outcome is DecisionOutcome.FUNDED:
        return Conflict("Decision {id} funds the application; there is nothing to appeal", {"id": decision.id})
    if decision.appeal_deadline is None or now > decision.appeal_deadline:
        deadline = seoul_text(decision.appeal_deadline) if decision.appeal_deadline else "-"
        return Conflict("The appeal window of decision {id} closed at {deadline} (Korean time)",
                        {"id": decision.id, "deadline": deadline})
    return None


# Filing -------------------------------------------------------------------------------------------------------


def file_appeal(session: Session, *, actor: Actor, decision_id: int, reason: object,
                now: datetime | None = None) -> SupportAppeal:
    """A member of the applying organization appeals the current, non-final decision before its deadline."""
    actor.require(Permission.SUPPORT_APPLY)
    decision = _decision(session, decision_id)
    application = decision.application
    if actor.organization_id != application.organization_id:
        raise NotFound("No decision with id {id}", {"id": decision_id})
    text = _text(reason)
    if len(text) < MIN_REASON or len(text) > MAX_REASON:
        raise InvalidInput.single("reason", "Give the reason for the appeal in {min} to {max} characters "
                                            "(this one has {length})",
                                  {"min": MIN_REASON, "max": MAX_REASON, "length": len(text)})
    existing = session.scalar(select(SupportAppeal).where(SupportAppeal.decision_id == decision.id))
    refusal = _why_not_appealable(decision, existing, now or utc_now())
    if refusal is not None:
        raise refusal
    appeal = SupportAppeal(decision_id=decision.id, application_id=application.id, reason=text,
                           status=AppealStatus.OPEN, filed_by_label=actor.label)
    session.add(appeal)
    session.flush()
    record(session, actor=actor, action="support.appeal.filed", object_type="support_appeal", object_id=appeal.id,
           reason=text, details={"decision_id": decision.id, "application_id": application.id,
                                 "outcome": decision.outcome.value})
    notify(session, organization_id=application.organization_id,
           message="Your appeal against decision {decision_id} is filed; different experts will re-review the "
                   "application",
           params={"decision_id": decision.id}, link=f"/support/decisions/{decision.id}/appeal")
    return appeal


# Re-reviewers -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewerCandidate:
    """An expert who may re-review the appeal, with what makes them a good match."""

    expert: Expert
    same_industry: bool
    same_technology: bool
    open_reviews: int


@dataclass(frozen=True, slots=True)
class ReviewerSearch:
    """The eligible experts, best first, and how many were left out and why."""

    candidates: tuple[ReviewerCandidate, ...]
    excluded_assessors: int
    excluded_conflicted: int


def _codes(text: str) -> set[str]:
    return {code.strip() for code in text.split(",") if code.strip()}


def conflicted_experts(session: Session, organization_id: int, today: date) -> set[int]:
    """Experts in conflict with the organization: active recorded conflicts, and what detection finds today
    (except a kind an operator lifted for the pair: detection never brings that back)."""
    rows = session.execute(select(ConflictOfInterest.expert_id, ConflictOfInterest.kind, ConflictOfInterest.is_active)
                           .where(ConflictOfInterest.organization_id == organization_id)).all()
    conflicted = {row.expert_id for row in rows if row.is_active}
    lifted = {(row.expert_id, row.kind) for row in rows if not row.is_active}
    for found in find_conflicts(session, today=today, organization_ids=[organization_id]):
        if found.organization_id == organization_id and (found.expert_id, found.kind) not in lifted:
            conflicted.add(found.expert_id)
    return conflicted


def find_re_reviewers(session: Session, *, actor: Actor, appeal_id: int,
                      today: date | None = None) -> ReviewerSearch:
    """The experts who may re-review an appeal, best match first (see the module's rules)."""
    actor.require(Permission.SUPPORT_MANAGE)
    appeal = _appeal(session, appeal_id)
    return _search(session, appeal, today or datetime.now(SEOUL).date())


def _search(session: Session, appeal: SupportAppeal, today: date) -> ReviewerSearch:
    application = appeal.decision.application
    organization = application.organization
    assessors: set[int] = set()
    if application.assessment_id is not None:
        assessors = set(session.scalars(select(ExpertAssignment.expert_id)
                                        .where(ExpertAssignment.assessment_id == application.assessment_id)))
    conflicted = conflicted_experts(session, organization.id, today)
    already = {review.expert_id for review in appeal.reviews}
    experts = session.scalars(select(Expert).where(Expert.is_available.is_(True), Expert.user_id.is_not(None))
                              .order_by(Expert.id)).all()
    load = {row[0]: int(row[1]) for row in session.execute(
        select(AppealReview.expert_id, func.count()).where(AppealReview.status == ReviewStatus.ASSIGNED)
        .group_by(AppealReview.expert_id))}
    division = organization.ksic_code[:2]
    candidates = []
    excluded_assessors = excluded_conflicted = 0
    for expert in experts:
        if expert.id in already:
            continue
        if expert.id in assessors:
            excluded_assessors += 1
            continue
        if expert.id in conflicted:
            excluded_conflicted += 1
            continue
        candidates.append(ReviewerCandidate(expert=expert, same_industry=division in _codes(expert.ksic_divisions),
                                            same_technology=application.scope in _codes(expert.technologies),
                                            open_reviews=load.get(expert.id, 0)))
    candidates.sort(key=lambda c: (not c.same_industry, not c.same_technology, -c.expert.years_of_experience,
                                   c.open_reviews, c.expert.id))
    return ReviewerSearch(tuple(candidates), excluded_assessors, excluded_conflicted)


def assign_re_reviewers(session: Session, *, actor: Actor, appeal_id: int, count: object = DEFAULT_REVIEWERS,
                        today: date | None = None) -> SupportAppeal:
    """Assign ``count`` re-reviewers to a filed appeal (best matches first); too few eligible experts: refused."""
    actor.require(Permission.SUPPORT_MANAGE)
    appeal = _appeal(session, appeal_id)
    number = count if isinstance(count, int) and not isinstance(count, bool) else None
    if isinstance(count, str) and count.strip().isdigit():
        number = int(count.strip())
    if number is None or not 1 <= number <= MAX_REVIEWERS:
        raise InvalidInput.single("count", "Choose between {min} and {max} re-reviewers, not {value}",
                                  {"min": 1, "max": MAX_REVIEWERS, "value": str(count)[:20]})
    if appeal.status is not AppealStatus.OPEN:
        raise Conflict("Appeal {id} has re-reviewers or a resolution already; re-reviewers are assigned only to "
                       "a newly filed appeal",
                       {"id": appeal.id, "status": APPEAL_STATUS_LABELS[appeal.status]})
    search = _search(session, appeal, today or datetime.now(SEOUL).date())
    if len(search.candidates) < number:
        raise Conflict("Only {found} eligible experts were found for appeal {id} ({needed} needed): experts who "
                       "assessed the application or have a conflict with the organization are left out",
                       {"found": len(search.candidates), "id": appeal.id, "needed": number})
    chosen = search.candidates[:number]
    for candidate in chosen:
        session.add(AppealReview(appeal_id=appeal.id, expert_id=candidate.expert.id, status=ReviewStatus.ASSIGNED))
    appeal.status = AppealStatus.UNDER_REVIEW
    session.flush()
    session.refresh(appeal, ["reviews"])
    record(session, actor=actor, action="support.appeal.reviewers_assigned", object_type="support_appeal",
           object_id=appeal.id,
           details={"expert_ids": [c.expert.id for c in chosen],
                    "excluded_assessors": search.excluded_assessors,
                    "excluded_conflicted": search.excluded_conflicted})
    notify(session, organization_id=appeal.decision.application.organization_id,
           message="{count} experts who did not assess your application are re-reviewing appeal {id}",
           params={"count": number, "id": appeal.id}, link=f"/support/decisions/{appeal.decision_id}/appeal")
    return appeal


def reviewer_names(session: Session, appeal: SupportAppeal) -> dict[int, Expert]:
    """The experts of an appeal's re-reviews, by id (to show their names beside their reviews)."""
    ids = [review.expert_id for review in appeal.reviews]
    if not ids:
        return {}
    return {expert.id: expert for expert in session.scalars(select(Expert).where(Expert.id.in_(ids)))}


# Reviews ------------------------------------------------------------------------------------------------------


def my_reviews(session: Session, *, actor: Actor) -> Sequence[AppealReview]:
    """The signed-in expert's re-reviews, open ones first."""
    actor.require(Permission.SUPPORT_REVIEW)
    expert = expert_of(session, actor)
    if expert is None:
        return []
    query = (select(AppealReview).where(AppealReview.expert_id == expert.id)
             .options(selectinload(AppealReview.appeal).selectinload(SupportAppeal.decision)
                      .selectinload(SupportDecision.application))
             .order_by(AppealReview.submitted_at.is_not(None), AppealReview.assigned_at, AppealReview.id))
    return session.scalars(query).all()


def score_maximum(session: Session, application: SupportApplication) -> int:
    """The highest re-review score (x 10): the framework of the application's assessment, else the newest
    published version of the track's framework."""
    version: FrameworkVersion | None = None
    if application.assessment_id is not None:
        assessment = session.get(Assessment, application.assessment_id)
        version = assessment.round.framework if assessment is not None else None
    if version is None:
        code = application.track.framework_code
        version = session.scalar(select(FrameworkVersion)
                                 .where(FrameworkVersion.code == code, FrameworkVersion.published_at.is_not(None))
                                 .order_by(FrameworkVersion.published_at.desc(), FrameworkVersion.id.desc()))
        if version is None:
            raise Conflict("No published version of framework {code} is stored to score the re-review against",
                           {"code": code})
    return int(framework_of(version).score_range[1] * 10)


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    return {"true": True, "yes": True, "1": True, "on": True, "false": False, "no": False, "0": False}.get(text)


def submit_review(session: Session, *, actor: Actor, appeal_id: int, score: object, supports_appeal: object,
                  opinion: object) -> AppealReview:
    """An assigned re-reviewer submits a score (x 10), whether they support the appeal, and an opinion.

    Any other expert is refused with :class:`PermissionDenied`, nothing changes, and the refusal is audited.
    """
    actor.require(Permission.SUPPORT_REVIEW)
    appeal = _appeal(session, appeal_id)
    review = _assigned_review(session, actor, appeal)
    if review is None:
        record_refusal(session, actor=actor, action="support.appeal_review.refused", object_type="support_appeal",
                       object_id=appeal_id, reason="not an assigned re-reviewer")
        raise PermissionDenied("You are not an assigned re-reviewer of appeal {id}", {"id": appeal_id})
    if appeal.status is not AppealStatus.UNDER_REVIEW:
        raise Conflict("Appeal {id} is not under re-review; re-reviews are no longer accepted",
                       {"id": appeal.id, "status": APPEAL_STATUS_LABELS[appeal.status]})
    if review.status is ReviewStatus.SUBMITTED:
        raise Conflict("You submitted your re-review of appeal {id} already", {"id": appeal.id})
    maximum = score_maximum(session, appeal.decision.application)
    problems = []
    number = _whole_number(score)
    if number is None or not 0 <= number <= maximum:
        problems.append(Problem("score", "Enter a whole number from {min} to {max}, not {value}",
                                {"min": 0, "max": maximum, "value": str(score)[:20]}))
    supports = _yes_no(supports_appeal)
    if supports is None:
        problems.append(Problem("supports_appeal", "Say whether the re-review supports the appeal"))
    text = _text(opinion)
    if len(text) < MIN_TEXT or len(text) > MAX_TEXT:
        problems.append(Problem("opinion", "Write the opinion in {min} to {max} characters (this one has {length})",
                                {"min": MIN_TEXT, "max": MAX_TEXT, "length": len(text)}))
    if problems:
        raise InvalidInput(problems)
    review.score = number
    review.supports_appeal = supports
    review.opinion = text
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = utc_now()
    session.flush()
    record(session, actor=actor, action="support.appeal_review.submitted", object_type="support_appeal",
           object_id=appeal.id, reason=text,
           details={"review_id": review.id, "expert_id": review.expert_id, "score": number,
                    "supports_appeal": supports})
    return review


# Resolution ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetRoom:
    """What is left of the budgets an application draws on: the track's and, where set, its region's."""

    track_remaining: int
    region_code: str | None
    region_remaining: int | None

    def covers(self, amount: int) -> bool:
        return amount <= self.track_remaining and (self.region_remaining is None or amount <= self.region_remaining)


def application_region(application: SupportApplication) -> str:
    """The region an application draws on: its factory's, else its organization's."""
    if application.factory is not None:
        return application.factory.region_code
    return application.organization.region_code


def _funded_total(session: Session, track_id: int, region_code: str | None = None) -> int:
    query = (select(SupportApplication).join(SupportDecision, SupportDecision.application_id == SupportApplication.id)
             .where(SupportApplication.track_id == track_id, SupportDecision.is_current.is_(True),
                    SupportDecision.outcome == DecisionOutcome.FUNDED))
    applications = session.scalars(query).unique().all()
    return sum(a.government_krw for a in applications
               if region_code is None or application_region(a) == region_code)


def budget_room(session: Session, track: SupportTrack, region_code: str) -> BudgetRoom:
    """The track's budget less what its currently funded applications were granted; likewise for the region."""
    track_remaining = track.budget_krw - _funded_total(session, track.id)
    region_budget = session.scalar(select(TrackRegionBudget).where(TrackRegionBudget.track_id == track.id,
                                                                   TrackRegionBudget.region_code == region_code))
    if region_budget is None:
        return BudgetRoom(track_remaining, None, None)
    return BudgetRoom(track_remaining, region_code,
                      region_budget.budget_krw - _funded_total(session, track.id, region_code))


def resolve_appeal(session: Session, *, actor: Actor, appeal_id: int, granted: object,
                   resolution: object) -> SupportAppeal:
    """Grant or uphold an appeal once every re-review is in; granted makes a new final decision, upheld makes the
    appealed one final. The company is notified and the change audited."""
    actor.require(Permission.SUPPORT_MANAGE)
    appeal = _appeal(session, appeal_id)
    problems = []
    grant = _yes_no(granted)
    if grant is None:
        problems.append(Problem("granted", "Choose whether the appeal is granted or the decision upheld"))
    text = _text(resolution)
    if len(text) < MIN_TEXT or len(text) > MAX_TEXT:
        problems.append(Problem("resolution", "Write the resolution in {min} to {max} characters "
                                              "(this one has {length})",
                                {"min": MIN_TEXT, "max": MAX_TEXT, "length": len(text)}))
    if problems:
        raise InvalidInput(problems)
    if appeal.status is not AppealStatus.UNDER_REVIEW:
        raise Conflict("Appeal {id} is not under re-review, so it cannot be resolved",
                       {"id": appeal.id, "status": APPEAL_STATUS_LABELS[appeal.status]})
    pending = sum(1 for review in appeal.reviews if review.status is not ReviewStatus.SUBMITTED)
    if pending or not appeal.reviews:
        raise Conflict("{pending} of {total} re-reviews of appeal {id} are not submitted yet",
                       {"pending": pending, "total": len(appeal.reviews), "id": appeal.id})
    old = appeal.decision
    if not old.is_current or old.is_final:
        raise Conflict("Decision {id} is no longer open to appeal; the appeal cannot change it", {"id": old.id})
    application = old.application
    now = utc_now()
    new: SupportDecision | None = None
    if grant:
        room = budget_room(session, application.track, application_region(application))
        outcome = DecisionOutcome.FUNDED if room.covers(application.government_krw) else DecisionOutcome.WAITLISTED
        reasons = [{"message": "Appeal {appeal_id} was granted after a re-review by {count} experts",
                    "params": {"appeal_id": appeal.id, "count": len(appeal.reviews)}}]
        if outcome is DecisionOutcome.FUNDED:
            reasons.append({"message": "The remaining budget covers the grant of {grant} KRW",
                            "params": {"grant": application.government_krw}})
        else:
            remaining = room.track_remaining if room.region_remaining is None else min(room.track_remaining,
                                                                                       room.region_remaining)
            reasons.append({"message": "The remaining budget of {remaining} KRW does not cover the grant of "
                                       "{grant} KRW: the application is waitlisted until funds free up",
                            "params": {"remaining": remaining, "grant": application.government_krw}})
        old.is_current = False
        session.flush()
        new = SupportDecision(application_id=application.id, selection_run_id=old.selection_run_id,
                              outcome=outcome, reasons=reasons, is_final=True, appeal_deadline=None,
                              supersedes_id=old.id, is_current=True, decided_by_label=actor.label, decided_at=now)
        session.add(new)
        application.status = (ApplicationStatus.FUNDED if outcome is DecisionOutcome.FUNDED
                              else ApplicationStatus.WAITLISTED)
        appeal.status = AppealStatus.GRANTED
    else:
        old.is_final = True
        appeal.status = AppealStatus.UPHELD
    appeal.resolution = text
    appeal.resolved_at = now
    session.flush()
    details = {"decision_id": old.id, "new_decision_id": new.id if new else None,
               "outcome": new.outcome.value if new else old.outcome.value,
               "reviews": [{"expert_id": r.expert_id, "score": r.score, "supports_appeal": r.supports_appeal}
                           for r in appeal.reviews]}
    record(session, actor=actor, action=f"support.appeal.{appeal.status.value}", object_type="support_appeal",
           object_id=appeal.id, reason=text, details=details)
    if new is not None:
        record(session, actor=actor, action="support.decision.superseded", object_type="support_decision",
               object_id=new.id, reason=text,
               details={"supersedes_id": old.id, "outcome": new.outcome.value, "appeal_id": appeal.id})
        notify(session, organization_id=application.organization_id,
               message=("Your appeal {id} is granted: the application is funded"
                        if new.outcome is DecisionOutcome.FUNDED
                        else "Your appeal {id} is granted: the application is waitlisted until funds free up"),
               params={"id": appeal.id}, link=f"/support/decisions/{old.id}/appeal")
    else:
        notify(session, organization_id=application.organization_id,
               message="Your appeal {id} is not granted: decision {decision_id} stands and is final",
               params={"id": appeal.id, "decision_id": old.id}, link=f"/support/decisions/{old.id}/appeal")
    return appeal
