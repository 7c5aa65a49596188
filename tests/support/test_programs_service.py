"""Programs, rounds and tracks against the database: every bad input is refused at its exact place with nothing
stored, tracks change only as far as the round's state allows, the call opens and closes, the seed is published
once, and the MIDAS 2027 configuration builds five valid tracks whose budgets add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Actor, Role, actor_for
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.support import programs_service
from midas.support.enums import ApplicationStatus, RoundStatus, TrackKind
from midas.support.models import SupportProgram, SupportRound, SupportTrack, TrackRegionBudget
from tests.assessment.factories import shipped_version
from tests.factories import make_user
from tests.support.factories import make_application, make_program, make_track
from tests.support.factories_programs import draft_round, round_fields, track_fields


@pytest.fixture
def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def fields_of(error: InvalidInput) -> set[str]:
    return {p.field for p in error.problems}


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


# Programs ---------------------------------------------------------------------------------------------------


def test_a_program_keeps_its_counting_rules_normalized(session: Session, operator: Actor) -> None:
    program = programs_service.create_program(session, actor=operator, raw={
        "code": "SF-T1", "name": "스마트공장", "name_en": "Smart factory",
        "counting_rules": '[{"category": "advanced_digital", "tracks": ["advanced"], "min_level": 3}]'})
    assert program.counting_rules == [{"category": "advanced_digital", "tracks": ["advanced"], "min_level": 3,
                                       "requires": "completed_project"}]
    assert events(session, "support.program.created")[0].object_id == str(program.id)


def test_bad_counting_rules_are_refused_at_their_places(session: Session, operator: Actor) -> None:
    before = count(session, SupportProgram)
    with pytest.raises(InvalidInput) as refused:
        programs_service.create_program(session, actor=operator, raw={
            "code": "SF-T2", "name": "스마트공장", "name_en": "Smart factory", "region_code": "99",
            "counting_rules": [{"category": "digital", "tracks": ["basic", "pilot"], "min_level": 0},
                               {"category": "transformed", "tracks": [], "min_level": 2, "requires": "a_visit"}]})
    assert fields_of(refused.value) == {"region_code", "counting_rules[0].category", "counting_rules[0].tracks[1]",
                                        "counting_rules[0].min_level", "counting_rules[1].tracks",
                                        "counting_rules[1].requires"}
    assert count(session, SupportProgram) == before


def test_a_program_code_is_unique(session: Session, operator: Actor) -> None:
    program = make_program(session)
    with pytest.raises(InvalidInput) as refused:
        programs_service.create_program(session, actor=operator, raw={"code": program.code, "name": "a",
                                                                      "name_en": "a"})
    assert fields_of(refused.value) == {"code"}


def test_only_an_operator_creates_programs(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    with pytest.raises(PermissionDenied):
        programs_service.create_program(session, actor=member, raw={"code": "X", "name": "a", "name_en": "a"})
    with pytest.raises(PermissionDenied):
        programs_service.list_rounds(session, actor=member)


# Rounds -----------------------------------------------------------------------------------------------------


def test_a_round_is_created_as_a_draft_with_korean_call_days(session: Session, operator: Actor) -> None:
    program = make_program(session)
    created = programs_service.create_round(session, actor=operator, raw=round_fields(program.id))
    assert created.status is RoundStatus.DRAFT
    assert created.appeal_days == 14
    assert created.adjustments == [{"kind": "first_time", "points": 30}]
    # 2027-02-01 00:00 in Seoul is 2027-01-31 15:00 UTC; the call closes at the end of 2027-03-15 in Seoul.
    assert created.call_opens_at == datetime(2027, 1, 31, 15, 0, tzinfo=UTC)
    assert created.call_closes_at == datetime(2027, 3, 15, 14, 59, tzinfo=UTC)
    assert events(session, "support.round.created")[0].details["code"] == created.code


def test_a_bad_round_is_refused_with_every_place_and_nothing_stored(session: Session, operator: Actor) -> None:
    program = make_program(session)
    before = count(session, SupportRound)
    with pytest.raises(InvalidInput) as refused:
        programs_service.create_round(session, actor=operator, raw=round_fields(
            program.id, code="bad code!", year=1900, call_opens_at="2027-03-15", call_closes_at="2027-03-01",
            objective="cheapest", appeal_days=0,
            adjustments=[{"kind": "first_time", "points": 101}, {"kind": "women_led", "points": 2},
                         {"kind": "first_time", "points": 1}]))
    assert fields_of(refused.value) == {"code", "year", "call_closes_at", "objective", "appeal_days",
                                        "adjustments[0].points", "adjustments[1].kind", "adjustments[2].kind"}
    assert count(session, SupportRound) == before


def test_a_round_of_an_unknown_program_is_refused(session: Session, operator: Actor) -> None:
    with pytest.raises(InvalidInput) as refused:
        programs_service.create_round(session, actor=operator, raw=round_fields(987654))
    assert fields_of(refused.value) == {"program_id"}


def test_the_call_opens_with_a_funded_track_and_closes_early_only_with_a_reason(session: Session,
                                                                                operator: Actor) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    with pytest.raises(InvalidInput) as refused:
        programs_service.open_round(session, actor=operator, round_id=support_round.id)
    assert fields_of(refused.value) == {"tracks"}
    programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic",
                               raw=track_fields(budget_krw=0, region_budgets={}))
    with pytest.raises(InvalidInput) as refused:
        programs_service.open_round(session, actor=operator, round_id=support_round.id)
    assert fields_of(refused.value) == {"tracks[basic].budget_krw"}
    programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic", raw=track_fields())
    opened = programs_service.open_round(session, actor=operator, round_id=support_round.id)
    assert opened.status is RoundStatus.OPEN
    with pytest.raises(Conflict):
        programs_service.open_round(session, actor=operator, round_id=support_round.id)
    with pytest.raises(InvalidInput) as refused:
        programs_service.close_round(session, actor=operator, round_id=support_round.id)
    assert fields_of(refused.value) == {"reason"}
    assert session.get(SupportRound, support_round.id).status is RoundStatus.OPEN  # type: ignore[union-attr]
    closed = programs_service.close_round(session, actor=operator, round_id=support_round.id,
                                          reason="예산 조기 소진")
    assert closed.status is RoundStatus.CLOSED
    event = events(session, "support.round.closed")[0]
    assert (event.reason, event.details["early"]) == ("예산 조기 소진", True)


def test_a_call_past_its_end_closes_without_a_reason_and_cannot_open(session: Session, operator: Actor) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic", raw=track_fields())
    later = support_round.call_closes_at + timedelta(minutes=1)
    with pytest.raises(InvalidInput) as refused:
        programs_service.open_round(session, actor=operator, round_id=support_round.id, now=later)
    assert fields_of(refused.value) == {"call_closes_at"}
    programs_service.open_round(session, actor=operator, round_id=support_round.id)
    closed = programs_service.close_round(session, actor=operator, round_id=support_round.id, now=later)
    assert closed.status is RoundStatus.CLOSED
    assert events(session, "support.round.closed")[0].details["early"] is False


def test_the_seed_is_published_once_before_the_selection(session: Session, operator: Actor) -> None:
    support_round = draft_round(session)
    with pytest.raises(InvalidInput) as refused:
        programs_service.publish_seed(session, actor=operator, round_id=support_round.id, seed="  ")
    assert fields_of(refused.value) == {"seed"}
    published = programs_service.publish_seed(session, actor=operator, round_id=support_round.id,
                                              seed="2027-03-16 로또 1161회")
    assert published.lottery_seed == "2027-03-16 로또 1161회"
    assert published.seed_published_at is not None
    with pytest.raises(Conflict):
        programs_service.publish_seed(session, actor=operator, round_id=support_round.id, seed="another")
    assert session.get(SupportRound, support_round.id).lottery_seed == "2027-03-16 로또 1161회"  # type: ignore[union-attr]
    selected = draft_round(session, status=RoundStatus.SELECTED)
    with pytest.raises(Conflict):
        programs_service.publish_seed(session, actor=operator, round_id=selected.id, seed="late")
    assert len(events(session, "support.round.seed_published")) == 1


def test_an_unknown_round_is_not_found(session: Session, operator: Actor) -> None:
    with pytest.raises(NotFound):
        programs_service.get_round_overview(session, actor=operator, round_id=987654)


# Tracks -----------------------------------------------------------------------------------------------------


def test_a_track_is_stored_with_its_region_budgets_and_audited(session: Session, operator: Actor) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    track = programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic",
                                       raw=track_fields(cap_krw="100,000,000"))
    assert (track.kind, track.cap_krw, track.budget_krw) == (TrackKind.BASIC, 100_000_000, 1_000_000_000)
    assert {b.region_code: b.budget_krw for b in track.region_budgets} == {"26": 400_000_000, "41": 200_000_000}
    assert track.eligibility_rules[0] == {"rule": "level_in_range", "min": 1, "max": 2}
    assert events(session, "support.track.added")[0].details["kind"] == "basic"


@pytest.mark.parametrize(("changes", "places"), [
    ({"framework_code": ""}, {"tracks[basic].framework_code"}),
    ({"framework_code": "nope"}, {"tracks[basic].framework_code"}),
    ({"level_max": 7}, {"tracks[basic].level_max", "tracks[basic].eligibility_rules[0]"}),
    ({"level_min": 2, "level_max": 1, "eligibility_rules": []}, {"tracks[basic].level_max"}),
    ({"government_share_percent": 60}, {"tracks[basic].matching_share_percent"}),
    ({"government_share_percent": 0, "matching_share_percent": 100}, {"tracks[basic].government_share_percent"}),
    ({"cap_krw": 0}, {"tracks[basic].cap_krw"}),
    ({"cap_krw": 2_000_000_000}, {"tracks[basic].cap_krw"}),
    ({"budget_krw": -1}, {"tracks[basic].budget_krw"}),
    ({"region_budgets": {"99": 1, "26": "many"}},
     {"tracks[basic].region_budgets[99]", "tracks[basic].region_budgets[26]"}),
    ({"region_budgets": {"26": 700_000_000, "41": 400_000_000}}, {"tracks[basic].region_budgets"}),
    ({"quotas": [{"regions": ["26", "00"], "min_share_percent": 150, "measure": "heads"}]},
     {"tracks[basic].quotas[0].regions[1]", "tracks[basic].quotas[0].min_share_percent",
      "tracks[basic].quotas[0].measure"}),
    ({"eligibility_rules": [{"rule": "level_in_range", "min": 1, "max": 2}, {"rule": "region", "allowed": ["99"]},
                            {"rule": "no_double_funding", "years": 0}]},
     {"tracks[basic].eligibility_rules[2].years"}),
    ({"eligibility_rules": [{"rule": "region", "allowed": ["99"]}]},
     {"tracks[basic].eligibility_rules[0].allowed[0]"}),
    ({"eligibility_rules": "[{\"rule\": "}, {"tracks[basic].eligibility_rules"}),
    ({"requires_co_funder": True}, {"tracks[basic].matching_share_percent"}),
])
def test_a_bad_track_is_refused_at_its_place_and_nothing_changes(session: Session, operator: Actor,
                                                                  changes: dict[str, Any], places: set[str]) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    with pytest.raises(InvalidInput) as refused:
        programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic",
                                   raw=track_fields(**changes))
    assert fields_of(refused.value) == places
    assert all(p.message for p in refused.value.problems)
    assert session.scalar(select(func.count()).where(SupportTrack.round_id == support_round.id)) == 0
    assert events(session, "support.track.added") == []


def test_budgets_that_do_not_add_up_name_the_numbers(session: Session, operator: Actor) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    with pytest.raises(InvalidInput) as refused:
        programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic",
                                   raw=track_fields(region_budgets={"26": 700_000_000, "41": 400_000_000}))
    problem = refused.value.problems[0]
    assert problem.params == {"total": 1_100_000_000, "budget": 1_000_000_000}


def test_a_win_win_track_needs_a_co_funder_and_leaves_it_a_share(session: Session, operator: Actor) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    fields = track_fields(name="상생형", name_en="Win-win", government_share_percent=30, matching_share_percent=40,
                          level_max=3, eligibility_rules=[])
    with pytest.raises(InvalidInput) as refused:
        programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="winwin", raw=fields)
    assert "tracks[winwin].requires_co_funder" in fields_of(refused.value)
    track = programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="winwin",
                                       raw={**fields, "requires_co_funder": "true"})
    assert track.requires_co_funder
    with pytest.raises(NotFound):
        programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="pilot", raw=fields)


def test_a_replaced_track_keeps_its_id_and_audits_what_changed(session: Session, operator: Actor) -> None:
    shipped_version(session)
    support_round = draft_round(session)
    first = programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic",
                                       raw=track_fields())
    second = programs_service.set_track(session, actor=operator, round_id=support_round.id, kind="basic",
                                        raw=track_fields(budget_krw=2_000_000_000, region_budgets={"27": 5}),
                                        reason="추경 예산")
    assert second.id == first.id
    stored = session.scalars(select(TrackRegionBudget).where(TrackRegionBudget.track_id == first.id)).all()
    assert [(b.region_code, b.budget_krw) for b in stored] == [("27", 5)]
    event = events(session, "support.track.replaced")[0]
    assert event.reason == "추경 예산"
    assert set(event.details["changes"]) == {"budget_krw", "region_budgets"}


def test_once_companies_applied_only_the_money_of_a_track_changes(session: Session, operator: Actor) -> None:
    shipped_version(session)
    track = make_track(session, quotas=[], eligibility_rules=[{"rule": "level_in_range", "min": 1, "max": 2}])
    make_application(session, track)
    with pytest.raises(InvalidInput) as refused:
        programs_service.set_track(session, actor=operator, round_id=track.round_id, kind="basic",
                                   raw=track_fields(level_max=3, eligibility_rules=[], quotas=[]))
    assert fields_of(refused.value) == {"tracks[basic].level_max", "tracks[basic].eligibility_rules"}
    assert session.get(SupportTrack, track.id).level_max == 2  # type: ignore[union-attr]
    changed = programs_service.set_track(
        session, actor=operator, round_id=track.round_id, kind="basic",
        raw=track_fields(budget_krw=3_000_000_000, quotas=[],
                         eligibility_rules=[{"rule": "level_in_range", "min": 1, "max": 2}]))
    assert changed.budget_krw == 3_000_000_000


def test_after_the_selection_no_track_changes(session: Session, operator: Actor) -> None:
    shipped_version(session)
    selected = draft_round(session, status=RoundStatus.SELECTED)
    with pytest.raises(Conflict):
        programs_service.set_track(session, actor=operator, round_id=selected.id, kind="basic", raw=track_fields())
    closed = draft_round(session, status=RoundStatus.CLOSED)
    with pytest.raises(Conflict):
        programs_service.set_track(session, actor=operator, round_id=closed.id, kind="basic", raw=track_fields())


def test_an_auditor_reads_but_does_not_change(session: Session) -> None:
    shipped_version(session)
    auditor = actor_for(make_user(session, Role.AUDITOR))
    support_round = draft_round(session)
    assert programs_service.get_round_overview(session, actor=auditor, round_id=support_round.id).tracks == []
    with pytest.raises(PermissionDenied):
        programs_service.set_track(session, actor=auditor, round_id=support_round.id, kind="basic",
                                   raw=track_fields())


def test_the_overview_counts_applications_and_describes_rules(session: Session, operator: Actor) -> None:
    track = make_track(session)
    make_application(session, track)
    make_application(session, track)
    make_application(session, track, status=ApplicationStatus.DRAFT)
    overview = programs_service.get_round_overview(session, actor=operator, round_id=track.round_id)
    assert overview.applications == {ApplicationStatus.SUBMITTED: 2, ApplicationStatus.DRAFT: 1}
    assert overview.applications_by_track[track.id][ApplicationStatus.SUBMITTED] == 2
    assert len(overview.region_rows) == 17
    assert [d.rule for d in overview.rules[TrackKind.BASIC]][:1] == ["level_in_range"]
    summary = next(s for s in programs_service.list_rounds(session, actor=operator) if s.round.id == track.round_id)
    assert (summary.track_count, summary.budget_krw, summary.applications) == (1, 1_000_000_000, 3)


# MIDAS 2027 -------------------------------------------------------------------------------------------------


def test_the_midas2027_configuration_is_valid_and_adds_up(session: Session, operator: Actor) -> None:
    shipped_version(session)
    config = programs_service.load_midas2027()
    assert [t["kind"] for t in config["tracks"]] == [k.value for k in TrackKind]
    for track in config["tracks"]:
        data = programs_service.parse_track(session, TrackKind(track["kind"]), track)
        assert sum(data.region_budgets.values()) <= data.budget_krw
        for quota in data.quotas:
            assert not set(quota["regions"]) & set(programs_service.CAPITAL_REGIONS)
    basic = programs_service.midas2027_track(TrackKind.BASIC)
    assert sum(basic["region_budgets"].values()) == basic["budget_krw"]
    assert len(basic["region_budgets"]) == 17
    regional = programs_service.midas2027_track(TrackKind.REGIONAL)
    assert sum(regional["region_budgets"].values()) == regional["budget_krw"]
    assert (basic["cap_krw"], basic["government_share_percent"]) == (100_000_000, 50)


def test_a_midas2027_round_has_the_five_tracks(session: Session, operator: Actor) -> None:
    shipped_version(session)
    program = programs_service.ensure_midas2027_program(session, actor=operator)
    assert programs_service.ensure_midas2027_program(session, actor=operator).id == program.id
    created = programs_service.create_round_from_midas2027(
        session, actor=operator, raw=round_fields(program.id, adjustments=None, objective=None))
    assert {t.kind for t in created.tracks} == set(TrackKind)
    assert created.adjustments == [{"kind": "first_time", "points": 30}, {"kind": "non_capital", "points": 20}]
    winwin = next(t for t in created.tracks if t.kind is TrackKind.WINWIN)
    assert (winwin.government_share_percent, winwin.matching_share_percent, winwin.requires_co_funder) == (30, 40,
                                                                                                          True)
    assert len(events(session, "support.track.added")) == 5


def test_a_midas2027_round_without_the_framework_stores_nothing(session: Session, operator: Actor) -> None:
    program = make_program(session)
    assert "ksx9001-3" not in programs_service.published_framework_codes(session, actor=operator)
    before = count(session, SupportRound)
    with pytest.raises(InvalidInput) as refused:
        programs_service.create_round_from_midas2027(session, actor=operator, raw=round_fields(program.id))
    assert {f"tracks[{k.value}].framework_code" for k in TrackKind} <= fields_of(refused.value)
    assert count(session, SupportRound) == before
