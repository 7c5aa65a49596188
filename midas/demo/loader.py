"""Writes a generated country into the database: bulk Core inserts in batches, inside one transaction.

Organizations, factories and contacts go in with ``executemany`` (tens of thousands of rows in seconds);
only the dozen demo users go through ``midas.auth.create_user``, because each password needs an argon2
hash and each account an audit event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from midas.audit import AuditEvent, record
from midas.auth import SYSTEM, User, create_user
from midas.config import Environment, Settings, get_settings
from midas.db import Base, load_all_models, make_session_factory, transaction, utc_now
from midas.demo.assessment_round import AssessmentDemoSummary, assessment_scale_for, load_assessment_demo
from midas.demo.distributions import SCALES, Scale
from midas.demo.national import DemoCountry, DemoCredential, demo_credentials, generate_country
from midas.demo.production import SEOUL, ProductionDemoSummary, load_production_demo, production_scale_for
from midas.demo.support_rounds import SUPPORT_STEPS, SupportDemoSummary, load_support_demo, support_scale_for
from midas.errors import Conflict, InvalidInput, PermissionDenied
from midas.registry import Contact, Factory, Organization

BATCH_SIZE = 2_000
SEED_ACTION = "demo.seed"
# The tables the planner needs fresh statistics for after a bulk load.
ANALYZED_TABLES = ("organization", "factory", "contact", "user_account", "expert", "expert_affiliation",
                   "organization_relation", "conflict_of_interest", "assessment", "expert_assignment", "score_sheet",
                   "production_record", "kpi_unit_day", "kpi_factory_day")


class LoadStep(StrEnum):
    GENERATE = "generate"
    ORGANIZATIONS = "organizations"
    FACTORIES = "factories"
    CONTACTS = "contacts"
    USERS = "users"
    EXPERTS = "experts"
    ASSESSMENTS = "assessments"
    SUPPORT = "support"
    PRODUCTION = "production"


class LoadProgress(Protocol):
    """Hears how far seeding has come: the CLI draws progress bars from it."""

    def begin(self, step: LoadStep, total: int) -> None: ...

    def advance(self, step: LoadStep, amount: int) -> None: ...


class _Silent:
    def begin(self, step: LoadStep, total: int) -> None:
        pass

    def advance(self, step: LoadStep, amount: int) -> None:
        pass


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What one seeding run wrote, and the log-ins of its demo accounts."""

    scale: str
    seed: int
    organizations: int
    factories: int
    contacts: int
    users: int
    credentials: tuple[DemoCredential, ...]
    experts: int = 0
    assessments: int = 0
    sheets: int = 0
    applications: int = 0
    projects: int = 0
    production_factories: int = 0
    production_records: int = 0
    measured_projects: int = 0


@dataclass(frozen=True, slots=True)
class RecordedSeed:
    """The scale and seed an earlier run used, read back from its audit event."""

    scale: str
    seed: int

    @property
    def credentials(self) -> list[DemoCredential]:
        return demo_credentials(self.seed)


def scale_named(name: str) -> Scale:
    """The scale called ``name`` ("national" or "small")."""
    try:
        return SCALES[name]
    except KeyError:
        raise InvalidInput.single("scale", "Unknown demo scale {value}; use national or small",
                                  {"value": name}) from None


def refuse_in_production(settings: Settings) -> None:
    """Demo passwords follow from the seed, so demo accounts must never exist in production."""
    if settings.environment is Environment.PRODUCTION:
        raise PermissionDenied("Demo data is never seeded in production (MIDAS_ENVIRONMENT=production)")


def count_organizations(session: Session) -> int:
    """How many organizations the database holds, active or not."""
    return session.scalar(select(func.count()).select_from(Organization)) or 0


def recorded_seed(session: Session) -> RecordedSeed | None:
    """The scale and seed of the newest demo seeding in this database, if it was seeded by the demo."""
    details = session.scalar(
        select(AuditEvent.details).where(AuditEvent.action == SEED_ACTION).order_by(AuditEvent.id.desc()).limit(1)
    )
    if not details or not isinstance(details.get("seed"), int):
        return None
    return RecordedSeed(scale=str(details.get("scale", "")), seed=details["seed"])


