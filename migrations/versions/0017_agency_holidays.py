"""agency holidays: closure days an agency adds to, and default holidays it removes from, its calendar

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 10:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agency_holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_agency_holiday_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_holiday')),
    sa.UniqueConstraint('agency_id', 'day', name=op.f('uq_agency_holiday_agency_id'))
    )
    with op.batch_alter_table('agency_holiday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_holiday_agency_id'), ['agency_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agency_holiday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_holiday_agency_id'))
    op.drop_table('agency_holiday')
