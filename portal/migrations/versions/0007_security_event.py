"""security log: sign-in attempts (failed, succeeded, account slowed), keyed hashes only

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index('ix_security_event_account_key_occurred_at', ['account_key', 'occurred_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_occurred_at'), ['occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_event_occurred_at'))
        batch_op.drop_index('ix_security_event_account_key_occurred_at')

    op.drop_table('security_event')
