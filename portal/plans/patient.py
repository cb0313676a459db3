"""The patient's plan pages: start, timeline, items and own items, reading, what matters, and the paper plan.

A relative or guardian sees them too, as far as their delegation allows (see portal.plans.access).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.content.services.store import ArticleView
from portal.core.access_log import Action
from portal.core.clock import local_date, stockholm_now, stockholm_today, utcnow
from portal.core.text import parse_id
from portal.db import get_session
from portal.models import CarePlan, ItemKind, ItemSource, ItemStatus, Phase, PlanItem, PlanReading, ReadingResponse
from portal.plans.access import current_patient, current_plan, log, patient_guard, require_plan
from portal.plans.item_form import item_errors
from portal.plans.services import builder, lifecycle, plans, reading
from portal.plans.services.calendar import downloadable
from portal.plans.services.timeline import last_day
from portal.web.feedback import confirmed

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard())

MAX_WHAT_MATTERS = 4000
PHASES = [phase.value for phase in Phase]


def _language() -> str:
    return str(get_locale() or "sv")


def _no_plan() -> str:
    return render_template("plans/patient/no_plan.html", patient=current_patient())


@bp.get("/")
def start() -> str:
    """'Min vårdplan': what to do now ('Att göra'), whom to call, what happens next, the illness in plain words."""
    plan = current_plan()
    if plan is None:
        return _no_plan()
    session = get_session()
    page = lifecycle.start_page(session, plan, stockholm_today(), local_date)
    visit = lifecycle.record_visit(session, plan.id or 0, current_user.id, utcnow())  # each reader's own visits
    news, more_news = lifecycle.news(session, plan, visit, page.items)
    todo = lifecycle.to_do(session, plan.id or 0, utcnow())
    log(Action.READ, f"plan:{plan.id}", plan.patient_id)
    return render_template("plans/patient/start.html", patient=current_patient(), plan=plan, next=page.next,
                           units=page.units, contact=page.contact, news=news, more_news=more_news, todo=todo,
                           plan_about=reading.illness_text(session, plan, _language()))


@bp.get("/more")
def more() -> str:
    """'Mer': the pages beyond the menu (relatives, who has looked, sharing, downloads, settings), as far as this
    viewer may open them; also without a plan. It shows no patient data, so it is not in the access log."""
    return render_template("plans/patient/more.html", has_plan=current_plan() is not None)


@bp.get("/timeline")
def timeline() -> str:
    """Every plan item by phase and date, with a 'today' marker."""
    plan = current_plan()
    if plan is None:
        return _no_plan()
    groups, units = plans.timeline(get_session(), plan, stockholm_today(), local_date)
    log(Action.READ, f"timeline:{plan.id}", plan.patient_id)
    return render_template("plans/patient/timeline.html", plan=plan, groups=groups, units=units,
                           removed=request.args.get("removed"))


@bp.get("/items/<int:item_id>")
def item(item_id: int) -> str:
    """One plan item: what, when, where, who does it and how to prepare."""
    session = get_session()
    patient = current_patient()
    found, unit = plans.item_and_unit(session, patient.id, item_id) if patient else (None, None)
    if found is None:
        log(Action.DENIED, f"item:{item_id}", None)
        abort(404)
    log(Action.READ, f"item:{found.id}", patient.id)
    end = last_day(found, local_date)
    units = {unit.id: unit} if unit is not None and unit.id else {}
    return render_template("plans/patient/item.html", item=found, saved=request.args.get("saved"), units=units,
                           is_past=end is not None and end < stockholm_today(), in_calendar=downloadable(found),
                           call_unit=unit or plans.responsible_unit(session, found.plan_id))


# --- reading --------------------------------------------------------------------------------------------------------

@bp.get("/reading", endpoint="reading")
def reading_list() -> str:
    """'Läsning': the articles the care team chose, by phase, with what the patient has read."""
    patient, plan = require_plan()
    session = get_session()
    views = reading.views(session, plan, _language(), patient.easy_read)
    template = reading.plan_template(session, plan)
    log(Action.READ, f"reading:{plan.id}", patient.id)
    return render_template("plans/patient/reading.html", plan=plan, demo=template.demo if template else False,
                           by_phase={phase: [pair for pair in views if pair[0].phase == phase] for phase in PHASES},
                           self_care=reading.self_care_of(template, _language()), easy_read=patient.easy_read,
                           has_easy_read=any(view.has_easy_read for view, _reading in views),
                           saved=request.args.get("saved"))


@bp.post("/reading/easy-read")
def easy_read_update() -> Response:
    """'Lättläst': the patient's choice of easy-to-read Swedish, remembered; a relative sees it but cannot change it."""
    patient, _plan = require_plan()
    reading.set_easy_read(get_session(), patient, request.form.get("easy_read") == "on")
    log(Action.UPDATE, f"easy_read:{patient.id}", patient.id)
    return confirmed("plans.patient.reading", saved=1)


