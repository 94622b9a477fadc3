"""roster imports from CSV: the staged file and its rows (classified new, update, unchanged or problem)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 14:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('roster_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_account_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('new_rows', sa.Integer(), nullable=False),
    sa.Column('update_rows', sa.Integer(), nullable=False),
    sa.Column('unchanged_rows', sa.Integer(), nullable=False),
    sa.Column('error_rows', sa.Integer(), nullable=False),
    sa.Column('applied_rows', sa.Integer(), nullable=False),
    sa.Column('workflow_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_roster_import_agency_id_agency')),
    sa.ForeignKeyConstraint(['uploaded_by_account_id'], ['user_account.id'], name=op.f('fk_roster_import_uploaded_by_account_id_user_account')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_roster_import_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import')),
    sa.UniqueConstraint('workflow_id', name=op.f('uq_roster_import_workflow_id'))
    )
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.create_index('ix_roster_import_agency_created', ['agency_id', 'created_at'], unique=False)

    op.create_table('roster_import_row',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('applied_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['roster_import.id'], name=op.f('fk_roster_import_row_import_id_roster_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_roster_import_row_person_id_person')),
    sa.PrimaryKeyConstraint('import_id', 'row_number', name=op.f('pk_roster_import_row'))
    )
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.create_index('ix_roster_import_row_kind', ['import_id', 'kind', 'applied_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_import_row_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_import_row_person_id'))
        batch_op.drop_index('ix_roster_import_row_kind')

    op.drop_table('roster_import_row')
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_index('ix_roster_import_agency_created')

    op.drop_table('roster_import')
