"""National content in the database: versions, publishing, articles in the reader's language, and what changed.

Nothing here commits: the request (or the import command) saves the work once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import bindparam, func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from portal.content.services.pack import EASY_READ, LANGUAGES, OPTIONAL_LANGUAGES, PHASES, DiagnosisPack
from portal.core import keyset
from portal.core.clock import utcnow
from portal.core.keyset import Key, Slice
from portal.core.local_text import SWEDISH, pick
from portal.models import Article, CarePlan, ContentTemplate, TemplateStatus

TEXT_LANGUAGES = LANGUAGES + OPTIONAL_LANGUAGES


@dataclass(frozen=True)
class ImportResult:
    key: str
    version: int
    created: bool


@dataclass(frozen=True)
class ArticleView:
    """An article in one language, ready for a template."""

    id: int
    slug: str
    phase: str
    title: str
    summary: str
    body: str
    links: list[dict[str, str]]
    variant: str = SWEDISH  # the version shown: a language (sv, en, ar, fi) or sv-lattlast
    variants: tuple[str, ...] = (SWEDISH,)  # every version the article has

    @property
    def html(self) -> Markup:
        return render_markdown(self.body)

    @property
    def lang(self) -> str:
        """The language of the text shown, for `lang` (lättläst is Swedish)."""
        return SWEDISH if self.variant == EASY_READ else self.variant

    @property
    def easy_read(self) -> bool:
        return self.variant == EASY_READ

    @property
    def has_easy_read(self) -> bool:
        return EASY_READ in self.variants


@dataclass(frozen=True)
class StepView:
    """A skeleton step shaped like a planned plan item, so the preview draws it with the timeline's item card."""

    title: str
    preparation: str
    week: int
    status: str = "planned"


@dataclass(frozen=True)
class PhaseView:
    """One phase of a version's skeleton, shaped like a phase of a plan's timeline."""

    phase: str
    entries: list[StepView]
    is_current: bool = False


@dataclass(frozen=True)
class VersionDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@cache
def _markdown() -> MarkdownIt:
    # CommonMark with raw HTML off: whatever an editor writes is shown as text, never run as markup.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # noqa: S704 - markdown-it escapes everything; raw HTML is off


def import_packs(session: Session, packs: list[DiagnosisPack], publish: bool = False) -> list[ImportResult]:
    """Store each diagnosis as a new version when its content hash is new; a stored version is never changed."""
    results = []
    for pack in packs:
        content_hash = pack.content_hash
        same = session.exec(
            select(ContentTemplate).where(
                ContentTemplate.diagnosis_key == pack.key, ContentTemplate.content_hash == content_hash
            )
        ).first()
        if same is not None:
            if publish and same.status == TemplateStatus.DRAFT:
                publish_version(session, same)
            results.append(ImportResult(pack.key, same.version, created=False))
            continue
        latest = session.exec(
            select(func.max(ContentTemplate.version)).where(ContentTemplate.diagnosis_key == pack.key)
        ).one()
        template = ContentTemplate(
            diagnosis_key=pack.key,
            version=(latest or 0) + 1,
            content_hash=content_hash,
            demo=pack.demo,
            national_status=pack.national_status,
            data=json.dumps(pack.data, ensure_ascii=False),
        )
        session.add(template)
        session.flush()
        for article in pack.articles:
            session.add(Article(template_id=template.id, slug=article.slug, phase=article.phase,
                                position=article.position, content_hash=article.content_hash,
                                data=json.dumps(article.data, ensure_ascii=False)))
        if publish:
            template.status = TemplateStatus.PUBLISHED
            template.published_at = utcnow()
        session.flush()
        results.append(ImportResult(pack.key, template.version, created=True))
    return results


def publish_version(session: Session, template: ContentTemplate) -> bool:
    """A draft becomes published; anything else stays as it is."""
    if template.status != TemplateStatus.DRAFT:
        return False
    template.status = TemplateStatus.PUBLISHED
    template.published_at = utcnow()
    session.add(template)
    return True


