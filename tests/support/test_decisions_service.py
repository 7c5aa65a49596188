"""Decisions: issued for a round from its current run with truthful reasons and notifications, made by hand only
with a reason, promoted from the waitlist within the budgets, and made final when the appeal window closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Actor, Role
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.support.applications_service import decline_grant
from midas.support.decisions_service import (
    PROMOTED,
    decide_application,
    finalize_decisions,
    get_decisions_overview,
    issue_decisions,
    list_round_decisions,
    promote_waitlist,
)
from midas.support.enums import ApplicationStatus, DecisionOutcome, RoundStatus
from midas.support.models import SupportAppeal, SupportApplication, SupportDecision, SupportNotification
from midas.support.selection_service import run_selection
from tests.support.factories import make_region_budget
from tests.support.factories_selection import (
    AUDITOR,
    OPERATOR,
    SEED,
    SelectionSetup,
    add_applicant,
    failed_checks,
    published_round,
)

M = 1_000_000
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def current(session: Session, application: SupportApplication) -> SupportDecision:
    return session.scalars(select(SupportDecision).where(SupportDecision.application_id == application.id,
                                                         SupportDecision.is_current.is_(True))).one()


def decided_round(session: Session, budget: int = 200 * M) -> tuple[SelectionSetup, list[SupportApplication]]:
    """Two funded (80M each), two waitlisted (80M, then 50M), one ineligible; decisions issued at NOW."""
    setup = published_round(session, track_overrides={"budget_krw": budget})
    apps = [add_applicant(session, setup, score=s, grant=g, region="41")
            for s, g in (("90.0", 80 * M), ("85.0", 80 * M), ("70.0", 80 * M), ("60.0", 50 * M))]
    apps.append(add_applicant(session, setup, score="88.0", grant=80 * M, status=ApplicationStatus.INELIGIBLE,
                              eligibility_passed=False, eligibility_checks=failed_checks()))
    run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    issue_decisions(session, actor=OPERATOR, round_id=setup.round.id, now=NOW)
    return setup, apps


def test_a_small_round_end_to_end(session: Session) -> None:
    setup = published_round(session, track_overrides={"budget_krw": 200 * M})
    a, b, c = (add_applicant(session, setup, score=s, grant=80 * M, region="41") for s in ("90.0", "85.0", "70.0"))
    d = add_applicant(session, setup, score="60.0", grant=80 * M)
    ineligible = add_applicant(session, setup, score="88.0", grant=80 * M, status=ApplicationStatus.INELIGIBLE,
                               eligibility_passed=False, eligibility_checks=failed_checks())
    run = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)

    issued = issue_decisions(session, actor=OPERATOR, round_id=setup.round.id, now=NOW)

    assert issued.counts == {"funded": 2, "waitlisted": 2, "rejected": 1}
    assert issued.by_track == {"basic": {"funded": 2, "waitlisted": 2, "rejected": 1}}
    for app in (a, b, c, d, ineligible):
        session.refresh(app)
    assert [x.status for x in (a, b, c, d, ineligible)] == [
        ApplicationStatus.FUNDED, ApplicationStatus.FUNDED, ApplicationStatus.WAITLISTED,
        ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED]
    funded = current(session, a)
    assert funded.outcome is DecisionOutcome.FUNDED
    assert funded.selection_run_id == run.id
    assert funded.reasons[0]["message"] == "Funded: within the track budget"
    assert funded.appeal_deadline == NOW + timedelta(days=14)
    waiting = current(session, c)
    assert waiting.reasons[0]["params"] == {"remaining": 40 * M, "requested": 80 * M}
    assert waiting.reasons[1] == {"message": "Waitlist position {position} in the track", "params": {"position": 1}}
    assert current(session, d).reasons[1]["params"] == {"position": 2}
    rejected = current(session, ineligible)
    assert rejected.reasons == [{"message": "Assessed level between {min} and {max}", "params": {"min": 1, "max": 2},
                                 "rule": "level_in_range", "seen": "4"}]
    assert setup.round.status is RoundStatus.DECIDED
    assert setup.round.decided_at == NOW
    notices = session.scalars(select(SupportNotification).where(
        SupportNotification.organization_id == ineligible.organization_id)).all()
    assert len(notices) == 1
    assert notices[0].link == f"/support/applications/{ineligible.id}"
    assert "not funded" in notices[0].message
    assert notices[0].params["title"] == ineligible.title
    assert session.scalars(select(SupportNotification)).all().__len__() == 5
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "support.decisions.issued")).one()
    overview = get_decisions_overview(session, actor=AUDITOR, round_id=setup.round.id)
    assert overview.tracks[0].counts == {"funded": 2, "waitlisted": 2, "rejected": 1}
    assert (overview.tracks[0].funded_krw, overview.tracks[0].remaining_krw) == (160 * M, 40 * M)
    assert list_round_decisions(session, actor=AUDITOR, round_id=setup.round.id, outcome="waitlisted").total == 2


def test_decisions_are_issued_once_and_only_after_a_run(session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    with pytest.raises(Conflict, match="no current selection run"):
        issue_decisions(session, actor=OPERATOR, round_id=setup.round.id)
    run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    issue_decisions(session, actor=OPERATOR, round_id=setup.round.id)
    with pytest.raises(Conflict, match="already issued"):
        issue_decisions(session, actor=OPERATOR, round_id=setup.round.id)
    assert len(session.scalars(select(SupportDecision)).all()) == 1


def test_an_eligible_application_missing_from_the_run_stops_the_issue(session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    late = add_applicant(session, setup, score="70.0", grant=10 * M)
    with pytest.raises(Conflict) as refused:
        issue_decisions(session, actor=OPERATOR, round_id=setup.round.id)
    assert refused.value.params["first"] == late.id
    assert session.scalars(select(SupportDecision)).all() == []


def test_a_manual_decision_needs_a_reason_and_supersedes(session: Session) -> None:
    _setup, apps = decided_round(session)
    waitlisted = apps[3]
    before = current(session, waitlisted)
    for reasons in ([], ["  "]):
        with pytest.raises(InvalidInput) as refused:
            decide_application(session, actor=OPERATOR, application_id=waitlisted.id, outcome="rejected",
                               reasons=reasons)
        assert refused.value.problems[0].field == "reasons"
    with pytest.raises(InvalidInput):
        decide_application(session, actor=OPERATOR, application_id=waitlisted.id, outcome="maybe", reasons=["x"])
    assert current(session, waitlisted).id == before.id

    made = decide_application(session, actor=OPERATOR, application_id=waitlisted.id, outcome="rejected",
                              reasons=["The supplier's quote was withdrawn"], now=NOW)
    session.refresh(before)
    assert (before.is_current, made.is_current, made.supersedes_id) == (False, True, before.id)
    assert made.reasons == [{"message": "{text}", "params": {"text": "The supplier's quote was withdrawn"}}]
    assert waitlisted.status is ApplicationStatus.REJECTED
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.decision.made")).one()
    assert event.reason == "The supplier's quote was withdrawn"


def test_funding_by_hand_must_fit_the_track_budget(session: Session) -> None:
    _, apps = decided_round(session)  # 160M of 200M used
    with pytest.raises(Conflict) as refused:
        decide_application(session, actor=OPERATOR, application_id=apps[2].id, outcome="funded", reasons=["appeal"])
    assert refused.value.params == {"id": apps[2].id, "requested": 80 * M, "remaining": 40 * M}
    made = decide_application(session, actor=OPERATOR, application_id=apps[3].id, outcome="rejected",
                              reasons=["appeal rejected"], final=True)
    assert made.is_final
    assert made.appeal_deadline is None


def test_promotion_funds_the_waitlist_in_rank_order_within_the_budget(session: Session) -> None:
    setup, apps = decided_round(session)
    assert promote_waitlist(session, actor=OPERATOR, track_id=setup.track.id) == []  # 40M left: nothing fits
    # Funds free up: a funded company withdraws. 120M left: the 80M application (first on the waitlist) fits, then
    # 40M are left and the 50M one waits.
    apps[0].status = ApplicationStatus.WITHDRAWN
    session.flush()
    promoted = promote_waitlist(session, actor=OPERATOR, track_id=setup.track.id, now=NOW)
    assert [d.application_id for d in promoted] == [apps[2].id]
    assert (apps[2].status, apps[3].status) == (ApplicationStatus.FUNDED, ApplicationStatus.WAITLISTED)
    assert current(session, apps[2]).reasons == [{"message": PROMOTED, "params": {}}]
    assert current(session, apps[2]).supersedes_id is not None
    assert promote_waitlist(session, actor=OPERATOR, track_id=setup.track.id) == []
    funded = session.scalars(select(SupportApplication).where(
        SupportApplication.track_id == setup.track.id, SupportApplication.status == ApplicationStatus.FUNDED)).all()
    assert sum(a.government_krw for a in funded) <= setup.track.budget_krw


def test_a_declined_grant_frees_its_money_for_the_waitlist(session: Session) -> None:
    setup, apps = decided_round(session)
    company = Actor(user_id=None, label="member@test", role=Role.COMPANY_MEMBER,
                    organization_id=apps[0].organization_id)
    with pytest.raises(InvalidInput):
        decline_grant(session, actor=company, application_id=apps[0].id, reason="  ")
    assert apps[0].status is ApplicationStatus.FUNDED
    stranger = Actor(user_id=None, label="other@test", role=Role.COMPANY_MEMBER,
                     organization_id=apps[2].organization_id)
    with pytest.raises((NotFound, PermissionDenied)):
        decline_grant(session, actor=stranger, application_id=apps[0].id, reason="남의 신청")
    with pytest.raises(Conflict):
        decline_grant(session, actor=stranger, application_id=apps[2].id, reason="예비 선정은 포기할 지원금이 없다")
    decline_grant(session, actor=company, application_id=apps[0].id, reason="자체 자금으로 추진하기로 함")
    assert apps[0].status is ApplicationStatus.WITHDRAWN
    assert session.scalar(select(AuditEvent.reason).where(AuditEvent.action == "support.application.decline_grant")) \
        == "자체 자금으로 추진하기로 함"
    promoted = promote_waitlist(session, actor=OPERATOR, track_id=setup.track.id, now=NOW)
    assert [d.application_id for d in promoted] == [apps[2].id]


def test_promotion_respects_region_budgets_and_keeps_the_quota(session: Session) -> None:
    setup = published_round(session, track_overrides={
        "budget_krw": 100 * M, "quotas": [{"regions": ["26"], "min_share_percent": 60, "measure": "amount"}]})
    make_region_budget(session, setup.track, "47", 20 * M)
    busan = add_applicant(session, setup, score="90.0", grant=50 * M, region="26")  # 950
    busan_b = add_applicant(session, setup, score="50.0", grant=40 * M, region="26")  # 550
    seoul = add_applicant(session, setup, score="80.0", grant=50 * M, region="11")  # 830
    capital = add_applicant(session, setup, score="79.0", grant=40 * M, region="41")  # 820
    busan_d = add_applicant(session, setup, score="30.0", grant=40 * M, region="26")  # 350
    gyeongbuk = add_applicant(session, setup, score="95.0", grant=30 * M, region="47")  # over its region budget
    run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    issue_decisions(session, actor=OPERATOR, round_id=setup.round.id)
    assert {a.id for a in setup.applications if a.status is ApplicationStatus.FUNDED} == {busan.id, busan_b.id}
    busan_b.status = ApplicationStatus.WITHDRAWN  # 50M free; Busan holds 50M of 50M funded
    session.flush()
    promoted = promote_waitlist(session, actor=OPERATOR, track_id=setup.track.id)
    # Gyeongbuk's 30M is over its region's 20M; Seoul (50 of 100M) and Gyeonggi (50 of 90M) would leave Busan
    # under its 60 % share; the next Busan application fits and keeps it.
    assert [d.application_id for d in promoted] == [busan_d.id]
    assert {gyeongbuk.status, seoul.status, capital.status} == {ApplicationStatus.WAITLISTED}


def test_promotion_waits_for_issued_decisions(session: Session) -> None:
    setup = published_round(session)
    with pytest.raises(Conflict):
        promote_waitlist(session, actor=OPERATOR, track_id=setup.track.id)


def test_decisions_become_final_after_the_window_unless_appealed(session: Session) -> None:
    _, apps = decided_round(session)
    appealed = current(session, apps[2])
    session.add(SupportAppeal(decision_id=appealed.id, application_id=apps[2].id, reason="score", filed_by_label="c"))
    session.flush()
    assert finalize_decisions(session, now=NOW + timedelta(days=13)) == 0
    assert finalize_decisions(session, now=NOW + timedelta(days=15)) == 4
    assert finalize_decisions(session, now=NOW + timedelta(days=15)) == 0
    session.refresh(appealed)
    assert not appealed.is_final
    assert current(session, apps[0]).is_final
