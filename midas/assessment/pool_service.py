"""The expert pool and conflicts of interest.

Conflicts are pairs (expert, organization). They are found from what the platform knows (detection), declared by
experts, or added by operators; operators can lift one with a reason. Every decision is an audit event, and the
assignment never pairs an expert with an organization while an active conflict stands between them.

Detection looks back :data:`LOOKBACK_YEARS` years: an affiliation or a business tie that ended longer ago than
that no longer counts. Detection only adds: a conflict whose basis has gone stays until an operator lifts it, and
detection never brings back a conflict an operator lifted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from midas.assessment.enums import AffiliationKind, ConflictKind, ConflictSource, RelationKind
from midas.assessment.models import ConflictOfInterest, Expert, ExpertAffiliation, OrganizationRelation
from midas.audit import AuditEvent, list_events, record
from midas.auth import Actor, Permission, Role, User
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, ParamValue, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import (
    Organization,
    format_brn,
    ksic_divisions,
    list_organizations,
    normalize_brn,
    parse_organization_query,
    regions,
)

LOOKBACK_YEARS = 3

# An expert tied to the organization itself (worked, directed, owned) is conflicted as "same organization";
# consulting for it is its own kind.
_AFFILIATION_CONFLICT: dict[AffiliationKind, ConflictKind] = {
    AffiliationKind.EMPLOYEE: ConflictKind.SAME_ORGANIZATION,
    AffiliationKind.EXECUTIVE: ConflictKind.SAME_ORGANIZATION,
    AffiliationKind.OWNER: ConflictKind.SAME_ORGANIZATION,
    AffiliationKind.CONSULTANT: ConflictKind.PRIOR_CONSULTING,
}
_RELATION_CONFLICT: dict[RelationKind, ConflictKind] = {
    RelationKind.SUPPLIER: ConflictKind.SUPPLIER,
    RelationKind.COMPETITOR: ConflictKind.COMPETITOR,
    RelationKind.SHARED_OWNERSHIP: ConflictKind.SHARED_OWNERSHIP,
    RelationKind.SHARED_MANAGEMENT: ConflictKind.SHARED_MANAGEMENT,
}


@dataclass(frozen=True, slots=True)
class FoundConflict:
    """A conflict detection found, with the reason an operator reads."""

    expert_id: int
    organization_id: int
    kind: ConflictKind
    reason: str


@dataclass(frozen=True, slots=True)
class ConflictDetection:
    """What one detection run did: conflicts added, found again (already recorded), and kept lifted."""

    added: int
    already_known: int
    lifted_kept: int


def lookback_start(today: date) -> date:
    """The first day that still counts: affiliations and ties that ended before it are too old to matter."""
    try:
        return today.replace(year=today.year - LOOKBACK_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - LOOKBACK_YEARS, day=28)


def _recent(ended_on: date | None, since: date) -> bool:
    return ended_on is None or ended_on >= since


def _period(started_on: date | None, ended_on: date | None) -> str:
    start = started_on.isoformat() if started_on else ""
    return f"{start}–{ended_on.isoformat() if ended_on else ''}"


def _affiliations(session: Session, expert_ids: Collection[int] | None) -> list[ExpertAffiliation]:
    query = select(ExpertAffiliation).where(ExpertAffiliation.organization_id.is_not(None))
    if expert_ids is not None:
        query = query.where(ExpertAffiliation.expert_id.in_(expert_ids))
    return list(session.scalars(query))


def _experts(session: Session, expert_ids: Collection[int] | None) -> list[Expert]:
    query = select(Expert)
    if expert_ids is not None:
        query = query.where(Expert.id.in_(expert_ids))
    return list(session.scalars(query))


def _employers_now(experts: Iterable[Expert], affiliations: Iterable[ExpertAffiliation],
                   today: date) -> dict[int, set[int]]:
    """For each expert, the organizations they work for, direct or own today (whose ties make them conflicted)."""
    employers: dict[int, set[int]] = defaultdict(set)
    for expert in experts:
        if expert.employer_id is not None:
            employers[expert.id].add(expert.employer_id)
    for affiliation in affiliations:
        current = affiliation.ended_on is None or affiliation.ended_on >= today
        if current and affiliation.kind is not AffiliationKind.CONSULTANT and affiliation.organization_id:
            employers[affiliation.expert_id].add(affiliation.organization_id)
    return employers


def _relations_of(session: Session, organization_ids: Collection[int], since: date) -> list[OrganizationRelation]:
    if not organization_ids:
        return []
    relations: list[OrganizationRelation] = []
    ids = sorted(organization_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        relations.extend(session.scalars(select(OrganizationRelation).where(
            or_(OrganizationRelation.organization_id.in_(chunk),
                OrganizationRelation.related_organization_id.in_(chunk)))))
    unique = {relation.id: relation for relation in relations}
    return [relation for relation in unique.values() if _recent(relation.ended_on, since)]


def _names(session: Session, organization_ids: Collection[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    ids = sorted(organization_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Organization.id, Organization.name)
                               .where(Organization.id.in_(ids[start:start + 500])))
        names.update({row.id: row.name for row in rows})
    return names


def find_conflicts(
    session: Session,
    *,
    today: date,
    expert_ids: Collection[int] | None = None,
    organization_ids: Collection[int] | None = None,
) -> list[FoundConflict]:
    """Every conflict the platform's data shows, for the experts and organizations given (None: all).

    - same organization: the expert works, directs or owns it now, or did within the look-back;
    - prior consulting: the expert consulted for it within the look-back;
    - supplier, competitor, shared ownership or management: an organization the expert works for, directs or
      owns today has that tie with it (either direction), current or ended within the look-back.
    """
    since = lookback_start(today)
    experts = _experts(session, expert_ids)
    affiliations = _affiliations(session, expert_ids)
    found: dict[tuple[int, int, ConflictKind], tuple[int, str]] = {}  # key -> (organization for the reason, text)

    for expert in experts:
        if expert.employer_id is not None:
            found[(expert.id, expert.employer_id, ConflictKind.SAME_ORGANIZATION)] = (expert.employer_id, "employer")
    for affiliation in affiliations:
        if affiliation.organization_id is None or not _recent(affiliation.ended_on, since):
            continue
        kind = _AFFILIATION_CONFLICT[affiliation.kind]
        text = f"{affiliation.kind.value} {_period(affiliation.started_on, affiliation.ended_on)}"
        key = (affiliation.expert_id, affiliation.organization_id, kind)
        found.setdefault(key, (affiliation.organization_id, text))

    employers = _employers_now(experts, affiliations, today)
    experts_of: dict[int, set[int]] = defaultdict(set)
    for expert_id, organizations in employers.items():
        for organization_id in organizations:
            experts_of[organization_id].add(expert_id)
    for relation in _relations_of(session, experts_of.keys(), since):
        kind = _RELATION_CONFLICT[relation.kind]
        for mine, theirs in ((relation.organization_id, relation.related_organization_id),
                             (relation.related_organization_id, relation.organization_id)):
            for expert_id in experts_of.get(mine, ()):
                text = f"{relation.kind.value} ({relation.source}) {_period(relation.started_on, relation.ended_on)}"
                found.setdefault((expert_id, theirs, kind), (mine, text))

    if organization_ids is not None:
        wanted = set(organization_ids)
        found = {key: value for key, value in found.items() if key[1] in wanted}
    names = _names(session, {via for via, _ in found.values()})
    return [
        FoundConflict(expert_id, organization_id, kind, _reason(kind, names.get(via, str(via)), text))
        for (expert_id, organization_id, kind), (via, text) in sorted(found.items())
    ]


def _reason(kind: ConflictKind, via: str, text: str) -> str:
    if kind in (ConflictKind.SAME_ORGANIZATION, ConflictKind.PRIOR_CONSULTING):
        return f"{via}: {text}".strip()
    return f"{via} — {text}".strip()


def _existing_keys(session: Session, found: list[FoundConflict]) -> dict[tuple[int, int, ConflictKind], bool]:
    """The (expert, organization, kind) of ``found`` already recorded, with whether each is still active."""
    keys = sorted({(f.expert_id, f.organization_id) for f in found})
    known: dict[tuple[int, int, ConflictKind], bool] = {}
    for start in range(0, len(keys), 400):
        rows = session.execute(
            select(ConflictOfInterest.expert_id, ConflictOfInterest.organization_id, ConflictOfInterest.kind,
                   ConflictOfInterest.is_active)
            .where(tuple_(ConflictOfInterest.expert_id, ConflictOfInterest.organization_id)
                   .in_(keys[start:start + 400])))
        known.update({(row.expert_id, row.organization_id, row.kind): row.is_active for row in rows})
    return known


def detect_conflicts(
    session: Session,
    *,
    actor: Actor,
    today: date,
    expert_ids: Collection[int] | None = None,
    organization_ids: Collection[int] | None = None,
) -> ConflictDetection:
    """Record every conflict :func:`find_conflicts` shows that is not recorded yet; each addition is audited."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    found = find_conflicts(session, today=today, expert_ids=expert_ids, organization_ids=organization_ids)
    known = _existing_keys(session, found)
    added = 0
    for conflict in found:
        key = (conflict.expert_id, conflict.organization_id, conflict.kind)
        if key in known:
            continue
        row = ConflictOfInterest(
            expert_id=conflict.expert_id, organization_id=conflict.organization_id, kind=conflict.kind,
            source=ConflictSource.DETECTED, reason=conflict.reason, is_active=True, created_by_label=actor.label,
        )
        session.add(row)
        session.flush()
        record(session, actor=actor, action="assessment.conflict.detected", object_type="conflict_of_interest",
               object_id=row.id, reason=conflict.reason,
               details={"expert_id": conflict.expert_id, "organization_id": conflict.organization_id,
                        "kind": conflict.kind.value})
        added += 1
    lifted = sum(1 for active in known.values() if not active)
    return ConflictDetection(added=added, already_known=len(known) - lifted, lifted_kept=lifted)


