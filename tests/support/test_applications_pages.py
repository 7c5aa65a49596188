"""The applications pages: the company's overview and apply flow, the plan form with its problems in place, the
status page (steps, missing parts, eligibility checks, decision and appeal link), and the operators' pages, in
Korean and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.registry import Organization
from midas.support.enums import ApplicationStatus, DecisionOutcome, RoundStatus
from midas.support.models import SupportApplication, SupportDecision
from tests.factories import make_factory, make_organization, make_user, sign_in
from tests.support.factories import make_application, make_round, make_track
from tests.support.factories_applications import FULL_KPIS, final_assessment


def as_company(client: TestClient, session: Session, organization: Organization, locale: str = "ko") -> str:
    client.cookies.clear()
    return sign_in(client, make_user(session, Role.COMPANY_MEMBER, organization=organization, locale=locale))


def as_operator(client: TestClient, session: Session, locale: str = "ko") -> str:
    client.cookies.clear()
    return sign_in(client, make_user(session, Role.OPERATOR, locale=locale))


def test_the_company_sees_open_tracks_and_applies(client: TestClient, session: Session) -> None:
    track = make_track(session, cap_krw=150_000_000)
    organization = make_organization(session)
    factory = make_factory(session, organization, name="화성 제1공장")
    token = as_company(client, session, organization)
    overview = client.get("/support/my")
    assert overview.status_code == 200
    assert "공모 중인 사업" in overview.text
    assert "1억 5,000만 원" in overview.text
    assert f"/support/applications/new?round={track.round_id}&amp;track={track.id}" in overview.text
    form = client.get("/support/applications/new", params={"round": track.round_id, "track": track.id})
    assert "화성 제1공장" in form.text
    refused = client.post("/support/applications", data={"csrf_token": token, "round_id": str(track.round_id),
                                                          "track": str(track.id), "factory_id": str(factory.id),
                                                          "title": "", "scope": "mes"})
    assert refused.status_code == 422
    assert "신청 과제명을 입력하세요" in refused.text
    started = client.post("/support/applications", data={
        "csrf_token": token, "round_id": str(track.round_id), "track": str(track.id), "factory_id": str(factory.id),
        "title": "MES 도입", "scope": "mes"}, follow_redirects=False)
    assert started.status_code == 303, started.text
    application = session.scalar(select(SupportApplication).where(SupportApplication.organization_id ==
                                                                  organization.id))
    assert application is not None
    assert started.headers["location"] == f"/support/applications/{application.id}/edit"


def _plan_form(token: str) -> dict[str, str]:
    data = {"csrf_token": token, "title": "MES 도입", "goals": "불량률을 절반으로",
            "plan.suppliers[0].name": "(주)스마트솔루션", "plan.suppliers[0].solution": "MES",
            "plan.budget_lines[0].item": "MES", "plan.budget_lines[0].amount_krw": "120,000,000",
            "plan.budget_lines[1].item": "연동", "plan.budget_lines[1].amount_krw": "40,000,000",
            "plan.schedule[0].title": "착수", "plan.schedule[0].due_on": "2027-03-02",
            "government_krw": "80,000,000", "company_krw": "80,000,000", "then": "review"}
    for kind, entry in FULL_KPIS.items():
        for name, value in entry.items():
            data[f"plan.target_kpis.{kind}.{name}"] = str(value)
    return data


def test_the_plan_form_saves_shows_problems_in_place_and_submits(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    track = make_track(session)
    application = make_application(session, track, organization, status=ApplicationStatus.DRAFT, submitted_at=None,
                                   plan={}, total_cost_krw=0, government_krw=0, company_krw=0)
    token = as_company(client, session, organization)
    status = client.get(f"/support/applications/{application.id}")
    assert "plan.target_kpis.quality.target" in status.text
    assert "품질 KPI의 target" not in status.text  # the message reads in Korean, not with the code names
    assert "제출 전 확인" in status.text
    edit = client.get(f"/support/applications/{application.id}/edit")
    assert edit.status_code == 200
    assert 'name="plan.budget_lines[0].amount_krw"' in edit.text
    assert 'hx-post="/support/applications/' in edit.text
    data = _plan_form(token)
    data["plan.budget_lines[1].amount_krw"] = "사천만"
    refused = client.post(f"/support/applications/{application.id}/edit", data=data)
    assert refused.status_code == 422
    assert 'id="plan.budget_lines[1].amount_krw-error"' in refused.text
    assert 'value="사천만"' in refused.text
    saved = client.post(f"/support/applications/{application.id}/edit", data=_plan_form(token),
                        follow_redirects=False)
    assert saved.status_code == 303
    total = client.post(f"/support/applications/{application.id}/total",
                        data={"plan.budget_lines[0].amount_krw": "1,000", "plan.budget_lines[1].amount_krw": "5"},
                        headers={"X-CSRF-Token": token})
    assert total.text == "1,005"
    ready = client.get(f"/support/applications/{application.id}")
    assert "제출할 수 있습니다" in ready.text
    submitted = client.post(f"/support/applications/{application.id}/submit", data={"csrf_token": token},
                            follow_redirects=False)
    assert submitted.status_code == 303
    session.refresh(application)
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.total_cost_krw == 160_000_000


def test_an_application_over_the_cap_shows_the_reason(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    track = make_track(session, cap_krw=50_000_000)
    application = make_application(session, track, organization, status=ApplicationStatus.DRAFT, submitted_at=None)
    application.plan = {**application.plan, "target_kpis": FULL_KPIS}
    session.flush()
    token = as_company(client, session, organization, locale="en")
    refused = client.post(f"/support/applications/{application.id}/submit", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "over the track&#39;s cap of 50,000,000 KRW" in refused.text
    session.refresh(application)
    assert application.status is ApplicationStatus.DRAFT


def test_attachments_through_the_page(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    application = make_application(session, make_track(session), organization, status=ApplicationStatus.DRAFT)
    token = as_company(client, session, organization)
    uploaded = client.post(f"/support/applications/{application.id}/attachments",
                           data={"csrf_token": token, "title": "견적서"},
                           files={"file": ("quote.xlsx", b"PK\x03\x04", "application/octet-stream")},
                           follow_redirects=False)
    assert uploaded.status_code == 303, uploaded.text
    page = client.get(f"/support/applications/{application.id}/edit")
    assert "견적서" in page.text
    too_many = client.post(f"/support/applications/{application.id}/attachments",
                           data={"csrf_token": token}, files={"file": ("a.txt", b"x", "text/plain")})
    assert too_many.status_code == 422
    assert "a.txt" in too_many.text


def test_the_status_page_shows_checks_and_the_decision_with_an_appeal_link(client: TestClient,
                                                                          session: Session) -> None:
    organization = make_organization(session)
    application = make_application(session, make_track(session), organization, status=ApplicationStatus.REJECTED,
                                   eligibility_passed=False, eligibility_at=datetime.now(UTC), eligibility_checks=[
                                       {"rule": "level_in_range", "label": "Assessed level between {min} and {max}",
                                        "params": {"min": 1, "max": 2}, "seen": "none", "passed": False}])
    decision = SupportDecision(application_id=application.id, outcome=DecisionOutcome.REJECTED,
                               reasons=[{"message": "Not funded", "params": {}}], decided_by_label="operator",
                               appeal_deadline=datetime.now(UTC) + timedelta(days=14))
    session.add(decision)
    session.flush()
    as_company(client, session, organization)
    page = client.get(f"/support/applications/{application.id}")
    assert page.status_code == 200
    assert "적격성" in page.text
    assert "없음" in page.text
    assert f"/support/decisions/{decision.id}/appeal" in page.text
    assert 'aria-current="step"' in page.text
    as_company(client, session, organization, locale="en")
    english = client.get(f"/support/applications/{application.id}")
    assert "Value seen" in english.text
    assert "Appeal" in english.text


def test_a_company_member_cannot_open_another_companys_application(client: TestClient, session: Session) -> None:
    application = make_application(session, make_track(session))
    as_company(client, session, make_organization(session))
    assert client.get(f"/support/applications/{application.id}").status_code == 404
    assert client.get(f"/support/applications/{application.id}/edit").status_code == 404


def test_operators_list_applications_and_run_eligibility(client: TestClient, session: Session) -> None:
    now = datetime.now(UTC)
    support_round = make_round(session, status=RoundStatus.CLOSED, call_opens_at=now - timedelta(days=30),
                               call_closes_at=now - timedelta(days=1))
    track = make_track(session, support_round)
    organization = make_organization(session, name="(주)적격정밀")
    make_application(session, track, organization, assessment_id=final_assessment(session, organization, 1).id)
    make_application(session, track, make_organization(session, name="(주)미평가"))
    token = as_operator(client, session)
    listed = client.get("/support/applications", params={"round": support_round.id})
    assert "(주)적격정밀" in listed.text
    assert "2건" in listed.text
    empty = client.get(f"/support/rounds/{support_round.id}/eligibility")
    assert "평가 실행" in empty.text
    ran = client.post(f"/support/rounds/{support_round.id}/eligibility", data={"csrf_token": token},
                      follow_redirects=False)
    assert ran.status_code == 303
    results = client.get(f"/support/rounds/{support_round.id}/eligibility")
    assert "규칙별 부적격" in results.text
    assert 'class="chart"' in results.text
    assert "평가 등급" in results.text
    failing = client.get(f"/support/rounds/{support_round.id}/eligibility", params={"passed": "0"})
    assert "(주)미평가" in failing.text
    assert "(주)적격정밀" not in failing.text
    as_operator(client, session, locale="en")
    english = client.get(f"/support/rounds/{support_round.id}/eligibility")
    assert "Failures by rule" in english.text


def test_eligibility_cannot_run_while_the_call_is_open(client: TestClient, session: Session) -> None:
    track = make_track(session)
    token = as_operator(client, session)
    refused = client.post(f"/support/rounds/{track.round_id}/eligibility", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "공모가 마감된 뒤" in refused.text
