from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.audit.models import AuditEvent

AUDIT_VIEW = "audit.view"


class AuditActor(Protocol):
    """Whoever acts: a signed-in user, an API token, or the system itself."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def label(self) -> str: ...


def record(
    session: Session,
    *,
    actor: AuditActor,
    action: str,
    object_type: str,
    object_id: str | int,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction: it commits or rolls back with the change."""
    event = AuditEvent(
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        details=dict(details or {}),
    )
    session.add(event)
    return event


def record_refusal(
    session: Session,
    *,
    actor: AuditActor,
    action: str,
    object_type: str,
    object_id: str | int,
    reason: str,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Audit a refused attempt so that the record outlives the failed request.

    The caller's transaction is rolled back first (a refused action changes nothing, and the request would roll it
    back anyway), then the event is recorded and committed on its own; the caller raises its error afterwards.
    """
    session.rollback()
    event = record(session, actor=actor, action=action, object_type=object_type, object_id=object_id,
                   reason=reason, details=details)
    session.commit()
    return event


class AuditReader(AuditActor, Protocol):
    # The audit package sits below auth, so it names the permission by its value.
    def require(self, permission: Any) -> None: ...


def list_events(
    session: Session,
    *,
    actor: AuditReader,
    object_type: str | None = None,
    object_id: str | int | None = None,
    action_prefix: str | None = None,
    limit: int = 100,
) -> Sequence[AuditEvent]:
    """The newest events first, optionally for one object or one family of actions."""
    actor.require(AUDIT_VIEW)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if object_type is not None:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return session.scalars(query).all()
