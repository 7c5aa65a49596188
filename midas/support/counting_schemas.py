"""The API shapes of the national counting toward the MIDAS 2027 targets (public aggregates, no company names)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel

from midas.paging import Page
from midas.support.counting_service import AreaCount, CountedCompany, NationalOverview, YearCount
from midas.support.enums import CountingCategory


class CategoryCountPublic(BaseModel):
    category: str
    count: int
    target: int
    share_percent: float


class TotalsPublic(BaseModel):
    categories: list[CategoryCountPublic]
    total: int
    total_target: int
    total_share_percent: float


class YearCountPublic(BaseModel):
    year: int
    new: dict[str, int]
    cumulative: dict[str, int]
    path: dict[str, int]
    cumulative_total: int
    path_total: int

    @classmethod
    def of(cls, row: YearCount) -> YearCountPublic:
        return cls(year=row.year, new=_keyed(row.new), cumulative=_keyed(row.cumulative), path=_keyed(row.path),
                   cumulative_total=row.cumulative_total, path_total=row.path_total)


class AreaCountPublic(BaseModel):
    code: str
    name_ko: str
    name_en: str
    counts: dict[str, int]
    total: int

    @classmethod
    def of(cls, row: AreaCount) -> AreaCountPublic:
        return cls(code=row.code, name_ko=row.name_ko, name_en=row.name_en, counts=_keyed(row.counts),
                   total=row.total)


class NationalPublic(BaseModel):
    """Companies counted toward the national targets: totals, by year, by region and by industry."""

    totals: TotalsPublic
    by_year: list[YearCountPublic]
    by_region: list[AreaCountPublic]
    by_industry: list[AreaCountPublic]

    @classmethod
    def of(cls, overview: NationalOverview) -> NationalPublic:
        counts = overview.counts
        return cls(
            totals=TotalsPublic(
                categories=[CategoryCountPublic(category=row.category.value, count=row.count, target=row.target,
                                                share_percent=row.share_percent) for row in counts.categories],
                total=counts.total, total_target=counts.total_target,
                total_share_percent=counts.total_share_percent),
            by_year=[YearCountPublic.of(row) for row in overview.years],
            by_region=[AreaCountPublic.of(row) for row in overview.regions],
            by_industry=[AreaCountPublic.of(row) for row in overview.industries],
        )


def _keyed(values: Mapping[CountingCategory, int]) -> dict[str, int]:
    return {category.value: int(value) for category, value in values.items()}


class CountedCompanyPublic(BaseModel):
    """A counted company and the completed project that made it count (operators and auditors only)."""

    organization_id: int
    name: str
    region_code: str
    ksic_division: str
    category: str
    year: int
    counted_at: datetime
    project_id: int
    application_id: int
    track: str
    assessed_level: int

    @classmethod
    def of(cls, row: CountedCompany) -> CountedCompanyPublic:
        return cls(organization_id=row.organization_id, name=row.name, region_code=row.region_code,
                   ksic_division=row.division, category=row.category.value, year=row.year,
                   counted_at=row.counted_at, project_id=row.project_id, application_id=row.application_id,
                   track=row.track.value, assessed_level=row.level)


class CountedCompaniesPage(BaseModel):
    items: list[CountedCompanyPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page[CountedCompany]) -> CountedCompaniesPage:
        return cls(items=[CountedCompanyPublic.of(row) for row in page.items], total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)
