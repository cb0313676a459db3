"""The reading of a plan: which articles of its pinned content version the patient gets, and what they did with them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.core.clock import utcnow
from portal.core.local_text import SWEDISH, LocalText
from portal.models import Article, CarePlan, ContentTemplate, Patient, PlanReading, ReadingResponse, User
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


def views(session: Session, plan: CarePlan, language: str, easy_read: bool = False
          ) -> list[tuple[content.ArticleView, PlanReading]]:
    """The plan's articles in the reader's language (Swedish where an article has none in it), each with what the
    patient did with it. With lättläst chosen, an article's easy-to-read version replaces its ordinary Swedish, and
    those articles come first: the others stay, since the care team chose them too."""
    found = [(content.article_view(article, language, easy_read), reading)
             for reading, article in readings(session, plan.id or 0)]
    return sorted(found, key=lambda pair: not pair[0].easy_read) if easy_read else found


def by_phase(session: Session, plan: CarePlan, language: str) -> dict[str, list[content.ArticleView]]:
    """The plan's articles by phase in care order (investigation, treatment, rehabilitation, follow-up), not by slug:
    slugs start with the phase's Swedish word, so sorting by slug would put investigation last."""
    grouped = content.articles_by_phase([view for view, _reading in views(session, plan, language)])
    return {phase: articles for phase, articles in grouped.items() if articles}


def find(session: Session, plan: CarePlan, article_id: int, language: str, easy_read: bool = False,
         asked: str | None = None) -> tuple[content.ArticleView, PlanReading] | None:
    """One article of the plan's reading (None if it is not the plan's), in the version `asked` for if it has it
    ("Visa på svenska"), else as `views` chooses."""
    for reading, article in readings(session, plan.id or 0):
        if article.id == article_id:
            return content.article_view(article, language, easy_read, asked), reading
    return None


def usual_variant(view: content.ArticleView, language: str, easy_read: bool) -> str:
    """The version this reader gets without asking for one: what "Visa på svenska" switches away from and back to."""
    return content.choose_variant(view.variants, language, easy_read)


def set_easy_read(session: Session, patient: Patient, on: bool) -> None:
    """The patient's choice of lättläst, kept until they change it."""
    patient.easy_read = on
    session.add(patient)


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
    return self_care_of(plan_template(session, plan), language)


def self_care_of(template: ContentTemplate | None, language: str) -> list[str]:
    """The self-care advice of a content version the caller has read already."""
    return content.template_data(template, language)["self_care"] if template else []


def illness_text(session: Session, plan: CarePlan, language: str) -> LocalText:
    """The illness in plain words for the start page: while the care team has left it as the national text came (in
    any language), the national text in the reader's language; text the care team wrote is Swedish (it is stored
    without its language)."""
    template = plan_template(session, plan)
    stored = plan.diagnosis_summary.strip()
    if template is not None:
        national = {lang: content.template_data(template, lang)["about"] for lang in content.TEXT_LANGUAGES}
        if any(stored == text.strip() for text in national.values()):
            return national[language] if language in national else national[SWEDISH]
    return LocalText(plan.diagnosis_summary, SWEDISH)


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
