"""The operators' reliability dashboard: alpha with its interval, distributions, the flagged lenient expert."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from tests.assessment.factories import make_round
from tests.assessment.test_reliability_service import build_round
from tests.factories import make_user, sign_in


def test_the_dashboard_opens_on_the_latest_closed_round(client: TestClient, session: Session) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get("/assessment/reliability", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/assessment/reliability/{built.code}"
    chosen = client.get("/assessment/reliability", params={"round": built.code}, follow_redirects=False)
    assert chosen.headers["location"] == f"/assessment/reliability/{built.code}"


def test_the_round_page_shows_alpha_distributions_and_the_flagged_lenient_expert_first(
    client: TestClient, session: Session
) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    page = client.get(f"/assessment/reliability/{built.code}")
    assert page.status_code == 200
    html = page.text
    assert "/static/assessment-analytics.css" in html
    assert "크리펜도르프" in html
    assert "α = " in html
    assert 'class="alpha-figure"' in html
    assert "<circle" in html
    assert "지역별 수준" in html
    assert "경기도" in html
    assert "경상남도" in html
    assert "업종별 수준" in html
    table = html[html.index('class="calibration"'):]
    first_row = table[table.index("<tbody>"):table.index("</tr>", table.index("<tbody>"))]
    assert "관대한 전문가" in first_row
    assert 'class="badge flag-lenient">관대<' in first_row
    assert f"/assessment/reliability/{built.code}/distributions.csv?grouping=region&amp;locale=ko" in html
    assert "<script>" not in html


def test_the_page_speaks_english_too(client: TestClient, session: Session) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.AUDITOR, locale="en"))
    html = client.get(f"/assessment/reliability/{built.code}").text
    assert "Levels by region" in html
    assert "Gyeonggi" in html
    assert ">Lenient<" in html


def test_the_page_exports_csv(client: TestClient, session: Session) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get(f"/assessment/reliability/{built.code}/distributions.csv",
                          params={"grouping": "expert", "locale": "en"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Expert,Count")
    assert any(line.startswith("관대한 전문가") for line in lines)


def test_without_sheets_the_dashboard_lists_the_rounds(client: TestClient, session: Session) -> None:
    empty = make_round(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get("/assessment/reliability", follow_redirects=False)
    assert response.status_code == 200
    assert empty.code in response.text


@pytest.mark.parametrize("role", [Role.COMPANY_MEMBER, Role.EXPERT])
def test_companies_and_experts_do_not_see_the_dashboard(client: TestClient, session: Session, role: Role) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, role))
    assert client.get("/assessment/reliability").status_code == 403
    assert client.get(f"/assessment/reliability/{built.code}").status_code == 403
    assert client.get(f"/assessment/reliability/{built.code}/distributions.csv").status_code == 403
