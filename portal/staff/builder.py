"""The plan builder: find a patient, make a plan from a diagnosis, tailor it, choose reading, hand it over.

Reading a plan needs a unit in its care team; changing it needs the responsible unit. Personal numbers travel only
in POST bodies, never in addresses.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import Session

from portal.db import get_session
from portal.htmx import is_htmx
from portal.i18n import local_now
from portal.item_form import item_errors
from portal.models import CarePlan, CareUnit, ItemSource, Patient, Phase, PlanItem, StaffMember
from portal.services import content, plans
from portal.services import plan_builder as builder
from portal.services.access_log import Action, record_access
from portal.services.content_pack import PHASES
from portal.services.personal_id import PersonalId
from portal.staff import bp
from portal.staff.access import patient_from_form, plan_or_404

MAX_NOTE = 4000
MAX_SEARCH = 100


def _language() -> str:
    return str(get_locale() or "sv")


def editable_plan(plan_id: int, resource: str) -> tuple[CarePlan, Patient, int]:
    """The plan if the nurse's unit is responsible for it: others in the team may read (403 here), the rest 404."""
    plan, patient, unit_id = plan_or_404(plan_id, resource)
    session = get_session()
    if not builder.staff_may_edit_plan(session, current_user.id, plan_id):
        record_access(session, current_user, Action.DENIED, resource, patient.id, unit_id)
        abort(403)
    return plan, patient, unit_id


def _masked(patient: Patient) -> str:
    return PersonalId(patient.personal_id).masked()


# --- finding a patient and starting a plan --------------------------------------------------------------------------

@bp.route("/find", methods=["GET", "POST"])
def find_patient() -> str:
    """Search by full personal number (anyone, e.g. a new referral) or by name (the unit's own patients)."""
    text = request.form.get("q", "")[:MAX_SEARCH].strip() if request.method == "POST" else ""
    session = get_session()
    results = builder.find_patients(session, plans.staff_units(session, current_user.id), text) if text else []
    for patient, _plan in results:
        record_access(session, current_user, Action.READ, "patient_search", patient.id)
    return render_template("staff/find.html", q=text, searched=request.method == "POST", results=results,
                           masked=_masked, unit_ids=set(plans.staff_units(session, current_user.id)),
                           readable={plan.id for _p, plan in results
                                     if plan and plans.staff_may_read_plan(session, current_user.id, plan.id or 0)})


def _own_nurses(session: Session) -> list[tuple[CareUnit, StaffMember, str]]:
    """The staff of the nurse's own units: the plan starts there."""
    units = set(plans.staff_units(session, current_user.id))
    return [row for row in builder.nurses_by_unit(session) if row[0].id in units]


@bp.post("/new-plan")
def new_plan() -> Response | tuple[str, int]:
    """Choose the diagnosis, the start date and the contact nurse; then the plan is made from the content."""
    session = get_session()
    patient = patient_from_form("new_plan")
    existing = plans.active_plan(session, patient.id or 0)
    if existing is not None:
        if plans.staff_may_read_plan(session, current_user.id, existing.id or 0):
            return redirect(url_for("staff.plan", plan_id=existing.id), code=303)
        record_access(session, current_user, Action.DENIED, "new_plan", patient.id)
        abort(404)
    diagnoses = content.published_diagnoses(session)
    nurses = _own_nurses(session)
    own_member = next((member for _u, member, _n in nurses if member.user_id == current_user.id), None)
    form = {"diagnosis": request.form.get("diagnosis", ""), "start": request.form.get("start", ""),
            "nurse": request.form.get("nurse", str(own_member.id) if own_member else "")}
    errors: dict[str, object] = {}
    if request.form.get("create") == "yes":
        template = content.latest_published(session, form["diagnosis"]) if form["diagnosis"] in diagnoses else None
        if template is None:
            errors["diagnosis"] = _l("Choose a diagnosis.")
        try:
            start = date.fromisoformat(form["start"]) if form["start"] else local_now().date()
        except ValueError:
            errors["start"] = _l("Write the date like 2027-03-14.")
        nurse = next((member for _u, member, _n in nurses if str(member.id) == form["nurse"]), None)
        if nurse is None:
            errors["nurse"] = _l("Choose a contact nurse at your unit.")
        if not errors:
            plan = builder.create_plan(session, patient, template, nurse, current_user, start, commit=False)
            record_access(session, current_user, Action.CREATE, f"plan:{plan.id}", patient.id, nurse.unit_id)
            return redirect(url_for("staff.plan", plan_id=plan.id, created=1), code=303)
    record_access(session, current_user, Action.READ, "new_plan", patient.id)
    return render_template("staff/new_plan.html", patient=patient, masked=_masked(patient), diagnoses=diagnoses,
                           nurses=nurses, form=form, errors=errors,
                           today=local_now().date().isoformat()), 422 if errors else 200


