"""The registry's API shapes.

Input fields are loose on purpose (text or numbers, none required here): the service's parsers check them,
so the API, the pages and imports report the same problems, per field, in the caller's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midas.paging import Page
from midas.registry.enums import ContactRole, OrganizationKind
from midas.registry.models import Contact, Factory, Organization
from midas.registry.reference import CodeName, format_brn, ksic_divisions, regions

Text = str | None
# A code or a number may come as a JSON number or as text ("29", "C29", "경기도", "1,200").
Code = str | int | None
Number = str | int | float | None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """Only the fields the caller sent: a PATCH changes those and keeps the rest."""
        return self.model_dump(exclude_unset=True)


class OrganizationCreate(_Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "brn": "220-81-62517", "name": "(주)한빛정밀", "name_en": "Hanbit Precision Co., Ltd.", "kind": "sme",
        "ksic_code": "29", "region_code": "41", "employees": 42, "annual_revenue_krw": 8500000000,
        "founded_year": 2004, "representative": "김민준", "address": "경기도 화성시 팔탄면 공단로 12",
    }]})

    brn: Code = Field(None, description="Business registration number: 123-45-67890 or ten digits (required)")
    name: Text = Field(None, description="Korean name as registered (required)")
    name_en: Text = Field(None, description="English name")
    kind: Text = Field(None, description="sme, midsize, large_enterprise, technology_supplier or institute "
                                         "(required)")
    ksic_code: Code = Field(None, description="KSIC manufacturing division 10-34, e.g. 29 or C29 (required)")
    region_code: Code = Field(None, description="Region: administrative code (41) or name (경기도, Gyeonggi-do) "
                                                "(required)")
    employees: Number = Field(None, description="Number of employees (required)")
    annual_revenue_krw: Number = Field(None, description="Annual revenue in won")
    founded_year: Number = None
    representative: Text = None
    address: Text = None
    website: Text = None


class OrganizationUpdate(OrganizationCreate):
    """Any subset of an organization's fields; the whole record is validated again."""

    reason: Text = Field(None, description="Why the change is made; kept in the audit log")

    def changes(self) -> dict[str, Any]:
        changes = super().changes()
        changes.pop("reason", None)
        return changes


class StatusChange(_Input):
    reason: Text = Field(None, description="Why; kept in the audit log (required to (de)activate an organization)")


class CodeNamePublic(BaseModel):
    code: str
    name_ko: str
    name_en: str

    @classmethod
    def of(cls, code_name: CodeName | None) -> CodeNamePublic | None:
        if code_name is None:
            return None
        return cls(code=code_name.code, name_ko=code_name.name_ko, name_en=code_name.name_en)


class OrganizationPublic(BaseModel):
    id: int
    brn: str = Field(description="Ten digits")
    brn_formatted: str = Field(description="As written on the certificate: 123-45-67890")
    name: str
    name_en: str | None
    kind: OrganizationKind
    ksic_code: str
    ksic_division: CodeNamePublic | None
    region_code: str
    region: CodeNamePublic | None
    employees: int
    annual_revenue_krw: int | None
    founded_year: int | None
    representative: str | None
    address: str | None
    website: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, organization: Organization) -> OrganizationPublic:
        return cls(
            id=organization.id, brn=organization.brn, brn_formatted=format_brn(organization.brn),
            name=organization.name, name_en=organization.name_en, kind=organization.kind,
            ksic_code=organization.ksic_code,
            ksic_division=CodeNamePublic.of(ksic_divisions().get(organization.ksic_code)),
            region_code=organization.region_code, region=CodeNamePublic.of(regions().get(organization.region_code)),
            employees=organization.employees, annual_revenue_krw=organization.annual_revenue_krw,
            founded_year=organization.founded_year, representative=organization.representative,
            address=organization.address, website=organization.website, is_active=organization.is_active,
            created_at=organization.created_at, updated_at=organization.updated_at,
        )


class OrganizationsPage(BaseModel):
    items: list[OrganizationPublic]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page[Organization]) -> OrganizationsPage:
        return cls(items=[OrganizationPublic.of(o) for o in page.items], total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)


class FactoryCreate(_Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "제1공장", "address": "경기도 화성시 팔탄면 공단로 12", "region_code": "41",
        "industrial_complex": "화성 팔탄산업단지", "main_processes": "가공, 조립, 검사", "production_lines": 3,
    }]})

    name: Text = Field(None, description="(required)")
    address: Text = Field(None, description="(required)")
    region_code: Code = Field(None, description="Administrative code or name of the region (required)")
    industrial_complex: Text = None
    main_processes: Text = Field(None, description="Comma-separated: 가공, 조립, 검사")
    production_lines: Number = Field(None, description="(required)")


class FactoryUpdate(FactoryCreate):
    """Any subset of a factory's fields; the whole record is validated again."""


class FactoryPublic(BaseModel):
    id: int
    organization_id: int
    name: str
    address: str
    region_code: str
    region: CodeNamePublic | None
    industrial_complex: str | None
    main_processes: list[str]
    production_lines: int
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, factory: Factory) -> FactoryPublic:
        return cls(
            id=factory.id, organization_id=factory.organization_id, name=factory.name, address=factory.address,
            region_code=factory.region_code, region=CodeNamePublic.of(regions().get(factory.region_code)),
            industrial_complex=factory.industrial_complex,
            main_processes=[p.strip() for p in factory.main_processes.split(",") if p.strip()],
            production_lines=factory.production_lines, is_active=factory.is_active,
            created_at=factory.created_at, updated_at=factory.updated_at,
        )

    @classmethod
    def all_of(cls, factories: Sequence[Factory]) -> list[FactoryPublic]:
        return [cls.of(f) for f in factories]


class ContactCreate(_Input):
    name: Text = Field(None, description="(required)")
    role: Text = Field(None, description="representative, dx_manager, production_manager, it_manager, finance "
                                         "or other (required)")
    email: Text = None
    phone: Text = None


class ContactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    name: str
    role: ContactRole
    email: str | None
    phone: str | None
    is_active: bool
    created_at: datetime

    @classmethod
    def all_of(cls, contacts: Sequence[Contact]) -> list[ContactPublic]:
        return [cls.model_validate(c) for c in contacts]
