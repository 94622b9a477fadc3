"""agency proration method for officers appointed mid-cycle, where the rule pack leaves it to the agency

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 10:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proration_method', sa.String(length=20), server_default='none',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('proration_method')
