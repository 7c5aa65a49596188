"""The projects pages: the operators' list with counts and the project page with its actions; the company's
milestones, delivery and outcome form; in Korean and in English."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.support.enums import MilestoneStatus, PayerKind, ProjectStatus
from midas.support.models import ProjectPayment
from tests.factories import make_user, sign_in
from tests.support.factories_projects import expert_user, make_project, make_sanction, member_of


def operator_signed_in(client: TestClient, session: Session) -> str:
    return sign_in(client, make_user(session, Role.OPERATOR))


def test_the_list_shows_counts_by_status_and_filters(client: TestClient, session: Session) -> None:
    agreed = make_project(session)
    completed = make_project(session, status=ProjectStatus.COMPLETED)
    operator_signed_in(client, session)
    page = client.get("/support/projects")
    assert page.status_code == 200
    assert "상태별 사업" in page.text
    assert f'href="/support/projects/{agreed.id}"' in page.text
    filtered = client.get("/support/projects?status=completed")
    assert f'href="/support/projects/{completed.id}"' in filtered.text
    assert f'href="/support/projects/{agreed.id}"' not in filtered.text
    bad = client.get("/support/projects?status=lost")
    assert bad.status_code == 422
    assert "알 수 없는 사업 상태" in bad.text


def test_an_operator_records_a_payment_and_an_excess_is_shown_in_place(client: TestClient, session: Session) -> None:
    project = make_project(session)
    token = operator_signed_in(client, session)
    page = client.get(f"/support/projects/{project.id}")
    assert page.status_code == 200
    assert "협약 대비 지급" in page.text
    assert "점검 전문가 지정" in page.text
    done = client.post(f"/support/projects/{project.id}/payments", data={
        "csrf_token": token, "payer": "government", "amount_krw": "50000000", "paid_on": "2027-04-01",
        "milestone_id": str(project.milestones[0].id)}, follow_redirects=False)
    assert done.status_code == 303
    refused = client.post(f"/support/projects/{project.id}/payments", data={
        "csrf_token": token, "payer": "government", "amount_krw": "40000000", "paid_on": "2027-05-01"})
    assert refused.status_code == 422
    assert "협약을 초과하는 지급" in refused.text
    assert [p.amount_krw for p in session.scalars(select(ProjectPayment).where(
        ProjectPayment.project_id == project.id, ProjectPayment.payer == PayerKind.GOVERNMENT))] == [50_000_000]


def test_the_company_marks_milestones_and_delivery_in_english_too(client: TestClient, session: Session) -> None:
    project = make_project(session)
    member = member_of(session, project.organization_id)
    token = sign_in(client, member)
    page = client.get(f"/support/projects/{project.id}")
    assert "공급기업이 납품을 완료했습니다" in page.text
    assert "환수" not in page.text  # operators' actions are not shown to the company
    done = client.post(f"/support/projects/{project.id}/milestones/{project.milestones[0].id}/done",
                       data={"csrf_token": token, "note": "착수 회의 완료"}, follow_redirects=False)
    assert done.status_code == 303
    session.refresh(project.milestones[0])
    assert project.milestones[0].status is MilestoneStatus.DONE
    delivered = client.post(f"/support/projects/{project.id}/delivered", data={"csrf_token": token},
                            follow_redirects=False)
    assert delivered.status_code == 303
    session.refresh(project)
    assert project.status is ProjectStatus.DELIVERED
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    english = client.get(f"/support/projects/{project.id}")
    assert "Delivered, awaiting inspection" in english.text
    assert "Payments against the agreement" in english.text


def test_the_outcome_form_shows_targets_and_results(client: TestClient, session: Session) -> None:
    project = make_project(session, status=ProjectStatus.COMPLETED)
    token = sign_in(client, member_of(session, project.organization_id))
    page = client.get(f"/support/projects/{project.id}")
    assert 'name="achieved:productivity"' in page.text
    refused = client.post(f"/support/projects/{project.id}/outcome",
                          data={"csrf_token": token, "achieved:productivity": "많음"})
    assert refused.status_code == 422
    assert "달성값을 숫자로" in refused.text
    saved = client.post(f"/support/projects/{project.id}/outcome",
                        data={"csrf_token": token, "achieved:productivity": "120", "achieved:quality": "2.0"})
    assert saved.status_code == 200  # followed the redirect
    assert "달성" in saved.text
    assert "미달성" in saved.text


def test_operator_clawback_and_inspector_forms(client: TestClient, session: Session) -> None:
    project = make_project(session)
    session.add(ProjectPayment(project_id=project.id, payer=PayerKind.GOVERNMENT, amount_krw=30_000_000,
                               paid_on=project.starts_on, recorded_by_label="test"))
    sanction = make_sanction(session, project.organization_id)
    inspector, _ = expert_user(session)
    token = operator_signed_in(client, session)
    page = client.get(f"/support/projects/{project.id}")
    assert f'value="{sanction.id}"' in page.text
    assert f'value="{inspector.id}"' in page.text
    over = client.post(f"/support/projects/{project.id}/clawbacks", data={
        "csrf_token": token, "sanction_id": str(sanction.id), "amount_krw": "30000001", "reason": "목적 외 사용"})
    assert over.status_code == 422
    assert "환수할 수 있는 금액" in over.text
    assigned = client.post(f"/support/projects/{project.id}/inspector",
                           data={"csrf_token": token, "expert_id": str(inspector.id)}, follow_redirects=False)
    assert assigned.status_code == 303
    session.refresh(project)
    assert project.inspector_expert_id == inspector.id


def test_another_company_cannot_see_the_project(client: TestClient, session: Session) -> None:
    project = make_project(session)
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get(f"/support/projects/{project.id}").status_code == 404
