"""Rounds and the optimal expert assignment against the database: the rules hold, the "why" is stored, a failure
changes nothing, a decline is replaced while the others stay, and only the assigned expert answers."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import framework_service, rounds_service
from midas.assessment.enums import AssessmentStatus, AssignmentStatus, ConflictSource, RoundStatus
from midas.assessment.models import Assessment, AssessmentRound, ConflictOfInterest, Expert, ExpertAssignment
from midas.audit import AuditEvent
from midas.auth import Actor, Role, User, actor_for
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.registry import Organization
from tests.assessment.factories import make_affiliation, make_assessment, make_expert, make_round, shipped_version
from tests.assessment.test_frameworks import as_yaml, small_framework
from tests.factories import make_organization, make_user

TODAY = date(2027, 3, 2)


@pytest.fixture
def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


def expert_actor(session: Session, expert: Expert) -> Actor:
    user = session.get(User, expert.user_id)
    assert user is not None
    return actor_for(user)


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def pairs_of(session: Session, assessment_round: AssessmentRound) -> set[tuple[int, int]]:
    rows = session.scalars(select(ExpertAssignment).join(Assessment)
                           .where(Assessment.round_id == assessment_round.id,
                                  ExpertAssignment.status != AssignmentStatus.DECLINED))
    return {(row.assessment_id, row.expert_id) for row in rows}


def round_fields(session: Session, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {"code": "R2027-1", "name": "2027년 1차", "framework_id": shipped_version(session).id,
                                 "track": "advance", "deadline": "2027-06-30"}
    fields.update(changes)
    return fields


# Rounds ------------------------------------------------------------------------------------------------------


def test_a_round_is_pinned_to_the_version_and_its_hash(session: Session, operator: Actor) -> None:
    version = shipped_version(session)
    created = rounds_service.create_round(session, actor=operator, raw=round_fields(session))
    assert (created.framework_id, created.framework_hash) == (version.id, version.content_hash)
    assert created.status is RoundStatus.DRAFT
    assert created.experts_per_assessment == 2
    assert created.deadline.isoformat() == "2027-06-30T14:59:00+00:00"  # 23:59 in Korea
    assert [e.details["hash"] for e in events(session, "assessment.round.created")] == [version.content_hash]


@pytest.mark.parametrize(("track", "k"), [("start", 2), ("advance", 2), ("leading", 3)])
def test_experts_per_assessment_default_by_track(session: Session, operator: Actor, track: str, k: int) -> None:
    created = rounds_service.create_round(session, actor=operator, raw=round_fields(session, track=track))
    assert created.experts_per_assessment == k


def test_a_round_on_a_draft_framework_or_a_used_code_is_refused(session: Session, operator: Actor) -> None:
    draft = framework_service.import_framework(session, actor=operator, source=as_yaml(small_framework()))
    with pytest.raises(InvalidInput) as refused:
        rounds_service.create_round(session, actor=operator, raw=round_fields(session, framework_id=draft.id))
    assert [p.field for p in refused.value.problems] == ["framework_id"]
    rounds_service.create_round(session, actor=operator, raw=round_fields(session))
    with pytest.raises(InvalidInput) as again:
        rounds_service.create_round(session, actor=operator, raw=round_fields(session))
    assert [p.field for p in again.value.problems] == ["code"]


def test_every_problem_of_a_round_is_named_at_once(session: Session, operator: Actor) -> None:
    with pytest.raises(InvalidInput) as refused:
        rounds_service.create_round(session, actor=operator, raw={
            "code": "no spaces", "name": "", "framework_id": "x", "track": "fast", "deadline": "soon",
            "experts_per_assessment": "9"})
    assert {p.field for p in refused.value.problems} == {
        "code", "name", "framework_id", "track", "deadline", "experts_per_assessment"}


def test_organizations_are_enrolled_by_brn_or_id_and_never_twice(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    first, second = make_organization(session), make_organization(session)
    made = rounds_service.enrol_organizations(session, actor=operator, round_code=assessment_round.code, entries=[
        {"organization": f"{first.brn[:3]}-{first.brn[3:5]}-{first.brn[5:]}", "needs": "MES, Quality"},
        {"organization": str(second.id), "needs": ["automation"]}])
    assert [(a.organization_id, a.needs, a.status) for a in made] == [
        (first.id, "mes,quality", AssessmentStatus.WAITING), (second.id, "automation", AssessmentStatus.WAITING)]
    with pytest.raises(InvalidInput) as refused:
        rounds_service.enrol_organizations(session, actor=operator, round_code=assessment_round.code, entries=[
            {"organization": first.brn}, {"organization": "9999999"}])
    assert [p.field for p in refused.value.problems] == ["entries[0].organization", "entries[1].organization"]


def test_enrolment_lines_read_an_identifier_then_needs() -> None:
    assert rounds_service.parse_enrolment_lines("220-81-62517 mes, quality\n\n 17,automation\n") == [
        {"organization": "220-81-62517", "needs": "mes, quality"}, {"organization": "17", "needs": "automation"}]


def test_rounds_are_listed_with_counts_by_status(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    make_assessment(session, assessment_round)
    make_assessment(session, assessment_round, status=AssessmentStatus.SCORING)
    overview = rounds_service.get_round(session, actor=operator, round_code=assessment_round.code)
    assert overview.assessments == {AssessmentStatus.WAITING: 1, AssessmentStatus.SCORING: 1}
    assert overview.assessment_total == 2
    assert overview.waiting == 1
    assert [o.round.code for o in rounds_service.list_rounds(session, actor=operator)] == [assessment_round.code]
    with pytest.raises(NotFound):
        rounds_service.get_round(session, actor=operator, round_code="NOPE")


# The assignment run ------------------------------------------------------------------------------------------


def test_the_run_stores_optimal_pairs_with_their_why(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    company = make_organization(session, ksic_code="29", region_code="41")
    assessment = make_assessment(session, assessment_round, company, needs="mes,quality")
    best = make_expert(session, technologies="mes,quality", years_of_experience=20)
    good = make_expert(session, technologies="mes", region_code="11", years_of_experience=4)
    make_expert(session, ksic_divisions="10", technologies="scm", region_code="26", years_of_experience=2)
    run = rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    assert pairs_of(session, assessment_round) == {(assessment.id, best.id), (assessment.id, good.id)}
    stored = {a.expert_id: a for a in run.assignments}
    assert stored[best.id].affinity == 40 + 30 + 20 + 10
    assert stored[good.id].breakdown == {
        "industry": 40, "technology": 15, "region": 10, "experience": 2, "industry_matched": True,
        "matched_technologies": ["mes"], "needed_technologies": ["mes", "quality"], "travel": "same-area"}
    assert {a.status for a in run.assignments} == {AssignmentStatus.PROPOSED}
    assert assessment.status is AssessmentStatus.SCORING
    assert assessment_round.status is RoundStatus.ASSIGNED
    summary = assessment_round.assignment_summary
    assert summary is not None
    assert (summary["objective"], summary["pairs"], summary["assessments"]) == (100 + 67, 2, 1)
    assert summary["greedy_objective"] <= summary["objective"]
    assert summary["method"] == "relaxation-bound"
    assert [e.object_id for e in events(session, "assessment.round.assigned")] == [str(assessment_round.id)]


def test_the_run_beats_greedy_and_reports_the_gap(session: Session, operator: Actor) -> None:
    """Greedy gives the first company the expert the second one needed; the exact run does not."""
    assessment_round = make_round(session, experts_per_assessment=1)
    first = make_assessment(session, assessment_round, make_organization(session, ksic_code="29"), needs="mes")
    second = make_assessment(session, assessment_round, make_organization(session, ksic_code="10"), needs="mes")
    both = make_expert(session, ksic_divisions="29,10", max_load=1)
    machinery = make_expert(session, ksic_divisions="29", max_load=1)
    run = rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    assert pairs_of(session, assessment_round) == {(first.id, machinery.id), (second.id, both.id)}
    assert run.summary["objective"] > run.summary["greedy_objective"]
    assert run.summary["gap_percent"] == rounds_service.gap_percent(run.summary["objective"],
                                                                    run.summary["greedy_objective"])


def test_conflicts_detected_from_data_and_recorded_ones_are_never_assigned(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session, experts_per_assessment=1)
    company = make_organization(session)
    assessment = make_assessment(session, assessment_round, company)
    former_employee = make_expert(session, years_of_experience=20)
    make_affiliation(session, former_employee, company, started_on=date(2020, 1, 1), ended_on=date(2026, 1, 1))
    declared = make_expert(session, years_of_experience=18)
    session.add(ConflictOfInterest(expert_id=declared.id, organization_id=company.id, kind="declared",
                                   source=ConflictSource.DECLARED, reason="친척", created_by_label="x"))
    free = make_expert(session, years_of_experience=2)
    run = rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    assert pairs_of(session, assessment_round) == {(assessment.id, free.id)}
    assert run.summary["conflicts_detected"] == 1
    assert run.summary["excluded_pairs"] == 2


def test_load_limits_count_places_held_in_other_open_rounds(session: Session, operator: Actor) -> None:
    busy = make_expert(session, max_load=1, years_of_experience=20)
    earlier = make_round(session, status=RoundStatus.ASSIGNED)
    rounds_service_assessment = make_assessment(session, earlier, status=AssessmentStatus.SCORING)
    session.add(ExpertAssignment(assessment_id=rounds_service_assessment.id, expert_id=busy.id,
                                 status=AssignmentStatus.ACCEPTED, affinity=1, breakdown={}))
    assessment_round = make_round(session, experts_per_assessment=1)
    assessment = make_assessment(session, assessment_round)
    other = make_expert(session, years_of_experience=0)
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    assert pairs_of(session, assessment_round) == {(assessment.id, other.id)}


def test_no_two_experts_of_one_employer_on_an_assessment(session: Session, operator: Actor) -> None:
    """The two best experts share an employer: only one of them goes, with the best expert of another employer."""
    assessment_round = make_round(session)
    make_assessment(session, assessment_round)
    employer = make_organization(session)
    colleagues = {make_expert(session, employer_id=employer.id, years_of_experience=20).id for _ in range(2)}
    other = make_expert(session, region_code="26", years_of_experience=0)
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    chosen = {expert for _, expert in pairs_of(session, assessment_round)}
    assert len(chosen & colleagues) == 1
    assert other.id in chosen


def test_an_expert_who_declined_an_assessment_is_never_offered_it_again(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session, experts_per_assessment=1)
    assessment = make_assessment(session, assessment_round)
    decliner = make_expert(session, years_of_experience=20)
    session.add(ExpertAssignment(assessment_id=assessment.id, expert_id=decliner.id, affinity=1, breakdown={},
                                 status=AssignmentStatus.DECLINED, decline_reason="일정"))
    other = make_expert(session, years_of_experience=0)
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    assert pairs_of(session, assessment_round) == {(assessment.id, other.id)}


def test_at_most_one_expert_from_the_company_region_when_asked(session: Session, operator: Actor) -> None:
    """The two best experts live in the company's region (the travel term favours them): only one of them goes."""
    assessment_round = make_round(session, limit_own_region=True)
    make_assessment(session, assessment_round, make_organization(session, region_code="41"))
    locals_ = {make_expert(session, region_code="41", years_of_experience=20).id for _ in range(2)}
    far = make_expert(session, region_code="26", years_of_experience=0)
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    chosen = {expert for _, expert in pairs_of(session, assessment_round)}
    assert len(chosen & locals_) == 1
    assert far.id in chosen


