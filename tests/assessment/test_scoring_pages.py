"""The scoring pages: the tablet form, the assessment with its thread, the company's list, self-assessment, report."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment.enums import AssessmentStatus
from midas.assessment.framework_service import framework_of
from midas.assessment.models import Assessment, Expert, ScoreSheet
from midas.audit import AuditEvent
from midas.auth import Role, User
from tests.assessment.factories import make_expert, make_sheet, scoring_setup, shipped_version, uniform_scores
from tests.factories import make_user, sign_in


def user_of(session: Session, expert: Expert) -> User:
    user = session.get(User, expert.user_id)
    assert user is not None
    return user


def form_of(assessment: Assessment, value: int, **extra: str) -> dict[str, str]:
    framework = framework_of(assessment.round.framework)
    fields = {f"score:{item.id}": str(value) for item in framework.items}
    fields.update({f"why:{item.id}": "현장 확인" for item in framework.items})
    fields.update(extra)
    return fields


def test_the_scoring_form_has_a_radio_per_anchor_and_collapsible_areas(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    sign_in(client, user_of(session, experts[0]))
    page = client.get(f"/assessment/assessments/{assessment.id}/score")
    assert page.status_code == 200
    html = page.text
    assert '<link rel="stylesheet" href="/static/assessment-scoring.css">' in html
    assert html.count('name="score:leadership.vision"') == 6  # levels 0-5
    assert html.count('<details class="score-section"') == 4  # the four fields of KS X 9001-3
    assert "해당 활동이나 시스템이 없다" in html  # the anchor text, in Korean first
    assert "<script>" not in html


def test_the_form_saves_a_draft_and_shows_problems_at_their_item(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    saved = client.post(f"/assessment/assessments/{assessment.id}/score", follow_redirects=False,
                        data={"csrf_token": token, "action": "save", "score:leadership.vision": "4"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert re.search(r'value="4"\s+checked', page)
    refused = client.post(f"/assessment/assessments/{assessment.id}/score",
                          data={"csrf_token": token, "action": "submit", "score:leadership.vision": "4"})
    assert refused.status_code == 422
    assert "이 항목에 점수가 없습니다" in refused.text
    assert re.search(r'value="4"\s+checked', refused.text)  # what was typed stays on the form


def test_submitting_on_the_page_goes_to_the_assessment(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    response = client.post(f"/assessment/assessments/{assessment.id}/score", follow_redirects=False,
                           data={"csrf_token": token, "action": "submit", **form_of(assessment, 3)})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "다른 전문가의 점수는 모든 전문가가 제출한 뒤에 표시됩니다" in page
    assert experts[1].name in page  # listed, without scores
    assert session.scalars(select(ScoreSheet)).one().submitted_at is not None


def test_after_both_submit_the_scores_stand_side_by_side(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    framework = framework_of(assessment.round.framework)
    make_sheet(session, assessment.assignments[1], uniform_scores(framework, 1))
    token = sign_in(client, user_of(session, experts[0]))
    client.post(f"/assessment/assessments/{assessment.id}/score",
                data={"csrf_token": token, "action": "submit", **form_of(assessment, 4)})
    page = client.get(f"/assessment/assessments/{assessment.id}").text
    assert "점수 나란히 보기" in page
    assert 'class="apart"' in page
    assert "조정 논의" in page
    posted = client.post(f"/assessment/assessments/{assessment.id}/messages", follow_redirects=False,
                         data={"csrf_token": token, "body": "공정 데이터 수집 범위 확인 필요"})
    assert posted.status_code == 303
    assert "공정 데이터 수집 범위 확인 필요" in client.get(f"/assessment/assessments/{assessment.id}").text


def test_an_unassigned_expert_is_refused_on_the_page_and_audited(client: TestClient, session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    stranger = make_expert(session, with_user=True)
    sign_in(client, user_of(session, stranger))
    assert client.get(f"/assessment/assessments/{assessment.id}/score").status_code == 403
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.sheet.refused")).one()
    assert event.object_id == str(assessment.id)


def test_the_operator_finalizes_with_a_reason(client: TestClient, session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    framework = framework_of(assessment.round.framework)
    make_sheet(session, assessment.assignments[0], uniform_scores(framework, 1))
    make_sheet(session, assessment.assignments[1], uniform_scores(framework, 4))
    assessment.status = AssessmentStatus.RECONCILIATION
    session.flush()
    token = sign_in(client, make_user(session, Role.OPERATOR))
    page = client.get(f"/assessment/assessments/{assessment.id}").text
    assert 'name="final_level"' not in page
    assert 'name="reason"' in page
    without = client.post(f"/assessment/assessments/{assessment.id}/finalize", data={"csrf_token": token})
    assert without.status_code == 422
    done = client.post(f"/assessment/assessments/{assessment.id}/finalize", follow_redirects=False,
                       data={"csrf_token": token, "reason": "현장 재방문 결과"})
    assert done.status_code == 303
    session.refresh(assessment)
    assert assessment.status is AssessmentStatus.FINAL
    assert str(assessment.final_score) == "500.00"


def test_the_company_lists_its_assessments_and_self_assesses(client: TestClient, session: Session) -> None:
    _, assessment, _ = scoring_setup(session, version=shipped_version(session, "siri16"))
    member = make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization)
    token = sign_in(client, member)
    listing = client.get("/assessment/company").text
    assert f"/assessment/assessments/{assessment.id}/self" in listing
    page = client.get(f"/assessment/assessments/{assessment.id}/self").text
    assert page.count('<details class="score-section"') == 3  # the SIRI building blocks
    assert 'name="why:' not in page  # the company gives no justifications
    response = client.post(f"/assessment/assessments/{assessment.id}/self", follow_redirects=False,
                           data={"csrf_token": token, "action": "submit", **{
                               k: v for k, v in form_of(assessment, 2).items() if k.startswith("score:")}})
    assert response.status_code == 303
    assert "에 제출했습니다" in client.get(response.headers["location"]).text


def test_another_companys_member_cannot_open_the_pages(client: TestClient, session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get(f"/assessment/assessments/{assessment.id}/self").status_code == 404
    assert client.get(f"/assessment/assessments/{assessment.id}").status_code == 404
    assert client.get(f"/assessment/assessments/{assessment.id}/score").status_code == 403


def test_the_draft_autosaves_through_htmx_and_reports_problems(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    form = client.get(f"/assessment/assessments/{assessment.id}/score").text
    assert f'hx-post="/assessment/assessments/{assessment.id}/score/draft"' in form
    saved = client.post(f"/assessment/assessments/{assessment.id}/score/draft", headers={"HX-Request": "true"},
                        data={"csrf_token": token, "score:leadership.vision": "2", "why:leadership.vision": "면담"})
    assert saved.status_code == 200
    assert "임시 저장했습니다" in saved.text
    assert "<html" not in saved.text
    sheet = session.scalars(select(ScoreSheet)).one()
    assert sheet.scores == {"leadership.vision": 2}
    wrong = client.post(f"/assessment/assessments/{assessment.id}/score/draft",
                        data={"csrf_token": token, "score:leadership.vision": "9"})
    assert "저장하지 못했습니다" in wrong.text
    session.refresh(sheet)
    assert sheet.scores == {"leadership.vision": 2}


def test_evidence_added_on_the_form_is_listed_for_the_experts(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    added = client.post(f"/assessment/assessments/{assessment.id}/evidence", follow_redirects=False,
                        data={"csrf_token": token, "kind": "photo", "title": "MES 화면", "item_id": ""},
                        files={"file": ("mes.jpg", b"\xff\xd8\xffjpeg", "image/jpeg")})
    assert added.status_code == 303
    form = client.get(f"/assessment/assessments/{assessment.id}/score").text
    assert "MES 화면" in form
    assert "플랫폼에 이 회사의 K-MDS 데이터가 아직 없습니다" in form
    refused = client.post(f"/assessment/assessments/{assessment.id}/evidence",
                          data={"csrf_token": token, "kind": "kpi", "title": "KPI"})
    assert refused.status_code == 422
    sign_in(client, make_user(session, Role.OPERATOR))
    assert "MES 화면" in client.get(f"/assessment/assessments/{assessment.id}").text
