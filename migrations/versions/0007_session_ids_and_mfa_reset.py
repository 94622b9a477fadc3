"""sessions get a surrogate id and the browser's user agent; accounts record an administrator's MFA reset

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:12:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    # Existing sessions are kept (nobody is signed out by the upgrade) and numbered as they are copied.
    if _is_postgresql():
        op.drop_constraint('pk_web_session', 'web_session', type_='primary')
        # SERIAL numbers the existing rows and makes the same sequence CREATE TABLE would.
        op.execute('ALTER TABLE web_session ADD COLUMN id SERIAL NOT NULL')
        op.create_primary_key('pk_web_session', 'web_session', ['id'])
        op.create_unique_constraint('uq_web_session_token_hash', 'web_session', ['token_hash'])
    else:
        # SQLite cannot change a primary key in place: the batch copies the table, and the copy's
        # INTEGER PRIMARY KEY (the rowid) numbers each row it receives.
        with op.batch_alter_table('web_session', schema=None, recreate='always') as batch_op:
            batch_op.add_column(sa.Column('id', sa.Integer(), nullable=False), insert_before='token_hash')
            batch_op.drop_constraint('pk_web_session', type_='primary')
            batch_op.create_primary_key('pk_web_session', ['id'])
            batch_op.create_unique_constraint('uq_web_session_token_hash', ['token_hash'])

    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_agent', sa.String(length=300), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_reset_at', models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy: dropping the old user_account table of a
    # copy would cascade-delete every row that refers to it (roles, sessions, recovery codes).
    op.drop_column('user_account', 'mfa_reset_at')
    op.drop_column('web_session', 'user_agent')

    if _is_postgresql():
        op.drop_constraint('uq_web_session_token_hash', 'web_session', type_='unique')
        op.drop_constraint('pk_web_session', 'web_session', type_='primary')
        op.drop_column('web_session', 'id')
        op.create_primary_key('pk_web_session', 'web_session', ['token_hash'])
    else:
        with op.batch_alter_table('web_session', schema=None, recreate='always') as batch_op:
            batch_op.drop_constraint('uq_web_session_token_hash', type_='unique')
            batch_op.drop_constraint('pk_web_session', type_='primary')
            batch_op.drop_column('id')
            batch_op.create_primary_key('pk_web_session', ['token_hash'])
