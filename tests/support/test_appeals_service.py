"""Appeals: filed only against the current, open decision in time; re-reviewed by experts who neither assessed
the application nor are conflicted; reviewed only by them (others refused and audited); resolved into a new final
decision or a final upheld one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import AffiliationKind, AssignmentStatus, ConflictKind, ConflictOfInterest, ConflictSource
from midas.audit import AuditEvent
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.support import appeals_service as service
from midas.support.enums import AppealStatus, ApplicationStatus, DecisionOutcome, ReviewStatus
from midas.support.models import AppealReview, SupportAppeal, SupportDecision, SupportNotification
from tests.assessment.factories import make_affiliation, make_assessment, make_assignment, make_round
from tests.support.factories import make_track
from tests.support.factories_projects import (
    actor_of,
    decided_application,
    expert_user,
    make_appeal,
    make_decision,
    make_review,
    member_of,
    operator,
    other_company,
)

REASON = "평가 점수에 반영되지 않은 MES 구축 실적과 인증서가 있습니다."


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_member_files_an_appeal_which_is_audited_and_notified(session: Session) -> None:
    application, decision = decided_application(session)
    actor = actor_of(member_of(session, application.organization_id))
    appeal = service.file_appeal(session, actor=actor, decision_id=decision.id, reason=REASON)
    assert (appeal.status, appeal.reason, appeal.application_id) == (AppealStatus.OPEN, REASON, application.id)
    assert [e.object_id for e in events(session, "support.appeal.filed")] == [str(appeal.id)]
    notes = session.scalars(select(SupportNotification)
                            .where(SupportNotification.organization_id == application.organization_id)).all()
    assert [n.params for n in notes] == [{"decision_id": decision.id}]


@pytest.mark.parametrize(("change", "message"), [
    ({"is_current": False}, "has been superseded"),
    ({"is_final": True}, "is final"),
    ({"appeal_deadline": datetime.now(UTC) - timedelta(minutes=1)}, "appeal window"),
    ({"outcome": DecisionOutcome.FUNDED}, "nothing to appeal"),
])
def test_an_appeal_is_refused_against_a_decision_not_open_to_it(session: Session, change: dict[str, object],
                                                                 message: str) -> None:
    application, decision = decided_application(session, **change)  # type: ignore[arg-type]
    actor = actor_of(member_of(session, application.organization_id))
    with pytest.raises(Conflict) as refused:
        service.file_appeal(session, actor=actor, decision_id=decision.id, reason=REASON)
    assert message in refused.value.english()
    assert session.scalars(select(SupportAppeal)).all() == []


def test_one_appeal_per_decision_a_long_enough_reason_and_only_the_company(session: Session) -> None:
    application, decision = decided_application(session)
    actor = actor_of(member_of(session, application.organization_id))
    with pytest.raises(InvalidInput) as short:
        service.file_appeal(session, actor=actor, decision_id=decision.id, reason="too short")
    assert short.value.problems[0].field == "reason"
    assert short.value.problems[0].params == {"min": 20, "max": 5000, "length": 9}
    with pytest.raises(NotFound):
        service.file_appeal(session, actor=other_company(session), decision_id=decision.id, reason=REASON)
    with pytest.raises(PermissionDenied):
        service.file_appeal(session, actor=operator(session), decision_id=decision.id, reason=REASON)
    first = service.file_appeal(session, actor=actor, decision_id=decision.id, reason=REASON)
    with pytest.raises(Conflict) as twice:
        service.file_appeal(session, actor=actor, decision_id=decision.id, reason=REASON)
    assert twice.value.params == {"id": decision.id, "appeal_id": first.id}


def test_re_reviewers_are_never_the_assessors_nor_conflicted_and_best_matches_come_first(session: Session) -> None:
    application, decision = decided_application(session)
    organization = application.organization
    assessment = make_assessment(session, make_round(session), organization)
    application.assessment_id = assessment.id
    assessor, _ = expert_user(session, years_of_experience=30)
    declined, _ = expert_user(session, years_of_experience=30)
    make_assignment(session, assessment, assessor)
    make_assignment(session, assessment, declined, status=AssignmentStatus.DECLINED)
    recorded, _ = expert_user(session, years_of_experience=30)
    session.add(ConflictOfInterest(expert_id=recorded.id, organization_id=organization.id,
                                   kind=ConflictKind.DECLARED, source=ConflictSource.DECLARED, reason="consulted",
                                   created_by_label="test"))
    detected, _ = expert_user(session, years_of_experience=30)  # detection finds it: a past employee
    make_affiliation(session, detected, organization, kind=AffiliationKind.EMPLOYEE)
    other_field, _ = expert_user(session, ksic_divisions="10", technologies="energy", years_of_experience=40)
    best, _ = expert_user(session, years_of_experience=5)
    good, _ = expert_user(session, years_of_experience=3)
    appeal = make_appeal(session, decision)
    found = service.find_re_reviewers(session, actor=operator(session), appeal_id=appeal.id)
    ids = [c.expert.id for c in found.candidates]
    assert {assessor.id, declined.id, recorded.id, detected.id}.isdisjoint(ids)
    assert ids.index(best.id) < ids.index(good.id) < ids.index(other_field.id)
    assert (found.excluded_assessors, found.excluded_conflicted) == (2, 2)
    assigned = service.assign_re_reviewers(session, actor=operator(session), appeal_id=appeal.id, count=2)
    assert assigned.status is AppealStatus.UNDER_REVIEW
    chosen = {r.expert_id for r in assigned.reviews}
    assert chosen == set(ids[:2])
    assert {assessor.id, declined.id, recorded.id, detected.id}.isdisjoint(chosen)
    assert events(session, "support.appeal.reviewers_assigned")[0].details["expert_ids"] == ids[:2]


def test_too_few_eligible_experts_is_refused_with_how_many_were_found(session: Session) -> None:
    _, decision = decided_application(session)
    appeal = make_appeal(session, decision)
    available = len(service.find_re_reviewers(session, actor=operator(session), appeal_id=appeal.id).candidates)
    with pytest.raises(Conflict) as refused:
        service.assign_re_reviewers(session, actor=operator(session), appeal_id=appeal.id, count=available + 1)
    assert refused.value.params["found"] == available
    assert refused.value.params["needed"] == available + 1
    assert session.scalars(select(AppealReview)).all() == []
    assert appeal.status is AppealStatus.OPEN
    with pytest.raises(InvalidInput) as bad:
        service.assign_re_reviewers(session, actor=operator(session), appeal_id=appeal.id, count=9)
    assert bad.value.problems[0].field == "count"


def under_review(session: Session, **decision: object) -> tuple[SupportAppeal, list[tuple[object, object]]]:
    _, made = decided_application(session, **decision)  # type: ignore[arg-type]
    appeal = make_appeal(session, made, status=AppealStatus.UNDER_REVIEW)
    reviewers = [expert_user(session) for _ in range(2)]
    for expert, _ in reviewers:
        make_review(session, appeal, expert)
    return appeal, reviewers  # type: ignore[return-value]


def test_an_assigned_expert_submits_a_review_within_the_scale(session: Session) -> None:
    appeal, reviewers = under_review(session)
    actor = actor_of(reviewers[0][1])  # type: ignore[arg-type]
    maximum = service.score_maximum(session, appeal.decision.application)
    assert maximum == 10_000  # KS X 9001-3: 1,000 points
    with pytest.raises(InvalidInput) as bad:
        service.submit_review(session, actor=actor, appeal_id=appeal.id, score=maximum + 1, supports_appeal="maybe",
                              opinion="")
    assert [p.field for p in bad.value.problems] == ["score", "supports_appeal", "opinion"]
    review = service.submit_review(session, actor=actor, appeal_id=appeal.id, score="7250", supports_appeal="yes",
                                   opinion="현장 확인 결과 MES 운영 실적이 확인됩니다.")
    assert (review.status, review.score, review.supports_appeal) == (ReviewStatus.SUBMITTED, 7250, True)
    with pytest.raises(Conflict):
        service.submit_review(session, actor=actor, appeal_id=appeal.id, score=700, supports_appeal=True,
                              opinion="다시 제출합니다.")
    assert [e.details["score"] for e in events(session, "support.appeal_review.submitted")] == [7250]


def test_an_unassigned_expert_is_refused_and_the_refusal_stays_audited(session: Session) -> None:
    appeal, _ = under_review(session)
    stranger, user = expert_user(session)
    session.commit()  # the setup is kept; the refusal rolls back only what the refused call held
    with pytest.raises(PermissionDenied):
        service.submit_review(session, actor=actor_of(user), appeal_id=appeal.id, score=500, supports_appeal=True,
                              opinion="배정되지 않은 전문가의 의견")
    session.rollback()
    refused = events(session, "support.appeal_review.refused")
    assert [(e.actor_user_id, e.object_id) for e in refused] == [(user.id, str(appeal.id))]
    assert all(r.status is ReviewStatus.ASSIGNED for r in session.scalars(select(AppealReview)))
    assert stranger.id not in {r.expert_id for r in session.scalars(select(AppealReview))}


def submit_all(session: Session, appeal: SupportAppeal, reviewers: list[tuple[object, object]]) -> None:
    for _, user in reviewers:
        service.submit_review(session, actor=actor_of(user), appeal_id=appeal.id, score=800,  # type: ignore[arg-type]
                              supports_appeal=True, opinion="재검토 결과 점수 상향이 타당합니다.")


def test_resolution_waits_for_every_review_and_needs_a_text(session: Session) -> None:
    appeal, reviewers = under_review(session)
    actor = operator(session)
    with pytest.raises(Conflict) as pending:
        service.resolve_appeal(session, actor=actor, appeal_id=appeal.id, granted=True, resolution="인용합니다 충분히")
    assert pending.value.params == {"pending": 2, "total": 2, "id": appeal.id}
    submit_all(session, appeal, reviewers)
    with pytest.raises(InvalidInput) as empty:
        service.resolve_appeal(session, actor=actor, appeal_id=appeal.id, granted="", resolution=" ")
    assert [p.field for p in empty.value.problems] == ["granted", "resolution"]
    assert appeal.status is AppealStatus.UNDER_REVIEW


def test_a_granted_appeal_supersedes_with_a_final_funded_decision_when_the_budget_allows(session: Session) -> None:
    appeal, reviewers = under_review(session)
    submit_all(session, appeal, reviewers)
    old = appeal.decision
    service.resolve_appeal(session, actor=operator(session), appeal_id=appeal.id, granted=True,
                           resolution="재검토 전문가 전원이 이의를 지지함")
    assert appeal.status is AppealStatus.GRANTED
    assert (old.is_current, old.is_final) == (False, False)
    new = session.scalars(select(SupportDecision).where(SupportDecision.supersedes_id == old.id)).one()
    assert (new.outcome, new.is_final, new.is_current) == (DecisionOutcome.FUNDED, True, True)
    assert new.application.status is ApplicationStatus.FUNDED
    assert [e.object_id for e in events(session, "support.decision.superseded")] == [str(new.id)]
    assert events(session, "support.appeal.granted")[0].details["new_decision_id"] == new.id


def test_a_granted_appeal_without_budget_left_is_waitlisted_with_the_reason(session: Session) -> None:
    track = make_track(session, budget_krw=100_000_000)
    funded, _ = decided_application(session, track=track, outcome=DecisionOutcome.FUNDED)
    appeal, reviewers = under_review(session, track=track)
    submit_all(session, appeal, reviewers)
    service.resolve_appeal(session, actor=operator(session), appeal_id=appeal.id, granted="true",
                           resolution="이의는 타당하나 예산이 소진됨")
    new = session.scalars(select(SupportDecision).where(SupportDecision.supersedes_id == appeal.decision_id)).one()
    assert new.outcome is DecisionOutcome.WAITLISTED
    assert new.reasons[1]["params"] == {"remaining": 100_000_000 - funded.government_krw, "grant": 80_000_000}


def test_an_upheld_appeal_makes_the_decision_final_and_nothing_else(session: Session) -> None:
    appeal, reviewers = under_review(session)
    submit_all(session, appeal, reviewers)
    service.resolve_appeal(session, actor=operator(session), appeal_id=appeal.id, granted=False,
                           resolution="원 결정의 근거가 유지됨")
    assert appeal.status is AppealStatus.UPHELD
    assert (appeal.decision.is_final, appeal.decision.is_current) == (True, True)
    assert session.scalars(select(SupportDecision).where(SupportDecision.supersedes_id.is_not(None))).all() == []
    with pytest.raises(Conflict):
        service.resolve_appeal(session, actor=operator(session), appeal_id=appeal.id, granted=True,
                               resolution="다시 결정합니다")


def test_only_operators_assign_and_resolve_and_members_see_only_their_appeals(session: Session) -> None:
    application, decision = decided_application(session)
    appeal = make_appeal(session, decision)
    member = actor_of(member_of(session, application.organization_id))
    with pytest.raises(PermissionDenied):
        service.assign_re_reviewers(session, actor=member, appeal_id=appeal.id)
    with pytest.raises(PermissionDenied):
        service.resolve_appeal(session, actor=member, appeal_id=appeal.id, granted=True, resolution="스스로 인용")
    assert [a.id for a in service.list_appeals(session, actor=member)] == [appeal.id]
    assert service.list_appeals(session, actor=other_company(session)) == []
    with pytest.raises(NotFound):
        service.get_appeal(session, actor=other_company(session), appeal_id=appeal.id)
    assert appeal.id in [a.id for a in service.list_appeals(session, actor=operator(session),
                                                           status=AppealStatus.OPEN)]
    with pytest.raises(InvalidInput):
        service.parse_status("closed")


def test_the_appeal_form_says_why_a_decision_cannot_be_appealed(session: Session) -> None:
    application, _ = decided_application(session, is_final=True)
    late = make_decision(session, application, is_current=False)
    member = actor_of(member_of(session, application.organization_id))
    form = service.appeal_form(session, actor=member, decision_id=late.id)
    assert not form.can_file
    assert form.why_not is not None
    assert "superseded" in form.why_not