def active_conflict_pairs(session: Session, organization_ids: Collection[int]) -> set[tuple[int, int]]:
    """The (expert id, organization id) pairs under an active conflict, for the organizations given."""
    pairs: set[tuple[int, int]] = set()
    ids = sorted(set(organization_ids))
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(ConflictOfInterest.expert_id, ConflictOfInterest.organization_id)
            .where(ConflictOfInterest.organization_id.in_(ids[start:start + 500]), ConflictOfInterest.is_active))
        pairs.update((row.expert_id, row.organization_id) for row in rows)
    return pairs


def is_conflicted(session: Session, *, expert_id: int, organization_id: int) -> bool:
    """Whether an active conflict stands between the expert and the organization."""
    return (expert_id, organization_id) in active_conflict_pairs(session, [organization_id])


# The expert pool ---------------------------------------------------------------------------------------------

MAX_PAGE_SIZE = 200
MIN_REASON_LENGTH = 5
MAX_LOAD = 50
MAX_YEARS = 60
RECENT_EVENTS = 20

# The technology areas an expert knows and an assessment needs (the assignment matches on these codes).
TECHNOLOGY_LABELS: dict[str, str] = {
    "mes": "MES (manufacturing execution)",
    "automation": "Automation and control",
    "quality": "Quality management",
    "ai_data": "AI and data analytics",
    "plm": "PLM and digital design",
    "scm": "Supply chain (SCM/ERP)",
    "energy": "Energy management",
    "robotics": "Robotics",
    "iot": "IoT and sensors",
    "safety": "Industrial safety",
}
TECHNOLOGIES: tuple[str, ...] = tuple(TECHNOLOGY_LABELS)

