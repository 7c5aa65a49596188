from __future__ import annotations

from enum import StrEnum


class OrganizationKind(StrEnum):
    SME = "sme"
    MIDSIZE = "midsize"
    LARGE_ENTERPRISE = "large_enterprise"
    TECHNOLOGY_SUPPLIER = "technology_supplier"
    INSTITUTE = "institute"


ORGANIZATION_KIND_LABELS: dict[OrganizationKind, str] = {
    OrganizationKind.SME: "SME",
    OrganizationKind.MIDSIZE: "Mid-size company",
    OrganizationKind.LARGE_ENTERPRISE: "Large enterprise",
    OrganizationKind.TECHNOLOGY_SUPPLIER: "Technology supplier",
    OrganizationKind.INSTITUTE: "Institute",
}


class SizeBand(StrEnum):
    """Bands of employee counts used to filter lists (after the Korean SME statistics)."""

    MICRO = "micro"  # 1-9
    SMALL = "small"  # 10-49
    MEDIUM = "medium"  # 50-299
    LARGE = "large"  # 300+

    @property
    def bounds(self) -> tuple[int, int | None]:
        return {
            SizeBand.MICRO: (0, 9),
            SizeBand.SMALL: (10, 49),
            SizeBand.MEDIUM: (50, 299),
            SizeBand.LARGE: (300, None),
        }[self]


SIZE_BAND_LABELS: dict[SizeBand, str] = {
    SizeBand.MICRO: "1-9 employees",
    SizeBand.SMALL: "10-49 employees",
    SizeBand.MEDIUM: "50-299 employees",
    SizeBand.LARGE: "300 or more employees",
}


class ContactRole(StrEnum):
    REPRESENTATIVE = "representative"
    DX_MANAGER = "dx_manager"
    PRODUCTION_MANAGER = "production_manager"
    IT_MANAGER = "it_manager"
    FINANCE = "finance"
    OTHER = "other"


CONTACT_ROLE_LABELS: dict[ContactRole, str] = {
    ContactRole.REPRESENTATIVE: "Representative (CEO)",
    ContactRole.DX_MANAGER: "Digital transformation lead",
    ContactRole.PRODUCTION_MANAGER: "Production manager",
    ContactRole.IT_MANAGER: "IT manager",
    ContactRole.FINANCE: "Finance",
    ContactRole.OTHER: "Other",
}
