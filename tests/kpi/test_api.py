"""The KPI JSON API: definitions, a factory's report and roll-ups, errors in the platform's envelope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.kpi.compute import KPIS, NO_PLANNED_BUSY_TIME
from midas.kpi.service import Grain, ScopeKind, rollup_report
from midas.web.context import LOCALE_COOKIE
from tests.factories import make_factory, make_organization, make_user, sign_in
from tests.kpi.test_aggregates import member_of, send, shift_record
from tests.kpi.test_pages import NOVEMBER, PEERS, QUERY, Seeded, report_of, seed_company


@pytest.fixture
def seeded(session: Session) -> Seeded:
    return seed_company(session)


def test_the_definitions_are_public_with_names_iris_formulas_and_units(client: TestClient) -> None:
    response = client.get("/api/v1/kpi/kpis")
    assert response.status_code == 200
    data = response.json()
    assert [row["id"] for row in data] == [kpi.id for kpi in KPIS]
    oee = next(row for row in data if row["id"] == "oee_index")
    assert oee == {"id": "oee_index", "name": "OEE index", "name_ko": "설비종합효율(OEE) 지수",
                   "iri": "http://www.w3id.org/hsu-aut/ISO22400-2#OverallEquipmentEffectiveness",
                   "formula": "OEE index = Availability * Effectiveness * Quality rate", "unit": "ratio",
                   "higher_is_better": True, "formula_in_ontology": True}
    assert next(row for row in data if row["id"] == "mtbf")["formula_in_ontology"] is False
    assert client.get("/api/v1/kpi/kpis/mttr").json()["unit"] == "seconds"
    missing = client.get("/api/v1/kpi/kpis/happiness")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_kpi_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/kpi/kpis", "/api/v1/kpi/factories/{factory_id}", "/api/v1/kpi/rollup/{kind}/{key}"} <= set(paths)
    assert not any(path.startswith("/kpi") for path in paths)  # the pages stay out of the API document


def test_a_factory_report_has_the_services_values(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    response = client.get(f"/api/v1/kpi/factories/{seeded.factory.id}?{QUERY}&grain=week")
    assert response.status_code == 200, response.text
    data = response.json()
    report = report_of(session, seeded, Grain.WEEK)
    assert data["factory_id"] == seeded.factory.id
    assert data["organization_id"] == seeded.organization.id
    assert data["ksic_division"] == "29"
    assert data["period"] == {"start": "2026-11-01", "end": "2026-11-30", "days": 30}
    assert data["grain"] == "week"
    assert {row["kpi"]: row["value"] for row in data["kpis"]} == pytest.approx(
        {value.definition.id: value.value for value in report.kpis})
    assert [point["label"] for point in data["series"]] == ["2026-W45"]
    assert data["series"][0]["values"]["oee_index"] == pytest.approx(report.series[0].kpis[3].value)
    assert [unit["key"] for unit in data["work_units"]] == ["P01", "P02"]
    assert [shift["key"] for shift in data["shifts"]] == ["야간", "주간"]
    assert data["work_centers"][0]["key"] == ""  # no factory structure: every unit is unplaced
    assert data["overlaps"] == []
    assert data["hierarchy_problem"] is None
    availability = next(row for row in data["peers"] if row["kpi"] == "availability")
    assert availability["peers"] == PEERS
    assert set(availability) == {"kpi", "peers", "better_than_share", "lower_quartile", "upper_quartile"}


def test_a_kpi_that_is_not_computable_carries_its_problem_in_the_callers_language(
        client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    record = shift_record(5, 6, 8)
    record.pop("PlannedBusyTime")
    send(session, factory, member_of(organization), record)
    sign_in(client, member)
    data = client.get(f"/api/v1/kpi/factories/{factory.id}?{QUERY}").json()
    availability = next(row for row in data["kpis"] if row["kpi"] == "availability")
    assert availability["value"] is None
    assert availability["problem"]["message_id"] == NO_PLANNED_BUSY_TIME
    assert availability["problem"]["params"] == {"kpi": "Availability"}
    korean = availability["problem"]["message"]
    client.cookies.set(LOCALE_COOKIE, "en")
    member.locale = "en"
    session.flush()
    english = next(row for row in client.get(f"/api/v1/kpi/factories/{factory.id}?{QUERY}").json()["kpis"]
                   if row["kpi"] == "availability")["problem"]["message"]
    assert english == NO_PLANNED_BUSY_TIME
    assert korean != english


def test_errors_come_in_the_envelope(client: TestClient, session: Session, seeded: Seeded) -> None:
    assert client.get(f"/api/v1/kpi/factories/{seeded.factory.id}").status_code == 401
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    hidden = client.get(f"/api/v1/kpi/factories/{seeded.factory.id}")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    client.cookies.clear()
    sign_in(client, seeded.member)
    bad_date = client.get(f"/api/v1/kpi/factories/{seeded.factory.id}?start=yesterday")
    assert bad_date.status_code == 422
    assert bad_date.json()["error"]["problems"][0]["field"] == "start"
    assert client.get(f"/api/v1/kpi/factories/{seeded.factory.id}?grain=fortnight").status_code == 422
    assert client.get("/api/v1/kpi/rollup/planet/1").status_code == 422
    assert client.get("/api/v1/kpi/rollup/region/Seoul").status_code == 422


def test_a_roll_up_sums_its_factories(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get(f"/api/v1/kpi/rollup/ksic/29?{QUERY}&grain=month")
    assert response.status_code == 200
    data = response.json()
    report = rollup_report(session, actor=seeded.actor, kind=ScopeKind.KSIC, key="29", period=NOVEMBER,
                           grain=Grain.MONTH)
    assert data["kind"] == "ksic"
    assert data["key"] == "29"
    assert data["factories"] == PEERS + 1
    assert {row["kpi"]: row["value"] for row in data["kpis"]} == pytest.approx(
        {value.definition.id: value.value for value in report.kpis})
    assert [point["label"] for point in data["series"]] == ["2026-11"]
    assert sorted(part["key"] for part in data["parts"]) == ["41", "48"]
    nation = client.get(f"/api/v1/kpi/rollup/nation/all?{QUERY}").json()
    assert nation["kind"] == "nation"
    assert nation["factories"] == PEERS + 1
