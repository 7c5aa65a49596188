"""The counting part of the support JSON API (under /api/v1/support): the national counts (public) and the counted
companies (operators and auditors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from midas.support import counting_service
from midas.support.counting_schemas import CountedCompaniesPage, NationalPublic
from midas.support.enums import CountingCategory
from midas.web.context import DbSession, SignedInActor

router = APIRouter(prefix="/support", tags=["support"])


@router.get("/national", response_model=NationalPublic)
def national(session: DbSession) -> NationalPublic:
    """Companies counted toward the MIDAS 2027 targets (5,000 advanced digital, 20,000 transformed): totals,
    by year 2023-2027 against the straight path to the targets, by region and by industry. No sign-in needed;
    no company is named."""
    return NationalPublic.of(counting_service.national_overview(session))


@router.get("/national/companies", response_model=CountedCompaniesPage)
def counted_companies(
    session: DbSession,
    actor: SignedInActor,
    page: Annotated[int, Query(description="Page number, from 1")] = 1,
    page_size: Annotated[int, Query(description="Companies per page, 1 to 200")] = 50,
    category: Annotated[CountingCategory | None, Query(description="Only this category")] = None,
    year: Annotated[int | None, Query(description="Only companies counted in this year (2023-2027)")] = None,
) -> CountedCompaniesPage:
    """The counted companies, newest count first, each with the completed project that made it count."""
    return CountedCompaniesPage.of(counting_service.counted_companies(
        session, actor=actor, page=page, page_size=page_size, category=category, year=year))