def test_an_infeasible_round_names_the_company_and_changes_nothing(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    company = make_organization(session, name="(주)고립기업")
    assessment = make_assessment(session, assessment_round, company)
    conflicted = make_expert(session)
    make_affiliation(session, conflicted, company)
    make_expert(session)
    with pytest.raises(InvalidInput) as refused:
        rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    assert any(p.params.get("assessment") == f"(주)고립기업 (#{assessment.id})" for p in refused.value.problems)
    assert pairs_of(session, assessment_round) == set()
    assert assessment.status is AssessmentStatus.WAITING
    assert assessment_round.status is RoundStatus.DRAFT
    assert assessment_round.assignment_summary is None
    assert session.scalars(select(ConflictOfInterest)).all() == []
    assert events(session, "assessment.round.assigned") == []


def test_a_round_with_nobody_waiting_is_refused(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    with pytest.raises(InvalidInput):
        rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)


@pytest.mark.parametrize("role", [Role.EXPERT, Role.AUDITOR])
def test_only_operators_run_the_assignment(session: Session, role: Role) -> None:
    assessment_round = make_round(session)
    with pytest.raises(PermissionDenied):
        rounds_service.run_assignment(session, actor=actor_for(make_user(session, role)),
                                      round_code=assessment_round.code, today=TODAY)


def test_progress_is_reported_phase_by_phase(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session, experts_per_assessment=1)
    make_assessment(session, assessment_round)
    make_expert(session)
    seen: list[tuple[str, int, int]] = []
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY,
                                  progress=lambda phase, done, total: seen.append((phase.value, done, total)))
    assert seen == [("conflicts", 0, 5), ("problem", 1, 5), ("solve", 2, 5), ("greedy", 3, 5), ("store", 4, 5),
                    ("store", 5, 5)]


