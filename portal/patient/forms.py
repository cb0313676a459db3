"""The patient's forms: what to answer, one question group per screen, a review, a receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.db import get_session
from portal.layout import current_patient_plan
from portal.models import CarePlan, FormAssignment, FormResponse, Patient, Questionnaire, ResponseStatus
from portal.models.base import utcnow
from portal.patient import bp
from portal.services import chart, forms
from portal.services import form_definitions as defs
from portal.services.access_log import Action, record_access

ERRORS = {
    "required": _l("Answer the question."),
    "out_of_range": _l("Choose one of the numbers on the scale."),
    "not_an_option": _l("Choose one of the answers."),
    "too_long": _l("The answer is too long. Shorten it."),
    "not_a_date": _l("Write the date like 2027-03-14."),
    "not_a_number": _l("Choose one of the numbers on the scale."),
}


def _plan() -> tuple[Patient, CarePlan]:
    patient, plan = current_patient_plan()
    if patient is None or plan is None:
        abort(404)
    return patient, plan


def _own_response(response_id: int) -> tuple[Patient, FormResponse, defs.Definition]:
    """A response on the current plan, whoever of those allowed to answer started it (the patient, or a relative
    with 'answer forms' who carries on the same draft); anything else is 404 and logged."""
    patient, plan = _plan()
    session = get_session()
    response = session.get(FormResponse, response_id)
    if response is None or response.plan_id != plan.id:
        record_access(session, current_user, Action.DENIED, f"form_response:{response_id}", None)
        abort(404)
    return patient, response, forms.definition_of(session.get(Questionnaire, response.questionnaire_id))


@bp.get("/forms")
def forms_list() -> str:
    """Forms to answer (those due first) and the ones already answered, with their scores over time."""
    patient, plan = current_patient_plan()
    if plan is None:
        return render_template("patient/no_plan.html", patient=patient)
    session = get_session()
    to_answer = forms.forms_to_answer(session, plan.id, utcnow())
    answered = forms.submitted_responses(session, plan.id)
    definitions = forms.definitions_for(session, answered)
    record_access(session, current_user, Action.READ, f"forms:{plan.id}", patient.id)
    return render_template("patient/forms.html", to_answer=to_answer, answered=answered,
                           definitions=definitions, trends=_trends(answered, definitions))


def _trends(answered: list[FormResponse], definitions: dict[int, defs.Definition]) -> list[tuple[defs.Definition,
                                                                                                 chart.Chart]]:
    """A chart for each form the patient has answered at least twice with a score, oldest answer first."""
    by_key: dict[str, tuple[defs.Definition, list[tuple[datetime, float]]]] = {}
    for response in reversed(answered):
        definition = definitions[response.questionnaire_id]
        if response.score is not None and response.submitted_at is not None:
            by_key.setdefault(definition.key, (definition, []))[1].append((response.submitted_at, response.score))
    trends = []
    for definition, points in by_key.values():
        axis = chart.score_range(definition)
        if axis and len(points) > 1:
            trends.append((definition, chart.line_chart(points, *axis)))
    return trends


@bp.post("/forms/<int:assignment_id>/start")
def form_start(assignment_id: int) -> Response:
    """Start the form, or carry on with the draft saved earlier."""
    patient, plan = _plan()
    session = get_session()
    assignment = session.get(FormAssignment, assignment_id)
    if assignment is None or assignment.plan_id != plan.id or not assignment.active:
        record_access(session, current_user, Action.DENIED, f"form_assignment:{assignment_id}", None)
        abort(404)
    response = forms.start_or_resume(session, assignment, current_user)
    definition = forms.definition_of(session.get(Questionnaire, response.questionnaire_id))
    record_access(session, current_user, Action.UPDATE, f"form_response:{response.id}", patient.id)
    step = _first_open_step(definition, forms.answers_of(response))
    return redirect(url_for("patient.form_step", response_id=response.id, step=step), code=303)


def _first_open_step(definition: defs.Definition, answers: defs.Answers) -> int:
    groups = defs.visible_groups(definition, answers)
    for number, group in enumerate(groups, start=1):
        if any(item.id not in answers for item in group.items):
            return number
    return len(groups)


@dataclass(frozen=True)
class Progress:
    """Where the patient is: screen `step`, whether more may follow, and this screen's question numbers of `total`."""

    step: int
    is_last: bool
    total: int
    numbers: dict[str, int]


def _undecided(condition: defs.Condition | None, answers: defs.Answers, on_screen: set[str]) -> bool:
    """A condition that later answers (or this screen's) may still make true."""
    return condition is not None and condition.item is not None and (
        condition.item not in answers or condition.item in on_screen)


