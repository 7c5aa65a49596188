"""The applications JSON API: a company's draft, plan, attachments and submission; refusals at their place;
another company's application is not found; operators list applications and run eligibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.registry import Organization
from midas.support.enums import ApplicationStatus, RoundStatus
from tests.factories import make_factory, make_organization, make_user, sign_in
from tests.support.factories import make_application, make_round, make_track
from tests.support.factories_applications import FULL_KPIS, final_assessment

API = "/api/v1/support"


def as_company(client: TestClient, session: Session, organization: Organization) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in(client, make_user(session, Role.COMPANY_MEMBER, organization=organization))}


def as_operator(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in(client, make_user(session, role))}


PLAN = {
    "goals": "작업지시와 실적을 MES로 관리해 불량률을 절반으로 줄인다",
    "target_kpis": FULL_KPIS,
    "suppliers": [{"name": "(주)스마트솔루션", "solution": "MES 표준형"}],
    "budget_lines": [{"item": "MES 소프트웨어", "amount_krw": 120_000_000},
                     {"item": "설비 연동", "amount_krw": "40,000,000"}],
    "schedule": [{"title": "착수", "due_on": "2027-03-02"}],
    "government_krw": 80_000_000, "company_krw": 80_000_000,
}


def test_a_company_drafts_completes_and_submits(client: TestClient, session: Session) -> None:
    track = make_track(session)
    organization = make_organization(session)
    factory = make_factory(session, organization)
    final_assessment(session, organization, 2)
    headers = as_company(client, session, organization)
    created = client.post(f"{API}/applications", headers=headers, json={
        "round_id": track.round_id, "track": "basic", "factory_id": factory.id, "title": "MES 도입", "scope": "mes"})
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    status = client.get(f"{API}/applications/{application_id}").json()
    assert "plan.target_kpis.quality.target" in [p["field"] for p in status["missing"]]
    assert status["links"]["edit"] == f"/support/applications/{application_id}/edit"
    updated = client.put(f"{API}/applications/{application_id}", headers=headers, json=PLAN)
    assert updated.status_code == 200, updated.text
    assert updated.json()["total_cost_krw"] == 160_000_000
    assert client.get(f"{API}/applications/{application_id}").json()["missing"] == []
    submitted = client.post(f"{API}/applications/{application_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["assessment_id"] is not None
    mine = client.get(f"{API}/my/applications").json()
    assert [a["id"] for a in mine] == [application_id]


def test_refusals_name_their_place_in_korean(client: TestClient, session: Session) -> None:
    track = make_track(session, cap_krw=50_000_000)
    organization = make_organization(session)
    application = make_application(session, track, organization, status=ApplicationStatus.DRAFT, submitted_at=None)
    headers = as_company(client, session, organization)
    bad = client.put(f"{API}/applications/{application.id}", headers=headers,
                     json={"budget_lines": [{"item": "MES", "amount_krw": "일억"}]})
    assert bad.status_code == 422
    problems = bad.json()["error"]["problems"]
    assert [p["field"] for p in problems] == ["plan.budget_lines[0].amount_krw"]
    assert "원" in problems[0]["message"]
    client.put(f"{API}/applications/{application.id}", headers=headers, json={"target_kpis": FULL_KPIS})
    over = client.post(f"{API}/applications/{application.id}/submit", headers=headers)
    assert over.status_code == 422
    message = over.json()["error"]["problems"][0]["message"]
    assert "50,000,000" in message
    assert "80,000,000" in message
    assert client.get(f"{API}/applications/{application.id}").json()["application"]["status"] == "draft"


def test_another_companys_application_is_not_found(client: TestClient, session: Session) -> None:
    application = make_application(session, make_track(session))
    headers = as_company(client, session, make_organization(session))
    assert client.get(f"{API}/applications/{application.id}").status_code == 404
    assert client.put(f"{API}/applications/{application.id}", headers=headers, json={"goals": "x"}).status_code == 404
    assert client.post(f"{API}/applications/{application.id}/withdraw", headers=headers).status_code == 404
    assert client.get(f"{API}/applications").status_code == 403


def test_attachments_are_uploaded_downloaded_and_removed(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    application = make_application(session, make_track(session), organization, status=ApplicationStatus.DRAFT)
    headers = as_company(client, session, organization)
    uploaded = client.post(f"{API}/applications/{application.id}/attachments", headers=headers,
                           data={"title": "사업계획서"},
                           files={"file": ("계획서.pdf", b"%PDF-1.7 plan", "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    href = uploaded.json()["href"]
    downloaded = client.get(href)
    assert downloaded.content == b"%PDF-1.7 plan"
    assert downloaded.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%EA%B3%84%ED%9A%8D%EC%84%9C.pdf" in downloaded.headers["content-disposition"]
    refused = client.post(f"{API}/applications/{application.id}/attachments", headers=headers,
                          files={"file": ("virus.exe", b"MZ", "application/octet-stream")})
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["field"] == "file"
    assert client.delete(href, headers=headers).status_code == 204
    assert client.get(href).status_code == 404


def test_withdrawal_through_the_api(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    application = make_application(session, make_track(session), organization)
    headers = as_company(client, session, organization)
    withdrawn = client.post(f"{API}/applications/{application.id}/withdraw", headers=headers,
                            json={"reason": "사정 변경"})
    assert withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"{API}/applications/{application.id}/withdraw", headers=headers)
    assert again.status_code == 409


def test_operators_list_evaluate_and_read_eligibility(client: TestClient, session: Session) -> None:
    now = datetime.now(UTC)
    support_round = make_round(session, status=RoundStatus.CLOSED, call_opens_at=now - timedelta(days=30),
                               call_closes_at=now - timedelta(days=1))
    track = make_track(session, support_round)
    organization = make_organization(session)
    passing = make_application(session, track, organization,
                               assessment_id=final_assessment(session, organization, 1).id)
    failing = make_application(session, track)
    headers = as_operator(client, session)
    listed = client.get(f"{API}/applications", params={"round": support_round.id, "status": "submitted"}).json()
    assert listed["total"] == 2
    bad = client.get(f"{API}/applications", params={"status": "lost"})
    assert bad.status_code == 422
    ran = client.post(f"{API}/rounds/{support_round.id}/eligibility", headers=headers)
    assert ran.status_code == 200, ran.text
    assert (ran.json()["evaluated"], ran.json()["passed"], ran.json()["failures_by_rule"]) == (
        2, 1, {"level_in_range": 1})
    results = client.get(f"{API}/rounds/{support_round.id}/eligibility", params={"passed": "false"}).json()
    assert [i["application_id"] for i in results["items"]] == [failing.id]
    level = results["items"][0]["checks"][0]
    assert (level["rule"], level["seen"], level["passed"]) == ("level_in_range", "none", False)
    one = client.post(f"{API}/applications/{passing.id}/eligibility", headers=headers)
    assert one.json()["status"] == "eligible"


def test_eligibility_is_refused_while_the_call_is_open(client: TestClient, session: Session) -> None:
    track = make_track(session)
    headers = as_operator(client, session)
    refused = client.post(f"{API}/rounds/{track.round_id}/eligibility", headers=headers)
    assert refused.status_code == 409
    company_headers = as_company(client, session, make_organization(session))
    assert client.post(f"{API}/rounds/{track.round_id}/eligibility", headers=company_headers).status_code == 403
