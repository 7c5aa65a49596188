"""The kinds and states of the support tables, with their English labels (translated through the catalogs)."""

from __future__ import annotations

from enum import StrEnum


class TrackKind(StrEnum):
    """The MIDAS 2027 support tracks."""

    BASIC = "basic"  # start a smart factory
    ADVANCED = "advanced"  # upgrade an existing one
    LEADING = "leading"  # a new leading model: AI, digital twin, autonomous factory
    WINWIN = "winwin"  # a large enterprise co-funds an SME
    REGIONAL = "regional"  # a regional government's own budget


TRACK_KIND_LABELS: dict[TrackKind, str] = {
    TrackKind.BASIC: "Basic: start a smart factory",
    TrackKind.ADVANCED: "Advanced: upgrade a smart factory",
    TrackKind.LEADING: "Leading model: AI, digital twin, autonomous factory",
    TrackKind.WINWIN: "Win-win: co-funded by a large enterprise",
    TrackKind.REGIONAL: "Region-led: a regional government's budget",
}


class RoundStatus(StrEnum):
    """A support round: set up as a draft, open for applications, closed, selected, decided."""

    DRAFT = "draft"
    OPEN = "open"  # the call is open: companies apply
    CLOSED = "closed"  # no more applications; eligibility is evaluated
    SELECTED = "selected"  # a selection run is current; decisions may be issued
    DECIDED = "decided"  # decisions are issued


class SelectionObjective(StrEnum):
    TOTAL_SCORE = "total_score"
    SCORE_WEIGHTED_VALUE = "score_weighted_value"


class ApplicationStatus(StrEnum):
    DRAFT = "draft"  # the company is writing it
    SUBMITTED = "submitted"  # complete and submitted; waits for eligibility
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    FUNDED = "funded"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Statuses that hold the company's one application in a round (a withdrawn or rejected one does not).
ACTIVE_APPLICATION_STATUSES = frozenset({
    ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.FUNDED,
    ApplicationStatus.WAITLISTED,
})


class DecisionOutcome(StrEnum):
    FUNDED = "funded"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


class AppealStatus(StrEnum):
    OPEN = "open"  # filed; waits for re-reviewers
    UNDER_REVIEW = "under_review"  # different experts re-review the application
    UPHELD = "upheld"  # the original decision stands
    GRANTED = "granted"  # the decision is changed in the company's favour


class ReviewStatus(StrEnum):
    ASSIGNED = "assigned"
    SUBMITTED = "submitted"


class ProjectStatus(StrEnum):
    AGREED = "agreed"  # the agreement is signed
    IN_PROGRESS = "in_progress"  # the supplier is delivering
    DELIVERED = "delivered"  # the supplier says it has delivered; waits for inspection
    COMPLETED = "completed"  # the completion inspection passed
    TERMINATED = "terminated"  # ended early (a sanction, a withdrawal)


class MilestoneStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"


class PayerKind(StrEnum):
    GOVERNMENT = "government"
    COMPANY = "company"


class SanctionKind(StrEnum):
    EXCLUSION = "exclusion"  # no new support while active
    CLAWBACK = "clawback"  # paid support is recovered
    WARNING = "warning"  # recorded, no effect on eligibility


class CountingCategory(StrEnum):
    """The two national targets of MIDAS 2027 a company can count toward."""

    ADVANCED_DIGITAL = "advanced_digital"  # 5,000 advanced digital manufacturing companies
    TRANSFORMED = "transformed"  # 20,000 SMEs transformed through private- and region-led programs


COUNTING_TARGETS: dict[CountingCategory, int] = {
    CountingCategory.ADVANCED_DIGITAL: 5_000,
    CountingCategory.TRANSFORMED: 20_000,
}


ROUND_STATUS_LABELS: dict[RoundStatus, str] = {
    RoundStatus.DRAFT: "Being set up",
    RoundStatus.OPEN: "Open for applications",
    RoundStatus.CLOSED: "Call closed",
    RoundStatus.SELECTED: "Selection run",
    RoundStatus.DECIDED: "Decisions issued",
}

OBJECTIVE_LABELS: dict[SelectionObjective, str] = {
    SelectionObjective.TOTAL_SCORE: "Total score of the funded applications",
    SelectionObjective.SCORE_WEIGHTED_VALUE: "Score-weighted value of the funded grants",
}

APPLICATION_STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.DRAFT: "Draft",
    ApplicationStatus.SUBMITTED: "Submitted",
    ApplicationStatus.ELIGIBLE: "Eligible",
    ApplicationStatus.INELIGIBLE: "Not eligible",
    ApplicationStatus.FUNDED: "Funded",
    ApplicationStatus.WAITLISTED: "Waitlisted",
    ApplicationStatus.REJECTED: "Not funded",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
}

DECISION_OUTCOME_LABELS: dict[DecisionOutcome, str] = {
    DecisionOutcome.FUNDED: "Funded",
    DecisionOutcome.WAITLISTED: "Waitlisted",
    DecisionOutcome.REJECTED: "Not funded",
}

APPEAL_STATUS_LABELS: dict[AppealStatus, str] = {
    AppealStatus.OPEN: "Filed",
    AppealStatus.UNDER_REVIEW: "Under re-review",
    AppealStatus.UPHELD: "Decision upheld",
    AppealStatus.GRANTED: "Appeal granted",
}

PROJECT_STATUS_LABELS: dict[ProjectStatus, str] = {
    ProjectStatus.AGREED: "Agreement signed",
    ProjectStatus.IN_PROGRESS: "In progress",
    ProjectStatus.DELIVERED: "Delivered, awaiting inspection",
    ProjectStatus.COMPLETED: "Completed",
    ProjectStatus.TERMINATED: "Terminated",
}

PAYER_LABELS: dict[PayerKind, str] = {
    PayerKind.GOVERNMENT: "Government share",
    PayerKind.COMPANY: "Company share",
}

SANCTION_KIND_LABELS: dict[SanctionKind, str] = {
    SanctionKind.EXCLUSION: "Exclusion from support",
    SanctionKind.CLAWBACK: "Recovery of paid support",
    SanctionKind.WARNING: "Warning",
}

COUNTING_CATEGORY_LABELS: dict[CountingCategory, str] = {
    CountingCategory.ADVANCED_DIGITAL: "Advanced digital manufacturing companies",
    CountingCategory.TRANSFORMED: "SMEs transformed through private- and region-led programs",
}
