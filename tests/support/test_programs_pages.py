"""The programs pages: rounds by program, a new round with the MIDAS 2027 tracks, the overview with its tracks,
region budgets and rules in words, the track form (refusals in place, the rules preview), the call's actions, and
the sanctions page; in Korean and in English, every form with its CSRF field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Role
from midas.support.enums import RoundStatus, TrackKind
from midas.support.models import SanctionRecord, SupportProgram, SupportRound, SupportTrack
from tests.assessment.factories import shipped_version
from tests.factories import make_organization, make_user, sign_in
from tests.support.factories import make_application, make_program, make_region_budget, make_track
from tests.support.factories_programs import draft_round, track_fields


def operator(client: TestClient, session: Session, locale: str = "ko", role: Role = Role.OPERATOR) -> str:
    return sign_in(client, make_user(session, role, locale=locale))


def test_the_rounds_page_lists_rounds_by_program_in_korean_and_english(client: TestClient, session: Session) -> None:
    track = make_track(session)
    support_round = session.get(SupportRound, track.round_id)
    assert support_round is not None
    operator(client, session)
    page = client.get("/support/rounds")
    assert page.status_code == 200
    assert "지원사업 공모" in page.text
    assert f'href="/support/rounds/{support_round.id}"' in page.text
    assert "10억 원" in page.text  # the track budget
    assert 'name="csrf_token"' in page.text
    client.cookies.clear()
    operator(client, session, locale="en")
    english = client.get("/support/rounds")
    assert "Support rounds" in english.text
    assert "KRW 1,000,000,000" in english.text


def test_a_company_member_cannot_see_the_rounds(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get("/support/rounds").status_code == 403
    assert client.get("/support/sanctions").status_code == 403


def test_the_midas2027_program_and_a_round_are_created_through_the_forms(client: TestClient,
                                                                         session: Session) -> None:
    shipped_version(session)
    token = operator(client, session)
    created = client.post("/support/programs", data={"csrf_token": token, "midas2027": "true"},
                          follow_redirects=False)
    assert created.status_code == 303
    program = session.scalar(select(SupportProgram).where(SupportProgram.code == "MIDAS2027"))
    assert program is not None
    form = client.get(f"/support/rounds/new?program_id={program.id}")
    assert form.status_code == 200
    assert "MIDAS 2027" in form.text
    refused = client.post("/support/rounds", data={
        "csrf_token": token, "program_id": str(program.id), "code": "P-1", "year": "2027", "name": "2027년 1차",
        "name_en": "2027 first", "call_opens_at": "2027-03-01", "call_closes_at": "2027-02-01", "midas2027": "true"})
    assert refused.status_code == 422
    assert "후에 마감해야 합니다" in refused.text
    stored = client.post("/support/rounds", data={
        "csrf_token": token, "program_id": str(program.id), "code": "P-1", "year": "2027", "name": "2027년 1차",
        "name_en": "2027 first", "call_opens_at": "2027-02-01", "call_closes_at": "2027-03-15",
        "first_time_points": "5", "midas2027": "true"}, follow_redirects=False)
    assert stored.status_code == 303, stored.text
    support_round = session.scalar(select(SupportRound).where(SupportRound.code == "P-1"))
    assert support_round is not None
    assert support_round.adjustments == [{"kind": "first_time", "points": 5}]
    overview = client.get(stored.headers["location"])
    assert overview.status_code == 200
    for text in ("기초: 스마트공장 구축", "상생형: 대기업 공동 출연", "지역별 예산", "부산광역시", "300억 원",
                 "수준 1~2", "최초 신청 기업: +5점", f"/support/rounds/{support_round.id}/selection"):
        assert text in overview.text, text


def test_the_overview_shows_rules_counts_and_region_budgets(client: TestClient, session: Session) -> None:
    track = make_track(session)
    make_region_budget(session, track, "26", 300_000_000)
    make_application(session, track)
    operator(client, session, locale="en")
    page = client.get(f"/support/rounds/{track.round_id}")
    assert page.status_code == 200
    assert "Assessed level between 1 and 2" in page.text
    assert "Busan" in page.text
    assert "KRW 300,000,000" in page.text
    assert "Submitted" in page.text
    assert 'class="table-wrap scroll-x"' in page.text


def test_the_track_form_refuses_in_place_then_saves(client: TestClient, session: Session) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    token = operator(client, session)
    form = client.get(f"/support/rounds/{support_round.id}/tracks/advanced")
    assert form.status_code == 200
    assert 'name="region_41"' in form.text
    assert "200000000" in form.text  # the MIDAS 2027 cap of the advanced track fills the new form
    data = {key: str(value) for key, value in track_fields().items() if not isinstance(value, dict | list)}
    data.update(csrf_token=token, region_26="900000000", region_41="200000000", quotas="[]",
                eligibility_rules='[{"rule": "level_in_range", "min": 1, "max": 2}]')
    refused = client.post(f"/support/rounds/{support_round.id}/tracks/basic", data=data)
    assert refused.status_code == 422
    assert "지역 예산 합계" in refused.text
    assert session.scalar(select(SupportTrack).where(SupportTrack.round_id == support_round.id)) is None
    data["region_26"] = "400000000"
    saved = client.post(f"/support/rounds/{support_round.id}/tracks/basic", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    track = session.scalar(select(SupportTrack).where(SupportTrack.round_id == support_round.id))
    assert track is not None
    assert track.kind is TrackKind.BASIC
    assert {b.region_code: b.budget_krw for b in track.region_budgets} == {"26": 400_000_000, "41": 200_000_000}


def test_the_rules_preview_reads_the_rules_or_names_their_problems(client: TestClient, session: Session) -> None:
    support_round = draft_round(session)
    token = operator(client, session, locale="en")
    url = f"/support/rounds/{support_round.id}/tracks/basic/preview"
    good = client.post(url, data={"csrf_token": token, "eligibility_rules": '[{"rule": "no_double_funding", '
                                                                            '"years": 3}]'})
    assert good.status_code == 200
    assert "No support for the same factory and scope in the last 3 years" in good.text
    bad = client.post(url, data={"csrf_token": token, "eligibility_rules": '[{"rule": "region", "allowed": ["99"]}]'})
    assert "eligibility_rules[0].allowed[0]" in bad.text
    assert not client.post(url, data={"eligibility_rules": "[]"}).is_success  # no CSRF token


def test_the_call_actions_open_close_and_publish_the_seed(client: TestClient, session: Session) -> None:
    track = make_track(session)
    support_round = session.get(SupportRound, track.round_id)
    assert support_round is not None
    token = operator(client, session)
    page = client.get(f"/support/rounds/{support_round.id}")
    assert f'action="/support/rounds/{support_round.id}/close"' in page.text
    early = client.post(f"/support/rounds/{support_round.id}/close", data={"csrf_token": token, "reason": ""})
    assert early.status_code == 422
    assert "조기 마감" in early.text or "사유" in early.text
    seeded = client.post(f"/support/rounds/{support_round.id}/seed", data={"csrf_token": token, "seed": "abc-123"},
                         follow_redirects=False)
    assert seeded.status_code == 303
    closed = client.post(f"/support/rounds/{support_round.id}/close",
                         data={"csrf_token": token, "reason": "예산 소진"}, follow_redirects=False)
    assert closed.status_code == 303
    session.refresh(support_round)
    assert (support_round.status, support_round.lottery_seed) == (RoundStatus.CLOSED, "abc-123")
    assert "abc-123" in client.get(f"/support/rounds/{support_round.id}").text


def test_the_sanctions_page_records_and_lifts(client: TestClient, session: Session) -> None:
    company = make_organization(session)
    token = operator(client, session)
    page = client.get("/support/sanctions")
    assert page.status_code == 200
    assert "제재 등록" in page.text
    refused = client.post("/support/sanctions", data={"csrf_token": token, "organization": company.brn,
                                                      "kind": "exclusion", "reason": ""})
    assert refused.status_code == 422
    assert session.scalar(select(SanctionRecord).where(SanctionRecord.organization_id == company.id)) is None
    created = client.post("/support/sanctions", data={
        "csrf_token": token, "organization": company.brn, "kind": "exclusion", "reason": "부정 수급",
        "starts_on": "2027-01-01", "ends_on": ""}, follow_redirects=False)
    assert created.status_code == 303, created.text
    sanction = session.scalar(select(SanctionRecord).where(SanctionRecord.organization_id == company.id))
    assert sanction is not None
    listed = client.get("/support/sanctions", params={"active": "1", "on": "2027-02-01"})
    assert company.name in listed.text
    assert "시행 중" in listed.text
    assert company.name not in client.get("/support/sanctions", params={"active": "1", "on": "2026-12-01"}).text
    lifted = client.post(f"/support/sanctions/{sanction.id}/lift", data={"csrf_token": token, "reason": "해제"},
                         follow_redirects=False)
    assert lifted.status_code == 303
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "support.sanction.lifted")) is not None
    client.cookies.clear()
    operator(client, session, locale="en")
    assert "Lifted" in client.get("/support/sanctions").text


def test_a_page_of_an_unknown_program_round_is_not_found(client: TestClient, session: Session) -> None:
    make_program(session)
    operator(client, session)
    assert client.get("/support/rounds/987654").status_code == 404
    assert client.get("/support/rounds/987654/tracks/basic").status_code == 404
