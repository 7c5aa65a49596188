"""The demo's expert assessment: a finished round whose levels are computed, conflicts respected, demo experts."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import (
    Assessment,
    AssessmentRound,
    ConflictOfInterest,
    Expert,
    ExpertAssignment,
    ScoreSheet,
    framework_of,
    reliability_service,
)
from midas.assessment.enums import AssessmentStatus, AssignmentStatus, RoundStatus
from midas.assessment.frameworks import score
from midas.assessment.reliability import CalibrationFlag
from midas.auth import SYSTEM, User
from midas.demo import SMALL, generate_country
from midas.demo.assessment_round import ASSESSMENT_SCALES, CLOSED_ROUND, OPEN_ROUND, TECHNOLOGIES, generate_pool

TRACKS = {1: "start", 2: "start", 3: "advance", 4: "advance", 5: "leading"}


def _round(session: Session, code: str) -> AssessmentRound:
    return session.scalars(select(AssessmentRound).where(AssessmentRound.code == code)).one()


def test_the_pool_is_the_same_for_the_same_seed_and_looks_like_the_issue() -> None:
    country = generate_country(SMALL, 5)
    pool = generate_pool(country, ASSESSMENT_SCALES["small"], 5)
    assert pool == generate_pool(country, ASSESSMENT_SCALES["small"], 5)
    assert pool != generate_pool(country, ASSESSMENT_SCALES["small"], 6)
    assert len(pool.experts) == 60
    assert len(pool.closed) == 120
    employer_kinds = {country.organizations[expert.employer_index].kind.value for expert in pool.experts}
    assert employer_kinds <= {"institute", "technology_supplier", "large_enterprise"}
    assert all(set(expert.technologies) <= set(TECHNOLOGIES) for expert in pool.experts)
    assert all(3 <= expert.years_of_experience <= 35 and 8 <= expert.max_load <= 20 for expert in pool.experts)
    assert all(country.organizations[row.organization_index].kind.value == "sme" for row in pool.closed)


def test_the_closed_round_is_final_with_levels_computed_from_its_sheets(seeded: Session) -> None:
    session = seeded
    closed = _round(session, CLOSED_ROUND)
    assert closed.status is RoundStatus.CLOSED
    framework = framework_of(closed.framework)
    assessments = session.scalars(select(Assessment).where(Assessment.round_id == closed.id)).all()
    assert len(assessments) == 120
    assert all(a.status is AssessmentStatus.FINAL and a.final_level is not None for a in assessments)
    accepted = session.scalars(
        select(ExpertAssignment).join(Assessment).where(Assessment.round_id == closed.id,
                                                        ExpertAssignment.status == AssignmentStatus.ACCEPTED)
    ).all()
    sheets = {sheet.assignment_id: sheet for sheet in session.scalars(
        select(ScoreSheet).where(ScoreSheet.assignment_id.in_([a.id for a in accepted])))}
    assert set(sheets) == {assignment.id for assignment in accepted}
    assert all(sheet.submitted_at is not None for sheet in sheets.values())
    per_assessment: dict[int, list[ScoreSheet]] = defaultdict(list)
    for assignment in accepted:
        per_assessment[assignment.assessment_id].append(sheets[assignment.id])
    assert all(len(per_assessment[a.id]) == 2 for a in assessments)

    assessment = assessments[len(assessments) // 2]
    results = [score(framework, sheet.scores) for sheet in per_assessment[assessment.id]]
    for sheet, result in zip(per_assessment[assessment.id], results, strict=True):
        assert (sheet.overall, sheet.level) == (result.overall, result.level)
        assert len(sheet.scores) == 95
    expected = Decimal(str(median(result.overall for result in results))).quantize(Decimal("0.01"))
    assert assessment.final_score == expected
    assert assessment.final_level == framework.level_for(expected).level
    assert assessment.recommended_track == TRACKS[assessment.final_level]
    assert assessment.final_areas is not None
    assert set(assessment.final_areas) == {a.id for a in framework.areas}

    summary = closed.assignment_summary
    assert summary is not None
    assert summary["objective"] == sum(a.affinity for a in accepted)


def test_no_expert_is_assigned_against_an_active_conflict(seeded: Session) -> None:
    session = seeded
    conflicts = set(session.execute(
        select(ConflictOfInterest.expert_id, ConflictOfInterest.organization_id).where(ConflictOfInterest.is_active)
    ).all())
    assert conflicts, "the demo detects conflicts (employers, consulting, supplier quotes)"
    pairs = set(session.execute(
        select(ExpertAssignment.expert_id, Assessment.organization_id)
        .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
    ).all())
    assert len(pairs) > 200
    assert not pairs & conflicts


def test_demo_experts_have_work_in_the_open_round_and_calibration_has_flags(seeded: Session) -> None:
    session = seeded
    open_round = _round(session, OPEN_ROUND)
    assert open_round.status is RoundStatus.ASSIGNED
    experts = session.execute(
        select(Expert.id, User.email).join(User, Expert.user_id == User.id).where(User.role == "expert")
    ).all()
    assert {email.split("@")[0] for _, email in experts} == {"expert1", "expert2", "expert3"}
    for expert_id, _ in experts:
        work = session.scalars(
            select(ExpertAssignment).join(Assessment).where(Assessment.round_id == open_round.id,
                                                            ExpertAssignment.expert_id == expert_id)
        ).all()
        assert work, f"expert {expert_id} has no assignment in {OPEN_ROUND}"
    result = reliability_service.round_reliability(session, actor=SYSTEM, code=CLOSED_ROUND)
    assert result.alpha.alpha is not None
    assert 0.5 < result.alpha.alpha < 0.95
    flags = {flag for row in reliability_service.expert_calibrations(session, actor=SYSTEM, code=CLOSED_ROUND)
             for flag in row.calibration.flags}
    assert flags & {CalibrationFlag.LENIENT, CalibrationFlag.SEVERE}