# Where a business tie between two organizations is known from.
RELATION_SOURCE_LABELS: dict[str, str] = {
    "quote": "A quote on the portal",
    "registry": "The registry",
    "declared": "Declared",
    "operator": "Operator",
}
RELATION_SOURCES: tuple[str, ...] = tuple(RELATION_SOURCE_LABELS)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y"})
_FALSE_WORDS = frozenset({"0", "false", "off", "no", "n"})
_SEOUL = ZoneInfo("Asia/Seoul")
Raw = Mapping[str, object]
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def seoul_today() -> date:
    """Today in Korea: the look-back and affiliation dates are Korean calendar dates."""
    return datetime.now(_SEOUL).date()


class _Problems:
    """Gathers every problem of one input before deciding, so the caller hears of all of them at once."""

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str, params: Mapping[str, ParamValue] | None = None) -> None:
        """Note a problem with a field."""
        self.problems.append(Problem(field, message, dict(params or {})))

    def text(self, field: str, *, required: bool, max_length: int) -> str | None:
        """Trimmed text, or None when empty or too long."""
        value = self.raw.get(field)
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.problem(field, "This field is required")
            return None
        if len(text) > max_length:
            self.problem(field, "At most {n} characters", {"n": max_length})
            return None
        return text

    def integer(self, field: str, *, minimum: int, maximum: int, default: int | None = None) -> int | None:
        """A whole number in range; empty gives the default (or a problem when there is none)."""
        value = self.raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                self.problem(field, "This field is required")
            return default
        number = _as_int(value)
        if number is None:
            self.problem(field, "Enter a whole number, not {value}", {"value": str(value)[:40]})
        elif not minimum <= number <= maximum:
            self.problem(field, "Enter a whole number from {minimum} to {maximum}",
                     {"minimum": minimum, "maximum": maximum})
            number = None
        return number

    def flag(self, field: str, *, default: bool) -> bool:
        """Yes or no, written as a boolean or a word (true, on, 1, false...)."""
        value = self.raw.get(field)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE_WORDS | _FALSE_WORDS:
            return word in _TRUE_WORDS
        self.problem(field, "Answer yes or no, not {value}", {"value": str(value)[:40]})
        return default

    def day(self, field: str, *, required: bool) -> date | None:
        """A date written as YYYY-MM-DD."""
        value = self.raw.get(field)
        if isinstance(value, date):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.problem(field, "This field is required")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(field, "Enter a date as YYYY-MM-DD, not {value}", {"value": text[:40]})
            return None

    def choice(self, field: str, kind: type[E], message: str) -> E | None:
        """One value of an enumeration, by its code."""
        text = self.text(field, required=True, max_length=64)
        if text is None:
            return None
        try:
            return kind(text.lower())
        except ValueError:
            self.problem(field, message, {"value": text[:40]})
            return None

    def reason(self, field: str = "reason") -> str | None:
        """A reason long enough to mean something to whoever reads the audit log."""
        text = self.text(field, required=True, max_length=1000)
        if text is not None and len(text) < MIN_REASON_LENGTH:
            self.problem(field, "Give a reason of at least {n} characters", {"n": MIN_REASON_LENGTH})
            return None
        return text

    def check(self) -> None:
        """Refuse the input, naming every problem, if there is any."""
        if self.problems:
            raise InvalidInput(self.problems)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else None


def _codes(value: object) -> list[str]:
    """Codes given as a list or as comma-separated text, trimmed, without blanks and repeats."""
    parts = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return list(dict.fromkeys(str(part).strip() for part in parts if str(part).strip()))


def _parse_ksic_division(text: str) -> str | None:
    code = text.strip().upper().removeprefix("C")
    return code if code in ksic_divisions() else None


def _parse_region(text: str) -> str | None:
    value = text.strip()
    if value in regions():
        return value
    for region in regions().values():
        if value == region.name_ko or value.lower() == region.name_en.lower():
            return region.code
    return None


def _parse_technology(text: str) -> str | None:
    code = text.strip().lower().replace("-", "_")
    return code if code in TECHNOLOGY_LABELS else None


def _organization_ref(session: Session, p: _Problems, field: str, *, required: bool) -> Organization | None:
    """An organization named by its business registration number (123-45-67890) or its id on the platform."""
    value = p.raw.get(field)
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            p.problem(field, "This field is required")
        return None
    digits = normalize_brn(text)
    if len(digits) == 10 and digits.isdigit():
        organization = session.scalar(select(Organization).where(Organization.brn == digits))
        if organization is None:
            p.problem(field, "No organization with business registration number {value}", {"value": format_brn(digits)})
        return organization
    if digits.isdigit() and len(digits) < 10:
        found = session.get(Organization, int(digits))
        if found is None:
            p.problem(field, "No organization with id {value}", {"value": digits})
        return found
    p.problem(field, "Enter a business registration number (123-45-67890) or an organization id, not {value}",
          {"value": text[:40]})
    return None


