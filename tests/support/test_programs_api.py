"""The programs API: programs, rounds (with the MIDAS 2027 tracks), tracks, the call and the seed, and
sanctions; each with its permissions and its refusals at the exact place."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.support.models import SupportRound
from tests.assessment.factories import shipped_version
from tests.factories import make_organization, make_user, sign_in
from tests.support.factories import make_program
from tests.support.factories_programs import draft_round, round_fields, track_fields

API = "/api/v1/support"


def signed_in(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> dict[str, str]:
    return {"X-CSRF-Token": sign_in(client, make_user(session, role))}


def test_a_program_and_a_midas2027_round_are_created(client: TestClient, session: Session) -> None:
    shipped_version(session)
    headers = signed_in(client, session)
    program = client.post(f"{API}/programs", headers=headers, json={
        "code": "API-P", "name": "프로그램", "name_en": "Program",
        "counting_rules": [{"category": "transformed", "tracks": ["basic"], "min_level": 2}]})
    assert program.status_code == 201, program.text
    assert program.json()["counting_rules"][0]["requires"] == "completed_project"
    assert "API-P" in [p["code"] for p in client.get(f"{API}/programs").json()]
    created = client.post(f"{API}/rounds", headers=headers,
                          json={**round_fields(program.json()["id"], adjustments=None), "midas2027": True})
    assert created.status_code == 201, created.text
    body = created.json()
    assert [t["kind"] for t in body["tracks"]] == ["basic", "advanced", "leading", "winwin", "regional"]
    assert body["status"] == "draft"
    basic = body["tracks"][0]
    assert sum(b["budget_krw"] for b in basic["region_budgets"]) == basic["budget_krw"]
    listed = client.get(f"{API}/rounds", params={"program_id": program.json()["id"]}).json()
    assert [(r["code"], r["track_count"]) for r in listed] == [(body["code"], 5)]


def test_a_bad_round_is_refused_with_its_places(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    program = make_program(session)
    refused = client.post(f"{API}/rounds", headers=headers, json=round_fields(
        program.id, call_opens_at="2027-04-01", call_closes_at="2027-03-01"))
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["error"]["problems"]] == ["call_closes_at"]


def test_a_track_is_put_then_the_call_opens_closes_and_the_seed_is_published(client: TestClient,
                                                                             session: Session) -> None:
    shipped_version(session)
    headers = signed_in(client, session)
    support_round = draft_round(session)
    url = f"{API}/rounds/{support_round.id}"
    bad = client.put(f"{url}/tracks/basic", headers=headers,
                     json=track_fields(region_budgets={"26": 900_000_000, "41": 200_000_000}))
    assert bad.status_code == 422
    assert [p["field"] for p in bad.json()["error"]["problems"]] == ["tracks[basic].region_budgets"]
    put = client.put(f"{url}/tracks/basic", headers=headers, json=track_fields())
    assert put.status_code == 200, put.text
    assert put.json()["cap_krw"] == 100_000_000
    assert client.get(url).json()["tracks"][0]["kind"] == "basic"
    assert client.post(f"{url}/seed", headers=headers, json={"seed": "공개 시드 42"}).status_code == 200
    assert client.post(f"{url}/seed", headers=headers, json={"seed": "다른 시드"}).status_code == 409
    assert client.post(f"{url}/open", headers=headers).json()["status"] == "open"
    early = client.post(f"{url}/close", headers=headers)
    assert early.status_code == 422
    closed = client.post(f"{url}/close", headers=headers, json={"reason": "조기 마감"})
    assert closed.json()["status"] == "closed"
    detail = client.get(url).json()
    assert detail["lottery_seed"] == "공개 시드 42"
    assert detail["seed_published_at"] is not None


def test_an_auditor_reads_rounds_but_cannot_change_them(client: TestClient, session: Session) -> None:
    support_round = draft_round(session)
    headers = signed_in(client, session, Role.AUDITOR)
    assert client.get(f"{API}/rounds/{support_round.id}").status_code == 200
    refused = client.put(f"{API}/rounds/{support_round.id}/tracks/basic", headers=headers, json=track_fields())
    assert refused.status_code == 403
    assert client.get(f"{API}/rounds/987654").status_code == 404


def test_changes_need_the_csrf_token(client: TestClient, session: Session) -> None:
    signed_in(client, session)
    program = make_program(session)
    refused = client.post(f"{API}/rounds", json=round_fields(program.id))
    assert refused.status_code == 403
    assert session.scalar(select(SupportRound).where(SupportRound.program_id == program.id)) is None


def test_sanctions_are_recorded_listed_and_lifted(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    company = make_organization(session)
    refused = client.post(f"{API}/sanctions", headers=headers, json={"organization": company.brn,
                                                                     "kind": "clawback", "reason": "허위 실적"})
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["error"]["problems"]] == ["clawback_krw"]
    created = client.post(f"{API}/sanctions", headers=headers, json={
        "organization": company.brn, "kind": "clawback", "reason": "허위 실적", "clawback_krw": 10_000_000,
        "starts_on": "2027-01-01"})
    assert created.status_code == 201, created.text
    sanction_id = created.json()["id"]
    active = client.get(f"{API}/sanctions", params={"active_on": "2027-02-01",
                                                    "organization_id": company.id}).json()
    assert [s["id"] for s in active["items"]] == [sanction_id]
    assert active["total"] == 1
    assert client.get(f"{API}/sanctions", params={"active_on": "2026-12-31",
                                                  "organization_id": company.id}).json()["items"] == []
    assert client.post(f"{API}/sanctions/{sanction_id}/lift", headers=headers, json={}).status_code == 422
    lifted = client.post(f"{API}/sanctions/{sanction_id}/lift", headers=headers, json={"reason": "환수 완료"})
    assert lifted.json()["lift_reason"] == "환수 완료"
    assert client.post(f"{API}/sanctions/{sanction_id}/lift", headers=headers,
                       json={"reason": "again"}).status_code == 409
