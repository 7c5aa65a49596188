"""The appeals pages: the company's appeal form with the decision and its Seoul-time deadline, the operators'
list and appeal page (re-reviewers, reviews side by side, resolution), the experts' re-reviews and inspections."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.support.enums import AppealStatus, ProjectStatus, ReviewStatus
from midas.support.models import SupportAppeal, SupportDecision
from tests.factories import make_user, sign_in
from tests.support.factories_projects import (
    decided_application,
    expert_user,
    make_appeal,
    make_project,
    make_review,
    member_of,
)

REASON = "평가 점수에 반영되지 않은 MES 구축 실적과 인증서가 있습니다."


def test_the_company_sees_the_decision_and_files_an_appeal(client: TestClient, session: Session) -> None:
    deadline = datetime(2031, 5, 20, 14, 59, tzinfo=UTC)  # 23:59 in Seoul
    application, decision = decided_application(session, appeal_deadline=deadline)
    token = sign_in(client, member_of(session, application.organization_id))
    page = client.get(f"/support/decisions/{decision.id}/appeal")
    assert page.status_code == 200
    assert "이의신청 기한" in page.text
    assert "2031-05-20 23:59" in page.text
    assert "Not funded within the budget" in page.text  # the decision's reason
    short = client.post(f"/support/decisions/{decision.id}/appeal", data={"csrf_token": token, "reason": "짧음"})
    assert short.status_code == 422
    assert "이의신청 사유를 20~5000자로" in short.text
    assert session.scalars(select(SupportAppeal)).all() == []
    filed = client.post(f"/support/decisions/{decision.id}/appeal", data={"csrf_token": token, "reason": REASON},
                        follow_redirects=False)
    assert filed.status_code == 303
    shown = client.get(filed.headers["location"])
    assert "이의신청이 접수되었습니다" in shown.text
    assert "접수" in shown.text
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    english = client.get(f"/support/decisions/{decision.id}/appeal")
    assert "Your appeal" in english.text
    assert "Appeal deadline" in english.text


def test_another_company_cannot_open_the_appeal_form(client: TestClient, session: Session) -> None:
    _, decision = decided_application(session)
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get(f"/support/decisions/{decision.id}/appeal").status_code == 404


def test_an_operator_assigns_re_reviewers_and_resolves_with_reviews_side_by_side(client: TestClient,
                                                                                 session: Session) -> None:
    application, decision = decided_application(session)
    appeal = make_appeal(session, decision)
    for _ in range(2):
        expert_user(session)
    token = sign_in(client, make_user(session, Role.OPERATOR))
    listing = client.get("/support/appeals?status=open")
    assert listing.status_code == 200
    assert f'href="/support/appeals/{appeal.id}"' in listing.text
    page = client.get(f"/support/appeals/{appeal.id}")
    assert "재검토 전문가 배정" in page.text
    too_many = client.post(f"/support/appeals/{appeal.id}/reviewers", data={"csrf_token": token, "count": "9"})
    assert too_many.status_code == 422
    assert "재검토 전문가는 1~5명" in too_many.text
    assigned = client.post(f"/support/appeals/{appeal.id}/reviewers", data={"csrf_token": token, "count": "2"},
                           follow_redirects=False)
    assert assigned.status_code == 303
    session.refresh(appeal)
    assert appeal.status is AppealStatus.UNDER_REVIEW
    for review in appeal.reviews:
        review.status, review.score, review.supports_appeal = ReviewStatus.SUBMITTED, 8000, True
        review.opinion, review.submitted_at = "실적 확인됨", datetime.now(UTC)
    session.flush()
    page = client.get(f"/support/appeals/{appeal.id}")
    assert "재검토 의견 비교" in page.text
    assert page.text.count("실적 확인됨") == 2
    resolved = client.post(f"/support/appeals/{appeal.id}/resolve",
                           data={"csrf_token": token, "granted": "yes", "resolution": "재검토 전원 지지로 인용"},
                           follow_redirects=False)
    assert resolved.status_code == 303
    session.refresh(appeal)
    assert appeal.status is AppealStatus.GRANTED
    assert session.scalars(select(SupportDecision).where(SupportDecision.supersedes_id == decision.id)).one()
    assert application.id == appeal.application_id


def test_an_expert_reviews_on_the_reviews_page_and_inspects(client: TestClient, session: Session) -> None:
    _, decision = decided_application(session)
    appeal = make_appeal(session, decision, status=AppealStatus.UNDER_REVIEW)
    expert, user = expert_user(session)
    make_review(session, appeal, expert)
    project = make_project(session, status=ProjectStatus.DELIVERED, inspector_expert_id=expert.id)
    token = sign_in(client, user)
    page = client.get("/support/reviews")
    assert page.status_code == 200
    assert "내 이의신청 재검토" in page.text
    assert f'action="/support/reviews/appeals/{appeal.id}"' in page.text
    assert f'action="/support/reviews/projects/{project.id}"' in page.text
    bad = client.post(f"/support/reviews/appeals/{appeal.id}",
                      data={"csrf_token": token, "score": "99999", "supports_appeal": "yes", "opinion": "의견 작성"})
    assert bad.status_code == 422
    assert "0~10000 사이의 정수" in bad.text
    done = client.post(f"/support/reviews/appeals/{appeal.id}",
                       data={"csrf_token": token, "score": "7500", "supports_appeal": "no", "opinion": "원 결정 타당"},
                       follow_redirects=False)
    assert done.status_code == 303
    inspected = client.post(f"/support/reviews/projects/{project.id}",
                            data={"csrf_token": token, "passed": "yes", "note": "전 기능 정상 작동"},
                            follow_redirects=False)
    assert inspected.status_code == 303
    session.refresh(project)
    assert project.status is ProjectStatus.COMPLETED
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    assert "My completion inspections" in client.get("/support/reviews").text


def test_an_unassigned_expert_posting_a_review_is_refused(client: TestClient, session: Session) -> None:
    _, decision = decided_application(session)
    appeal = make_appeal(session, decision, status=AppealStatus.UNDER_REVIEW)
    _, user = expert_user(session)
    token = sign_in(client, user)
    refused = client.post(f"/support/reviews/appeals/{appeal.id}",
                          data={"csrf_token": token, "score": "5000", "supports_appeal": "yes", "opinion": "의견"})
    assert refused.status_code == 403
