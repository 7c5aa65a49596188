"""kpi month aggregates; the unit-day key by factory and day first; one key from a record to its factory

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 01:00:00

- ``kpi_factory_month``: the factory-day sums per calendar month (midas.kpi.models), filled here from
  ``kpi_factory_day``.
- ``kpi_unit_day``'s key becomes (factory, day, unit, shift) instead of (factory, unit, day, shift): a new day of a
  factory's units then lands on one leaf page of the key's index instead of one per unit.
- ``production_record``'s foreign keys to ``organization`` and to ``factory`` become one, (factory, organization)
  to ``factory``, which gains a unique index on (id, organization_id) to refer to: one check fewer per stored
  record, and the factory must now belong to the record's organization.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ELEMENTS = ("pbt", "apt", "aust", "aupt", "adet", "aubt", "adot", "aoet", "aqt", "att", "apwt", "apat",
            "pq", "gq", "sq", "rq", "gp", "ip", "pru_pq", "failures", "records")
NEW_KEY = ['factory_id', 'day', 'work_unit', 'shift']
OLD_KEY = ['factory_id', 'work_unit', 'day', 'shift']


def _set_unit_day_key(columns: list[str]) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"ALTER TABLE kpi_unit_day DROP CONSTRAINT pk_kpi_unit_day, "
                   f"ADD CONSTRAINT pk_kpi_unit_day PRIMARY KEY ({', '.join(columns)})")
        return
    with op.batch_alter_table('kpi_unit_day', recreate='always') as batch_op:
        batch_op.drop_constraint('pk_kpi_unit_day', type_='primary')
        batch_op.create_primary_key('pk_kpi_unit_day', columns)


def _month_of_day() -> str:
    if op.get_bind().dialect.name == 'postgresql':
        return "CAST(date_trunc('month', day) AS DATE)"
    return "date(day, 'start of month')"


def _record_keys_by_organization() -> None:
    # Unique indexes, not constraints: SQLite adds an index in place, but would copy the table for a constraint,
    # and cannot drop a table that others refer to.
    op.create_index('ix_factory_id_organization_id', 'factory', ['id', 'organization_id'], unique=True)
    with op.batch_alter_table('production_record', schema=None) as batch_op:
        batch_op.drop_constraint('fk_production_record_organization_id_organization', type_='foreignkey')
        batch_op.drop_constraint('fk_production_record_factory_id_factory', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_production_record_factory_id_factory'), 'factory',
                                    ['factory_id', 'organization_id'], ['id', 'organization_id'], ondelete='RESTRICT')


def _record_keys_one_by_one() -> None:
    with op.batch_alter_table('production_record', schema=None) as batch_op:
        batch_op.drop_constraint('fk_production_record_factory_id_factory', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_production_record_factory_id_factory'), 'factory',
                                    ['factory_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_production_record_organization_id_organization'),
                                    'organization', ['organization_id'], ['id'], ondelete='RESTRICT')
    op.drop_index('ix_factory_id_organization_id', table_name='factory')


def upgrade() -> None:
    _record_keys_by_organization()
    op.create_table(
        'kpi_factory_month',
        sa.Column('factory_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('energy_kwh', sa.Float(), nullable=True),
        *(sa.Column(name, sa.Float(), nullable=True) for name in ELEMENTS),
        sa.PrimaryKeyConstraint('factory_id', 'month', name=op.f('pk_kpi_factory_month')),
    )
    with op.batch_alter_table('kpi_factory_month', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_factory_month_month', ['month'], unique=False)
    sums = ", ".join(f"SUM({name})" for name in ("energy_kwh", *ELEMENTS))
    op.execute(f"INSERT INTO kpi_factory_month (factory_id, organization_id, month, energy_kwh, "
               f"{', '.join(ELEMENTS)}) SELECT factory_id, MIN(organization_id), {_month_of_day()}, {sums} "
               f"FROM kpi_factory_day GROUP BY factory_id, {_month_of_day()}")
    _set_unit_day_key(NEW_KEY)


def downgrade() -> None:
    _set_unit_day_key(OLD_KEY)
    with op.batch_alter_table('kpi_factory_month', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_factory_month_month')
    op.drop_table('kpi_factory_month')
    _record_keys_one_by_one()
