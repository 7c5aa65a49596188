"""The ingestion pages: upload with its receipt, dead letters to fix or discard, deliveries; Korean and English."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.ingest import count_records
from tests.factories import csrf_from, make_factory, make_organization, make_user, sign_in
from tests.ingest.test_api import item
from tests.ingest.test_files import DAY_SHIFT, NIGHT_SHIFT, STREAMS_XML, report_csv


def member(client: TestClient, session: Session, **user: str) -> tuple[int, int, str]:
    organization = make_organization(session)
    factory = make_factory(session, organization, name="창원 1공장")
    token = sign_in(client, make_user(session, Role.COMPANY_MEMBER, organization=organization, **user))
    return organization.id, factory.id, token


def test_the_upload_form_renders_in_korean_and_english(client: TestClient, session: Session) -> None:
    member(client, session)
    korean = client.get("/ingest")
    assert korean.status_code == 200
    assert "생산 데이터 보내기" in korean.text
    assert "창원 1공장" in korean.text
    assert 'hx-encoding="multipart/form-data"' in korean.text
    assert "/static/ingest.js" in korean.text
    assert 'href="/ingest/template.xlsx"' in korean.text
    assert 'name="device_model"' in korean.text
    assert "8시간 교대" in korean.text
    assert ".aasx" in korean.text
    client.cookies.clear()
    member(client, session, locale="en")
    english = client.get("/ingest").text
    assert "Send production data" in english
    assert "생산 데이터 보내기" not in english
    template = client.get("/ingest/template.csv")
    assert template.status_code == 200
    assert template.content.startswith(b"\xef\xbb\xbf")


def test_an_upload_shows_the_receipt_and_needs_the_csrf_token(client: TestClient, session: Session) -> None:
    organization_id, factory_id, token = member(client, session)
    files = {"file": ("실적.csv", report_csv(DAY_SHIFT, NIGHT_SHIFT), "text/csv")}
    refused = client.post("/ingest", data={"factory_id": str(factory_id)}, files=files)
    assert refused.status_code == 403
    response = client.post("/ingest", data={"factory_id": str(factory_id), "csrf_token": token}, files=files,
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "접수 결과" in response.text
    assert "<html" not in response.text
    assert count_records(session, organization_id=organization_id) == 2
    bad = client.post("/ingest", data={"factory_id": str(factory_id), "csrf_token": token},
                      files={"file": ("x.pdf", b"%PDF", "application/pdf")})
    assert bad.status_code == 422
    assert "저장된 것이 없습니다" in bad.text


def test_a_machine_log_upload_shows_its_records_and_the_converter_notes_in_korean(client: TestClient,
                                                                                  session: Session) -> None:
    organization_id, factory_id, token = member(client, session)
    form = {"factory_id": str(factory_id), "csrf_token": token, "period": "shift12", "shift_start": "10:00",
            "work_unit_id": "LINE1-M1"}
    response = client.post("/ingest", data=form, files={"file": ("streams.xml", STREAMS_XML, "application/xml")},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text
    assert count_records(session, organization_id=organization_id) == 2
    assert "변환기가 넣지 못했거나 알 수 없었던 것" in response.text
    assert "설비 상태도 부품 수도 아니어서 변환하지 않습니다" in response.text
    shdr = client.post("/ingest", data=form, files={"file": ("log.shdr", b"2025-03-03T00:00:00Z|x|1\n", "text/plain")},
                       headers={"HX-Request": "true"})
    assert shdr.status_code == 422
    assert "설비 모델이 필요합니다" in shdr.text
    bad_period = client.post("/ingest", data={**form, "period": "hourly"},
                             files={"file": ("streams.xml", STREAMS_XML, "application/xml")})
    assert bad_period.status_code == 422


def test_dead_letters_are_listed_translated_and_replayed_from_the_form(client: TestClient, session: Session) -> None:
    organization_id, factory_id, token = member(client, session)
    foreign = make_factory(session, make_organization(session))
    sent = client.post("/api/v1/ingest", json=[{**item(foreign, 6)}, {"factory_id": factory_id}],
                       headers={"X-CSRF-Token": token}).json()
    assert sent["rejected"] == 2
    page = client.get("/ingest/dead-letters")
    assert page.status_code == 200
    assert f"공장 {foreign.id}은(는) 귀 기관의 공장이 아닙니다" in page.text
    letter_id = sent["refused"][0]["dead_letter_id"]
    assert f'action="/ingest/dead-letters/{letter_id}/replay"' in page.text
    fixed = json.dumps({**item(foreign, 6), "factory_id": factory_id})
    without_token = client.post(f"/ingest/dead-letters/{letter_id}/replay", data={"item": fixed},
                                follow_redirects=False)
    assert without_token.status_code == 403
    broken = client.post(f"/ingest/dead-letters/{letter_id}/replay", data={"item": "{", "csrf_token": token})
    assert broken.status_code == 422
    replayed = client.post(f"/ingest/dead-letters/{letter_id}/replay", data={"item": fixed, "csrf_token": token},
                           follow_redirects=False)
    assert replayed.status_code == 303
    assert replayed.headers["location"].endswith("notice=replayed")
    assert count_records(session, organization_id=organization_id) == 1
    other = sent["refused"][1]["dead_letter_id"]
    discarded = client.post(f"/ingest/dead-letters/{other}/discard", data={"reason": "시험", "csrf_token": token},
                            follow_redirects=False)
    assert discarded.status_code == 303
    after = client.get("/ingest/dead-letters")
    assert "반려 기록이 없습니다" in after.text
    assert csrf_from(after.text)
    batches = client.get("/ingest/batches")
    assert batches.status_code == 200
    assert "최근 접수" in batches.text


def test_a_record_refused_twice_is_one_dead_letter_to_fix_in_either_language(client: TestClient,
                                                                             session: Session) -> None:
    _organization_id, factory_id, token = member(client, session)
    delivery = [{"factory_id": factory_id, "template": "ProductionPerformance", "record": {}, "message_id": "m-1"}]
    first, retry = (client.post("/api/v1/ingest", json=delivery, headers={"X-CSRF-Token": token}).json()
                    for _ in range(2))
    older, newer = first["refused"][0]["dead_letter_id"], retry["refused"][0]["dead_letter_id"]
    page = client.get("/ingest/dead-letters")
    assert "반려 기록 1건" in page.text
    assert f"같은 레코드가 다른 전달로 1번 더 들어왔습니다(#{older})" in page.text
    assert f'action="/ingest/dead-letters/{newer}/replay"' in page.text
    assert f'action="/ingest/dead-letters/{older}/replay"' not in page.text
    client.post("/language", data={"locale": "en", "csrf_token": token})
    english = client.get("/ingest/dead-letters")
    assert f"The same record came in 1 more deliveries (#{older})" in english.text
    client.post("/language", data={"locale": "ko", "csrf_token": token})
    client.post(f"/ingest/dead-letters/{newer}/discard", data={"reason": "시험", "csrf_token": token})
    closed = client.get("/ingest/dead-letters?status=discarded")
    assert f"같은 레코드가 다른 전달로 1번 더 들어왔고(#{older}), 이 기록과 함께 처리되었습니다" in closed.text
    assert "반려 기록이 없습니다" in client.get("/ingest/dead-letters").text


def test_a_member_of_another_organization_cannot_touch_a_dead_letter(client: TestClient, session: Session) -> None:
    _, factory_id, token = member(client, session)
    sent = client.post("/api/v1/ingest", json=[{"factory_id": factory_id}], headers={"X-CSRF-Token": token}).json()
    letter_id = sent["refused"][0]["dead_letter_id"]
    client.cookies.clear()
    _, _, other = member(client, session)
    assert f"/ingest/dead-letters/{letter_id}/" not in client.get("/ingest/dead-letters").text
    response = client.post(f"/ingest/dead-letters/{letter_id}/discard", data={"reason": "x", "csrf_token": other})
    assert response.status_code == 404
