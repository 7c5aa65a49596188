"""The registry: organizations, their factories and contacts.

Every function takes the acting person (an Actor) and checks their permission here, so the API, the
pages, the CLI and imports all obey the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from midas.audit import AuditEvent, list_events, record
from midas.auth import Actor, Permission
from midas.errors import InvalidInput, NotFound, Problem
from midas.paging import Page
from midas.registry.enums import OrganizationKind, SizeBand
from midas.registry.models import Contact, Factory, Organization
from midas.registry.reference import name_search_key, normalize_brn
from midas.registry.validation import (
    ContactInput,
    FactoryInput,
    OrganizationInput,
    parse_contact,
    parse_factory,
    parse_ksic,
    parse_organization,
    parse_region,
)

MAX_PAGE_SIZE = 200
RECENT_EVENTS = 20
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class OrganizationQuery:
    """What an organization list asks for: a search text, filters and a page."""

    text: str = ""
    kind: OrganizationKind | None = None
    region_code: str | None = None
    ksic_code: str | None = None
    size: SizeBand | None = None
    include_inactive: bool = False
    page: int = 1
    page_size: int = 25


_TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y"})


def parse_organization_query(raw: Mapping[str, object], *, default_page_size: int = 25) -> OrganizationQuery:
    """A list query from request parameters (API or page); empty values mean "any".

    Unknown codes are reported by field instead of silently matching nothing, so a mistyped filter in a
    bookmarked URL or an API call says what is wrong.
    """
    problems: list[Problem] = []

    def text(name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    def choice(name: str, parse: Callable[[str], T | None], message: str) -> T | None:
        value = text(name)
        if not value:
            return None
        parsed = parse(value)
        if parsed is None:
            problems.append(Problem(name, message, {"value": value[:40]}))
        return parsed

    def whole_number(name: str, default: int, maximum: int) -> int:
        value = text(name)
        if not value:
            return default
        if not value.isdigit() or not 1 <= int(value) <= maximum:
            problems.append(Problem(name, "Enter a whole number from 1 to {n}", {"n": maximum}))
            return default
        return int(value)

    kind = choice("kind", _enum_parser(OrganizationKind), "Unknown organization kind {value}")
    region_code = choice("region_code", parse_region, "Unknown region {value}")
    ksic_code = choice("ksic_code", parse_ksic, "Unknown KSIC manufacturing division {value} (10-34)")
    size = choice("size", _enum_parser(SizeBand), "Unknown size band {value}")
    page = whole_number("page", 1, 1_000_000)
    page_size = whole_number("page_size", default_page_size, MAX_PAGE_SIZE)
    if problems:
        raise InvalidInput(problems)
    return OrganizationQuery(
        text=text("q")[:200], kind=kind, region_code=region_code, ksic_code=ksic_code, size=size,
        include_inactive=text("include_inactive").lower() in _TRUE_WORDS, page=page, page_size=page_size,
    )


def _enum_parser(kind: type[E]) -> Callable[[str], E | None]:
    def parse(value: str) -> E | None:
        try:
            return kind(value.lower())
        except ValueError:
            return None

    return parse


def organization_values(data: OrganizationInput) -> dict[str, object]:
    """The column values of an organization, including its derived search keys."""
    # A shallow copy: asdict() deep-copies every value, which bulk imports and the demo feel.
    values: dict[str, object] = {f.name: getattr(data, f.name) for f in fields(data)}
    values["name_key"] = name_search_key(data.name)
    values["name_en_key"] = name_search_key(data.name_en) if data.name_en else None
    return values


def _current_raw(organization: Organization) -> dict[str, object]:
    return {f.name: getattr(organization, f.name) for f in fields(OrganizationInput)}


def _ensure_brn_free(session: Session, brn: str, *, except_id: int | None = None) -> None:
    query = select(Organization.id).where(Organization.brn == brn)
    if except_id is not None:
        query = query.where(Organization.id != except_id)
    if session.scalar(query) is not None:
        raise InvalidInput([Problem("brn", "Business registration number {value} is registered already",
                                    {"value": brn})])


def create_organization(session: Session, *, actor: Actor, raw: Mapping[str, object]) -> Organization:
    """Register an organization from raw field values; every problem is reported at once."""
    actor.require(Permission.REGISTRY_EDIT_ANY)
    data = parse_organization(raw)
    _ensure_brn_free(session, data.brn)
    organization = Organization(**organization_values(data))
    session.add(organization)
    session.flush()
    record(session, actor=actor, action="organization.create", object_type="organization",
           object_id=organization.id, details={"brn": data.brn, "name": data.name})
    return organization


def get_organization(session: Session, *, actor: Actor, organization_id: int) -> Organization:
    actor.require(Permission.REGISTRY_VIEW)
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("No organization with id {id}", {"id": organization_id})
    return organization


def find_organization_by_brn(session: Session, *, actor: Actor, brn: str) -> Organization | None:
    actor.require(Permission.REGISTRY_VIEW)
    return session.scalar(select(Organization).where(Organization.brn == normalize_brn(brn)))


def update_organization(
    session: Session, *, actor: Actor, organization_id: int, changes: Mapping[str, object], reason: str = ""
) -> Organization:
    """Change some fields of an organization; the whole record is validated again."""
    organization = get_organization(session, actor=actor, organization_id=organization_id)
    actor.require_edit_organization(organization_id)
    unknown = sorted(set(changes) - {f.name for f in fields(OrganizationInput)})
    if unknown:
        raise InvalidInput([Problem(name, "Unknown field") for name in unknown])
    if "brn" in changes and not actor.can(Permission.REGISTRY_EDIT_ANY):
        raise InvalidInput.single("brn", "Only the program operator may change a business registration number")
    before = _current_raw(organization)
    data = parse_organization({**before, **changes})
    _ensure_brn_free(session, data.brn, except_id=organization_id)
    values = organization_values(data)
    changed = {k: [before.get(k), v] for k, v in asdict(data).items() if before.get(k) != v}
    for key, value in values.items():
        setattr(organization, key, value)
    if changed:
        record(session, actor=actor, action="organization.update", object_type="organization",
               object_id=organization_id, reason=reason, details={"changed": _jsonable(changed)})
    return organization


def _jsonable(changed: Mapping[str, list[object]]) -> dict[str, list[object]]:
    return {k: [v if isinstance(v, str | int | None) else str(v) for v in pair] for k, pair in changed.items()}


def set_organization_active(
    session: Session, *, actor: Actor, organization_id: int, active: bool, reason: str
) -> Organization:
    """Deactivate (or reactivate) an organization. Nothing is deleted: history stays attached to it."""
    actor.require(Permission.REGISTRY_EDIT_ANY)
    organization = get_organization(session, actor=actor, organization_id=organization_id)
    if not reason.strip():
        raise InvalidInput.single("reason", "Say why")
    if organization.is_active != active:
        organization.is_active = active
        record(session, actor=actor, action="organization.activate" if active else "organization.deactivate",
               object_type="organization", object_id=organization_id, reason=reason.strip())
    return organization


def _prefix_of(column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], key: str) -> ColumnElement[bool]:
    """``column`` starts with ``key``, written as a key range that both databases serve from a B-tree index.

    LIKE 'key%' is not indexable on SQLite (case-insensitive LIKE) nor on PostgreSQL outside the C
    collation; the range is, because the key columns compare by code point (see models.search_key). The
    LIKE stays as a recheck at the range's upper edge.
    """
    upper = key[:-1] + chr(ord(key[-1]) + 1)
    return and_(column >= key, column < upper, column.startswith(key, autoescape=True))


def _text_condition(text: str) -> ColumnElement[bool] | None:
    """BRN prefix for digits, else name prefix on the Korean or English search key."""
    digits = normalize_brn(text)
    if digits.isdigit():
        return _prefix_of(Organization.brn, digits)
    key = name_search_key(text)
    if not key:
        return None
    return or_(_prefix_of(Organization.name_key, key), _prefix_of(Organization.name_en_key, key))


def _filtered(query: OrganizationQuery) -> Select[Organization]:
    conditions: list[ColumnElement[bool]] = []
    if query.text.strip():
        condition = _text_condition(query.text.strip())
        if condition is not None:
            conditions.append(condition)
    if query.kind is not None:
        conditions.append(Organization.kind == query.kind)
    if query.region_code:
        conditions.append(Organization.region_code == query.region_code)
    if query.ksic_code:
        conditions.append(Organization.ksic_code == query.ksic_code)
    if query.size is not None:
        low, high = query.size.bounds
        conditions.append(Organization.employees >= low)
        if high is not None:
            conditions.append(Organization.employees <= high)
    if not query.include_inactive:
        conditions.append(Organization.is_active.is_(True))
    return select(Organization).where(and_(True, *conditions))


def list_organizations(session: Session, *, actor: Actor, query: OrganizationQuery) -> Page[Organization]:
    """A page of organizations matching the search text and filters, ordered by name."""
    actor.require(Permission.REGISTRY_VIEW)
    page_size = min(max(query.page_size, 1), MAX_PAGE_SIZE)
    page = max(query.page, 1)
    base = _filtered(query)
    total = session.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0
    items = session.scalars(
        base.order_by(Organization.name_key, Organization.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return Page(items=items, total=total, page=page, page_size=page_size)


def count_organizations_by(session: Session, *, actor: Actor, column: str) -> dict[str, int]:
    """Active organizations per region_code, ksic_code or kind: the figures the home page draws."""
    actor.require(Permission.REGISTRY_VIEW)
    target = {"region_code": Organization.region_code, "ksic_code": Organization.ksic_code,
              "kind": Organization.kind}[column]
    rows = session.execute(
        select(target, func.count()).where(Organization.is_active.is_(True)).group_by(target)
    ).all()
    return {str(key): count for key, count in rows}


# Factories ---------------------------------------------------------------------------------------------


def _factory(session: Session, factory_id: int) -> Factory:
    factory = session.get(Factory, factory_id)
    if factory is None:
        raise NotFound("No factory with id {id}", {"id": factory_id})
    return factory


def create_factory(
    session: Session, *, actor: Actor, organization_id: int, raw: Mapping[str, object]
) -> Factory:
    organization = get_organization(session, actor=actor, organization_id=organization_id)
    actor.require_edit_organization(organization.id)
    data = parse_factory(raw)
    factory = Factory(organization_id=organization.id, **asdict(data))
    session.add(factory)
    session.flush()
    record(session, actor=actor, action="factory.create", object_type="factory", object_id=factory.id,
           details={"organization_id": organization.id, "name": data.name})
    return factory


def get_factory(session: Session, *, actor: Actor, factory_id: int) -> Factory:
    actor.require(Permission.REGISTRY_VIEW)
    return _factory(session, factory_id)


def list_factories(session: Session, *, actor: Actor, organization_id: int) -> Sequence[Factory]:
    """Every factory of an organization, deactivated ones included (they carry history)."""
    get_organization(session, actor=actor, organization_id=organization_id)
    return session.scalars(
        select(Factory).where(Factory.organization_id == organization_id).order_by(Factory.id)
    ).all()


def update_factory(
    session: Session, *, actor: Actor, factory_id: int, changes: Mapping[str, object]
) -> Factory:
    factory = _factory(session, factory_id)
    actor.require_edit_organization(factory.organization_id)
    names = {f.name for f in fields(FactoryInput)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise InvalidInput([Problem(name, "Unknown field") for name in unknown])
    before = {name: getattr(factory, name) for name in names}
    data = parse_factory({**before, **changes})
    for key, value in asdict(data).items():
        setattr(factory, key, value)
    record(session, actor=actor, action="factory.update", object_type="factory", object_id=factory.id,
           details={"changed": sorted(k for k, v in asdict(data).items() if before[k] != v)})
    return factory


def set_factory_active(session: Session, *, actor: Actor, factory_id: int, active: bool, reason: str) -> Factory:
    factory = _factory(session, factory_id)
    actor.require_edit_organization(factory.organization_id)
    if factory.is_active != active:
        factory.is_active = active
        record(session, actor=actor, action="factory.activate" if active else "factory.deactivate",
               object_type="factory", object_id=factory.id, reason=reason.strip())
    return factory


# Contacts ----------------------------------------------------------------------------------------------


def create_contact(
    session: Session, *, actor: Actor, organization_id: int, raw: Mapping[str, object]
) -> Contact:
    organization = get_organization(session, actor=actor, organization_id=organization_id)
    actor.require_edit_organization(organization.id)
    data: ContactInput = parse_contact(raw)
    contact = Contact(organization_id=organization.id, **asdict(data))
    session.add(contact)
    session.flush()
    record(session, actor=actor, action="contact.create", object_type="contact", object_id=contact.id,
           details={"organization_id": organization.id})
    return contact


def list_contacts(session: Session, *, actor: Actor, organization_id: int) -> Sequence[Contact]:
    """The active contacts of an organization."""
    get_organization(session, actor=actor, organization_id=organization_id)
    return session.scalars(
        select(Contact).where(Contact.organization_id == organization_id, Contact.is_active.is_(True))
        .order_by(Contact.id)
    ).all()


def deactivate_contact(session: Session, *, actor: Actor, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("No contact with id {id}", {"id": contact_id})
    actor.require_edit_organization(contact.organization_id)
    if contact.is_active:
        contact.is_active = False
        record(session, actor=actor, action="contact.deactivate", object_type="contact", object_id=contact.id)
    return contact


def brn_exists(session: Session, brn: str) -> bool:
    return session.scalar(select(Organization.id).where(Organization.brn == brn)) is not None


def organization_ids_by_brn(session: Session, brns: Sequence[str]) -> dict[str, int]:
    """Existing organizations among these BRNs (imports check a whole file at once, not row by row)."""
    found: dict[str, int] = {}
    for start in range(0, len(brns), 500):
        chunk = brns[start:start + 500]
        for brn, org_id in session.execute(select(Organization.brn, Organization.id)
                                           .where(Organization.brn.in_(chunk))):
            found[brn] = org_id
    return found


# The organization page -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganizationProfile:
    """Everything the organization page shows, and what the actor may do there."""

    organization: Organization
    factories: Sequence[Factory]
    contacts: Sequence[Contact]
    events: Sequence[AuditEvent]
    can_edit: bool
    can_change_status: bool


def get_organization_profile(session: Session, *, actor: Actor, organization_id: int) -> OrganizationProfile:
    """An organization with its factories, contacts and (for those who may read the audit log) its history."""
    organization = get_organization(session, actor=actor, organization_id=organization_id)
    events: Sequence[AuditEvent] = []
    if actor.can(Permission.AUDIT_VIEW):
        events = list_events(session, actor=actor, object_type="organization", object_id=organization_id,
                             limit=RECENT_EVENTS)
    return OrganizationProfile(
        organization=organization,
        factories=list_factories(session, actor=actor, organization_id=organization_id),
        contacts=list_contacts(session, actor=actor, organization_id=organization_id),
        events=events,
        can_edit=actor.can_edit_organization(organization_id),
        can_change_status=actor.can(Permission.REGISTRY_EDIT_ANY),
    )
