"""The public page and API of the national targets: Korean first, English second, aggregates without names."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.support.enums import TrackKind
from midas.support.models import SupportProject
from midas.web.context import LOCALE_COOKIE
from tests.factories import csrf_from, make_user, sign_in
from tests.support.test_counting_service import World


def seed_counts(session: Session) -> list[SupportProject]:
    world = World(session)
    return [
        world.project(TrackKind.BASIC, 2, datetime(2024, 5, 1, tzinfo=UTC), name="(주)비밀정밀", region_code="48",
                      ksic_code="29"),
        world.project(TrackKind.ADVANCED, 3, datetime(2025, 5, 1, tzinfo=UTC), name="(주)숨은전자",
                      region_code="11", ksic_code="26"),
    ]


def test_the_public_page_shows_progress_in_korean_without_company_names(client: TestClient,
                                                                        session: Session) -> None:
    seed_counts(session)
    response = client.get("/support/national")
    assert response.status_code == 200
    html = response.text
    assert "MIDAS 2027 국가 목표 현황" in html
    assert "디지털 제조 선도기업" in html
    assert 'aria-valuenow="1"' in html
    assert 'aria-valuemax="5000"' in html
    assert 'aria-valuemax="25000"' in html
    assert "<svg" in html
    assert "polyline" in html
    assert "경상남도" in html
    assert "서울특별시" in html
    assert "비밀정밀" not in html
    assert "숨은전자" not in html
    assert "/static/support-national.css" in html


def test_the_public_page_in_english(client: TestClient, session: Session) -> None:
    seed_counts(session)
    client.cookies.set(LOCALE_COOKIE, "en")
    html = client.get("/support/national").text
    assert "MIDAS 2027 national targets" in html
    assert "Gyeongsangnam-do" in html
    assert "Straight path to the target" in html
    assert "비밀정밀" not in html
    assert "Hanbit" not in html


def test_the_page_renders_with_nothing_counted(client: TestClient) -> None:
    html = client.get("/support/national").text
    assert "아직 집계된 기업이 없습니다." in html
    assert 'aria-valuenow="0"' in html


def test_the_api_is_public_and_names_no_company(client: TestClient, session: Session) -> None:
    seed_counts(session)
    response = client.get("/api/v1/support/national")
    assert response.status_code == 200
    data = response.json()
    assert data["totals"]["total"] == 2
    assert data["totals"]["total_target"] == 25_000
    assert [(row["category"], row["count"]) for row in data["totals"]["categories"]] == [
        ("advanced_digital", 1), ("transformed", 1)]
    years = {row["year"]: row for row in data["by_year"]}
    assert years[2024]["new"] == {"advanced_digital": 0, "transformed": 1}
    assert years[2025]["cumulative"] == {"advanced_digital": 1, "transformed": 1}
    assert len(data["by_region"]) == 17
    assert {row["code"]: row["total"] for row in data["by_industry"]} == {"26": 1, "29": 1}
    assert "비밀정밀" not in response.text
    assert "숨은전자" not in response.text


def test_the_counted_companies_api_is_for_operators(client: TestClient, session: Session) -> None:
    projects = seed_counts(session)
    assert client.get("/api/v1/support/national/companies").status_code == 401
    member = make_user(session, Role.COMPANY_MEMBER)
    sign_in(client, member)
    assert client.get("/api/v1/support/national/companies").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    sign_in(client, make_user(session, Role.OPERATOR))
    data = client.get("/api/v1/support/national/companies", params={"category": "transformed"}).json()
    assert data["total"] == 1
    assert [(row["project_id"], row["year"], row["track"], row["assessed_level"]) for row in data["items"]] == [
        (projects[0].id, 2024, "basic", 2)]
    assert data["items"][0]["name"] == "(주)비밀정밀"
    problem = client.get("/api/v1/support/national/companies", params={"year": 2031})
    assert problem.status_code == 422
