"""The import API: upload a file as multipart, get the report as JSON; download the templates."""

from __future__ import annotations

import io

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.registry import Factory, Organization, format_brn
from tests.factories import make_organization, make_user, next_brn, sign_in
from tests.registry.test_importing import FACTORY_HEADERS, count, csv_file, factory_row, organization_row, xlsx_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def signed_in(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> dict[str, str]:
    """Sign in through the form; the API then wants the session's CSRF token in a header."""
    return {"X-CSRF-Token": sign_in(client, make_user(session, role))}


def test_an_uploaded_csv_is_imported_and_reported(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    brn = next_brn()
    data = csv_file([organization_row(brn=brn, name="(주)세종스마트팩토리")], encoding="cp949")
    response = client.post("/api/v1/registry/imports/organizations", headers=headers,
                           files={"file": ("기업목록.csv", data, "text/csv")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert {k: report[k] for k in ("kind", "mode", "file_name", "total_rows", "imported_rows", "rejected_rows",
                                   "committed", "problems")} == {
        "kind": "organizations", "mode": "all_or_nothing", "file_name": "기업목록.csv", "total_rows": 1,
        "imported_rows": 1, "rejected_rows": 0, "committed": True, "problems": []}
    saved = session.scalar(select(Organization).where(Organization.brn == brn))
    assert saved is not None
    assert saved.name == "(주)세종스마트팩토리"
    assert report["created_ids"] == [saved.id]


def test_a_refused_file_gets_422_with_the_report_in_korean(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    brn = next_brn()
    rows = [organization_row(brn=brn), organization_row(brn=format_brn(brn))]
    before = count(session, Organization)
    response = client.post("/api/v1/registry/imports/organizations", headers=headers,
                           files={"file": ("기업.xlsx", xlsx_file(rows), XLSX)})
    assert response.status_code == 422
    report = response.json()
    assert (report["committed"], report["imported_rows"], report["rejected_rows"]) == (False, 0, 2)
    assert [(p["row"], p["column"], p["field"]) for p in report["problems"]] == [
        (2, "사업자등록번호", "brn"), (3, "사업자등록번호", "brn")]
    assert report["problems"][0]["message"] == (
        f"사업자등록번호 {format_brn(brn)}이(가) 파일에 두 번 이상 있습니다 (2, 3행)")
    assert count(session, Organization) == before


def test_valid_rows_mode_is_a_query_parameter(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    owner = make_organization(session)
    rows = [factory_row(owner.brn, name="제3공장"), factory_row(next_brn())]
    response = client.post("/api/v1/registry/imports/factories?mode=valid_rows", headers=headers,
                           files={"file": ("공장.csv", csv_file(rows, headers=FACTORY_HEADERS), "text/csv")})
    assert response.status_code == 200, response.text
    assert (response.json()["imported_rows"], response.json()["rejected_rows"]) == (1, 1)
    assert [f.name for f in session.scalars(select(Factory).where(Factory.organization_id == owner.id))] == ["제3공장"]


def test_the_upload_limit_of_the_settings_applies(client: TestClient, session: Session, app: FastAPI) -> None:
    headers = signed_in(client, session)
    app.state.settings = app.state.settings.model_copy(update={"upload_max_bytes": 1024})
    rows = [organization_row(brn=next_brn()) for _ in range(10)]
    response = client.post("/api/v1/registry/imports/organizations", headers=headers,
                           files={"file": ("big.csv", csv_file(rows), "text/csv")})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "file"
    assert "1,024" in response.json()["problems"][0]["message"]


@pytest.mark.parametrize("role", [Role.EXPERT, Role.COMPANY_MEMBER])
def test_only_operators_and_admins_may_import(client: TestClient, session: Session, role: Role) -> None:
    headers = signed_in(client, session, role)
    brn = next_brn()
    response = client.post("/api/v1/registry/imports/organizations", headers=headers,
                           files={"file": ("기업.csv", csv_file([organization_row(brn=brn)]), "text/csv")})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert session.scalar(select(Organization).where(Organization.brn == brn)) is None


def test_an_upload_without_the_csrf_header_is_refused(client: TestClient, session: Session) -> None:
    signed_in(client, session)
    brn = next_brn()
    response = client.post("/api/v1/registry/imports/organizations",
                           files={"file": ("기업.csv", csv_file([organization_row(brn=brn)]), "text/csv")})
    assert response.status_code == 403
    assert session.scalar(select(Organization).where(Organization.brn == brn)) is None


def test_anonymous_callers_are_asked_to_authenticate(client: TestClient) -> None:
    response = client.post("/api/v1/registry/imports/organizations", headers={"Authorization": "Bearer nope"},
                           files={"file": ("기업.csv", b"x", "text/csv")})
    assert response.status_code == 401


@pytest.mark.parametrize(("fmt", "media"), [("xlsx", XLSX), ("csv", "text/csv; charset=utf-8")])
def test_templates_download_and_import_back(client: TestClient, session: Session, fmt: str, media: str) -> None:
    headers = signed_in(client, session)
    template = client.get(f"/api/v1/registry/imports/templates/organizations.{fmt}")
    assert template.status_code == 200
    assert template.headers["content-type"] == media
    assert f"midas-organizations-template.{fmt}" in template.headers["content-disposition"]
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(template.content), read_only=True).sheetnames == ["기업", "코드표"]
    back = client.post("/api/v1/registry/imports/organizations", headers=headers,
                       files={"file": (f"template.{fmt}", template.content, media)})
    assert back.status_code == 200, back.text
    assert back.json()["imported_rows"] == 1


def test_an_unknown_template_kind_or_format_is_refused(client: TestClient, session: Session) -> None:
    signed_in(client, session)
    assert client.get("/api/v1/registry/imports/templates/organizations.pdf").status_code == 422
    assert client.get("/api/v1/registry/imports/templates/people.csv").status_code == 422
