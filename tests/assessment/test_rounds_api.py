"""The rounds API: frameworks imported and published, rounds created and enrolled, the assignment run, and the
experts' answers; each with its permissions."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment.enums import AssignmentStatus
from midas.assessment.models import Expert, ExpertAssignment
from midas.audit import AuditEvent
from midas.auth import Role, User
from tests.assessment.factories import make_assessment, make_expert, make_round, shipped_version
from tests.assessment.test_frameworks import as_yaml, small_framework
from tests.factories import make_organization, make_user, sign_in

API = "/api/v1/assessment"


def signed_in(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> dict[str, str]:
    return {"X-CSRF-Token": sign_in(client, make_user(session, role))}


def as_expert(client: TestClient, session: Session, expert: Expert) -> dict[str, str]:
    user = session.get(User, expert.user_id)
    assert user is not None
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in(client, user)}


def test_a_framework_is_imported_previewed_and_published(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    created = client.post(f"{API}/frameworks", headers=headers, json={"source": json.dumps(small_framework()),
                                                                       "file_format": "json"})
    assert created.status_code == 201, created.text
    version_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    detail = client.get(f"{API}/frameworks/{version_id}").json()
    assert detail["item_count"] == 3
    assert [(s["score"], s["level"]) for s in detail["samples"]] == [(0, 1), (1, 2), (2, 3)]
    sample = client.post(f"{API}/frameworks/{version_id}/preview", headers=headers,
                         json={"scores": {"first.a": 2, "first.b": 2, "second.a": 9, "nope": 1}})
    assert sample.status_code == 200, sample.text
    assert (sample.json()["overall"], sample.json()["level"]) == ("60.00", 2)
    assert sample.json()["unscored"] == ["second.a"]
    assert len(sample.json()["problems"]) == 2
    published = client.post(f"{API}/frameworks/{version_id}/publish", headers=headers)
    assert published.json()["status"] == "published"
    assert version_id in [v["id"] for v in client.get(f"{API}/frameworks").json()]


def test_a_broken_framework_is_refused_with_its_locations_in_korean(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    text = as_yaml(small_framework()).replace("- id: field\n", "- id: field\n  parent: second\n")
    refused = client.post(f"{API}/frameworks", headers=headers, json={"source": text})
    assert refused.status_code == 422
    problems = refused.json()["error"]["problems"]
    assert "areas[0].parent" in [p["field"] for p in problems]
    assert all(p["message"] for p in problems)


def test_a_round_is_created_enrolled_and_assigned(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    version = shipped_version(session)
    created = client.post(f"{API}/rounds", headers=headers, json={
        "code": "API-1", "name": "API 시험", "framework_id": version.id, "track": "leading", "deadline": "2027-06-30"})
    assert created.status_code == 201, created.text
    assert (created.json()["experts_per_assessment"], created.json()["framework_hash"]) == (3, version.content_hash)
    company = make_organization(session)
    enrolled = client.post(f"{API}/rounds/API-1/enrolments", headers=headers,
                           json={"entries": [{"organization": company.brn, "needs": ["mes"]}]})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()[0]["needs"] == ["mes"]
    again = client.post(f"{API}/rounds/API-1/enrolments", headers=headers,
                        json={"entries": [{"organization": company.id}]})
    assert again.status_code == 422
    for _ in range(3):
        make_expert(session)
    run = client.post(f"{API}/rounds/API-1/assignment", headers=headers)
    assert run.status_code == 200, run.text
    assert run.json()["summary"]["pairs"] == 3
    page = client.get(f"{API}/rounds/API-1/assignments", params={"page_size": 2}).json()
    assert (page["total"], len(page["items"]), page["pages"]) == (3, 2, 2)
    assert page["items"][0]["organization"]["id"] == company.id
    assert page["items"][0]["breakdown"]["matched_technologies"] == ["mes"]
    summary = client.get(f"{API}/rounds/API-1").json()
    assert summary["status"] == "assigned"
    assert summary["assignments"] == {"proposed": 3}


def test_an_infeasible_run_is_refused_naming_the_company(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    assessment_round = make_round(session)
    company = make_organization(session, name="(주)혼자")
    make_assessment(session, assessment_round, company)
    refused = client.post(f"{API}/rounds/{assessment_round.code}/assignment", headers=headers)
    assert refused.status_code == 422
    assert "(주)혼자" in json.dumps(refused.json(), ensure_ascii=False)


def test_experts_and_auditors_may_not_manage(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session, Role.AUDITOR)
    assert client.get(f"{API}/rounds").status_code == 200
    assert client.post(f"{API}/frameworks", headers=headers, json={"source": "x: 1"}).status_code == 403
    client.cookies.clear()
    headers = signed_in(client, session, Role.EXPERT)
    assert client.get(f"{API}/rounds").status_code == 403
    assert client.post(f"{API}/rounds", headers=headers, json={}).status_code == 403


def test_anonymous_callers_sign_in_first(client: TestClient) -> None:
    assert client.get(f"{API}/rounds").status_code == 401


def assigned(session: Session) -> tuple[ExpertAssignment, list[Expert]]:
    assessment_round = make_round(session)
    assessment = make_assessment(session, assessment_round)
    pool = [make_expert(session, with_user=True, years_of_experience=20 - n) for n in range(3)]
    first = ExpertAssignment(assessment_id=assessment.id, expert_id=pool[0].id, status=AssignmentStatus.PROPOSED,
                             affinity=80, breakdown={})
    second = ExpertAssignment(assessment_id=assessment.id, expert_id=pool[1].id, status=AssignmentStatus.PROPOSED,
                              affinity=80, breakdown={})
    session.add_all([first, second])
    session.flush()
    return first, pool


def test_the_expert_sees_and_accepts_their_assignment(client: TestClient, session: Session) -> None:
    assignment, pool = assigned(session)
    headers = as_expert(client, session, pool[0])
    mine = client.get(f"{API}/my/assignments").json()
    assert [a["id"] for a in mine] == [assignment.id]
    accepted = client.post(f"{API}/assignments/{assignment.id}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["assignment"]["status"] == "accepted"


def test_a_decline_brings_the_next_best_expert(client: TestClient, session: Session) -> None:
    assignment, pool = assigned(session)
    headers = as_expert(client, session, pool[0])
    assert client.post(f"{API}/assignments/{assignment.id}/decline", headers=headers, json={}).status_code == 422
    declined = client.post(f"{API}/assignments/{assignment.id}/decline", headers=headers,
                           json={"reason": "출장 중"})
    assert declined.status_code == 200, declined.text
    body = declined.json()
    assert body["assignment"]["status"] == "declined"
    assert body["replacement"]["expert"]["id"] == pool[2].id


def test_another_expert_is_refused_and_the_refusal_stays_on_record(client: TestClient, session: Session) -> None:
    assignment, pool = assigned(session)
    headers = as_expert(client, session, pool[2])
    refused = client.post(f"{API}/assignments/{assignment.id}/accept", headers=headers)
    assert refused.status_code == 403
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.assignment.refused")).all()
    assert [(e.object_id, e.actor_user_id) for e in events] == [(str(assignment.id), pool[2].user_id)]
    session.refresh(assignment)
    assert assignment.status is AssignmentStatus.PROPOSED
