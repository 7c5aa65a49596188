"""Projects: agreed only for a funded application, payments within the agreement, delivery before inspection by a
non-conflicted inspector (others refused and audited), outcomes against targets, clawback within what was paid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import AffiliationKind
from midas.audit import AuditEvent
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.support import projects_service as service
from midas.support.enums import DecisionOutcome, MilestoneStatus, PayerKind, ProjectStatus, SanctionKind
from midas.support.models import ProjectClawback, ProjectPayment, SupportProject
from tests.assessment.factories import make_affiliation
from tests.factories import make_organization
from tests.support.factories_projects import (
    actor_of,
    decided_application,
    expert_user,
    make_project,
    make_sanction,
    member_of,
    operator,
    other_company,
)


def actions(session: Session, project: SupportProject) -> list[str]:
    return [e.action for e in session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "support_project", AuditEvent.object_id == str(project.id))
        .order_by(AuditEvent.id))]


def test_a_project_is_agreed_for_a_funded_application_with_its_schedule(session: Session) -> None:
    application, _ = decided_application(session, outcome=DecisionOutcome.FUNDED, is_final=False)
    application.co_funder_krw = 20_000_000
    supplier = make_organization(session, kind="technology_supplier")
    project = service.create_project(session, actor=operator(session), application_id=application.id,
                                     starts_on="2027-03-01", ends_on="2027-12-31", supplier_id=str(supplier.id))
    assert (project.status, project.government_krw, project.company_krw) == (
        ProjectStatus.AGREED, 80_000_000, 100_000_000)
    assert [(m.title, m.due_on) for m in project.milestones] == [("착수", date(2027, 3, 1)),
                                                                 ("구축 완료", date(2027, 9, 30))]
    assert project.supplier_id == supplier.id
    assert actions(session, project) == ["support.project.agreed"]
    with pytest.raises(Conflict) as twice:
        service.create_project(session, actor=operator(session), application_id=application.id,
                               starts_on="2027-03-01", ends_on="2027-12-31")
    assert twice.value.params == {"id": application.id, "project_id": project.id}


@pytest.mark.parametrize("outcome", [DecisionOutcome.WAITLISTED, DecisionOutcome.REJECTED])
def test_no_project_without_a_current_funded_decision(session: Session, outcome: DecisionOutcome) -> None:
    application, _ = decided_application(session, outcome=outcome)
    with pytest.raises(Conflict) as refused:
        service.create_project(session, actor=operator(session), application_id=application.id,
                               starts_on="2027-03-01", ends_on="2027-12-31")
    assert "no current funded decision" in refused.value.english()
    superseded, _ = decided_application(session, outcome=DecisionOutcome.FUNDED, is_current=False)
    with pytest.raises(Conflict):
        service.create_project(session, actor=operator(session), application_id=superseded.id,
                               starts_on="2027-03-01", ends_on="2027-12-31")
    assert session.scalars(select(SupportProject)).all() == []


def test_bad_dates_and_supplier_are_refused_at_their_fields(session: Session) -> None:
    application, _ = decided_application(session, outcome=DecisionOutcome.FUNDED)
    with pytest.raises(InvalidInput) as refused:
        service.create_project(session, actor=operator(session), application_id=application.id,
                               starts_on="2027-03-01", ends_on="2027-02-01", supplier_id=999_999_999)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("ends_on", "The project must end on or after its start ({starts_on})"),
        ("supplier_id", "No organization with id {id}")]
    with pytest.raises(PermissionDenied):
        service.create_project(session, actor=actor_of(member_of(session, application.organization_id)),
                               application_id=application.id, starts_on="2027-03-01", ends_on="2027-12-31")
    assert session.scalars(select(SupportProject)).all() == []


def test_payments_cannot_exceed_the_agreement_and_a_refusal_changes_nothing(session: Session) -> None:
    project = make_project(session)
    actor = operator(session)
    service.record_payment(session, actor=actor, project_id=project.id, payer="government", amount_krw=50_000_000,
                           paid_on="2027-04-01", milestone_id=str(project.milestones[0].id))
    assert project.status is ProjectStatus.IN_PROGRESS
    with pytest.raises(InvalidInput) as refused:
        service.record_payment(session, actor=actor, project_id=project.id, payer="government",
                               amount_krw="30,000,001", paid_on="2027-05-01")
    problem = refused.value.problems[0]
    assert problem.field == "amount_krw"
    assert problem.params == {"amount": 30_000_001, "total": 80_000_001, "agreed": 80_000_000}
    assert "government share" in problem.message
    service.record_payment(session, actor=actor, project_id=project.id, payer="government", amount_krw=30_000_000,
                           paid_on="2027-05-01")
    service.record_payment(session, actor=actor, project_id=project.id, payer="company", amount_krw=80_000_000,
                           paid_on="2027-05-01")
    assert service.paid_total(project, PayerKind.GOVERNMENT) == 80_000_000
    assert len(session.scalars(select(ProjectPayment)).all()) == 3
    with pytest.raises(InvalidInput) as bad:
        service.record_payment(session, actor=actor, project_id=project.id, payer="bank", amount_krw=-5,
                               paid_on="someday", milestone_id=123456789)
    assert [p.field for p in bad.value.problems] == ["payer", "amount_krw", "paid_on", "milestone_id"]


def test_the_state_machine_delivery_inspection_completion(session: Session) -> None:
    project = make_project(session)
    member = actor_of(member_of(session, project.organization_id))
    inspector, inspector_user = expert_user(session)
    inspector_actor = actor_of(inspector_user)
    service.assign_inspector(session, actor=operator(session), project_id=project.id, expert_id=inspector.id)
    with pytest.raises(Conflict) as early:
        service.submit_inspection(session, actor=inspector_actor, project_id=project.id, passed=True,
                                  note="현장 점검 완료")
    assert "after the supplier's delivery" in early.value.english()
    service.complete_milestone(session, actor=member, project_id=project.id, milestone_id=project.milestones[0].id)
    assert project.status is ProjectStatus.IN_PROGRESS
    assert project.milestones[0].status is MilestoneStatus.DONE
    service.mark_delivered(session, actor=member, project_id=project.id)
    assert project.status is ProjectStatus.DELIVERED
    with pytest.raises(Conflict):
        service.mark_delivered(session, actor=member, project_id=project.id)
    service.submit_inspection(session, actor=inspector_actor, project_id=project.id, passed="false",
                              note="라벨 프린터 연동이 미완료")
    assert (project.status, project.inspection_note) == (ProjectStatus.IN_PROGRESS, "라벨 프린터 연동이 미완료")
    service.mark_delivered(session, actor=member, project_id=project.id)
    service.submit_inspection(session, actor=inspector_actor, project_id=project.id, passed=True,
                              note="전 기능 정상 작동 확인")
    assert project.status is ProjectStatus.COMPLETED
    assert project.completed_at is not None
    with pytest.raises(Conflict):
        service.terminate_project(session, actor=operator(session), project_id=project.id, reason="종료 시도")
    assert actions(session, project) == [
        "support.project.inspector_assigned", "support.project.milestone_done", "support.project.delivered",
        "support.project.inspected", "support.project.delivered", "support.project.inspected"]


def test_an_inspector_with_a_conflict_or_from_the_supplier_is_refused(session: Session) -> None:
    supplier = make_organization(session, kind="technology_supplier")
    project = make_project(session, supplier_id=supplier.id)
    organization = project.application.organization
    conflicted, _ = expert_user(session)
    make_affiliation(session, conflicted, organization, kind=AffiliationKind.CONSULTANT)
    from_supplier, _ = expert_user(session, employer_id=supplier.id)
    with pytest.raises(InvalidInput) as refused:
        service.assign_inspector(session, actor=operator(session), project_id=project.id, expert_id=conflicted.id)
    assert refused.value.problems[0].message == "Expert {name} has a conflict of interest with the company"
    with pytest.raises(InvalidInput) as employee:
        service.assign_inspector(session, actor=operator(session), project_id=project.id,
                                 expert_id=from_supplier.id)
    assert employee.value.problems[0].message == "Expert {name} works for the project's supplier"
    choices = {e.id for e in service.inspector_choices(session, actor=operator(session), project_id=project.id)}
    assert not {conflicted.id, from_supplier.id} & choices
    assert project.inspector_expert_id is None


def test_an_expert_who_is_not_the_inspector_is_refused_and_audited(session: Session) -> None:
    project = make_project(session, status=ProjectStatus.DELIVERED)
    inspector, _ = expert_user(session)
    project.inspector_expert_id = inspector.id
    _, stranger = expert_user(session)
    session.commit()
    with pytest.raises(PermissionDenied):
        service.submit_inspection(session, actor=actor_of(stranger), project_id=project.id, passed=True,
                                  note="통과로 처리합니다")
    session.rollback()
    refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.inspection.refused")).all()
    assert [(e.actor_user_id, e.object_id) for e in refused] == [(stranger.id, str(project.id))]
    session.refresh(project)
    assert project.status is ProjectStatus.DELIVERED


def test_outcomes_are_met_or_not_in_the_direction_of_the_target(session: Session) -> None:
    project = make_project(session, status=ProjectStatus.COMPLETED)
    member = actor_of(member_of(session, project.organization_id))
    with pytest.raises(InvalidInput) as refused:
        service.record_outcome(session, actor=member, project_id=project.id,
                               achieved={"productivity": "many", "cost": "5"})
    assert [p.field for p in refused.value.problems] == ["achieved.cost", "achieved.productivity",
                                                         "achieved.quality"]
    service.record_outcome(session, actor=member, project_id=project.id,
                           achieved={"productivity": "118", "quality": "1.8"})
    kpis = project.achieved_kpis
    assert kpis is not None
    assert (kpis["productivity"]["met"], kpis["productivity"]["higher_is_better"]) == (True, True)
    assert (kpis["quality"]["met"], kpis["quality"]["higher_is_better"]) == (False, False)
    assert service.kpi_met("cost", 100, 100, 90) == (False, True)
    assert service.kpi_met("delivery", 5, 3, 2) == (False, True)
    with pytest.raises(NotFound):
        service.record_outcome(session, actor=other_company(session), project_id=project.id, achieved={})


def test_outcomes_wait_for_completion(session: Session) -> None:
    project = make_project(session, status=ProjectStatus.DELIVERED)
    with pytest.raises(Conflict):
        service.record_outcome(session, actor=operator(session), project_id=project.id,
                               achieved={"productivity": 120, "quality": 1.0})
    assert project.achieved_kpis is None


def test_a_clawback_is_at_most_what_was_paid_less_earlier_clawbacks(session: Session) -> None:
    project = make_project(session)
    actor = operator(session)
    service.record_payment(session, actor=actor, project_id=project.id, payer="government", amount_krw=40_000_000,
                           paid_on="2027-04-01")
    sanction = make_sanction(session, project.organization_id)
    service.apply_clawback(session, actor=actor, project_id=project.id, sanction_id=sanction.id,
                           amount_krw=25_000_000, reason="목적 외 사용 확인")
    with pytest.raises(InvalidInput) as refused:
        service.apply_clawback(session, actor=actor, project_id=project.id, sanction_id=sanction.id,
                               amount_krw=15_000_001, reason="추가 환수")
    assert refused.value.problems[0].params == {"amount": 15_000_001, "room": 15_000_000}
    service.apply_clawback(session, actor=actor, project_id=project.id, sanction_id=str(sanction.id),
                           amount_krw="15000000", reason="잔액 환수 및 종료", terminate="on")
    assert project.status is ProjectStatus.TERMINATED
    assert sum(c.amount_krw for c in session.scalars(select(ProjectClawback))) == 40_000_000
    with pytest.raises(Conflict):
        service.record_payment(session, actor=actor, project_id=project.id, payer="company", amount_krw=1,
                               paid_on="2027-06-01")
    with pytest.raises(Conflict):
        service.add_milestone(session, actor=actor, project_id=project.id, title="추가", due_on="2027-06-01")
    assert actions(session, project)[-2:] == ["support.project.clawback", "support.project.terminated"]


def test_a_clawback_needs_an_active_clawback_sanction_of_the_organization(session: Session) -> None:
    project = make_project(session)
    actor = operator(session)
    service.record_payment(session, actor=actor, project_id=project.id, payer="government", amount_krw=40_000_000,
                           paid_on="2027-04-01")
    cases = [
        make_sanction(session, project.organization_id, kind=SanctionKind.WARNING),
        make_sanction(session, make_organization(session).id),
        make_sanction(session, project.organization_id, ends_on=service.seoul_today() - timedelta(days=1)),
    ]
    messages = []
    for sanction in cases:
        with pytest.raises(InvalidInput) as refused:
            service.apply_clawback(session, actor=actor, project_id=project.id, sanction_id=sanction.id,
                                   amount_krw=1_000_000, reason="환수 요청")
        messages.append(refused.value.problems[0].message)
    assert messages == ["Sanction {id} does not require a clawback", "Sanction {id} is not on the project's "
                        "organization", "Sanction {id} is not in force on {date}"]
    limited = make_sanction(session, project.organization_id, clawback_krw=10_000_000)
    with pytest.raises(InvalidInput) as over:
        service.apply_clawback(session, actor=actor, project_id=project.id, sanction_id=limited.id,
                               amount_krw=10_000_001, reason="환수 요청")
    assert over.value.problems[0].params == {"id": limited.id, "required": 10_000_000, "taken": 0}
    assert session.scalars(select(ProjectClawback)).all() == []


def test_milestones_are_added_within_the_period_by_the_company_or_an_operator(session: Session) -> None:
    project = make_project(session)
    member = actor_of(member_of(session, project.organization_id))
    with pytest.raises(InvalidInput) as refused:
        service.add_milestone(session, actor=member, project_id=project.id, title="시운전", due_on="2028-02-01")
    assert refused.value.problems[0].params == {"starts_on": "2027-03-01", "ends_on": "2027-12-31"}
    milestone = service.add_milestone(session, actor=member, project_id=project.id, title="시운전",
                                      due_on="2027-10-15")
    assert milestone.due_on == date(2027, 10, 15)
    with pytest.raises(NotFound):
        service.add_milestone(session, actor=other_company(session), project_id=project.id, title="x 추가",
                              due_on="2027-10-15")
    with pytest.raises(PermissionDenied):
        service.mark_delivered(session, actor=operator(session), project_id=project.id)


def test_terminate_needs_a_reason_and_lists_count_by_status(session: Session) -> None:
    project = make_project(session)
    other = make_project(session, status=ProjectStatus.COMPLETED)
    actor = operator(session)
    with pytest.raises(InvalidInput):
        service.terminate_project(session, actor=actor, project_id=project.id, reason="")
    assert project.status is ProjectStatus.AGREED
    service.terminate_project(session, actor=actor, project_id=project.id, reason="기업 폐업으로 중단")
    listed = service.list_projects(session, actor=actor, status="terminated")
    assert project.id in [p.id for p in listed.items]
    assert other.id not in [p.id for p in listed.items]
    assert listed.counts[ProjectStatus.TERMINATED] >= 1
    assert listed.counts[ProjectStatus.COMPLETED] >= 1
    by_round = service.list_projects(session, actor=actor, round_ref=str(project.application.round_id))
    assert [p.id for p in by_round.items] == [project.id]
    member = actor_of(member_of(session, project.organization_id))
    assert [p.id for p in service.list_projects(session, actor=member).items] == [project.id]
    with pytest.raises(InvalidInput):
        service.list_projects(session, actor=actor, status="lost")