def seed_demo(
    target: Engine | Connection | Session,
    *,
    scale: Scale | str = "small",
    seed: int = 2027,
    reset: bool = False,
    progress: LoadProgress | None = None,
    settings: Settings | None = None,
) -> DemoSummary:
    """Generate the demo country for ``seed`` and load it, with one audit event ``demo.seed``.

    With an Engine the work runs in its own transaction and is committed. With a Session or a Connection it
    runs inside the caller's transaction and the caller commits, so a test can roll it back. A database
    that has organizations already is refused unless ``reset`` is true: then every table of the platform is
    emptied first.
    """
    refuse_in_production(settings or get_settings())
    chosen = scale_named(scale) if isinstance(scale, str) else scale
    with _session_for(target) as session:
        return _seed(session, chosen, seed, reset=reset, progress=progress or _Silent())


@contextmanager
def _session_for(target: Engine | Connection | Session) -> Iterator[Session]:
    if isinstance(target, Session):
        yield target
    elif isinstance(target, Engine):
        with transaction(make_session_factory(target)) as session:
            yield session
    else:
        # A connection without a transaction gets one of its own, committed here; otherwise the caller's.
        outer: AbstractContextManager[object] = nullcontext() if target.in_transaction() else target.begin()
        with outer, Session(bind=target, expire_on_commit=False) as session:
            yield session
            session.flush()


def _seed(session: Session, scale: Scale, seed: int, *, reset: bool, progress: LoadProgress) -> DemoSummary:
    existing = count_organizations(session)
    if existing and not reset:
        raise Conflict("The database holds {count} organizations already; seed with --reset to replace them",
                       {"count": existing})
    if reset:
        empty_platform_tables(session)
    progress.begin(LoadStep.GENERATE, scale.organizations)
    country = generate_country(scale, seed, progress=lambda n: progress.advance(LoadStep.GENERATE, n))
    organization_ids = _insert_organizations(session.connection(), country, progress)
    _insert_rows(session.connection(), _table(Factory), LoadStep.FACTORIES, progress,
                 [row.column_values(organization_ids[row.organization_index]) for row in country.factories])
    _insert_rows(session.connection(), _table(Contact), LoadStep.CONTACTS, progress,
                 [row.column_values(organization_ids[row.organization_index]) for row in country.contacts])
    users = _create_users(session, country, organization_ids, progress)
    assessment = _load_assessment(session, country, organization_ids, users, scale, seed, progress)
    support = _load_support(session, country, organization_ids, users, scale, seed, progress)
    production = _load_production(session, users, scale, seed, progress)
    summary = DemoSummary(scale=scale.name, seed=seed, organizations=len(country.organizations),
                          factories=len(country.factories), contacts=len(country.contacts),
                          users=len(country.users), credentials=tuple(u.credential for u in country.users),
                          experts=assessment.experts, assessments=assessment.assessments,
                          sheets=assessment.sheets, applications=support.applications, projects=support.projects,
                          production_factories=production.factories, production_records=production.records,
                          measured_projects=production.outcomes)
    record(session, actor=SYSTEM, action=SEED_ACTION, object_type="demo", object_id=scale.name,
           details={"scale": scale.name, "seed": seed, "organizations": summary.organizations,
                    "factories": summary.factories, "contacts": summary.contacts, "users": summary.users,
                    "experts": summary.experts, "assessments": summary.assessments, "sheets": summary.sheets,
                    "applications": summary.applications, "projects": summary.projects,
                    "production_records": summary.production_records})
    session.flush()
    _analyze(session)
    return summary


def empty_platform_tables(session: Session) -> None:
    """Delete every row of every platform table, children before parents (the demo's --reset)."""
    load_all_models()
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start:start + BATCH_SIZE]


def _with_timestamps(rows: list[dict[str, Any]], *, updated: bool) -> list[dict[str, Any]]:
    # One timestamp for the whole load instead of a default called per row.
    now = utc_now()
    stamps = {"created_at": now, "is_active": True, **({"updated_at": now} if updated else {})}
    for row in rows:
        row.update(stamps)
    return rows