def _reading_or_404(plan: CarePlan, article_id: int, asked: str | None = None) -> tuple[ArticleView, PlanReading]:
    patient = current_patient()
    found = reading.find(get_session(), plan, article_id, _language(), bool(patient and patient.easy_read), asked)
    if found is None:
        log(Action.DENIED, f"article:{article_id}", plan.patient_id)
        abort(404)
    return found


@bp.get("/reading/<int:article_id>")
def article(article_id: int) -> str:
    """One article in the reader's version; `?lang=sv` shows it in Swedish ("Visa på svenska"), nothing stored."""
    patient, plan = require_plan()
    view, found = _reading_or_404(plan, article_id, request.args.get("lang"))
    reading.mark_opened(get_session(), found)
    log(Action.READ, f"article:{article_id}", patient.id)
    return render_template("plans/patient/article.html", article=view, reading=found,
                           answered=request.args.get("answered"),
                           usual=reading.usual_variant(view, _language(), patient.easy_read))


@bp.post("/reading/<int:article_id>")
def article_response(article_id: int) -> Response:
    """'I have read and understand' is kept; 'I have a question' opens a message about the article."""
    patient, plan = require_plan()
    _view, found = _reading_or_404(plan, article_id)
    choice = request.form.get("response", "")
    if choice == ReadingResponse.QUESTION:
        return redirect(url_for("messages.patient.thread", article=article_id), code=303)
    if choice != ReadingResponse.UNDERSTOOD:
        return redirect(url_for("plans.patient.article", article_id=article_id), code=303)
    reading.mark_understood(get_session(), found)
    log(Action.UPDATE, f"article:{article_id}", patient.id)
    return confirmed("plans.patient.article", article_id=article_id, answered=1)


def article_reference(plan: CarePlan, article_id: str | None) -> str:
    """The first words of a message about an article: "About the article 'Fatigue': " (empty if not the plan's)."""
    number = parse_id(article_id)
    found = reading.find(get_session(), plan, number, _language()) if number is not None else None
    return str(_l("About the article \u201c%(title)s\u201d: ", title=found[0].title)) if found else ""


# --- the patient's own items ----------------------------------------------------------------------------------------

def _own_item_or_404(plan: CarePlan, item_id: int) -> PlanItem:
    found = get_session().get(PlanItem, item_id)
    if found is None or found.plan_id != plan.id or found.source != ItemSource.PATIENT:
        log(Action.DENIED, f"item:{item_id}", plan.patient_id)
        abort(404)
    return found


def _own_input(plan: CarePlan) -> builder.ItemInput:
    """A patient item: what they wrote, in the current phase, with a day; never a unit or a status."""
    data = builder.ItemInput.from_form(request.form)
    data.phase, data.kind, data.status = plan.current_phase, ItemKind.APPOINTMENT, ItemStatus.PLANNED
    data.precision, data.unit_id, data.preparation = "day", "", ""
    return data


def _item_page(data: builder.ItemInput, errors: dict[str, str], status: int = 200,
               found: PlanItem | None = None) -> tuple[str, int]:
    return render_template("plans/patient/own_item.html", data=data, errors=item_errors(errors), item=found), status


