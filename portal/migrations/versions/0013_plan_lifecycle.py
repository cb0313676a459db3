"""plan lifecycle (issue 13): a plan is a draft until shared (care_plan.shared_at, shared_by), and plan_visit keeps
each reader's last visit to a plan's start page for "Nytt i din plan"; plans made before are shared since they were
made

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('shared_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_care_plan_shared_by', 'user_account', ['shared_by'], ['id'])
    op.execute("UPDATE care_plan SET shared_at = created_at WHERE shared_at IS NULL")

    op.create_table('plan_visit',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('previous_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('plan_id', 'user_id')
    )


def downgrade() -> None:
    op.drop_table('plan_visit')
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.drop_constraint('fk_care_plan_shared_by', type_='foreignkey')
        batch_op.drop_column('shared_by')
        batch_op.drop_column('shared_at')