# --- tailoring: items -----------------------------------------------------------------------------------------------

def _team_unit_ids(plan: CarePlan) -> set[int]:
    return {unit.id for _m, unit in builder.team(get_session(), plan.id or 0) if unit.id is not None}


def _item_or_404(plan: CarePlan, item_id: int) -> PlanItem:
    """A staff item of this plan; the patient's own items are theirs to change (403), others' items 404."""
    item = get_session().get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        record_access(get_session(), current_user, Action.DENIED, f"item:{item_id}", plan.patient_id)
        abort(404)
    if item.source == ItemSource.PATIENT:
        record_access(get_session(), current_user, Action.DENIED, f"item:{item_id}", plan.patient_id)
        abort(403)
    return item


def _item_form(plan: CarePlan, data: builder.ItemInput, errors: dict[str, str], item: PlanItem | None,
               status: int = 200) -> tuple[str, int]:
    session = get_session()
    units = [unit for _m, unit in builder.team(session, plan.id or 0)]
    inline = is_htmx() and request.headers.get("HX-Target", "").startswith("item-")
    return render_template("staff/item_form.html" if inline else "staff/item_page.html", plan=plan, data=data,
                           errors=item_errors(errors), item=item, units=units, phases=list(Phase)), status


@bp.get("/plans/<int:plan_id>/items/new")
def new_item(plan_id: int) -> tuple[str, int]:
    plan, _patient, _unit = editable_plan(plan_id, f"plan:{plan_id}")
    phase = request.args.get("phase", plan.current_phase)
    responsible = plans.responsible_unit(get_session(), plan_id)
    data = builder.ItemInput(phase=phase if phase in PHASES else plan.current_phase,
                             unit_id=str(responsible.id) if responsible else "")
    return _item_form(plan, data, {}, None)


@bp.post("/plans/<int:plan_id>/items/new")
def create_item(plan_id: int) -> Response | tuple[str, int]:
    plan, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    data = builder.ItemInput.from_form(request.form)
    checked, errors = builder.check_item(data, _team_unit_ids(plan), local_now().date())
    if checked is None:
        return _item_form(plan, data, errors, None, 422)
    session = get_session()
    item = builder.add_item(session, plan, current_user, checked, commit=False)
    record_access(session, current_user, Action.CREATE, f"item:{item.id}", patient.id, unit_id)
    return redirect(url_for("staff.plan", plan_id=plan.id, saved=item.id, _anchor=f"item-{item.id}"), code=303)


@bp.get("/plans/<int:plan_id>/items/<int:item_id>/edit")
def edit_item(plan_id: int, item_id: int) -> tuple[str, int]:
    plan, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(plan, item_id)
    record_access(get_session(), current_user, Action.READ, f"item:{item.id}", patient.id, unit_id)
    return _item_form(plan, builder.ItemInput.from_item(item), {}, item)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/edit")
