"""the outbox also carries workflow Updates that must not be lost (a resubmitted training request)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 23:40:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # '' marks a workflow start; an Update's id otherwise. One start per workflow, one row per Update.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('update_id', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint('uq_outbox_message_workflow_id', type_='unique')
        batch_op.create_unique_constraint('uq_outbox_message_workflow_id', ['workflow_id', 'update_id'])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM outbox_message WHERE update_id != ''"))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_message_workflow_id', type_='unique')
        batch_op.create_unique_constraint('uq_outbox_message_workflow_id', ['workflow_id'])
        batch_op.drop_column('update_id')
