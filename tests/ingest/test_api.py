"""POST /api/v1/ingest and the dead-letter routes, through the real app on both databases."""

from __future__ import annotations

import json
from typing import Any

from aas_core3 import jsonization
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.auth import Role, actor_for, issue_api_token
from midas.ingest import DeadLetter, DeadLetterStatus, ProductionRecord, api, count_records
from midas.ingest.models import refusal_digest
from midas.registry import Factory, Organization
from midas.standard import example_record, record_to_submodel
from midas.web.app import create_app
from tests.factories import make_factory, make_organization, make_user, sign_in

API = "/api/v1/ingest"
TEMPLATE = "ProductionPerformance"


def bearer(session: Session, organization: Organization) -> dict[str, str]:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=organization))
    _, secret = issue_api_token(session, actor=member, name="MES")
    session.flush()
    return {"Authorization": f"Bearer {secret}"}


def shift(hour: int) -> dict[str, Any]:
    record = example_record(TEMPLATE)
    record["PeriodStart"] = f"2026-11-26T{hour:02d}:00:00+09:00"
    record["PeriodEnd"] = f"2026-11-26T{hour + 9:02d}:00:00+09:00"
    return record


def item(factory: Factory, hour: int, **extra: Any) -> dict[str, Any]:
    return {"factory_id": factory.id, "template": TEMPLATE, "record": shift(hour), **extra}


def company(session: Session) -> tuple[Organization, Factory, dict[str, str]]:
    organization = make_organization(session)
    return organization, make_factory(session, organization), bearer(session, organization)


def test_a_json_array_is_accepted_per_item_with_a_receipt(client: TestClient, session: Session) -> None:
    organization, factory, headers = company(session)
    bad = item(factory, 8)
    bad["record"]["GoodQuantity"] = bad["record"]["ProducedQuantity"] + 1
    response = client.post(API, json=[item(factory, 6), bad, item(factory, 6)], headers=headers)
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert (receipt["accepted"], receipt["duplicates"], receipt["rejected"]) == (1, 1, 1)
    [refused] = receipt["refused"]
    assert refused["position"] == "item 2"
    assert refused["dead_letter_id"] > 0
    assert refused["problems"]
    assert count_records(session, organization_id=organization.id) == 1
    batch = client.get(f"{API}/batches/{receipt['batch_id']}", headers=headers).json()
    assert (batch["accepted"], batch["rejected"]) == (1, 1)
    assert [d["id"] for d in batch["dead_letters"]] == [refused["dead_letter_id"]]


def test_a_large_delivery_closes_its_connection_and_a_small_one_keeps_it(client: TestClient, session: Session,
                                                                         monkeypatch: Any) -> None:
    """So that the sender's next large delivery goes to whichever worker of `midas serve --workers N` is free."""
    _, factory, headers = company(session)
    small = json.dumps([item(factory, 6)]).encode()
    large = json.dumps([item(factory, hour) for hour in range(7, 10)]).encode()
    monkeypatch.setattr(api, "REBALANCE_AFTER_BYTES", len(large))
    kept = client.post(API, content=small, headers={**headers, "Content-Type": "application/json"})
    closed = client.post(API, content=large, headers={**headers, "Content-Type": "application/json"})
    assert (kept.status_code, closed.status_code) == (200, 200)
    assert (kept.json()["accepted"], closed.json()["accepted"]) == (1, 3)
    assert kept.headers.get("connection") is None
    assert closed.headers["connection"] == "close"


def test_one_item_object_and_a_retry_counts_once(client: TestClient, session: Session) -> None:
    organization, factory, headers = company(session)
    first = client.post(API, json=item(factory, 6, message_id="mes-1"), headers=headers).json()
    again = client.post(API, json=item(factory, 6, message_id="mes-1"), headers=headers).json()
    assert (first["accepted"], again["accepted"], again["duplicates"]) == (1, 0, 1)
    assert count_records(session, organization_id=organization.id) == 1


