"""Scoring an assessment through the service: sheets, blind visibility, reconciliation, final result, evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import scoring_service as service
from midas.assessment.enums import AssessmentStatus
from midas.assessment.frameworks import Framework
from midas.assessment.models import Assessment, Expert, ScoreSheet
from midas.audit import AuditEvent
from midas.auth import Actor, Role, actor_for
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.assessment.factories import (
    make_assignment,
    make_expert,
    make_sheet,
    scoring_setup,
    shipped_version,
    uniform_scores,
)
from tests.factories import make_user


def expert_actor(session: Session, expert: Expert) -> Actor:
    from midas.auth import User

    user = session.get(User, expert.user_id)
    assert user is not None
    return actor_for(user)


def framework_of_assessment(assessment: Assessment) -> Framework:
    return service.framework_for(assessment)


def justified(framework: Framework, scores: dict[str, int]) -> dict[str, str]:
    return {item.id: "현장 확인" for item in framework.items if item.id in scores}


def submit(session: Session, assessment: Assessment, expert: Expert, value: int | dict[str, int]) -> None:
    framework = framework_of_assessment(assessment)
    scores = uniform_scores(framework, value) if isinstance(value, int) else value
    service.submit_sheet(session, actor=expert_actor(session, expert), assessment_id=assessment.id,
                         scores=scores, justifications=justified(framework, scores))


def test_a_draft_may_be_partial_and_is_kept(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    actor = expert_actor(session, experts[0])
    view = service.save_sheet(session, actor=actor, assessment_id=assessment.id,
                              scores={"leadership.vision": 3}, justifications={"leadership.vision": "비전 문서 확인"})
    assert view.scores == {"leadership.vision": 3}
    assert view.submitted_at is None
    assert view.can_edit
    again = service.get_my_sheet(session, actor=actor, assessment_id=assessment.id)
    assert again.justifications == {"leadership.vision": "비전 문서 확인"}


def test_a_score_outside_the_scale_is_refused_with_its_item_and_nothing_changes(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    actor = expert_actor(session, experts[0])
    service.save_sheet(session, actor=actor, assessment_id=assessment.id, scores={"leadership.vision": 2},
                       justifications={})
    with pytest.raises(InvalidInput) as refused:
        service.save_sheet(session, actor=actor, assessment_id=assessment.id,
                           scores={"leadership.vision": 4, "leadership.organisation": 9}, justifications={})
    assert [p.field for p in refused.value.problems] == ["scores.leadership.organisation"]
    assert refused.value.problems[0].params == {"level": 9, "min": 0, "max": 5}
    assert service.get_my_sheet(session, actor=actor, assessment_id=assessment.id).scores == {"leadership.vision": 2}


def test_a_too_long_justification_is_refused(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    with pytest.raises(InvalidInput) as refused:
        service.save_sheet(session, actor=expert_actor(session, experts[0]), assessment_id=assessment.id,
                           scores={}, justifications={"leadership.vision": "x" * 1001})
    assert refused.value.problems[0].field == "justifications.leadership.vision"


def test_submitting_needs_every_item_and_justified_extremes(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    actor = expert_actor(session, experts[0])
    framework = framework_of_assessment(assessment)
    with pytest.raises(InvalidInput) as incomplete:
        service.submit_sheet(session, actor=actor, assessment_id=assessment.id, scores={"leadership.vision": 3})
    assert len(incomplete.value.problems) == len(framework.items) - 1
    scores = uniform_scores(framework, 3) | {"leadership.vision": 5}
    with pytest.raises(InvalidInput) as unjustified:
        service.submit_sheet(session, actor=actor, assessment_id=assessment.id, scores=scores)
    assert [p.field for p in unjustified.value.problems] == ["justifications.leadership.vision"]
    view = service.submit_sheet(session, actor=actor, assessment_id=assessment.id, scores=scores,
                                justifications={"leadership.vision": "전사 KPI 대시보드 운영"})
    assert view.submitted_at is not None
    assert view.overall is not None
    assert not view.can_edit


def test_after_the_deadline_a_sheet_is_refused_and_nothing_changes(session: Session) -> None:
    _, assessment, experts = scoring_setup(session, deadline=datetime.now(UTC) - timedelta(hours=1))
    actor = expert_actor(session, experts[0])
    with pytest.raises(Conflict):
        service.save_sheet(session, actor=actor, assessment_id=assessment.id, scores={"leadership.vision": 3},
                           justifications={})
    with pytest.raises(Conflict):
        submit(session, assessment, experts[0], 3)
    assert session.scalars(select(ScoreSheet)).all() == []


def test_an_expert_not_assigned_is_refused_and_the_refusal_stays_audited(session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    stranger = make_expert(session, with_user=True)
    session.commit()  # the setup is kept; the refusal rolls back only what the refused call held
    actor = expert_actor(session, stranger)
    with pytest.raises(PermissionDenied):
        service.save_sheet(session, actor=actor, assessment_id=assessment.id, scores={"leadership.vision": 3},
                           justifications={})
    session.rollback()  # what the request does after the error
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.sheet.refused")).all()
    assert [(e.actor_user_id, e.object_id) for e in events] == [(stranger.user_id, str(assessment.id))]
    assert session.scalars(select(ScoreSheet)).all() == []


def test_a_declined_or_proposed_assignment_does_not_let_an_expert_score(session: Session) -> None:
    from midas.assessment.enums import AssignmentStatus

    _, assessment, _ = scoring_setup(session)
    proposed = make_expert(session, with_user=True)
    make_assignment(session, assessment, proposed, status=AssignmentStatus.PROPOSED)
    session.commit()
    with pytest.raises(PermissionDenied):
        service.get_my_sheet(session, actor=expert_actor(session, proposed), assessment_id=assessment.id)


def test_scoring_is_blind_until_every_expert_has_submitted(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    first, second = (expert_actor(session, e) for e in experts)
    submit(session, assessment, experts[0], 3)
    service.save_sheet(session, actor=second, assessment_id=assessment.id, scores={"leadership.vision": 1},
                       justifications={})
    assert service.get_my_sheet(session, actor=first, assessment_id=assessment.id).others is None
    assert service.get_my_sheet(session, actor=second, assessment_id=assessment.id).others is None
    seen = service.view_assessment(session, actor=second, assessment_id=assessment.id)
    assert all(e.scores is None for e in seen.experts if e.label == experts[0].name)
    submit(session, assessment, experts[1], 3)
    others = service.get_my_sheet(session, actor=first, assessment_id=assessment.id).others
    assert others is not None
    assert [o.label for o in others] == [experts[1].name]


def test_agreeing_experts_finalize_the_assessment_with_the_median(session: Session) -> None:
    _, assessment, experts = scoring_setup(session, level_tolerance=1)
    framework = framework_of_assessment(assessment)
    submit(session, assessment, experts[0], 3)
    assert assessment.status is AssessmentStatus.SCORING
    submit(session, assessment, experts[1], 4)
    assert assessment.status is AssessmentStatus.FINAL
    # 3/5 and 4/5 of 1000 points: 600 and 800, the median of two is their mean.
    assert assessment.final_score == Decimal("700.00")
    assert assessment.final_level == framework.level_for(Decimal(700)).level == 3
    assert assessment.recommended_track == "advance"
    assert assessment.final_areas is not None
    assert assessment.final_areas["leadership"] == "70.00"


def test_experts_apart_beyond_the_tolerance_go_to_reconciliation(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    submit(session, assessment, experts[0], 1)
    submit(session, assessment, experts[1], 4)
    assert assessment.status is AssessmentStatus.RECONCILIATION
    assert assessment.final_level is None
    reasons = service.current_disagreements(assessment)
    assert reasons
    assert reasons[-1].item_id is None


def reconciling(session: Session) -> tuple[Assessment, list[Expert]]:
    _, assessment, experts = scoring_setup(session)
    submit(session, assessment, experts[0], 2)
    submit(session, assessment, experts[1], 4)
    assert assessment.status is AssessmentStatus.RECONCILIATION
    return assessment, experts


def test_a_revision_during_reconciliation_then_finalize_within_tolerance(session: Session) -> None:
    assessment, experts = reconciling(session)
    operator = actor_for(make_user(session, Role.OPERATOR))
    actor = expert_actor(session, experts[0])
    service.post_message(session, actor=actor, assessment_id=assessment.id, body="MES 연동 범위를 다시 봤습니다")
    framework = framework_of_assessment(assessment)
    view = service.save_sheet(session, actor=actor, assessment_id=assessment.id,
                              scores=uniform_scores(framework, 4), justifications={})
    assert view.is_revision
    assert view.revised_at is not None
    assert view.overall == Decimal("800.00")
    final = service.finalize(session, actor=operator, assessment_id=assessment.id)
    assert final.status is AssessmentStatus.FINAL
    assert final.final_score == Decimal("800.00")
    assert final.final_level == 4
    assert [m.body for m in service.list_messages(session, actor=operator, assessment_id=assessment.id)] == [
        "MES 연동 범위를 다시 봤습니다"]


def test_finalize_while_experts_still_disagree_needs_a_reason_or_a_third_expert(session: Session) -> None:
    assessment, _ = reconciling(session)
    operator = actor_for(make_user(session, Role.OPERATOR))
    with pytest.raises(InvalidInput) as refused:
        service.finalize(session, actor=operator, assessment_id=assessment.id)
    assert refused.value.problems[0].field == "reason"
    assert assessment.status is AssessmentStatus.RECONCILIATION
    final = service.finalize(session, actor=operator, assessment_id=assessment.id, reason="현장 재확인 결과 반영")
    assert final.final_score == Decimal("600.00")
    assert final.final_level == 3
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.finalize")).one()
    assert event.reason == "현장 재확인 결과 반영"
    assert event.details["rule"] == "operator_reason"


def test_a_third_experts_sheet_lets_the_median_decide(session: Session) -> None:
    assessment, _ = reconciling(session)
    third = make_expert(session, with_user=True)
    make_assignment(session, assessment, third, is_additional=True)
    session.refresh(assessment)
    actor = expert_actor(session, third)
    assert service.get_my_sheet(session, actor=actor, assessment_id=assessment.id).others is None
    submit(session, assessment, third, 3)
    operator = actor_for(make_user(session, Role.OPERATOR))
    final = service.finalize(session, actor=operator, assessment_id=assessment.id)
    assert final.final_score == Decimal("600.00")  # the median of 400, 800 and 600


def test_only_operators_finalize_and_only_in_reconciliation(session: Session) -> None:
    assessment, experts = reconciling(session)
    with pytest.raises(PermissionDenied):
        service.finalize(session, actor=expert_actor(session, experts[0]), assessment_id=assessment.id,
                         reason="x")
    _, scoring, _ = scoring_setup(session)
    with pytest.raises(Conflict):
        service.finalize(session, actor=actor_for(make_user(session, Role.OPERATOR)), assessment_id=scoring.id,
                         reason="x")


def test_the_track_counts_down_from_the_top_level(session: Session) -> None:
    ksx = service.framework_of(shipped_version(session))
    siri = service.framework_of(shipped_version(session, "siri16"))
    assert [service.recommended_track(ksx, level) for level in range(1, 6)] == [
        "start", "start", "advance", "advance", "leading"]
    assert [service.recommended_track(siri, level) for level in range(6)] == [
        "start", "start", "start", "advance", "advance", "leading"]


def test_evidence_notes_and_files_with_their_limits(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    actor = expert_actor(session, experts[0])
    note = service.add_evidence(session, actor=actor, assessment_id=assessment.id, kind="note", title="면담",
                                note="생산팀장 면담", item_id="leadership.vision")
    photo = service.add_evidence(session, actor=actor, assessment_id=assessment.id, kind="photo", title="라인",
                                 upload=service.Upload("../../현장 사진.jpg", "image/jpeg", b"\xff\xd8\xff"))
    assert photo.filename == "현장 사진.jpg"
    assert photo.size_bytes == 3
    with pytest.raises(InvalidInput) as wrong_type:
        service.add_evidence(session, actor=actor, assessment_id=assessment.id, kind="file", title="x",
                             upload=service.Upload("a.exe", "application/x-msdownload", b"MZ"))
    assert wrong_type.value.problems[0].field == "file"
    with pytest.raises(InvalidInput):
        service.add_evidence(session, actor=actor, assessment_id=assessment.id, kind="file", title="x",
                             upload=service.Upload("big.pdf", "application/pdf",
                                                   b"0" * (service.MAX_EVIDENCE_BYTES + 1)))
    with pytest.raises(InvalidInput) as kpi:
        service.add_evidence(session, actor=actor, assessment_id=assessment.id, kind="kpi", title="KPI")
    assert kpi.value.problems[0].message == "The platform holds no K-MDS data of this company yet"
    listed = service.list_evidence(session, actor=expert_actor(session, experts[1]), assessment_id=assessment.id)
    assert [e.id for e in listed] == [note.id, photo.id]
    assert service.get_evidence_file(session, actor=actor, evidence_id=photo.id).content == b"\xff\xd8\xff"
    company = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization))
    with pytest.raises(PermissionDenied):
        service.get_evidence_file(session, actor=company, evidence_id=photo.id)


def test_filenames_are_sanitised() -> None:
    assert service.sanitize_filename("C:\\temp\\보고서.pdf") == "보고서.pdf"
    assert service.sanitize_filename("a\x00b<c>.png") == "ab_c_.png"
    assert service.sanitize_filename("...") == "file"
    assert len(service.sanitize_filename("가" * 300 + ".pdf")) == 120


def test_self_assessment_draft_submit_and_its_limits(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    framework = framework_of_assessment(assessment)
    member = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization))
    view = service.save_self_assessment(session, actor=member, assessment_id=assessment.id,
                                        scores={"leadership.vision": 4})
    assert view.scores == {"leadership.vision": 4}
    assert view.can_edit
    with pytest.raises(InvalidInput):
        service.save_self_assessment(session, actor=member, assessment_id=assessment.id,
                                     scores={"leadership.vision": 6})
    submitted = service.submit_self_assessment(session, actor=member, assessment_id=assessment.id,
                                               scores=uniform_scores(framework, 4))
    assert submitted.overall == Decimal("800.00")
    assert not submitted.can_edit
    with pytest.raises(Conflict):
        service.save_self_assessment(session, actor=member, assessment_id=assessment.id, scores={})
    other = actor_for(make_user(session, Role.COMPANY_MEMBER))
    with pytest.raises(NotFound):
        service.get_self_assessment(session, actor=other, assessment_id=assessment.id)
    with pytest.raises(PermissionDenied):
        service.get_self_assessment(session, actor=expert_actor(session, experts[0]), assessment_id=assessment.id)


def test_the_company_sees_its_assessment_without_expert_identities(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    submit(session, assessment, experts[0], 3)
    member = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization))
    view = service.view_assessment(session, actor=member, assessment_id=assessment.id)
    assert view.role == "company"
    assert view.experts == ()
    assert [a.id for a in service.company_assessments(session, actor=member)] == [assessment.id]
    operator_view = service.view_assessment(session, actor=actor_for(make_user(session, Role.AUDITOR)),
                                            assessment_id=assessment.id)
    assert operator_view.role == "operator"
    assert len(operator_view.experts) == 2


def test_a_sheet_made_by_the_factory_counts_as_submitted(session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    framework = framework_of_assessment(assessment)
    make_sheet(session, assessment.assignments[0], uniform_scores(framework, 3))
    submit(session, assessment, experts[1], 3)
    assert assessment.status is AssessmentStatus.FINAL
    assert assessment.final_score == Decimal("600.00")
