"""token scopes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 21:50:00.000000

Every API token gets the column ``scopes`` (space-separated scope names). Tokens issued before scopes existed
acted with every permission of their user's role; they get every scope that their user's role can grant, so
they keep working exactly as before. The table below is that mapping as it stands at this revision, written
out rather than imported: a migration must give the same result however the code changes later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# role -> the scopes that carry at least one of its permissions (midas.auth.enums.scopes_of_role at 0005).
SCOPES_OF_ROLE_AT_0005 = {
    'admin': 'assessment:write ingest:write program:manage read registry:write support:apply users:manage',
    'operator': 'program:manage read registry:write',
    'expert': 'assessment:write program:manage read',
    'company_member': 'assessment:write ingest:write read registry:write support:apply',
    'investigator': 'read',
    'auditor': 'read',
}


def _backfill_existing_tokens() -> None:
    """Give each existing token the scopes of its user's role: what it could do before, no more, no less."""
    api_token = sa.table('api_token', sa.column('user_id', sa.Integer()), sa.column('scopes', sa.String()))
    user_account = sa.table('user_account', sa.column('id', sa.Integer()), sa.column('role', sa.String()))
    role_of_owner = (sa.select(user_account.c.role).where(user_account.c.id == api_token.c.user_id)
                     .scalar_subquery())
    # A role unknown here (none exists at this revision) gets the least: reading.
    scopes = sa.case(SCOPES_OF_ROLE_AT_0005, value=role_of_owner, else_='read')
    op.execute(api_token.update().values(scopes=scopes))


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=200), nullable=True))
    _backfill_existing_tokens()
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.String(length=200), nullable=False)


def downgrade() -> None:
    # Without the column a token acts with every permission of its user's role again, as it did at 0004.
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('scopes')
