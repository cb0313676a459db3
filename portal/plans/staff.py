"""The care team's plan pages: the caseload, finding a patient, making a plan from a diagnosis, tailoring it (items,
details, reading, content version), handing it over, its history, and emergency access.

Reading a plan needs a unit in its care team; changing it needs the responsible unit. Personal numbers travel only
in POST bodies, never in addresses.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.content.services import store as content
from portal.core.access_log import Action
from portal.core.clock import local_date, stockholm_today
from portal.core.keyset import Slice
from portal.core.text import parse_id
from portal.db import get_session
from portal.models import CarePlan, ItemSource, Phase, PlanItem, Role, StaffMember
from portal.plans.access import editable_plan, log, own_units, patient_from_form, plan_or_404, start_emergency
from portal.plans.item_form import item_errors
from portal.plans.services import alerts, builder, contact_details, emergency, plans, reading, registration
from portal.plans.services import caseload as caseload_service
from portal.web.guards import require_role
from portal.web.htmx import in_place
from portal.web.i18n import translated
from portal.web.inputs import id_arg
from portal.web.labels import DIAGNOSES, PHASES, TEAM_ROLES

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))

MAX_SEARCH = 100
NOTICES = {
    "created": _l("The care plan is made from the national content. Now change what is needed for this patient."),
    "removed": _l("The item is removed."),
    "handed_over": _l("You have taken over the plan. Your unit is responsible now."),
    "handover_started": _l("The handover is sent. The plan is under handover until the other unit accepts it."),
    "handover_cancelled": _l("The handover is taken back. The plan stays with your unit."),
    "moved_version": _l("The plan uses the newer content now."),
    "shared": _l("The plan is shared. The patient can see it now and gets a notice."),
}
ARG_NOTICES = {
    ("moved", "dated"): _l("Items with dates are shown in date order. Change the date to move the item."),
    ("moved", "edge"): _l("The item is already first or last in its part."),
    ("details", "saved"): _l("The plan details are saved."),
    ("summary", "saved"): _l("The text about the illness is saved."),
    ("details", "error"): _l("The plan details were not saved: a text was too long or a choice was missing."),
    ("contact", "saved"): _l("The contact details are saved."),
}
NEW_PLAN_ERRORS: dict[str, LazyString] = {
    "choose_diagnosis": _l("Choose a diagnosis."),
    "not_a_date": _l("Write the date like 2027-03-14."),
    "out_of_range": _l("Write a date between the years 1900 and 2199."),
    "choose_nurse": _l("Choose a contact nurse at your unit."),
}
EMERGENCY_ERRORS: dict[str, LazyString] = {
    "reason_short": _l("Write why you need emergency access (at least 10 characters)."),
    "reason_long": _l("Write a shorter reason (at most 1000 characters)."),
    "hours": _l("Choose for how long."),
}


def _language() -> str:
    return str(get_locale() or "sv")


def _notices() -> list[tuple[str, LazyString]]:
    """What the last action did, named in the address it redirected to ('?handed_over=1')."""
    notices = [(key, text) for key, text in NOTICES.items() if request.args.get(key)]
    return notices + [(key, text) for (key, value), text in ARG_NOTICES.items() if request.args.get(key) == value]


@bp.get("/")
def caseload() -> str:
    """The nurse's patients as a table, 50 at a time, sorted and filtered as the GET form asks (open alerts first by
    default); odd values give the defaults. Under htmx, 'Show more' (?after=<plan id>) brings only the next rows."""
    wanted = caseload_service.choice(request.args, DIAGNOSES)
    page, total = caseload_service.caseload(get_session(), current_user.id, wanted, id_arg("after"))
    template = "plans/partials/caseload_more.html" if in_place() else "plans/staff/caseload.html"
    names = {"diagnosis": translated(DIAGNOSES), "phase": translated(PHASES), "team_role": translated(TEAM_ROLES)}
    return render_template(template, page=page, total=total, wanted=wanted, phases=PHASES, names=names,
                           diagnoses=builder.by_name(names["diagnosis"], _language()))


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> str:
    """The plan builder: the whole plan, with tools when the nurse's unit is responsible; read-only for others in
    the care team; anyone else gets 404 and is logged."""
    found, patient, unit_id = plan_or_404(plan_id, f"plan:{plan_id}")
    session = get_session()
    groups, units = plans.timeline(session, found, stockholm_today(), local_date)
    reading_total, reading_done = builder.reading_progress(session, plan_id)
    team, editable = builder.team_and_editable(session, current_user.id, plan_id)
    log(Action.READ, f"plan:{plan_id}", found.patient_id, unit_id)
    return render_template("plans/staff/plan.html", plan=found, patient=patient, groups=groups, units=units,
                           contact=plans.contact_for(session, found), notices=_notices(), editable=editable,
                           team=team, reading_total=reading_total, reading_done=reading_done,
                           newer_version=builder.newer_version(session, found),
                           saved_id=parse_id(request.args.get("saved", "")),
                           patient_details=contact_details.details_of(session, patient),
                           open_alerts=alerts.open_by_response(session, plan_id))


# --- finding a patient and starting a plan --------------------------------------------------------------------------

def _find_page(text: str, searched: bool, after: int | None = None) -> str:
    """The search page, or under htmx the next hits for 'Show more'. Each patient shown (name, masked number) is
    logged in that patient's access log; the events are added together and saved with the request."""
    session = get_session()
    units = own_units()
    page, total = builder.find_patients(session, units, text, after) if text else (Slice([]), 0)
    for patient, _plan in page.rows:
        log(Action.READ, "patient_search", patient.id)
    readable = builder.readable_plans(session, current_user.id, [plan.id or 0 for _p, plan in page.rows if plan])
    template = "plans/partials/find_more.html" if in_place() else "plans/staff/find.html"
    unknown = registration.number_of(text) if text and not page.rows else None  # offered "Register patient"
    return render_template(template, q=text, searched=searched, page=page, total=total, readable=readable,
                           unknown_number=unknown)


