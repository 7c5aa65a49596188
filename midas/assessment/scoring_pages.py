"""The scoring pages of the assessment (under /assessment)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/assessment", include_in_schema=False)
