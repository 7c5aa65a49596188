"""The ingestion tables: batches (a receipt for each delivery), accepted production records (append-only, one per
idempotency key and organization) and dead letters (refused records with their full report, fixable and
replayable by the organization that sent them).

Accepted records are never updated or deleted by the platform: a correction is a new record. The unique
(organization, idempotency key) pair is what makes a retry or a redelivery count once.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from midas.db import ONLY_ON_DIALECTS, Base, UtcDateTime, enum_column, utc_now
from midas.ingest.enums import DeadLetterStatus, IngestSource


class IngestBatch(Base):
    """One delivery (an HTTP request, an uploaded file, a run of MQTT messages) and what came of it."""

    __tablename__ = "ingest_batch"
    __table_args__ = (
        Index("ix_ingest_batch_organization_received", "organization_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    source: Mapped[IngestSource] = mapped_column(enum_column(IngestSource))
    label: Mapped[str] = mapped_column(String(255), default="")  # a file name, a client, a topic
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    created_by_label: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


def _checked_per_statement_on_postgresql(key: ForeignKeyConstraint) -> ForeignKeyConstraint:
    """A foreign key of stored records that PostgreSQL checks with triggers instead (migration 0008).

    A foreign key runs a query for every inserted row; the triggers check a whole INSERT statement's rows at once,
    lock what they refer to as the key would, and refuse deleting or re-keying what records refer to: the same
    promises, for half the time it takes to store a day of the nation's records. SQLite checks a key with an index
    lookup and keeps it."""
    key.info[ONLY_ON_DIALECTS] = ("sqlite",)
    return key.ddl_if(dialect="sqlite")


class ProductionRecord(Base):
    """An accepted K-MDS record of one factory, stored as received (after validation), never changed."""

    __tablename__ = "production_record"
    __table_args__ = (
        UniqueConstraint("organization_id", "idempotency_key"),
        Index("ix_production_record_factory_template", "factory_id", "template"),
        # One check for two, and a stronger one: the factory must belong to the record's organization (which the
        # factory's own key to its organization makes exist).
        _checked_per_statement_on_postgresql(ForeignKeyConstraint(
            ["factory_id", "organization_id"], ["factory.id", "factory.organization_id"], ondelete="RESTRICT")),
        _checked_per_statement_on_postgresql(ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.id"], ondelete="RESTRICT")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer)
    factory_id: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
    template: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    # The typed columns (midas.ingest.facts): K-MDS values read out of ``record`` once, when it is stored, so SQL
    # sums them without parsing JSON. NULL for templates without them.
    work_unit: Mapped[str | None] = mapped_column(String(200))
    shift: Mapped[str | None] = mapped_column(String(100))
    day: Mapped[date | None] = mapped_column(Date)  # PeriodStart's date in the record's own offset
    period_start: Mapped[float | None] = mapped_column(Float)  # seconds since the epoch
    period_end: Mapped[float | None] = mapped_column(Float)
    pbt: Mapped[float | None] = mapped_column(Float)
    pri: Mapped[float | None] = mapped_column(Float)
    apt: Mapped[float | None] = mapped_column(Float)
    aust: Mapped[float | None] = mapped_column(Float)
    aupt: Mapped[float | None] = mapped_column(Float)
    adet: Mapped[float | None] = mapped_column(Float)
    aubt: Mapped[float | None] = mapped_column(Float)
    adot: Mapped[float | None] = mapped_column(Float)
    aoet: Mapped[float | None] = mapped_column(Float)
    aqt: Mapped[float | None] = mapped_column(Float)
    att: Mapped[float | None] = mapped_column(Float)
    apwt: Mapped[float | None] = mapped_column(Float)
    apat: Mapped[float | None] = mapped_column(Float)
    pq: Mapped[float | None] = mapped_column(Float)
    gq: Mapped[float | None] = mapped_column(Float)
    sq: Mapped[float | None] = mapped_column(Float)
    rq: Mapped[float | None] = mapped_column(Float)
    gp: Mapped[float | None] = mapped_column(Float)
    ip: Mapped[float | None] = mapped_column(Float)
    energy_kwh: Mapped[float | None] = mapped_column(Float)


def refusal_digest(idempotency_key: str | None, raw: str) -> str:
    """What makes two dead letters the same refused record: the key the item had (none for text that was not an
    item) and the text received. A sender's retry or a broker's redelivery brings the same digest again."""
    return hashlib.sha256(f"{idempotency_key or ''}\n{raw}".encode()).hexdigest()


class DeadLetter(Base):
    """A refused record: what was sent (as text, whatever it was), where in the delivery, and every problem.

    Each delivery that brings a refused record gets its own dead letter (its receipt and its delivery's page list
    it); copies of the same record share ``content_digest``, are listed once, and are closed together."""

    __tablename__ = "ingest_dead_letter"
    __table_args__ = (Index("ix_ingest_dead_letter_organization_status", "organization_id", "status"),
                      Index("ix_ingest_dead_letter_organization_digest", "organization_id", "content_digest"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batch.id", ondelete="RESTRICT"), index=True)
    source: Mapped[IngestSource] = mapped_column(enum_column(IngestSource))
    position: Mapped[str] = mapped_column(String(200))  # "item 3", "line 17", a topic and sequence number
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    raw: Mapped[str] = mapped_column(Text)
    #: :func:`refusal_digest` of the key and the text, kept by the mapper on every insert and update
    content_digest: Mapped[str] = mapped_column(String(64))
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[DeadLetterStatus] = mapped_column(enum_column(DeadLetterStatus), default=DeadLetterStatus.OPEN)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_label: Mapped[str | None] = mapped_column(String(200))
    replayed_record_id: Mapped[int | None] = mapped_column(ForeignKey("production_record.id", ondelete="SET NULL"))


@event.listens_for(DeadLetter, "before_insert")
@event.listens_for(DeadLetter, "before_update")
def _digest_what_was_received(_mapper: Mapper[DeadLetter], _connection: Connection, letter: DeadLetter) -> None:
    """The digest follows the text, whoever writes it: a converter replaces the text of what it could not read
    after the letter is first stored."""
    letter.content_digest = refusal_digest(letter.idempotency_key, letter.raw)
