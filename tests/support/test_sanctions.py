"""Sanctions operators record and lift: found by id or business registration number, refused at the field with
nothing stored, in force on the right days, audited (refused attempts too)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Actor, Role, actor_for
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.support import sanctions_service
from midas.support.enums import SanctionKind
from midas.support.models import SanctionRecord
from tests.factories import make_organization, make_user


@pytest.fixture
def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def stored(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SanctionRecord)) or 0)


def test_a_sanction_is_recorded_by_brn_and_audited_with_its_reason(session: Session, operator: Actor) -> None:
    company = make_organization(session)
    brn = f"{company.brn[:3]}-{company.brn[3:5]}-{company.brn[5:]}"
    row = sanctions_service.create_sanction(session, actor=operator, raw={
        "organization": brn, "kind": "exclusion", "reason": "지원금 목적 외 사용", "starts_on": "2027-01-01",
        "ends_on": "2029-12-31", "case_reference": "RC-2026-001"})
    assert (row.organization_id, row.kind, row.source, row.clawback_krw) == (company.id, SanctionKind.EXCLUSION,
                                                                             "operator", 0)
    event = events(session, "support.sanction.created")[0]
    assert (event.reason, event.details["organization_id"]) == ("지원금 목적 외 사용", company.id)


def test_a_recovery_order_is_recorded_by_id_with_its_amount(session: Session, operator: Actor) -> None:
    company = make_organization(session)
    row = sanctions_service.create_sanction(session, actor=operator, raw={
        "organization": company.id, "kind": "clawback", "reason": "허위 실적", "clawback_krw": "30,000,000"})
    assert row.clawback_krw == 30_000_000
    assert row.ends_on is None


@pytest.mark.parametrize(("raw", "places"), [
    ({"organization": "", "kind": "exclusion", "reason": "x"}, {"organization"}),
    ({"organization": "999-99-99999", "kind": "exclusion", "reason": "x"}, {"organization"}),
    ({"kind": "ban", "reason": ""}, {"kind", "reason"}),
    ({"kind": "clawback", "reason": "x"}, {"clawback_krw"}),
    ({"kind": "warning", "reason": "x", "clawback_krw": 5}, {"clawback_krw"}),
    ({"kind": "warning", "reason": "x", "clawback_krw": "-5"}, {"clawback_krw"}),
    ({"kind": "exclusion", "reason": "x", "starts_on": "2027-05-01", "ends_on": "2027-04-30"}, {"ends_on"}),
    ({"kind": "exclusion", "reason": "x", "starts_on": "01/05/2027"}, {"starts_on"}),
])
def test_a_bad_sanction_is_refused_at_its_field_and_nothing_stored(session: Session, operator: Actor,
                                                                   raw: dict[str, object], places: set[str]) -> None:
    company = make_organization(session)
    before = stored(session)
    with pytest.raises(InvalidInput) as refused:
        sanctions_service.create_sanction(session, actor=operator, raw={"organization": company.id, **raw})
    assert {p.field for p in refused.value.problems} == places
    assert stored(session) == before


def test_a_sanction_is_in_force_from_its_start_to_its_end_until_lifted(session: Session, operator: Actor) -> None:
    company = make_organization(session)
    row = sanctions_service.create_sanction(session, actor=operator, raw={
        "organization": company.id, "kind": "exclusion", "reason": "x", "starts_on": "2027-01-01",
        "ends_on": "2027-12-31"})
    sanctions_service.create_sanction(session, actor=operator, raw={
        "organization": company.id, "kind": "warning", "reason": "경미", "starts_on": "2026-01-01"})

    def barring(on: date) -> list[int]:
        return [s.id for s in sanctions_service.active_sanctions(session, organization_id=company.id, on=on)]

    assert barring(date(2026, 12, 31)) == []
    assert barring(date(2027, 1, 1)) == [row.id]
    assert barring(date(2027, 12, 31)) == [row.id]
    assert barring(date(2028, 1, 1)) == []
    listed = sanctions_service.list_sanctions(session, actor=operator, active_on=date(2027, 6, 1),
                                              organization_id=company.id)
    assert listed.total == 2  # the warning is in force too, though it bars nothing
    sanctions_service.lift_sanction(session, actor=operator, sanction_id=row.id, reason="이의 인용")
    assert barring(date(2027, 6, 1)) == []
    assert not sanctions_service.is_in_force(row, date(2027, 6, 1))
    in_force = sanctions_service.list_sanctions(session, actor=operator, active_on=date(2027, 6, 1),
                                                organization_id=company.id)
    assert [s.kind for s in in_force.items] == [SanctionKind.WARNING]
    assert sanctions_service.list_sanctions(session, actor=operator, organization_id=company.id).total == 2


def test_lifting_needs_a_reason_and_happens_once(session: Session, operator: Actor) -> None:
    company = make_organization(session)
    row = sanctions_service.create_sanction(session, actor=operator, raw={
        "organization": company.id, "kind": "exclusion", "reason": "x"})
    with pytest.raises(InvalidInput) as refused:
        sanctions_service.lift_sanction(session, actor=operator, sanction_id=row.id, reason=" ")
    assert refused.value.problems[0].field == "reason"
    assert row.lifted_at is None
    lifted = sanctions_service.lift_sanction(session, actor=operator, sanction_id=row.id, reason="기간 단축")
    assert (lifted.lift_reason, lifted.lifted_at is not None) == ("기간 단축", True)
    assert events(session, "support.sanction.lifted")[0].reason == "기간 단축"
    with pytest.raises(Conflict):
        sanctions_service.lift_sanction(session, actor=operator, sanction_id=row.id, reason="again")
    with pytest.raises(NotFound):
        sanctions_service.lift_sanction(session, actor=operator, sanction_id=987654, reason="x")


def test_a_company_member_cannot_record_a_sanction_and_the_attempt_is_audited(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    company = make_organization(session)
    session.commit()  # the refusal rolls back what is not committed; the test's outer transaction still ends it
    with pytest.raises(PermissionDenied):
        sanctions_service.create_sanction(session, actor=member, raw={"organization": company.id,
                                                                      "kind": "exclusion", "reason": "x"})
    assert [e.actor_label for e in events(session, "support.sanction.create_refused")] == [member.label]
    with pytest.raises(PermissionDenied):
        sanctions_service.list_sanctions(session, actor=member)
