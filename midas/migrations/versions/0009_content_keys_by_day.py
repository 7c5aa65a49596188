"""content keys begin with their record's day

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 04:30:00

The key ingestion gives an item sent without a message id was ``sha256:{digest}``; it is now
``sha256:{day}:{digest}`` with the day the record's period starts (``midas.ingest.service.idempotency_key``), so
that a day's records sit side by side in the (organization, key) index. The stored keys are rewritten, or content
sent again would no longer be known: a key is rewritten only when it is the digest of its own row (factory,
template and record), so a sender's message id that happens to look like one is left as it was. The downgrade
does the reverse, under the same test.

The digest is computed here as the service computed it when this revision was written, not imported from it.
Every row is read and its digest computed again: on 2 cores about 11,000 rewritten keys a second on PostgreSQL
(200,000 in 17.7 s; half of it PostgreSQL writing the new row versions and their index entries), so about 15
minutes for 10 million records with content keys. Records with message ids are only read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5_000
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OLD = re.compile(r"sha256:([0-9a-f]{64})")
_NEW = re.compile(r"sha256:(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|-):([0-9a-f]{64})")

records = sa.table(
    'production_record',
    sa.column('id', sa.BigInteger()),
    sa.column('factory_id', sa.Integer()),
    sa.column('template', sa.String()),
    sa.column('idempotency_key', sa.String()),
    sa.column('record', sa.JSON()),
)


def _digest(factory_id: int, template: str, record: Mapping[str, Any]) -> str:
    canonical = json.dumps({"factory_id": factory_id, "template": template, "record": record},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _day(record: Mapping[str, Any]) -> str:
    start = record.get("PeriodStart")
    if isinstance(start, str) and len(start) >= 10 and _ISO_DATE.match(start):
        return start[:10]
    return "-"


def _candidates(like: str) -> Iterator[Sequence[Any]]:
    """The rows whose key looks like a content key, a chunk at a time in id order."""
    connection = op.get_bind()
    last = 0
    while True:
        chunk = connection.execute(
            sa.select(records.c.id, records.c.factory_id, records.c.template, records.c.idempotency_key,
                      records.c.record)
            .where(records.c.id > last, records.c.idempotency_key.like(like))
            .order_by(records.c.id).limit(CHUNK)).all()
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


def _rewrite(like: str, rewritten: Callable[[Any], str | None]) -> None:
    for chunk in _candidates(like):
        changes = [(row.id, key) for row in chunk if (key := rewritten(row)) is not None]
        if changes:
            _set_keys(changes)


def _set_keys(changes: Sequence[tuple[int, str]]) -> None:
    """PostgreSQL: one UPDATE per chunk from two arrays (an UPDATE per row took 110 µs a row); SQLite: one per row."""
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        connection.execute(sa.text(
            "UPDATE production_record SET idempotency_key = changed.new_key "
            "FROM unnest(CAST(:ids AS BIGINT[]), CAST(:keys AS TEXT[])) AS changed(id, new_key) "
            "WHERE production_record.id = changed.id"),
            {"ids": [row_id for row_id, _ in changes], "keys": [key for _, key in changes]})
        return
    connection.execute(sa.update(records).where(records.c.id == sa.bindparam('row_id')).values(
        idempotency_key=sa.bindparam('new_key')), [{"row_id": row_id, "new_key": key} for row_id, key in changes])


def _with_day(row: Any) -> str | None:
    match = _OLD.fullmatch(row.idempotency_key)
    record = row.record if isinstance(row.record, Mapping) else {}
    if match is None or match.group(1) != _digest(row.factory_id, row.template, record):
        return None
    return f"sha256:{_day(record)}:{match.group(1)}"


def _without_day(row: Any) -> str | None:
    match = _NEW.fullmatch(row.idempotency_key)
    record = row.record if isinstance(row.record, Mapping) else {}
    if match is None or match.group(1) != _digest(row.factory_id, row.template, record) \
            or row.idempotency_key != f"sha256:{_day(record)}:{match.group(1)}":
        return None
    return f"sha256:{match.group(1)}"


def upgrade() -> None:
    _rewrite('sha256:%', _with_day)


def downgrade() -> None:
    _rewrite('sha256:%:%', _without_day)
