"""calendar and addresses (issue 14): each care unit's street address (for the item page's address and map link),
and the patient's private calendar feed, kept as a SHA-256 hash of its secret address and when it was made

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('postcode', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_token_created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_patient_calendar_token_hash', ['calendar_token_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_calendar_token_hash')
        batch_op.drop_column('calendar_token_created_at')
        batch_op.drop_column('calendar_token_hash')
    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.drop_column('city')
        batch_op.drop_column('postcode')
        batch_op.drop_column('street')
