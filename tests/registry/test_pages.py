"""The registry's pages, driven through their real forms and links."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Role
from midas.registry import Contact, Factory, Organization
from midas.registry.reference import format_brn
from tests.factories import (
    csrf_from,
    factory_fields,
    make_factory,
    make_organization,
    make_user,
    next_brn,
    organization_fields,
    sign_in,
)

LIST = "/registry/organizations"


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def reloaded(session: Session, organization: Organization) -> Organization:
    session.expire_all()
    current = session.get(Organization, organization.id)
    assert current is not None
    return current


def field_error(html: str, field: str) -> str:
    """The problem shown next to a field (the macro gives it the id FIELD-error)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no problem shown next to {field}"
    return match.group(1)


def input_value(html: str, field: str) -> str:
    match = re.search(rf'<input id="f-{field}" name="{field}" type="[a-z]+" value="([^"]*)"', html)
    assert match, f"no input {field}"
    return match.group(1)


def result_names(html: str) -> list[str]:
    return re.findall(r'<a href="/registry/organizations/\d+">([^<]+)</a>', html)


# The list ------------------------------------------------------------------------------------------------


def test_the_list_searches_by_name_and_brn(client: TestClient, session: Session) -> None:
    gaon = make_organization(session, name="(주)가온테크", name_en="Gaon Tech")
    make_organization(session, name="나래산업", name_en="Narae Industries")
    sign_in(client, make_user(session, Role.EXPERT))

    everything = client.get(LIST)
    assert everything.status_code == 200
    assert result_names(everything.text) == ["(주)가온테크", "나래산업"]
    assert "검색된 기관: 2개" in everything.text
    assert '<label for="f-q">기관명 또는 사업자등록번호로 검색</label>' in everything.text
    assert format_brn(gaon.brn) in everything.text
    assert "중소기업" in everything.text
    assert "경기도" in everything.text
    assert result_names(client.get(LIST, params={"q": "가온"}).text) == ["(주)가온테크"]
    assert result_names(client.get(LIST, params={"q": "narae"}).text) == ["나래산업"]
    assert result_names(client.get(LIST, params={"q": format_brn(gaon.brn)}).text) == ["(주)가온테크"]
    assert "검색 조건에 맞는 기관이 없습니다" in client.get(LIST, params={"q": "다온"}).text


def test_filters_are_kept_in_the_page_links(client: TestClient, session: Session) -> None:
    for n in range(3):
        make_organization(session, name=f"부산정밀{n}", region_code="26")
    make_organization(session, name="서울로봇", region_code="11")
    sign_in(client, make_user(session, Role.OPERATOR))

    first = client.get(LIST, params={"region_code": "26", "page_size": "2"})
    assert result_names(first.text) == ["부산정밀0", "부산정밀1"]
    assert '<option value="26" selected>부산광역시</option>' in first.text
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert next_link
    href = next_link.group(1).replace("&amp;", "&")
    assert "region_code=26" in href
    assert "page=2" in href
    assert result_names(client.get(href).text) == ["부산정밀2"]


def test_a_bad_filter_is_shown_next_to_its_select(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.EXPERT))
    response = client.get(LIST, params={"region_code": "99"})
    assert response.status_code == 422
    assert field_error(response.text, "region_code") == "알 수 없는 지역입니다: 99"


