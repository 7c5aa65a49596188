"""The programs pages of support programs (under /support)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/support", include_in_schema=False)