@dataclass(frozen=True, slots=True)
class ExpertInput:
    """An expert profile's fields, checked."""

    name: str
    email: str | None
    employer_id: int | None
    employer_name: str
    region_code: str
    ksic_divisions: str
    technologies: str
    qualifications: str
    years_of_experience: int
    max_load: int
    is_available: bool
    user_id: int | None


EXPERT_FIELDS = ("name", "email", "employer", "employer_name", "region_code", "ksic_divisions", "technologies",
                 "qualifications", "years_of_experience", "max_load", "is_available", "user_email")


def _listed_codes(p: _Problems, field: str, parse: Callable[[str], str | None], message: str) -> str:
    codes: list[str] = []
    for raw_code in _codes(p.raw.get(field)):
        code = parse(raw_code)
        if code is None:
            p.problem(field, message, {"value": raw_code[:40]})
        elif code not in codes:
            codes.append(code)
    return ",".join(codes)


def _linked_user(session: Session, p: _Problems, *, expert_id: int | None) -> int | None:
    email = p.text("user_email", required=False, max_length=254)
    if email is None:
        return None
    user = session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        p.problem("user_email", "No user with the e-mail {email}", {"email": email})
        return None
    if user.role is not Role.EXPERT:
        p.problem("user_email", "The user {email} does not have the expert role", {"email": email})
        return None
    other = session.scalar(select(Expert.id).where(Expert.user_id == user.id))
    if other is not None and other != expert_id:
        p.problem("user_email", "The user {email} is linked to another expert already", {"email": email})
        return None
    return user.id


def parse_expert(session: Session, raw: Raw, *, expert_id: int | None = None) -> ExpertInput:
    """An expert profile from raw values (form text or JSON), every problem named by its field."""
    p = _Problems(raw)
    for unknown in sorted(set(raw) - set(EXPERT_FIELDS)):
        p.problem(unknown, "Unknown field")
    name = p.text("name", required=True, max_length=100)
    email = p.text("email", required=False, max_length=254)
    if email is not None and not _EMAIL.match(email):
        p.problem("email", "Enter a valid e-mail address")
    employer = _organization_ref(session, p, "employer", required=False)
    employer_name = p.text("employer_name", required=False, max_length=200)
    region: str | None = None
    region_text = p.text("region_code", required=True, max_length=40)
    if region_text is not None:
        region = _parse_region(region_text)
        if region is None:
            p.problem("region_code", "Unknown region {value}", {"value": region_text[:40]})
    divisions = _listed_codes(p, "ksic_divisions", _parse_ksic_division,
                              "Unknown KSIC manufacturing division {value} (10-34)")
    technologies = _listed_codes(p, "technologies", _parse_technology, "Unknown technology area {value}")
    qualifications = p.text("qualifications", required=False, max_length=2000)
    years = p.integer("years_of_experience", minimum=0, maximum=MAX_YEARS, default=0)
    max_load = p.integer("max_load", minimum=0, maximum=MAX_LOAD, default=10)
    available = p.flag("is_available", default=True)
    user_id = _linked_user(session, p, expert_id=expert_id)
    p.check()
    return ExpertInput(
        name=name or "", email=email.lower() if email else None, employer_id=employer.id if employer else None,
        employer_name=employer_name or (employer.name if employer else ""), region_code=region or "",
        ksic_divisions=divisions, technologies=technologies, qualifications=qualifications or "",
        years_of_experience=years or 0, max_load=max_load if max_load is not None else 10, is_available=available,
        user_id=user_id,
    )


def _expert_raw(session: Session, expert: Expert) -> dict[str, object]:
    """An expert's current values in the shape :func:`parse_expert` reads."""
    user = session.get(User, expert.user_id) if expert.user_id is not None else None
    return {
        "name": expert.name, "email": expert.email, "employer": expert.employer_id,
        "employer_name": expert.employer_name, "region_code": expert.region_code,
        "ksic_divisions": expert.ksic_divisions, "technologies": expert.technologies,
        "qualifications": expert.qualifications, "years_of_experience": expert.years_of_experience,
        "max_load": expert.max_load, "is_available": expert.is_available,
        "user_email": user.email if user else None,
    }


def expert_form_values(session: Session, expert: Expert) -> dict[str, str]:
    """An expert's values as a form shows them (the employer by its business registration number)."""
    values = {key: "" if value is None else str(value) for key, value in _expert_raw(session, expert).items()}
    if expert.employer is not None:
        values["employer"] = format_brn(expert.employer.brn)
    values["is_available"] = "true" if expert.is_available else ""
    return values


def _detect_for(session: Session, actor: Actor, *, expert_ids: Collection[int] | None = None,
                organization_ids: Collection[int] | None = None, today: date | None) -> ConflictDetection:
    """Detection right after a change that may create a conflict, so the pool is never out of date."""
    return detect_conflicts(session, actor=actor, today=today or seoul_today(), expert_ids=expert_ids,
                            organization_ids=organization_ids)


def create_expert(session: Session, *, actor: Actor, raw: Raw, today: date | None = None) -> Expert:
    """Add an expert to the pool (operators); the conflicts their employer brings are detected at once."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    data = parse_expert(session, raw)
    expert = Expert(**{f.name: getattr(data, f.name) for f in fields(ExpertInput)})
    session.add(expert)
    session.flush()
    record(session, actor=actor, action="assessment.expert.created", object_type="expert", object_id=expert.id,
           details={"name": data.name, "employer_id": data.employer_id})
    _detect_for(session, actor, expert_ids=[expert.id], today=today)
    return expert


def get_expert(session: Session, *, actor: Actor, expert_id: int) -> Expert:
    """One expert of the pool (operators and auditors)."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    return _expert(session, expert_id)


