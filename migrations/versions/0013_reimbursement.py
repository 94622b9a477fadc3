"""reimbursement: Minnesota POST reimbursement claims, their cost lines and part-time officers claimed elsewhere

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 13:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reimbursement_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_statement', sa.Text(), nullable=True),
    sa.Column('signed_digest', sa.String(length=64), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_reimbursement_claim_agency_id_agency')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['person.id'],
                            name=op.f('fk_reimbursement_claim_signed_by_id_person')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['person.id'],
                            name=op.f('fk_reimbursement_claim_submitted_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reimbursement_claim')),
    sa.UniqueConstraint('agency_id', 'fiscal_year', name=op.f('uq_reimbursement_claim_agency_id'))
    )
    op.create_table('reimbursement_cost_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('source_cost_id', sa.Integer(), nullable=True),
    sa.Column('gathered_cents', sa.Integer(), nullable=True),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['reimbursement_claim.id'],
                            name=op.f('fk_reimbursement_cost_line_claim_id_reimbursement_claim'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['training_request.id'],
                            name=op.f('fk_reimbursement_cost_line_request_id_training_request'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_cost_id'], ['training_request_cost.id'],
                            name=op.f('fk_reimbursement_cost_line_source_cost_id_training_request_cost'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reimbursement_cost_line')),
    sa.UniqueConstraint('claim_id', 'source_cost_id', name=op.f('uq_reimbursement_cost_line_claim_id'))
    )
    with op.batch_alter_table('reimbursement_cost_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reimbursement_cost_line_claim_id'), ['claim_id'], unique=False)

    op.create_table('reimbursement_exclusion',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['reimbursement_claim.id'],
                            name=op.f('fk_reimbursement_exclusion_claim_id_reimbursement_claim'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['person.id'],
                            name=op.f('fk_reimbursement_exclusion_marked_by_id_person')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_reimbursement_exclusion_person_id_person')),
    sa.PrimaryKeyConstraint('claim_id', 'person_id', name=op.f('pk_reimbursement_exclusion'))
    )


def downgrade() -> None:
    op.drop_table('reimbursement_exclusion')
    with op.batch_alter_table('reimbursement_cost_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reimbursement_cost_line_claim_id'))

    op.drop_table('reimbursement_cost_line')
    op.drop_table('reimbursement_claim')
