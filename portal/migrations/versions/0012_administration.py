"""administration of units and staff, patient registration (issue 11): each staff, editor and administrator account
belongs to one care provider (staff accounts get the provider of their first unit), one-time invitations to choose a
password, and a phone number for notices

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The provider of each staff account's first unit (every unit belongs to one provider).
FIRST_UNIT_PROVIDER = """
UPDATE user_account SET provider_id = (
    SELECT care_unit.provider_id FROM staff_member JOIN care_unit ON care_unit.id = staff_member.unit_id
    WHERE staff_member.user_id = user_account.id ORDER BY staff_member.id LIMIT 1)
WHERE role = 'staff' AND provider_id IS NULL
"""


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_account_provider_id'), ['provider_id'], unique=False)
        batch_op.create_foreign_key('fk_user_account_provider', 'care_provider', ['provider_id'], ['id'])
    op.execute(FIRST_UNIT_PROVIDER)

    op.create_table('account_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('account_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_invitation_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_invitation_user_id'))
    op.drop_table('account_invitation')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_account_provider', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_provider_id'))
        batch_op.drop_column('provider_id')
        batch_op.drop_column('contact_phone')
