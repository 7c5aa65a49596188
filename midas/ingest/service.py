"""The one entry point of production data: :func:`accept` takes a delivery of items and gives a receipt.

HTTP, MQTT and file uploads are thin adapters that turn what they receive into items and call :func:`accept`. An
item is a JSON object::

    {"factory_id": 12, "template": "ProductionPerformance", "record": {...}, "message_id": "line-7/2026-11-26"}

- ``factory_id`` must be a factory of the sender's organization (an organization writes only its own data);
- ``template`` names a K-MDS template and ``record`` is its record, checked by all four layers
  (:func:`midas.standard.records.error_findings`: a certified fast path for the production records that make up
  most deliveries, the full :func:`~midas.standard.records.validate_record` for everything else and for every
  refusal's report);
- ``message_id`` (optional) is the sender's stable id of the item; without it the key is the SHA-256 of the
  factory, template and canonical record (after the record's day, :func:`idempotency_key`), so the same content
  sent twice counts once.

Acceptance is per item: the valid ones are stored, every other one becomes a dead letter with its full report,
visible to the organization, fixable and replayable. A key the organization has sent before is a duplicate: it is
counted in the receipt and stored nowhere: the unique (organization, key) index refuses it, and the rows then go
through ``INSERT ... ON CONFLICT DO NOTHING``, which skips every key already stored, including one a concurrent
delivery stored a moment earlier, so two deliveries racing never fail each other nor double-count. Stored records
also get their typed columns (:mod:`midas.ingest.facts`), and the listeners of :func:`on_records_stored` (the KPI
aggregates) run in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, TypeGuard

import psycopg
from sqlalchemy import UniqueConstraint, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from midas.audit import record
from midas.auth import Actor, Permission
from midas.db import json_text, utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.ingest.collector import collector_paused
from midas.ingest.enums import DeadLetterStatus, IngestSource
from midas.ingest.facts import FACT_COLUMNS, fact_values
from midas.ingest.models import DeadLetter, IngestBatch, ProductionRecord
from midas.paging import Page
from midas.registry import Factory, list_factories
from midas.standard.records import error_findings

MAX_ITEMS: Final = 100_000  # items in one delivery; a larger one is refused whole, before anything is stored
MAX_MESSAGE_ID: Final = 200
ITEM_KEYS: Final = frozenset({"factory_id", "template", "record", "message_id"})
DEAD_LETTERS_PAGE_SIZE: Final = 50
BATCHES_PAGE_SIZE: Final = 50
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


#: Called with the session and the batch id in the transaction that stored a delivery's records (when it stored
#: any), so that derived data (the KPI aggregates) is kept in step with the records, atomically.
StoredListener = Callable[[Session, int], None]
_STORED_LISTENERS: list[StoredListener] = []


def on_records_stored(listener: StoredListener) -> None:
    """Register ``listener`` to run whenever a delivery stores records (once, however often registered)."""
    if listener not in _STORED_LISTENERS:
        _STORED_LISTENERS.append(listener)


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """An item that became a dead letter: where it was in the delivery and every problem found."""

    position: str
    dead_letter_id: int
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of a delivery: counts, and each refused item with its dead letter."""

    batch_id: int
    accepted: int
    duplicates: int
    rejected: int
    refused: tuple[RefusedItem, ...]


class _Checked(NamedTuple):  # a tuple, not a frozen dataclass: made once per item, it is 2 µs faster
    position: str
    item: object  # as received: kept to write a dead letter's raw text, which valid items never need
    key: str | None
    factory_id: int | None
    template: str
    record: Mapping[str, Any] | None
    problems: tuple[Problem, ...]
    facts: tuple[Any, ...] = ()  # a valid record's typed columns, read while its values are at hand


