"""The index behind finding a patient by the beginning of a name word: trigrams (pg_trgm, GIN) on PostgreSQL, which
serve `name ILIKE 'ann%' OR name ILIKE '% ann%'`; SQLite ignores the PostgreSQL options and keeps a plain index.

It belongs to the patient table (migration 0008). Imported by portal.plans.services.builder, so SQLModel.metadata
holds it whenever the app is built (as Alembic and the migration test compare it)."""

from __future__ import annotations

from sqlalchemy import Index

from portal.models.people import Patient

PATIENT_NAME_SEARCH = Index("ix_patient_name_trgm", Patient.__table__.c.name,  # type: ignore[attr-defined]
                            postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})