@bp.get("/find")
def patient_find() -> str:
    """Search by full personal number (anyone, e.g. a new referral) or by name (the unit's own patients)."""
    return _find_page("", searched=False)


@bp.post("/find")
def patient_search() -> str:
    """The search itself: the number or name travels in the form, never in the address (so does 'Show more')."""
    return _find_page(request.form.get("q", "")[:MAX_SEARCH].strip(), True, parse_id(request.form.get("after")))


def _own_nurses() -> list[tuple[object, StaffMember, str]]:
    """The staff of the nurse's own units: the plan starts there."""
    session = get_session()
    return builder.nurses_by_unit(session, own_units())


def _new_plan_input(nurses: list[tuple[object, StaffMember, str]]) -> builder.NewPlanInput:
    own = next((member for _u, member, _n in nurses if member.user_id == current_user.id), None)
    return builder.NewPlanInput(diagnosis=request.form.get("diagnosis", ""), start=request.form.get("start", ""),
                                nurse=request.form.get("nurse", str(own.id) if own else ""))


@bp.post("/new-plan")
def plan_new() -> Response | tuple[str, int]:
    """Choose the diagnosis, the start date and the contact nurse; then the plan is made from the content."""
    session = get_session()
    patient = patient_from_form("new_plan")
    existing = plans.active_plan(session, patient.id or 0)
    if existing is not None:
        if not plans.staff_may_read_plan(session, current_user.id, existing.id or 0):
            log(Action.DENIED, "new_plan", patient.id)
            abort(404)
        return redirect(url_for("plans.staff.plan", plan_id=existing.id), code=303)
    nurses = _own_nurses()
    form = _new_plan_input(nurses)
    checked, codes = builder.check_new_plan(session, form, [row[1] for row in nurses], stockholm_today())
    if checked is not None and request.form.get("create") == "yes":
        made = builder.create_plan(session, patient, checked[0], checked[2], current_user, checked[1])
        log(Action.CREATE, f"plan:{made.id}", patient.id, checked[2].unit_id)
        return redirect(url_for("plans.staff.plan", plan_id=made.id, created=1), code=303)
    asked = request.form.get("create") == "yes"
    errors = {name: NEW_PLAN_ERRORS[code] for name, code in codes.items()} if asked else {}
    log(Action.READ, "new_plan", patient.id)
    names = {key: translated(DIAGNOSES).get(key, key) for key in content.published_diagnoses(session)}
    return render_template("plans/staff/new_plan.html", patient=patient, diagnoses=builder.by_name(names, _language()),
                           nurses=nurses, form=form, errors=errors, today=stockholm_today().isoformat()), \
        422 if errors else 200


# --- tailoring: items -----------------------------------------------------------------------------------------------

def _team_unit_ids(found: CarePlan) -> set[int]:
    return {unit.id for _m, unit in builder.team(get_session(), found.id or 0) if unit.id is not None}


def _item_or_404(found: CarePlan, item_id: int) -> PlanItem:
    """A staff item of this plan; the patient's own items are theirs to change (403), others' items 404."""
    item = get_session().get(PlanItem, item_id)
    if item is None or item.plan_id != found.id or item.source == ItemSource.PATIENT:
        log(Action.DENIED, f"item:{item_id}", found.patient_id)
        abort(404 if item is None or item.plan_id != found.id else 403)
    return item


