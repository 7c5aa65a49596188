from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from tests.factories import PASSWORD, csrf_from, make_user, sign_in


def test_sign_in_and_out_through_the_forms(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.OPERATOR)
    sign_in(client, user)
    home = client.get("/")
    assert user.email in home.text
    token = csrf_from(home.text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/account/tokens", follow_redirects=False).headers["location"].startswith("/login")


def test_wrong_password_is_refused_with_one_message_for_every_failure(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.OPERATOR)
    token = csrf_from(client.get("/login").text)
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope-nope", "csrf_token": token})
    unknown = client.post("/login", data={"email": "who@example.kr", "password": PASSWORD, "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    assert "이메일 주소 또는 비밀번호가 올바르지 않습니다" in wrong.text
    assert "이메일 주소 또는 비밀번호가 올바르지 않습니다" in unknown.text


def test_a_form_without_the_csrf_token_changes_nothing(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.OPERATOR)
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/v1/me").json()["role"] is None


def test_the_language_switch_is_kept_on_the_account(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.OPERATOR)
    token = sign_in(client, user)
    assert 'lang="ko"' in client.get("/").text
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": token})
    client.cookies.clear()  # the choice lives on the account, not only in the cookie
    sign_in(client, user)
    assert '<html lang="en">' in client.get("/").text