def _insert_organizations(connection: Connection, country: DemoCountry, progress: LoadProgress) -> list[int]:
    """Insert the organizations; their new ids, in the order of ``country.organizations``."""
    table = _table(Organization)
    rows = _with_timestamps([row.column_values() for row in country.organizations], updated=True)
    progress.begin(LoadStep.ORGANIZATIONS, len(rows))
    for batch in _batches(rows):
        connection.execute(insert(table), batch)
        progress.advance(LoadStep.ORGANIZATIONS, len(batch))
    # Reading the ids back by BRN is 2-3 times faster than INSERT ... RETURNING in sorted batches.
    ids_by_brn: dict[str, int] = dict(connection.execute(select(table.c.brn, table.c.id)).all())
    return [ids_by_brn[row.brn] for row in country.organizations]


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert_rows(connection: Connection, table: Table, step: LoadStep, progress: LoadProgress,
                 rows: list[dict[str, Any]]) -> None:
    rows = _with_timestamps(rows, updated="updated_at" in table.c)
    progress.begin(step, len(rows))
    for batch in _batches(rows):
        connection.execute(insert(table), batch)
        progress.advance(step, len(batch))


def _create_users(session: Session, country: DemoCountry, organization_ids: Sequence[int],
                  progress: LoadProgress) -> list[User]:
    progress.begin(LoadStep.USERS, len(country.users))
    users = []
    for row in country.users:
        organization_id = organization_ids[row.organization_index] if row.organization_index is not None else None
        users.append(create_user(session, actor=SYSTEM, email=row.credential.email, display_name=row.display_name,
                                 password=row.credential.password, role=row.credential.role,
                                 organization_id=organization_id))
        progress.advance(LoadStep.USERS, 1)
    return users


def _load_assessment(session: Session, country: DemoCountry, organization_ids: Sequence[int], users: Sequence[User],
                     scale: Scale, seed: int, progress: LoadProgress) -> AssessmentDemoSummary:
    """The expert pool, its conflicts, the closed round 2025-1 with its sheets and the open round 2026-1."""
    size = assessment_scale_for(scale)
    progress.begin(LoadStep.EXPERTS, size.experts)
    progress.begin(LoadStep.ASSESSMENTS, size.closed_assessments + size.open_assessments)
    session.flush()
    return load_assessment_demo(session, country, organization_ids, size, seed,
                                user_ids={user.email: user.id for user in users},
                                advance=lambda step, count: progress.advance(LoadStep(step), count))


def _load_support(session: Session, country: DemoCountry, organization_ids: Sequence[int], users: Sequence[User],
                  scale: Scale, seed: int, progress: LoadProgress) -> SupportDemoSummary:
    """Support programs 2023-2026: rounds, applications, selection runs, decisions, appeals and projects."""
    progress.begin(LoadStep.SUPPORT, SUPPORT_STEPS)
    return load_support_demo(session, country, organization_ids, support_scale_for(scale), seed,
                             user_ids={user.email: user.id for user in users},
                             advance=lambda count: progress.advance(LoadStep.SUPPORT, count))


def _load_production(session: Session, users: Sequence[User], scale: Scale, seed: int,
                     progress: LoadProgress) -> ProductionDemoSummary:
    """Production records of supported companies and peers, the KPI aggregates and the projects' outcomes."""
    session.flush()
    members = [user.organization_id for user in users
               if user.organization_id is not None and user.email.startswith("member")]
    return load_production_demo(session, production_scale_for(scale), seed,
                                today=datetime.now(UTC).astimezone(SEOUL).date(), always=members,
                                on_total=lambda total: progress.begin(LoadStep.PRODUCTION, total),
                                advance=lambda count: progress.advance(LoadStep.PRODUCTION, count))


def _analyze(session: Session) -> None:
    """Fresh planner statistics, so that searches on the new rows use the indexes."""
    for table in ANALYZED_TABLES:
        session.execute(text(f"ANALYZE {table}"))

