"""e-ID sign-in and the sign-in log (issue 11): the security log names the account, the method and a short detail

Reserve numbers fit the 12 characters that personal_id already has (see portal/core/personal_id.py), so no column
is widened.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('method', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('detail', sa.String(length=40), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_security_event_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key('fk_security_event_user_id_user_account', 'user_account', ['user_id'], ['id'])
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.alter_column('method', server_default=None)
        batch_op.alter_column('detail', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_security_event_user_id_user_account', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_security_event_user_id'))
        batch_op.drop_column('detail')
        batch_op.drop_column('method')
        batch_op.drop_column('user_id')
