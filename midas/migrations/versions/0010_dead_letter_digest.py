"""dead letters know their copies

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:00:00

``ingest_dead_letter.content_digest``: the SHA-256 of a dead letter's idempotency key (empty when it had none),
a newline and its raw text (``midas.ingest.models.refusal_digest``), so that the copies of one refused record that
retries and redeliveries bring are listed once and closed together. Existing rows get their digest here, computed
as the model computed it when this revision was written, not imported from it; then the column becomes NOT NULL
and is indexed with the organization.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5_000

letters = sa.table(
    'ingest_dead_letter',
    sa.column('id', sa.BigInteger()),
    sa.column('idempotency_key', sa.String()),
    sa.column('raw', sa.Text()),
    sa.column('content_digest', sa.String()),
)


def _digest(idempotency_key: str | None, raw: str) -> str:
    return hashlib.sha256(f"{idempotency_key or ''}\n{raw}".encode()).hexdigest()


def _fill_digests() -> None:
    """Every existing row's digest, a chunk at a time in id order."""
    connection = op.get_bind()
    last = 0
    while True:
        chunk = connection.execute(
            sa.select(letters.c.id, letters.c.idempotency_key, letters.c.raw)
            .where(letters.c.id > last).order_by(letters.c.id).limit(CHUNK)).all()
        if not chunk:
            return
        connection.execute(
            letters.update().where(letters.c.id == sa.bindparam('letter_id'))
            .values(content_digest=sa.bindparam('digest')),
            [{'letter_id': row.id, 'digest': _digest(row.idempotency_key, row.raw)} for row in chunk])
        last = chunk[-1].id


def upgrade() -> None:
    with op.batch_alter_table('ingest_dead_letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_digest', sa.String(length=64), nullable=True))
    _fill_digests()
    with op.batch_alter_table('ingest_dead_letter', schema=None) as batch_op:
        batch_op.alter_column('content_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_ingest_dead_letter_organization_digest', ['organization_id', 'content_digest'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ingest_dead_letter', schema=None) as batch_op:
        batch_op.drop_index('ix_ingest_dead_letter_organization_digest')
        batch_op.drop_column('content_digest')
