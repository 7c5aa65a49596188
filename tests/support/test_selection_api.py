"""The selection API: a run with the published seed (refused without), the current run and its entries, decisions
issued once and listed, a manual decision (refused without a reason) and waitlist promotion; each with permissions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.support.enums import ApplicationStatus
from midas.support.models import SelectionRun, SupportDecision
from tests.factories import make_user, sign_in
from tests.support.factories_selection import SEED, add_applicant, published_round

API = "/api/v1/support"
M = 1_000_000


def signed_in(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> dict[str, str]:
    return {"X-CSRF-Token": sign_in(client, make_user(session, role))}


def test_a_round_is_selected_decided_and_promoted_through_the_api(client: TestClient, session: Session) -> None:
    setup = published_round(session, track_overrides={"budget_krw": 150 * M})
    apps = [add_applicant(session, setup, score=s, grant=g) for s, g in
            (("90.0", 80 * M), ("80.0", 70 * M), ("70.0", 60 * M))]
    headers = signed_in(client, session)
    round_id = setup.round.id

    refused = client.post(f"{API}/rounds/{round_id}/selection", headers=headers, json={"seed": "guess"})
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["field"] == "seed"

    created = client.post(f"{API}/rounds/{round_id}/selection", headers=headers, json={"seed": SEED})
    assert created.status_code == 201, created.text
    run = created.json()
    assert (run["solver_status"], run["candidates"], run["funded_count"], run["objective"]) == (
        "optimal", 3, 2, 930 + 830)
    assert len(run["inputs_hash"]) == 64
    assert {m["application_id"] for m in run["marginal"]} == {a.id for a in apps}

    current = client.get(f"{API}/rounds/{round_id}/selection").json()
    assert current["current"]["id"] == run["id"]
    assert current["lottery_seed"] == SEED
    assert [u["used_krw"] for u in current["current"]["budget_use"] if u["kind"] == "track"] == [150 * M]
    entries = client.get(f"{API}/selection-runs/{run['id']}/entries", params={"funded": "false"}).json()
    assert [(e["application_id"], e["rank"], e["reason"]["code"]) for e in entries["items"]] == [
        (apps[2].id, 3, "track_budget")]

    issued = client.post(f"{API}/rounds/{round_id}/decisions", headers=headers)
    assert issued.status_code == 201, issued.text
    assert issued.json()["counts"] == {"funded": 2, "waitlisted": 1}
    assert client.post(f"{API}/rounds/{round_id}/decisions", headers=headers).status_code == 409
    waitlisted = client.get(f"{API}/rounds/{round_id}/decisions", params={"outcome": "waitlisted"}).json()
    assert [d["application_id"] for d in waitlisted["items"]] == [apps[2].id]
    summary = client.get(f"{API}/rounds/{round_id}/decisions/summary").json()
    assert summary["tracks"][0]["remaining_krw"] == 0

    no_reason = client.post(f"{API}/applications/{apps[1].id}/decisions", headers=headers,
                            json={"outcome": "rejected", "reasons": []})
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["problems"][0]["field"] == "reasons"
    withdrawn = client.post(f"{API}/applications/{apps[1].id}/decisions", headers=headers,
                            json={"outcome": "rejected", "reasons": ["The company withdrew the plan"]})
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["supersedes_id"] is not None

    promoted = client.post(f"{API}/tracks/{setup.track.id}/promote", headers=headers)
    assert promoted.status_code == 200, promoted.text
    assert [d["application_id"] for d in promoted.json()["promoted"]] == [apps[2].id]
    session.refresh(apps[2])
    assert apps[2].status is ApplicationStatus.FUNDED


def test_companies_and_auditors_cannot_change_anything(client: TestClient, session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    headers = signed_in(client, session, Role.AUDITOR)
    assert client.post(f"{API}/rounds/{setup.round.id}/selection", headers=headers,
                       json={"seed": SEED}).status_code == 403
    assert client.get(f"{API}/rounds/{setup.round.id}/selection").json()["current"] is None
    client.cookies.clear()
    company = signed_in(client, session, Role.COMPANY_MEMBER)
    assert client.get(f"{API}/rounds/{setup.round.id}/selection").status_code == 403
    assert client.post(f"{API}/rounds/{setup.round.id}/decisions", headers=company).status_code == 403
    assert session.scalars(select(SelectionRun)).all() == []
    assert session.scalars(select(SupportDecision)).all() == []


def test_unknown_rounds_and_bad_bodies_are_refused(client: TestClient, session: Session) -> None:
    headers = signed_in(client, session)
    assert client.get(f"{API}/rounds/999999/selection").status_code == 404
    assert client.post(f"{API}/rounds/999999/selection", headers=headers, json={"seed": SEED}).status_code == 404
    assert client.post(f"{API}/rounds/1/selection", headers=headers, json={"seed": SEED,
                                                                           "extra": 1}).status_code == 422
    assert client.post(f"{API}/tracks/999999/promote", headers=headers).status_code == 404
