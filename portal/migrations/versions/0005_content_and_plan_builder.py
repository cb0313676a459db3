"""content and plan builder

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('diagnosis_key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('national_status', sa.String(length=20), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('diagnosis_key', 'version', name='uq_content_template_key_version')
    )
    with op.batch_alter_table('content_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_template_diagnosis_key'), ['diagnosis_key'], unique=False)

    op.create_table('article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['content_template.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('template_id', 'slug', name='uq_article_template_slug')
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_template_id'), ['template_id'], unique=False)

    op.create_table('plan_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_change_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response', sa.String(length=20), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'article_id', name='uq_plan_reading_plan_article')
    )
    with op.batch_alter_table('plan_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_reading_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_reading_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_note', sa.String(length=4000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('what_matters', sa.String(length=4000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('what_matters_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.drop_column('what_matters_at')
        batch_op.drop_column('what_matters')
        batch_op.drop_column('personal_note')

    with op.batch_alter_table('plan_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_reading_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_reading_article_id'))

    op.drop_table('plan_reading')
    with op.batch_alter_table('plan_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_change_plan_id'))

    op.drop_table('plan_change')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_template_id'))

    op.drop_table('article')
    with op.batch_alter_table('content_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_template_diagnosis_key'))

    op.drop_table('content_template')
