from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from tests.factories import make_organization, make_user, sign_in


def test_an_unknown_page_gets_a_korean_error_page_and_the_api_a_json_envelope(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "찾을 수 없습니다" in page.text
    assert "<html" in page.text
    api = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_english_visitors_keep_their_choice_in_a_cookie(client: TestClient) -> None:
    client.cookies.set("midas_locale", "en")
    page = client.get("/")
    assert '<html lang="en">' in page.text
    assert "Sign in" in page.text


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.OPERATOR, ["/registry/organizations", "/registry/import", "/audit"], ["/admin/users", "/registry/my"]),
        (Role.COMPANY_MEMBER, ["/registry/my", "/account/tokens"], ["/registry/import", "/audit", "/admin/users"]),
        (Role.AUDITOR, ["/registry/organizations", "/audit"], ["/registry/import", "/admin/users"]),
        # An administrator holds every permission but belongs to no company: no pages of one's own organization.
        (Role.ADMIN, ["/admin/users", "/registry/import", "/audit"],
         ["/registry/my", "/assessment/company", "/support/my", "/support/notifications", "/ingest", "/kpi/my"]),
    ],
)
def test_the_navigation_shows_each_role_its_own_items(
    client: TestClient, session: Session, role: Role, visible: list[str], hidden: list[str]
) -> None:
    sign_in(client, make_user(session, role))
    html = client.get("/").text
    nav = html[html.index('class="mainnav"'):html.index("</nav>")]
    for href in visible:
        assert f'href="{href}"' in nav
    for href in hidden:
        assert f'href="{href}"' not in nav


@pytest.mark.parametrize("role", list(Role))
def test_every_item_of_the_navigation_opens_a_page(client: TestClient, session: Session, role: Role) -> None:
    """A menu leads only where the person may go: no item answers with an error page."""
    sign_in(client, make_user(session, role))
    html = client.get("/").text
    nav = html[html.index('class="mainnav"'):html.index("</nav>")]
    hrefs = re.findall(r'href="(/[^"]*)"', nav)
    assert hrefs
    failing = {href: status for href in hrefs if (status := client.get(href).status_code) != 200}
    assert failing == {}


def test_the_dashboard_draws_the_registry_by_region(client: TestClient, session: Session) -> None:
    make_organization(session, region_code="48")
    make_organization(session, region_code="48")
    make_organization(session, region_code="11")
    sign_in(client, make_user(session, Role.OPERATOR))
    html = client.get("/").text
    assert "경상남도" in html
    assert 'href="/registry/organizations?region_code=48"' in html
    assert html.index("경상남도") < html.index("서울특별시")  # the larger bar comes first


def test_the_api_reports_who_is_calling(client: TestClient, session: Session) -> None:
    assert client.get("/api/v1/me").json()["role"] is None
    user = make_user(session, Role.INVESTIGATOR)
    sign_in(client, user)
    me = client.get("/api/v1/me").json()
    assert me["role"] == "investigator"
    assert "audit.view" in me["permissions"]


def test_a_cookie_authenticated_api_write_needs_the_csrf_header(client: TestClient, session: Session) -> None:
    token = sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 403
    created = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert created.status_code == 201
    assert created.json()["token"].startswith("midas_")
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["x"]
    assert "token" not in listed[0]


def test_pages_refuse_framing_and_foreign_scripts(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_an_unknown_address_still_shows_the_signed_in_person_their_menu_and_language(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.OPERATOR, locale="en")
    sign_in(client, user)
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert '<html lang="en">' in page.text
    assert 'href="/registry/organizations"' in page.text
