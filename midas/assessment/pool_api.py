"""The pool part of the assessment JSON API (under /api/v1/assessment)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/assessment", tags=["assessment"])
