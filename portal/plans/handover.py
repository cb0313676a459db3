"""Handing a plan over to another unit, as a transfer: the sending nurse chooses the unit (never her own), perhaps
its contact nurse, writes a note and confirms on a summary; the receiving unit finds it among "Handovers to accept"
on its start page and accepts or declines. Across care providers the patient's consent comes first (the rules:
services/handover.py). The care team page also removes a participating unit.
"""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.access_log import Action
from portal.core.text import parse_id
from portal.db import get_session
from portal.models import CarePlan, Patient
from portal.plans.access import editable_plan, log
from portal.plans.services import builder
from portal.plans.services import handover as handovers
from portal.plans.staff import bp

ERRORS: dict[str, LazyString] = {
    "choose_unit": _l("Choose the unit that takes over."),
    "own_unit": _l("The plan is already at that unit. Choose another unit."),
    "unknown_nurse": _l("Choose a nurse who works at the unit you chose, or no nurse."),
    "note_missing": _l("Write a handover note to the unit that takes over."),
    "note_long": _l("Write a shorter note (at most 2000 characters)."),
    "consent": _l("The unit belongs to another care provider. Choose how the patient agrees."),
}
FIELDS = ["to_unit", "nurse", "note", "consent"]


@bp.context_processor
def _handover_tasks() -> dict[str, object]:
    """On the care team's pages: the handovers their units are asked to accept, and a plan's waiting handover
    ("under överlämning"), looked up only where a template shows them."""
    return {"handovers_to_accept": lambda: handovers.incoming(get_session(), current_user.id),
            "pending_handover": lambda plan_id: handovers.pending(get_session(), plan_id)}


def _form_page(found: CarePlan, patient: Patient, unit_id: int, data: handovers.HandoverInput,
               errors: dict[str, str]) -> tuple[str, int]:
    """The care team and the handover form (with what was typed, and what was wrong with it)."""
    session = get_session()
    log(Action.READ, f"team:{found.id}", found.patient_id, unit_id)
    return render_template("plans/staff/handover.html", plan=found, patient=patient, form=data,
                           errors={name: ERRORS[code] for name, code in errors.items()}, fields=FIELDS,
                           choices=handovers.choices(session, found, data.unit_text, parse_id(data.unit)),
                           team=builder.team(session, found.id or 0),
                           pending=handovers.pending(session, found.id or 0)), 422 if errors else 200


@bp.get("/plans/<int:plan_id>/handover")
def handover(plan_id: int) -> tuple[str, int]:
    """The care team, and the handover form: a big country finds the unit by the beginning of its name (?unit=)."""
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    return _form_page(found, patient, unit_id, handovers.HandoverInput(unit_text=request.args.get("unit", "")[:100]
                                                                      .strip()), {})


@bp.post("/plans/<int:plan_id>/handover")
def handover_create(plan_id: int) -> Response | tuple[str, int]:
    """Check the form; then the summary to confirm; once confirmed, the handover waits for the receiving unit."""
    found, patient, unit_id = editable_plan(plan_id, f"plan:{plan_id}")
    session = get_session()
    if handovers.pending(session, plan_id) is not None:
        return redirect(url_for("plans.staff.handover", plan_id=plan_id), code=303)
    data = handovers.HandoverInput.from_form(request.form)
    checked, errors = handovers.check(session, found, data)
    if checked is None or request.form.get("edit") == "yes":
        return _form_page(found, patient, unit_id, data, errors if request.form.get("edit") != "yes" else {})
    if request.form.get("confirm") != "yes":
        log(Action.READ, f"team:{found.id}", patient.id, unit_id)
        return render_template("plans/staff/handover_confirm.html", plan=found, patient=patient, form=data,
                               checked=checked), 200
    made = handovers.start(session, found, current_user, unit_id, checked)
    log(Action.CREATE, f"handover:{made.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, handover_started=1), code=303)


@bp.post("/plans/<int:plan_id>/handover/<int:handover_id>/cancel")
def handover_cancel(plan_id: int, handover_id: int) -> Response:
    """The sending unit takes a waiting handover back."""
    found, patient, unit_id = editable_plan(plan_id, f"handover:{handover_id}")
    if not handovers.cancel(get_session(), found, current_user, handover_id):
        log(Action.DENIED, f"handover:{handover_id}", patient.id, unit_id)
        abort(404)
    log(Action.UPDATE, f"handover:{handover_id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, handover_cancelled=1), code=303)


@bp.post("/plans/<int:plan_id>/team/<int:membership_id>/remove")
def team_unit_remove(plan_id: int, membership_id: int) -> Response:
    found, patient, unit_id = editable_plan(plan_id, f"team:{plan_id}")
    problem = builder.remove_unit(get_session(), found, current_user, membership_id)
    if problem == "choose":
        abort(404)
    log(Action.UPDATE, f"team:{found.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.handover", plan_id=found.id), code=303)


# --- the receiving unit --------------------------------------------------------------------------------------------

def _incoming_or_404(handover_id: int) -> handovers.Incoming:
    """A pending handover to one of the nurse's units; any other gets 404, logged."""
    row = handovers.receivable(get_session(), current_user.id, handover_id)
    if row is None:
        log(Action.DENIED, f"handover:{handover_id}", None)
        abort(404)
    return row


def _review_page(row: handovers.Incoming, error: LazyString | None = None) -> tuple[str, int]:
    log(Action.READ, f"handover:{row.handover.id}", row.patient.id, row.to_unit.id)
    return render_template("plans/staff/handover_review.html", row=row, error=error,
                           nurse=handovers.proposed_nurse(get_session(), row.handover)), 409 if error else 200


@bp.get("/handovers/<int:handover_id>")
def handover_review(handover_id: int) -> tuple[str, int]:
    """The handover note and who sent it, with 'Accept' and 'Decline'."""
    return _review_page(_incoming_or_404(handover_id))


@bp.post("/handovers/<int:handover_id>/accept")
def handover_accept(handover_id: int) -> Response | tuple[str, int]:
    """The receiving unit takes the plan: it becomes responsible, with the proposed nurse as contact nurse."""
    row = _incoming_or_404(handover_id)
    if handovers.accept(get_session(), row, current_user) is not None:
        return _review_page(row, _l("The patient has not agreed yet that your care provider may see the plan."))
    log(Action.UPDATE, f"team:{row.handover.plan_id}", row.patient.id, row.to_unit.id)
    return redirect(url_for("plans.staff.plan", plan_id=row.handover.plan_id, handed_over=1), code=303)


@bp.post("/handovers/<int:handover_id>/decline")
def handover_decline(handover_id: int) -> Response:
    """The plan stays with the unit that sent it."""
    row = _incoming_or_404(handover_id)
    handovers.decline(get_session(), row, current_user)
    log(Action.UPDATE, f"handover:{handover_id}", row.patient.id, row.to_unit.id)
    return redirect(url_for("plans.staff.caseload", handover="declined"), code=303)
