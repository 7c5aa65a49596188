"""Inputs for the programs part of support: a valid track as a form or the API sends it, and a draft round."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from midas.support.enums import RoundStatus
from midas.support.models import SupportRound
from tests.support.factories import make_round

_sequence = itertools.count(1)

NON_CAPITAL_CODES = ["26", "27", "29", "30", "31", "36", "51", "43", "44", "52", "46", "47", "48", "50"]


def track_fields(**overrides: Any) -> dict[str, Any]:
    """A basic track: levels 1-2 of ksx9001-3, 50/50, cap 100M KRW, budget 1B KRW of which 600M in two regions."""
    values: dict[str, Any] = {
        "name": "기초 (스마트공장 구축)", "name_en": "Basic: start a smart factory", "framework_code": "ksx9001-3",
        "level_min": 1, "level_max": 2, "government_share_percent": 50, "matching_share_percent": 50,
        "cap_krw": 100_000_000, "budget_krw": 1_000_000_000,
        "region_budgets": {"26": 400_000_000, "41": 200_000_000},
        "quotas": [{"regions": NON_CAPITAL_CODES, "min_share_percent": 50, "measure": "amount"}],
        "eligibility_rules": [{"rule": "level_in_range", "min": 1, "max": 2}, {"rule": "no_active_sanction"},
                              {"rule": "matching_declared", "min_share_percent": 50}],
    }
    values.update(overrides)
    return values


def draft_round(session: Session, **overrides: Any) -> SupportRound:
    """A draft round without tracks whose call opens tomorrow and closes in 30 days."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": RoundStatus.DRAFT, "call_opens_at": now + timedelta(days=1),
                              "call_closes_at": now + timedelta(days=30), "code": f"D{next(_sequence)}-{now:%H%M%S}"}
    values.update(overrides)
    return make_round(session, **values)


def round_fields(program_id: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "program_id": program_id, "code": f"2027-{next(_sequence)}", "year": 2027, "name": "2027년 1차 공모",
        "name_en": "2027 first call", "call_opens_at": "2027-02-01", "call_closes_at": "2027-03-15",
        "objective": "total_score", "adjustments": [{"kind": "first_time", "points": 30}], "appeal_days": 14,
    }
    values.update(overrides)
    return values
