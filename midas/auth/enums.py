from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in the program; each role grants a fixed set of permissions."""

    ADMIN = "admin"
    OPERATOR = "operator"
    EXPERT = "expert"
    COMPANY_MEMBER = "company_member"
    INVESTIGATOR = "investigator"
    AUDITOR = "auditor"


class Permission(StrEnum):
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT_ANY = "registry.edit_any"
    REGISTRY_EDIT_OWN = "registry.edit_own"
    REGISTRY_IMPORT = "registry.import"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    TOKENS_MANAGE_OWN = "tokens.manage_own"
    ASSESSMENT_MANAGE = "assessment.manage"
    ASSESSMENT_VIEW_ALL = "assessment.view_all"
    ASSESSMENT_SCORE = "assessment.score"
    ASSESSMENT_SELF = "assessment.self"
    SUPPORT_MANAGE = "support.manage"  # set up rounds, run eligibility and selection, decide, run projects
    SUPPORT_VIEW_ALL = "support.view_all"  # read every application, run, decision and project
    SUPPORT_APPLY = "support.apply"  # apply for one's own organization, appeal, report project progress
    SUPPORT_REVIEW = "support.review"  # re-review appealed applications, inspect completed projects
    INGEST_WRITE = "ingest.write"  # send production data for one's own organization's factories
    KPI_VIEW_OWN = "kpi.view_own"  # read the KPIs and outcomes of one's own organization's factories
    KPI_VIEW_ALL = "kpi.view_all"  # read the KPIs and outcomes of every factory


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.OPERATOR: "Program operator",
    Role.EXPERT: "Expert",
    Role.COMPANY_MEMBER: "Company member",
    Role.INVESTIGATOR: "Investigator",
    Role.AUDITOR: "Auditor",
}

_READ = {Permission.REGISTRY_VIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPERATOR: frozenset(
        _READ | {Permission.REGISTRY_EDIT_ANY, Permission.REGISTRY_IMPORT, Permission.AUDIT_VIEW,
                 Permission.ASSESSMENT_MANAGE, Permission.ASSESSMENT_VIEW_ALL, Permission.SUPPORT_MANAGE,
                 Permission.SUPPORT_VIEW_ALL, Permission.KPI_VIEW_ALL}
    ),
    Role.EXPERT: frozenset(_READ | {Permission.ASSESSMENT_SCORE, Permission.SUPPORT_REVIEW}),
    Role.COMPANY_MEMBER: frozenset(
        _READ | {Permission.REGISTRY_EDIT_OWN, Permission.TOKENS_MANAGE_OWN, Permission.ASSESSMENT_SELF,
                 Permission.SUPPORT_APPLY, Permission.INGEST_WRITE, Permission.KPI_VIEW_OWN}
    ),
    Role.INVESTIGATOR: frozenset(_READ | {Permission.AUDIT_VIEW}),
    # The auditor reads everything and changes nothing.
    Role.AUDITOR: frozenset(_READ | {Permission.AUDIT_VIEW, Permission.ASSESSMENT_VIEW_ALL,
                                     Permission.SUPPORT_VIEW_ALL, Permission.KPI_VIEW_ALL}),
}


class TokenScope(StrEnum):
    """What an API token may be used for: a named group of permissions, in the words of the people who issue it.

    The names follow OAuth's ``area:action`` habit, so that an integrator reading a token's list knows what it
    is for. A token acts with its user's role intersected with its scopes, never with more than its user.
    """

    READ = "read"
    INGEST_WRITE = "ingest:write"
    REGISTRY_WRITE = "registry:write"
    ASSESSMENT_WRITE = "assessment:write"
    SUPPORT_APPLY = "support:apply"
    PROGRAM_MANAGE = "program:manage"
    USERS_MANAGE = "users:manage"


# Each permission belongs to at most one scope, so that a refusal can name the one scope that is missing.
# tokens.manage_own belongs to none: tokens are issued and managed by signed-in people, never by tokens.
TOKEN_SCOPE_PERMISSIONS: dict[TokenScope, frozenset[Permission]] = {
    TokenScope.READ: frozenset({Permission.REGISTRY_VIEW, Permission.AUDIT_VIEW, Permission.ASSESSMENT_VIEW_ALL,
                                Permission.SUPPORT_VIEW_ALL, Permission.KPI_VIEW_OWN, Permission.KPI_VIEW_ALL}),
    TokenScope.INGEST_WRITE: frozenset({Permission.INGEST_WRITE}),
    TokenScope.REGISTRY_WRITE: frozenset({Permission.REGISTRY_EDIT_OWN, Permission.REGISTRY_EDIT_ANY,
                                          Permission.REGISTRY_IMPORT}),
    TokenScope.ASSESSMENT_WRITE: frozenset({Permission.ASSESSMENT_SELF, Permission.ASSESSMENT_SCORE}),
    TokenScope.SUPPORT_APPLY: frozenset({Permission.SUPPORT_APPLY}),
    TokenScope.PROGRAM_MANAGE: frozenset({Permission.ASSESSMENT_MANAGE, Permission.SUPPORT_MANAGE,
                                          Permission.SUPPORT_REVIEW}),
    TokenScope.USERS_MANAGE: frozenset({Permission.USERS_MANAGE}),
}

TOKEN_SCOPE_LABELS: dict[TokenScope, str] = {
    TokenScope.READ: "Read data",
    TokenScope.INGEST_WRITE: "Send production data",
    TokenScope.REGISTRY_WRITE: "Edit organization records",
    TokenScope.ASSESSMENT_WRITE: "Take part in assessments",
    TokenScope.SUPPORT_APPLY: "Apply for support",
    TokenScope.PROGRAM_MANAGE: "Run the program",
    TokenScope.USERS_MANAGE: "Manage accounts",
}

# One line under each label on the token form, saying what the scope allows.
TOKEN_SCOPE_HINT_LABELS: dict[TokenScope, str] = {
    TokenScope.READ: "Read organizations, KPIs, assessments, support and the audit log, as far as your role may",
    TokenScope.INGEST_WRITE: "Send production records of your organization's factories (POST /api/v1/ingest)",
    TokenScope.REGISTRY_WRITE: "Change organization and factory records, and import them",
    TokenScope.ASSESSMENT_WRITE: "Fill in a self-assessment, or score an assessment as an expert",
    TokenScope.SUPPORT_APPLY: "Apply for support programs, appeal, and report project progress",
    TokenScope.PROGRAM_MANAGE: "Set up rounds, run selection, decide, review and inspect",
    TokenScope.USERS_MANAGE: "Create accounts, change roles and reset passwords",
}


def scope_of(permission: Permission) -> TokenScope | None:
    """The scope that carries ``permission`` (None for permissions no token can hold)."""
    return next((scope for scope, granted in TOKEN_SCOPE_PERMISSIONS.items() if permission in granted), None)


def scopes_of_role(role: Role) -> frozenset[TokenScope]:
    """The scopes a person of ``role`` may grant: those that carry at least one of the role's permissions."""
    held = ROLE_PERMISSIONS[role]
    return frozenset(scope for scope, granted in TOKEN_SCOPE_PERMISSIONS.items() if granted & held)


def permissions_of_scopes(scopes: frozenset[TokenScope]) -> frozenset[Permission]:
    """Every permission the scopes carry together."""
    return frozenset[Permission]().union(*(TOKEN_SCOPE_PERMISSIONS[scope] for scope in scopes))