def _expert(session: Session, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("No expert with id {id}", {"id": expert_id})
    return expert


def update_expert(session: Session, *, actor: Actor, expert_id: int, changes: Raw,
                  today: date | None = None) -> Expert:
    """Change some fields of an expert profile; the whole profile is checked again and the change audited."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    expert = _expert(session, expert_id)
    before = _expert_raw(session, expert)
    merged = {**before, **changes}
    if "employer" in changes and "employer_name" not in changes:
        merged["employer_name"] = None  # the new employer's registered name, unless one is given
    data = parse_expert(session, merged, expert_id=expert_id)
    current = {f.name: getattr(expert, f.name) for f in fields(ExpertInput)}
    changed = {name: [_plain(current[name]), _plain(getattr(data, name))]
               for name in current if current[name] != getattr(data, name)}
    for name in changed:
        setattr(expert, name, getattr(data, name))
    if changed:
        session.flush()
        record(session, actor=actor, action="assessment.expert.updated", object_type="expert", object_id=expert.id,
               details={"changed": changed})
        _detect_for(session, actor, expert_ids=[expert.id], today=today)
    return expert


def _plain(value: object) -> str | int | bool | None:
    return value if isinstance(value, str | int | bool) or value is None else str(value)


@dataclass(frozen=True, slots=True)
class ExpertQuery:
    """What an expert list asks for: a search text, filters and a page."""

    text: str = ""
    ksic_division: str | None = None
    technology: str | None = None
    region_code: str | None = None
    available: bool | None = None
    page: int = 1
    page_size: int = 25


def _text_of(raw: Raw, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _page_numbers(raw: Raw, p: _Problems, default_page_size: int) -> tuple[int, int]:
    numbers = []
    for name, default, maximum in (("page", 1, 1_000_000), ("page_size", default_page_size, MAX_PAGE_SIZE)):
        text = _text_of(raw, name)
        if not text:
            numbers.append(default)
        elif text.isdigit() and 1 <= int(text) <= maximum:
            numbers.append(int(text))
        else:
            p.problem(name, "Enter a whole number from {minimum} to {maximum}", {"minimum": 1, "maximum": maximum})
            numbers.append(default)
    return numbers[0], numbers[1]


def _optional_code(p: _Problems, name: str, parse: Callable[[str], T | None], message: str) -> T | None:
    text = _text_of(p.raw, name)
    if not text:
        return None
    parsed = parse(text)
    if parsed is None:
        p.problem(name, message, {"value": text[:40]})
    return parsed


def _yes_no_any(p: _Problems, name: str) -> bool | None:
    text = _text_of(p.raw, name).lower()
    if not text or text == "any":
        return None
    return p.flag(name, default=False)


def parse_expert_query(raw: Raw, *, default_page_size: int = 25) -> ExpertQuery:
    """An expert list query from request parameters; an unknown code is reported by field, not ignored."""
    p = _Problems(raw)
    division = _optional_code(p, "ksic_division", _parse_ksic_division,
                              "Unknown KSIC manufacturing division {value} (10-34)")
    technology = _optional_code(p, "technology", _parse_technology, "Unknown technology area {value}")
    region = _optional_code(p, "region_code", _parse_region, "Unknown region {value}")
    available = _yes_no_any(p, "available")
    page, page_size = _page_numbers(raw, p, default_page_size)
    p.check()
    return ExpertQuery(text=_text_of(raw, "q")[:100], ksic_division=division, technology=technology,
                       region_code=region, available=available, page=page, page_size=page_size)


def _has_code(column: InstrumentedAttribute[str], code: str) -> ColumnElement[bool]:
    """A comma-separated code column holds ``code`` (",29," within ",10,29,")."""
    return (literal(",") + column + literal(",")).contains(f",{code},", autoescape=True)


def _expert_conditions(query: ExpertQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.text:
        pattern = query.text.lower()
        conditions.append(or_(func.lower(Expert.name).contains(pattern, autoescape=True),
                              func.lower(Expert.employer_name).contains(pattern, autoescape=True),
                              func.lower(func.coalesce(Expert.email, "")).contains(pattern, autoescape=True)))
    if query.ksic_division:
        conditions.append(_has_code(Expert.ksic_divisions, query.ksic_division))
    if query.technology:
        conditions.append(_has_code(Expert.technologies, query.technology))
    if query.region_code:
        conditions.append(Expert.region_code == query.region_code)
    if query.available is not None:
        conditions.append(Expert.is_available.is_(query.available))
    return conditions


def list_experts(session: Session, *, actor: Actor, query: ExpertQuery) -> Page[Expert]:
    """A page of experts matching the search text and filters, ordered by name."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    page_size = min(max(query.page_size, 1), MAX_PAGE_SIZE)
    page = max(query.page, 1)
    base = select(Expert).where(and_(True, *_expert_conditions(query)))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = session.scalars(base.order_by(Expert.name, Expert.id).offset((page - 1) * page_size)
                            .limit(page_size)).all()
    return Page(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True, slots=True)
class ExpertProfile:
    """Everything the expert page shows: the profile, the affiliation history, conflicts and recent changes."""

    expert: Expert
    affiliations: Sequence[ExpertAffiliation]
    conflicts: Sequence[ConflictOfInterest]
    events: Sequence[AuditEvent]
    can_manage: bool


def get_expert_profile(session: Session, *, actor: Actor, expert_id: int) -> ExpertProfile:
    """An expert with affiliations (newest first), every conflict, and (for audit readers) recent changes."""
    expert = get_expert(session, actor=actor, expert_id=expert_id)
    affiliations = session.scalars(select(ExpertAffiliation).where(ExpertAffiliation.expert_id == expert_id)
                                   .order_by(ExpertAffiliation.started_on.desc(), ExpertAffiliation.id)).all()
    events: Sequence[AuditEvent] = []
    if actor.can(Permission.AUDIT_VIEW):
        events = list_events(session, actor=actor, object_type="expert", object_id=expert_id, limit=RECENT_EVENTS)
    return ExpertProfile(expert=expert, affiliations=affiliations, conflicts=_conflicts_of(session, expert_id),
                         events=events, can_manage=actor.can(Permission.ASSESSMENT_MANAGE))


def _conflicts_of(session: Session, expert_id: int) -> Sequence[ConflictOfInterest]:
    return session.scalars(
        select(ConflictOfInterest).where(ConflictOfInterest.expert_id == expert_id)
        .options(selectinload(ConflictOfInterest.organization))
        .order_by(ConflictOfInterest.is_active.desc(), ConflictOfInterest.created_at.desc(), ConflictOfInterest.id)
    ).all()


# Affiliations and business ties -------------------------------------------------------------------------------


def add_affiliation(session: Session, *, actor: Actor, expert_id: int, raw: Raw,
                    today: date | None = None) -> ExpertAffiliation:
    """Record where an expert worked, directed, owned or consulted, and when; conflicts follow at once."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    expert = _expert(session, expert_id)
    p = _Problems(raw)
    organization = _organization_ref(session, p, "organization", required=False)
    name = p.text("organization_name", required=organization is None, max_length=200)
    kind = p.choice("kind", AffiliationKind, "Unknown kind of affiliation {value}")
    started_on = p.day("started_on", required=True)
    ended_on = p.day("ended_on", required=False)
    _check_period(p, started_on, ended_on, today=today or seoul_today())
    p.check()
    assert kind is not None
    assert started_on is not None
    affiliation = ExpertAffiliation(
        expert_id=expert.id, organization_id=organization.id if organization else None,
        organization_name=name or (organization.name if organization else ""), kind=kind, started_on=started_on,
        ended_on=ended_on,
    )
    session.add(affiliation)
    session.flush()
    record(session, actor=actor, action="assessment.expert.affiliation_added", object_type="expert",
           object_id=expert.id, details={"affiliation_id": affiliation.id, "kind": kind.value,
                                         "organization_id": affiliation.organization_id,
                                         "started_on": started_on.isoformat(),
                                         "ended_on": ended_on.isoformat() if ended_on else None})
    _detect_for(session, actor, expert_ids=[expert.id], today=today)
    return affiliation


def _check_period(p: _Problems, started_on: date | None, ended_on: date | None, *, today: date) -> None:
    if started_on is not None and started_on > today:
        p.problem("started_on", "The start cannot be in the future")
    if started_on is not None and ended_on is not None and ended_on < started_on:
        p.problem("ended_on", "The end ({ended_on}) comes before the start ({started_on})",
              {"ended_on": ended_on.isoformat(), "started_on": started_on.isoformat()})


def get_affiliation(session: Session, *, actor: Actor, affiliation_id: int) -> ExpertAffiliation:
    """One affiliation of an expert (operators and auditors)."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    affiliation = session.get(ExpertAffiliation, affiliation_id)
    if affiliation is None:
        raise NotFound("No affiliation with id {id}", {"id": affiliation_id})
    return affiliation


def end_affiliation(session: Session, *, actor: Actor, affiliation_id: int, raw: Raw) -> ExpertAffiliation:
    """Close an open affiliation on a date (not before it started); the change is audited."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    affiliation = get_affiliation(session, actor=actor, affiliation_id=affiliation_id)
    if affiliation.ended_on is not None:
        raise Conflict("This affiliation ended on {date} already", {"date": affiliation.ended_on.isoformat()})
    p = _Problems(raw)
    ended_on = p.day("ended_on", required=True)
    _check_period(p, affiliation.started_on, ended_on, today=date.max)
    p.check()
    affiliation.ended_on = ended_on
    record(session, actor=actor, action="assessment.expert.affiliation_ended", object_type="expert",
           object_id=affiliation.expert_id,
           details={"affiliation_id": affiliation.id, "ended_on": ended_on.isoformat() if ended_on else None})
    return affiliation


def add_relation(session: Session, *, actor: Actor, raw: Raw, today: date | None = None) -> OrganizationRelation:
    """Record a business tie between two different organizations; the conflicts it makes are detected at once."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    p = _Problems(raw)
    organization = _organization_ref(session, p, "organization", required=True)
    related = _organization_ref(session, p, "related_organization", required=True)
    if organization is not None and related is not None and organization.id == related.id:
        p.problem("related_organization", "A tie needs two different organizations")
    kind = p.choice("kind", RelationKind, "Unknown kind of business tie {value}")
    source = _text_of(raw, "source").lower() or "operator"
    if source not in RELATION_SOURCE_LABELS:
        p.problem("source", "Unknown source {value}", {"value": source[:40]})
    note = p.text("note", required=False, max_length=500)
    started_on = p.day("started_on", required=False)
    ended_on = p.day("ended_on", required=False)
    _check_period(p, started_on, ended_on, today=today or seoul_today())
    p.check()
    assert organization is not None
    assert related is not None
    assert kind is not None
    _ensure_new_relation(session, organization.id, related.id, kind)
    relation = OrganizationRelation(organization_id=organization.id, related_organization_id=related.id, kind=kind,
                                    source=source, note=note or "", started_on=started_on, ended_on=ended_on)
    session.add(relation)
    session.flush()
    record(session, actor=actor, action="assessment.relation.added", object_type="organization_relation",
           object_id=relation.id, details={"organization_id": organization.id, "related_organization_id": related.id,
                                           "kind": kind.value, "source": source})
    _detect_for(session, actor, organization_ids=[organization.id, related.id], today=today)
    return relation


def _ensure_new_relation(session: Session, organization_id: int, related_id: int, kind: RelationKind) -> None:
    existing = session.scalar(select(OrganizationRelation.id).where(
        OrganizationRelation.organization_id == organization_id,
        OrganizationRelation.related_organization_id == related_id, OrganizationRelation.kind == kind))
    if existing is not None:
        raise Conflict("This tie is recorded already (id {id})", {"id": existing})


def end_relation(session: Session, *, actor: Actor, relation_id: int, raw: Raw) -> OrganizationRelation:
    """Close a business tie on a date; conflicts it made stay until an operator lifts them."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    relation = session.get(OrganizationRelation, relation_id)
    if relation is None:
        raise NotFound("No business tie with id {id}", {"id": relation_id})
    if relation.ended_on is not None:
        raise Conflict("This tie ended on {date} already", {"date": relation.ended_on.isoformat()})
    p = _Problems(raw)
    ended_on = p.day("ended_on", required=True)
    if relation.started_on is not None:
        _check_period(p, relation.started_on, ended_on, today=date.max)
    p.check()
    relation.ended_on = ended_on
    record(session, actor=actor, action="assessment.relation.ended", object_type="organization_relation",
           object_id=relation.id, details={"ended_on": ended_on.isoformat() if ended_on else None})
    return relation


def find_organization(session: Session, *, actor: Actor, reference: object,
                      field: str = "organization") -> Organization:
    """An organization by business registration number or id; a located problem when there is none."""
    actor.require(Permission.REGISTRY_VIEW)
    p = _Problems({field: reference})
    organization = _organization_ref(session, p, field, required=True)
    p.check()
    assert organization is not None  # a required reference that is not found is a problem, raised above
    return organization


def list_relations(session: Session, *, actor: Actor, organization_id: int) -> Sequence[OrganizationRelation]:
    """The business ties of one organization, in either direction."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    return session.scalars(select(OrganizationRelation).where(or_(
        OrganizationRelation.organization_id == organization_id,
        OrganizationRelation.related_organization_id == organization_id)).order_by(OrganizationRelation.id)).all()


