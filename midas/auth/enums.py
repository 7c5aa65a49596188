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
                 Permission.SUPPORT_VIEW_ALL}
    ),
    Role.EXPERT: frozenset(_READ | {Permission.ASSESSMENT_SCORE, Permission.SUPPORT_REVIEW}),
    Role.COMPANY_MEMBER: frozenset(
        _READ | {Permission.REGISTRY_EDIT_OWN, Permission.TOKENS_MANAGE_OWN, Permission.ASSESSMENT_SELF,
                 Permission.SUPPORT_APPLY, Permission.INGEST_WRITE}
    ),
    Role.INVESTIGATOR: frozenset(_READ | {Permission.AUDIT_VIEW}),
    # The auditor reads everything and changes nothing.
    Role.AUDITOR: frozenset(_READ | {Permission.AUDIT_VIEW, Permission.ASSESSMENT_VIEW_ALL,
                                     Permission.SUPPORT_VIEW_ALL}),
}
