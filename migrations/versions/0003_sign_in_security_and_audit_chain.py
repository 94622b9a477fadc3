"""sign-in security and audit chain

Lockout, TOTP and password-reset columns and tables; the agency's MFA-for-officers switch; the
audit hash chain. Rows already in audit_event keep row_hash NULL: the chain starts after them.
The ALTERs run in place (recreate="never"): SQLite would otherwise rebuild audit_event and lose its
append-only triggers, and rebuilding user_account or agency would trip the foreign keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:03:24.404221
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mfa_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mfa_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_recovery_code'))
    )
    with op.batch_alter_table('mfa_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mfa_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('password_reset_token',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('source_ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_reset_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_password_reset_token'))
    )
    with op.batch_alter_table('password_reset_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_token_user_id'), ['user_id'], unique=False)

    op.create_table('pending_login',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_ip', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pending_login_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_pending_login'))
    )
    with op.batch_alter_table('pending_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_login_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('agency', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('require_mfa_for_officers', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('audit_event', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_audit_event_action', ['action', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_agency_id', ['agency_id', 'id'], unique=False)

    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('failed_logins_since', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mfa_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mfa_enabled_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mfa_last_step', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('mfa_last_step')
        batch_op.drop_column('mfa_enabled_at')
        batch_op.drop_column('mfa_secret')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('locked_at')
        batch_op.drop_column('failed_logins_since')

    with op.batch_alter_table('audit_event', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_audit_event_agency_id')
        batch_op.drop_index('ix_audit_event_action')
        batch_op.drop_column('row_hash')

    with op.batch_alter_table('agency', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('require_mfa_for_officers')

    with op.batch_alter_table('pending_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_login_user_id'))

    op.drop_table('pending_login')
    with op.batch_alter_table('password_reset_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_token_user_id'))

    op.drop_table('password_reset_token')
    with op.batch_alter_table('mfa_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mfa_recovery_code_user_id'))

    op.drop_table('mfa_recovery_code')
