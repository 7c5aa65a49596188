"""The scoring JSON API: sheets, blind visibility, evidence, reconciliation, self-assessment, report, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment.enums import AssessmentStatus
from midas.assessment.framework_service import framework_of
from midas.assessment.models import Assessment, Expert, ScoreSheet
from midas.audit import AuditEvent
from midas.auth import Role, User
from tests.assessment.factories import make_assignment, make_expert, scoring_setup, uniform_scores
from tests.factories import make_user, sign_in

API = "/api/v1/assessment"


def user_of(session: Session, expert: Expert) -> User:
    user = session.get(User, expert.user_id)
    assert user is not None
    return user


def all_scores(assessment: Assessment, value: int) -> dict[str, int]:
    return uniform_scores(framework_of(assessment.round.framework), value)


def submit(client: TestClient, session: Session, assessment: Assessment, expert: Expert, value: int) -> None:
    token = sign_in(client, user_of(session, expert))
    scores = all_scores(assessment, value)
    response = client.post(f"{API}/assessments/{assessment.id}/sheet/submit", headers={"X-CSRF-Token": token},
                           json={"scores": scores, "justifications": dict.fromkeys(scores, "확인")})
    assert response.status_code == 200, response.text
    client.post("/logout", data={"csrf_token": token})


def test_an_expert_saves_and_reads_a_draft(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    saved = client.put(f"{API}/assessments/{assessment.id}/sheet", headers={"X-CSRF-Token": token},
                       json={"scores": {"leadership.vision": 3}, "justifications": {}})
    assert saved.status_code == 200, saved.text
    body = client.get(f"{API}/assessments/{assessment.id}/sheet").json()
    assert body["scores"] == {"leadership.vision": 3}
    assert body["others"] is None


def test_a_score_outside_the_scale_is_located_and_changes_nothing(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    response = client.put(f"{API}/assessments/{assessment.id}/sheet", headers={"X-CSRF-Token": token},
                          json={"scores": {"leadership.vision": 7}})
    assert response.status_code == 422
    problem = response.json()["error"]["problems"][0]
    assert problem["field"] == "scores.leadership.vision"
    assert "0" in problem["message"]
    assert "5" in problem["message"]
    assert session.scalars(select(ScoreSheet)).all() == []


def test_after_the_deadline_the_sheet_is_refused(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session, deadline=datetime.now(UTC) - timedelta(minutes=5))
    token = sign_in(client, user_of(session, experts[0]))
    response = client.put(f"{API}/assessments/{assessment.id}/sheet", headers={"X-CSRF-Token": token},
                          json={"scores": {"leadership.vision": 3}})
    assert response.status_code == 409
    assert session.scalars(select(ScoreSheet)).all() == []


def test_an_expert_not_assigned_gets_403_and_the_refusal_is_audited(client: TestClient, session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    stranger = make_expert(session, with_user=True)
    token = sign_in(client, user_of(session, stranger))
    response = client.put(f"{API}/assessments/{assessment.id}/sheet", headers={"X-CSRF-Token": token},
                          json={"scores": {"leadership.vision": 3}})
    assert response.status_code == 403
    assert client.get(f"{API}/assessments/{assessment.id}/sheet").status_code == 403
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.sheet.refused")).all()
    assert len(events) == 2
    assert {e.actor_user_id for e in events} == {stranger.user_id}
    assert session.scalars(select(ScoreSheet)).all() == []


def test_blind_until_both_submit_then_final(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    submit(client, session, assessment, experts[0], 3)
    sign_in(client, user_of(session, experts[0]))
    assert client.get(f"{API}/assessments/{assessment.id}/sheet").json()["others"] is None
    view = client.get(f"{API}/assessments/{assessment.id}").json()
    assert [e["scores"] for e in view["experts"] if e["label"] == experts[1].name] == [None]
    submit(client, session, assessment, experts[1], 3)
    sign_in(client, user_of(session, experts[0]))
    others = client.get(f"{API}/assessments/{assessment.id}/sheet").json()["others"]
    assert [o["label"] for o in others] == [experts[1].name]
    view = client.get(f"{API}/assessments/{assessment.id}").json()
    assert view["status"] == "final"
    assert view["final_score"] == "600.00"
    assert view["final_level"] == 3


def test_reconciliation_thread_revision_and_finalize(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    submit(client, session, assessment, experts[0], 2)
    submit(client, session, assessment, experts[1], 4)
    session.refresh(assessment)
    assert assessment.status is AssessmentStatus.RECONCILIATION
    token = sign_in(client, user_of(session, experts[0]))
    posted = client.post(f"{API}/assessments/{assessment.id}/reconciliation/messages",
                         headers={"X-CSRF-Token": token}, json={"body": "자동화 항목 재검토"})
    assert posted.status_code == 201
    revised = client.put(f"{API}/assessments/{assessment.id}/sheet", headers={"X-CSRF-Token": token},
                         json={"scores": all_scores(assessment, 4)})
    assert revised.json()["revised_at"] is not None
    operator = make_user(session, Role.OPERATOR)
    token = sign_in(client, operator)
    messages = client.get(f"{API}/assessments/{assessment.id}/reconciliation/messages").json()
    assert [m["body"] for m in messages] == ["자동화 항목 재검토"]
    # The level cannot be sent: the body accepts a reason only.
    typed = client.post(f"{API}/assessments/{assessment.id}/finalize", headers={"X-CSRF-Token": token},
                        json={"final_level": 5})
    assert typed.status_code == 422
    final = client.post(f"{API}/assessments/{assessment.id}/finalize", headers={"X-CSRF-Token": token}, json={})
    assert final.status_code == 200, final.text
    assert final.json()["final_level"] == 4
    assert final.json()["recommended_track"] == "advance"


def test_evidence_upload_list_and_download(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    token = sign_in(client, user_of(session, experts[0]))
    created = client.post(f"{API}/assessments/{assessment.id}/evidence", headers={"X-CSRF-Token": token},
                          data={"kind": "photo", "title": "설비 상태판", "item_id": "leadership.vision"},
                          files={"file": ("../line 1.png", b"\x89PNG\r\n", "image/png")})
    assert created.status_code == 201, created.text
    evidence = created.json()
    assert evidence["filename"] == "line 1.png"
    listed = client.get(f"{API}/assessments/{assessment.id}/evidence").json()
    assert [e["id"] for e in listed] == [evidence["id"]]
    download = client.get(f"{API}/evidence/{evidence['id']}/download")
    assert download.content == b"\x89PNG\r\n"
    assert download.headers["content-disposition"].startswith("attachment;")
    refused = client.post(f"{API}/assessments/{assessment.id}/evidence", headers={"X-CSRF-Token": token},
                          data={"kind": "file", "title": "x"},
                          files={"file": ("a.sh", b"#!/bin/sh", "application/x-sh")})
    assert refused.status_code == 422
    member = make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization)
    sign_in(client, member)
    assert client.get(f"{API}/evidence/{evidence['id']}/download").status_code == 403


def test_self_assessment_report_and_appeal(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    member = make_user(session, Role.COMPANY_MEMBER, organization=assessment.organization)
    token = sign_in(client, member)
    assert client.put(f"{API}/assessments/{assessment.id}/self-assessment", headers={"X-CSRF-Token": token},
                      json={"scores": {"leadership.vision": 4}}).status_code == 200
    submitted = client.post(f"{API}/assessments/{assessment.id}/self-assessment/submit",
                            headers={"X-CSRF-Token": token}, json={"scores": all_scores(assessment, 4)})
    assert submitted.json()["overall"] == "800.00"
    assert client.get(f"{API}/assessments/{assessment.id}/report").status_code == 409  # not final yet
    submit(client, session, assessment, experts[0], 3)
    submit(client, session, assessment, experts[1], 3)
    token = sign_in(client, member)
    report = client.get(f"{API}/assessments/{assessment.id}/report").json()
    assert report["level"] == 3
    assert report["level_name"]["en"]
    assert report["level_name"]["ko"]
    assert report["self_gap"]["difference"] == "200.00"
    assert experts[0].name not in str(report)
    view = client.get(f"{API}/assessments/{assessment.id}").json()
    assert view["experts"] == []
    appeal = client.post(f"{API}/assessments/{assessment.id}/responses", headers={"X-CSRF-Token": token},
                         json={"kind": "appeal", "body": "설비 자동화 수준이 과소평가되었습니다"})
    assert appeal.status_code == 201
    assert client.get(f"{API}/assessments/{assessment.id}").json()["status"] == "appealed"
    operator = make_user(session, Role.OPERATOR)
    token = sign_in(client, operator)
    answered = client.post(f"{API}/responses/{appeal.json()['id']}/answer", headers={"X-CSRF-Token": token},
                           json={"answer": "재검토하겠습니다"})
    assert answered.json()["status"] == "answered"


def test_another_company_cannot_see_the_assessment(client: TestClient, session: Session) -> None:
    _, assessment, _ = scoring_setup(session)
    outsider = make_user(session, Role.COMPANY_MEMBER)
    sign_in(client, outsider)
    assert client.get(f"{API}/assessments/{assessment.id}").status_code == 404
    assert client.get(f"{API}/assessments/{assessment.id}/self-assessment").status_code == 404
    assert client.get(f"{API}/assessments/{assessment.id}/report").status_code == 404


def test_a_third_expert_is_called_by_an_operator_only(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    submit(client, session, assessment, experts[0], 2)
    submit(client, session, assessment, experts[1], 4)
    token = sign_in(client, user_of(session, experts[0]))
    assert client.post(f"{API}/assessments/{assessment.id}/reconciliation/third-expert",
                       headers={"X-CSRF-Token": token}).status_code == 403
    third = make_expert(session, with_user=True)
    make_assignment(session, assessment, third, is_additional=True)
    submit(client, session, assessment, third, 3)
    token = sign_in(client, make_user(session, Role.OPERATOR))
    final = client.post(f"{API}/assessments/{assessment.id}/finalize", headers={"X-CSRF-Token": token}, json={})
    assert final.json()["final_score"] == "600.00"


def test_the_operator_calls_a_third_expert_through_the_rounds_rules(client: TestClient, session: Session) -> None:
    _, assessment, experts = scoring_setup(session)
    submit(client, session, assessment, experts[0], 2)
    submit(client, session, assessment, experts[1], 4)
    spare = make_expert(session, with_user=True)
    token = sign_in(client, make_user(session, Role.OPERATOR))
    called = client.post(f"{API}/assessments/{assessment.id}/reconciliation/third-expert",
                         headers={"X-CSRF-Token": token})
    assert called.status_code == 201, called.text
    assert called.json()["expert_id"] == spare.id
    session.refresh(assessment)
    assert [a.is_additional for a in assessment.assignments] == [False, False, True]