def retire_version(session: Session, template: ContentTemplate) -> bool:
    """A published version takes no new plans; plans made from it keep it."""
    if template.status != TemplateStatus.PUBLISHED:
        return False
    template.status = TemplateStatus.RETIRED
    template.retired_at = utcnow()
    session.add(template)
    return True


def retire_effects(session: Session, template: ContentTemplate) -> tuple[int, bool]:
    """How many care plans use this version (they keep it), and whether another version of the diagnosis stays
    published for new plans."""
    using = select(func.count()).select_from(CarePlan).where(CarePlan.template_key == template.diagnosis_key,
                                                             CarePlan.template_version == template.version)
    other = select(ContentTemplate.id).where(ContentTemplate.diagnosis_key == template.diagnosis_key,
                                             ContentTemplate.status == TemplateStatus.PUBLISHED,
                                             ContentTemplate.id != template.id).limit(1)
    return session.execute(using).scalar_one(), session.exec(other).first() is not None


def versions(session: Session) -> list[ContentTemplate]:
    query = select(ContentTemplate).order_by(ContentTemplate.diagnosis_key, col(ContentTemplate.version).desc())
    return list(session.exec(query).all())


VERSION_PAGE = 50
VERSION_ORDER = [Key(col(ContentTemplate.diagnosis_key)), Key(col(ContentTemplate.version), descending=True)]


def version_page(session: Session, after: int | None = None, size: int = VERSION_PAGE) -> Slice[ContentTemplate]:
    """`size` versions by diagnosis, newest first, after the version with id `after` (from the start if there is
    none); their content is left unread (the list shows status and dates)."""
    start = None
    if after is not None:
        found = session.execute(select(ContentTemplate.diagnosis_key, ContentTemplate.version)
                                .where(ContentTemplate.id == after)).first()
        start = tuple(found) if found is not None else None
    query = (select(ContentTemplate).options(defer(ContentTemplate.data))  # type: ignore[arg-type]
             .order_by(*keyset.order_by(VERSION_ORDER)).limit(size + 1))
    if start is not None:
        query = query.where(keyset.after(VERSION_ORDER, start))
    return keyset.cut(list(session.exec(query).all()), size, lambda template: template.id, start)


def by_diagnosis(templates: list[ContentTemplate]) -> dict[str, list[ContentTemplate]]:
    grouped: dict[str, list[ContentTemplate]] = {}
    for template in templates:
        grouped.setdefault(template.diagnosis_key, []).append(template)
    return grouped


TEMPLATE_VERSION = select(ContentTemplate).where(ContentTemplate.diagnosis_key == bindparam("key"),
                                                 ContentTemplate.version == bindparam("version"))


def template_version(session: Session, key: str, version: int | None) -> ContentTemplate | None:
    """One version of a diagnosis's content (a plan's pinned one: most patient pages ask; the query is built once)."""
    if version is None:
        return None
    return session.exec(TEMPLATE_VERSION, params={"key": key, "version": version}).first()


LATEST_PUBLISHED = (select(ContentTemplate)
                    .where(ContentTemplate.diagnosis_key == bindparam("key"),
                           ContentTemplate.status == TemplateStatus.PUBLISHED)
                    .order_by(col(ContentTemplate.version).desc()).limit(1))


def latest_published(session: Session, key: str) -> ContentTemplate | None:
    """The newest published version of a diagnosis's content (each messages page asks for the general texts)."""
    return session.exec(LATEST_PUBLISHED, params={"key": key}).first()


def published_diagnoses(session: Session) -> list[str]:
    """The diagnoses a new plan can start from."""
    query = select(ContentTemplate.diagnosis_key).where(ContentTemplate.status == TemplateStatus.PUBLISHED)
    return sorted(set(session.exec(query).all()))


def template_data(template: ContentTemplate, language: str) -> dict[str, Any]:
    """Names, about, self-care and skeleton in one language (Swedish when a text has none in it); each text is a
    LocalText that knows its language, so that a page marks Swedish text with `lang="sv"`."""
    return dict(_template_data(template.data, language))


