"""Support programs: tracks, applications, eligibility, optimal selection under budgets, decisions, appeals,
projects and the national counting toward the MIDAS 2027 targets."""

from midas.support.enums import COUNTING_TARGETS, CountingCategory, SanctionKind, TrackKind
from midas.support.notifications_service import count_unread, list_notifications, mark_all_read, notify

__all__ = [
    "COUNTING_TARGETS",
    "CountingCategory",
    "SanctionKind",
    "TrackKind",
    "count_unread",
    "list_notifications",
    "mark_all_read",
    "notify",
]
