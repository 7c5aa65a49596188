"""Accounts, roles, permissions, sessions and API tokens."""

from midas.auth.actor import ANONYMOUS, SYSTEM, Actor
from midas.auth.enums import ROLE_LABELS, ROLE_PERMISSIONS, Permission, Role
from midas.auth.models import ApiToken, User
from midas.auth.service import (
    actor_for,
    actor_for_token,
    authenticate,
    change_password,
    count_users_by_role,
    create_user,
    get_user,
    hash_password,
    issue_api_token,
    list_api_tokens,
    list_users,
    reset_password,
    revoke_api_token,
    set_locale,
    update_user,
    user_for_session,
)

__all__ = [
    "ANONYMOUS",
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "SYSTEM",
    "Actor",
    "ApiToken",
    "Permission",
    "Role",
    "User",
    "actor_for",
    "actor_for_token",
    "authenticate",
    "change_password",
    "count_users_by_role",
    "create_user",
    "get_user",
    "hash_password",
    "issue_api_token",
    "list_api_tokens",
    "list_users",
    "reset_password",
    "revoke_api_token",
    "set_locale",
    "update_user",
    "user_for_session",
]