def _item_form(found: CarePlan, data: builder.ItemInput, errors: dict[str, str], item: PlanItem | None,
               status: int = 200) -> tuple[str, int]:
    """The item form: on a page of its own, or (htmx) the fragment that page includes, in place of the item."""
    units = [unit for _m, unit in builder.team(get_session(), found.id or 0)]
    template = "plans/partials/item_form.html" if in_place() else "plans/staff/item_page.html"
    return render_template(template, plan=found, data=data, errors=item_errors(errors), item=item, units=units,
                           phases=list(Phase)), status


@bp.get("/plans/<int:plan_id>/items/new")
def item_new(plan_id: int) -> tuple[str, int]:
    found, _patient, _unit = editable_plan(plan_id, f"plan:{plan_id}")
    phase = request.args.get("phase", found.current_phase)
    responsible = plans.responsible_unit(get_session(), plan_id)
    data = builder.ItemInput(phase=phase if phase in list(Phase) else found.current_phase,
                             unit_id=str(responsible.id) if responsible else "")
    return _item_form(found, data, {}, None)


@bp.post("/plans/<int:plan_id>/items/new")
def item_create(plan_id: int) -> Response | tuple[str, int]:
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    data = builder.ItemInput.from_form(request.form)
    checked, errors = builder.check_item(data, _team_unit_ids(found), stockholm_today())
    if checked is None:
        return _item_form(found, data, errors, None, 422)
    item = builder.add_item(get_session(), found, current_user, checked)
    log(Action.CREATE, f"item:{item.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, saved=item.id, _anchor=f"item-{item.id}"), code=303)


@bp.get("/plans/<int:plan_id>/items/<int:item_id>/edit")
def item_edit(plan_id: int, item_id: int) -> tuple[str, int]:
    found, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(found, item_id)
    log(Action.READ, f"item:{item.id}", patient.id, unit_id)
    return _item_form(found, builder.ItemInput.from_item(item), {}, item)


@bp.get("/plans/<int:plan_id>/items/<int:item_id>")
def item(plan_id: int, item_id: int) -> Response | tuple[str, int]:
    """One item of the plan: under htmx its card (a cancelled change puts it back, with focus on its Change
    button); otherwise the plan page at that item."""
    found, patient, unit_id = plan_or_404(plan_id, f"item:{item_id}")
    session = get_session()
    shown = session.get(PlanItem, item_id)
    if shown is None or shown.plan_id != found.id:
        log(Action.DENIED, f"item:{item_id}", found.patient_id)
        abort(404)
    if not in_place():
        return redirect(url_for("plans.staff.plan", plan_id=found.id, _anchor=f"item-{item_id}"), code=303)
    log(Action.READ, f"item:{item_id}", patient.id, unit_id)
    units = plans.units_by_id(session, {shown.unit_id} if shown.unit_id else set())
    return render_template("plans/partials/builder_item.html", plan=found, item=shown, units=units, focus="edit",
                           editable=builder.staff_may_edit_plan(session, current_user.id, plan_id)), 200


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/edit")
def item_update(plan_id: int, item_id: int) -> Response | tuple[str, int]:
    found, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(found, item_id)
    data = builder.ItemInput.from_form(request.form)
    checked, errors = builder.check_item(data, _team_unit_ids(found), stockholm_today())
    if checked is None:
        return _item_form(found, data, errors, item, 422)
    builder.change_item(get_session(), found, current_user, item, checked)
    log(Action.UPDATE, f"item:{item.id}", patient.id, unit_id)
    if in_place():
        units = plans.units_by_id(get_session(), {item.unit_id} if item.unit_id else set())
        return render_template("plans/partials/builder_item.html", plan=found, item=item, units=units,
                               editable=True, saved=True), 200
    return redirect(url_for("plans.staff.plan", plan_id=found.id, saved=item.id, _anchor=f"item-{item.id}"), code=303)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/delete")
def item_delete(plan_id: int, item_id: int) -> Response | str:
    found, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(found, item_id)
    if request.form.get("confirm") != "yes":
        return render_template("plans/staff/item_delete.html", plan=found, item=item)
    resource = f"item:{item.id}"
    builder.remove_item(get_session(), found, current_user, item)
    log(Action.DELETE, resource, patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, removed=1), code=303)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/move")
