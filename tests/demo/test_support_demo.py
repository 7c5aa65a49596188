"""The demo's support rounds: programs and rounds 2023-2026, invariants of decisions, projects and payments, a
non-empty national trajectory, and something to see for each demo account."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.assessment import Assessment, AssessmentRound, Expert, framework_of
from midas.assessment.models import FrameworkVersion
from midas.auth import User
from midas.demo import SMALL
from midas.demo.support_rounds import support_scale_for
from midas.support.counting_service import counts_by_year, national_counts, parse_counting_rules
from midas.support.eligibility import verdict_from_json
from midas.support.enums import (
    AppealStatus,
    ApplicationStatus,
    DecisionOutcome,
    MilestoneStatus,
    PayerKind,
    ProjectStatus,
    ReviewStatus,
    TrackKind,
)
from midas.support.models import (
    AppealReview,
    ProjectClawback,
    ProjectMilestone,
    SelectionEntry,
    SelectionRun,
    SupportAppeal,
    SupportApplication,
    SupportDecision,
    SupportProgram,
    SupportProject,
    SupportRound,
    SupportTrack,
)


def test_the_small_scale_keeps_the_national_shape_in_proportion() -> None:
    small = support_scale_for(SMALL)
    assert 0.005 < small.factor < 0.05
    assert small.time_limit is None


def test_programs_rounds_and_tracks(seeded: Session) -> None:
    session = seeded
    program = session.scalars(select(SupportProgram).where(SupportProgram.code == "MIDAS2027")).one()
    assert program.region_code is None
    assert {rule.category.value for rule in parse_counting_rules(program.counting_rules)} == {
        "advanced_digital", "transformed"}
    assert [r.code for r in program.rounds] == ["SF2023", "SF2024", "SF2025", "SF2026"]
    for support_round in program.rounds:
        assert {track.kind for track in support_round.tracks} == set(TrackKind)
        assert all(track.framework_code == "ksx9001-3" for track in support_round.tracks)
        assert support_round.lottery_seed
        assert support_round.seed_published_at is not None
        for track in support_round.tracks:
            assert sum(part.budget_krw for part in track.region_budgets) <= track.budget_krw
    regional = session.scalars(select(SupportProgram).where(SupportProgram.region_code.is_not(None))).one()
    assert len(regional.rounds) == 1


def test_funded_decisions_stand_on_eligible_applications_and_a_selection(seeded: Session) -> None:
    session = seeded
    rows = session.execute(select(SupportDecision, SupportApplication)
                           .join(SupportApplication, SupportApplication.id == SupportDecision.application_id)
                           .where(SupportDecision.is_current)).all()
    assert rows
    outcomes = {decision.outcome for decision, _ in rows}
    assert outcomes == {DecisionOutcome.FUNDED, DecisionOutcome.WAITLISTED, DecisionOutcome.REJECTED}
    for decision, application in rows:
        assert decision.reasons, "a decision without a reason"
        verdict = verdict_from_json({"passed": application.eligibility_passed,
                                     "checks": application.eligibility_checks})
        assert verdict.passed is application.eligibility_passed
        assert len(verdict.checks) >= 5
        if decision.outcome is DecisionOutcome.FUNDED:
            assert application.eligibility_passed is True
            assert application.status is ApplicationStatus.FUNDED
        if application.status is ApplicationStatus.INELIGIBLE:
            assert decision.outcome is DecisionOutcome.REJECTED
            failed = {check["rule"] for check in application.eligibility_checks or [] if not check["passed"]}
            assert failed
            assert {reason["rule"] for reason in decision.reasons} == failed
        if decision.outcome is DecisionOutcome.WAITLISTED:
            assert decision.reasons[-1]["message"] == "Waitlist position {position} in the track"
    assert session.scalar(select(func.count()).select_from(SupportApplication).where(
        SupportApplication.status == ApplicationStatus.INELIGIBLE)), "some applications are not eligible"


def test_each_round_has_one_selection_run_with_an_entry_per_eligible_application(seeded: Session) -> None:
    session = seeded
    for support_round in session.scalars(select(SupportRound)):
        runs = session.scalars(select(SelectionRun).where(SelectionRun.round_id == support_round.id)).all()
        assert len(runs) == 1
        run = runs[0]
        entries = session.scalars(select(SelectionEntry).where(SelectionEntry.run_id == run.id)).all()
        eligible = session.scalars(select(SupportApplication.id).where(
            SupportApplication.round_id == support_round.id, SupportApplication.eligibility_passed.is_(True))).all()
        assert sorted(entry.application_id for entry in entries) == sorted(eligible)
        assert run.candidates == len(entries)
        assert run.funded_count == sum(entry.funded for entry in entries)
        assert run.solver_status == "optimal"
        assert run.objective >= run.greedy_objective
        assert all(entry.adjusted_score >= entry.assessment_score for entry in entries)


def test_projects_only_for_funded_applications_and_payments_within_agreements(seeded: Session) -> None:
    session = seeded
    projects = session.scalars(select(SupportProject)).all()
    assert projects
    for project in projects:
        application = session.get(SupportApplication, project.application_id)
        assert application is not None
        assert application.status is ApplicationStatus.FUNDED
        assert project.organization_id == application.organization_id
        assert project.government_krw == application.government_krw
        paid: dict[PayerKind, int] = defaultdict(int)
        for payment in project.payments:
            paid[payment.payer] += payment.amount_krw
        assert paid[PayerKind.GOVERNMENT] <= project.government_krw
        assert paid[PayerKind.COMPANY] <= project.company_krw
        if project.status is ProjectStatus.COMPLETED:
            assert paid[PayerKind.GOVERNMENT] == project.government_krw
            assert project.completed_at is not None
            assert project.inspection_passed is True
            assert project.inspector_expert_id is not None
            assert all(m.status is MilestoneStatus.DONE for m in project.milestones)
        for clawback in project.clawbacks:
            assert project.status is ProjectStatus.TERMINATED
            assert clawback.amount_krw <= paid[PayerKind.GOVERNMENT]
    statuses = {project.status for project in projects}
    assert {ProjectStatus.COMPLETED, ProjectStatus.IN_PROGRESS} <= statuses
    funded = session.scalar(select(func.count()).select_from(SupportApplication).where(
        SupportApplication.status == ApplicationStatus.FUNDED, SupportApplication.round.has(
            SupportRound.code.like("SF%"))))
    assert funded == len(projects)


def test_applications_stand_on_finished_assessments_in_the_framework_s_level_bands(seeded: Session) -> None:
    session = seeded
    version = session.scalars(select(FrameworkVersion).where(FrameworkVersion.code == "ksx9001-3")).first()
    assert version is not None
    framework = framework_of(version)
    rows = session.execute(select(Assessment, AssessmentRound.code)
                           .join(SupportApplication, SupportApplication.assessment_id == Assessment.id)
                           .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)).all()
    assert {code for _, code in rows} >= {"2023-1", "2024-1", "2024-2", "2025-1", "2025-2"}
    for assessment, _ in rows:
        assert assessment.final_score is not None
        assert assessment.final_level is not None
        assert framework.level_for(assessment.final_score).level == assessment.final_level
    assert session.scalar(select(func.count()).select_from(SupportApplication)
                          .where(SupportApplication.assessment_id.is_(None))) == 0


def test_the_trajectory_is_not_empty_and_grows(seeded: Session) -> None:
    session = seeded
    counts = national_counts(session)
    assert all(row.count > 0 for row in counts.categories)
    years = [row for row in counts_by_year(session) if row.year <= 2026]
    totals = [row.cumulative_total for row in years]
    assert totals[0] > 0
    assert totals == sorted(totals)
    assert totals[-1] > totals[0]
    assert counts.total == totals[-1]


def test_appeals_upheld_granted_and_under_review(seeded: Session) -> None:
    session = seeded
    appeals = session.scalars(select(SupportAppeal)).all()
    assert {AppealStatus.UPHELD, AppealStatus.UNDER_REVIEW} <= {appeal.status for appeal in appeals}
    for appeal in appeals:
        assert appeal.decision.outcome is not DecisionOutcome.FUNDED
        if appeal.status is AppealStatus.GRANTED:
            newer = session.scalars(select(SupportDecision).where(SupportDecision.supersedes_id == appeal.decision_id)
                                    ).one()
            assert newer.outcome is DecisionOutcome.FUNDED
            assert newer.is_current
            assert not appeal.decision.is_current
        assert len(appeal.reviews) == 2
        assert len({review.expert_id for review in appeal.reviews}) == 2


def test_the_demo_accounts_have_something_to_see(seeded: Session) -> None:
    session = seeded
    now = datetime.now(UTC)
    members = session.scalars(select(User).where(User.email.like("member%"))).all()
    in_progress, open_for_appeal = 0, 0
    for member in members:
        applications = session.scalars(select(SupportApplication).where(
            SupportApplication.organization_id == member.organization_id)).all()
        assert applications, member.email
        for application in applications:
            decision = session.scalars(select(SupportDecision).where(
                SupportDecision.application_id == application.id, SupportDecision.is_current)).one()
            if not decision.is_final and decision.appeal_deadline is not None and decision.appeal_deadline > now \
                    and decision.outcome is not DecisionOutcome.FUNDED:
                open_for_appeal += 1
        projects = session.scalars(select(SupportProject).where(
            SupportProject.organization_id == member.organization_id,
            SupportProject.status == ProjectStatus.IN_PROGRESS)).all()
        for project in projects:
            milestones = session.scalars(select(ProjectMilestone).where(
                ProjectMilestone.project_id == project.id)).all()
            assert milestones
            in_progress += 1
    assert in_progress >= 1
    assert open_for_appeal >= 1
    experts = {expert.email.split("@")[0]: expert.id for expert in session.scalars(
        select(Expert).where(Expert.email.like("expert_@%")))}
    inspections = session.scalars(select(SupportProject).where(
        SupportProject.inspector_expert_id == experts["expert1"],
        SupportProject.status == ProjectStatus.DELIVERED)).all()
    assert inspections
    reviews = session.scalars(select(AppealReview).where(
        AppealReview.expert_id.in_([experts["expert2"], experts["expert3"]]),
        AppealReview.status == ReviewStatus.ASSIGNED)).all()
    assert len(reviews) == 2


def test_terminated_projects_carry_a_sanction_and_a_clawback(seeded: Session) -> None:
    session = seeded
    for clawback in session.scalars(select(ProjectClawback)):
        assert clawback.project.status is ProjectStatus.TERMINATED
        assert clawback.project.terminated_reason
    tracks = session.scalars(select(SupportTrack)).all()
    assert all(track.budget_krw > 0 and track.cap_krw > 0 for track in tracks)
