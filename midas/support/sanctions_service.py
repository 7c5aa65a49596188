"""Sanctions: the interface the support process reads (eligibility, clawback) and the table operators edit until
the reporting center fills it from its cases.

An operator records a sanction on an organization (found by id or business registration number) with its kind, a
reason, the days it is in force and, for a recovery order, the amount to recover; an operator lifts one with a
reason. Both are audited, and so is a refused attempt by someone without the right to do it: a sanction decides
whether a company may receive public money.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from midas.audit import record, record_refusal
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Organization, normalize_brn
from midas.support.enums import SanctionKind
from midas.support.models import SanctionRecord

SANCTIONS_PAGE_SIZE = 50
MAX_SANCTIONS_PAGE_SIZE = 500
# Kinds that bar an organization from new support while they are in force (a warning does not).
BARRING_KINDS = frozenset({SanctionKind.EXCLUSION, SanctionKind.CLAWBACK})
OPERATOR_SOURCE = "operator"
SEOUL = ZoneInfo("Asia/Seoul")
MAX_REASON = 1000


def active_sanctions(session: Session, *, organization_id: int, on: date,
                     kinds: frozenset[SanctionKind] = BARRING_KINDS) -> list[SanctionRecord]:
    """The sanctions of ``kinds`` in force for ``organization_id`` on ``on``: started, not ended, not lifted."""
    query = (
        select(SanctionRecord)
        .where(SanctionRecord.organization_id == organization_id, SanctionRecord.kind.in_(kinds),
               SanctionRecord.starts_on <= on, or_(SanctionRecord.ends_on.is_(None), SanctionRecord.ends_on >= on),
               SanctionRecord.lifted_at.is_(None))
        .order_by(SanctionRecord.starts_on, SanctionRecord.id)
    )
    return list(session.scalars(query))


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _date(raw: Mapping[str, object], name: str, problems: list[Problem]) -> date | None:
    value = raw.get(name)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(raw, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, "Enter a date as YYYY-MM-DD"))
        return None


def _organization(session: Session, value: object, problems: list[Problem]) -> Organization | None:
    """The organization named by its id or its business registration number."""
    text = "" if value is None else str(value).strip()
    if not text:
        problems.append(Problem("organization", "Enter the organization's id or business registration number"))
        return None
    if isinstance(value, int) or (text.isdigit() and len(text) < 10):
        organization = session.get(Organization, int(text))
    else:
        organization = session.scalar(select(Organization).where(Organization.brn == normalize_brn(text)))
    if organization is None:
        problems.append(Problem("organization", "No organization with the id or business registration number "
                                                "{value}", {"value": text[:40]}))
    return organization


def _require_manager(session: Session, actor: Actor, action: str, object_id: str | int) -> None:
    if not actor.can(Permission.SUPPORT_MANAGE):
        record_refusal(session, actor=actor, action=action, object_type="support_sanction", object_id=object_id,
                       reason="permission denied")
        raise PermissionDenied("Only the program operator may record or lift sanctions")


def create_sanction(session: Session, *, actor: Actor, raw: Mapping[str, object]) -> SanctionRecord:
    """Record a sanction: organization (id or BRN), kind, reason, starts_on (default today), ends_on (optional),
    clawback_krw (more than 0 for a recovery order, and only for one), case_reference (optional)."""
    _require_manager(session, actor, "support.sanction.create_refused", "new")
    problems: list[Problem] = []
    organization = _organization(session, raw.get("organization", raw.get("organization_id")), problems)
    kind_text = _text(raw, "kind")
    kinds = [k.value for k in SanctionKind]
    if kind_text not in kinds:
        problems.append(Problem("kind", "Choose the kind of sanction: {known}", {"known": ", ".join(kinds)}))
    reason = _text(raw, "reason")
    if not reason or len(reason) > MAX_REASON:
        problems.append(Problem("reason", "Give a reason of up to {count} characters", {"count": MAX_REASON}))
    starts_on = _date(raw, "starts_on", problems) or utc_now().astimezone(SEOUL).date()
    ends_on = _date(raw, "ends_on", problems)
    if ends_on is not None and ends_on < starts_on:
        problems.append(Problem("ends_on", "The sanction must end on or after it starts ({starts})",
                                {"starts": starts_on.isoformat()}))
    clawback_text = _text(raw, "clawback_krw").replace(",", "").replace("_", "")
    clawback = int(clawback_text) if clawback_text.isdigit() else None
    if clawback_text and clawback is None:
        problems.append(Problem("clawback_krw", "Enter an amount in KRW of at least {minimum}", {"minimum": 1}))
    elif kind_text == SanctionKind.CLAWBACK.value and not clawback:
        problems.append(Problem("clawback_krw", "A recovery order needs the amount to recover, more than 0 KRW"))
    elif kind_text != SanctionKind.CLAWBACK.value and clawback:
        problems.append(Problem("clawback_krw", "Only a recovery order has an amount to recover"))
    case_reference = _text(raw, "case_reference") or None
    if case_reference is not None and len(case_reference) > 64:
        problems.append(Problem("case_reference", "Enter a reference of up to {count} characters", {"count": 64}))
    if problems:
        raise InvalidInput(problems)
    assert organization is not None
    row = SanctionRecord(organization_id=organization.id, kind=SanctionKind(kind_text), reason=reason,
                         starts_on=starts_on, ends_on=ends_on, source=OPERATOR_SOURCE, case_reference=case_reference,
                         clawback_krw=clawback or 0, created_by_label=actor.label)
    session.add(row)
    session.flush()
    record(session, actor=actor, action="support.sanction.created", object_type="support_sanction",
           object_id=row.id, reason=reason,
           details={"organization_id": organization.id, "kind": row.kind.value, "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat() if ends_on else None, "clawback_krw": row.clawback_krw,
                    "case_reference": case_reference, "source": OPERATOR_SOURCE})
    return row


def lift_sanction(session: Session, *, actor: Actor, sanction_id: int, reason: str) -> SanctionRecord:
    """Lift a sanction with a reason; a lifted sanction stays on record and no longer bars anyone."""
    _require_manager(session, actor, "support.sanction.lift_refused", sanction_id)
    row = session.get(SanctionRecord, sanction_id)
    if row is None:
        raise NotFound("No sanction with id {id}", {"id": sanction_id})
    if row.lifted_at is not None:
        raise Conflict("The sanction {id} was lifted already", {"id": sanction_id})
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput.single("reason", "Give a reason of up to {count} characters", {"count": MAX_REASON})
    row.lifted_at = utc_now()
    row.lift_reason = reason
    session.flush()
    record(session, actor=actor, action="support.sanction.lifted", object_type="support_sanction", object_id=row.id,
           reason=reason, details={"organization_id": row.organization_id, "kind": row.kind.value})
    return row


def _can_read(actor: Actor) -> None:
    if not (actor.can(Permission.SUPPORT_MANAGE) or actor.can(Permission.SUPPORT_VIEW_ALL)):
        raise PermissionDenied("You may not see the sanctions")


def get_sanction(session: Session, *, actor: Actor, sanction_id: int) -> SanctionRecord:
    _can_read(actor)
    row = session.get(SanctionRecord, sanction_id)
    if row is None:
        raise NotFound("No sanction with id {id}", {"id": sanction_id})
    return row


def list_sanctions(session: Session, *, actor: Actor, active_on: date | None = None,
                   organization_id: int | None = None, page: int = 1,
                   page_size: int = SANCTIONS_PAGE_SIZE) -> Page[SanctionRecord]:
    """Sanctions, newest first, a page at a time; ``active_on``: only those in force that day (every kind,
    warnings too)."""
    _can_read(actor)
    query = select(SanctionRecord)
    if organization_id is not None:
        query = query.where(SanctionRecord.organization_id == organization_id)
    if active_on is not None:
        query = query.where(SanctionRecord.starts_on <= active_on,
                            or_(SanctionRecord.ends_on.is_(None), SanctionRecord.ends_on >= active_on),
                            SanctionRecord.lifted_at.is_(None))
    total = int(session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0)
    page_size = max(1, min(page_size, MAX_SANCTIONS_PAGE_SIZE))
    page = max(1, min(page, max(1, -(-total // page_size))))
    query = (query.options(selectinload(SanctionRecord.organization))
             .order_by(SanctionRecord.starts_on.desc(), SanctionRecord.id.desc())
             .limit(page_size).offset((page - 1) * page_size))
    return Page(list(session.scalars(query)), total, page, page_size)


def is_in_force(row: SanctionRecord, on: date) -> bool:
    """Whether ``row`` is in force on ``on``: started, not ended, not lifted."""
    return row.lifted_at is None and row.starts_on <= on and (row.ends_on is None or row.ends_on >= on)