@collector_paused()
def accept(session: Session, *, actor: Actor, items: Sequence[object], source: IngestSource = IngestSource.HTTP,
           label: str = "", positions: Sequence[str] | None = None) -> Receipt:
    """Store the valid items of one delivery for the actor's organization; dead-letter the others.

    ``positions`` names each item's place in what was received (a line of a file, a topic); by default "item N".
    Refused whole, with nothing stored: a sender without an organization or the permission, more than
    :data:`MAX_ITEMS` items.
    """
    organization_id = _sender_organization(actor)
    if len(items) > MAX_ITEMS:
        raise InvalidInput.single("items", "A delivery holds at most {limit} items; this one holds {count}",
                                  {"limit": MAX_ITEMS, "count": len(items)})
    places = list(positions) if positions is not None else [f"item {n + 1}" for n in range(len(items))]
    if len(places) != len(items):
        raise ValueError("one position per item")
    batch = IngestBatch(organization_id=organization_id, source=source, label=label[:255],
                        created_by_label=actor.label)
    session.add(batch)
    session.flush()
    factories = _own_factories(session, organization_id)
    checked = [_check(item, place, factories) for item, place in zip(items, places, strict=True)]
    valid = [c for c in checked if not c.problems]
    fresh, duplicates = _without_duplicates(valid)
    stored = _store(session, batch, organization_id, fresh)
    duplicates += len(fresh) - stored
    if stored:
        for listener in _STORED_LISTENERS:
            listener(session, batch.id)
    refused = _dead_letters(session, batch, organization_id, source, [c for c in checked if c.problems])
    batch.accepted, batch.duplicates, batch.rejected = stored, duplicates, len(refused)
    session.flush()
    record(session, actor=actor, action="ingest.batch", object_type="ingest_batch", object_id=batch.id,
           details={"source": source.value, "label": batch.label, "accepted": stored, "duplicates": duplicates,
                    "rejected": len(refused)})
    return Receipt(batch.id, stored, duplicates, len(refused), tuple(refused))


def idempotency_key(factory_id: int, template: str, record_data: Mapping[str, Any]) -> str:
    """The key of an item sent without a message id: ``sha256:{day}:{digest}``, the SHA-256 of its factory, template
    and canonical record after the day its record's period starts (``-`` without one).

    The day adds nothing to what the digest tells apart; it orders the keys. With it, a day's records sit side by
    side in the (organization, key) index, so appending a day of records changes about one index page per
    organization instead of one per record: a page changed for the first time after a checkpoint is written to
    the WAL whole, and 30,000 records spread over 25,000 pages of a 10 million record index."""
    canonical = json.dumps({"factory_id": factory_id, "template": template, "record": record_data},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"sha256:{key_day(record_data)}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def key_day(record_data: Mapping[str, Any]) -> str:
    """The date its record's period starts, as written in ``PeriodStart`` (``YYYY-MM-DD``), else ``-``."""
    start = record_data.get("PeriodStart")
    if isinstance(start, str) and len(start) >= 10 and _ISO_DATE.match(start):
        return start[:10]
    return "-"


def _sender_organization(actor: Actor) -> int:
    actor.require(Permission.INGEST_WRITE)  # a token without the ingest:write scope is told which scope it lacks
    if actor.organization_id is None:
        raise PermissionDenied("Only a member of an organization, or its API token, may send production data")
    return actor.organization_id


def _own_factories(session: Session, organization_id: int) -> frozenset[int]:
    return frozenset(session.scalars(select(Factory.id).where(Factory.organization_id == organization_id)))


def _check(item: object, position: str, factories: frozenset[int]) -> _Checked:
    """The item's problems (envelope, ownership, the record's four layers) and, when it has none, its key."""
    if not _is_mapping(item):
        return _Checked(position, item, None, None, "", None,
                        (Problem(position, "An item must be a JSON object with factory_id, template and record"),))
    problems = [] if item.keys() <= ITEM_KEYS else [
        Problem(f"{position}.{key}", "Unknown key {key}", {"key": str(key)[:64]})
        for key in sorted(str(k) for k in item if k not in ITEM_KEYS)]
    factory_id = item.get("factory_id")
    if not isinstance(factory_id, int) or isinstance(factory_id, bool):
        problems.append(Problem(f"{position}.factory_id", "Give the id of one of your factories as a number"))
        factory_id = None
    elif factory_id not in factories:
        problems.append(Problem(f"{position}.factory_id", "Factory {id} is not a factory of your organization",
                                {"id": factory_id}))
    template = item.get("template")
    record_data = item.get("record")
    message_id = item.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID):
        problems.append(Problem(f"{position}.message_id", "A message id is text of 1 to {max} characters",
                                {"max": MAX_MESSAGE_ID}))
    if not isinstance(template, str):
        problems.append(Problem(f"{position}.template", "Name the K-MDS template of the record"))
        template = ""
    elif findings := error_findings(template, record_data):
        problems += [Problem(f"{position}.record{finding.path if finding.path.startswith('/') else ''}",
                             finding.message, dict(finding.params))
                     for finding in findings]
    if problems or factory_id is None or not _is_mapping(record_data):
        return _Checked(position, item, None, factory_id, template,
                        record_data if _is_mapping(record_data) else None, tuple(problems))
    key = message_id if isinstance(message_id, str) else idempotency_key(factory_id, template, record_data)
    return _Checked(position, item, key, factory_id, template, record_data, (), fact_values(template, record_data))


