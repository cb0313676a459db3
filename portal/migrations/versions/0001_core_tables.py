"""core tables: organisations, people, care plans, access log

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('personal_id', sa.String(length=12), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('session_nonce', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('personal_id')
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_role'), ['role'], unique=False)

    op.create_table('care_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_provider_region_id'), ['region_id'], unique=False)

    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('personal_id'),
    sa.UniqueConstraint('user_id')
    )
    op.create_table('care_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('opening_hours', sa.String(length=200), nullable=False),
    sa.Column('reply_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['care_provider.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_unit_provider_id'), ['provider_id'], unique=False)

    op.create_table('access_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('acting_for_delegation_id', sa.Integer(), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('resource', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_event_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_patient_id'), ['patient_id'], unique=False)

    op.create_table('staff_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_member_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_member_user_id'), ['user_id'], unique=False)

    op.create_table('care_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('template_key', sa.String(length=60), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=True),
    sa.Column('diagnosis_summary', sa.String(length=4000), nullable=False),
    sa.Column('contact_nurse_id', sa.Integer(), nullable=True),
    sa.Column('responsible_doctor', sa.String(length=200), nullable=False),
    sa.Column('current_phase', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_nurse_id'], ['staff_member.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plan_contact_nurse_id'), ['contact_nurse_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_plan_patient_id'), ['patient_id'], unique=False)

    op.create_table('care_team_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_team_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_team_membership_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_team_membership_unit_id'), ['unit_id'], unique=False)

    op.create_table('plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.String(length=4000), nullable=False),
    sa.Column('preparation', sa.String(length=4000), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('date_precision', sa.String(length=10), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_item_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_item_starts_at'), ['starts_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_item_starts_at'))
        batch_op.drop_index(batch_op.f('ix_plan_item_plan_id'))

    op.drop_table('plan_item')
    with op.batch_alter_table('care_team_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_team_membership_unit_id'))
        batch_op.drop_index(batch_op.f('ix_care_team_membership_plan_id'))

    op.drop_table('care_team_membership')
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plan_patient_id'))
        batch_op.drop_index(batch_op.f('ix_care_plan_contact_nurse_id'))

    op.drop_table('care_plan')
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_member_unit_id'))

    op.drop_table('staff_member')
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_event_patient_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_at'))
        batch_op.drop_index(batch_op.f('ix_access_event_actor_user_id'))

    op.drop_table('access_event')
    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_unit_provider_id'))

    op.drop_table('care_unit')
    op.drop_table('patient')
    with op.batch_alter_table('care_provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_provider_region_id'))

    op.drop_table('care_provider')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_role'))

    op.drop_table('user_account')
    op.drop_table('region')
