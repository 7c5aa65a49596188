"""The navigation each role sees: an item shows when the person holds its permission and, for the pages of one's
own organization, belongs to one (an administrator holds every permission but is no company's member)."""

from __future__ import annotations

from dataclasses import dataclass

from midas.auth import Actor, Permission


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    permission: Permission | None = None
    signed_in: bool = True
    own_organization: bool = False  # a page of the person's own organization


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "/", signed_in=False),
    NavItem("My organization", "/registry/my", Permission.REGISTRY_EDIT_OWN, own_organization=True),
    NavItem("Organizations", "/registry/organizations", Permission.REGISTRY_VIEW),
    NavItem("Import", "/registry/import", Permission.REGISTRY_IMPORT),
    NavItem("Capability assessment", "/assessment/company", Permission.ASSESSMENT_SELF, own_organization=True),
    NavItem("My assessments", "/assessment/my", Permission.ASSESSMENT_SCORE),
    NavItem("Assessment rounds", "/assessment/rounds", Permission.ASSESSMENT_VIEW_ALL),
    NavItem("Expert pool", "/assessment/experts", Permission.ASSESSMENT_MANAGE),
    NavItem("Conflicts of interest", "/assessment/conflicts", Permission.ASSESSMENT_MANAGE),
    NavItem("Reliability", "/assessment/reliability", Permission.ASSESSMENT_VIEW_ALL),
    NavItem("Support programs", "/support/my", Permission.SUPPORT_APPLY, own_organization=True),
    NavItem("Notifications", "/support/notifications", Permission.SUPPORT_APPLY, own_organization=True),
    NavItem("Re-reviews and inspections", "/support/reviews", Permission.SUPPORT_REVIEW),
    NavItem("Support rounds", "/support/rounds", Permission.SUPPORT_VIEW_ALL),
    NavItem("Projects", "/support/projects", Permission.SUPPORT_VIEW_ALL),
    NavItem("Sanctions", "/support/sanctions", Permission.SUPPORT_MANAGE),
    NavItem("National targets", "/support/national", signed_in=False),
    NavItem("Production data", "/ingest", Permission.INGEST_WRITE, own_organization=True),
    NavItem("My factories' KPIs", "/kpi/my", Permission.KPI_VIEW_OWN, own_organization=True),
    NavItem("KPIs", "/kpi", Permission.KPI_VIEW_ALL),
    NavItem("Validate AAS files", "/standard/validate", signed_in=False),
    NavItem("Audit log", "/audit", Permission.AUDIT_VIEW),
    NavItem("Users", "/admin/users", Permission.USERS_MANAGE),
    NavItem("API tokens", "/account/tokens", Permission.TOKENS_MANAGE_OWN),
)


def navigation_for(actor: Actor) -> list[NavItem]:
    visible: list[NavItem] = []
    for item in NAV_ITEMS:
        if item.signed_in and not actor.is_authenticated:
            continue
        if item.permission is not None and not actor.can(item.permission):
            continue
        if item.own_organization and actor.organization_id is None:
            continue
        visible.append(item)
    return visible
