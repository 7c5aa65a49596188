"""Rows of the support tables for tests, made directly (not through the services under test).

Helpers for one part of the support domain live in ``tests/support/factories_<part>.py`` and build on these.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from midas.registry import Organization
from midas.support.enums import ApplicationStatus, RoundStatus, SelectionObjective, TrackKind
from midas.support.models import (
    SupportApplication,
    SupportProgram,
    SupportRound,
    SupportTrack,
    TrackRegionBudget,
)
from tests.factories import make_factory, make_organization

_sequence = itertools.count(1)

MANUFACTURING = [str(d) for d in range(10, 34)]
NON_CAPITAL = ["26", "27", "29", "30", "31", "36", "43", "44", "46", "47", "48", "50", "51", "52"]


def make_program(session: Session, **overrides: Any) -> SupportProgram:
    n = next(_sequence)
    values: dict[str, Any] = {
        "code": f"SF{n}", "name": f"스마트공장 보급확산 {n}", "name_en": f"Smart factory program {n}",
        "counting_rules": [
            {"category": "advanced_digital", "tracks": ["advanced", "leading"], "min_level": 3},
            {"category": "transformed", "tracks": ["basic", "winwin", "regional"], "min_level": 1},
        ],
    }
    values.update(overrides)
    program = SupportProgram(**values)
    session.add(program)
    session.flush()
    return program


def make_round(session: Session, program: SupportProgram | None = None, **overrides: Any) -> SupportRound:
    """An open round of the current year whose call closes in 30 days."""
    n = next(_sequence)
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "program_id": (program or make_program(session)).id, "code": f"R{n}", "year": now.year,
        "name": f"{now.year}년 {n}차 공모", "name_en": f"{now.year} call {n}",
        "call_opens_at": now - timedelta(days=10), "call_closes_at": now + timedelta(days=30),
        "status": RoundStatus.OPEN, "objective": SelectionObjective.TOTAL_SCORE,
        "adjustments": [{"kind": "first_time", "points": 3}, {"kind": "non_capital", "points": 2}],
        "appeal_days": 14,
    }
    values.update(overrides)
    row = SupportRound(**values)
    session.add(row)
    session.flush()
    return row


def basic_rules(level_min: int = 1, level_max: int = 2) -> list[dict[str, Any]]:
    return [
        {"rule": "level_in_range", "min": level_min, "max": level_max},
        {"rule": "size_band", "allowed": ["micro", "small", "medium"]},
        {"rule": "ksic_division", "allowed": MANUFACTURING},
        {"rule": "no_active_sanction"},
        {"rule": "no_double_funding", "years": 3},
        {"rule": "matching_declared", "min_share_percent": 50},
    ]


def make_track(session: Session, support_round: SupportRound | None = None, **overrides: Any) -> SupportTrack:
    """A basic track (levels 1-2, 50 % government share, cap 100M KRW, budget 1B KRW) of ``support_round``."""
    values: dict[str, Any] = {
        "round_id": (support_round or make_round(session)).id, "kind": TrackKind.BASIC,
        "name": "기초 (스마트공장 구축)", "name_en": "Basic: start a smart factory",
        "framework_code": "ksx9001-3", "level_min": 1, "level_max": 2,
        "government_share_percent": 50, "cap_krw": 100_000_000, "matching_share_percent": 50,
        "budget_krw": 1_000_000_000, "eligibility_rules": basic_rules(),
        "quotas": [{"regions": NON_CAPITAL, "min_share_percent": 50, "measure": "amount"}],
    }
    values.update(overrides)
    track = SupportTrack(**values)
    session.add(track)
    session.flush()
    return track


def make_region_budget(session: Session, track: SupportTrack, region_code: str, budget_krw: int) -> TrackRegionBudget:
    row = TrackRegionBudget(track_id=track.id, region_code=region_code, budget_krw=budget_krw)
    session.add(row)
    session.flush()
    return row


def make_application(session: Session, track: SupportTrack, organization: Organization | None = None,
                     **overrides: Any) -> SupportApplication:
    """A submitted application for 80M KRW of government support and 80M KRW of the company's own funds."""
    organization = organization or make_organization(session)
    factory = make_factory(session, organization)
    values: dict[str, Any] = {
        "round_id": track.round_id, "track_id": track.id, "organization_id": organization.id,
        "factory_id": factory.id, "status": ApplicationStatus.SUBMITTED, "title": "MES 도입으로 생산 이력 관리",
        "scope": "mes",
        "plan": {
            "goals": "작업지시와 생산실적을 MES로 관리해 불량을 줄인다",
            "target_kpis": {"productivity": {"baseline": 100, "target": 115, "unit": "개/시간"},
                            "quality": {"baseline": 3.0, "target": 1.5, "unit": "%"}},
            "suppliers": [{"organization_id": None, "name": "(주)스마트솔루션", "solution": "MES 표준형"}],
            "budget_lines": [{"item": "MES 소프트웨어", "amount_krw": 120_000_000},
                             {"item": "설비 연동", "amount_krw": 40_000_000}],
            "schedule": [{"title": "착수", "due_on": "2027-03-01"}, {"title": "구축 완료", "due_on": "2027-09-30"}],
        },
        "total_cost_krw": 160_000_000, "government_krw": 80_000_000, "company_krw": 80_000_000,
        "created_by_label": "test", "submitted_at": datetime.now(UTC),
    }
    values.update(overrides)
    application = SupportApplication(**values)
    session.add(application)
    session.flush()
    return application
