"""The patient's own parts of the plan: reading, own items, what matters to me, and the paper plan."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.db import get_session
from portal.i18n import local_date, local_now
from portal.item_form import item_errors
from portal.layout import current_patient_plan
from portal.models import CarePlan, ItemKind, ItemSource, ItemStatus, Patient, PlanItem, ReadingResponse
from portal.models.base import utcnow
from portal.patient import bp
from portal.services import content, plans
from portal.services import plan_builder as builder
from portal.services.access_log import Action, record_access
from portal.services.content_pack import PHASES
from portal.services.timeline import build_timeline

MAX_WHAT_MATTERS = 4000


def _require_plan() -> tuple[Patient, CarePlan]:
    patient, plan = current_patient_plan()
    if patient is None or plan is None:
        abort(404)
    return patient, plan


def _language() -> str:
    return str(get_locale() or "sv")


def _reading_views(plan: CarePlan) -> list[tuple[content.ArticleView, object]]:
    language = _language()
    return [(content.article_view(article, language), reading)
            for reading, article in builder.readings(get_session(), plan.id or 0)]


@bp.get("/reading")
def reading() -> str:
    """'Läsning': the articles the care team chose, by phase, with what the patient has read."""
    patient, plan = _require_plan()
    views = _reading_views(plan)
    by_phase = {phase: [pair for pair in views if pair[0].phase == phase] for phase in PHASES}
    template = builder.plan_template(get_session(), plan)
    self_care = content.template_data(template, _language())["self_care"] if template else []
    record_access(get_session(), current_user, Action.READ, f"reading:{plan.id}", patient.id)
    return render_template("patient/reading.html", plan=plan, by_phase=by_phase, self_care=self_care,
                           demo=template.demo if template else False)


def _reading_or_404(plan: CarePlan, article_id: int) -> tuple[content.ArticleView, object]:
    for view, reading in _reading_views(plan):
        if view.id == article_id:
            return view, reading
    record_access(get_session(), current_user, Action.DENIED, f"article:{article_id}", plan.patient_id)
    abort(404)


@bp.get("/reading/<int:article_id>")
def article(article_id: int) -> str:
    """One article; opening it marks it as read."""
    patient, plan = _require_plan()
    view, found = _reading_or_404(plan, article_id)
    session = get_session()
    if found.read_at is None:
        found.read_at = utcnow()
        session.add(found)
    record_access(session, current_user, Action.READ, f"article:{article_id}", patient.id)
    return render_template("patient/article.html", article=view, reading=found,
                           answered=request.args.get("answered"))


@bp.post("/reading/<int:article_id>")
def article_response(article_id: int) -> Response:
    """'I have read and understand' is kept; 'I have a question' opens a message about the article."""
    patient, plan = _require_plan()
    _view, found = _reading_or_404(plan, article_id)
    choice = request.form.get("response", "")
    if choice == ReadingResponse.QUESTION:
        return redirect(url_for("patient.messages", article=article_id), code=303)
    if choice != ReadingResponse.UNDERSTOOD:
        return redirect(url_for("patient.article", article_id=article_id), code=303)
    session = get_session()
    found.response = ReadingResponse.UNDERSTOOD
    found.responded_at = utcnow()
    found.read_at = found.read_at or found.responded_at
    session.add(found)
    record_access(session, current_user, Action.UPDATE, f"article:{article_id}", patient.id)
    return redirect(url_for("patient.article", article_id=article_id, answered=1), code=303)


def article_reference(plan: CarePlan, article_id: str | None) -> str:
    """The first words of a message about an article: "About the article 'Fatigue': " (empty if not the plan's)."""
    if not article_id or not article_id.isdigit():
        return ""
    for view, _reading in _reading_views(plan):
        if view.id == int(article_id):
            return str(_l("About the article \u201c%(title)s\u201d: ", title=view.title))
    return ""


# --- the patient's own items ----------------------------------------------------------------------------------------

def _own_item_or_404(plan: CarePlan, item_id: int) -> PlanItem:
    session = get_session()
    item = session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id or item.source != ItemSource.PATIENT:
        record_access(session, current_user, Action.DENIED, f"item:{item_id}", plan.patient_id)
        abort(404)
    return item


def _own_input(plan: CarePlan) -> builder.ItemInput:
    """A patient item: what they wrote, in the current phase, with a day; never a unit or a status."""
    data = builder.ItemInput.from_form(request.form)
    data.phase = plan.current_phase
    data.kind = ItemKind.APPOINTMENT
    data.status = ItemStatus.PLANNED
    data.precision = "day"
    data.unit_id = ""
    data.preparation = ""
    return data


def _item_page(template: str, data: builder.ItemInput, errors: dict[str, str], status: int = 200,
               item: PlanItem | None = None) -> tuple[str, int]:
    return render_template(template, data=data, errors=item_errors(errors), item=item), status


@bp.get("/items/new")
def new_item() -> tuple[str, int]:
    _patient, _plan = _require_plan()
    return _item_page("patient/own_item.html", builder.ItemInput(), {})


@bp.post("/items/new")
def create_item() -> Response | tuple[str, int]:
    """Add the patient's own item ('added by you'), e.g. a visit to the dentist."""
    patient, plan = _require_plan()
    data = _own_input(plan)
    checked, errors = builder.check_item(data, set(), local_now().date(), patient_item=True)
    if checked is None:
        return _item_page("patient/own_item.html", data, errors, 422)
    session = get_session()
    item = builder.add_item(session, plan, current_user, checked, source=ItemSource.PATIENT, commit=False)
    record_access(session, current_user, Action.CREATE, f"item:{item.id}", patient.id)
    return redirect(url_for("patient.item", item_id=item.id, saved=1), code=303)


@bp.get("/items/<int:item_id>/edit")
def edit_item(item_id: int) -> tuple[str, int]:
    patient, plan = _require_plan()
    item = _own_item_or_404(plan, item_id)
    record_access(get_session(), current_user, Action.READ, f"item:{item.id}", patient.id)
    return _item_page("patient/own_item.html", builder.ItemInput.from_item(item), {}, item=item)


@bp.post("/items/<int:item_id>/edit")
def update_item(item_id: int) -> Response | tuple[str, int]:
    patient, plan = _require_plan()
    item = _own_item_or_404(plan, item_id)
    data = _own_input(plan)
    checked, errors = builder.check_item(data, set(), local_now().date(), patient_item=True)
    if checked is None:
        return _item_page("patient/own_item.html", data, errors, 422, item=item)
    session = get_session()
    builder.change_item(session, plan, current_user, item, checked, commit=False)
    record_access(session, current_user, Action.UPDATE, f"item:{item.id}", patient.id)
    return redirect(url_for("patient.item", item_id=item.id, saved=1), code=303)


@bp.post("/items/<int:item_id>/delete")
def delete_item(item_id: int) -> Response | str:
    """Remove an own item; the first press asks 'are you sure?' on a page of its own."""
    patient, plan = _require_plan()
    item = _own_item_or_404(plan, item_id)
    if request.form.get("confirm") != "yes":
        return render_template("patient/own_item_delete.html", item=item)
    session = get_session()
    resource = f"item:{item.id}"
    builder.remove_item(session, plan, current_user, item, commit=False)
    record_access(session, current_user, Action.DELETE, resource, patient.id)
    return redirect(url_for("patient.timeline", removed=1), code=303)


# --- what matters to me --------------------------------------------------------------------------------------------

@bp.get("/what-matters")
def what_matters() -> str:
    patient, plan = _require_plan()
    record_access(get_session(), current_user, Action.READ, f"what_matters:{plan.id}", patient.id)
    return render_template("patient/what_matters.html", plan=plan, text=plan.what_matters, error=None,
                           saved=request.args.get("saved"))


@bp.post("/what-matters")
def what_matters_update() -> Response | tuple[str, int]:
    """The patient's own words on what matters to them; the care team sees them."""
    patient, plan = _require_plan()
    text = request.form.get("what_matters", "").strip()
    if len(text) > MAX_WHAT_MATTERS:
        error = _l("Write a shorter text (at most %(count)s characters).", count=MAX_WHAT_MATTERS)
        return render_template("patient/what_matters.html", plan=plan, text=text, error=error, saved=None), 422
    session = get_session()
    builder.set_what_matters(session, plan, current_user, text, commit=False)
    record_access(session, current_user, Action.UPDATE, f"what_matters:{plan.id}", patient.id)
    return redirect(url_for("patient.what_matters", saved=1), code=303)


# --- the paper plan ------------------------------------------------------------------------------------------------

@bp.get("/print")
def print_plan() -> str:
    """'Skriv ut min vårdplan': the whole plan on A4, web addresses written out."""
    patient, plan = _require_plan()
    session = get_session()
    items = plans.plan_items(session, plan.id)
    groups = build_timeline(items, local_now().date(), local_date, plan.current_phase)
    units = plans.units_by_id(session, {i.unit_id for i in items if i.unit_id})
    views = _reading_views(plan)
    template = builder.plan_template(session, plan)
    self_care = content.template_data(template, _language())["self_care"] if template else []
    record_access(session, current_user, Action.READ, f"print:{plan.id}", patient.id)
    return render_template("patient/print.html", patient=patient, plan=plan, groups=groups, units=units,
                           contact=plans.contact_for(session, plan), readings=[view for view, _r in views],
                           self_care=self_care, printed=local_now())
