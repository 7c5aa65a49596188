from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from midas.auth.enums import Permission, Role


class MePublic(BaseModel):
    user_id: int | None
    label: str
    role: Role | None
    organization_id: int | None
    locale: str
    permissions: list[Permission]


class ApiTokenCreate(BaseModel):
    name: str


class ApiTokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    organization_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenPublic):
    """Returned once, at creation: the only time the secret is shown."""

    token: str
