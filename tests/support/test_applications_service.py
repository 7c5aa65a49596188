"""Applications: drafts, the plan, completeness, the money rules at submission, one active application a round,
the call window, attachments, withdrawal, and who may read what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.registry import OrganizationKind
from midas.support import applications_service as service
from midas.support.enums import ApplicationStatus, DecisionOutcome, RoundStatus, TrackKind
from midas.support.models import SupportApplication, SupportDecision
from tests.factories import make_factory, make_organization
from tests.support.factories import make_application, make_round, make_track
from tests.support.factories_applications import (
    AUDITOR,
    EXPERT,
    OPERATOR,
    company,
    complete_draft,
    final_assessment,
)


def fields(error: InvalidInput) -> list[str]:
    return [p.field for p in error.problems]


def events(session: Session, action: str) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)) or 0)


# Starting a draft ------------------------------------------------------------------------------------------------


def test_a_company_starts_a_draft_for_its_own_factory(session: Session) -> None:
    track = make_track(session)
    organization = make_organization(session)
    factory = make_factory(session, organization)
    application = service.start_application(session, actor=company(organization), round_id=track.round_id,
                                            track="basic", factory_id=str(factory.id), title=" MES 도입 ", scope="mes")
    assert application.status is ApplicationStatus.DRAFT
    assert (application.title, application.scope, application.track_id) == ("MES 도입", "mes", track.id)
    assert application.organization_id == organization.id


def test_starting_with_another_companys_factory_or_an_unknown_scope_is_refused(session: Session) -> None:
    track = make_track(session)
    organization = make_organization(session)
    foreign = make_factory(session, make_organization(session))
    with pytest.raises(InvalidInput) as refused:
        service.start_application(session, actor=company(organization), round_id=track.round_id, track=track.id,
                                  factory_id=foreign.id, title="", scope="teleport")
    assert fields(refused.value) == ["factory_id", "title", "scope"]
    assert refused.value.problems[0].params == {"id": foreign.id}
    assert session.scalar(select(func.count()).select_from(SupportApplication)) == 0


def test_a_track_of_another_round_is_refused(session: Session) -> None:
    track = make_track(session)
    other = make_track(session)
    organization = make_organization(session)
    factory = make_factory(session, organization)
    with pytest.raises(InvalidInput) as refused:
        service.start_application(session, actor=company(organization), round_id=track.round_id, track=other.id,
                                  factory_id=factory.id, title="x", scope="mes")
    assert fields(refused.value) == ["track"]


def test_only_company_members_apply(session: Session) -> None:
    track = make_track(session)
    with pytest.raises(PermissionDenied):
        service.start_application(session, actor=OPERATOR, round_id=track.round_id, track="basic", factory_id=1,
                                  title="x", scope="mes")


# One active application a round -----------------------------------------------------------------------------------


def test_one_active_application_per_company_per_round(session: Session) -> None:
    support_round = make_round(session)
    basic = make_track(session, support_round)
    advanced = make_track(session, support_round, kind=TrackKind.ADVANCED, name="고도화", name_en="Advanced")
    organization = make_organization(session)
    first = make_application(session, basic, organization)
    factory = make_factory(session, organization)
    with pytest.raises(Conflict) as refused:
        service.start_application(session, actor=company(organization), round_id=support_round.id,
                                  track="advanced", factory_id=factory.id, title="두 번째", scope="quality")
    assert refused.value.params["other_id"] == first.id
    assert "application {other_id}" in refused.value.message
    assert advanced.id not in set(session.scalars(select(SupportApplication.track_id)))
    service.withdraw_application(session, actor=company(organization), application_id=first.id)
    again = service.start_application(session, actor=company(organization), round_id=support_round.id,
                                      track="advanced", factory_id=factory.id, title="두 번째", scope="quality")
    assert again.status is ApplicationStatus.DRAFT


def test_a_track_that_allows_more_takes_a_second_application(session: Session) -> None:
    track = make_track(session, allows_multiple=True)
    organization = make_organization(session)
    make_application(session, track, organization)
    factory = make_factory(session, organization, name="제2공장")
    second = service.start_application(session, actor=company(organization), round_id=track.round_id,
                                       track=track.id, factory_id=factory.id, title="제2공장 자동화",
                                       scope="automation")
    assert second.status is ApplicationStatus.DRAFT


def test_submission_checks_the_one_active_rule_again(session: Session) -> None:
    support_round = make_round(session)
    basic = make_track(session, support_round)
    advanced = make_track(session, support_round, kind=TrackKind.ADVANCED, name="고도화", name_en="Advanced")
    organization = make_organization(session)
    draft = complete_draft(session, basic, organization)
    other = make_application(session, advanced, organization)  # made directly, beside the rule
    with pytest.raises(Conflict) as refused:
        service.submit_application(session, actor=company(organization), application_id=draft.id)
    assert refused.value.params["other_id"] == other.id
    assert draft.status is ApplicationStatus.DRAFT


# The plan and completeness ---------------------------------------------------------------------------------------


def test_an_empty_draft_lists_every_missing_place(session: Session) -> None:
    track = make_track(session, kind=TrackKind.WINWIN, requires_co_funder=True)
    draft = make_application(session, track, status=ApplicationStatus.DRAFT, plan={}, total_cost_krw=0,
                             government_krw=0, company_krw=0)
    missing = fields_of(service.completeness(draft))
    for place in ("plan.goals", "plan.target_kpis.productivity.baseline", "plan.target_kpis.quality.target",
                  "plan.target_kpis.delivery.unit", "plan.suppliers", "plan.budget_lines", "plan.schedule",
                  "government_krw", "co_funder_id", "co_funder_krw"):
        assert place in missing
    assert len([p for p in missing if p.startswith("plan.target_kpis.")]) == 12


def fields_of(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


def test_a_complete_draft_has_nothing_missing(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    assert service.completeness(draft) == []


def test_a_half_filled_kpi_row_names_the_missing_cell(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    service.update_application(session, actor=company(draft.organization), application_id=draft.id,
                               raw={"target_kpis": {**_kpis(), "quality": {"baseline": "3.0", "unit": "%"}}})
    assert fields_of(service.completeness(draft)) == ["plan.target_kpis.quality.target"]


def _kpis() -> dict[str, dict[str, object]]:
    return {k: {"baseline": 1, "target": 2, "unit": "u"} for k in service.KPI_KINDS}


def test_the_total_cost_is_the_sum_of_the_budget_lines(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    service.update_application(session, actor=company(draft.organization), application_id=draft.id, raw={
        "budget_lines": [{"item": "MES", "amount_krw": "100,000,000"}, {"item": "센서", "amount_krw": 20_000_000},
                         {"item": "", "amount_krw": ""}],
        "government_krw": "60,000,000", "company_krw": "60000000"})
    assert draft.total_cost_krw == 120_000_000
    assert len(draft.plan["budget_lines"]) == 2
    assert (draft.government_krw, draft.company_krw) == (60_000_000, 60_000_000)
    assert service.completeness(draft) == []


def test_budgets_that_do_not_add_up_are_named(session: Session) -> None:
    draft = complete_draft(session, make_track(session), company_krw=50_000_000)
    problems = service.completeness(draft)
    assert fields_of(problems) == ["government_krw"]
    assert problems[0].params["funded"] == "130,000,000"
    assert problems[0].params["total"] == "160,000,000"


def test_bad_plan_input_is_refused_at_its_place_and_changes_nothing(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    before = dict(draft.plan)
    enterprise = make_organization(session, kind="sme")
    with pytest.raises(InvalidInput) as refused:
        service.update_application(session, actor=company(draft.organization), application_id=draft.id, raw={
            "goals": "새 목표",
            "budget_lines": [{"item": "MES", "amount_krw": "1억"}, {"item": "x", "amount_krw": -5}],
            "schedule": [{"title": "착수", "due_on": "2027-02-30"}],
            "target_kpis": {"quality": {"baseline": "three", "target": 1, "unit": "%"}, "speed": {}},
            "suppliers": [{"organization_id": enterprise.id, "name": "", "solution": "MES"}],
            "government_krw": "12.5"})
    assert fields(refused.value) == [
        "plan.target_kpis.speed", "plan.target_kpis.quality.baseline", "plan.suppliers[0].organization_id",
        "plan.budget_lines[0].amount_krw", "plan.budget_lines[1].amount_krw", "plan.schedule[0].due_on",
        "government_krw"]
    session.refresh(draft)
    assert draft.plan == before
    assert draft.government_krw == 80_000_000


def test_a_registered_supplier_lends_its_name(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    supplier = make_organization(session, kind=OrganizationKind.TECHNOLOGY_SUPPLIER.value, name="(주)공급사")
    service.update_application(session, actor=company(draft.organization), application_id=draft.id,
                               raw={"suppliers": [{"organization_id": str(supplier.id), "solution": "MES"}]})
    assert draft.plan["suppliers"] == [{"organization_id": supplier.id, "name": "(주)공급사", "solution": "MES"}]


def test_the_plan_form_names_map_to_the_plan() -> None:
    raw = service.plan_from_form({
        "goals": "g", "plan.target_kpis.cost.target": "9", "plan.budget_lines[1].amount_krw": "5",
        "plan.budget_lines[0].item": "a", "plan.suppliers[0].name": "s", "plan.schedule[0].due_on": "2027-01-01",
        "government_krw": "1", "plan.budget_lines[0].evil": "x", "unknown": "y"})
    assert raw["goals"] == "g"
    assert raw["target_kpis"] == {"cost": {"target": "9"}}
    assert raw["budget_lines"] == [{"item": "a"}, {"amount_krw": "5"}]
    assert raw["suppliers"] == [{"name": "s"}]
    assert raw["government_krw"] == "1"
    assert "unknown" not in raw
    assert service.budget_total({"plan.budget_lines[0].amount_krw": "1,000",
                                 "plan.budget_lines[1].amount_krw": "250"}) == 1250
    assert service.budget_total({"plan.budget_lines[0].amount_krw": "abc"}) is None


# Submission: the money rules and the call window --------------------------------------------------------------


def test_an_application_over_the_cap_is_refused_with_cap_and_amount(session: Session) -> None:
    track = make_track(session, cap_krw=50_000_000)
    draft = complete_draft(session, track)
    with pytest.raises(InvalidInput) as refused:
        service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    problem = refused.value.problems[0]
    assert problem.field == "government_krw"
    assert problem.params == {"amount": "80,000,000", "cap": "50,000,000"}
    assert "over the track's cap" in problem.message
    assert draft.status is ApplicationStatus.DRAFT
    assert draft.submitted_at is None
    assert events(session, "support.application.submit") == 0


def test_a_government_share_above_the_track_percentage_is_refused(session: Session) -> None:
    track = make_track(session, government_share_percent=40, matching_share_percent=50)
    draft = complete_draft(session, track)
    with pytest.raises(InvalidInput) as refused:
        service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert fields(refused.value) == ["government_krw"]
    assert refused.value.problems[0].params == {"amount": "80,000,000", "percent": 40, "total": "160,000,000",
                                                "limit": "64,000,000"}


def test_matching_funds_below_the_required_share_are_refused(session: Session) -> None:
    track = make_track(session, government_share_percent=70, matching_share_percent=40)
    draft = complete_draft(session, track, government_krw=100_000_000, company_krw=60_000_000)
    with pytest.raises(InvalidInput) as refused:
        service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert fields(refused.value) == ["company_krw"]
    assert refused.value.problems[0].params["needed"] == "64,000,000"
    assert refused.value.problems[0].params["amount"] == "60,000,000"


def test_a_win_win_application_needs_a_large_enterprise_co_funder(session: Session) -> None:
    track = make_track(session, kind=TrackKind.WINWIN, requires_co_funder=True, government_share_percent=50,
                       matching_share_percent=50)
    sme = make_organization(session, kind="sme", name="(주)중소기업")
    draft = complete_draft(session, track, company_krw=40_000_000, co_funder_krw=40_000_000, co_funder_id=sme.id)
    with pytest.raises(InvalidInput) as refused:
        service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert fields(refused.value) == ["co_funder_id"]
    assert refused.value.problems[0].params == {"name": "(주)중소기업"}
    large = make_organization(session, kind="large_enterprise", employees=5000)
    draft.co_funder_id = large.id
    submitted = service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert submitted.status is ApplicationStatus.SUBMITTED


def test_an_incomplete_draft_is_refused_with_everything_missing(session: Session) -> None:
    draft = make_application(session, make_track(session), status=ApplicationStatus.DRAFT, submitted_at=None)
    with pytest.raises(InvalidInput) as refused:
        service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert "plan.target_kpis.cost.baseline" in fields(refused.value)
    assert refused.value.message == "The application cannot be submitted: {count} problem(s)"


@pytest.mark.parametrize("window", ["before", "after", "closed"])
def test_submission_outside_the_call_is_refused(session: Session, window: str) -> None:
    now = datetime.now(UTC)
    overrides = {
        "before": {"call_opens_at": now + timedelta(days=1), "call_closes_at": now + timedelta(days=30)},
        "after": {"call_opens_at": now - timedelta(days=30), "call_closes_at": now - timedelta(minutes=1)},
        "closed": {"status": RoundStatus.CLOSED},
    }[window]
    track = make_track(session, make_round(session, **overrides))
    draft = complete_draft(session, track)
    with pytest.raises(Conflict) as refused:
        service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert refused.value.params["round"] == track.round.code
    assert draft.status is ApplicationStatus.DRAFT


def test_submission_links_the_latest_final_assessment_and_is_audited(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    now = datetime.now(UTC)
    final_assessment(session, draft.organization, 1, finalized_at=now - timedelta(days=400))
    latest = final_assessment(session, draft.organization, 2, finalized_at=now - timedelta(days=10))
    service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert draft.status is ApplicationStatus.SUBMITTED
    assert draft.assessment_id == latest.id
    assert draft.submitted_at is not None
    assert events(session, "support.application.submit") == 1


def test_submission_without_an_assessment_is_allowed(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    service.submit_application(session, actor=company(draft.organization), application_id=draft.id)
    assert draft.status is ApplicationStatus.SUBMITTED
    assert draft.assessment_id is None


def test_a_submitted_application_cannot_be_edited(session: Session) -> None:
    application = make_application(session, make_track(session))
    with pytest.raises(Conflict):
        service.update_application(session, actor=company(application.organization), application_id=application.id,
                                   raw={"goals": "x"})


# Attachments ---------------------------------------------------------------------------------------------------


def test_attachments_are_checked_for_type_and_size(session: Session) -> None:
    draft = complete_draft(session, make_track(session))
    actor = company(draft.organization)
    with pytest.raises(InvalidInput) as wrong_type:
        service.add_attachment(session, actor=actor, application_id=draft.id, title="", filename="run.exe",
                               content_type="application/octet-stream", content=b"MZ")
    assert wrong_type.value.problems[0].params == {"name": "run.exe"}
    too_big = b"%PDF" + b"0" * service.MAX_ATTACHMENT_BYTES
    with pytest.raises(InvalidInput) as big:
        service.add_attachment(session, actor=actor, application_id=draft.id, title="", filename="plan.pdf",
                               content_type="application/pdf", content=too_big)
    assert big.value.problems[0].params["limit"] == 10
    assert draft.attachments == []
    hwp = service.add_attachment(session, actor=actor, application_id=draft.id, title="사업계획서",
                                 filename="C:\\문서\\계획서.hwp", content_type="application/octet-stream",
                                 content=b"HWP Document File")
    assert (hwp.filename, hwp.content_type, hwp.size_bytes) == ("계획서.hwp", "application/x-hwp", 17)
    service.remove_attachment(session, actor=actor, application_id=draft.id, attachment_id=hwp.id)
    assert draft.attachments == []


# Withdrawal and access -----------------------------------------------------------------------------------------


def test_withdrawal_is_audited_and_refused_after_a_decision(session: Session) -> None:
    application = make_application(session, make_track(session))
    actor = company(application.organization)
    service.withdraw_application(session, actor=actor, application_id=application.id, reason="자체 예산으로 진행")
    assert application.status is ApplicationStatus.WITHDRAWN
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "support.application.withdraw"))
    assert event is not None
    assert event.reason == "자체 예산으로 진행"
    decided = make_application(session, make_track(session), status=ApplicationStatus.ELIGIBLE)
    session.add(SupportDecision(application_id=decided.id, outcome=DecisionOutcome.REJECTED, reasons=[],
                                decided_by_label="operator"))
    session.flush()
    with pytest.raises(Conflict):
        service.withdraw_application(session, actor=company(decided.organization), application_id=decided.id)
    assert decided.status is ApplicationStatus.ELIGIBLE


def test_a_company_cannot_read_another_companys_application(session: Session) -> None:
    application = make_application(session, make_track(session))
    stranger = company(make_organization(session))
    with pytest.raises(NotFound):
        service.get_application_status(session, actor=stranger, application_id=application.id)
    with pytest.raises(NotFound):
        service.withdraw_application(session, actor=stranger, application_id=application.id)
    with pytest.raises(NotFound):
        service.get_application_status(session, actor=EXPERT, application_id=application.id)
    assert service.get_application_status(session, actor=AUDITOR, application_id=application.id).application is \
        application
    with pytest.raises(PermissionDenied):
        service.withdraw_application(session, actor=OPERATOR, application_id=application.id)


def test_the_status_view_offers_the_appeal_only_within_the_window(session: Session) -> None:
    application = make_application(session, make_track(session), status=ApplicationStatus.REJECTED)
    decision = SupportDecision(application_id=application.id, outcome=DecisionOutcome.REJECTED,
                               reasons=[{"message": "Not funded", "params": {}}], decided_by_label="operator",
                               appeal_deadline=datetime.now(UTC) + timedelta(days=14))
    session.add(decision)
    session.flush()
    view = service.get_application_status(session, actor=company(application.organization),
                                          application_id=application.id)
    assert view.decision is decision
    assert view.can_appeal
    assert view.links["appeal"] == f"/support/decisions/{decision.id}/appeal"
    assert [s.key for s in view.steps if s.current] == ["decision"]
    decision.appeal_deadline = datetime.now(UTC) - timedelta(minutes=1)
    session.flush()
    late = service.get_application_status(session, actor=company(application.organization),
                                          application_id=application.id)
    assert not late.can_appeal
    assert "appeal" not in late.links


# Lists ---------------------------------------------------------------------------------------------------------


def test_open_rounds_show_the_companys_status_in_each_track(session: Session) -> None:
    support_round = make_round(session)
    basic = make_track(session, support_round)
    make_track(session, support_round, kind=TrackKind.ADVANCED, name="고도화", name_en="Advanced")
    make_track(session, make_round(session, status=RoundStatus.CLOSED))
    organization = make_organization(session)
    mine = make_application(session, basic, organization)
    rounds = service.list_open_rounds_for_company(session, actor=company(organization))
    offered = next(o for o in rounds if o.round.id == support_round.id)
    assert [(t.track.kind, t.application.id if t.application else None, t.can_apply) for t in offered.tracks] == [
        (TrackKind.BASIC, mine.id, False), (TrackKind.ADVANCED, None, False)]
    assert all(o.round.status is RoundStatus.OPEN for o in rounds)
    assert service.list_my_applications(session, actor=company(organization)) == [mine]


def test_operators_filter_applications_by_status_and_region(session: Session) -> None:
    track = make_track(session)
    busan = make_organization(session, region_code="26")
    in_busan = make_application(session, track, busan)
    seoul_factory_org = make_organization(session, region_code="41")
    make_application(session, track, seoul_factory_org)
    make_application(session, track, status=ApplicationStatus.DRAFT)
    page = service.list_applications(session, actor=OPERATOR, round_id=track.round_id, status="submitted")
    assert page.total == 2
    in_region = service.list_applications(session, actor=OPERATOR, round_id=track.round_id, region="41")
    assert in_busan.id in [a.id for a in in_region.items]  # its factory is in 41, whatever its seat
    with pytest.raises(InvalidInput) as refused:
        service.list_applications(session, actor=OPERATOR, status="lost", region="Seoul")
    assert fields(refused.value) == ["status", "region"]
    with pytest.raises(PermissionDenied):
        service.list_applications(session, actor=company(busan))


def test_a_problems_place_reads_in_words() -> None:
    assert service.place_of("plan.budget_lines[1].amount_krw") == [("Budget", {}), ("Row {row}", {"row": 2}),
                                                                   ("Amount", {})]
    assert service.place_of("plan.target_kpis.quality.target") == [("Target KPIs", {}), ("Quality", {}),
                                                                   ("Target", {})]
    assert service.place_of("government_krw") == [("Government support requested", {})]
