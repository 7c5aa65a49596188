"""The import page, used the way a person does: download a template, upload through the form, read the report."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.registry import Organization
from tests.factories import csrf_from, make_user, next_brn, sign_in
from tests.registry.test_importing import count, csv_file, organization_row, xlsx_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def open_import_page(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> str:
    sign_in(client, make_user(session, role))
    page = client.get("/registry/import")
    assert page.status_code == 200, page.text
    return page.text


def upload(client: TestClient, page: str, file_name: str, data: bytes, media: str = "text/csv", *,
           kind: str = "organizations", valid_rows: bool = False) -> Response:
    form = {"csrf_token": csrf_from(page), "kind": kind}
    if valid_rows:
        form["valid_rows"] = "true"
    return client.post("/registry/import", data=form, files={"file": (file_name, data, media)})


def test_the_page_explains_the_steps_and_offers_templates_and_a_form(client: TestClient, session: Session) -> None:
    page = open_import_page(client, session)
    assert "기업·공장 일괄 등록" in page
    assert 'href="/api/v1/registry/imports/templates/organizations.xlsx"' in page
    assert 'href="/api/v1/registry/imports/templates/factories.csv"' in page
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="import-file">' in page
    assert 'id="import-file" name="file" type="file"' in page
    assert 'name="valid_rows"' in page
    assert "올바른 행만 등록하고 나머지는 건너뛰기" in page
    assert "<progress" in page
    for link in re.findall(r'href="(/api/v1/registry/imports/templates/[^"]+)"', page):
        assert client.get(link).status_code == 200, link


def test_a_cp949_csv_uploaded_through_the_form_is_imported(client: TestClient, session: Session) -> None:
    page = open_import_page(client, session)
    brn = next_brn()
    data = csv_file([organization_row(brn=brn, name="(주)울산정밀", region_code="울산광역시")], encoding="cp949")
    response = upload(client, page, "울산.csv", data)
    assert response.status_code == 200, response.text
    assert "일괄 등록 결과" in response.text
    assert "모든 행을 등록했습니다." in response.text
    saved = session.scalar(select(Organization).where(Organization.brn == brn))
    assert saved is not None
    assert saved.name == "(주)울산정밀"


def test_problems_are_listed_by_row_and_column_in_korean(client: TestClient, session: Session) -> None:
    page = open_import_page(client, session)
    rows = [organization_row(brn=next_brn()), organization_row(ksic_code="99"), organization_row(employees=-3)]
    before = count(session, Organization)
    response = upload(client, page, "기업.xlsx", xlsx_file(rows), XLSX)
    assert response.status_code == 422
    assert "아무것도 등록하지 않았습니다." in response.text
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", response.text, re.S)]
    assert cells[:2] == ["3", "업종(KSIC)"]
    assert "99" in cells[2]
    assert cells[3:5] == ["4", "종업원 수"]
    assert count(session, Organization) == before


def test_the_checkbox_imports_the_valid_rows(client: TestClient, session: Session) -> None:
    page = open_import_page(client, session)
    brns = [next_brn(), next_brn()]
    rows = [organization_row(brn=brns[0]), organization_row(region_code="Atlantis"), organization_row(brn=brns[1])]
    response = upload(client, page, "기업.csv", csv_file(rows), valid_rows=True)
    assert response.status_code == 200, response.text
    assert "올바른 행을 등록했습니다." in response.text
    assert "Atlantis" in response.text
    assert all(session.scalar(select(Organization).where(Organization.brn == b)) for b in brns)
    assert 'name="valid_rows" value="true"' in response.text
    assert "checked" in response.text


def test_the_report_follows_the_language_switch(client: TestClient, session: Session) -> None:
    page = open_import_page(client, session)
    client.post("/language", data={"locale": "en", "next": "/registry/import", "csrf_token": csrf_from(page)})
    page = client.get("/registry/import").text
    assert "Import organizations and factories" in page
    response = upload(client, page, "list.csv", b"\xef\xbb\xbfbrn,name\r\n")
    assert response.status_code == 422
    assert "The required column 기업 구분 is missing" in response.text


def test_submitting_without_a_file_asks_for_one(client: TestClient, session: Session) -> None:
    page = open_import_page(client, session)
    response = client.post("/registry/import", data={"csrf_token": csrf_from(page), "kind": "organizations"})
    assert response.status_code == 422
    assert "올릴 파일을 선택하세요" in response.text


@pytest.mark.parametrize("role", [Role.EXPERT, Role.COMPANY_MEMBER])
def test_people_without_the_permission_see_no_import(client: TestClient, session: Session, role: Role) -> None:
    user = make_user(session, role)
    token = sign_in(client, user)
    assert client.get("/registry/import").status_code == 403
    brn = next_brn()
    response = client.post("/registry/import", data={"csrf_token": token, "kind": "organizations"},
                           files={"file": ("기업.csv", csv_file([organization_row(brn=brn)]), "text/csv")})
    assert response.status_code == 403
    assert session.scalar(select(Organization).where(Organization.brn == brn)) is None


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/registry/import", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/registry/import"
