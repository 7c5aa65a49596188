"""The projects API: agreement, milestones, payments, delivery, inspection, outcomes, clawbacks and termination,
with the refusals the issue names (a payment exceeding the agreement, a clawback above what was paid)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role, User
from midas.support.enums import DecisionOutcome
from midas.support.models import ProjectClawback, ProjectPayment
from tests.factories import make_user, sign_in
from tests.support.factories_projects import decided_application, expert_user, make_sanction, member_of

API = "/api/v1/support"


def as_user(client: TestClient, user: User) -> dict[str, str]:
    client.cookies.clear()
    return {"X-CSRF-Token": sign_in(client, user)}


def test_a_project_from_agreement_to_outcome(client: TestClient, session: Session) -> None:
    application, _ = decided_application(session, outcome=DecisionOutcome.FUNDED)
    member = member_of(session, application.organization_id)
    inspector, inspector_user = expert_user(session)
    operator = make_user(session, Role.OPERATOR)

    headers = as_user(client, operator)
    created = client.post(f"{API}/projects", headers=headers,
                          json={"application_id": application.id, "starts_on": "2027-03-01",
                                "ends_on": "2027-12-31"})
    assert created.status_code == 201, created.text
    project = created.json()
    pid = project["id"]
    assert (project["status"], project["government_krw"], len(project["milestones"])) == ("agreed", 80_000_000, 2)
    paid = client.post(f"{API}/projects/{pid}/payments", headers=headers,
                       json={"payer": "government", "amount_krw": 60_000_000, "paid_on": "2027-04-01"})
    assert paid.status_code == 201, paid.text
    over = client.post(f"{API}/projects/{pid}/payments", headers=headers,
                       json={"payer": "government", "amount_krw": 20_000_001, "paid_on": "2027-05-01"})
    assert over.status_code == 422
    assert "협약을 초과하는 지급" in over.json()["error"]["problems"][0]["message"]
    assert "80000000" in over.json()["error"]["problems"][0]["message"]
    assert len(session.scalars(select(ProjectPayment)).all()) == 1
    assert client.post(f"{API}/projects/{pid}/inspector", headers=headers,
                       json={"expert_id": inspector.id}).status_code == 200

    headers = as_user(client, member)
    milestone = client.post(f"{API}/projects/{pid}/milestones", headers=headers,
                            json={"title": "시운전", "due_on": "2027-10-15"})
    assert milestone.status_code == 201, milestone.text
    done = client.post(f"{API}/projects/{pid}/milestones/{milestone.json()['id']}/done", headers=headers, json={})
    assert done.json()["status"] == "done"
    assert client.post(f"{API}/projects/{pid}/delivered", headers=headers).json()["status"] == "delivered"
    assert client.post(f"{API}/projects/{pid}/inspection", headers=headers,
                       json={"passed": True, "note": "직접 통과 처리"}).status_code == 403

    headers = as_user(client, inspector_user)
    inspected = client.post(f"{API}/projects/{pid}/inspection", headers=headers,
                            json={"passed": True, "note": "전 기능 정상"})
    assert inspected.json()["status"] == "completed"

    headers = as_user(client, member)
    outcome = client.post(f"{API}/projects/{pid}/outcome", headers=headers,
                          json={"achieved": {"productivity": 117, "quality": "1.4"}})
    assert outcome.status_code == 200, outcome.text
    kpis = outcome.json()["achieved_kpis"]
    assert (kpis["productivity"]["met"], kpis["quality"]["met"]) == (True, True)
    mine = client.get(f"{API}/projects").json()
    assert [p["id"] for p in mine["items"]] == [pid]
    assert mine["counts"]["completed"] == 1


def test_clawback_and_termination_through_the_api(client: TestClient, session: Session) -> None:
    application, _ = decided_application(session, outcome=DecisionOutcome.FUNDED)
    sanction = make_sanction(session, application.organization_id)
    headers = as_user(client, make_user(session, Role.OPERATOR))
    pid = client.post(f"{API}/projects", headers=headers, json={
        "application_id": application.id, "starts_on": "2027-03-01", "ends_on": "2027-12-31"}).json()["id"]
    client.post(f"{API}/projects/{pid}/payments", headers=headers,
                json={"payer": "government", "amount_krw": 30_000_000, "paid_on": "2027-04-01"})
    over = client.post(f"{API}/projects/{pid}/clawbacks", headers=headers,
                       json={"sanction_id": sanction.id, "amount_krw": 30_000_001, "reason": "목적 외 사용"})
    assert over.status_code == 422
    assert over.json()["error"]["problems"][0]["field"] == "amount_krw"
    assert session.scalars(select(ProjectClawback)).all() == []
    clawed = client.post(f"{API}/projects/{pid}/clawbacks", headers=headers,
                         json={"sanction_id": sanction.id, "amount_krw": 30_000_000, "reason": "목적 외 사용",
                               "terminate": True})
    assert clawed.status_code == 201, clawed.text
    detail = client.get(f"{API}/projects/{pid}").json()
    assert (detail["status"], detail["clawed_back_krw"]) == ("terminated", 30_000_000)
    again = client.post(f"{API}/projects/{pid}/terminate", headers=headers, json={"reason": "다시 중단"})
    assert again.status_code == 409
    assert client.get(f"{API}/projects?status=terminated").json()["counts"]["terminated"] >= 1
    assert client.get(f"{API}/projects?status=lost").status_code == 422


def test_no_project_for_an_unfunded_application_and_companies_may_not_agree(client: TestClient,
                                                                           session: Session) -> None:
    application, _ = decided_application(session, outcome=DecisionOutcome.WAITLISTED)
    headers = as_user(client, make_user(session, Role.OPERATOR))
    refused = client.post(f"{API}/projects", headers=headers, json={
        "application_id": application.id, "starts_on": "2027-03-01", "ends_on": "2027-12-31"})
    assert refused.status_code == 409
    funded, _ = decided_application(session, outcome=DecisionOutcome.FUNDED)
    headers = as_user(client, member_of(session, funded.organization_id))
    assert client.post(f"{API}/projects", headers=headers, json={
        "application_id": funded.id, "starts_on": "2027-03-01", "ends_on": "2027-12-31"}).status_code == 403
