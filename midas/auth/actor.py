from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from midas.auth.enums import ROLE_PERMISSIONS, Permission, Role, TokenScope, permissions_of_scopes, scope_of
from midas.errors import PermissionDenied


@lru_cache(maxsize=256)
def _granted(role: Role | None, scopes: frozenset[TokenScope] | None) -> frozenset[Permission]:
    """The role's permissions, cut down to the token's scopes when the actor is a token (cached: checked often)."""
    held = ROLE_PERMISSIONS[role] if role else frozenset()
    return held if scopes is None else held & permissions_of_scopes(scopes)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, handed to every service call. Services check permissions on it, not routes.

    ``scopes`` is None for a signed-in person; for an API token it is the token's scopes, and the actor then
    holds only those permissions of its user's role that the scopes carry.
    """

    user_id: int | None
    label: str
    role: Role | None
    organization_id: int | None = None
    token_id: int | None = None
    locale: str = "ko"
    scopes: frozenset[TokenScope] | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return _granted(self.role, self.scopes)

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def missing_scope(self, permission: Permission) -> TokenScope | None:
        """The scope this token lacks for ``permission`` although its user's role has it (None otherwise)."""
        if self.scopes is None or self.role is None or self.can(permission):
            return None
        if permission not in ROLE_PERMISSIONS[self.role]:
            return None
        return scope_of(permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise self._refusal(permission)

    def _refusal(self, permission: Permission) -> PermissionDenied:
        """Why ``permission`` is refused: a token names the scope it lacks, a person the permission."""
        scope = self.missing_scope(permission)
        if scope is not None:
            return PermissionDenied("This API token lacks the scope {scope}, which is needed for {permission}",
                                    {"scope": scope.value, "permission": str(permission)})
        if self.scopes is not None and self.role is not None and permission in ROLE_PERMISSIONS[self.role]:
            return PermissionDenied("An API token cannot be used for {permission}; sign in instead",
                                    {"permission": str(permission)})
        return PermissionDenied("You do not have the permission {permission}", {"permission": str(permission)})

    def can_edit_organization(self, organization_id: int) -> bool:
        if self.can(Permission.REGISTRY_EDIT_ANY):
            return True
        return self.can(Permission.REGISTRY_EDIT_OWN) and self.organization_id == organization_id

    def require_edit_organization(self, organization_id: int) -> None:
        if self.can_edit_organization(organization_id):
            return
        # A token whose user could make this change names its missing scope; anyone else is simply refused.
        if self.missing_scope(Permission.REGISTRY_EDIT_ANY) is not None:
            raise self._refusal(Permission.REGISTRY_EDIT_ANY)
        if self.organization_id == organization_id and self.missing_scope(Permission.REGISTRY_EDIT_OWN) is not None:
            raise self._refusal(Permission.REGISTRY_EDIT_OWN)
        raise PermissionDenied(
            "You may not change organization {organization_id}", {"organization_id": organization_id}
        )

ANONYMOUS = Actor(user_id=None, label="anonymous", role=None)
SYSTEM = Actor(user_id=None, label="system", role=Role.ADMIN)
