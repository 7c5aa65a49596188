from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from midas.auth.enums import Permission, Role, TokenScope


class MePublic(BaseModel):
    user_id: int | None
    label: str
    role: Role | None
    organization_id: int | None
    locale: str
    permissions: list[Permission]
    scopes: list[TokenScope] | None = Field(
        default=None, description="The scopes of the API token making the request; null for a signed-in person.")


class ApiTokenCreate(BaseModel):
    name: str
    scopes: list[TokenScope] | None = Field(
        default=None,
        description="What the token may be used for. Omitted: every scope your role can grant (as tokens did "
                    "before they had scopes); name only the scopes the client needs.")


class ApiTokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    organization_id: int | None
    scopes: list[TokenScope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenPublic):
    """Returned once, at creation: the only time the secret is shown."""

    token: str
