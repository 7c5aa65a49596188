"""The program outcomes in the JSON API: a project's outcome as the service measures it, the roll-ups of the stored
outcomes, access, and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.kpi.outcomes import Measure
from midas.kpi.outcomes_service import BASELINE_DAYS, outcome_to_json, refresh_outcomes
from midas.support import ProjectStatus
from midas.web.context import LOCALE_COOKIE
from tests.factories import make_user, sign_in
from tests.kpi.test_outcomes_pages import Measured, measured_now, seed_measured
from tests.kpi.test_outcomes_service import OPERATOR, STARTS, TODAY, send_days
from tests.support.factories_projects import make_project


@pytest.fixture
def seeded(session: Session) -> Measured:
    return seed_measured(session)


def test_the_outcome_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/kpi/projects/{project_id}/outcome", "/api/v1/kpi/outcomes"} <= set(paths)
    assert not any(path.startswith("/kpi/") for path in paths)


def test_a_project_outcome_is_the_services(client: TestClient, session: Session, seeded: Measured) -> None:
    sign_in(client, seeded.member)
    response = client.get(f"/api/v1/kpi/projects/{seeded.project.id}/outcome")
    assert response.status_code == 200, response.text
    data = response.json()
    measured = measured_now(session, seeded)
    assert measured.outcome is not None
    assert data["project_id"] == seeded.project.id
    assert data["organization_id"] == seeded.organization.id
    assert data["track"] == "basic"
    assert data["starts_on"] == STARTS.isoformat()
    assert data["completed_on"] == "2026-06-30"
    assert data["baseline"] == {"start": measured.baseline[0].isoformat(), "end": measured.baseline[1].isoformat(),
                                "days_with_data": BASELINE_DAYS}
    assert data["after"] == {"start": "2026-07-01", "end": "2026-09-28", "days_with_data": BASELINE_DAYS}
    assert data["targets"] == pytest.approx({"productivity": 15.0, "quality": 50.0})
    assert data["met_targets"] == measured.met_targets
    expected = outcome_to_json(measured.outcome)
    assert set(data["outcome"]["measures"]) == {m.value for m in Measure}
    for key, measure in expected["measures"].items():
        served = data["outcome"]["measures"][key]
        for name in ("finding", "unit", "baseline_days", "after_days"):
            assert served[name] == measure[name], (key, name)
        for name in ("baseline_value", "after_value", "improvement_pct", "ci_low_pct", "ci_high_pct"):
            assert served[name] == pytest.approx(measure[name]), (key, name)
    cost = data["outcome"]["measures"]["cost"]
    assert cost["reason"]["message"] == expected["measures"]["cost"]["reason"]["message"]
    assert "EnergyConsumption" in cost["reason"]["text"]
    assert data["outcome"]["unmeasured"][0]["field"] == "delivery.on_time_rate"
    assert data["outcome"]["unmeasured"][0]["text"] == "K-MDS 기록에는 납기일이 없어 정시 납기율은 계산할 수 없습니다"
    client.cookies.set(LOCALE_COOKIE, "en")
    seeded.member.locale = "en"
    session.flush()
    english = client.get(f"/api/v1/kpi/projects/{seeded.project.id}/outcome").json()
    assert english["outcome"]["unmeasured"][0]["text"].startswith("On-time rate not computable")


def test_a_project_not_completed_has_no_outcome_yet(client: TestClient, session: Session) -> None:
    running = make_project(session, starts_on=STARTS, status=ProjectStatus.IN_PROGRESS)
    send_days(session, running, STARTS - timedelta(days=BASELINE_DAYS), 25, 20_000, 600)
    sign_in(client, make_user(session, Role.OPERATOR))
    data = client.get(f"/api/v1/kpi/projects/{running.id}/outcome").json()
    assert data["after"] is None
    assert data["outcome"] is None
    assert data["met_targets"] is None
    assert data["baseline"]["days_with_data"] == 25


def test_a_stranger_gets_not_found_in_the_envelope(client: TestClient, session: Session, seeded: Measured) -> None:
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    response = client.get(f"/api/v1/kpi/projects/{seeded.project.id}/outcome")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_roll_ups_after_a_refresh(client: TestClient, session: Session, seeded: Measured) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    assert client.get("/api/v1/kpi/outcomes").json() == []
    refresh_outcomes(session, actor=OPERATOR, today=TODAY)
    measured = measured_now(session, seeded)
    assert measured.outcome is not None
    (group,) = client.get("/api/v1/kpi/outcomes?by=track").json()
    assert group["key"] == "basic"
    assert group["projects"] == 1
    assert group["computable"] == 1
    productivity = group["measures"]["productivity"]
    assert productivity["better"] == 1
    assert productivity["median_improvement_pct"] == pytest.approx(
        measured.outcome.measures[Measure.PRODUCTIVITY].improvement_pct)
    assert group["measures"]["cost"]["computable"] == 0
    assert group["with_targets"] == (1 if measured.met_targets is not None else 0)
    (by_region,) = client.get("/api/v1/kpi/outcomes?by=region").json()
    assert by_region["key"] == seeded.organization.region_code
    (by_year,) = client.get("/api/v1/kpi/outcomes?by=year").json()
    assert by_year["key"] == str(measured.subject.year)
    assert client.get("/api/v1/kpi/outcomes?by=planet").status_code == 422


def test_a_member_sees_no_group_of_one_project(client: TestClient, session: Session, seeded: Measured) -> None:
    refresh_outcomes(session, actor=OPERATOR, today=TODAY)
    sign_in(client, seeded.member)
    assert client.get("/api/v1/kpi/outcomes?by=ksic").json() == []
