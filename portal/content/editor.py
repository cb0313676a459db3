"""The content editors' pages: every diagnosis and its versions, a patient's-eye preview in Swedish or English,
publish (after a page that shows what changes since the published version) and retire (after a page that asks)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from markupsafe import Markup

from portal.content.services import store as content
from portal.content.services.changes import changes_since_published
from portal.content.services.pack import LANGUAGES
from portal.db import get_session
from portal.models import ContentTemplate, Role, TemplateStatus
from portal.web.guards import require_role
from portal.web.htmx import in_place
from portal.web.inputs import id_arg

bp = Blueprint("editor", __name__, url_prefix="/editor")
bp.before_request(require_role(Role.EDITOR, Role.ADMIN))

DONE = ("published", "retired")
ERRORS = ("not_draft", "not_published")


def _language(value: str | None) -> str:
    """The preview language asked for, or the editor's own language."""
    return value if value in LANGUAGES else str(get_locale())


def _version_or_404(key: str, version: int) -> ContentTemplate:
    found = content.template_version(get_session(), key, version)
    if found is None:
        abort(404)
    return found


def _as_patient_sees_it(template_name: str, language: str, **context: object) -> Markup:
    """The preview part of a page, rendered in the preview language (headings and phase names too)."""
    with force_locale(language):
        return Markup(render_template(template_name, language=language, **context))  # noqa: S704 - Jinja has autoescaped it


@bp.get("/")
def index() -> str:
    """Every diagnosis with its versions, newest first (status, dates, number of articles), 50 versions at a time:
    'Show more' (?after=<version id>) brings, under htmx, only the versions to add."""
    session = get_session()
    page = content.version_page(session, id_arg("after"))
    counts = content.article_counts(session, [template.id or 0 for template in page.rows])
    template = "content/partials/editor_more.html" if in_place() else "content/editor/index.html"
    return render_template(template, page=page, by_key=content.by_diagnosis(page.rows), counts=counts,
                           continued_key=page.start[0] if page.start else None)


@bp.get("/<key>/<int:version>")
def version(key: str, version: int) -> str:
    """One version as a patient would see it, with the button that publishes or retires it."""
    template = _version_or_404(key, version)
    language = _language(request.args.get("lang"))
    articles = [content.article_view(a, language) for a in content.articles_of(get_session(), template.id or 0)]
    data = content.template_data(template, language)
    preview = _as_patient_sees_it("content/partials/preview.html", language, template=template, data=data,
                                  groups=content.skeleton_by_phase(data["skeleton"]),
                                  by_phase=content.articles_by_phase(articles))
    done = request.args.get("done") if request.args.get("done") in DONE else None
    error = request.args.get("error") if request.args.get("error") in ERRORS else None
    return render_template("content/editor/version.html", template=template, language=language, preview=preview,
                           article_count=len(articles), done=done, error=error)


@bp.get("/<key>/<int:version>/articles/<slug>")
def article(key: str, version: int, slug: str) -> str:
    """One article of a version, exactly as a patient reads it."""
    template = _version_or_404(key, version)
    found = next((a for a in content.articles_of(get_session(), template.id or 0) if a.slug == slug), None)
    if found is None:
        abort(404)
    language = _language(request.args.get("lang"))
    view = content.article_view(found, language)
    preview = _as_patient_sees_it("content/partials/article_preview.html", language, article=view)
    return render_template("content/editor/article.html", template=template, article=view, language=language,
                           preview=preview)


def _back_to_version(template: ContentTemplate, changed: bool, done: str, error: str) -> Response:
    """303 to the version page, saying what happened (or why nothing did)."""
    result = {"done": done} if changed else {"error": error}
    target = url_for("content.editor.version", key=template.diagnosis_key, version=template.version,
                     lang=_language(request.form.get("lang")), **result)
    return redirect(target, code=303)


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


@bp.post("/<key>/<int:version>/publish")
def version_publish(key: str, version: int) -> Response | str:
    """A draft becomes published: new plans can start from it, and its text never changes again. Without the
    confirmation nothing changes: the page shows what changes for patients since the published version and asks."""
    template = _version_or_404(key, version)
    if not _confirmed() and template.status == TemplateStatus.DRAFT:
        language = _language(request.form.get("lang"))
        changes = changes_since_published(get_session(), template, language)
        return render_template("content/editor/publish.html", template=template, language=language, changes=changes)
    return _back_to_version(template, content.publish_version(get_session(), template), "published", "not_draft")


@bp.post("/<key>/<int:version>/retire")
def version_retire(key: str, version: int) -> Response | str:
    """A published version takes no new plans; plans made from it keep it. Without the confirmation nothing
    changes: the page says how many plans use it (and if no other version stays published) and asks."""
    template = _version_or_404(key, version)
    if not _confirmed() and template.status == TemplateStatus.PUBLISHED:
        using, other = content.retire_effects(get_session(), template)
        return render_template("content/editor/retire.html", template=template, using=using, other=other,
                               language=_language(request.form.get("lang")))
    changed = content.retire_version(get_session(), template)
    return _back_to_version(template, changed, "retired", "not_published")