# Conflicts: declared, added, lifted, listed -------------------------------------------------------------------


def expert_of(session: Session, *, actor: Actor) -> Expert:
    """The expert profile of the signed-in expert; an account without one may not declare or see conflicts."""
    actor.require(Permission.ASSESSMENT_SCORE)
    expert = None
    if actor.user_id is not None:
        expert = session.scalar(select(Expert).where(Expert.user_id == actor.user_id))
    if expert is None:
        raise PermissionDenied("Your account is not linked to an expert profile; ask the program operator")
    return expert


def _record_conflict(session: Session, actor: Actor, *, expert: Expert, organization: Organization,
                     kind: ConflictKind, source: ConflictSource, reason: str, action: str) -> ConflictOfInterest:
    """A new conflict, or the lifted one of the same kind made active again; the decision is audited."""
    conflict = session.scalar(select(ConflictOfInterest).where(
        ConflictOfInterest.expert_id == expert.id, ConflictOfInterest.organization_id == organization.id,
        ConflictOfInterest.kind == kind))
    if conflict is not None and conflict.is_active:
        raise Conflict("This conflict is recorded already (id {id})", {"id": conflict.id})
    if conflict is None:
        conflict = ConflictOfInterest(expert_id=expert.id, organization_id=organization.id, kind=kind, source=source)
        session.add(conflict)
    conflict.reason = reason
    conflict.is_active = True
    conflict.created_by_label = actor.label
    conflict.created_at = utc_now()
    conflict.lifted_by_label = conflict.lifted_at = conflict.lift_reason = None
    session.flush()
    record(session, actor=actor, action=action, object_type="conflict_of_interest", object_id=conflict.id,
           reason=reason, details={"expert_id": expert.id, "organization_id": organization.id, "kind": kind.value})
    return conflict