# Answers -----------------------------------------------------------------------------------------------------


def assigned_round(session: Session, operator: Actor, experts: int = 4) -> tuple[AssessmentRound, list[Assessment],
                                                                                  list[Expert]]:
    assessment_round = make_round(session)
    assessments = [make_assessment(session, assessment_round) for _ in range(2)]
    pool = [make_expert(session, with_user=True, years_of_experience=20 - 2 * n) for n in range(experts)]
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    return assessment_round, assessments, pool


def test_the_assigned_expert_accepts(session: Session, operator: Actor) -> None:
    _, _, pool = assigned_round(session, operator)
    mine = rounds_service.list_my_assignments(session, actor=expert_actor(session, pool[0]))
    assert len(mine) >= 1
    answer = rounds_service.respond_to_assignment(session, actor=expert_actor(session, pool[0]),
                                                  assignment_id=mine[0].id, accept=True)
    assert answer.assignment.status is AssignmentStatus.ACCEPTED
    assert answer.assignment.responded_at is not None
    with pytest.raises(Conflict):
        rounds_service.respond_to_assignment(session, actor=expert_actor(session, pool[0]),
                                             assignment_id=mine[0].id, accept=True)


def test_a_decline_is_replaced_and_every_other_pair_stays(session: Session, operator: Actor) -> None:
    assessment_round, _, pool = assigned_round(session, operator, experts=5)
    before = pairs_of(session, assessment_round)
    decliner = next(e for e in pool if any(x == e.id for _, x in before))
    mine = rounds_service.list_my_assignments(session, actor=expert_actor(session, decliner))[0]
    answer = rounds_service.respond_to_assignment(session, actor=expert_actor(session, decliner),
                                                  assignment_id=mine.id, accept=False, reason="일정이 겹칩니다")
    assert answer.assignment.status is AssignmentStatus.DECLINED
    assert answer.assignment.decline_reason
    assert answer.replacement is not None
    assert answer.replacement.assessment_id == mine.assessment_id
    after = pairs_of(session, assessment_round)
    assert after == (before - {(mine.assessment_id, decliner.id)}) | {
        (mine.assessment_id, answer.replacement.expert_id)}
    assert answer.replacement.expert_id != decliner.id
    assert answer.replacement.breakdown["needed_technologies"] == ["mes"]
    assert len(events(session, "assessment.assignment.declined")) == 1
    assert len(events(session, "assessment.assignment.reassigned")) == 1
    assert rounds_service.get_round(session, actor=operator, round_code=assessment_round.code).open_places == 0


