"""delegations and emergency access

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('relative_user_id', sa.Integer(), nullable=True),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('invite_name', sa.String(length=200), nullable=False),
    sa.Column('invite_email', sa.String(length=254), nullable=False),
    sa.Column('invite_token_hash', sa.String(length=64), nullable=True),
    sa.Column('invite_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['relative_user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invite_token_hash')
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_relative_user_id'), ['relative_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_status'), ['status'], unique=False)

    op.create_table('emergency_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.ForeignKeyConstraint(['staff_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emergency_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_access_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_access_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_access_staff_user_id'), ['staff_user_id'], unique=False)

    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_access_event_acting_for_delegation_id'), ['acting_for_delegation_id'],
                              unique=False)
        batch_op.create_foreign_key('fk_access_event_delegation', 'delegation', ['acting_for_delegation_id'], ['id'])

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_address', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.String(length=500), nullable=False, server_default=''))
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('payload')
        batch_op.drop_column('to_address')

    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_access_event_delegation', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_access_event_acting_for_delegation_id'))
        batch_op.drop_column('emergency')

    with op.batch_alter_table('emergency_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_access_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_emergency_access_plan_id'))
        batch_op.drop_index(batch_op.f('ix_emergency_access_patient_id'))

    op.drop_table('emergency_access')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_status'))
        batch_op.drop_index(batch_op.f('ix_delegation_relative_user_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_patient_id'))

    op.drop_table('delegation')