def declare_conflict(session: Session, *, actor: Actor, raw: Raw) -> ConflictOfInterest:
    """An expert declares their own conflict with an organization (by BRN or id), saying why."""
    expert = expert_of(session, actor=actor)
    p = _Problems(raw)
    organization = _organization_ref(session, p, "organization", required=True)
    reason = p.reason()
    p.check()
    assert organization is not None
    assert reason is not None
    return _record_conflict(session, actor, expert=expert, organization=organization, kind=ConflictKind.DECLARED,
                            source=ConflictSource.DECLARED, reason=reason, action="assessment.conflict.declared")


def add_conflict(session: Session, *, actor: Actor, raw: Raw) -> ConflictOfInterest:
    """An operator records a conflict the data does not show (expert id, organization by BRN or id, reason)."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    p = _Problems(raw)
    expert_id = p.integer("expert_id", minimum=1, maximum=2_000_000_000)
    expert = session.get(Expert, expert_id) if expert_id is not None else None
    if expert_id is not None and expert is None:
        p.problem("expert_id", "No expert with id {id}", {"id": expert_id})
    organization = _organization_ref(session, p, "organization", required=True)
    reason = p.reason()
    p.check()
    assert expert is not None
    assert organization is not None
    assert reason is not None
    return _record_conflict(session, actor, expert=expert, organization=organization, kind=ConflictKind.OPERATOR,
                            source=ConflictSource.OPERATOR, reason=reason, action="assessment.conflict.added")


def lift_conflict(session: Session, *, actor: Actor, conflict_id: int, reason: str) -> ConflictOfInterest:
    """An operator lifts a conflict, saying why; it stays on record and detection never brings it back."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    conflict = session.get(ConflictOfInterest, conflict_id)
    if conflict is None:
        raise NotFound("No conflict of interest with id {id}", {"id": conflict_id})
    p = _Problems({"reason": reason})
    text = p.reason()
    p.check()
    if not conflict.is_active:
        raise Conflict("This conflict was lifted already on {date}",
                       {"date": conflict.lifted_at.date().isoformat() if conflict.lifted_at else ""})
    conflict.is_active = False
    conflict.lifted_by_label = actor.label
    conflict.lifted_at = utc_now()
    conflict.lift_reason = text
    record(session, actor=actor, action="assessment.conflict.lifted", object_type="conflict_of_interest",
           object_id=conflict.id, reason=text or "",
           details={"expert_id": conflict.expert_id, "organization_id": conflict.organization_id,
                    "kind": conflict.kind.value})
    return conflict


