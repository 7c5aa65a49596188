"""The selection pages: the run form with the published seed, the run's summary, budget chart, quotas, applications
at the line and entries; the decisions page (issue, promote, decide by hand); a company's notifications."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.support.enums import RoundStatus
from midas.support.models import SelectionRun, SupportDecision
from tests.factories import csrf_from, make_user, sign_in
from tests.support.factories_selection import SEED, add_applicant, published_round

M = 1_000_000


def test_an_operator_runs_the_selection_from_the_page(client: TestClient, session: Session) -> None:
    setup = published_round(session, track_overrides={
        "budget_krw": 150 * M, "quotas": [{"regions": ["26"], "min_share_percent": 30, "measure": "count"}]})
    busan = add_applicant(session, setup, score="70.0", grant=70 * M, region="26")
    add_applicant(session, setup, score="90.0", grant=80 * M, region="41")
    add_applicant(session, setup, score="80.0", grant=70 * M, region="11")
    token = sign_in(client, make_user(session, Role.OPERATOR))
    path = f"/support/rounds/{setup.round.id}/selection"

    before = client.get(path)
    assert before.status_code == 200
    assert f'value="{SEED}"' in before.text
    assert "아직 선정을 실행하지 않았습니다" in before.text
    assert 'hx-indicator="#run-indicator"' in before.text

    ran = client.post(path, data={"seed": SEED, "csrf_token": token}, follow_redirects=False)
    assert ran.status_code == 303
    page = client.get(path).text
    run = session.scalars(select(SelectionRun)).one()
    assert "현재 선정 결과" in page
    assert run.inputs_hash in page
    assert "<svg" in page
    assert "budget-used" in page
    assert "할당 비율" in page
    assert "30%" in page
    assert f'href="/support/applications/{busan.id}"' in page
    assert "후보 3건" in page
    funded_only = client.get(path, params={"funded": "no"}).text
    assert "후보 1건" in funded_only


def test_a_seed_not_published_is_refused_on_the_page(client: TestClient, session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    token = sign_in(client, make_user(session, Role.OPERATOR))
    path = f"/support/rounds/{setup.round.id}/selection"
    refused = client.post(path, data={"seed": "another", "csrf_token": token})
    assert refused.status_code == 422
    assert "추첨 시드는 추첨 전에 공개되어야 하며" in refused.text
    assert 'value="another"' in refused.text
    by_htmx = client.post(path, data={"seed": "another", "csrf_token": token}, headers={"HX-Request": "true"})
    assert by_htmx.status_code == 200
    assert 'id="selection-main"' in by_htmx.text
    assert session.scalars(select(SelectionRun)).all() == []

    unpublished = published_round(session, seed=None)
    page = client.get(f"/support/rounds/{unpublished.round.id}/selection").text
    assert "추첨 시드는 추첨 전에 공개되어야 합니다." in page
    assert 'name="seed"' not in page


def test_decisions_are_issued_promoted_and_made_by_hand_on_the_page(client: TestClient, session: Session) -> None:
    setup = published_round(session, track_overrides={"budget_krw": 150 * M})
    first = add_applicant(session, setup, score="90.0", grant=80 * M)
    add_applicant(session, setup, score="80.0", grant=70 * M)
    third = add_applicant(session, setup, score="70.0", grant=60 * M)
    token = sign_in(client, make_user(session, Role.OPERATOR))
    client.post(f"/support/rounds/{setup.round.id}/selection", data={"seed": SEED, "csrf_token": token})
    path = f"/support/rounds/{setup.round.id}/decisions"
    assert "선정 결과 통보" in client.get(path).text

    issued = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert issued.status_code == 303
    page = client.get(path).text
    session.refresh(setup.round)
    assert setup.round.status is RoundStatus.DECIDED
    assert "예비 선정 신청 추가 선정" in page
    assert "트랙 내 예비 순번 1" in page
    assert "선정 결과 3건" in page

    no_reason = client.post(f"{path}/manual", data={"application_id": str(first.id), "outcome": "rejected",
                                                     "reason": " ", "csrf_token": token})
    assert no_reason.status_code == 422
    assert "결정에는 사유가 하나 이상 있어야 합니다" in no_reason.text
    decided = client.post(f"{path}/manual", data={"application_id": str(first.id), "outcome": "rejected",
                                                   "reason": "협약 포기", "csrf_token": token},
                          follow_redirects=False)
    assert decided.status_code == 303
    promoted = client.post(f"/support/rounds/{setup.round.id}/tracks/{setup.track.id}/promote",
                           data={"csrf_token": token})
    assert promoted.status_code == 200
    assert "예비 선정 신청 1건을 선정했습니다." in promoted.text
    current = session.scalars(select(SupportDecision).where(SupportDecision.application_id == third.id,
                                                            SupportDecision.is_current.is_(True))).one()
    assert current.reasons[0]["message"] == "Promoted from the waitlist: funds freed up"
    assert "협약 포기" in client.get(path, params={"outcome": "rejected"}).text


def test_a_company_reads_its_decision_in_its_notifications(client: TestClient, session: Session) -> None:
    setup = published_round(session)
    application = add_applicant(session, setup, score="70.0", grant=10 * M)
    operator = sign_in(client, make_user(session, Role.OPERATOR))
    client.post(f"/support/rounds/{setup.round.id}/selection", data={"seed": SEED, "csrf_token": operator})
    client.post(f"/support/rounds/{setup.round.id}/decisions", data={"csrf_token": operator})
    client.cookies.clear()
    member = make_user(session, Role.COMPANY_MEMBER, organization=application.organization)
    sign_in(client, member)
    page = client.get("/support/notifications").text
    assert f"신청 &#34;{application.title}&#34;이(가) 선정되었습니다." in page
    assert f'href="/support/applications/{application.id}"' in page
    assert "읽지 않음 1건" in page
    marked = client.post("/support/notifications/read", data={"csrf_token": csrf_from(page)},
                         follow_redirects=False)
    assert marked.status_code == 303
    assert "읽지 않음 1건" not in client.get("/support/notifications").text


def test_companies_do_not_see_the_selection_page(client: TestClient, session: Session) -> None:
    setup = published_round(session)
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get(f"/support/rounds/{setup.round.id}/selection").status_code == 403
    assert client.get(f"/support/rounds/{setup.round.id}/decisions").status_code == 403
