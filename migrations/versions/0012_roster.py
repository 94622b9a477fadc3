"""roster: retired units, the agency's rank list and employment periods (one per spell of employment)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 12:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_on', sa.Date(), nullable=True))

    op.create_table('agency_rank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_agency_rank_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_rank')),
    sa.UniqueConstraint('agency_id', 'name', name=op.f('uq_agency_rank_agency_id'))
    )
    op.create_table('employment_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('part_time', sa.Boolean(), nullable=False),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_employment_period_agency_id_agency')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_employment_period_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_period'))
    )
    with op.batch_alter_table('employment_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employment_period_person_id'), ['person_id'], unique=False)

    _backfill()


def _backfill() -> None:
    """One period per person who has a start date, and the ranks people already hold."""
    # A person with neither a hire date nor a licence date has no known start: skip rather than invent one.
    op.execute(
        "INSERT INTO employment_period (agency_id, person_id, started_on, ended_on, part_time, end_reason) "
        "SELECT agency_id, id, COALESCE(hired_on, license_date), separated_on, part_time, "
        "CASE WHEN separated_on IS NULL THEN NULL ELSE 'Separated' END "
        "FROM person WHERE COALESCE(hired_on, license_date) IS NOT NULL"
    )
    # Ranks come in alphabetical order; the coordinator reorders them on the roster page.
    op.execute(
        "INSERT INTO agency_rank (agency_id, name, position) "
        "SELECT agency_id, rank, ROW_NUMBER() OVER (PARTITION BY agency_id ORDER BY rank) "
        "FROM (SELECT DISTINCT agency_id, rank FROM person) AS held"
    )


def downgrade() -> None:
    with op.batch_alter_table('employment_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employment_period_person_id'))

    op.drop_table('employment_period')
    op.drop_table('agency_rank')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('retired_on')
