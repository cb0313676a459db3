"""easy read (issue 16): the patient's choice of lättläst, easy-to-read Swedish, on the reading page (off by default),
and the language of each plan item's stored title and preparation (Swedish for the items there are)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('easy_read', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_language', sa.String(length=12), nullable=False, server_default='sv'))


def downgrade() -> None:
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_column('text_language')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('easy_read')
