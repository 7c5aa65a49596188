"""The pool pages, driven through their real forms and links: the expert pool and profiles, the conflicts page
(add, lift, detection, business ties) and an expert's own declarations, in Korean and English."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.assessment.enums import ConflictKind, ConflictSource
from midas.assessment.models import ConflictOfInterest, Expert, ExpertAffiliation, OrganizationRelation
from midas.audit import AuditEvent
from midas.auth import Role, User
from midas.registry import Organization, format_brn
from tests.assessment.factories import make_expert
from tests.factories import csrf_from, make_organization, make_user, sign_in


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def field_error(html: str, field: str) -> str:
    """The problem shown next to a field (the macro gives it the id FIELD-error)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no problem shown next to {field}"
    return match.group(1)


def as_operator(client: TestClient, session: Session, **user: Any) -> str:
    return sign_in(client, make_user(session, Role.OPERATOR, **user))


def conflicts_of(session: Session, expert: Expert) -> list[ConflictOfInterest]:
    session.expire_all()
    return list(session.scalars(select(ConflictOfInterest).where(ConflictOfInterest.expert_id == expert.id)
                                .order_by(ConflictOfInterest.id)))


def expert_form(**overrides: str) -> dict[str, Any]:
    form: dict[str, Any] = {"name": "이도윤", "email": "doyun@example.kr", "employer": "", "employer_name": "프리랜서",
                            "region_code": "48", "ksic_divisions": ["29", "30"], "technologies": ["robotics", "iot"],
                            "years_of_experience": "20", "max_load": "6", "qualifications": "기계기술사",
                            "is_available": ["false", "true"], "user_email": ""}
    form.update(overrides)
    return form


# The pool ---------------------------------------------------------------------------------------------------


