"""The expert pool and conflicts of interest.

Conflicts are pairs (expert, organization). They are found from what the platform knows (detection), declared by
experts, or added by operators; operators can lift one with a reason. Every decision is an audit event, and the
assignment never pairs an expert with an organization while an active conflict stands between them.

Detection looks back :data:`LOOKBACK_YEARS` years: an affiliation or a business tie that ended longer ago than
that no longer counts. Detection only adds: a conflict whose basis has gone stays until an operator lifts it, and
detection never brings back a conflict an operator lifted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from midas.assessment.enums import AffiliationKind, ConflictKind, ConflictSource, RelationKind
from midas.assessment.models import ConflictOfInterest, Expert, ExpertAffiliation, OrganizationRelation
from midas.audit import record
from midas.auth import Actor, Permission
from midas.registry import Organization

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
