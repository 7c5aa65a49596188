"""The validation page: open to everyone, Korean first, the report grouped by layer with element paths."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from tests.factories import csrf_from, make_user, sign_in

PAGE = "/standard/validate"
NAMEPLATE = "IDTA_02006-3-0-1_Template_Digital_Nameplate.json"


def upload(client: TestClient, token: str, name: str, data: bytes, mode: str = "strict") -> str:
    response = client.post(PAGE, data={"csrf_token": token, "mode": mode}, files={"file": (name, data)})
    assert response.status_code == 200, response.text
    return response.text


def test_anyone_can_validate_a_file_and_see_the_report_in_korean(client: TestClient, shared_standards: Path) -> None:
    form = client.get(PAGE)
    assert form.status_code == 200
    assert "AAS 파일 검증" in form.text
    assert 'enctype="multipart/form-data"' in form.text
    page = upload(
        client,
        csrf_from(form.text),
        NAMEPLATE,
        (shared_standards / "idta-templates" / NAMEPLATE).read_bytes(),
        mode="tolerant",
    )
    assert "불러옴 (문제 있음)" in page
    assert 'id="layer-constraints"' in page
    assert ".submodels[0].submodel_elements[19].value[0]" in page
    assert "원문: Description must specify unique languages." in page
    assert "발견 6건 중 오류 6건" in page


def test_a_signed_in_person_sees_the_page_in_english_when_they_chose_it(
    client: TestClient, session: Session, shared_standards: Path
) -> None:
    token = sign_in(client, make_user(session, Role.OPERATOR))
    client.post("/language", data={"locale": "en", "next": PAGE, "csrf_token": token})
    page = upload(
        client, token, "pvm.json", (shared_standards / "idta-templates" / "IDTA_02066_Template_PVM.json").read_bytes()
    )
    assert "Validate AAS files" in page
    assert "<strong>Valid</strong>" in page
    assert "No findings in this layer." in page


def test_an_unreadable_file_is_explained(client: TestClient) -> None:
    token = csrf_from(client.get(PAGE).text)
    page = upload(client, token, "cut.json", b'{"submodels": [')
    assert "읽을 수 없음" in page
    assert "올바른 JSON이 아닙니다" in page


def test_the_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get(PAGE)
    response = client.post(PAGE, files={"file": ("a.json", b"{}")})
    assert response.status_code == 403


def test_a_form_without_a_file_says_so(client: TestClient) -> None:
    token = csrf_from(client.get(PAGE).text)
    response = client.post(PAGE, data={"csrf_token": token, "mode": "strict"}, files={"file": ("", b"")})
    assert response.status_code == 422
    assert "검증할 파일을 고르세요" in response.text


def test_the_page_links_the_template_downloads(client: TestClient) -> None:
    page = client.get(PAGE).text
    for file_format in ("json", "xml", "aasx"):
        assert f'href="/api/v1/standard/templates/kmds.{file_format}"' in page
