"""The states and kinds of the assessment tables, with their English labels (translated through the catalogs)."""

from __future__ import annotations

from enum import StrEnum


class FrameworkStatus(StrEnum):
    """A framework version is edited as a draft, published once (then immutable), and retired when replaced."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class AffiliationKind(StrEnum):
    """How an expert is or was tied to an organization."""

    EMPLOYEE = "employee"
    EXECUTIVE = "executive"  # board member, director, officer: management of the organization
    OWNER = "owner"  # shareholder or owner
    CONSULTANT = "consultant"  # paid consulting for the organization


class RelationKind(StrEnum):
    """A business tie between two organizations, read as "organization IS <kind> OF related organization"."""

    SUPPLIER = "supplier"  # supplies, or quoted to supply, the related organization
    COMPETITOR = "competitor"
    SHARED_OWNERSHIP = "shared_ownership"
    SHARED_MANAGEMENT = "shared_management"


class ConflictKind(StrEnum):
    SAME_ORGANIZATION = "same_organization"
    SUPPLIER = "supplier"
    COMPETITOR = "competitor"
    SHARED_OWNERSHIP = "shared_ownership"
    SHARED_MANAGEMENT = "shared_management"
    PRIOR_CONSULTING = "prior_consulting"
    DECLARED = "declared"
    OPERATOR = "operator"


class ConflictSource(StrEnum):
    DETECTED = "detected"
    DECLARED = "declared"
    OPERATOR = "operator"


class RoundStatus(StrEnum):
    DRAFT = "draft"  # companies are enrolled; nothing is assigned yet
    ASSIGNED = "assigned"  # experts are assigned and score until the deadline
    CLOSED = "closed"  # every assessment is final; nothing changes any more


class AssessmentStatus(StrEnum):
    WAITING = "waiting"  # enrolled, no experts yet
    SCORING = "scoring"  # experts assigned, sheets open
    RECONCILIATION = "reconciliation"  # experts disagree beyond the round's tolerance
    FINAL = "final"  # the level is computed and the report is out
    APPEALED = "appealed"  # the company appealed the final report


class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"  # chosen by the solver; waiting for the expert's answer
    ACCEPTED = "accepted"
    DECLINED = "declined"  # the expert said no; someone else took the place


class ResponseKind(StrEnum):
    COMMENT = "comment"
    APPEAL = "appeal"


class ResponseStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class EvidenceKind(StrEnum):
    NOTE = "note"
    PHOTO = "photo"
    FILE = "file"
    KPI = "kpi"  # K-MDS data on the platform, quoted as data evidence


CONFLICT_KIND_LABELS: dict[ConflictKind, str] = {
    ConflictKind.SAME_ORGANIZATION: "Same organization now or in the last 3 years",
    ConflictKind.SUPPLIER: "Employer supplies or quoted for the company",
    ConflictKind.COMPETITOR: "Employer competes with the company",
    ConflictKind.SHARED_OWNERSHIP: "Shared ownership",
    ConflictKind.SHARED_MANAGEMENT: "Shared management",
    ConflictKind.PRIOR_CONSULTING: "Prior consulting for the company",
    ConflictKind.DECLARED: "Declared by the expert",
    ConflictKind.OPERATOR: "Added by an operator",
}

CONFLICT_SOURCE_LABELS: dict[ConflictSource, str] = {
    ConflictSource.DETECTED: "Detected",
    ConflictSource.DECLARED: "Declared",
    ConflictSource.OPERATOR: "Operator",
}

AFFILIATION_KIND_LABELS: dict[AffiliationKind, str] = {
    AffiliationKind.EMPLOYEE: "Employee",
    AffiliationKind.EXECUTIVE: "Executive or director",
    AffiliationKind.OWNER: "Owner or shareholder",
    AffiliationKind.CONSULTANT: "Consultant",
}

RELATION_KIND_LABELS: dict[RelationKind, str] = {
    RelationKind.SUPPLIER: "Supplier",
    RelationKind.COMPETITOR: "Competitor",
    RelationKind.SHARED_OWNERSHIP: "Shared ownership",
    RelationKind.SHARED_MANAGEMENT: "Shared management",
}

ROUND_STATUS_LABELS: dict[RoundStatus, str] = {
    RoundStatus.DRAFT: "Draft",
    RoundStatus.ASSIGNED: "Assigned",
    RoundStatus.CLOSED: "Closed",
}

ASSESSMENT_STATUS_LABELS: dict[AssessmentStatus, str] = {
    AssessmentStatus.WAITING: "Waiting for experts",
    AssessmentStatus.SCORING: "Scoring",
    AssessmentStatus.RECONCILIATION: "Reconciliation",
    AssessmentStatus.FINAL: "Final",
    AssessmentStatus.APPEALED: "Appealed",
}

ASSIGNMENT_STATUS_LABELS: dict[AssignmentStatus, str] = {
    AssignmentStatus.PROPOSED: "Proposed",
    AssignmentStatus.ACCEPTED: "Accepted",
    AssignmentStatus.DECLINED: "Declined",
}

FRAMEWORK_STATUS_LABELS: dict[FrameworkStatus, str] = {
    FrameworkStatus.DRAFT: "Draft",
    FrameworkStatus.PUBLISHED: "Published",
    FrameworkStatus.RETIRED: "Retired",
}

EVIDENCE_KIND_LABELS: dict[EvidenceKind, str] = {
    EvidenceKind.NOTE: "Note",
    EvidenceKind.PHOTO: "Photo",
    EvidenceKind.FILE: "File",
    EvidenceKind.KPI: "K-MDS KPI",
}

# The support tracks of MIDAS 2027 that a report recommends (the programs issue runs them).
TRACK_LABELS: dict[str, str] = {
    "start": "Start a smart factory",
    "advance": "Advance a smart factory",
    "leading": "Build a new leading model",
}
