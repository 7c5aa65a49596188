"""The appeals API: filing, listing, re-reviewers, re-reviews and the resolution, with permissions and errors in
the caller's language."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Role, User
from midas.support.models import SupportAppeal
from tests.factories import make_user, sign_in
from tests.support.factories_projects import decided_application, expert_user, member_of

API = "/api/v1/support"
REASON = "평가 점수에 반영되지 않은 MES 구축 실적과 인증서가 있습니다."


def as_user(client: TestClient, user: User) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in(client, user)}


def test_the_whole_appeal_through_the_api(client: TestClient, session: Session) -> None:
    application, decision = decided_application(session)
    member = member_of(session, application.organization_id)
    experts = [expert_user(session) for _ in range(2)]
    operator = make_user(session, Role.OPERATOR)

    headers = as_user(client, member)
    filed = client.post(f"{API}/decisions/{decision.id}/appeal", headers=headers, json={"reason": REASON})
    assert filed.status_code == 201, filed.text
    appeal_id = filed.json()["id"]
    assert filed.json()["status"] == "open"
    again = client.post(f"{API}/decisions/{decision.id}/appeal", headers=headers, json={"reason": REASON})
    assert again.status_code == 409
    assert "이미 이의신청이 접수" in again.json()["error"]["message"]
    assert [a["id"] for a in client.get(f"{API}/appeals").json()] == [appeal_id]

    headers = as_user(client, operator)
    assert appeal_id in [a["id"] for a in client.get(f"{API}/appeals?status=open").json()]
    assert client.get(f"{API}/appeals?status=closed").status_code == 422
    assigned = client.post(f"{API}/appeals/{appeal_id}/reviewers", headers=headers, json={"count": 2})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "under_review"
    reviewer_ids = {r["expert_id"] for r in assigned.json()["reviews"]}
    early = client.post(f"{API}/appeals/{appeal_id}/resolve", headers=headers,
                        json={"granted": True, "resolution": "인용합니다"})
    assert early.status_code == 409

    for expert, user in experts:
        if expert.id not in reviewer_ids:
            continue
        headers = as_user(client, user)
        review = client.post(f"{API}/appeals/{appeal_id}/reviews", headers=headers,
                             json={"score": 8100, "supports_appeal": True, "opinion": "실적이 확인됩니다"})
        assert review.status_code == 200, review.text
    headers = as_user(client, operator)
    resolved = client.post(f"{API}/appeals/{appeal_id}/resolve", headers=headers,
                           json={"granted": False, "resolution": "원 결정의 근거가 유지됨"})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "upheld"
    assert client.get(f"{API}/appeals/{appeal_id}").json()["resolution"] == "원 결정의 근거가 유지됨"


def test_refusals_in_the_api_change_nothing(client: TestClient, session: Session) -> None:
    application, decision = decided_application(session)
    headers = as_user(client, member_of(session, application.organization_id))
    short = client.post(f"{API}/decisions/{decision.id}/appeal", headers=headers, json={"reason": "짧아요"})
    assert short.status_code == 422
    assert short.json()["error"]["problems"][0]["field"] == "reason"
    assert session.scalars(select(SupportAppeal)).all() == []
    headers = as_user(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.post(f"{API}/decisions/{decision.id}/appeal", headers=headers,
                       json={"reason": REASON}).status_code == 404
    assert client.post(f"{API}/decisions/{decision.id}/appeal", json={"reason": REASON}).status_code == 403


def test_an_unassigned_expert_is_refused_and_audited_through_the_api(client: TestClient, session: Session) -> None:
    application, decision = decided_application(session)
    member = member_of(session, application.organization_id)
    _, stranger = expert_user(session)
    headers = as_user(client, member)
    appeal_id = client.post(f"{API}/decisions/{decision.id}/appeal", headers=headers,
                            json={"reason": REASON}).json()["id"]
    headers = as_user(client, stranger)
    refused = client.post(f"{API}/appeals/{appeal_id}/reviews", headers=headers,
                          json={"score": 5000, "supports_appeal": True, "opinion": "배정 없이 제출"})
    assert refused.status_code == 403
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.appeal_review.refused")).all()
    assert [(e.actor_user_id, e.object_id) for e in events] == [(stranger.id, str(appeal_id))]
