"""The registry's JSON API, called as a browser session (with the CSRF header) or as a bearer-token client."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Actor, Role, actor_for, issue_api_token, revoke_api_token
from midas.registry import Organization
from midas.registry.reference import format_brn
from tests.factories import (
    factory_fields,
    make_organization,
    make_user,
    next_brn,
    organization_fields,
    sign_in,
)

API = "/api/v1/registry"


def signed_in(client: TestClient, session: Session, role: Role = Role.OPERATOR, **user: Any) -> dict[str, str]:
    """Sign in through the form; the headers a browser's fetch would send with its session cookie."""
    return {"X-CSRF-Token": sign_in(client, make_user(session, role, **user))}


def bearer(session: Session, organization: Organization) -> tuple[dict[str, str], Actor, int]:
    """A member's token, as their MES would send it; with the member (who may revoke it) and its id."""
    member = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=organization))
    token, secret = issue_api_token(session, actor=member, name="MES 연동")
    session.flush()
    return {"Authorization": f"Bearer {secret}"}, member, token.id


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_organization_round_trip(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    brn = next_brn()
    created = client.post(f"{API}/organizations", headers=headers, json=organization_fields(
        brn=format_brn(brn), name="(주)가온테크", name_en="Gaon Tech", employees=42, ksic_code=29, region_code=41))
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["brn"], body["brn_formatted"]) == (brn, format_brn(brn))
    assert body["region"] == {"code": "41", "name_ko": "경기도", "name_en": "Gyeonggi-do"}
    assert body["ksic_division"]["code"] == "29"
    assert body["ksic_division"]["name_ko"] == "기타 기계 및 장비 제조업"
    organization_id = body["id"]

    assert client.get(f"{API}/organizations/{organization_id}").json() == body
    changed = client.patch(f"{API}/organizations/{organization_id}", headers=headers,
                           json={"employees": "1,050", "kind": "midsize", "reason": "2025년 결산"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["employees"], changed.json()["kind"], changed.json()["name"]) == (1050, "midsize",
                                                                                              "(주)가온테크")
    update_event = session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.update"))
    assert update_event is not None
    assert update_event.reason == "2025년 결산"

    deactivated = client.post(f"{API}/organizations/{organization_id}/deactivate", headers=headers,
                              json={"reason": "폐업 신고"})
    assert deactivated.json()["is_active"] is False
    assert client.get(f"{API}/organizations").json()["total"] == 0
    reactivated = client.post(f"{API}/organizations/{organization_id}/reactivate", headers=headers,
                              json={"reason": "폐업 취소"})
    assert reactivated.json()["is_active"] is True


def test_factories_and_contacts_round_trip(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    headers = signed_in(client, session)
    assert client.get(f"{API}/organizations/{organization.id}/factories").json() == []
    created = client.post(f"{API}/organizations/{organization.id}/factories", headers=headers,
                          json=factory_fields(production_lines=5, region_code=41))
    assert created.status_code == 201, created.text
    factory = created.json()
    assert factory["main_processes"] == ["가공", "조립", "검사"]
    assert factory["region"]["name_en"] == "Gyeonggi-do"
    changed = client.patch(f"{API}/factories/{factory['id']}", headers=headers, json={"name": "제2공장"})
    assert (changed.json()["name"], changed.json()["production_lines"]) == ("제2공장", 5)
    assert client.get(f"{API}/factories/{factory['id']}").json()["name"] == "제2공장"
    gone = client.post(f"{API}/factories/{factory['id']}/deactivate", headers=headers, json={"reason": "이전"})
    assert gone.json()["is_active"] is False

    contact = client.post(f"{API}/organizations/{organization.id}/contacts", headers=headers,
                          json={"name": "김하늘", "role": "dx_manager", "email": "sky@hanbit.co.kr"})
    assert contact.status_code == 201, contact.text
    listed = client.get(f"{API}/organizations/{organization.id}/contacts").json()
    assert [c["name"] for c in listed] == ["김하늘"]
    client.post(f"{API}/contacts/{contact.json()['id']}/deactivate", headers=headers)
    assert client.get(f"{API}/organizations/{organization.id}/contacts").json() == []


def test_search_by_korean_name_ignores_the_legal_form(client: TestClient, session: Session) -> None:
    gaon = make_organization(session, name="(주)가온테크", name_en="Gaon Tech Co., Ltd.")
    gaon_precision = make_organization(session, name="가온정밀 주식회사", name_en="Gaon Precision")
    make_organization(session, name="나래산업", name_en="Narae Industries")
    signed_in(client, session, Role.EXPERT)

    def names(q: str) -> list[str]:
        response = client.get(f"{API}/organizations", params={"q": q})
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert names("가온") == names("(주)가온") == names("㈜ 가온") == [gaon_precision.name, gaon.name]
    assert names("gaon t") == names("GAON TECH") == [gaon.name]
    assert gaon.name in names(format_brn(gaon.brn)[:6])
    # Six digits tell the factories' numbers apart (they are 7,919 apart).
    assert names(format_brn(gaon.brn)[:8]) == names(gaon.brn[:6]) == [gaon.name]


def test_filters_and_pages(client: TestClient, session: Session) -> None:
    for n in range(5):
        make_organization(session, name=f"부산정밀{n}", region_code="26", employees=10 + n)
    make_organization(session, name="서울로봇", region_code="11", kind="large_enterprise", employees=800,
                      ksic_code="28")
    signed_in(client, session, Role.AUDITOR)

    busan = client.get(f"{API}/organizations", params={"region_code": "26", "page_size": 2, "page": 3}).json()
    assert (busan["total"], busan["pages"], busan["page"], busan["page_size"]) == (5, 3, 3, 2)
    assert [o["name"] for o in busan["items"]] == ["부산정밀4"]
    by_name = client.get(f"{API}/organizations", params={"region_code": "부산광역시"}).json()
    assert by_name["total"] == 5

    def total(**params: Any) -> int:
        response = client.get(f"{API}/organizations", params=params)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    assert total(kind="large_enterprise") == 1
    assert total(size="large") == 1
    assert total(size="small") == 5
    assert total(ksic_code="C28") == 1
    assert total(region_code="26", kind="large_enterprise") == 0


def test_invalid_input_answers_in_korean_by_default_and_changes_nothing(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    response = client.post(f"{API}/organizations", headers=headers,
                           json=organization_fields(brn="123-45-6789", name="", employees=12.5))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"] == "입력에 문제가 3건 있습니다"
    problems = {p["field"]: p["message"] for p in error["problems"]}
    assert problems == {
        "brn": "사업자등록번호는 숫자 10자리입니다 (입력값: 123-45-6789)",
        "name": "필수 입력 항목입니다",
        "employees": "정수를 입력하십시오 (입력값: 12.5)",
    }
    assert count(session, Organization) == 0


def test_invalid_input_answers_in_english_for_an_english_speaker(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session, locale="en")
    brn = next_brn()
    wrong = brn[:9] + str((int(brn[9]) + 1) % 10)
    response = client.post(f"{API}/organizations", headers=headers,
                           json=organization_fields(brn=wrong, region_code="Atlantis"))
    assert response.status_code == 422
    problems = {p["field"]: p["message"] for p in response.json()["error"]["problems"]}
    assert problems == {"brn": f"The check digit of business registration number {wrong} is wrong",
                        "region_code": "Unknown region Atlantis"}


def test_a_bad_filter_is_named(client: TestClient, session: Session) -> None:
    signed_in(client, session, Role.EXPERT)
    response = client.get(f"{API}/organizations", params={"region_code": "99"})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["error"]["problems"]] == ["region_code"]
    assert client.get(f"{API}/organizations", params={"kind": "pirate"}).status_code == 422


def test_an_unknown_field_is_refused(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    headers = signed_in(client, session)
    response = client.patch(f"{API}/organizations/{organization.id}", headers=headers, json={"nickname": "가온"})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["error"]["problems"]] == ["nickname"]


def test_a_duplicate_brn_is_refused(client: TestClient, session: Session) -> None:
    existing = make_organization(session)
    headers = signed_in(client, session)
    response = client.post(f"{API}/organizations", headers=headers, json=organization_fields(brn=existing.brn))
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["field"] == "brn"
    assert count(session, Organization) == 1


def test_a_session_call_without_the_csrf_header_changes_nothing(client: TestClient, session: Session) -> None:
    signed_in(client, session)
    response = client.post(f"{API}/organizations", json=organization_fields())
    assert response.status_code == 403
    assert count(session, Organization) == 0


def test_an_anonymous_caller_must_sign_in(client: TestClient, session: Session) -> None:
    make_organization(session)
    response = client.get(f"{API}/organizations")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", [Role.EXPERT, Role.AUDITOR, Role.COMPANY_MEMBER])
def test_who_may_not_register_is_refused(client: TestClient, session: Session, role: Role) -> None:
    headers = signed_in(client, session, role)
    response = client.post(f"{API}/organizations", headers=headers, json=organization_fields())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert count(session, Organization) == (1 if role is Role.COMPANY_MEMBER else 0)  # the member's own


def test_a_company_token_edits_its_own_organization_only_until_revoked(client: TestClient, session: Session) -> None:
    own, other = make_organization(session, employees=42), make_organization(session, employees=42)
    headers, member, token_id = bearer(session, own)

    allowed = client.patch(f"{API}/organizations/{own.id}", headers=headers, json={"employees": 45})
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["employees"] == 45
    denied = client.patch(f"{API}/organizations/{other.id}", headers=headers, json={"employees": 99})
    assert denied.status_code == 403
    brn_change = client.patch(f"{API}/organizations/{own.id}", headers=headers, json={"brn": next_brn()})
    assert brn_change.status_code == 422
    session.expire_all()
    assert (own.employees, other.employees) == (45, 42)

    revoke_api_token(session, actor=member, token_id=token_id)
    session.flush()
    refused = client.patch(f"{API}/organizations/{own.id}", headers=headers, json={"employees": 50})
    assert refused.status_code == 401
    session.expire_all()
    assert own.employees == 45


def test_reference_codes_are_public(client: TestClient) -> None:
    regions = client.get(f"{API}/reference/regions").json()
    divisions = client.get(f"{API}/reference/ksic-divisions").json()
    kinds = client.get(f"{API}/reference/organization-kinds").json()
    assert len(regions) == 17
    assert {"code": "11", "name_ko": "서울특별시", "name_en": "Seoul"} in regions
    assert [d["code"] for d in divisions] == [str(code) for code in range(10, 35)]
    assert {"code": "sme", "name_ko": "중소기업", "name_en": "SME"} in kinds
