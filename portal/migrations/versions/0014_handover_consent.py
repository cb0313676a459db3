"""handover and consent (issue 13): a handover the receiving unit accepts or declines, and the patient's consent that
another care provider may see the plan

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_nurse_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['from_unit_id'], ['care_unit.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.ForeignKeyConstraint(['to_nurse_id'], ['staff_member.id'], ),
    sa.ForeignKeyConstraint(['to_unit_id'], ['care_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_to_unit_id'), ['to_unit_id'], unique=False)

    op.create_table('provider_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['care_provider.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('provider_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_consent_patient_id'), ['patient_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_consent_patient_id'))
    op.drop_table('provider_consent')
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_to_unit_id'))
        batch_op.drop_index(batch_op.f('ix_handover_status'))
        batch_op.drop_index(batch_op.f('ix_handover_plan_id'))
    op.drop_table('handover')
