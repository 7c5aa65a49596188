"""/api/v1/standard: validation for token clients and signed-in sessions; template downloads for everyone."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from midas.auth import Role, actor_for, issue_api_token
from midas.config import Settings
from midas.standard.convert import AAS_JSON, AASX, environments_equal
from midas.standard.templates import template_environment
from midas.web.app import create_app
from tests.factories import make_user, sign_in

API = "/api/v1/standard"
PVM = "IDTA_02066_Template_PVM.json"
NAMEPLATE = "IDTA_02006-3-0-1_Template_Digital_Nameplate.json"


def bearer(session: Session) -> dict[str, str]:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    _, secret = issue_api_token(session, actor=member, name="MES 연동")
    session.flush()
    return {"Authorization": f"Bearer {secret}"}


def idta(shared_standards: Path, name: str) -> bytes:
    return (shared_standards / "idta-templates" / name).read_bytes()


def test_a_token_client_uploads_a_file_and_gets_the_report(
    client: TestClient, session: Session, shared_standards: Path
) -> None:
    response = client.post(
        f"{API}/validate",
        headers=bearer(session),
        files={"file": (PVM, idta(shared_standards, PVM), "application/json")},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["source"], report["status"], report["valid"], report["mode"]) == (PVM, "valid", True, "strict")


def test_the_raw_body_works_too_and_the_mode_and_language_are_chosen(
    client: TestClient, session: Session, shared_standards: Path
) -> None:
    response = client.post(
        f"{API}/validate",
        params={"mode": "tolerant", "filename": NAMEPLATE, "locale": "en"},
        headers=bearer(session) | {"Content-Type": "application/json"},
        content=idta(shared_standards, NAMEPLATE),
    )
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "loaded_with_problems"
    assert report["counts"]["constraints"]["error"] == 6
    first = report["findings"][0]
    assert (first["layer"], first["rule"], first["severity"]) == ("constraints", "AAS-META", "error")
    assert first["path"] == ".submodels[0].submodel_elements[19].value[0]"
    assert first["message"] == "Description must specify unique languages."


def test_korean_is_the_default_language_of_the_messages(
    client: TestClient, session: Session, shared_standards: Path
) -> None:
    response = client.post(
        f"{API}/validate", headers=bearer(session), files={"file": (NAMEPLATE, idta(shared_standards, NAMEPLATE))}
    )
    assert "언어" in response.json()["findings"][0]["message"]


def test_a_browser_session_needs_its_csrf_header(client: TestClient, session: Session, shared_standards: Path) -> None:
    token = sign_in(client, make_user(session, Role.OPERATOR))
    upload = {"file": (PVM, idta(shared_standards, PVM))}
    assert client.post(f"{API}/validate", files=upload).status_code == 403
    assert client.post(f"{API}/validate", files=upload, headers={"X-CSRF-Token": token}).status_code == 200


def test_anonymous_callers_are_asked_to_authenticate(client: TestClient, shared_standards: Path) -> None:
    response = client.post(
        f"{API}/validate",
        content=idta(shared_standards, PVM),
        headers={"Content-Type": "application/json", "X-CSRF-Token": "none"},
    )
    assert response.status_code in (401, 403)


def test_a_file_over_the_limit_is_refused_with_413(
    settings: Settings, session_factory: sessionmaker[Session], session: Session
) -> None:
    small = Settings(environment=settings.environment, database_url=settings.database_url, upload_max_bytes=2048)
    app: FastAPI = create_app(small)
    app.state.session_factory = session_factory
    with TestClient(app) as client:
        response = client.post(
            f"{API}/validate", headers=bearer(session) | {"Content-Type": "application/json"}, content=b" " * 5000
        )
    assert response.status_code == 413
    (finding,) = response.json()["findings"]
    assert (finding["rule"], finding["params"]) == ("READ-SIZE", {"size": 5000, "limit": 2048})


def test_a_multipart_request_without_the_file_field_is_invalid(client: TestClient, session: Session) -> None:
    response = client.post(f"{API}/validate", headers=bearer(session), files={"other": ("x.json", b"{}")})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["field"] == "file"


@pytest.mark.parametrize("file_format", ["json", "xml", "aasx"])
def test_the_templates_are_downloadable_by_anyone(client: TestClient, file_format: str) -> None:
    response = client.get(f"{API}/templates/kmds.{file_format}")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="K-MDS_')
    assert disposition.endswith(f'.{file_format}"')
    if file_format == "json":
        assert environments_equal(AAS_JSON.read(response.content), template_environment())
    if file_format == "aasx":
        assert zipfile.ZipFile(io.BytesIO(response.content)).read("_rels/.rels")
        assert environments_equal(AASX.read(response.content), template_environment())


def test_other_template_formats_do_not_exist(client: TestClient) -> None:
    assert client.get(f"{API}/templates/kmds.csv").status_code == 422


def test_the_api_is_described_in_openapi(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][f"{API}/validate"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert json.dumps(document)  # the whole document stays serialisable