@bp.get("/items/new")
def item_new() -> tuple[str, int]:
    require_plan()
    return _item_page(builder.ItemInput(), {})


@bp.post("/items/new")
def item_create() -> Response | tuple[str, int]:
    """Add the patient's own item ('added by you'), e.g. a visit to the dentist."""
    patient, plan = require_plan()
    data = _own_input(plan)
    checked, errors = builder.check_item(data, set(), stockholm_today(), patient_item=True)
    if checked is None:
        return _item_page(data, errors, 422)
    added = builder.add_item(get_session(), plan, current_user, checked, source=ItemSource.PATIENT)
    log(Action.CREATE, f"item:{added.id}", patient.id)
    return redirect(url_for("plans.patient.item", item_id=added.id, saved=1), code=303)


@bp.get("/items/<int:item_id>/edit")
def item_edit(item_id: int) -> tuple[str, int]:
    patient, plan = require_plan()
    found = _own_item_or_404(plan, item_id)
    log(Action.READ, f"item:{found.id}", patient.id)
    return _item_page(builder.ItemInput.from_item(found), {}, found=found)


@bp.post("/items/<int:item_id>/edit")
def item_update(item_id: int) -> Response | tuple[str, int]:
    patient, plan = require_plan()
    found = _own_item_or_404(plan, item_id)
    data = _own_input(plan)
    checked, errors = builder.check_item(data, set(), stockholm_today(), patient_item=True)
    if checked is None:
        return _item_page(data, errors, 422, found=found)
    builder.change_item(get_session(), plan, current_user, found, checked)
    log(Action.UPDATE, f"item:{found.id}", patient.id)
    return redirect(url_for("plans.patient.item", item_id=found.id, saved=1), code=303)


@bp.post("/items/<int:item_id>/delete")
def item_delete(item_id: int) -> Response | str:
    """Remove an own item; the first press asks 'are you sure?' on a page of its own."""
    patient, plan = require_plan()
    found = _own_item_or_404(plan, item_id)
    if request.form.get("confirm") != "yes":
        return render_template("plans/patient/item_delete.html", item=found)
    resource = f"item:{found.id}"
    builder.remove_item(get_session(), plan, current_user, found)
    log(Action.DELETE, resource, patient.id)
    return confirmed("plans.patient.timeline", removed=1)


# --- what matters to me ---------------------------------------------------------------------------------------------

@bp.get("/what-matters")
def what_matters() -> str:
    patient, plan = require_plan()
    log(Action.READ, f"what_matters:{plan.id}", patient.id)
    return render_template("plans/patient/what_matters.html", plan=plan, text=plan.what_matters, error=None,
                           saved=request.args.get("saved"))


@bp.post("/what-matters")
def what_matters_update() -> Response | tuple[str, int]:
    """The patient's own words on what matters to them; the care team sees them."""
    patient, plan = require_plan()
    text = request.form.get("what_matters", "").strip()
    if len(text) > MAX_WHAT_MATTERS:
        error = _l("Write a shorter text (at most %(count)s characters).", count=MAX_WHAT_MATTERS)
        return render_template("plans/patient/what_matters.html", plan=plan, text=text, error=error, saved=None), 422
    builder.set_what_matters(get_session(), plan, current_user, text)
    log(Action.UPDATE, f"what_matters:{plan.id}", patient.id)
    return confirmed("plans.patient.what_matters", saved=1)


# --- the paper plan -------------------------------------------------------------------------------------------------

@bp.get("/print")
def printout() -> str:
    """'Skriv ut min vårdplan': the whole plan on A4, web addresses written out."""
    patient, plan = require_plan()
    session = get_session()
    groups, units = plans.timeline(session, plan, stockholm_today(), local_date)
    log(Action.READ, f"print:{plan.id}", patient.id)
    return render_template("plans/patient/print.html", patient=patient, plan=plan, groups=groups, units=units,
                           contact=plans.contact_for(session, plan), self_care=reading.self_care(session, plan,
                           _language()), readings=reading.by_phase(session, plan, _language()),
                           printed=stockholm_now(), plan_about=reading.illness_text(session, plan, _language()))
