from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role, User
from midas.registry import format_brn
from tests.factories import PASSWORD, make_organization, make_user, sign_in


def test_an_administrator_adds_a_company_member_linked_by_brn(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    token = sign_in(client, make_user(session, Role.ADMIN))
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "member@example.kr", "display_name": "박서연", "password": PASSWORD,
        "role": "company_member", "organization_brn": format_brn(organization.brn),
    }, follow_redirects=False)
    assert response.status_code == 303
    user = session.scalars(select(User).where(User.email == "member@example.kr")).one()
    assert user.organization_id == organization.id
    assert "박서연" in client.get(response.headers["location"]).text


def test_an_unknown_brn_is_named_next_to_its_field_and_nothing_is_added(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, Role.ADMIN))
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "x@example.kr", "password": PASSWORD, "role": "company_member",
        "organization_brn": "1234567890",
    })
    assert response.status_code == 422
    assert "사업자등록번호 1234567890인 기관이 없습니다" in response.text
    assert session.scalars(select(User).where(User.email == "x@example.kr")).first() is None


def test_an_operator_cannot_open_the_user_administration(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    assert client.get("/admin/users").status_code == 403
    assert "/admin/users" not in client.get("/").text


def test_changing_a_role_signs_the_person_out(client: TestClient, session: Session) -> None:
    target = make_user(session, Role.EXPERT)
    other = TestClient(client.app, base_url="http://testserver")
    sign_in(other, target)
    assert other.get("/api/v1/me").json()["role"] == "expert"
    token = sign_in(client, make_user(session, Role.ADMIN))
    response = client.post(f"/admin/users/{target.id}", data={
        "csrf_token": token, "role": "investigator", "organization_brn": "", "active": "on", "reason": "보직 변경",
    }, follow_redirects=False)
    assert response.status_code == 303
    assert other.get("/api/v1/me").json()["role"] is None
