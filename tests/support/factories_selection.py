"""A closed support round with eligible, assessed applications and a published seed, ready for a selection run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from midas.assessment import AssessmentRound, AssessmentStatus
from midas.auth import Actor, Role
from midas.registry import Organization
from midas.support.enums import ApplicationStatus, RoundStatus
from midas.support.models import SupportApplication, SupportRound, SupportTrack
from tests.assessment.factories import make_assessment
from tests.assessment.factories import make_round as make_assessment_round
from tests.factories import make_factory, make_organization
from tests.support.factories import make_application, make_round, make_track

OPERATOR = Actor(user_id=None, label="operator@test", role=Role.OPERATOR)
AUDITOR = Actor(user_id=None, label="auditor@test", role=Role.AUDITOR)
SEED = "2026-round-seed-published"


@dataclass
class SelectionSetup:
    round: SupportRound
    track: SupportTrack
    assessment_round: AssessmentRound
    applications: list[SupportApplication] = field(default_factory=list)


def published_round(session: Session, *, seed: str | None = SEED, track_overrides: dict[str, Any] | None = None,
                    **overrides: Any) -> SelectionSetup:
    """A CLOSED round with one basic track (no quota unless given) whose seed was published an hour ago."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": RoundStatus.CLOSED, "call_opens_at": now - timedelta(days=40),
                              "call_closes_at": now - timedelta(days=2), "lottery_seed": seed,
                              "seed_published_at": now - timedelta(hours=1) if seed else None}
    values.update(overrides)
    support_round = make_round(session, **values)
    track = make_track(session, support_round, **{"quotas": [], **(track_overrides or {})})
    return SelectionSetup(support_round, track, make_assessment_round(session))


def add_applicant(session: Session, setup: SelectionSetup, *, score: str, grant: int, region: str = "41",
                  track: SupportTrack | None = None, organization: Organization | None = None,
                  status: ApplicationStatus = ApplicationStatus.ELIGIBLE, **overrides: Any) -> SupportApplication:
    """An eligible application whose factory is in ``region``, assessed with the final score ``score``."""
    organization = organization or make_organization(session, region_code=region)
    factory = make_factory(session, organization, region_code=region)
    assessment = make_assessment(session, setup.assessment_round, organization, status=AssessmentStatus.FINAL,
                                 final_score=Decimal(score), final_level=2)
    application = make_application(session, track or setup.track, organization, factory_id=factory.id,
                                   assessment_id=assessment.id, status=status, government_krw=grant,
                                   company_krw=grant, total_cost_krw=2 * grant, **overrides)
    setup.applications.append(application)
    return application


def failed_checks() -> list[dict[str, Any]]:
    """The stored checks of an application that failed the level rule (saw level 4) and passed the others."""
    return [
        {"rule": "level_in_range", "label": "Assessed level between {min} and {max}", "params": {"min": 1, "max": 2},
         "seen": "4", "passed": False},
        {"rule": "no_active_sanction", "label": "No active sanction", "params": {}, "seen": "none", "passed": True},
    ]
