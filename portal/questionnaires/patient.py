"""The patient's forms: what to answer, one question group per screen, a review, a receipt."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.core.access_log import Action
from portal.core.clock import utcnow
from portal.db import get_session
from portal.models import FormAssignment, FormResponse, Questionnaire, ResponseStatus
from portal.plans.access import current_patient, current_plan, log, patient_guard, require_plan
from portal.questionnaires.services import answering, steps
from portal.questionnaires.services import definitions as defs

bp = Blueprint("patient", __name__, url_prefix="/plan")
bp.before_request(patient_guard())

ERRORS = {
    "required": _l("Answer the question."),
    "out_of_range": _l("Choose one of the numbers on the scale."),
    "not_an_option": _l("Choose one of the answers."),
    "too_long": _l("The answer is too long. Shorten it."),
    "not_a_date": _l("Write the date like 2027-03-14."),
    "not_a_number": _l("Choose one of the numbers on the scale."),
}


def _own_response(response_id: int) -> tuple[int, FormResponse, defs.Definition]:
    """A response on the current plan, whoever of those allowed to answer started it (the patient, or a relative
    with 'answer forms' who carries on the same draft); anything else is 404 and logged."""
    patient, plan = require_plan()
    session = get_session()
    response = session.get(FormResponse, response_id)
    if response is None or response.plan_id != plan.id:
        log(Action.DENIED, f"form_response:{response_id}", None)
        abort(404)
    return patient.id or 0, response, answering.definition_of(session.get(Questionnaire, response.questionnaire_id))


@bp.get("/forms")
def form_list() -> str:
    """Forms to answer (those due first) and the ones already answered, with their scores over time."""
    plan = current_plan()
    if plan is None:
        return render_template("plans/patient/no_plan.html", patient=current_patient())
    session = get_session()
    answered = answering.submitted_responses(session, plan.id)
    definitions = answering.definitions_for(session, answered)
    log(Action.READ, f"forms:{plan.id}", plan.patient_id)
    return render_template("questionnaires/patient/form_list.html", answered=answered, definitions=definitions,
                           to_answer=answering.forms_to_answer(session, plan.id, utcnow()),
                           trends=steps.trends(answered, definitions))


@bp.post("/forms/<int:assignment_id>/start")
def form_start(assignment_id: int) -> Response:
    """Start the form, or carry on with the draft saved earlier."""
    patient, plan = require_plan()
    session = get_session()
    assignment = session.get(FormAssignment, assignment_id)
    if assignment is None or assignment.plan_id != plan.id or not assignment.active:
        log(Action.DENIED, f"form_assignment:{assignment_id}", None)
        abort(404)
    response = answering.start_or_resume(session, assignment, current_user)
    definition = answering.definition_of(session.get(Questionnaire, response.questionnaire_id))
    log(Action.UPDATE, f"form_response:{response.id}", patient.id)
    step = steps.first_open_step(definition, answering.answers_of(response))
    return redirect(url_for("questionnaires.patient.form_step", response_id=response.id, step=step), code=303)


def _screen_or_404(definition: defs.Definition, answers: defs.Answers, step: int
                   ) -> tuple[defs.Group, steps.Progress]:
    found = steps.screen(definition, answers, step)
    if found is None:
        abort(404)
    return found


def _render_step(response: FormResponse, definition: defs.Definition, step: int, raw: dict[str, list[str]],
                 errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    answers = answering.answers_of(response)
    group, progress = _screen_or_404(definition, answers, step)
    return render_template("questionnaires/patient/form_step.html", response=response, definition=definition,
                           group=group, progress=progress, raw=raw, errors=errors, answers=answers), status


@bp.get("/forms/responses/<int:response_id>/steps/<int:step>")
def form_step(response_id: int, step: int) -> Response | tuple[str, int]:
    """One screen of the form with the answers given so far."""
    _patient_id, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("questionnaires.patient.form_receipt", response_id=response.id))
    return _render_step(response, definition, step, {}, {})


def _parse_screen(group: defs.Group, form: MultiDict[str, str], strict: bool) -> tuple[defs.Answers, list[str],
                                                                                       dict[str, str]]:
    answers: defs.Answers = {}
    cleared: list[str] = []
    errors: dict[str, str] = {}
    for item in group.items:
        value, error = defs.parse_answer(item, form.getlist(item.id))
        if error and (strict or error != "required"):
            errors[item.id] = str(ERRORS.get(error, ERRORS["required"]))
        elif value is None:
            cleared.append(item.id)
        else:
            answers[item.id] = value
    return answers, cleared, errors


def _after_save(response: FormResponse, definition: defs.Definition, answers: defs.Answers, step: int,
                action: str) -> Response:
    """Where saving a screen leads: the list (later, or back from the first), another screen, or the review."""
    if action == "later":
        return redirect(url_for("questionnaires.patient.form_list", saved=response.id), code=303)
    target = steps.next_step(definition, answers, step, action)
    if target == 0:
        return redirect(url_for("questionnaires.patient.form_list"), code=303)
    if target is None:
        return redirect(url_for("questionnaires.patient.form_review", response_id=response.id), code=303)
    return redirect(url_for("questionnaires.patient.form_step", response_id=response.id, step=target), code=303)


@bp.post("/forms/responses/<int:response_id>/steps/<int:step>")
def form_step_save(response_id: int, step: int) -> Response | tuple[str, int]:
    """Save this screen, then go on, go back, or stop and come back later (the draft stays on the server)."""
    patient_id, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("questionnaires.patient.form_receipt", response_id=response.id), code=303)
    action = request.form.get("action", "next")
    group, _progress = _screen_or_404(definition, answering.answers_of(response), step)
    answers, cleared, errors = _parse_screen(group, request.form, strict=action == "next")
    if errors:
        raw = {item.id: request.form.getlist(item.id) for item in group.items}
        return _render_step(response, definition, step, raw, errors, 422)
    answers = answering.save_answers(get_session(), response, definition, answers, cleared)
    log(Action.UPDATE, f"form_response:{response.id}", patient_id)
    return _after_save(response, definition, answers, step, action)


@bp.get("/forms/responses/<int:response_id>/review")
def form_review(response_id: int) -> Response | str:
    """Every answer once more before sending, each with a way back to change it."""
    _patient_id, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("questionnaires.patient.form_receipt", response_id=response.id))
    answers = answering.answers_of(response)
    return render_template("questionnaires/patient/form_review.html", response=response, definition=definition,
                           answers=answers, groups=defs.visible_groups(definition, answers),
                           missing=defs.missing_required(definition, answers))


@bp.post("/forms/responses/<int:response_id>/submit")
def form_submit(response_id: int) -> Response:
    """Send the answers, exactly once; a second press only shows the receipt."""
    patient_id, response, definition = _own_response(response_id)
    if response.status == ResponseStatus.DRAFT:
        if defs.missing_required(definition, answering.answers_of(response)):
            return redirect(url_for("questionnaires.patient.form_review", response_id=response.id), code=303)
        if answering.submit(get_session(), response, definition):
            log(Action.CREATE, f"form_response:{response.id}", patient_id)
    return redirect(url_for("questionnaires.patient.form_receipt", response_id=response.id), code=303)


@bp.get("/forms/responses/<int:response_id>")
def form_receipt(response_id: int) -> Response | str:
    """The receipt: sent when, the answers, and reading tied to them."""
    patient_id, response, definition = _own_response(response_id)
    if response.status == ResponseStatus.DRAFT:
        return redirect(url_for("questionnaires.patient.form_review", response_id=response.id))
    answers = answering.answers_of(response)
    log(Action.READ, f"form_response:{response.id}", patient_id)
    return render_template("questionnaires/patient/form_receipt.html", response=response, definition=definition,
                           answers=answers, groups=defs.visible_groups(definition, answers),
                           readings=defs.readings_for(definition, answers))