def get_conflict(session: Session, *, actor: Actor, conflict_id: int) -> ConflictOfInterest:
    """One conflict (operators and auditors)."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    conflict = session.get(ConflictOfInterest, conflict_id)
    if conflict is None:
        raise NotFound("No conflict of interest with id {id}", {"id": conflict_id})
    return conflict


@dataclass(frozen=True, slots=True)
class ConflictQuery:
    """What a conflict list asks for: an expert, an organization, a kind, a source, active or lifted, a page."""

    expert_id: int | None = None
    organization_id: int | None = None
    kind: ConflictKind | None = None
    source: ConflictSource | None = None
    active: bool | None = None
    page: int = 1
    page_size: int = 25


def _enum_of(kind: type[E]) -> Callable[[str], E | None]:
    def parse(text: str) -> E | None:
        """The member with this code, or None."""
        try:
            return kind(text.lower())
        except ValueError:
            return None

    return parse


def parse_conflict_query(session: Session, raw: Raw, *, default_page_size: int = 25) -> ConflictQuery:
    """A conflict list query from request parameters; ``status`` is active, lifted or empty (both)."""
    p = _Problems(raw)
    expert_id = _optional_code(p, "expert_id", _as_int, "Enter a whole number, not {value}")
    organization = _organization_ref(session, p, "organization", required=False)
    kind = _optional_code(p, "kind", _enum_of(ConflictKind), "Unknown kind of conflict {value}")
    source = _optional_code(p, "source", _enum_of(ConflictSource), "Unknown source {value}")
    status = _text_of(raw, "status").lower()
    if status not in ("", "any", "active", "lifted"):
        p.problem("status", "Choose active or lifted, not {value}", {"value": status[:40]})
    page, page_size = _page_numbers(raw, p, default_page_size)
    p.check()
    return ConflictQuery(expert_id=expert_id, organization_id=organization.id if organization else None, kind=kind,
                         source=source, active={"active": True, "lifted": False}.get(status), page=page,
                         page_size=page_size)


def list_conflicts(session: Session, *, actor: Actor, query: ConflictQuery) -> Page[ConflictOfInterest]:
    """A page of conflicts matching the filters, newest first, with their expert and organization loaded."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    conditions: list[ColumnElement[bool]] = []
    if query.expert_id is not None:
        conditions.append(ConflictOfInterest.expert_id == query.expert_id)
    if query.organization_id is not None:
        conditions.append(ConflictOfInterest.organization_id == query.organization_id)
    if query.kind is not None:
        conditions.append(ConflictOfInterest.kind == query.kind)
    if query.source is not None:
        conditions.append(ConflictOfInterest.source == query.source)
    if query.active is not None:
        conditions.append(ConflictOfInterest.is_active.is_(query.active))
    page_size = min(max(query.page_size, 1), MAX_PAGE_SIZE)
    page = max(query.page, 1)
    base = select(ConflictOfInterest).where(and_(True, *conditions))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = session.scalars(
        base.options(selectinload(ConflictOfInterest.expert), selectinload(ConflictOfInterest.organization))
        .order_by(ConflictOfInterest.created_at.desc(), ConflictOfInterest.id.desc())
        .offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=items, total=total, page=page, page_size=page_size)


def my_conflicts(session: Session, *, actor: Actor) -> tuple[Expert, Sequence[ConflictOfInterest]]:
    """The signed-in expert's profile and every conflict recorded for them, active first."""
    expert = expert_of(session, actor=actor)
    return expert, _conflicts_of(session, expert.id)


def run_detection(session: Session, *, actor: Actor, today: date | None = None) -> ConflictDetection:
    """Detect conflicts across the whole pool (operators); returns how many were added."""
    return detect_conflicts(session, actor=actor, today=today or seoul_today())


def search_organizations(session: Session, *, actor: Actor, text: str, limit: int = 20) -> Sequence[Organization]:
    """Organizations whose name or business registration number starts with ``text`` (to choose one by name)."""
    if not text.strip():
        return []
    query = parse_organization_query({"q": text, "page_size": limit})
    return list_organizations(session, actor=actor, query=query).items