def test_a_decline_needs_a_reason(session: Session, operator: Actor) -> None:
    _, _, pool = assigned_round(session, operator)
    mine = rounds_service.list_my_assignments(session, actor=expert_actor(session, pool[0]))[0]
    with pytest.raises(InvalidInput):
        rounds_service.respond_to_assignment(session, actor=expert_actor(session, pool[0]), assignment_id=mine.id,
                                             accept=False, reason=" ")


def test_a_decline_nobody_can_replace_keeps_the_place_open(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    make_assessment(session, assessment_round)
    pool = [make_expert(session, with_user=True) for _ in range(2)]
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    mine = rounds_service.list_my_assignments(session, actor=expert_actor(session, pool[0]))[0]
    answer = rounds_service.respond_to_assignment(session, actor=expert_actor(session, pool[0]),
                                                  assignment_id=mine.id, accept=False, reason="아픔")
    assert answer.replacement is None
    assert answer.problems
    assert answer.assignment.status is AssignmentStatus.DECLINED
    assert len(events(session, "assessment.assignment.unfilled")) == 1
    assert rounds_service.get_round(session, actor=operator, round_code=assessment_round.code).open_places == 1


def test_someone_else_is_refused_and_the_attempt_is_audited(session: Session, operator: Actor) -> None:
    _, _, pool = assigned_round(session, operator)
    mine = rounds_service.list_my_assignments(session, actor=expert_actor(session, pool[0]))[0]
    stranger = make_expert(session, with_user=True)
    stranger_actor = expert_actor(session, stranger)
    session.commit()  # what a request finds: the refusal rolls back only its own transaction
    with pytest.raises(PermissionDenied):
        rounds_service.respond_to_assignment(session, actor=stranger_actor, assignment_id=mine.id,
                                             accept=False, reason="남의 배정")
    refused = events(session, "assessment.assignment.refused")
    assert [(e.object_id, e.details["attempted"]) for e in refused] == [(str(mine.id), "decline")]
    assert session.get(ExpertAssignment, mine.id).status is AssignmentStatus.PROPOSED  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        rounds_service.respond_to_assignment(session, actor=operator, assignment_id=mine.id, accept=True)


def test_an_additional_expert_respects_the_employers_already_on_it(session: Session, operator: Actor) -> None:
    assessment_round, assessments, pool = assigned_round(session, operator, experts=6)
    target = assessments[0]
    on_it = {x for a, x in pairs_of(session, assessment_round) if a == target.id}
    added = rounds_service.add_additional_expert(session, actor=operator, assessment_id=target.id)
    assert added.is_additional
    assert added.status is AssignmentStatus.PROPOSED
    assert added.expert_id not in on_it
    assert added.expert_id in {e.id for e in pool}
    loads = Counter(x for _, x in pairs_of(session, assessment_round))
    assert all(count <= 10 for count in loads.values())
    assert len(events(session, "assessment.assignment.additional")) == 1


def test_an_additional_expert_nobody_can_be_is_refused(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    assessment = make_assessment(session, assessment_round)
    for _ in range(2):
        make_expert(session)
    rounds_service.run_assignment(session, actor=operator, round_code=assessment_round.code, today=TODAY)
    with pytest.raises(InvalidInput):
        rounds_service.add_additional_expert(session, actor=operator, assessment_id=assessment.id)


def test_my_assignments_are_empty_for_an_expert_user_outside_the_pool(session: Session) -> None:
    assert rounds_service.list_my_assignments(session, actor=actor_for(make_user(session, Role.EXPERT))) == []


def test_round_assignments_are_paged(session: Session, operator: Actor) -> None:
    assessment_round, _, _ = assigned_round(session, operator)
    page = rounds_service.list_round_assignments(session, actor=operator, round_code=assessment_round.code,
                                                 page=2, page_size=3)
    assert (page.total, len(page.items), page.pages) == (4, 1, 2)
    assert isinstance(page.items[0].assessment.organization, Organization)


def test_enrolment_refuses_a_need_outside_the_technology_vocabulary(session: Session, operator: Actor) -> None:
    assessment_round = make_round(session)
    company = make_organization(session)
    with pytest.raises(InvalidInput) as refused:
        rounds_service.enrol_organizations(session, actor=operator, round_code=assessment_round.code,
                                           entries=[{"organization": company.brn, "needs": "mes, telepathy"}])
    assert [(p.field, p.params["value"]) for p in refused.value.problems] == [("entries[0].needs", "telepathy")]
    assert session.scalars(select(Assessment).where(Assessment.round_id == assessment_round.id)).all() == []
