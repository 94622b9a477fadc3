"""compliance report exports too large to wait for: one job row each, written by a workflow

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('format', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('done_rows', sa.Integer(), nullable=False),
    sa.Column('object_key', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('workflow_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_report_export_agency_id_agency')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_report_export_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['person.id'], name=op.f('fk_report_export_supervisor_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_report_export_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_export')),
    sa.UniqueConstraint('object_key', name=op.f('uq_report_export_object_key')),
    sa.UniqueConstraint('workflow_id', name=op.f('uq_report_export_workflow_id'))
    )
    with op.batch_alter_table('report_export', schema=None) as batch_op:
        batch_op.create_index('ix_report_export_requester_created', ['requested_by_id', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_export', schema=None) as batch_op:
        batch_op.drop_index('ix_report_export_requester_created')

    op.drop_table('report_export')
