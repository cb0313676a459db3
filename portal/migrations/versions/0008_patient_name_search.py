"""find a patient by name with an index: pg_trgm GIN index on patient.name (a plain index on SQLite)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # PostgreSQL: trigrams, for ILIKE on word beginnings. SQLite skips the PostgreSQL options: a plain index.
    op.create_index('ix_patient_name_trgm', 'patient', ['name'], unique=False, postgresql_using='gin',
                    postgresql_ops={'name': 'gin_trgm_ops'})


def downgrade() -> None:
    op.drop_index('ix_patient_name_trgm', table_name='patient')
    # The pg_trgm extension stays: other database objects may use it, and it holds no data.
