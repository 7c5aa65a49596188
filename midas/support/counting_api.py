"""The counting part of the support JSON API (under /api/v1/support)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/support", tags=["support"])