def test_htmx_gets_only_the_results(client: TestClient, session: Session) -> None:
    make_organization(session, name="(주)가온테크")
    make_organization(session, name="나래산업")
    sign_in(client, make_user(session, Role.EXPERT))

    partial = client.get(LIST, params={"q": "가온"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert result_names(partial.text) == ["(주)가온테크"]
    assert "HX-Request" in partial.headers["Vary"]
    restored = client.get(LIST, params={"q": "가온"},
                          headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.text
    page = client.get(LIST)
    assert 'hx-get="/registry/organizations"' in page.text
    assert 'hx-push-url="true"' in page.text


def test_the_list_speaks_english_to_an_english_speaker(client: TestClient, session: Session) -> None:
    make_organization(session, region_code="26")
    sign_in(client, make_user(session, Role.EXPERT, locale="en"))
    page = client.get(LIST).text
    assert "Search by name or business registration number" in page
    assert "Busan" in page
    assert "Organizations found: 1" in page
    assert "SME" in page


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get(LIST, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# One organization ----------------------------------------------------------------------------------------


def test_the_organization_page_shows_facts_factories_contacts_and_history(client: TestClient, session: Session) -> None:
    organization = make_organization(session, name="(주)가온테크", annual_revenue_krw=8_500_000_000)
    make_factory(session, organization, name="화성공장")
    sign_in(client, make_user(session, Role.OPERATOR))
    token = csrf_from(client.get(f"{LIST}/{organization.id}").text)
    client.post(f"{LIST}/{organization.id}/contacts",
                data={"name": "김하늘", "role": "dx_manager", "email": "sky@hanbit.co.kr", "csrf_token": token})

    page = client.get(f"{LIST}/{organization.id}")
    assert page.status_code == 200
    assert '<dl class="facts">' in page.text
    assert format_brn(organization.brn) in page.text
    assert "85억 원" in page.text
    assert "화성공장" in page.text
    assert "김하늘" in page.text
    assert "디지털 전환(DX) 담당자" in page.text
    assert "organization.create" in page.text  # the operator reads the audit log
    assert f'action="/registry/organizations/{organization.id}/deactivate"' in page.text
    assert f'href="/registry/organizations/{organization.id}/edit"' in page.text


def test_an_expert_sees_the_organization_without_actions_or_history(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    sign_in(client, make_user(session, Role.EXPERT))
    page = client.get(f"{LIST}/{organization.id}")
    assert page.status_code == 200
    assert organization.name in page.text
    assert "/edit" not in page.text
    assert "/deactivate" not in page.text
    assert "organization.create" not in page.text


def test_an_unknown_organization_is_not_found(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.EXPERT))
    response = client.get(f"{LIST}/987654")
    assert response.status_code == 404
    assert "ID 987654에 해당하는 기관이 없습니다" in response.text


# Registering and editing ---------------------------------------------------------------------------------


def test_an_operator_registers_an_organization_through_the_form(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    form = client.get(f"{LIST}/new")
    assert form.status_code == 200
    brn = next_brn()
    response = client.post(LIST, data={**organization_fields(brn=format_brn(brn), name="(주)새빛"),
                                       "csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert response.status_code == 303
    saved = session.scalar(select(Organization).where(Organization.brn == brn))
    assert saved is not None
    assert response.headers["location"] == f"{LIST}/{saved.id}"
    assert "(주)새빛" in client.get(response.headers["location"]).text


def test_a_form_with_problems_is_shown_again_with_the_values_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    token = csrf_from(client.get(f"{LIST}/new").text)
    brn = next_brn()
    wrong = format_brn(brn[:9] + str((int(brn[9]) + 1) % 10))
    response = client.post(LIST, data={**organization_fields(brn=wrong, name="(주)새빛", employees="-5"),
                                       "csrf_token": token})
    assert response.status_code == 422
    assert field_error(response.text, "brn") == f"사업자등록번호 {wrong}의 검증번호가 올바르지 않습니다"
    assert field_error(response.text, "employees") == "0 이상이어야 합니다"
    assert 'aria-invalid="true" aria-describedby="brn-error"' in response.text
    assert input_value(response.text, "name") == "(주)새빛"
    assert input_value(response.text, "brn") == wrong
    assert count(session, Organization) == 0


def test_an_operator_edits_an_organization(client: TestClient, session: Session) -> None:
    organization = make_organization(session, employees=42)
    sign_in(client, make_user(session, Role.OPERATOR))
    form = client.get(f"{LIST}/{organization.id}/edit")
    assert form.status_code == 200
    assert input_value(form.text, "brn") == format_brn(organization.brn)
    fields = {**organization_fields(brn=organization.brn, name=organization.name, employees="57"),
              "reason": "고용 변동", "csrf_token": csrf_from(form.text)}
    response = client.post(f"{LIST}/{organization.id}/edit", data=fields, follow_redirects=False)
    assert response.status_code == 303
    assert reloaded(session, organization).employees == 57
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "organization.update"))
    assert event is not None
    assert event.reason == "고용 변동"


def test_a_company_member_edits_their_own_organization_but_not_its_brn(client: TestClient, session: Session) -> None:
    organization = make_organization(session, employees=42)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    sign_in(client, member)
    my = client.get("/registry/my", follow_redirects=False)
    assert my.headers["location"] == f"{LIST}/{organization.id}"
    form = client.get(f"{LIST}/{organization.id}/edit")
    assert form.status_code == 200
    assert 'name="brn"' not in form.text
    fields = {key: value for key, value in organization_fields(name=organization.name, employees="44").items()
              if key != "brn"}
    response = client.post(f"{LIST}/{organization.id}/edit", data={**fields, "csrf_token": csrf_from(form.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert reloaded(session, organization).employees == 44

    refused = client.post(f"{LIST}/{organization.id}/edit",
                          data={**fields, "brn": next_brn(), "csrf_token": csrf_from(form.text)})
    assert refused.status_code == 422
    assert field_error(refused.text, "brn") == "사업자등록번호는 사업 운영기관만 변경할 수 있습니다"


def test_a_company_member_cannot_edit_another_organization(client: TestClient, session: Session) -> None:
    other = make_organization(session, employees=42)
    member = make_user(session, Role.COMPANY_MEMBER)
    token = sign_in(client, member)
    assert client.get(f"{LIST}/{other.id}/edit").status_code == 403
    response = client.post(f"{LIST}/{other.id}/edit", data={"employees": "1", "csrf_token": token})
    assert response.status_code == 403
    assert client.get(f"{LIST}/new").status_code == 403
    assert reloaded(session, other).employees == 42


def test_a_form_without_the_csrf_token_changes_nothing(client: TestClient, session: Session) -> None:
    organization = make_organization(session, employees=42)
    sign_in(client, make_user(session, Role.OPERATOR))
    edit = client.post(f"{LIST}/{organization.id}/edit", data={"employees": "99"})
    deactivate = client.post(f"{LIST}/{organization.id}/deactivate", data={"reason": "폐업"})
    create = client.post(LIST, data=organization_fields())
    assert (edit.status_code, deactivate.status_code, create.status_code) == (403, 403, 403)
    current = reloaded(session, organization)
    assert (current.employees, current.is_active) == (42, True)
    assert count(session, Organization) == 1


# Deactivating --------------------------------------------------------------------------------------------


def test_an_operator_deactivates_with_a_reason_and_reactivates(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    token = sign_in(client, make_user(session, Role.OPERATOR))

    missing_reason = client.post(f"{LIST}/{organization.id}/deactivate", data={"reason": " ", "csrf_token": token})
    assert missing_reason.status_code == 422
    assert field_error(missing_reason.text, "reason") == "사유를 입력하십시오"
    assert reloaded(session, organization).is_active

    done = client.post(f"{LIST}/{organization.id}/deactivate", data={"reason": "폐업 신고", "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    assert not reloaded(session, organization).is_active
    page = client.get(f"{LIST}/{organization.id}").text
    assert "비활성" in page
    assert "폐업 신고" in page  # the reason shows in the history
    assert result_names(client.get(LIST).text) == []
    assert result_names(client.get(LIST, params={"include_inactive": "true"}).text) == [organization.name]

    client.post(f"{LIST}/{organization.id}/reactivate", data={"reason": "폐업 취소", "csrf_token": token})
    assert reloaded(session, organization).is_active


def test_a_company_member_may_not_deactivate(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    token = sign_in(client, make_user(session, Role.COMPANY_MEMBER, organization=organization))
    assert f'action="{LIST}/{organization.id}/deactivate"' not in client.get(f"{LIST}/{organization.id}").text
    response = client.post(f"{LIST}/{organization.id}/deactivate", data={"reason": "폐업", "csrf_token": token})
    assert response.status_code == 403
    assert reloaded(session, organization).is_active


# Factories and contacts ----------------------------------------------------------------------------------


def test_factories_are_added_edited_and_deactivated_through_forms(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    sign_in(client, make_user(session, Role.COMPANY_MEMBER, organization=organization))
    form = client.get(f"{LIST}/{organization.id}/factories/new")
    assert form.status_code == 200
    token = csrf_from(form.text)

    bad = client.post(f"{LIST}/{organization.id}/factories",
                      data={**factory_fields(production_lines="셋"), "csrf_token": token})
    assert bad.status_code == 422
    assert field_error(bad.text, "production_lines") == "정수를 입력하십시오 (입력값: 셋)"
    assert count(session, Factory) == 0

    client.post(f"{LIST}/{organization.id}/factories", data={**factory_fields(name="화성공장"), "csrf_token": token})
    factory = session.scalar(select(Factory).where(Factory.organization_id == organization.id))
    assert factory is not None
    edit = client.get(f"/registry/factories/{factory.id}/edit")
    assert input_value(edit.text, "name") == "화성공장"
    client.post(f"/registry/factories/{factory.id}/edit",
                data={**factory_fields(name="화성 제2공장"), "csrf_token": token})
    client.post(f"/registry/factories/{factory.id}/deactivate", data={"csrf_token": token})
    session.expire_all()
    changed = session.get(Factory, factory.id)
    assert changed is not None
    assert (changed.name, changed.is_active) == ("화성 제2공장", False)


def test_contacts_are_added_and_removed_through_forms(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    form = client.get(f"{LIST}/{organization.id}/contacts/new")
    token = csrf_from(form.text)
    bad = client.post(f"{LIST}/{organization.id}/contacts",
                      data={"name": "김하늘", "role": "dx_manager", "email": "sky", "csrf_token": token})
    assert bad.status_code == 422
    assert field_error(bad.text, "email") == "올바른 이메일 주소를 입력하십시오"
    assert input_value(bad.text, "name") == "김하늘"
    assert count(session, Contact) == 0

    client.post(f"{LIST}/{organization.id}/contacts",
                data={"name": "김하늘", "role": "dx_manager", "email": "sky@hanbit.co.kr", "csrf_token": token})
    contact = session.scalar(select(Contact))
    assert contact is not None
    client.post(f"/registry/contacts/{contact.id}/deactivate", data={"csrf_token": token})
    session.expire_all()
    assert not session.get(Contact, contact.id).is_active  # type: ignore[union-attr]
    assert "김하늘" not in client.get(f"{LIST}/{organization.id}").text


def test_someone_without_an_organization_has_no_my_page(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get("/registry/my")
    assert response.status_code == 404
    assert "소속 기관이 없습니다" in response.text
