"""The selection run: eligible applications scored and adjusted, the optimal choice under budgets stored with its
inputs, seed, ticket and reason per candidate; refused without a published seed; a re-run replaces the current run."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.errors import Conflict, InvalidInput, PermissionDenied
from midas.support.enums import ApplicationStatus, DecisionOutcome, RoundStatus, TrackKind
from midas.support.models import SelectionEntry, SelectionRun, SupportDecision
from midas.support.selection_service import (
    get_round_selection,
    list_selection_entries,
    run_selection,
)
from tests.factories import make_organization
from tests.support.factories import make_application, make_region_budget, make_round, make_track
from tests.support.factories_selection import AUDITOR, OPERATOR, SEED, add_applicant, published_round

M = 1_000_000


def entries_of(session: Session, run: SelectionRun) -> dict[int, SelectionEntry]:
    return {e.application_id: e for e in session.scalars(select(SelectionEntry).where(SelectionEntry.run_id == run.id))}


def test_a_run_funds_the_best_applications_within_the_budget_and_says_why(session: Session) -> None:
    setup = published_round(session, track_overrides={"budget_krw": 200 * M})
    best = add_applicant(session, setup, score="80.0", grant=80 * M, region="41")  # 800 + 30 first time
    non_capital = add_applicant(session, setup, score="78.0", grant=80 * M, region="26")  # 780 + 30 + 20
    third = add_applicant(session, setup, score="70.0", grant=80 * M, region="41")  # 730
    fourth = add_applicant(session, setup, score="60.0", grant=80 * M, region="11")  # 630

    run = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)

    assert (run.is_current, run.solver_status, run.candidates, run.funded_count) == (True, "optimal", 4, 2)
    assert run.objective == 830 + 830
    assert run.upper_bound == pytest.approx(1660)
    assert setup.round.status is RoundStatus.SELECTED
    entries = entries_of(session, run)
    assert {i for i, e in entries.items() if e.funded} == {best.id, non_capital.id}
    assert (entries[best.id].assessment_score, entries[best.id].adjusted_score) == (800, 830)
    assert (entries[non_capital.id].assessment_score, entries[non_capital.id].adjusted_score) == (780, 830)
    assert entries[fourth.id].adjusted_score == 630
    assert entries[fourth.id].rank == 4
    assert entries[third.id].reason["code"] == "track_budget"
    assert entries[third.id].reason["params"] == {"remaining": 40 * M, "requested": 80 * M}
    assert entries[best.id].ticket == hashlib.sha256(f"{SEED}:{best.id}".encode()).hexdigest()
    track_use = next(u for u in run.budget_use if u["kind"] == "track")
    assert (track_use["budget_krw"], track_use["used_krw"]) == (200 * M, 160 * M)
    assert {m["application_id"] for m in run.marginal} == {best.id, non_capital.id, third.id, fourth.id}
    assert run.inputs["candidates"] == 4
    assert run.inputs["seed"] == SEED
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.selection.run")).all()
    assert [e.object_id for e in events] == [str(setup.round.id)]


def test_the_inputs_hash_covers_every_candidate_and_can_be_recomputed(session: Session) -> None:
    setup = published_round(session)
    apps = [add_applicant(session, setup, score=s, grant=50 * M, region=r)
            for s, r in (("71.5", "26"), ("64.0", "41"))]
    run = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    entries = entries_of(session, run)
    candidates = [[str(a.id), "basic", r, entries[a.id].adjusted_score, 50 * M] for a, r in zip(apps, ("26", "41"),
                                                                                                  strict=True)]
    text = json.dumps({**run.inputs, "candidates": candidates}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    assert run.inputs_hash == hashlib.sha256(text.encode()).hexdigest()
    # 71.5 -> 715, + 30 first time, + 20 outside the capital area
    assert entries[apps[0].id].adjusted_score == 765


def test_a_company_funded_in_an_earlier_round_gets_no_first_time_points(session: Session) -> None:
    setup = published_round(session)
    veteran = make_organization(session, region_code="41")
    earlier_track = make_track(session, make_round(session, status=RoundStatus.DECIDED), kind=TrackKind.ADVANCED)
    earlier = make_application(session, earlier_track, veteran, status=ApplicationStatus.FUNDED)
    session.add(SupportDecision(application_id=earlier.id, outcome=DecisionOutcome.FUNDED,
                                reasons=[{"message": "x", "params": {}}], decided_by_label="test"))
    session.flush()
    again = add_applicant(session, setup, score="70.0", grant=10 * M, organization=veteran)
    new = add_applicant(session, setup, score="70.0", grant=10 * M)
    entries = entries_of(session, run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED))
    assert entries[again.id].adjusted_score == 700
    assert entries[new.id].adjusted_score == 730


def test_equivalent_applications_at_the_line_are_drawn_by_the_published_lottery(session: Session) -> None:
    setup = published_round(session, track_overrides={"budget_krw": 100 * M})
    apps = [add_applicant(session, setup, score="75.0", grant=50 * M, region="41") for _ in range(3)]
    run = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    entries = entries_of(session, run)
    tickets = sorted((hashlib.sha256(f"{SEED}:{a.id}".encode()).hexdigest(), a.id) for a in apps)
    winners = {tickets[0][1], tickets[1][1]}
    assert {i for i, e in entries.items() if e.funded} == winners
    assert entries[tickets[2][1]].reason["code"] == "lost_lottery"
    assert entries[tickets[2][1]].reason["params"]["ticket"] == tickets[2][0]
    assert all(entries[w].reason["code"] == "won_lottery" for w in winners)
    assert [entries[i].rank for _, i in tickets] == [1, 2, 3]


def test_region_budgets_and_quotas_bind_and_are_reported(session: Session) -> None:
    setup = published_round(session, track_overrides={
        "budget_krw": 300 * M, "quotas": [{"regions": ["26"], "min_share_percent": 50, "measure": "count"}]})
    make_region_budget(session, setup.track, "41", 50 * M)
    capital = [add_applicant(session, setup, score="90.0", grant=50 * M, region="41") for _ in range(2)]
    busan = add_applicant(session, setup, score="50.0", grant=50 * M, region="26")
    run = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    entries = entries_of(session, run)
    assert entries[busan.id].funded
    assert sum(entries[a.id].funded for a in capital) == 1
    loser = next(a for a in capital if not entries[a.id].funded)
    assert entries[loser.id].reason["code"] in {"region_budget", "lost_lottery"}
    kinds = {u["kind"] for u in run.budget_use}
    assert kinds == {"track", "region", "quota"}
    quota = next(u for u in run.budget_use if u["kind"] == "quota")
    assert (quota["required_percent"], quota["achieved_percent"]) == (50, 50.0)


def test_the_seed_must_be_published_and_be_the_one_used(session: Session) -> None:
    setup = published_round(session, seed=None)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    round_id = setup.round.id
    with pytest.raises(InvalidInput) as refused:
        run_selection(session, actor=OPERATOR, round_id=round_id, seed="chosen-after-the-fact")
    assert refused.value.problems[0].field == "seed"
    assert "published before the draw" in refused.value.problems[0].message
    assert session.scalars(select(SelectionRun)).all() == []
    refusals = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.selection.refused")).all()
    assert [e.object_id for e in refusals] == [str(round_id)]


def test_another_seed_than_the_published_one_is_refused(session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    with pytest.raises(InvalidInput):
        run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED + "x")
    assert session.scalars(select(SelectionRun)).all() == []


def test_a_rerun_replaces_the_current_run(session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    first = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    second = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    session.refresh(first)
    assert (first.is_current, second.is_current) == (False, True)
    assert first.inputs_hash == second.inputs_hash
    overview = get_round_selection(session, actor=AUDITOR, round_id=setup.round.id)
    assert overview.current is not None
    assert overview.current.id == second.id
    assert [r.id for r in overview.runs] == [second.id, first.id]


def test_a_round_not_closed_or_without_assessed_applications_is_refused(session: Session) -> None:
    open_round = published_round(session, status=RoundStatus.OPEN)
    add_applicant(session, open_round, score="70.0", grant=10 * M)
    with pytest.raises(Conflict):
        run_selection(session, actor=OPERATOR, round_id=open_round.round.id, seed=SEED)
    setup = published_round(session)
    unassessed = add_applicant(session, setup, score="70.0", grant=10 * M)
    unassessed.assessment_id = None
    session.flush()
    with pytest.raises(InvalidInput) as refused:
        run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    assert refused.value.problems[0].field == f"applications[{unassessed.id}].assessment_id"
    assert setup.round.status is RoundStatus.CLOSED


def test_only_operators_run_and_only_staff_read(session: Session) -> None:
    setup = published_round(session)
    add_applicant(session, setup, score="70.0", grant=10 * M)
    with pytest.raises(PermissionDenied):
        run_selection(session, actor=AUDITOR, round_id=setup.round.id, seed=SEED)
    run = run_selection(session, actor=OPERATOR, round_id=setup.round.id, seed=SEED)
    page = list_selection_entries(session, actor=AUDITOR, run_id=run.id, funded=True)
    assert page.total == 1
    assert page.items[0].track_key == "basic"
    assert list_selection_entries(session, actor=AUDITOR, run_id=run.id, track="advanced").total == 0
    assert run.created_at <= datetime.now(UTC)
