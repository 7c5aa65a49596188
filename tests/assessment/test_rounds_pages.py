"""The rounds pages: frameworks imported with a preview before publishing, rounds created and enrolled, the
assignment run (now, or in the background with a progress page) and its results, and the expert's answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import rounds_pages
from midas.assessment.enums import AssessmentStatus, AssignmentStatus, FrameworkStatus, RoundStatus
from midas.assessment.models import AssessmentRound, Expert, ExpertAssignment, FrameworkVersion
from midas.audit import AuditEvent
from midas.auth import Role, User
from tests.assessment.factories import make_assessment, make_expert, make_round, shipped_version
from tests.assessment.test_frameworks import as_yaml, small_framework
from tests.factories import make_organization, make_user, sign_in


def operator(client: TestClient, session: Session, role: Role = Role.OPERATOR) -> str:
    return sign_in(client, make_user(session, role))


def as_expert(client: TestClient, session: Session, expert: Expert) -> str:
    user = session.get(User, expert.user_id)
    assert user is not None
    client.cookies.clear()
    return sign_in(client, user)


def test_a_pasted_framework_is_previewed_then_published(client: TestClient, session: Session) -> None:
    token = operator(client, session)
    page = client.get("/assessment/frameworks")
    assert page.status_code == 200
    assert 'name="source"' in page.text
    stored = client.post("/assessment/frameworks", data={"csrf_token": token, "source": as_yaml(small_framework())},
                         follow_redirects=False)
    assert stored.status_code == 303, stored.text
    preview = client.get(stored.headers["location"])
    assert "작은 프레임워크" in preview.text
    assert "표본 채점" in preview.text
    assert "이 버전 게시" in preview.text
    version = session.scalar(select(FrameworkVersion).where(FrameworkVersion.code == "small"))
    assert version is not None
    assert version.status is FrameworkStatus.DRAFT
    copy = client.get("/assessment/frameworks", params={"start_from": version.id})
    assert "작은 프레임워크" in copy.text
    assert "second.a" in copy.text
    published = client.post(f"/assessment/frameworks/{version.id}/publish", data={"csrf_token": token},
                            follow_redirects=False)
    assert published.status_code == 303
    session.refresh(version)
    assert version.status is FrameworkStatus.PUBLISHED


def test_an_uploaded_file_with_a_cycle_shows_the_place(client: TestClient, session: Session) -> None:
    token = operator(client, session)
    text = as_yaml(small_framework()).replace("- id: field\n", "- id: field\n  parent: second\n")
    refused = client.post("/assessment/frameworks", data={"csrf_token": token},
                          files={"file": ("틀.yaml", text.encode(), "application/yaml")})
    assert refused.status_code == 422
    assert "areas[0].parent" in refused.text or "순환" in refused.text
    assert session.scalar(select(FrameworkVersion).where(FrameworkVersion.code == "small")) is None


def test_a_round_is_created_from_the_form(client: TestClient, session: Session) -> None:
    token = operator(client, session)
    version = shipped_version(session)
    form = client.get("/assessment/rounds/new")
    assert form.status_code == 200
    assert f'value="{version.id}"' in form.text
    refused = client.post("/assessment/rounds", data={"csrf_token": token, "code": "bad code"})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    created = client.post("/assessment/rounds", data={
        "csrf_token": token, "code": "P-1", "name": "화면 시험", "framework_id": str(version.id), "track": "leading",
        "deadline": "2027-06-30", "limit_own_region": "true"}, follow_redirects=False)
    assert created.status_code == 303
    assert created.headers["location"] == "/assessment/rounds/P-1"
    row = session.scalar(select(AssessmentRound).where(AssessmentRound.code == "P-1"))
    assert row is not None
    assert (row.experts_per_assessment, row.limit_own_region) == (3, True)
    listing = client.get("/assessment/rounds")
    assert "P-1" in listing.text
    assert "화면 시험" in listing.text


def test_enrol_run_and_read_the_results_with_the_why(client: TestClient, session: Session) -> None:
    token = operator(client, session)
    assessment_round = make_round(session)
    company = make_organization(session, name="(주)화면기업")
    enrolled = client.post(f"/assessment/rounds/{assessment_round.code}/enrolments",
                           data={"csrf_token": token, "entries": f"{company.brn} mes, quality"}, follow_redirects=False)
    assert enrolled.status_code == 303
    again = client.post(f"/assessment/rounds/{assessment_round.code}/enrolments",
                        data={"csrf_token": token, "entries": company.brn})
    assert again.status_code == 422
    assert "(주)화면기업" in again.text
    make_expert(session, name="김전문", technologies="mes,quality")
    make_expert(session, name="이전문")
    run = client.post(f"/assessment/rounds/{assessment_round.code}/assignment", data={"csrf_token": token},
                      follow_redirects=False)
    assert run.status_code == 303
    page = client.get(f"/assessment/rounds/{assessment_round.code}")
    assert "김전문" in page.text
    assert "이전문" in page.text
    assert "다루는 기술: 2/2" in page.text or "2개 중 2개" in page.text
    assert "탐욕" in page.text
    session.refresh(assessment_round)
    assert assessment_round.status is RoundStatus.ASSIGNED


def test_an_infeasible_run_is_shown_on_the_round(client: TestClient, session: Session) -> None:
    token = operator(client, session)
    assessment_round = make_round(session)
    make_assessment(session, assessment_round, make_organization(session, name="(주)홀로"))
    refused = client.post(f"/assessment/rounds/{assessment_round.code}/assignment", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "(주)홀로" in refused.text
    session.refresh(assessment_round)
    assert assessment_round.status is RoundStatus.DRAFT


def test_a_large_round_runs_in_the_background_with_progress(
        client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rounds_pages, "INLINE_ASSESSMENTS", 0)
    token = operator(client, session)
    assessment_round = make_round(session)
    assessment = make_assessment(session, assessment_round)
    for _ in range(2):
        make_expert(session)
    session.commit()
    started = client.post(f"/assessment/rounds/{assessment_round.code}/assignment", data={"csrf_token": token},
                          follow_redirects=False)
    assert started.headers["location"] == f"/assessment/rounds/{assessment_round.code}/assignment"
    progress = client.get(started.headers["location"])
    assert progress.status_code == 200
    assert 'id="run-progress"' in progress.text
    fragment = client.get(f"/assessment/rounds/{assessment_round.code}/assignment/progress",
                          headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"] == f"/assessment/rounds/{assessment_round.code}"
    session.expire_all()
    assert session.get(type(assessment), assessment.id).status is AssessmentStatus.SCORING  # type: ignore[union-attr]


def test_a_background_run_that_fails_shows_why(
        client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rounds_pages, "INLINE_ASSESSMENTS", 0)
    token = operator(client, session)
    assessment_round = make_round(session)
    make_assessment(session, assessment_round, make_organization(session, name="(주)배경실패"))
    session.commit()
    client.post(f"/assessment/rounds/{assessment_round.code}/assignment", data={"csrf_token": token})
    fragment = client.get(f"/assessment/rounds/{assessment_round.code}/assignment/progress")
    assert "(주)배경실패" in fragment.text
    assert "HX-Redirect" not in fragment.headers
    assert "hx-trigger" not in fragment.text


def test_auditors_read_rounds_but_cannot_manage(client: TestClient, session: Session) -> None:
    assessment_round = make_round(session)
    token = operator(client, session, Role.AUDITOR)
    page = client.get(f"/assessment/rounds/{assessment_round.code}")
    assert page.status_code == 200
    assert "/enrolments" not in page.text
    assert client.get("/assessment/rounds/new").status_code == 403
    assert client.post(f"/assessment/rounds/{assessment_round.code}/assignment",
                       data={"csrf_token": token}).status_code == 403


def test_experts_may_not_see_rounds(client: TestClient, session: Session) -> None:
    operator(client, session, Role.EXPERT)
    assert client.get("/assessment/rounds").status_code == 403
    assert client.get("/assessment/frameworks").status_code == 403


def proposed(session: Session) -> tuple[ExpertAssignment, list[Expert]]:
    assessment_round = make_round(session)
    assessment = make_assessment(session, assessment_round, make_organization(session, name="(주)방문기업"),
                                 status=AssessmentStatus.SCORING)
    pool = [make_expert(session, with_user=True, years_of_experience=20 - n) for n in range(3)]
    rows = [ExpertAssignment(assessment_id=assessment.id, expert_id=e.id, status=AssignmentStatus.PROPOSED,
                             affinity=80, breakdown={"industry": 40, "industry_matched": True, "technology": 30,
                                                     "matched_technologies": ["mes"], "needed_technologies": ["mes"],
                                                     "region": 10, "travel": "same-area", "experience": 0})
            for e in pool[:2]]
    session.add_all(rows)
    session.flush()
    return rows[0], pool


def test_the_expert_sees_why_and_accepts(client: TestClient, session: Session) -> None:
    assignment, pool = proposed(session)
    token = as_expert(client, session, pool[0])
    page = client.get("/assessment/my")
    assert "(주)방문기업" in page.text
    assert "인접 지역" in page.text
    assert "수락" in page.text
    accepted = client.post(f"/assessment/my/assignments/{assignment.id}/accept", data={"csrf_token": token},
                           follow_redirects=False)
    assert accepted.status_code == 303
    session.refresh(assignment)
    assert assignment.status is AssignmentStatus.ACCEPTED


def test_the_expert_declines_with_a_reason_and_is_replaced(client: TestClient, session: Session) -> None:
    assignment, pool = proposed(session)
    token = as_expert(client, session, pool[0])
    missing = client.post(f"/assessment/my/assignments/{assignment.id}/decline", data={"csrf_token": token})
    assert missing.status_code == 422
    declined = client.post(f"/assessment/my/assignments/{assignment.id}/decline",
                           data={"csrf_token": token, "reason": "해외 출장"}, follow_redirects=False)
    assert declined.status_code == 303
    session.refresh(assignment)
    assert assignment.status is AssignmentStatus.DECLINED
    replacement = session.scalar(select(ExpertAssignment).where(ExpertAssignment.expert_id == pool[2].id))
    assert replacement is not None
    assert replacement.status is AssignmentStatus.PROPOSED


def test_another_expert_is_refused_on_the_page_and_it_is_audited(client: TestClient, session: Session) -> None:
    assignment, pool = proposed(session)
    token = as_expert(client, session, pool[2])
    refused = client.post(f"/assessment/my/assignments/{assignment.id}/decline",
                          data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 403
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.assignment.refused")).all()
    assert [e.object_id for e in events] == [str(assignment.id)]
