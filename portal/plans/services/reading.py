"""The reading of a plan: which articles of its pinned content version the patient gets, and what they did with them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.core.clock import utcnow
from portal.models import Article, CarePlan, ContentTemplate, PlanReading, ReadingResponse, User
from portal.plans.services.builder import Change, record_change


def plan_template(session: Session, plan: CarePlan) -> ContentTemplate | None:
    return content.template_version(session, plan.template_key, plan.template_version)


def readings(session: Session, plan_id: int) -> list[tuple[PlanReading, Article]]:
    query = (
        select(PlanReading, Article)
        .join(Article, col(Article.id) == PlanReading.article_id)
        .where(PlanReading.plan_id == plan_id)
        .order_by(Article.position, Article.slug)
    )
    return [(reading, article) for reading, article in session.exec(query).all()]


def set_readings(session: Session, plan: CarePlan, actor: User, article_ids: set[int]) -> None:
    """The chosen articles of the plan's version become its reading; answers to kept ones stay."""
    template = plan_template(session, plan)
    allowed = {a.id for a in content.articles_of(session, template.id or 0)} if template else set()
    chosen = article_ids & allowed
    current = {reading.article_id: reading for reading, _a in readings(session, plan.id or 0)}
    for article_id, reading in current.items():
        if article_id not in chosen:
            session.delete(reading)
    for article_id in chosen - current.keys():
        session.add(PlanReading(plan_id=plan.id, article_id=article_id))
    record_change(session, plan, actor, Change.READING_CHANGED, f"{len(chosen)}")
    session.flush()


def move_to_version(session: Session, plan: CarePlan, actor: User, new: ContentTemplate) -> None:
    """Pin a newer version: reading follows by slug (answers kept), removed articles go, added ones are not chosen."""
    new_articles = {a.slug: a for a in content.articles_of(session, new.id or 0)}
    for reading, article in readings(session, plan.id or 0):
        replacement = new_articles.get(article.slug)
        if replacement is None:
            session.delete(reading)
        else:
            changed = replacement.content_hash != article.content_hash
            reading.article_id = replacement.id or 0
            if changed:
                reading.read_at = reading.response = reading.responded_at = None
            session.add(reading)
    plan.template_version = new.version
    record_change(session, plan, actor, Change.VERSION_MOVED, str(new.version))
    session.flush()


def views(session: Session, plan: CarePlan, language: str) -> list[tuple[content.ArticleView, PlanReading]]:
    """The plan's articles in the reader's language, each with what the patient did with it."""
    return [(content.article_view(article, language), reading) for reading, article in readings(session, plan.id or 0)]


def find(session: Session, plan: CarePlan, article_id: int, language: str
         ) -> tuple[content.ArticleView, PlanReading] | None:
    """One article of the plan's reading (None if it is not the plan's)."""
    return next(((view, reading) for view, reading in views(session, plan, language) if view.id == article_id), None)


def mark_opened(session: Session, reading: PlanReading) -> None:
    """Opening an article counts as reading it (the first time is kept)."""
    if reading.read_at is None:
        reading.read_at = utcnow()
        session.add(reading)


def mark_understood(session: Session, reading: PlanReading) -> None:
    """'I have read and understand': kept with the time, and the article counts as read."""
    reading.response = ReadingResponse.UNDERSTOOD
    reading.responded_at = utcnow()
    reading.read_at = reading.read_at or reading.responded_at
    session.add(reading)


def self_care(session: Session, plan: CarePlan, language: str) -> list[str]:
    """The self-care advice of the plan's content version."""
    template = plan_template(session, plan)
    return content.template_data(template, language)["self_care"] if template else []


def version_choice(session: Session, plan: CarePlan) -> tuple[ContentTemplate | None, ContentTemplate | None]:
    """The plan's pinned version and a newer published one to move to (None if there is none)."""
    current = plan_template(session, plan)
    newest = content.latest_published(session, plan.template_key)
    return current, newest if newest and current and newest.version > current.version else None


def version_titles(session: Session, templates: tuple[ContentTemplate | None, ...], language: str) -> dict[str, str]:
    """Article titles by slug across versions, for naming what a move adds, removes or changes."""
    titles: dict[str, str] = {}
    for template in templates:
        if template is not None:
            for article in content.articles_of(session, template.id or 0):
                titles[article.slug] = content.article_view(article, language).title
    return titles