def update_item(plan_id: int, item_id: int) -> Response | tuple[str, int]:
    plan, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(plan, item_id)
    data = builder.ItemInput.from_form(request.form)
    checked, errors = builder.check_item(data, _team_unit_ids(plan), local_now().date())
    if checked is None:
        return _item_form(plan, data, errors, item, 422)
    session = get_session()
    builder.change_item(session, plan, current_user, item, checked, commit=False)
    record_access(session, current_user, Action.UPDATE, f"item:{item.id}", patient.id, unit_id)
    if is_htmx() and request.headers.get("HX-Target", "").startswith("item-"):
        units = plans.units_by_id(session, {item.unit_id} if item.unit_id else set())
        return render_template("staff/partials/builder_item.html", plan=plan, item=item, units=units,
                               editable=True, saved=True), 200
    return redirect(url_for("staff.plan", plan_id=plan.id, saved=item.id, _anchor=f"item-{item.id}"), code=303)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/delete")
def delete_item(plan_id: int, item_id: int) -> Response | str:
    plan, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(plan, item_id)
    if request.form.get("confirm") != "yes":
        return render_template("staff/item_delete.html", plan=plan, item=item)
    session = get_session()
    resource = f"item:{item.id}"
    builder.remove_item(session, plan, current_user, item, commit=False)
    record_access(session, current_user, Action.DELETE, resource, patient.id, unit_id)
    return redirect(url_for("staff.plan", plan_id=plan.id, removed=1), code=303)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/move")
