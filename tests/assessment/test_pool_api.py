"""The pool's JSON API: experts, affiliations, ties and conflicts, as a browser session (CSRF header) or a
bearer-token client, with permission checks and the error envelope naming each field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.assessment.enums import ConflictKind
from midas.assessment.models import ConflictOfInterest, Expert, ExpertAffiliation, OrganizationRelation
from midas.assessment.pool_service import seoul_today
from midas.audit import AuditEvent
from midas.auth import Role, actor_for, issue_api_token
from midas.registry import Organization, format_brn
from tests.assessment.factories import make_expert
from tests.factories import make_organization, make_user, sign_in

API = "/api/v1/assessment"


def signed_in(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> dict[str, str]:
    return {"X-CSRF-Token": sign_in(client, make_user(session, role))}


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def problem_fields(response: Any) -> set[str]:
    body = response.json()
    assert body["error"]["code"] == "invalid_input", body
    return {problem["field"] for problem in body["error"]["problems"]}


def test_an_expert_round_trip(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    employer = make_organization(session, name="(주)스마트솔루션")
    created = client.post(f"{API}/experts", headers=headers, json={
        "name": "김서연", "email": "Seoyeon@Example.kr", "employer": format_brn(employer.brn), "region_code": "경기도",
        "ksic_divisions": [29, "C30"], "technologies": "mes, ai_data", "years_of_experience": 15, "max_load": "8"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["employer"]["id"] == employer.id
    assert (body["employer_name"], body["region_code"], body["region_name_ko"]) == ("(주)스마트솔루션", "41", "경기도")
    assert (body["ksic_divisions"], body["technologies"], body["email"]) == (["29", "30"], ["mes", "ai_data"],
                                                                             "seoyeon@example.kr")
    expert_id = body["id"]

    detail = client.get(f"{API}/experts/{expert_id}").json()
    assert [c["kind"] for c in detail["conflicts"]] == ["same_organization"]
    assert detail["affiliations"] == []

    changed = client.patch(f"{API}/experts/{expert_id}", headers=headers, json={"is_available": False, "max_load": 4})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["is_available"], changed.json()["max_load"], changed.json()["name"]) == (False, 4, "김서연")

    listed = client.get(f"{API}/experts", params={"technology": "ai_data", "available": "false"}).json()
    assert [item["id"] for item in listed["items"]] == [expert_id]
    assert client.get(f"{API}/experts", params={"technology": "mes", "available": "true"}).json()["total"] == 0


def test_bad_expert_input_is_refused_with_every_field_named(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    before = count(session, Expert)
    response = client.post(f"{API}/experts", headers=headers, json={
        "name": " ", "region_code": "00", "ksic_divisions": ["35"], "technologies": ["mes", "vr"], "max_load": 99,
        "email": "no-at-sign"})
    assert response.status_code == 422
    assert problem_fields(response) == {"name", "region_code", "ksic_divisions", "technologies", "max_load", "email"}
    assert count(session, Expert) == before
    unknown = client.post(f"{API}/experts", headers=headers, json={"name": "x", "favourite_colour": "blue"})
    assert unknown.status_code == 422
    assert "favourite_colour" in problem_fields(unknown)
    korean = client.get(f"{API}/experts", params={"ksic_division": "99"})
    assert korean.status_code == 422
    problem = korean.json()["error"]["problems"][0]
    assert problem["field"] == "ksic_division"
    assert problem["message"] == "알 수 없는 표준산업분류 제조업 중분류입니다: 99 (10~34)"


def test_affiliations_relations_and_detection(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    expert = make_expert(session)
    employer = session.get(Organization, expert.employer_id)
    assert employer is not None
    former, customer = make_organization(session), make_organization(session)

    bad = client.post(f"{API}/experts/{expert.id}/affiliations", headers=headers, json={
        "organization": former.id, "kind": "employee", "started_on": "2022-01-01", "ended_on": "2021-01-01"})
    assert bad.status_code == 422
    assert problem_fields(bad) == {"ended_on"}
    assert count(session, ExpertAffiliation) == 0
    added = client.post(f"{API}/experts/{expert.id}/affiliations", headers=headers, json={
        "organization": former.brn, "kind": "employee", "started_on": "2018-01-01",
        "ended_on": (seoul_today() - timedelta(days=365)).isoformat()})
    assert added.status_code == 201, added.text
    ended = client.post(f"{API}/affiliations/{added.json()['id']}/end", headers=headers,
                        json={"ended_on": "2024-01-01"})
    assert ended.status_code == 409

    tie = client.post(f"{API}/relations", headers=headers, json={
        "organization": format_brn(employer.brn), "related_organization": customer.id, "kind": "supplier",
        "source": "quote", "note": "2025년 MES 견적"})
    assert tie.status_code == 201, tie.text
    assert count(session, OrganizationRelation) == 1
    same = client.post(f"{API}/relations", headers=headers, json={
        "organization": customer.id, "related_organization": customer.id, "kind": "competitor"})
    assert problem_fields(same) == {"related_organization"}

    conflicts = client.get(f"{API}/conflicts", params={"expert_id": expert.id}).json()
    kinds = {(c["organization"]["id"], c["kind"]) for c in conflicts["items"]}
    assert kinds == {(employer.id, "same_organization"), (former.id, "same_organization"), (customer.id, "supplier")}

    detection = client.post(f"{API}/conflicts/detect", headers=headers)
    assert detection.status_code == 200, detection.text
    assert detection.json() == {"added": 0, "already_known": 3, "lifted_kept": 0}


def test_operators_add_and_lift_conflicts(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    expert = make_expert(session, employer_id=None)
    company = make_organization(session)
    refused = client.post(f"{API}/conflicts", headers=headers, json={"expert_id": expert.id,
                                                                     "organization": "12345", "reason": ""})
    assert problem_fields(refused) == {"organization", "reason"}
    added = client.post(f"{API}/conflicts", headers=headers, json={
        "expert_id": expert.id, "organization": format_brn(company.brn), "reason": "제보 접수: 자문 이력"})
    assert added.status_code == 201, added.text
    conflict = added.json()
    assert (conflict["kind"], conflict["source"], conflict["is_active"]) == ("operator", "operator", True)
    twice = client.post(f"{API}/conflicts", headers=headers, json={
        "expert_id": expert.id, "organization": company.id, "reason": "다시 한 번 추가"})
    assert twice.status_code == 409

    no_reason = client.post(f"{API}/conflicts/{conflict['id']}/lift", headers=headers, json={})
    assert problem_fields(no_reason) == {"reason"}
    lifted = client.post(f"{API}/conflicts/{conflict['id']}/lift", headers=headers,
                         json={"reason": "자문 이력 없음 확인"})
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["is_active"], lifted.json()["lift_reason"]) == (False, "자문 이력 없음 확인")
    again = client.post(f"{API}/conflicts/{conflict['id']}/lift", headers=headers, json={"reason": "두 번째 해제"})
    assert again.status_code == 409
    assert client.get(f"{API}/conflicts", params={"status": "lifted"}).json()["total"] == 1
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("assessment.conflict.%"))))
    assert actions == {"assessment.conflict.added", "assessment.conflict.lifted"}


def test_an_expert_declares_and_sees_their_conflicts(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.EXPERT)
    expert = make_expert(session, user=user, employer_id=None)
    company = make_organization(session)
    headers = {"X-CSRF-Token": sign_in(client, user)}
    missing = client.post(f"{API}/my/conflicts", headers=headers, json={"organization": company.id})
    assert problem_fields(missing) == {"reason"}
    declared = client.post(f"{API}/my/conflicts", headers=headers, json={
        "organization": format_brn(company.brn), "reason": "친족이 대표이사"})
    assert declared.status_code == 201, declared.text
    assert declared.json()["kind"] == ConflictKind.DECLARED.value
    mine = client.get(f"{API}/my/conflicts").json()
    assert (mine["expert_id"], [c["organization"]["id"] for c in mine["conflicts"]]) == (expert.id, [company.id])
    # The expert may neither list everyone's conflicts nor add or lift.
    assert client.get(f"{API}/conflicts").status_code == 403
    assert client.post(f"{API}/conflicts/{declared.json()['id']}/lift", headers=headers,
                       json={"reason": "스스로 해제"}).status_code == 403


def test_an_expert_account_without_profile_and_a_member_are_refused(client: TestClient, session: Session) -> None:
    company = make_organization(session)
    headers = signed_in(client, session, Role.EXPERT)
    response = client.post(f"{API}/my/conflicts", headers=headers, json={"organization": company.id,
                                                                          "reason": "이전 직장입니다"})
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert message == "계정이 전문가 프로필과 연결되어 있지 않습니다. 사업 운영자에게 문의하십시오"
    assert count(session, ConflictOfInterest) == 0

    client.cookies.clear()
    member = signed_in(client, session, Role.COMPANY_MEMBER)
    assert client.get(f"{API}/experts").status_code == 403
    assert client.post(f"{API}/experts", headers=member, json={"name": "x", "region_code": "41"}).status_code == 403
    assert client.post(f"{API}/conflicts/detect", headers=member).status_code == 403
    assert client.post(f"{API}/my/conflicts", headers=member, json={"organization": company.id,
                                                                    "reason": "이전 직장입니다"}).status_code == 403


def test_writes_need_the_csrf_token_with_a_cookie_but_not_with_a_bearer_token(client: TestClient,
                                                                             session: Session) -> None:
    signed_in(client, session)
    refused = client.post(f"{API}/conflicts/detect")
    assert refused.status_code == 403
    client.cookies.clear()
    admin = actor_for(make_user(session, Role.ADMIN))
    _, secret = issue_api_token(session, actor=admin, name="운영 스크립트")
    session.flush()
    response = client.post(f"{API}/conflicts/detect", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.text


def test_not_found_is_reported(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    assert client.get(f"{API}/experts/987654").status_code == 404
    lifted = client.post(f"{API}/conflicts/987654/lift", headers=headers, json={"reason": "없는 충돌 해제"})
    assert lifted.status_code == 404
    assert lifted.json()["error"]["code"] == "not_found"


def test_ties_are_listed_and_ended(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    supplier, customer, other = make_organization(session), make_organization(session), make_organization(session)
    created = client.post(f"{API}/relations", headers=headers, json={
        "organization": supplier.id, "related_organization": customer.id, "kind": "supplier", "source": "quote",
        "started_on": "2024-03-01"})
    assert created.status_code == 201, created.text
    tie_id = created.json()["id"]
    for side in (format_brn(supplier.brn), str(customer.id)):
        listed = client.get(f"{API}/relations", params={"organization": side})
        assert [t["id"] for t in listed.json()] == [tie_id]
    assert client.get(f"{API}/relations", params={"organization": other.id}).json() == []
    missing = client.get(f"{API}/relations")
    assert problem_fields(missing) == {"organization"}

    early = client.post(f"{API}/relations/{tie_id}/end", headers=headers, json={"ended_on": "2024-02-01"})
    assert problem_fields(early) == {"ended_on"}
    ended = client.post(f"{API}/relations/{tie_id}/end", headers=headers, json={"ended_on": "2025-02-01"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_on"] == "2025-02-01"
    assert client.post(f"{API}/relations/{tie_id}/end", headers=headers,
                       json={"ended_on": "2025-03-01"}).status_code == 409
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "organization_relation")).all()
    assert sorted(actions) == ["assessment.relation.added", "assessment.relation.ended"]


def test_an_auditor_reads_but_changes_nothing(client: TestClient, session: Session) -> None:
    make_expert(session)
    headers = signed_in(client, session, Role.AUDITOR)
    assert client.get(f"{API}/experts").json()["total"] == 1
    assert client.get(f"{API}/conflicts").status_code == 200
    assert client.post(f"{API}/conflicts/detect", headers=headers).status_code == 403
    refused = client.post(f"{API}/experts", headers=headers, json={"name": "감사인", "region_code": "11"})
    assert refused.status_code == 403
    assert count(session, ConflictOfInterest) == 0
