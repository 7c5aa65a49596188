"""Scoped API tokens through the real app: what each scope lets a machine client call, and issuing by JSON."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role, actor_for, issue_api_token
from midas.ingest import count_records
from midas.registry import Factory, Organization
from midas.standard import example_record
from tests.factories import make_factory, make_organization, make_user, sign_in

INGEST = "/api/v1/ingest"
ORGANIZATIONS = "/api/v1/registry/organizations"
TEMPLATE = "ProductionPerformance"


def _company(session: Session) -> tuple[Organization, Factory, Any]:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=organization))
    return organization, factory, member


def _bearer(session: Session, member: Any, scopes: list[str] | None) -> dict[str, str]:
    _, secret = issue_api_token(session, actor=member, name="MES", scopes=scopes)
    session.flush()
    return {"Authorization": f"Bearer {secret}"}


def _item(factory: Factory) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record["PeriodStart"], record["PeriodEnd"] = "2026-11-26T06:00:00+09:00", "2026-11-26T15:00:00+09:00"
    return {"factory_id": factory.id, "template": TEMPLATE, "record": record}


def test_an_ingest_token_posts_records_but_reads_no_other_api_its_user_could(
    client: TestClient, session: Session
) -> None:
    organization, factory, member = _company(session)
    ingest_only = _bearer(session, member, ["ingest:write"])
    everything = _bearer(session, member, None)

    sent = client.post(INGEST, json=[_item(factory)], headers=ingest_only)
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == 1
    assert count_records(session, organization_id=organization.id) == 1

    assert client.get(ORGANIZATIONS, headers=everything).status_code == 200  # the user may read them
    for path in (ORGANIZATIONS, f"{ORGANIZATIONS}/{organization.id}"):
        refused = client.get(path, headers=ingest_only)
        assert refused.status_code == 403, path
        error = refused.json()["error"]
        assert error["code"] == "permission_denied"
        assert "read" in error["message"]

    me = client.get("/api/v1/me", headers=ingest_only).json()
    assert (me["scopes"], me["permissions"]) == (["ingest:write"], ["ingest.write"])


def test_a_read_token_reads_but_cannot_ingest_or_edit(client: TestClient, session: Session) -> None:
    organization, factory, member = _company(session)
    read_only = _bearer(session, member, ["read"])

    assert client.get(f"{ORGANIZATIONS}/{organization.id}", headers=read_only).status_code == 200
    refused = client.post(INGEST, json=[_item(factory)], headers=read_only)
    assert refused.status_code == 403, refused.text
    assert count_records(session, organization_id=organization.id) == 0

    edit = client.patch(f"{ORGANIZATIONS}/{organization.id}", headers=read_only, json={"employees": 7})
    assert edit.status_code == 403
    assert edit.json()["error"]["message"] == \
        "이 API 토큰에는 registry.edit_own에 필요한 사용 범위 registry:write이(가) 없습니다"


def test_tokens_are_issued_with_scopes_through_the_json_api(client: TestClient, session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    headers = {"X-CSRF-Token": sign_in(client, member)}

    issued = client.post("/api/v1/tokens", headers=headers, json={"name": "MES", "scopes": ["ingest:write"]})
    assert issued.status_code == 201, issued.text
    assert issued.json()["scopes"] == ["ingest:write"]
    everything = client.post("/api/v1/tokens", headers=headers, json={"name": "legacy client"})
    assert everything.json()["scopes"] == ["read", "ingest:write", "registry:write", "assessment:write",
                                           "support:apply"]
    listed = {t["name"]: t["scopes"] for t in client.get("/api/v1/tokens").json()}
    assert listed == {"MES": ["ingest:write"], "legacy client": everything.json()["scopes"]}

    too_much = client.post("/api/v1/tokens", headers=headers,
                           json={"name": "admin script", "scopes": ["read", "users:manage"]})
    assert too_much.status_code == 422
    [problem] = too_much.json()["error"]["problems"]
    assert problem["field"] == "scopes"
    assert "users:manage" in problem["message"]
    unknown = client.post("/api/v1/tokens", headers=headers, json={"name": "x", "scopes": ["everything"]})
    assert unknown.status_code == 422
    assert len(client.get("/api/v1/tokens").json()) == 2
