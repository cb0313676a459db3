"""National content: versions of a diagnosis's patient information, their articles, and the reading on a plan."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import utcnow


class TemplateStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ReadingResponse(StrEnum):
    UNDERSTOOD = "understood"
    QUESTION = "question"


class ContentTemplate(SQLModel, table=True):
    """One version of a diagnosis's content, as imported from the pack. Once published its text never changes."""

    __tablename__ = "content_template"
    __table_args__ = (UniqueConstraint("diagnosis_key", "version", name="uq_content_template_key_version"),)
    id: int | None = Field(default=None, primary_key=True)
    diagnosis_key: str = Field(max_length=60, index=True)
    version: int
    status: str = Field(default=TemplateStatus.DRAFT, max_length=20)
    content_hash: str = Field(max_length=64)
    demo: bool = Field(default=True)
    national_status: str = Field(default="published", max_length=20)
    # names, about, self-care and the timeline skeleton, per language, as JSON
    data: str = Field(sa_column=Column(Text, nullable=False))
    imported_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    retired_at: datetime | None = None


class Article(SQLModel, table=True):
    """One article of a content version; `data` holds title, summary, Markdown body and links per language."""

    __tablename__ = "article"
    __table_args__ = (UniqueConstraint("template_id", "slug", name="uq_article_template_slug"),)
    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="content_template.id", index=True)
    slug: str = Field(max_length=80)
    phase: str = Field(max_length=20)
    position: int = Field(default=0)
    content_hash: str = Field(max_length=64)
    data: str = Field(sa_column=Column(Text, nullable=False))


class PlanReading(SQLModel, table=True):
    """An article chosen for a plan, and what the patient did with it."""

    __tablename__ = "plan_reading"
    __table_args__ = (UniqueConstraint("plan_id", "article_id", name="uq_plan_reading_plan_article"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="care_plan.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    assigned_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    response: str | None = Field(default=None, max_length=20)
    responded_at: datetime | None = None
