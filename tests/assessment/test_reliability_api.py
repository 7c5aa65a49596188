"""The reliability JSON API: operators and auditors read a round's alpha, calibration and distributions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.assessment import reliability_service as service
from midas.assessment.reliability import ordinal_alpha
from midas.auth import Role
from tests.assessment.test_reliability_service import build_round
from tests.factories import make_user, sign_in

API = "/api/v1/assessment/reliability/rounds"


def test_an_operator_reads_the_rounds_and_the_alpha_of_one(client: TestClient, session: Session) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    rounds = client.get(API)
    assert rounds.status_code == 200
    listed = {row["code"]: row for row in rounds.json()}
    assert listed[built.code]["has_data"] is True
    assert listed[built.code]["sheets"] == 20
    body = client.get(f"{API}/{built.code}").json()
    assert body["alpha"]["alpha"] == pytest.approx(ordinal_alpha(built.ratings, n_bootstrap=100).alpha, abs=1e-12)
    assert body["alpha"]["ci_low"] <= body["alpha"]["alpha"] <= body["alpha"]["ci_high"]
    assert body["alpha"]["n_bootstrap"] == service.BOOTSTRAP_SAMPLES
    assert body["verdict"] == service.alpha_verdict(body["alpha"]["alpha"]).value
    assert body["round"]["status"] == "closed"
    assert body["flagged_experts"] == 1
    assert sum(b["count"] for b in body["levels"]["histogram"]) == 10


def test_experts_come_flagged_first(client: TestClient, session: Session) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.AUDITOR))
    rows = client.get(f"{API}/{built.code}/experts").json()
    assert rows[0]["expert_id"] == built.lenient.id
    assert rows[0]["flags"] == ["lenient"]
    assert rows[0]["leniency"] > 0.5
    assert rows[0]["leniency_ci_low"] > 0
    assert all(row["flags"] == [] for row in rows[1:])


def test_distributions_by_each_grouping_and_as_csv(client: TestClient, session: Session) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, Role.OPERATOR))
    by_region = client.get(f"{API}/{built.code}/distributions", params={"grouping": "region"}).json()
    assert {group["group"]: group["count"] for group in by_region["groups"]} == {
        "경기도": 4, "경상남도": 3, "서울특별시": 2, "부산광역시": 1}
    by_industry = client.get(f"{API}/{built.code}/distributions",
                             params={"grouping": "industry", "locale": "en"}).json()
    assert sum(group["count"] for group in by_industry["groups"]) == 10
    assert all(group["group"][:2].isdigit() for group in by_industry["groups"])
    by_expert = client.get(f"{API}/{built.code}/distributions", params={"grouping": "expert"}).json()
    assert by_expert["overall"]["count"] == 20
    csv = client.get(f"{API}/{built.code}/distributions.csv", params={"grouping": "region", "locale": "ko"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert f"reliability-{built.code}-region-ko.csv" in csv.headers["content-disposition"]
    assert csv.content.startswith(b"\xef\xbb\xbf")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("지역")
    assert len(lines) == 1 + 4 + 1
    assert client.get(f"{API}/{built.code}/distributions", params={"grouping": "size"}).status_code == 422


@pytest.mark.parametrize("role", [Role.COMPANY_MEMBER, Role.EXPERT])
def test_companies_and_experts_are_refused(client: TestClient, session: Session, role: Role) -> None:
    built = build_round(session)
    sign_in(client, make_user(session, role))
    for path in (API, f"{API}/{built.code}", f"{API}/{built.code}/experts",
                 f"{API}/{built.code}/distributions", f"{API}/{built.code}/distributions.csv"):
        assert client.get(path).status_code == 403, path


def test_an_unknown_round_is_404_and_anonymous_callers_must_sign_in(client: TestClient, session: Session) -> None:
    assert client.get(API).status_code == 401
    sign_in(client, make_user(session, Role.OPERATOR))
    assert client.get(f"{API}/no-such-round").status_code == 404
