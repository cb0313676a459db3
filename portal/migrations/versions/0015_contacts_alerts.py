"""patient contact details and alert actions (issue 13): the patient's phone moves from their account to the patient
(with the interpreter language they need), and each handled alert records what was done (contacted, referred, no
action needed)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

PHONE_TO_PATIENT = """
UPDATE patient SET phone = (SELECT user_account.contact_phone FROM user_account WHERE user_account.id = patient.user_id)
WHERE user_id IS NOT NULL
"""
PHONE_TO_ACCOUNT = """
UPDATE user_account SET contact_phone = (SELECT patient.phone FROM patient WHERE patient.user_id = user_account.id)
WHERE id IN (SELECT user_id FROM patient WHERE user_id IS NOT NULL)
"""
# Alerts handled before actions were recorded: those that added a plan item were referrals.
REFERRED = "UPDATE alert SET action = 'referred' WHERE status = 'handled' AND plan_item_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('interpreter_language', sa.String(length=10), nullable=True))
    op.execute(PHONE_TO_PATIENT)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('contact_phone')

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.String(length=20), nullable=False, server_default=''))
    op.execute(REFERRED)


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_column('action')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
    op.execute(PHONE_TO_ACCOUNT)
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('interpreter_language')
        batch_op.drop_column('phone')