def test_a_retried_delivery_lists_its_refused_records_once_with_their_copies(client: TestClient,
                                                                              session: Session) -> None:
    _organization, factory, headers = company(session)
    body = "\n".join([json.dumps(item(factory, 6, message_id="mes-6")), '{"factory_id": ', '{"template": ',
                      json.dumps({**item(factory, 7, message_id="mes-7"), "template": "Nope"})]) + "\n"
    ndjson = {**headers, "Content-Type": "application/x-ndjson"}
    first, retry = (client.post(API, content=body.encode(), headers=ndjson).json() for _ in range(2))
    assert (retry["accepted"], retry["duplicates"], retry["rejected"]) == (0, 1, 3)  # refusals are per delivery
    before = [r["dead_letter_id"] for r in first["refused"]]
    again = [r["dead_letter_id"] for r in retry["refused"]]
    listed = client.get(f"{API}/dead-letters", headers=headers).json()
    assert listed["total"] == 3  # two different malformed lines are two records, each with its copy
    assert [(d["id"], d["copies"]) for d in listed["items"]] == [
        (again[2], [before[2]]), (again[1], [before[1]]), (again[0], [before[0]])]
    batch = client.get(f"{API}/batches/{retry['batch_id']}", headers=headers).json()
    assert [(d["id"], d["copies"]) for d in batch["dead_letters"]] == [
        (again[0], [before[0]]), (again[1], [before[1]]), (again[2], [before[2]])]
    for letter in session.scalars(select(DeadLetter)):  # the digest of the text as stored, as migration 0010 makes it
        assert letter.content_digest == refusal_digest(letter.idempotency_key, letter.raw)
    discarded = client.post(f"{API}/dead-letters/{before[0]}/discard", json={"reason": "잘린 줄"}, headers=headers)
    assert (discarded.json()["status"], discarded.json()["copies"]) == ("discarded", [again[0]])
    assert [d["id"] for d in client.get(f"{API}/dead-letters", headers=headers).json()["items"]] == [again[2],
                                                                                                   again[1]]


