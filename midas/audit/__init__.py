"""Audit events: who did what to which object, when, and why. Every domain writes through record()."""

from midas.audit.models import AuditEvent
from midas.audit.service import list_events, record, record_refusal

__all__ = ["AuditEvent", "list_events", "record", "record_refusal"]