def _is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    """isinstance(value, Mapping), answered at once for the dicts JSON makes (the ABC check is slower)."""
    return type(value) is dict or isinstance(value, Mapping)


def _raw(item: object) -> str:
    """The item as JSON text for its dead letter; with \\u escapes where a lone surrogate (which JSON can carry
    and UTF-8 cannot) would otherwise fail the insert."""
    try:
        text = json.dumps(item, ensure_ascii=False, default=str)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(item, default=str)
        return text[:1_000_000]
    except (TypeError, ValueError):
        return repr(item)[:1_000_000]


def _without_duplicates(valid: Sequence[_Checked]) -> tuple[list[_Checked], int]:
    """The valid items whose key is new to this delivery, and how many repeated a key of the delivery.

    Keys the organization stored before are not looked up here: storing skips them (:func:`_store`) and the
    difference between fresh and stored counts them, without a query of its own.
    """
    seen: set[str] = set()
    fresh: list[_Checked] = []
    for item in valid:
        if item.key is None or item.key in seen:
            continue
        seen.add(item.key)
        fresh.append(item)
    return fresh, len(valid) - len(fresh)


def _store(session: Session, batch: IngestBatch, organization_id: int, fresh: Sequence[_Checked]) -> int:
    """Insert the fresh items; a key stored meanwhile by a concurrent delivery is skipped. The number stored."""
    if not fresh:
        return 0
    now = utc_now()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _store_by_copy(session, [
            (organization_id, c.factory_id, batch.id, c.template, c.key, json_text(_plain(c.record)), now, *c.facts)
            for c in fresh])
    if dialect == "sqlite":
        rows = [dict(zip(STORED_COLUMNS, (organization_id, c.factory_id, batch.id, c.template, c.key,
                                          _plain(c.record), now, *c.facts),
                         strict=True)) for c in fresh]
        statement = sqlite.insert(ProductionRecord).on_conflict_do_nothing(
            index_elements=["organization_id", "idempotency_key"]).returning(ProductionRecord.id)
        return len(session.execute(statement, rows).all())
    raise NotImplementedError(f"ingestion supports SQLite and PostgreSQL, not {dialect}")


def _plain(record: Mapping[str, Any] | None) -> dict[str, Any]:
    """The record as the dict its JSON column takes (what json.loads made already, most of the time)."""
    return record if type(record) is dict else dict(record or {})


STORED_COLUMNS: Final = ("organization_id", "factory_id", "batch_id", "template", "idempotency_key", "record",
                         "received_at", *FACT_COLUMNS)
_COLUMN_LIST: Final = ", ".join(STORED_COLUMNS)
_STAGING: Final = "ingest_staging"


def _store_by_copy(session: Session, rows: Sequence[tuple[Any, ...]]) -> int:
    """PostgreSQL: COPY the rows (a multi-row INSERT of 31 columns spends most of its time building and parsing
    the statement; COPY streams the values). The number stored.

    Most deliveries are new data, so the rows are first copied straight into ``production_record``, in a
    savepoint. When one of the keys is stored already (a retry, a redelivery, a concurrent delivery of the same
    data that committed first), the unique index refuses that COPY whole; it is rolled back to the savepoint and
    the rows go through a staging table and ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``, which skips the keys
    stored before. Same transaction, same count either way; the direct COPY saves writing and reading the staging
    table, about a quarter of the time storing takes. A delivery that repeats keys pays for the refused COPY as
    well: little when the repeat comes first (a retry sends its records again from the first), up to twice the
    storing when only its last record was stored before."""
    if _copied_straight(session, rows):
        return len(rows)
    return _stored_through_staging(session, rows)