def test_ndjson_dead_letters_a_malformed_line_and_accepts_the_others(client: TestClient, session: Session) -> None:
    _organization, factory, headers = company(session)
    broken = '{"factory_id": 1, "template": '
    body = "\n".join([json.dumps(item(factory, 6)), broken, "", json.dumps(item(factory, 8))]) + "\n"
    response = client.post(API, content=body.encode(), headers={**headers, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert (receipt["accepted"], receipt["rejected"]) == (2, 1)
    [refused] = receipt["refused"]
    assert refused["position"] == "line 2"
    assert refused["problems"][0]["field"] == "line 2"
    assert refused["problems"][0]["message"].startswith("2번째 줄이 올바른 JSON이 아닙니다")  # the member's language
    letter = session.get(DeadLetter, refused["dead_letter_id"])
    assert letter is not None
    assert letter.raw == broken  # the line as it was received, to fix
    assert letter.problems[0]["message"].startswith("Line {line} is not valid JSON")


def test_problems_are_translated_from_the_platform_and_the_kmds_catalogs(client: TestClient,
                                                                        session: Session) -> None:
    _, factory, headers = company(session)
    foreign = make_factory(session, make_organization(session))
    bad = item(factory, 8)
    bad["record"]["GoodQuantity"] = bad["record"]["ProducedQuantity"] + 1
    receipt = client.post(API, json=[item(foreign, 6), bad], headers=headers).json()
    messages = [p["message"] for r in receipt["refused"] for p in r["problems"]]
    assert f"공장 {foreign.id}은(는) 귀 기관의 공장이 아닙니다" in messages
    assert all(not m.startswith(("good ", "Factory ")) for m in messages), messages  # no English left


def test_another_organizations_factory_is_refused_and_nothing_is_stored(client: TestClient,
                                                                       session: Session) -> None:
    _organization, _, headers = company(session)
    foreign = make_factory(session, make_organization(session))
    receipt = client.post(API, json=[item(foreign, 6)], headers=headers).json()
    assert (receipt["accepted"], receipt["rejected"]) == (0, 1)
    assert receipt["refused"][0]["problems"][0]["field"] == "item 1.factory_id"
    assert session.scalar(select(func.count()).select_from(ProductionRecord)
                          .where(ProductionRecord.factory_id == foreign.id)) == 0


def test_without_a_token_or_session_nothing_is_accepted(client: TestClient, session: Session) -> None:
    _, factory, _ = company(session)
    assert client.post(API, json=[item(factory, 6)]).status_code == 403  # no session: CSRF refuses it first
    assert client.post(API, json=[item(factory, 6)], headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_signed_in_member_needs_the_csrf_header(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    token = sign_in(client, make_user(session, Role.COMPANY_MEMBER, organization=organization))
    assert client.post(API, json=[item(factory, 6)]).status_code == 403
    response = client.post(API, json=[item(factory, 6)], headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.json()["accepted"] == 1


def test_a_member_of_another_organization_sees_neither_batch_nor_dead_letter(client: TestClient,
                                                                            session: Session) -> None:
    _, factory, headers = company(session)
    receipt = client.post(API, json=[{"factory_id": factory.id}], headers=headers).json()
    letter_id = receipt["refused"][0]["dead_letter_id"]
    _, _, other = company(session)
    assert client.get(f"{API}/batches/{receipt['batch_id']}", headers=other).status_code == 404
    assert client.get(f"{API}/dead-letters", headers=other).json()["total"] == 0
    assert client.post(f"{API}/dead-letters/{letter_id}/replay", json=item(factory, 6),
                       headers=other).status_code == 404
    assert client.post(f"{API}/dead-letters/{letter_id}/discard", json={"reason": "x"},
                       headers=other).status_code == 404
    assert [d["id"] for d in client.get(f"{API}/dead-letters", headers=headers).json()["items"]] == [letter_id]


def test_an_oversize_body_is_refused_with_413_before_anything_is_stored(settings: Any, session_factory: Any,
                                                                       session: Session) -> None:
    organization, factory, headers = company(session)
    small: FastAPI = create_app(settings.model_copy(update={"upload_max_bytes": 2048}))
    small.state.session_factory = session_factory
    body = json.dumps([item(factory, h % 12) for h in range(20)]).encode()
    assert len(body) > 2048
    with TestClient(small) as client:
        declared = client.post(API, content=body, headers={**headers, "Content-Type": "application/json"})
        assert declared.status_code == 413, declared.text
        assert declared.json()["error"]["code"] == "too_large"

        def chunks() -> Any:  # no Content-Length: counted while it streams in
            for start in range(0, len(body), 500):
                yield body[start:start + 500]

        streamed = client.post(API, content=chunks(), headers={**headers, "Content-Type": "application/json"})
        assert streamed.status_code == 413
        fits = client.post(API, json=[item(factory, 6)], headers=headers)
        assert fits.status_code == 200
    assert count_records(session, organization_id=organization.id) == 1


def environment(*submodels: dict[str, Any]) -> dict[str, Any]:
    return {"assetAdministrationShells": [], "submodels": list(submodels)}


def submodel_json(hour: int, submodel_id: str) -> dict[str, Any]:
    jsonable = jsonization.to_jsonable(record_to_submodel(TEMPLATE, shift(hour), submodel_id=submodel_id))
    assert isinstance(jsonable, dict)
    return jsonable


def test_an_aas_environment_needs_the_factory_and_its_submodels_become_records(client: TestClient,
                                                                             session: Session) -> None:
    organization, factory, headers = company(session)
    body = environment(submodel_json(6, "urn:example:pp:06"), submodel_json(8, "urn:example:pp:08"))
    without = client.post(API, json=body, headers=headers)
    assert without.status_code == 422
    assert without.json()["error"]["problems"][0]["field"] == "factory_id"
    foreign = make_factory(session, make_organization(session))
    assert client.post(f"{API}?factory_id={foreign.id}", json=body, headers=headers).status_code == 422
    response = client.post(f"{API}?factory_id={factory.id}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert (response.json()["accepted"], response.json()["rejected"]) == (2, 0)
    stored = session.scalars(select(ProductionRecord).where(ProductionRecord.organization_id == organization.id)
                             .order_by(ProductionRecord.id)).all()
    assert [r.idempotency_key for r in stored] == ["aas-submodel:urn:example:pp:06", "aas-submodel:urn:example:pp:08"]
    assert stored[0].record == shift(6)
    assert {r.factory_id for r in stored} == {factory.id}


def test_the_same_submodel_twice_counts_once_and_different_ones_never_collide(client: TestClient,
                                                                              session: Session) -> None:
    organization, factory, headers = company(session)
    long_a, long_b = "urn:example:" + "a" * 300 + ":1", "urn:example:" + "a" * 300 + ":2"
    first = client.post(f"{API}?factory_id={factory.id}", headers=headers,
                        json=environment(submodel_json(6, long_a), submodel_json(8, long_b))).json()
    again = client.post(f"{API}?factory_id={factory.id}", headers=headers,
                        json=environment(submodel_json(6, long_a), submodel_json(6, long_a))).json()
    assert (first["accepted"], first["duplicates"]) == (2, 0)  # ids alike in their first 200 characters
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert count_records(session, organization_id=organization.id) == 2
    keys = session.scalars(select(ProductionRecord.idempotency_key)
                           .where(ProductionRecord.organization_id == organization.id)).all()
    assert all(len(key) <= 200 and key.startswith("aas-submodel:sha256:") for key in keys)


def test_a_submodel_of_another_standard_or_unreadable_is_a_dead_letter_with_the_reason(client: TestClient,
                                                                                      session: Session) -> None:
    organization, factory, headers = company(session)
    nameplate = {"modelType": "Submodel", "id": "urn:other:nameplate", "semanticId": {
        "type": "ExternalReference", "keys": [{"type": "GlobalReference", "value": "urn:zvei:nameplate"}]}}
    broken = {"modelType": "Submodel", "id": "urn:example:broken", "submodelElements": [{"modelType": "Nope"}]}
    response = client.post(f"{API}?factory_id={factory.id}", headers=headers,
                           json=environment(nameplate, submodel_json(6, "urn:example:pp"), broken))
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert (receipt["accepted"], receipt["rejected"]) == (1, 2)
    refused = {r["position"]: r for r in receipt["refused"]}
    assert set(refused) == {"submodel urn:other:nameplate", "submodel urn:example:broken"}
    assert "K-MDS 템플릿이 아닙니다" in refused["submodel urn:other:nameplate"]["problems"][0]["message"]
    assert "AAS V3.0 서브모델이 아닙니다" in refused["submodel urn:example:broken"]["problems"][0]["message"]
    letter = session.get(DeadLetter, refused["submodel urn:other:nameplate"]["dead_letter_id"])
    assert letter is not None
    assert json.loads(letter.raw) == nameplate  # kept as received
    assert count_records(session, organization_id=organization.id) == 1


def test_bad_bodies_are_refused_whole(client: TestClient, session: Session) -> None:
    _, _, headers = company(session)
    broken = client.post(API, content=b"[{", headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["error"]["problems"][0]["field"] == "body"
    assert client.post(API, content=b"a,b", headers={**headers, "Content-Type": "text/csv"}).status_code == 415
    assert client.post(API, json=[], headers=headers).status_code == 422


def test_a_dead_letter_is_replayed_fixed_or_discarded_with_a_reason(client: TestClient, session: Session) -> None:
    organization, factory, headers = company(session)
    receipt = client.post(API, json=[{"factory_id": factory.id, "template": TEMPLATE}, {"factory_id": factory.id}],
                          headers=headers).json()
    first, second = (r["dead_letter_id"] for r in receipt["refused"])
    replayed = client.post(f"{API}/dead-letters/{first}/replay", json=item(factory, 6), headers=headers)
    assert replayed.status_code == 200
    assert replayed.json()["accepted"] == 1
    assert client.post(f"{API}/dead-letters/{first}/replay", json=item(factory, 6), headers=headers).status_code == 409
    assert client.post(f"{API}/dead-letters/{second}/discard", json={"reason": " "}, headers=headers).status_code == 422
    discarded = client.post(f"{API}/dead-letters/{second}/discard", json={"reason": "test row"}, headers=headers)
    assert discarded.status_code == 200
    assert discarded.json()["status"] == "discarded"
    assert count_records(session, organization_id=organization.id) == 1
    assert client.get(f"{API}/dead-letters", headers=headers).json()["total"] == 0
    everything = client.get(f"{API}/dead-letters?status=all", headers=headers).json()
    assert {d["status"] for d in everything["items"]} == {DeadLetterStatus.REPLAYED, DeadLetterStatus.DISCARDED}
    assert client.get(f"{API}/dead-letters?status=nope", headers=headers).status_code == 422