def _possible_items(definition: defs.Definition, answers: defs.Answers, on_screen: set[str]) -> list[str]:
    """Questions shown now, plus those that may still appear once earlier questions are answered."""
    visible = {item.id for item in defs.visible_items(definition, answers)}
    possible = []
    for group in definition.groups:
        group_open = _undecided(group.show_if, answers, on_screen)
        for item in group.items:
            if item.id in visible or group_open or _undecided(item.show_if, answers, on_screen):
                possible.append(item.id)
    return possible


def _screen(definition: defs.Definition, answers: defs.Answers, step: int) -> tuple[defs.Group, Progress]:
    groups = defs.visible_groups(definition, answers)
    if not 1 <= step <= len(groups):
        abort(404)
    group = groups[step - 1]
    on_screen = {item.id for item in group.items}
    possible = _possible_items(definition, answers, on_screen)
    numbers = {item.id: possible.index(item.id) + 1 for item in group.items if item.id in possible}
    is_last = bool(numbers) and max(numbers.values()) == len(possible)
    return group, Progress(step, is_last, len(possible), numbers)


def _render_step(response: FormResponse, definition: defs.Definition, step: int, raw: dict[str, list[str]],
                 errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    answers = forms.answers_of(response)
    group, progress = _screen(definition, answers, step)
    return render_template("patient/form_step.html", response=response, definition=definition, group=group,
                           progress=progress, raw=raw, errors=errors, answers=answers), status


@bp.get("/forms/responses/<int:response_id>/steps/<int:step>")
def form_step(response_id: int, step: int) -> Response | tuple[str, int]:
    """One screen of the form with the answers given so far."""
    _patient, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("patient.form_receipt", response_id=response.id))
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


@bp.post("/forms/responses/<int:response_id>/steps/<int:step>")
def form_step_save(response_id: int, step: int) -> Response | tuple[str, int]:
    """Save this screen, then go on, go back, or stop and come back later (the draft stays on the server)."""
    patient, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("patient.form_receipt", response_id=response.id), code=303)
    action = request.form.get("action", "next")
    group, _progress = _screen(definition, forms.answers_of(response), step)
    answers, cleared, errors = _parse_screen(group, request.form, strict=action == "next")
    if errors:
        raw = {item.id: request.form.getlist(item.id) for item in group.items}
        return _render_step(response, definition, step, raw, errors, 422)
    session = get_session()
    answers = forms.save_answers(session, response, definition, answers, cleared)
    record_access(session, current_user, Action.UPDATE, f"form_response:{response.id}", patient.id)
    if action == "later":
        return redirect(url_for("patient.forms_list", saved=response.id), code=303)
    steps = len(defs.visible_groups(definition, answers))
    target = step - 1 if action == "back" else step + 1
    if target < 1:
        return redirect(url_for("patient.forms_list"), code=303)
    if target > steps:
        return redirect(url_for("patient.form_review", response_id=response.id), code=303)
    return redirect(url_for("patient.form_step", response_id=response.id, step=target), code=303)


@bp.get("/forms/responses/<int:response_id>/review")
def form_review(response_id: int) -> Response | str:
    """Every answer once more before sending, each with a way back to change it."""
    _patient, response, definition = _own_response(response_id)
    if response.status != ResponseStatus.DRAFT:
        return redirect(url_for("patient.form_receipt", response_id=response.id))
    answers = forms.answers_of(response)
    return render_template("patient/form_review.html", response=response, definition=definition, answers=answers,
                           groups=defs.visible_groups(definition, answers),
                           missing=defs.missing_required(definition, answers))


@bp.post("/forms/responses/<int:response_id>/submit")
def form_submit(response_id: int) -> Response:
    """Send the answers, exactly once; a second press only shows the receipt."""
    patient, response, definition = _own_response(response_id)
    if response.status == ResponseStatus.DRAFT:
        answers = forms.answers_of(response)
        if defs.missing_required(definition, answers):
            return redirect(url_for("patient.form_review", response_id=response.id), code=303)
        session = get_session()
        if forms.submit(session, response, definition):
            record_access(session, current_user, Action.CREATE, f"form_response:{response.id}", patient.id)
    return redirect(url_for("patient.form_receipt", response_id=response.id), code=303)


@bp.get("/forms/responses/<int:response_id>")
def form_receipt(response_id: int) -> Response | str:
    """The receipt: sent when, the answers, and reading tied to them."""
    patient, response, definition = _own_response(response_id)
    if response.status == ResponseStatus.DRAFT:
        return redirect(url_for("patient.form_review", response_id=response.id))
    answers = forms.answers_of(response)
    session = get_session()
    record_access(session, current_user, Action.READ, f"form_response:{response.id}", patient.id)
    return render_template("patient/form_receipt.html", response=response, definition=definition, answers=answers,
                           groups=defs.visible_groups(definition, answers),
                           readings=defs.readings_for(definition, answers))