@lru_cache(maxsize=256)
def _template_data(stored: str, language: str) -> dict[str, Any]:
    """Read once per process and language: a stored version's text never changes (import_packs), and the text
    itself is the key, so an answer is always that text's. Callers only read it (template_data copies the top)."""
    data = json.loads(stored)
    return {
        "name": pick(data["name"], language),
        "about": pick(data["about"], language),
        "self_care": [pick(advice, language) for advice in data["self_care"]],
        "skeleton": [
            {**step, "title": pick(step["title"], language),
             "preparation": pick(step["preparation"], language) if "preparation" in step else ""}
            for step in data["skeleton"]
        ],
    }


@dataclass(frozen=True)
class SafetyTexts:
    """When to call the unit, in one language: a text by phase, and by treatment the title words and its text."""

    phases: dict[str, str]
    treatments: dict[str, tuple[list[str], str]]


def safety_texts(templates: list[ContentTemplate | None], language: str) -> SafetyTexts:
    """The safety texts of these versions merged in order (later ones replace or add texts), in one language (Swedish
    where a text has none in it; each a LocalText that knows which)."""
    phases: dict[str, str] = {}
    treatments: dict[str, tuple[list[str], str]] = {}
    for template in templates:
        safety = json.loads(template.data).get("safety", {}) if template else {}
        for phase, text in safety.get("phases", {}).items():
            phases[phase] = pick(text, language)
        for key, treatment in safety.get("treatments", {}).items():
            treatments[key] = (treatment["words"], pick(treatment["text"], language))
    return SafetyTexts(phases, treatments)


def skeleton_by_phase(skeleton: list[dict[str, Any]]) -> list[PhaseView]:
    """Every phase in care order with its steps (from `template_data`), for a preview drawn like a timeline."""
    return [PhaseView(phase, [StepView(step["title"], step["preparation"], step["week"])
                              for step in skeleton if step["phase"] == phase])
            for phase in PHASES]


def choose_variant(variants: tuple[str, ...] | list[str], language: str, easy_read: bool = False,
                   asked: str | None = None) -> str:
    """Which version of an article a reader gets: the one asked for ("Visa på svenska"), else the reader's language,
    else Swedish; lättläst replaces ordinary Swedish for a reader who chose it."""
    if asked in variants:
        return str(asked)
    if language != SWEDISH and language in variants:
        return language
    return EASY_READ if easy_read and EASY_READ in variants else SWEDISH


def article_view(article: Article, language: str, easy_read: bool = False, asked: str | None = None) -> ArticleView:
    data = json.loads(article.data)
    variants = tuple(data)
    variant = choose_variant(variants, language, easy_read, asked)
    text = data[variant]
    return ArticleView(article.id or 0, article.slug, article.phase, text["title"], text["summary"], text["body"],
                       text["links"], variant, variants)


def article_counts(session: Session, template_ids: list[int]) -> dict[int, int]:
    """How many articles each of these versions has, by version id, in one query."""
    query = (select(Article.template_id, func.count()).where(col(Article.template_id).in_(template_ids))
             .group_by(Article.template_id))
    return dict(session.exec(query).all())


def articles_of(session: Session, template_id: int) -> list[Article]:
    query = select(Article).where(Article.template_id == template_id).order_by(Article.position, Article.slug)
    return list(session.exec(query).all())


def articles_by_phase(articles: list[ArticleView]) -> dict[str, list[ArticleView]]:
    grouped: dict[str, list[ArticleView]] = {phase: [] for phase in PHASES}
    for article in articles:
        grouped.setdefault(article.phase, []).append(article)
    return grouped


def diff_versions(session: Session, old: ContentTemplate, new: ContentTemplate) -> VersionDiff:
    """Which articles a move from one version to another adds, removes or changes (by slug and content hash)."""
    before = {article.slug: article.content_hash for article in articles_of(session, old.id or 0)}
    after = {article.slug: article.content_hash for article in articles_of(session, new.id or 0)}
    return VersionDiff(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=sorted(slug for slug in before.keys() & after.keys() if before[slug] != after[slug]),
    )