def move_item(plan_id: int, item_id: int) -> Response:
    plan, patient, unit_id = editable_plan(plan_id, f"item:{item_id}")
    item = _item_or_404(plan, item_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    session = get_session()
    problem = builder.move_item(session, plan, current_user, item, direction, commit=False)
    if problem is None:
        record_access(session, current_user, Action.UPDATE, f"item:{item.id}", patient.id, unit_id)
    return redirect(url_for("staff.plan", plan_id=plan.id, moved=problem or "ok", _anchor=f"item-{item.id}"),
                    code=303)


# --- plan details, reading, team, version, history -------------------------------------------------------------------

@bp.post("/plans/<int:plan_id>/details")
def plan_details(plan_id: int) -> Response | tuple[str, int]:
    """The current part of care, the responsible doctor and a personal note to the patient."""
    plan, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    note = request.form.get("personal_note", "").strip()
    doctor = request.form.get("responsible_doctor", "").strip()
    phase = request.form.get("current_phase", "")
    if len(note) > MAX_NOTE or len(doctor) > 200 or phase not in PHASES:
        return redirect(url_for("staff.plan", plan_id=plan.id, details="error"), code=303)
    session = get_session()
    plan.current_phase = phase
    plan.responsible_doctor = doctor
    builder.set_note(session, plan, current_user, note, commit=False)
    record_access(session, current_user, Action.UPDATE, f"plan:{plan.id}", patient.id, unit_id)
    return redirect(url_for("staff.plan", plan_id=plan.id, details="saved", _anchor="details-heading"), code=303)


@bp.route("/plans/<int:plan_id>/reading", methods=["GET", "POST"])
def plan_reading(plan_id: int) -> Response | str:
    """Which articles of the plan's content version the patient gets, and what they have read and understood."""
    if request.method == "POST":
        plan, patient, unit_id = editable_plan(plan_id, f"reading:{plan_id}")
        chosen = {int(value) for value in request.form.getlist("article") if value.isdigit()}
        session = get_session()
        builder.set_readings(session, plan, current_user, chosen, commit=False)
        record_access(session, current_user, Action.UPDATE, f"reading:{plan.id}", patient.id, unit_id)
        return redirect(url_for("staff.plan_reading", plan_id=plan.id, saved=1), code=303)
    plan, patient, unit_id = plan_or_404(plan_id, f"reading:{plan_id}")
    session = get_session()
    template = builder.plan_template(session, plan)
    language = _language()
    chosen = {reading.article_id: reading for reading, _a in builder.readings(session, plan.id or 0)}
    articles = [content.article_view(a, language) for a in content.articles_of(session, template.id or 0)] \
        if template else []
    record_access(session, current_user, Action.READ, f"reading:{plan.id}", patient.id, unit_id)
    return render_template("staff/reading.html", plan=plan, patient=patient, masked=_masked(patient),
                           by_phase=content.articles_by_phase(articles), chosen=chosen, template=template,
                           editable=builder.staff_may_edit_plan(session, current_user.id, plan_id),
                           saved=request.args.get("saved"))


@bp.route("/plans/<int:plan_id>/handover", methods=["GET", "POST"])
def handover(plan_id: int) -> Response | tuple[str, int]:
    """Hand the plan to another unit and its contact nurse; the unit that had it can still read it."""
    plan, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    session = get_session()
    error = None
    chosen = request.form.get("nurse", "")
    if request.method == "POST":
        nurse_id = int(chosen) if chosen.isdigit() else 0
        problem = builder.hand_over(session, plan, current_user, nurse_id, commit=False) if nurse_id else "choose"
        if problem is None:
            record_access(session, current_user, Action.UPDATE, f"team:{plan.id}", patient.id, unit_id)
            return redirect(url_for("staff.plan", plan_id=plan.id, handed_over=1), code=303)
        error = _l("The plan is already at that unit. Choose a nurse at another unit.") if problem == "same_unit" \
            else _l("Choose the nurse who takes over.")
    record_access(session, current_user, Action.READ, f"team:{plan.id}", patient.id, unit_id)
    return render_template("staff/handover.html", plan=plan, patient=patient, masked=_masked(patient),
                           team=builder.team(session, plan.id or 0), nurses=builder.nurses_by_unit(session),
                           chosen=chosen, error=error), 422 if error else 200


@bp.post("/plans/<int:plan_id>/team/<int:membership_id>/remove")
def remove_unit(plan_id: int, membership_id: int) -> Response:
    plan, patient, unit_id = editable_plan(plan_id, f"team:{plan_id}")
    session = get_session()
    problem = builder.remove_unit(session, plan, current_user, membership_id, commit=False)
    if problem == "choose":
        abort(404)
    record_access(session, current_user, Action.UPDATE, f"team:{plan.id}", patient.id, unit_id)
    return redirect(url_for("staff.handover", plan_id=plan.id), code=303)


@bp.route("/plans/<int:plan_id>/version", methods=["GET", "POST"])
def plan_version(plan_id: int) -> Response | str:
    """What a newer version of the content changes for this plan, and moving the plan to it."""
    plan, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    session = get_session()
    current = builder.plan_template(session, plan)
    newest = content.latest_published(session, plan.template_key)
    newer = newest if newest and current and newest.version > current.version else None
    if request.method == "POST" and newer is not None and request.form.get("version") == str(newer.version):
        builder.move_to_version(session, plan, current_user, newer, commit=False)
        record_access(session, current_user, Action.UPDATE, f"plan:{plan.id}", patient.id, unit_id)
        return redirect(url_for("staff.plan", plan_id=plan.id, moved_version=newer.version), code=303)
    diff = content.diff_versions(session, current, newer) if newer and current else None
    titles = {}
    language = _language()
    for template in (current, newer):
        if template is not None:
            for article in content.articles_of(session, template.id or 0):
                titles[article.slug] = content.article_view(article, language).title
    return render_template("staff/version.html", plan=plan, patient=patient, masked=_masked(patient),
                           current=current, newer=newer, diff=diff, titles=titles)


@bp.get("/plans/<int:plan_id>/history")
def plan_history(plan_id: int) -> str:
    """Every change to the plan: who, when, what."""
    plan, patient, unit_id = plan_or_404(plan_id, f"history:{plan_id}")
    session = get_session()
    record_access(session, current_user, Action.READ, f"history:{plan.id}", patient.id, unit_id)
    return render_template("staff/history.html", plan=plan, patient=patient, masked=_masked(patient),
                           changes=builder.history(session, plan.id or 0))