def item_move(plan_id: int, item_id: int) -> Response:
    found, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(found, item_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    problem = builder.move_item(get_session(), found, current_user, item, direction)
    if problem is None:
        log(Action.UPDATE, f"item:{item.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, moved=problem or "ok", _anchor=f"item-{item.id}"),
                    code=303)


# --- plan details, reading, team, version, history -------------------------------------------------------------------

@bp.post("/plans/<int:plan_id>/details")
def plan_details_update(plan_id: int) -> Response:
    """The current part of care, the responsible doctor and a personal note to the patient."""
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    saved = builder.set_details(get_session(), found, current_user, request.form.get("current_phase", ""),
                                request.form.get("responsible_doctor", "").strip(),
                                request.form.get("personal_note", "").strip())
    if not saved:
        return redirect(url_for("plans.staff.plan", plan_id=found.id, details="error"), code=303)
    log(Action.UPDATE, f"plan:{found.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, details="saved", _anchor="details-heading"),
                    code=303)


@bp.get("/plans/<int:plan_id>/reading", endpoint="reading")
def reading_page(plan_id: int) -> str:
    """Which articles of the plan's content version the patient gets, and what they have read and understood."""
    found, patient, unit_id = plan_or_404(plan_id, f"reading:{plan_id}")
    session = get_session()
    template = reading.plan_template(session, found)
    articles = [content.article_view(a, _language()) for a in content.articles_of(session, template.id or 0)] \
        if template else []
    log(Action.READ, f"reading:{found.id}", patient.id, unit_id)
    return render_template("plans/staff/reading.html", plan=found, patient=patient, template=template,
                           by_phase=content.articles_by_phase(articles), saved=request.args.get("saved"),
                           chosen={pair[0].article_id: pair[0] for pair in reading.readings(session, found.id or 0)},
                           editable=builder.staff_may_edit_plan(session, current_user.id, plan_id))


@bp.post("/plans/<int:plan_id>/reading")
def reading_update(plan_id: int) -> Response:
    """Save the articles chosen for the patient; what they answered about kept articles stays."""
    found, patient, unit_id = editable_plan(plan_id, f"reading:{plan_id}")
    chosen = {number for value in request.form.getlist("article") if (number := parse_id(value)) is not None}
    reading.set_readings(get_session(), found, current_user, chosen)
    log(Action.UPDATE, f"reading:{found.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.reading", plan_id=found.id, saved=1), code=303)


@bp.get("/plans/<int:plan_id>/version")
def version(plan_id: int) -> str:
    """What a newer version of the content changes for this plan, before moving the plan to it."""
    found, patient, _unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    session = get_session()
    current, newer = reading.version_choice(session, found)
    diff = content.diff_versions(session, current, newer) if newer and current else None
    return render_template("plans/staff/version.html", plan=found, patient=patient, current=current, newer=newer,
                           diff=diff, titles=reading.version_titles(session, (current, newer), _language()))


@bp.post("/plans/<int:plan_id>/version")
def version_move(plan_id: int) -> Response | str:
    """Move the plan to the newer version it was shown (a stale form only shows the page again)."""
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    _current, newer = reading.version_choice(get_session(), found)
    if newer is None or request.form.get("version") != str(newer.version):
        return version(plan_id)
    reading.move_to_version(get_session(), found, current_user, newer)
    log(Action.UPDATE, f"plan:{found.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, moved_version=newer.version), code=303)


@bp.get("/plans/<int:plan_id>/history")
def history(plan_id: int) -> str:
    """Every change to the plan: who, when, what."""
    found, patient, unit_id = plan_or_404(plan_id, f"history:{plan_id}")
    log(Action.READ, f"history:{found.id}", patient.id, unit_id)
    return render_template("plans/staff/history.html", plan=found, patient=patient,
                           changes=builder.history(get_session(), found.id or 0))


# --- emergency access -----------------------------------------------------------------------------------------------

@bp.post("/emergency", endpoint="emergency")
def emergency_access() -> Response | tuple[str, int]:
    """'Nödåtkomst': read a plan outside your units for a few hours, with a written reason, logged prominently."""
    patient = patient_from_form("emergency")
    session = get_session()
    found = plans.active_plan(session, patient.id or 0)
    units = own_units()
    if found is None or not units:
        log(Action.DENIED, "emergency", patient.id)
        abort(404)
    if plans.staff_may_read_plan(session, current_user.id, found.id or 0):
        return redirect(url_for("plans.staff.plan", plan_id=found.id), code=303)
    reason, hours = request.form.get("reason", "").strip(), request.form.get("hours", "")
    problem = emergency.check_request(reason, hours) if request.form.get("confirm") == "yes" else "not_asked"
    if problem is None:
        access = start_emergency(session, units[0], found, reason, int(hours))
        log(Action.CREATE, f"emergency:{access.id}", patient.id, units[0])
        return redirect(url_for("plans.staff.plan", plan_id=found.id), code=303)
    error = EMERGENCY_ERRORS.get(problem)
    log(Action.READ, "emergency", patient.id, units[0])
    return render_template("plans/staff/emergency.html", patient=patient, reason=reason, hours=hours or "2",
                           choices=emergency.HOURS, error=error), 422 if error else 200