_KEY_CONSTRAINT: Final = next(
    str(constraint.name) for constraint in ProductionRecord.metadata.tables["production_record"].constraints
    if isinstance(constraint, UniqueConstraint) and [c.name for c in constraint.columns] == [
        "organization_id", "idempotency_key"])


def _copied_straight(session: Session, rows: Sequence[tuple[Any, ...]]) -> bool:
    """COPY the rows into production_record in a savepoint: True, or False (rolled back) when a key was stored
    before."""
    savepoint = session.begin_nested()
    try:
        _copy_rows(session, "production_record", rows)
    except psycopg.errors.UniqueViolation as error:
        if error.diag.constraint_name != _KEY_CONSTRAINT:
            raise
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _stored_through_staging(session: Session, rows: Sequence[tuple[Any, ...]]) -> int:
    session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ON COMMIT DELETE ROWS AS "
                         f"SELECT {_COLUMN_LIST} FROM production_record WITH NO DATA"))
    _copy_rows(session, _STAGING, rows)
    result = session.execute(text(
        f"INSERT INTO production_record ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM {_STAGING} "
        "ON CONFLICT (organization_id, idempotency_key) DO NOTHING"))
    session.execute(text(f"TRUNCATE {_STAGING}"))
    return max(0, int(getattr(result, "rowcount", 0) or 0))


