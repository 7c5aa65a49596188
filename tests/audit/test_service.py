from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from midas.audit import list_events, record
from midas.auth import SYSTEM, Role, actor_for
from midas.errors import PermissionDenied
from tests.factories import make_user


def test_events_are_listed_newest_first_and_by_object(session: Session) -> None:
    record(session, actor=SYSTEM, action="thing.create", object_type="thing", object_id=1, reason="first")
    record(session, actor=SYSTEM, action="thing.update", object_type="thing", object_id=1, reason="second")
    record(session, actor=SYSTEM, action="thing.create", object_type="thing", object_id=2)
    session.flush()
    events = list_events(session, actor=SYSTEM, object_type="thing", object_id=1)
    assert [e.reason for e in events] == ["second", "first"]
    assert all(e.occurred_at.tzinfo is not None for e in events)
    assert [e.object_id for e in list_events(session, actor=SYSTEM, action_prefix="thing.create")][:2] == ["2", "1"]


@pytest.mark.parametrize("role", [Role.EXPERT, Role.COMPANY_MEMBER])
def test_only_roles_with_audit_view_read_the_log(session: Session, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        list_events(session, actor=actor_for(make_user(session, role)))