def test_the_pool_lists_searches_and_links_each_expert(client: TestClient, session: Session) -> None:
    robots = make_expert(session, name="최로봇", technologies="robotics", region_code="48")
    make_expert(session, name="정품질", technologies="quality")
    as_operator(client, session)
    page = client.get("/assessment/experts")
    assert page.status_code == 200
    assert "전문가 풀" in page.text
    assert "/static/assessment-pool.css" in page.text
    assert 'class="table-wrap"' in page.text
    filtered = client.get("/assessment/experts", params={"technology": "robotics", "region_code": "48"})
    assert f'href="/assessment/experts/{robots.id}">최로봇</a>' in filtered.text
    assert "정품질" not in filtered.text
    assert "로봇" in filtered.text  # the technology label in Korean
    partial = client.get("/assessment/experts", params={"q": "정품"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "정품질" in partial.text
    wrong = client.get("/assessment/experts", params={"technology": "telepathy"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "technology") == "알 수 없는 기술 분야입니다: telepathy"


def test_add_an_expert_through_the_form(client: TestClient, session: Session) -> None:
    token = as_operator(client, session)
    form = client.get("/assessment/experts/new")
    assert form.status_code == 200
    assert 'name="ksic_divisions" value="29"' in form.text

    before = count(session, Expert)
    refused = client.post("/assessment/experts", data=expert_form(
        csrf_token=token, name="", region_code="", max_load="200", technologies=["robotics", "xr"]))
    assert refused.status_code == 422
    assert field_error(refused.text, "name") == "필수 입력 항목입니다"
    assert field_error(refused.text, "max_load") == "0부터 50까지의 정수를 입력하십시오"
    assert field_error(refused.text, "technologies") == "알 수 없는 기술 분야입니다: xr"
    assert 'value="doyun@example.kr"' in refused.text  # what was typed stays
    assert count(session, Expert) == before

    created = client.post("/assessment/experts", data=expert_form(csrf_token=token), follow_redirects=False)
    assert created.status_code == 303
    expert = session.scalar(select(Expert).where(Expert.name == "이도윤"))
    assert expert is not None
    assert created.headers["location"] == f"/assessment/experts/{expert.id}"
    assert (expert.ksic_divisions, expert.technologies, expert.is_available, expert.max_load) == (
        "29,30", "robotics,iot", True, 6)


def test_edit_an_expert(client: TestClient, session: Session) -> None:
    expert = make_expert(session, name="한편집")
    token = as_operator(client, session)
    form = client.get(f"/assessment/experts/{expert.id}/edit")
    assert form.status_code == 200
    assert 'value="한편집"' in form.text
    employer = session.get(Organization, expert.employer_id)
    assert employer is not None
    assert f'value="{format_brn(employer.brn)}"' in form.text
    saved = client.post(f"/assessment/experts/{expert.id}/edit", follow_redirects=False, data=expert_form(
        csrf_token=token, name="한편집", employer=format_brn(employer.brn), employer_name=employer.name,
        is_available=["false"]))
    assert saved.status_code == 303, saved.text
    session.expire_all()
    changed = session.get(Expert, expert.id)
    assert changed is not None
    assert (changed.is_available, changed.region_code, changed.employer_id) == (False, "48", employer.id)
    bad = client.post(f"/assessment/experts/{expert.id}/edit", data=expert_form(csrf_token=token, email="nope"))
    assert bad.status_code == 422
    assert field_error(bad.text, "email")


def test_the_profile_adds_and_ends_affiliations(client: TestClient, session: Session) -> None:
    expert = make_expert(session, name="오이력")
    former = make_organization(session, name="(주)이전직장")
    token = as_operator(client, session)
    page = client.get(f"/assessment/experts/{expert.id}")
    assert page.status_code == 200
    assert "소속 이력" in page.text
    assert "등록된 이해충돌이 없습니다." in page.text

    refused = client.post(f"/assessment/experts/{expert.id}/affiliations", data={
        "csrf_token": token, "organization": former.id, "kind": "employee", "started_on": "2024-02-01",
        "ended_on": "2023-02-01"})
    assert refused.status_code == 422
    assert field_error(refused.text, "ended_on") == "종료일(2023-02-01)이 시작일(2024-02-01)보다 앞섭니다"
    assert count(session, ExpertAffiliation) == 0

    added = client.post(f"/assessment/experts/{expert.id}/affiliations", follow_redirects=False, data={
        "csrf_token": token, "organization": format_brn(former.brn), "kind": "consultant", "started_on": "2024-02-01"})
    assert added.status_code == 303
    kinds = [(c.organization_id, c.kind) for c in conflicts_of(session, expert)]
    assert (former.id, ConflictKind.PRIOR_CONSULTING) in kinds
    affiliation = session.scalar(select(ExpertAffiliation).where(ExpertAffiliation.expert_id == expert.id))
    assert affiliation is not None
    profile = client.get(f"/assessment/experts/{expert.id}").text
    assert "(주)이전직장" in profile
    assert "컨설턴트" in profile
    assert "컨설팅" in profile
    assert "현재 또는 최근 3년 내 동일 기관" in profile

    early = client.post(f"/assessment/affiliations/{affiliation.id}/end",
                        data={"csrf_token": token, "ended_on": "2024-01-31"})
    assert early.status_code == 422
    assert "종료일(2024-01-31)이 시작일(2024-02-01)보다 앞섭니다" in early.text
    ended = client.post(f"/assessment/affiliations/{affiliation.id}/end", follow_redirects=False,
                        data={"csrf_token": token, "ended_on": "2025-01-31"})
    assert ended.status_code == 303
    session.expire_all()
    assert session.get(ExpertAffiliation, affiliation.id).ended_on.isoformat() == "2025-01-31"  # type: ignore[union-attr]


# Conflicts for operators --------------------------------------------------------------------------------------


def test_operators_add_lift_and_detect_on_the_conflicts_page(client: TestClient, session: Session) -> None:
    expert = make_expert(session)
    company = make_organization(session, name="(주)평가대상")
    token = as_operator(client, session)
    page = client.get("/assessment/conflicts")
    assert page.status_code == 200
    assert "전체 전문가 풀 이해충돌 탐지 실행" in page.text

    detected = client.post("/assessment/conflicts/detect", data={"csrf_token": token})
    assert detected.status_code == 200  # followed to the list
    assert "탐지 완료: 1건 추가, 0건 기존 등록, 0건 해제 유지" in detected.text

    refused = client.post("/assessment/conflicts", data={"csrf_token": token, "expert_id": expert.id,
                                                         "organization": "없는기관", "reason": "짧"})
    assert refused.status_code == 422
    assert field_error(refused.text, "organization").startswith("없는기관 대신 사업자등록번호")
    assert field_error(refused.text, "reason") == "사유를 5자 이상 입력하십시오"
    assert len(conflicts_of(session, expert)) == 1

    added = client.post("/assessment/conflicts", follow_redirects=False, data={
        "csrf_token": token, "expert_id": expert.id, "organization": format_brn(company.brn),
        "reason": "제보: 대표와 친족 관계"})
    assert added.status_code == 303
    operator_conflict = conflicts_of(session, expert)[-1]
    assert (operator_conflict.source, operator_conflict.organization_id) == (ConflictSource.OPERATOR, company.id)
    listing = client.get("/assessment/conflicts", params={"source": "operator"}).text
    assert "제보: 대표와 친족 관계" in listing
    assert "운영자가 추가" in listing
    assert "(주)평가대상" in listing

    no_reason = client.post(f"/assessment/conflicts/{operator_conflict.id}/lift",
                            data={"csrf_token": token, "back": "/assessment/conflicts", "reason": ""})
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason") == "필수 입력 항목입니다"
    assert conflicts_of(session, expert)[-1].is_active is True
    lifted = client.post(f"/assessment/conflicts/{operator_conflict.id}/lift", follow_redirects=False,
                         data={"csrf_token": token, "back": "https://evil.example/", "reason": "친족 관계 아님 확인"})
    assert lifted.status_code == 303
    assert lifted.headers["location"] == f"/assessment/conflicts?expert_id={expert.id}"
    assert conflicts_of(session, expert)[-1].is_active is False
    again = client.post(f"/assessment/conflicts/{operator_conflict.id}/lift",
                        data={"csrf_token": token, "reason": "두 번째 해제 시도"})
    assert again.status_code == 409

    events = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("assessment.conflict.%"))).all()
    assert sorted(events) == ["assessment.conflict.added", "assessment.conflict.detected",
                              "assessment.conflict.lifted"]


def test_lifting_from_the_profile_returns_there(client: TestClient, session: Session) -> None:
    expert = make_expert(session)
    token = as_operator(client, session)
    client.post("/assessment/conflicts/detect", data={"csrf_token": token})
    conflict = conflicts_of(session, expert)[0]
    back = f"/assessment/experts/{expert.id}"
    refused = client.post(f"/assessment/conflicts/{conflict.id}/lift", data={"csrf_token": token, "back": back,
                                                                           "reason": "no"})
    assert refused.status_code == 422
    assert "<details class=\"lift\" open>" in refused.text
    done = client.post(f"/assessment/conflicts/{conflict.id}/lift", follow_redirects=False,
                       data={"csrf_token": token, "back": back, "reason": "퇴사 후 3년 경과"})
    assert done.headers["location"] == back


def test_record_a_business_tie_on_the_conflicts_page(client: TestClient, session: Session) -> None:
    expert = make_expert(session)
    employer = session.get(Organization, expert.employer_id)
    assert employer is not None
    competitor = make_organization(session)
    token = as_operator(client, session)
    refused = client.post("/assessment/relations", data={"csrf_token": token, "organization": employer.id,
                                                         "related_organization": employer.id, "kind": "competitor"})
    assert refused.status_code == 422
    assert field_error(refused.text, "related_organization") == "거래 관계에는 서로 다른 두 기관이 필요합니다"
    assert count(session, OrganizationRelation) == 0
    recorded = client.post("/assessment/relations", follow_redirects=False, data={
        "csrf_token": token, "organization": format_brn(employer.brn), "related_organization": competitor.brn,
        "kind": "competitor", "source": "registry", "started_on": "", "ended_on": "", "note": ""})
    assert recorded.status_code == 303
    assert (competitor.id, ConflictKind.COMPETITOR) in [(c.organization_id, c.kind) for c in conflicts_of(session,
                                                                                                         expert)]


# An expert's own conflicts ------------------------------------------------------------------------------------


def expert_user(session: Session) -> tuple[User, Expert]:
    user = make_user(session, Role.EXPERT)
    return user, make_expert(session, user=user, employer_id=None)


def test_an_expert_finds_an_organization_and_declares(client: TestClient, session: Session) -> None:
    user, expert = expert_user(session)
    company = make_organization(session, name="(주)가온정밀")
    sign_in(client, user)
    page = client.get("/assessment/my/conflicts")
    assert page.status_code == 200
    assert "등록된 이해충돌이 없습니다." in page.text
    found = client.get("/assessment/my/conflicts", params={"q": "가온정밀"})
    link = f'/assessment/my/conflicts?organization={company.brn}#declare-form'
    assert link in found.text
    chosen = client.get(link.split("#")[0])
    assert f'value="{company.brn}"' in chosen.text
    token = csrf_from(chosen.text)

    refused = client.post("/assessment/my/conflicts", data={"csrf_token": token, "organization": company.brn,
                                                            "reason": ""})
    assert refused.status_code == 422
    assert field_error(refused.text, "reason") == "필수 입력 항목입니다"
    assert conflicts_of(session, expert) == []
    declared = client.post("/assessment/my/conflicts", data={"csrf_token": token, "organization": company.brn,
                                                             "reason": "2024년까지 MES 자문 수행"})
    assert declared.status_code == 200
    assert "신고가 등록되었습니다." in declared.text
    assert "2024년까지 MES 자문 수행" in declared.text
    assert [(c.kind, c.organization_id) for c in conflicts_of(session, expert)] == [(ConflictKind.DECLARED,
                                                                                      company.id)]
    twice = client.post("/assessment/my/conflicts", data={"csrf_token": token, "organization": company.id,
                                                          "reason": "한 번 더 신고"})
    assert twice.status_code == 422
    assert field_error(twice.text, "organization").startswith("이미 등록된 이해충돌입니다")


def test_the_declaration_page_in_english(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.EXPERT, locale="en")
    make_expert(session, user=user)
    sign_in(client, user)
    page = client.get("/assessment/my/conflicts")
    assert page.status_code == 200
    assert "My conflicts of interest" in page.text
    assert "Declare a conflict" in page.text
    assert '<html lang="en">' in page.text


def test_pages_refuse_who_may_not_see_them(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.EXPERT))
    no_profile = client.get("/assessment/my/conflicts")
    assert no_profile.status_code == 403
    assert "전문가 프로필과 연결되어 있지 않습니다" in no_profile.text
    assert client.get("/assessment/conflicts").status_code == 403

    client.cookies.clear()
    token = sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    for path in ("/assessment/experts", "/assessment/experts/new", "/assessment/conflicts", "/assessment/my/conflicts"):
        assert client.get(path).status_code == 403, path
    assert client.post("/assessment/conflicts/detect", data={"csrf_token": token}).status_code == 403
    assert client.post("/assessment/experts", data=expert_form(csrf_token=token)).status_code == 403
    assert count(session, ConflictOfInterest) == 0
    assert count(session, Expert) == 0


def test_forms_without_the_csrf_token_are_refused(client: TestClient, session: Session) -> None:
    as_operator(client, session)
    before = count(session, Expert)
    assert client.post("/assessment/experts", data=expert_form()).status_code == 403
    assert count(session, Expert) == before


def test_pages_with_several_forms_never_repeat_an_id(client: TestClient, session: Session) -> None:
    expert = make_expert(session)
    token = as_operator(client, session)
    client.post("/assessment/conflicts/detect", data={"csrf_token": token})
    for path in (f"/assessment/experts/{expert.id}", "/assessment/conflicts", f"/assessment/experts/{expert.id}/edit"):
        html = client.get(path).text
        ids = re.findall(r'\sid="([^"]+)"', html)
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert repeated == [], f"{path} repeats {repeated}"
        labelled = re.findall(r'<label for="([^"]+)"', html)
        assert set(labelled) <= set(ids), f"{path}: labels for missing inputs {set(labelled) - set(ids)}"
