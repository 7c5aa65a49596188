"""The reliability part of the assessment JSON API (under /api/v1/assessment): operators and auditors only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from midas.assessment import reliability_service as service
from midas.assessment.reliability import Grouping
from midas.assessment.reliability_schemas import (
    DistributionPublic,
    ExpertCalibrationPublic,
    RoundPublic,
    RoundReliabilityPublic,
)
from midas.web.context import DbSession, SignedInActor

router = APIRouter(prefix="/assessment", tags=["assessment"])


@router.get("/reliability/rounds", response_model=list[RoundPublic])
def list_rounds(session: DbSession, actor: SignedInActor) -> list[RoundPublic]:
    """Every round, newest first, with its counts and whether it has submitted sheets to measure."""
    return [RoundPublic.of(row) for row in service.list_rounds(session, actor=actor)]


@router.get("/reliability/rounds/{code}", response_model=RoundReliabilityPublic)
def round_reliability(code: str, session: DbSession, actor: SignedInActor) -> RoundReliabilityPublic:
    """Krippendorff's alpha (ordinal) across the round's experts with a 95% bootstrap interval, and the counts."""
    return RoundReliabilityPublic.of(service.round_reliability(session, actor=actor, code=code))


@router.get("/reliability/rounds/{code}/experts", response_model=list[ExpertCalibrationPublic])
def expert_calibrations(code: str, session: DbSession, actor: SignedInActor) -> list[ExpertCalibrationPublic]:
    """Each expert's leniency or severity against co-raters and consistency; flagged experts first."""
    return [ExpertCalibrationPublic.of(row) for row in service.expert_calibrations(session, actor=actor, code=code)]


@router.get("/reliability/rounds/{code}/distributions", response_model=DistributionPublic)
def level_distribution(
    code: str, session: DbSession, actor: SignedInActor, grouping: Grouping = Grouping.REGION,
    locale: Annotated[Literal["ko", "en"], Query(description="Language of the group names")] = "ko",
) -> DistributionPublic:
    """Levels by region, industry (KSIC division) or expert: count, mean, quartiles and a histogram per group."""
    return DistributionPublic.of(
        service.level_distribution(session, actor=actor, code=code, grouping=grouping, locale=locale)
    )


@router.get("/reliability/rounds/{code}/distributions.csv", response_class=Response)
def distribution_csv(
    code: str, session: DbSession, actor: SignedInActor, grouping: Grouping = Grouping.REGION,
    locale: Annotated[Literal["ko", "en"], Query(description="Language of the headings and group names")] = "ko",
) -> Response:
    """The distribution as a CSV file (UTF-8 with a byte order mark, so Excel reads Hangul)."""
    filename, content = service.distribution_export(session, actor=actor, code=code, grouping=grouping,
                                                    locale=locale)
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