def _copy_rows(session: Session, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """COPY in PostgreSQL's binary format: psycopg packs a float or a timestamp instead of writing its text, and
    PostgreSQL reads it without parsing; the client's time per row falls from about 10 to 6 µs."""
    driver = session.connection().connection.driver_connection
    if driver is None:
        raise RuntimeError("no PostgreSQL connection to copy into")
    with driver.cursor() as cursor:
        types = _copy_types(cursor)
        with cursor.copy(f"COPY {table} ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)


#: Column types whose binary form is their text, written as text: psycopg's own json dumper would encode the
#: (already encoded) record again, as a JSON string.
_WRITTEN_AS_TEXT: Final[dict[int, int]] = {
    int(psycopg.postgres.types[name].oid): int(psycopg.postgres.types["text"].oid) for name in ("varchar", "json")}


def _copy_types(cursor: psycopg.Cursor[Any]) -> list[int]:
    """The type of each stored column, as the table has it (the staging table is made like it)."""
    found: dict[str, int] = dict(cursor.execute(
        "SELECT attname::text, atttypid::int FROM pg_attribute "
        "WHERE attrelid = 'production_record'::regclass AND attnum > 0 AND NOT attisdropped").fetchall())
    return [_WRITTEN_AS_TEXT.get(found[name], found[name]) for name in STORED_COLUMNS]


def _dead_letters(session: Session, batch: IngestBatch, organization_id: int, source: IngestSource,
                  refused: Sequence[_Checked]) -> list[RefusedItem]:
    made: list[RefusedItem] = []
    for item in refused:
        letter = DeadLetter(organization_id=organization_id, batch_id=batch.id, source=source,
                            position=item.position[:200], idempotency_key=item.key, raw=_raw(item.item),
                            problems=[_problem_data(p) for p in item.problems])
        session.add(letter)
        made.append(RefusedItem(item.position, 0, item.problems))
    session.flush()
    letters = session.scalars(select(DeadLetter.id).where(DeadLetter.batch_id == batch.id)
                              .order_by(DeadLetter.id)).all()
    return [RefusedItem(r.position, letter_id, r.problems) for r, letter_id in zip(made, letters, strict=True)]


def _problem_data(problem: Problem) -> dict[str, Any]:
    return {"field": problem.field, "message": problem.message, "params": dict(problem.params)}


# Dead letters --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedDeadLetter:
    """A dead letter as its organization's list shows it: the newest copy of a refused record in its status, and
    the older copies (other deliveries that brought the same record: a retry, a redelivery), which it stands for."""

    letter: DeadLetter
    copies: tuple[int, ...] = ()


def list_dead_letters(session: Session, *, actor: Actor, status: DeadLetterStatus | None = DeadLetterStatus.OPEN,
                      page: int = 1, page_size: int = DEAD_LETTERS_PAGE_SIZE) -> Page[ListedDeadLetter]:
    """The organization's refused records, newest first, a page at a time: each record once, however many
    deliveries brought it (its copies in the same status are listed with it)."""
    organization_id = _sender_organization(actor)
    newest = select(func.max(DeadLetter.id).label("id")).where(DeadLetter.organization_id == organization_id)
    if status is not None:
        newest = newest.where(DeadLetter.status == status)
    groups = newest.group_by(DeadLetter.content_digest, DeadLetter.status).subquery()
    total = int(session.scalar(select(func.count()).select_from(groups)) or 0)
    page_size = max(1, min(page_size, 500))
    page = max(1, min(page, max(1, -(-total // page_size))))
    letters = session.scalars(select(DeadLetter).join(groups, DeadLetter.id == groups.c.id)
                              .order_by(DeadLetter.id.desc()).limit(page_size).offset((page - 1) * page_size)).all()
    copies = copies_of(session, letters)
    return Page([ListedDeadLetter(letter, copies.get(letter.id, ())) for letter in letters], total, page, page_size)


def copies_of(session: Session, letters: Sequence[DeadLetter]) -> dict[int, tuple[int, ...]]:
    """For each of ``letters``, the ids of the other dead letters of the same record, organization and status
    (oldest first); letters without copies are left out."""
    if not letters:
        return {}
    found: dict[tuple[int, str, DeadLetterStatus], list[int]] = {}
    organizations = sorted({letter.organization_id for letter in letters})
    digests = sorted({letter.content_digest for letter in letters})
    rows = session.execute(select(DeadLetter.id, DeadLetter.organization_id, DeadLetter.content_digest,
                                  DeadLetter.status)
                           .where(DeadLetter.organization_id.in_(organizations), DeadLetter.content_digest.in_(digests))
                           .order_by(DeadLetter.id))
    for letter_id, organization_id, digest, letter_status in rows:
        found.setdefault((organization_id, digest, letter_status), []).append(letter_id)
    copies = {}
    for letter in letters:
        same = found.get((letter.organization_id, letter.content_digest, letter.status), [])
        if len(same) > 1:
            copies[letter.id] = tuple(other for other in same if other != letter.id)
    return copies


def _open_copies(session: Session, letter: DeadLetter) -> Sequence[DeadLetter]:
    """The other open dead letters of the same refused record: closed with it."""
    return session.scalars(select(DeadLetter).where(
        DeadLetter.organization_id == letter.organization_id, DeadLetter.content_digest == letter.content_digest,
        DeadLetter.status == DeadLetterStatus.OPEN, DeadLetter.id != letter.id).order_by(DeadLetter.id)).all()


def _close(letters: Iterable[DeadLetter], status: DeadLetterStatus, actor: Actor,
           replayed_record_id: int | None = None) -> None:
    closed_at = utc_now()
    for letter in letters:
        letter.status = status
        letter.resolved_at = closed_at
        letter.resolved_by_label = actor.label
        letter.replayed_record_id = replayed_record_id


def _own_dead_letter(session: Session, actor: Actor, dead_letter_id: int) -> DeadLetter:
    organization_id = _sender_organization(actor)
    letter = session.get(DeadLetter, dead_letter_id)
    if letter is None or letter.organization_id != organization_id:
        raise NotFound("No dead letter {id}", {"id": dead_letter_id})
    if letter.status is not DeadLetterStatus.OPEN:
        raise Conflict("Dead letter {id} is {status} already", {"id": letter.id, "status": letter.status.value})
    return letter


def replay_dead_letter(session: Session, *, actor: Actor, dead_letter_id: int, item: object) -> Receipt:
    """Send a fixed version of a refused item. Accepted (or already stored): the letter and its open copies are
    closed as replayed; refused again: a new dead letter says why and this one stays open."""
    letter = _own_dead_letter(session, actor, dead_letter_id)
    receipt = accept(session, actor=actor, items=[item], source=IngestSource.REPLAY,
                     label=f"dead letter {letter.id}", positions=[letter.position])
    if receipt.rejected == 0:
        copies = _open_copies(session, letter)
        _close([letter, *copies], DeadLetterStatus.REPLAYED, actor, session.scalar(
            select(ProductionRecord.id).where(ProductionRecord.batch_id == receipt.batch_id)))
        session.flush()
        record(session, actor=actor, action="ingest.dead_letter.replayed", object_type="ingest_dead_letter",
               object_id=letter.id, details={"batch_id": receipt.batch_id, "duplicate": receipt.duplicates == 1,
                                             "copies": [copy.id for copy in copies]})
    return receipt


def discard_dead_letter(session: Session, *, actor: Actor, dead_letter_id: int, reason: str) -> DeadLetter:
    """Close a refused item that is not needed, and its open copies; the reason is kept in the audit log."""
    letter = _own_dead_letter(session, actor, dead_letter_id)
    text = reason.strip()
    if not text:
        raise InvalidInput.single("reason", "Say why the record is not needed")
    copies = _open_copies(session, letter)
    _close([letter, *copies], DeadLetterStatus.DISCARDED, actor)
    session.flush()
    record(session, actor=actor, action="ingest.dead_letter.discarded", object_type="ingest_dead_letter",
           object_id=letter.id, reason=text[:1000], details={"copies": [copy.id for copy in copies]})
    return letter


def count_records(session: Session, *, organization_id: int, template: str | None = None) -> int:
    """How many records an organization has stored (all templates, or one)."""
    query = select(func.count()).select_from(ProductionRecord).where(
        ProductionRecord.organization_id == organization_id)
    if template is not None:
        query = query.where(ProductionRecord.template == template)
    return int(session.scalar(query) or 0)


def problems_of(letter: DeadLetter) -> Iterable[Problem]:
    """A dead letter's stored problems as :class:`Problem` again (for display in either language)."""
    for data in letter.problems:
        yield Problem(str(data.get("field", "")), str(data.get("message", "")), dict(data.get("params") or {}))


# Reading deliveries and dead letters ----------------------------------------------------------------------------


def own_factories(session: Session, *, actor: Actor) -> Sequence[Factory]:
    """The factories the actor may send production data for: those of their organization."""
    return list_factories(session, actor=actor, organization_id=_sender_organization(actor))


def get_batch(session: Session, *, actor: Actor, batch_id: int) -> IngestBatch:
    """One delivery of the actor's organization; another organization's is not found."""
    organization_id = _sender_organization(actor)
    batch = session.get(IngestBatch, batch_id)
    if batch is None or batch.organization_id != organization_id:
        raise NotFound("No delivery {id}", {"id": batch_id})
    return batch


def batch_dead_letters(session: Session, *, actor: Actor, batch_id: int) -> list[ListedDeadLetter]:
    """The refused items of one of the organization's deliveries, in the order received, each with its copies
    from other deliveries."""
    batch = get_batch(session, actor=actor, batch_id=batch_id)
    letters = session.scalars(select(DeadLetter).where(DeadLetter.batch_id == batch.id).order_by(DeadLetter.id)).all()
    copies = copies_of(session, letters)
    return [ListedDeadLetter(letter, copies.get(letter.id, ())) for letter in letters]


def list_batches(session: Session, *, actor: Actor, page: int = 1,
                 page_size: int = BATCHES_PAGE_SIZE) -> Page[IngestBatch]:
    """The organization's deliveries, newest first, a page at a time."""
    organization_id = _sender_organization(actor)
    query = select(IngestBatch).where(IngestBatch.organization_id == organization_id)
    total = int(session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0)
    page_size = max(1, min(page_size, 500))
    page = max(1, min(page, max(1, -(-total // page_size))))
    rows = session.scalars(query.order_by(IngestBatch.id.desc()).limit(page_size).offset((page - 1) * page_size))
    return Page(list(rows), total, page, page_size)
