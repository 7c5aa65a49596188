from __future__ import annotations

from dataclasses import dataclass

from midas.auth.enums import ROLE_PERMISSIONS, Permission, Role
from midas.errors import PermissionDenied


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, handed to every service call. Services check permissions on it, not routes."""

    user_id: int | None
    label: str
    role: Role | None
    organization_id: int | None = None
    token_id: int | None = None
    locale: str = "ko"

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self.role] if self.role else frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied("You do not have the permission {permission}", {"permission": str(permission)})

    def can_edit_organization(self, organization_id: int) -> bool:
        if self.can(Permission.REGISTRY_EDIT_ANY):
            return True
        return self.can(Permission.REGISTRY_EDIT_OWN) and self.organization_id == organization_id

    def require_edit_organization(self, organization_id: int) -> None:
        if not self.can_edit_organization(organization_id):
            raise PermissionDenied(
                "You may not change organization {organization_id}", {"organization_id": organization_id}
            )


ANONYMOUS = Actor(user_id=None, label="anonymous", role=None)
SYSTEM = Actor(user_id=None, label="system", role=Role.ADMIN)
