"""The company's report: level, profile, strengths and gaps, self vs expert gap, track, in Korean and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.assessment import report_service
from midas.assessment import scoring_service as service
from midas.assessment.enums import AssessmentStatus
from midas.assessment.framework_service import framework_of
from midas.assessment.models import Assessment, SelfAssessment
from midas.auth import Actor, Role, User, actor_for
from midas.db import utc_now
from midas.errors import Conflict, NotFound
from tests.assessment.factories import make_sheet, scoring_setup, shipped_version, uniform_scores
from tests.factories import make_user, sign_in


def finished(session: Session, *, code: str = "ksx9001-3", low_area: str = "automation",
             self_value: int | None = None) -> Assessment:
    """A final assessment: two experts scoring 4 everywhere except 1 on every item of ``low_area``."""
    _, assessment, experts = scoring_setup(session, version=shipped_version(session, code), level_tolerance=5,
                                           item_tolerance=5)
    framework = framework_of(assessment.round.framework)
    low = {item.id for item in framework.items_under(low_area)}
    scores = {item.id: 1 if item.id in low else 4 for item in framework.items}
    if self_value is not None:
        session.add(SelfAssessment(assessment_id=assessment.id, scores=uniform_scores(framework, self_value),
                                   submitted_at=utc_now()))
    make_sheet(session, assessment.assignments[0], scores)
    user = session.get(User, experts[1].user_id)
    assert user is not None
    service.submit_sheet(session, actor=actor_for(user), assessment_id=assessment.id, scores=scores,
                         justifications=dict.fromkeys(scores, "확인"))
    assert assessment.status is AssessmentStatus.FINAL
    return assessment


def company_actor(session: Session, assessment: Assessment) -> Actor:
    return actor_for(make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization))


def test_the_report_holds_the_level_profile_strengths_gaps_and_track(session: Session) -> None:
    assessment = finished(session)
    report = report_service.build_report(session, actor=company_actor(session, assessment),
                                         assessment_id=assessment.id)
    assert report.level.level == assessment.final_level
    assert report.maximum == Decimal(1000)
    assert len(report.areas) == 10  # the ten areas of KS X 9001-3
    assert report.gaps[0].line.area.id == "automation"
    assert report.gaps[0].line.percent == Decimal("20.0")
    assert all(line.score == 1 for line in report.gaps[0].items)
    assert report.gaps[0].items
    assert "automation" not in {line.area.id for line in report.strengths}
    assert report.track == service.recommended_track(report.framework, report.level.level)
    assert report.self_gap is None


def test_the_self_assessment_gap_is_shown_per_area_and_item(session: Session) -> None:
    assessment = finished(session, self_value=5)
    report = report_service.build_report(session, actor=company_actor(session, assessment),
                                         assessment_id=assessment.id)
    assert report.self_gap is not None
    automation = next(line for line in report.areas if line.area.id == "automation")
    assert automation.self_score == automation.maximum
    assert automation.difference == automation.maximum - automation.score
    assert report.self_gap.items[0][1].difference == 4  # 5 against the experts' 1
    assert len(report_service.radar_for(report, "ko").series) == 2


def test_siri_reports_over_its_pillars(session: Session) -> None:
    assessment = finished(session, code="siri16", low_area="intelligence")
    report = report_service.build_report(session, actor=company_actor(session, assessment),
                                         assessment_id=assessment.id)
    assert len(report.areas) == 8
    assert report.gaps[0].line.area.id == "intelligence"
    radar = report_service.radar_for(report, "en")
    assert "Intelligence" in [axis.label for axis in radar.axes]


def test_the_report_waits_for_the_final_result_and_stays_in_the_company(session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    with pytest.raises(Conflict):
        report_service.build_report(session, actor=company_actor(session, assessment), assessment_id=assessment.id)
    final = finished(session)
    with pytest.raises(NotFound):
        report_service.build_report(session, actor=actor_for(make_user(session, Role.COMPANY_MEMBER)),
                                    assessment_id=final.id)
    auditor = actor_for(make_user(session, Role.AUDITOR))
    assert report_service.build_report(session, actor=auditor, assessment_id=final.id).score == final.final_score


def test_the_report_page_in_korean_and_in_english(client: TestClient, session: Session) -> None:
    assessment = finished(session, self_value=3)
    member = make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization)
    token = sign_in(client, member)
    korean = client.get(f"/assessment/assessments/{assessment.id}/report")
    assert korean.status_code == 200
    assert "평가 보고서" in korean.text
    assert "자동화" in korean.text
    assert '<svg class="radar"' in korean.text
    assert "<table" in korean.text  # the data beside the chart
    assert "추천 지원 유형" in korean.text
    for assignment in assessment.assignments:
        assert assignment.expert.name not in korean.text
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    english = client.get(f"/assessment/assessments/{assessment.id}/report").text
    assert "Assessment report" in english
    assert "Recommended support track" in english
    assert "Equipment automation" in english
    assert "설비자동화" not in english


def test_the_company_comments_appeals_and_the_operator_answers(client: TestClient, session: Session) -> None:
    assessment = finished(session)
    member = make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization)
    token = sign_in(client, member)
    comment = client.post(f"/assessment/assessments/{assessment.id}/responses", follow_redirects=False,
                          data={"csrf_token": token, "kind": "comment", "body": "감사합니다"})
    assert comment.status_code == 303
    session.refresh(assessment)
    assert assessment.status is AssessmentStatus.FINAL
    client.post(f"/assessment/assessments/{assessment.id}/responses",
                data={"csrf_token": token, "kind": "appeal", "body": "물류 영역 재검토 요청"})
    session.refresh(assessment)
    assert assessment.status is AssessmentStatus.APPEALED
    operator = make_user(session, Role.OPERATOR)
    token = sign_in(client, operator)
    page = client.get(f"/assessment/assessments/{assessment.id}/report").text
    assert "물류 영역 재검토 요청" in page
    assert 'name="answer"' in page
    responses = service.list_responses(session, actor=actor_for(operator), assessment_id=assessment.id)
    answered = client.post(f"/assessment/responses/{responses[1].id}/answer", follow_redirects=False,
                           data={"csrf_token": token, "answer": "재검토 일정을 안내드리겠습니다"})
    assert answered.status_code == 303
    assert "재검토 일정을 안내드리겠습니다" in client.get(f"/assessment/assessments/{assessment.id}/report").text
