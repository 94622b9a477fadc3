"""in-app notifications as short summaries: a title and one sentence beside the mail's subject and text

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 10:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows written before this migration have neither; the list falls back to the mail's subject
    # and the first sentence of its text.
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('summary')
        batch_op.drop_column('title')
