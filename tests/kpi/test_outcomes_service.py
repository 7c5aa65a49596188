"""Project outcomes from the aggregates: the periods, the measured improvement, targets, stored roll-ups, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas.auth import Actor, Role
from midas.errors import NotFound
from midas.ingest import accept
from midas.kpi.outcomes import Finding, Measure
from midas.kpi.outcomes_service import (
    BASELINE_DAYS,
    OutcomeGroup,
    outcome_from_json,
    outcome_rollups,
    outcome_to_json,
    project_outcome,
    refresh_outcomes,
)
from midas.standard import example_record
from midas.support import ProjectStatus
from tests.factories import make_organization
from tests.support.factories_projects import make_project

OPERATOR = Actor(user_id=None, label="operator", role=Role.OPERATOR)
STARTS = date(2026, 3, 1)
COMPLETED = date(2026, 6, 30)
TODAY = date(2026, 11, 26)


def member(organization_id: int) -> Actor:
    return Actor(user_id=None, label="member", role=Role.COMPANY_MEMBER, organization_id=organization_id)


def day_record(day: date, production: int, produced: int) -> dict[str, Any]:
    record = example_record("ProductionPerformance")
    record.pop("ShiftName")
    setup, delay = 1_200, 900
    record.update({
        "PeriodKind": "Day", "PeriodStart": f"{day.isoformat()}T08:00:00+09:00",
        "PeriodEnd": f"{day.isoformat()}T16:00:00+09:00", "OrderId": f"PO-{day.isoformat()}",
        "ActualProductionTime": production, "ActualUnitSetupTime": setup,
        "ActualUnitProcessingTime": production + setup, "ActualUnitDelayTime": delay,
        "ActualUnitBusyTime": production + setup + delay,
        "ActualUnitDownTime": 28_800 - production - setup - delay,
        "ProducedQuantity": produced, "GoodQuantity": produced - 20, "ScrapQuantity": 10, "ReworkQuantity": 10,
        "InspectedPart": produced})
    return record


@pytest.fixture
def project(session: Session) -> Any:
    return make_project(session, starts_on=STARTS, status=ProjectStatus.COMPLETED,
                        completed_at=datetime(2026, 6, 30, 3, 0, tzinfo=UTC))


def send_days(session: Session, project: Any, first: date, days: int, production: int, produced: int) -> None:
    factory_id = project_factory(session, project)
    records = [day_record(first + timedelta(days=n), production + (n % 5) * 100, produced + (n % 7) * 3)
               for n in range(days)]
    receipt = accept(session, actor=member(project.organization_id), items=[
        {"factory_id": factory_id, "template": "ProductionPerformance", "record": r} for r in records])
    assert receipt.rejected == 0, receipt.refused[:1]


def project_factory(session: Session, project: Any) -> int:
    from midas.support import outcome_subjects

    (subject,) = outcome_subjects(session, actor=OPERATOR, project_ids=[project.id])
    assert subject.factory_id is not None
    return subject.factory_id


def test_the_outcome_compares_the_days_before_the_start_with_those_after_completion(
        session: Session, project: Any) -> None:
    send_days(session, project, STARTS - timedelta(days=BASELINE_DAYS), BASELINE_DAYS, 20_000, 600)
    send_days(session, project, STARTS, 60, 5_000, 100)  # during the project: in neither period
    send_days(session, project, COMPLETED + timedelta(days=1), BASELINE_DAYS, 20_000, 720)
    measured = project_outcome(session, actor=member(project.organization_id), project_id=project.id, today=TODAY)
    assert measured.baseline == (STARTS - timedelta(days=BASELINE_DAYS), STARTS - timedelta(days=1))
    assert measured.after == (COMPLETED + timedelta(days=1), COMPLETED + timedelta(days=BASELINE_DAYS))
    assert len(measured.baseline_days) == BASELINE_DAYS
    assert len(measured.after_days) == BASELINE_DAYS
    assert measured.outcome is not None
    productivity = measured.outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.finding is Finding.BETTER
    assert productivity.improvement_pct == pytest.approx(19.5, abs=1.5)
    assert productivity.ci_low_pct is not None
    assert productivity.ci_low_pct > 0
    assert outcome_from_json(outcome_to_json(measured.outcome)) == measured.outcome


def test_a_project_not_completed_has_a_baseline_only(session: Session) -> None:
    running = make_project(session, starts_on=STARTS, status=ProjectStatus.IN_PROGRESS)
    measured = project_outcome(session, actor=OPERATOR, project_id=running.id, today=TODAY)
    assert measured.after is None
    assert measured.outcome is None
    assert measured.met_targets is None


def test_another_organization_cannot_read_the_outcome(session: Session, project: Any) -> None:
    stranger = make_organization(session)
    with pytest.raises(NotFound):
        project_outcome(session, actor=member(stranger.id), project_id=project.id, today=TODAY)


def test_refreshed_outcomes_roll_up_by_group(session: Session, project: Any) -> None:
    send_days(session, project, STARTS - timedelta(days=BASELINE_DAYS), BASELINE_DAYS, 20_000, 600)
    send_days(session, project, COMPLETED + timedelta(days=1), BASELINE_DAYS, 20_000, 720)
    done = refresh_outcomes(session, actor=OPERATOR, today=TODAY)
    assert done.total == 1
    by_track = outcome_rollups(session, actor=OPERATOR, by=OutcomeGroup.TRACK)
    assert len(by_track) == 1
    _, summary = by_track[0]
    assert summary.projects == 1
    assert summary.measures[Measure.PRODUCTIVITY].better == 1
    # one project is too few to show anyone but program staff
    assert outcome_rollups(session, actor=member(project.organization_id), by=OutcomeGroup.YEAR) == []
