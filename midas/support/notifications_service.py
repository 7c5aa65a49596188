"""Notifications in the platform: what the support process tells a company (a decision, an appeal's outcome, a
payment), shown to the organization's members on their notifications page.

A notification's text is an English message id with parameters, translated when it is shown, so the same row
reads in Korean and in English.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import PermissionDenied
from midas.support.models import SupportNotification

NotificationParam = str | int | float | None


def notify(session: Session, *, organization_id: int, message: str,
           params: Mapping[str, NotificationParam] | None = None, link: str | None = None) -> SupportNotification:
    """Add a notification for ``organization_id``'s members, in the caller's transaction."""
    row = SupportNotification(organization_id=organization_id, message=message, params=dict(params or {}),
                              link=link)
    session.add(row)
    session.flush()
    return row


def _own_organization(actor: Actor) -> int:
    if not actor.can(Permission.SUPPORT_APPLY) or actor.organization_id is None:
        raise PermissionDenied("Only members of an organization have notifications")
    return actor.organization_id


def list_notifications(session: Session, *, actor: Actor, limit: int = 50) -> list[SupportNotification]:
    """The newest notifications of the actor's organization."""
    organization_id = _own_organization(actor)
    query = (select(SupportNotification).where(SupportNotification.organization_id == organization_id)
             .order_by(SupportNotification.created_at.desc(), SupportNotification.id.desc()).limit(limit))
    return list(session.scalars(query))


def count_unread(session: Session, *, actor: Actor) -> int:
    organization_id = _own_organization(actor)
    query = select(func.count()).where(SupportNotification.organization_id == organization_id,
                                       SupportNotification.read_at.is_(None))
    return int(session.scalar(query) or 0)


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Mark every unread notification of the actor's organization as read; the number marked."""
    organization_id = _own_organization(actor)
    result = session.execute(
        update(SupportNotification)
        .where(SupportNotification.organization_id == organization_id, SupportNotification.read_at.is_(None))
        .values(read_at=utc_now())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
