"""Eligibility of a closed round: every rule checked with the value it saw, stored with the application, counted
by rule, audited once; refused while the call is open; one application re-checked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.errors import Conflict, InvalidInput, PermissionDenied
from midas.support import eligibility_service as service
from midas.support.enums import ApplicationStatus, ProjectStatus, RoundStatus, SanctionKind
from midas.support.models import SanctionRecord, SupportApplication, SupportProject, SupportTrack
from tests.factories import make_factory, make_organization
from tests.support.factories import make_application, make_round, make_track
from tests.support.factories_applications import AUDITOR, OPERATOR, company, final_assessment


def closed_track(session: Session, **overrides: object) -> SupportTrack:
    now = datetime.now(UTC)
    support_round = make_round(session, status=RoundStatus.CLOSED, year=2026,
                               call_opens_at=now - timedelta(days=40), call_closes_at=now - timedelta(days=1))
    return make_track(session, support_round, **overrides)


def checks_of(application: SupportApplication) -> dict[str, tuple[str, bool]]:
    return {c["rule"]: (c["seen"], c["passed"]) for c in application.eligibility_checks or []}


def sanction(session: Session, organization_id: int, **overrides: object) -> SanctionRecord:
    values: dict[str, object] = {"organization_id": organization_id, "kind": SanctionKind.EXCLUSION,
                                 "reason": "보조금 부정 수급", "starts_on": date(2025, 1, 1), "ends_on": None,
                                 "created_by_label": "operator"}
    values.update(overrides)
    row = SanctionRecord(**values)
    session.add(row)
    session.flush()
    return row


def test_each_rule_is_kept_with_the_value_it_saw(session: Session) -> None:
    track = closed_track(session)
    good_org = make_organization(session, employees=42, ksic_code="29120")
    good = make_application(session, track, good_org, assessment_id=final_assessment(session, good_org, 2).id)
    unassessed = make_application(session, track)
    big_org = make_organization(session, employees=450, ksic_code="34", kind="large_enterprise")
    big = make_application(session, track, big_org, assessment_id=final_assessment(session, big_org, 4).id,
                           company_krw=70_000_000, total_cost_krw=150_000_000)
    sanctioned_org = make_organization(session)
    sanctioned = make_application(session, track, sanctioned_org,
                                  assessment_id=final_assessment(session, sanctioned_org, 1).id)
    barring = sanction(session, sanctioned_org.id)
    sanction(session, sanctioned_org.id, kind=SanctionKind.WARNING)
    sanction(session, sanctioned_org.id, lifted_at=datetime.now(UTC), lift_reason="해제")

    summary = service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)

    assert (summary.evaluated, summary.passed, summary.failed) == (4, 1, 3)
    assert summary.failures_by_rule == {"ksic_division": 1, "level_in_range": 2, "matching_declared": 1,
                                        "no_active_sanction": 1, "size_band": 1}
    for application in (good, unassessed, big, sanctioned):
        session.refresh(application)
    assert good.status is ApplicationStatus.ELIGIBLE
    assert good.eligibility_passed is True
    assert checks_of(good) == {"level_in_range": ("2", True), "size_band": ("small", True),
                               "ksic_division": ("29", True), "no_active_sanction": ("none", True),
                               "no_double_funding": ("none", True), "matching_declared": ("50", True)}
    assert checks_of(unassessed)["level_in_range"] == ("none", False)
    assert unassessed.status is ApplicationStatus.INELIGIBLE
    assert checks_of(big)["level_in_range"] == ("4", False)
    assert checks_of(big)["size_band"] == ("large", False)
    assert checks_of(big)["ksic_division"] == ("34", False)
    assert checks_of(big)["matching_declared"] == ("46.66", False)
    assert checks_of(sanctioned)["no_active_sanction"] == (f"exclusion #{barring.id}", False)
    assert good.eligibility_checks is not None
    assert good.eligibility_checks[0]["label"] == "Assessed level between {min} and {max}"
    assert good.eligibility_checks[0]["params"] == {"min": 1, "max": 2}
    assert good.eligibility_at is not None
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.eligibility.evaluate_round")).all()
    assert len(events) == 1
    assert events[0].details["failed"] == 3


def test_the_same_factory_funded_for_the_same_scope_within_the_years_fails(session: Session) -> None:
    track = closed_track(session)
    organization = make_organization(session)
    factory = make_factory(session, organization)
    earlier_track = make_track(session, make_round(session, status=RoundStatus.DECIDED, year=2024))
    funded_before = make_application(session, earlier_track, organization, factory_id=factory.id, scope="mes",
                                     status=ApplicationStatus.FUNDED)
    session.add(SupportProject(application_id=funded_before.id, organization_id=organization.id,
                               status=ProjectStatus.COMPLETED, government_krw=1, company_krw=1,
                               starts_on=date(2024, 3, 1), ends_on=date(2024, 11, 30)))
    other_scope_track = make_track(session, make_round(session, status=RoundStatus.DECIDED, year=2025))
    other_scope = make_application(session, other_scope_track, organization, factory_id=factory.id,
                                   scope="quality", status=ApplicationStatus.FUNDED)
    session.add(SupportProject(application_id=other_scope.id, organization_id=organization.id,
                               status=ProjectStatus.IN_PROGRESS, government_krw=1, company_krw=1,
                               starts_on=date(2025, 3, 1), ends_on=date(2025, 11, 30)))
    again = make_application(session, track, organization, factory_id=factory.id, scope="mes")
    fresh_scope = make_application(session, track, make_organization(session), scope="mes")
    session.flush()
    service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    session.refresh(again)
    session.refresh(fresh_scope)
    assert checks_of(again)["no_double_funding"] == ("2024", False)
    assert checks_of(fresh_scope)["no_double_funding"] == ("none", True)


def test_a_terminated_earlier_project_does_not_count_as_funding(session: Session) -> None:
    track = closed_track(session)
    organization = make_organization(session)
    factory = make_factory(session, organization)
    earlier = make_track(session, make_round(session, status=RoundStatus.DECIDED, year=2025))
    before = make_application(session, earlier, organization, factory_id=factory.id, status=ApplicationStatus.FUNDED)
    session.add(SupportProject(application_id=before.id, organization_id=organization.id,
                               status=ProjectStatus.TERMINATED, government_krw=1, company_krw=1,
                               starts_on=date(2025, 3, 1), ends_on=date(2025, 11, 30), terminated_reason="취소"))
    again = make_application(session, track, organization, factory_id=factory.id)
    service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    session.refresh(again)
    assert checks_of(again)["no_double_funding"] == ("none", True)


def test_the_region_is_the_factorys_else_the_organizations(session: Session) -> None:
    track = closed_track(session, eligibility_rules=[{"rule": "region", "allowed": ["26", "48"]}])
    busan_org = make_organization(session, region_code="11")
    in_busan = make_application(session, track, busan_org, factory_id=make_factory(session, busan_org,
                                                                                 region_code="26").id)
    no_factory = make_application(session, track, make_organization(session, region_code="48"), factory_id=None)
    elsewhere = make_application(session, track)
    service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    for application in (in_busan, no_factory, elsewhere):
        session.refresh(application)
    assert checks_of(in_busan)["region"] == ("26", True)
    assert checks_of(no_factory)["region"] == ("48", True)
    assert checks_of(elsewhere)["region"] == ("41", False)


def test_evaluation_is_refused_while_the_call_is_open_and_changes_nothing(session: Session) -> None:
    track = make_track(session)
    application = make_application(session, track)
    with pytest.raises(Conflict) as refused:
        service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    assert refused.value.params["status"] == "open"
    session.refresh(application)
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.eligibility_checks is None
    with pytest.raises(PermissionDenied):
        service.evaluate_round(session, actor=AUDITOR, round_id=track.round_id)


def test_broken_rules_are_named_by_track_and_place(session: Session) -> None:
    track = closed_track(session, eligibility_rules=[{"rule": "level_in_range", "min": 3, "max": 1}])
    application = make_application(session, track)
    with pytest.raises(InvalidInput) as refused:
        service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    assert [p.field for p in refused.value.problems] == ["tracks[basic].eligibility_rules[0].max"]
    session.refresh(application)
    assert application.status is ApplicationStatus.SUBMITTED


def test_drafts_and_withdrawn_applications_are_not_evaluated(session: Session) -> None:
    track = closed_track(session)
    draft = make_application(session, track, status=ApplicationStatus.DRAFT)
    withdrawn = make_application(session, track, status=ApplicationStatus.WITHDRAWN)
    summary = service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    assert summary.evaluated == 0
    for application in (draft, withdrawn):
        session.refresh(application)
        assert application.eligibility_checks is None


def test_a_re_check_sees_a_lifted_sanction(session: Session) -> None:
    track = closed_track(session)
    organization = make_organization(session)
    application = make_application(session, track, organization,
                                   assessment_id=final_assessment(session, organization, 2).id)
    barring = sanction(session, organization.id)
    service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    session.refresh(application)
    assert application.status is ApplicationStatus.INELIGIBLE
    barring.lifted_at = datetime.now(UTC)
    session.flush()
    rechecked = service.evaluate_application(session, actor=OPERATOR, application_id=application.id)
    assert rechecked.status is ApplicationStatus.ELIGIBLE
    assert checks_of(rechecked)["no_active_sanction"] == ("none", True)
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "support.eligibility.evaluate_application")) == 1


def test_results_are_filtered_by_result_track_and_failed_rule(session: Session) -> None:
    track = closed_track(session)
    organization = make_organization(session)
    passing = make_application(session, track, organization,
                               assessment_id=final_assessment(session, organization, 1).id)
    failing = make_application(session, track)
    service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    everything = service.list_eligibility_results(session, actor=AUDITOR, round_id=track.round_id)
    assert (everything.summary.evaluated, everything.summary.passed) == (2, 1)
    assert everything.summary.failures_by_rule == {"level_in_range": 1}
    assert [a.id for a in everything.page.items] == [passing.id, failing.id]
    failed = service.list_eligibility_results(session, actor=AUDITOR, round_id=track.round_id, passed=False)
    assert [a.id for a in failed.page.items] == [failing.id]
    by_rule = service.list_eligibility_results(session, actor=AUDITOR, round_id=track.round_id,
                                               failed_rule="size_band")
    assert by_rule.page.total == 0
    with pytest.raises(InvalidInput):
        service.list_eligibility_results(session, actor=AUDITOR, round_id=track.round_id, failed_rule="luck")
    with pytest.raises(PermissionDenied):
        service.list_eligibility_results(session, actor=company(organization), round_id=track.round_id)


def test_a_batch_is_read_in_a_few_queries(session: Session) -> None:
    """Many applications cost a fixed number of queries, not one or more per application."""
    from sqlalchemy import event

    track = closed_track(session)
    for _ in range(30):
        organization = make_organization(session)
        make_application(session, track, organization, assessment_id=final_assessment(session, organization, 2).id)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        summary = service.evaluate_round(session, actor=OPERATOR, round_id=track.round_id)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert summary.evaluated == 30
    assert summary.passed == 30
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8, selects


def test_size_bands_and_the_matching_share_follow_the_registry_and_cut_decimals() -> None:
    assert [service.size_band_of(n) for n in (0, 9, 10, 49, 50, 299, 300)] == [
        "micro", "micro", "small", "small", "medium", "medium", "large"]
    assert service.matching_share_percent(49_999, 0, 100_000) == Decimal("49.99")
    assert service.matching_share_percent(30, 20, 100) == Decimal(50)
    assert service.matching_share_percent(1, 0, 0) == Decimal(0)
