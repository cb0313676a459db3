"""access log read by patient and time: index access_event (patient_id, at, id) for the grouped log (visits), its
date filters and keyset paging

The unit an event is logged under needs no new column (access_event.unit_id exists); issue 13 only changes which unit
is written there (plans.services.plans.staff_may_read_plan: the responsible unit first).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.create_index('ix_access_event_patient_id_at_id', ['patient_id', 'at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_index('ix_access_event_patient_id_at_id')
