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
from portal.plans.services import plans
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


def _help_now(definition: defs.Definition, answers: defs.Answers, item_ids: set[str] | None = None,
              fresh: bool = False) -> dict[str, object]:
    """The danger box the saved answers call for (the form's own rules), whom to call, and the unit's phone and
    reply time; `fresh` when the answer was just saved, so the box takes the focus."""
    dangers = defs.dangers_for(definition, answers, item_ids)
    plan = current_plan()
    unit = plans.responsible_unit(get_session(), plan.id) if plan is not None and plan.id is not None else None
    return {"dangers": dangers, "calls": defs.calls_for(dangers), "unit": unit, "fresh": fresh and bool(dangers)}


def _new_danger(definition: defs.Definition, group: defs.Group, before: defs.Answers, after: defs.Answers) -> bool:
    """Whether saving this screen brought up a danger box that was not there before."""
    on_screen = {item.id for item in group.items}
    earlier = defs.dangers_for(definition, before, on_screen)
    return any(danger not in earlier for danger in defs.dangers_for(definition, after, on_screen))


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
    help_now = _help_now(definition, answers, {item.id for item in group.items}, request.args.get("danger") == "1")
    return render_template("questionnaires/patient/form_step.html", response=response, definition=definition,
                           group=group, progress=progress, raw=raw, errors=errors, answers=answers,
                           help=help_now), status


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
                action: str, new_danger: bool) -> Response:
    """Where saving a screen leads: the same screen again with the danger box when an answer just brought it up
    (whatever the button), else the list (later, or back from the first), another screen, or the review."""
    if new_danger:
        return redirect(url_for("questionnaires.patient.form_step", response_id=response.id, step=step, danger=1,
                                _anchor="danger"), code=303)
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
    action, before = request.form.get("action", "next"), answering.answers_of(response)
    group, _progress = _screen_or_404(definition, before, step)
    answers, cleared, errors = _parse_screen(group, request.form, strict=action == "next")
    if errors:
        raw = {item.id: request.form.getlist(item.id) for item in group.items}
        return _render_step(response, definition, step, raw, errors, 422)
    answers = answering.save_answers(get_session(), response, definition, answers, cleared)
    log(Action.UPDATE, f"form_response:{response.id}", patient_id)
    return _after_save(response, definition, answers, step, action, _new_danger(definition, group, before, answers))


@bp.get("/forms/responses/<int:response_id>/review")
def form_review(response_id: int) -> Response | str:
    """Every answer once more before sending, each with a way back to change it."""
    _patient_id, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("questionnaires.patient.form_receipt", response_id=response.id))
    answers = answering.answers_of(response)
    return render_template("questionnaires/patient/form_review.html", response=response, definition=definition,
                           answers=answers, groups=defs.visible_groups(definition, answers),
                           missing=defs.missing_required(definition, answers), help=_help_now(definition, answers))


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
                           readings=defs.readings_for(definition, answers), help=_help_now(definition, answers))
