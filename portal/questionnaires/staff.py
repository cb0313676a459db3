"""The care team's side of forms: turning them on for a plan, the answers over time, and the alerts to act on: all
alerts of one response are handled together, on one page."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.core.access_log import Action
from portal.core.clock import utcnow
from portal.db import get_session
from portal.models import (
    Alert,
    AlertAction,
    AlertStatus,
    CarePlan,
    FormResponse,
    Patient,
    Questionnaire,
    ResponseStatus,
    Role,
)
from portal.plans.access import editable_plan, log, plan_or_404
from portal.plans.services import alerts as alert_waits
from portal.plans.services import contact_details
from portal.plans.services.builder import staff_may_edit_plan
from portal.questionnaires.services import answering, steps
from portal.questionnaires.services import definitions as defs
from portal.web.guards import require_role
from portal.web.i18n import localised

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(require_role(Role.STAFF))

MAX_WEEKS = 52
MAX_NOTE = 2000
MAX_ITEM_TITLE = 200
MAX_TYPED = 5000  # longer than any field allows, so a too-long text is shown again and refused, not cut
PROFESSIONS = {
    "physiotherapist": _l("physiotherapist"),
    "dietitian": _l("dietitian"),
    "counsellor": _l("counsellor"),
    "social_worker": _l("social worker or counsellor"),
    "contact_nurse": _l("contact nurse"),
    "occupational_therapist": _l("occupational therapist"),
    "doctor": _l("doctor"),
}


@dataclass
class AssignForm:
    """What the nurse chose: which form, and once or every N weeks."""

    key: str = ""
    repeat: str = "once"
    weeks: str = ""
    errors: dict[str, LazyString] = field(default_factory=dict)

    @classmethod
    def from_request(cls, data: MultiDict[str, str]) -> AssignForm:
        return cls(key=data.get("form_key", ""), repeat=data.get("repeat", ""),
                   weeks=data.get("weeks", "")[:MAX_TYPED].strip())

    @property
    def repeat_weeks(self) -> int | None:
        return int(self.weeks) if self.repeat == "every" else None

    def validate(self, keys: Collection[str]) -> bool:
        """A known form, once or repeating, and for repeating a whole number of weeks from 1 to 52."""
        self.errors = {}
        if self.key not in keys:
            self.errors["form_key"] = _l("Choose a form to turn on.")
        if self.repeat not in ("once", "every"):
            self.errors["repeat"] = _l("Choose whether the form is answered once or again and again.")
        elif self.repeat == "every" and not (self.weeks.isascii() and self.weeks.isdigit()
                                             and 1 <= int(self.weeks) <= MAX_WEEKS):
            self.errors["weeks"] = _l("Write the number of weeks as a whole number from 1 to 52.")
        return not self.errors


ACTIONS = {
    AlertAction.CONTACTED: _l("Contacted the patient"),
    AlertAction.REFERRED: _l("Referred"),
    AlertAction.NO_ACTION: _l("No action needed"),
}


@dataclass
class AlertChoiceInput:
    """What the nurse chose for one alert, as typed."""

    action: str = ""
    add_item: bool = False
    item_title: str = ""


@dataclass
class HandleForm:
    """What the nurse did about the open alerts of one response: one note, and an action for each alert (a referral
    may add a plan item)."""

    note: str = ""
    choices: dict[int, AlertChoiceInput] = field(default_factory=dict)
    errors: dict[str, LazyString | str] = field(default_factory=dict)

    @classmethod
    def for_alerts(cls, alerts: list[Alert]) -> HandleForm:
        return cls(choices={a.id or 0: AlertChoiceInput(item_title=_item_title(a)) for a in alerts})

    @classmethod
    def from_request(cls, data: MultiDict[str, str], alerts: list[Alert]) -> HandleForm:
        def typed(name: str) -> str:
            return data.get(name, "")[:MAX_TYPED].strip()

        return cls(note=typed("note"), choices={a.id or 0: AlertChoiceInput(
            typed(f"action-{a.id}"), bool(data.get(f"add_item-{a.id}")), typed(f"item_title-{a.id}")) for a in alerts})

    def validate(self, reasons: dict[int, str]) -> bool:
        """Something written about what was done; an action for every alert; an item title for an item to add."""
        self.errors = {}
        for alert_id, choice in self.choices.items():
            reason = reasons.get(alert_id, "")
            adds = choice.action == AlertAction.REFERRED and choice.add_item
            if choice.action not in ACTIONS:
                self.errors[f"action-{alert_id}"] = gettext("Choose what you did about: %(reason)s", reason=reason)
            elif adds and not choice.item_title:
                self.errors[f"item_title-{alert_id}"] = gettext("Write a title for the plan item for: %(reason)s",
                                                                reason=reason)
            elif adds and len(choice.item_title) > MAX_ITEM_TITLE:
                self.errors[f"item_title-{alert_id}"] = _l("Write at most 200 characters in the title.")
        if not self.note:
            self.errors["note"] = _l("Write what you did.")
        elif len(self.note) > MAX_NOTE:
            self.errors["note"] = _l("Write at most 2,000 characters about what you did.")
        return not self.errors

    def checked(self) -> dict[int, answering.AlertChoice]:
        return {alert_id: answering.AlertChoice(c.action, c.item_title if c.add_item else None)
                for alert_id, c in self.choices.items()}


def _item_title(alert: Alert) -> str:
    """The plan item a referral suggests: contact with the profession the form names, else a follow-up call."""
    profession = PROFESSIONS.get(alert.profession or "")
    return gettext("Contact with %(profession)s", profession=profession) if profession else gettext("Follow-up call")


def _submitted_or_404(response_id: int, change: bool = False) -> tuple[FormResponse, CarePlan, Patient, int]:
    """A sent response on a plan the nurse may read (drafts stay the patient's own); handling its alerts changes the
    plan, which only the responsible unit does."""
    response = get_session().get(FormResponse, response_id)
    sent = response is not None and response.status == ResponseStatus.SUBMITTED
    check = editable_plan if change else plan_or_404
    plan, patient, unit_id = check(response.plan_id if sent else None, f"form_response:{response_id}")
    return response, plan, patient, unit_id


def _editable(plan: CarePlan) -> bool:
    return staff_may_edit_plan(get_session(), current_user.id, plan.id or 0)


def _definition(response: FormResponse) -> defs.Definition:
    return answering.definition_of(get_session().get(Questionnaire, response.questionnaire_id))


def _reason_text(definition: defs.Definition, alert: Alert) -> str:
    """The alert's reason as the form words it, in the reader's language."""
    return next((localised(rule.text) for rule in definition.alerts if rule.reason == alert.reason), alert.reason)


def _open(alerts: list[Alert]) -> list[Alert]:
    return [alert for alert in alerts if alert.status == AlertStatus.OPEN]


def _open_by_response(plan_id: int) -> list[tuple[int, defs.Definition, list[tuple[Alert, str]]]]:
    """The plan's open alerts grouped by the response that raised them, each with its reason in words."""
    session = get_session()
    alerts = answering.open_alerts(session, [plan_id])
    responses = [session.get(FormResponse, response_id) for response_id in dict.fromkeys(a.response_id
                                                                                          for a in alerts)]
    definitions = answering.definitions_for(session, [r for r in responses if r is not None])
    groups = []
    for response in responses:
        definition = definitions[response.questionnaire_id]
        groups.append((response.id, definition, [(a, _reason_text(definition, a)) for a in alerts
                                                 if a.response_id == response.id]))
    return groups


def _forms_page(plan: CarePlan, patient: Patient, unit_id: int, form: AssignForm, status: int = 200
                ) -> tuple[str, int]:
    session = get_session()
    responses = answering.submitted_responses(session, plan.id)
    definitions = answering.definitions_for(session, responses)
    log(Action.READ, f"forms:{plan.id}", patient.id, unit_id)
    return render_template("questionnaires/staff/form_list.html", plan=plan, patient=patient, form=form,
                           alert_groups=_open_by_response(plan.id or 0), editable=_editable(plan),
                           waits=alert_waits.waits(session, answering.open_alerts(session, [plan.id or 0])),
                           latest=answering.latest_definitions(session),
                           assigned=answering.forms_to_answer(session, plan.id, utcnow()),
                           histories=steps.histories(responses, definitions)), status


def _alerts_page(response: FormResponse, plan: CarePlan, patient: Patient, unit_id: int, raised: list[Alert],
                 form: HandleForm, status: int = 200) -> tuple[str, int]:
    session = get_session()
    definition = _definition(response)
    log(Action.READ, f"alerts:{response.id}", patient.id, unit_id)
    return render_template("questionnaires/staff/response_alerts.html", response=response, plan=plan,
                           patient=patient, definition=definition, alerts=raised, form=form,
                           reasons={a.id: _reason_text(definition, a) for a in raised}, actions=ACTIONS,
                           professions={a.id: PROFESSIONS.get(a.profession or "") for a in raised},
                           waits=alert_waits.waits(session, raised), handlers=answering.handler_names(session, raised),
                           contact=contact_details.details_of(session, patient), editable=_editable(plan)), status


@bp.get("/plans/<int:plan_id>/forms")
def form_list(plan_id: int) -> tuple[str, int]:
    """The plan's forms: which are on, the answers over time with a chart, and alerts not yet handled."""
    plan, patient, unit_id = plan_or_404(plan_id, f"forms:{plan_id}")
    return _forms_page(plan, patient, unit_id, AssignForm())


@bp.post("/plans/<int:plan_id>/forms")
def form_assign(plan_id: int) -> Response | tuple[str, int]:
    """Turn a form on, once or every N weeks; if something is wrong, say what, keeping what was chosen."""
    plan, patient, unit_id = editable_plan(plan_id, f"forms:{plan_id}")
    session = get_session()
    form = AssignForm.from_request(request.form)
    if not form.validate(answering.latest_definitions(session).keys()):
        return _forms_page(plan, patient, unit_id, form, 422)
    assignment = answering.assign(session, plan.id, form.key, form.repeat_weeks, current_user)
    log(Action.CREATE, f"form_assignment:{assignment.id}", patient.id, unit_id)
    return redirect(url_for("questionnaires.staff.form_list", plan_id=plan.id, assigned=1), code=303)


@bp.get("/responses/<int:response_id>")
def form_response(response_id: int) -> str:
    """One sent form: each question the patient saw with the answer in words, and the alerts it raised."""
    response, plan, patient, unit_id = _submitted_or_404(response_id)
    session = get_session()
    definition = _definition(response)
    answers = answering.answers_of(response)
    raised = answering.alerts_of(session, response.id)
    log(Action.READ, f"form_response:{response.id}", patient.id, unit_id)
    return render_template("questionnaires/staff/form_response.html", response=response, plan=plan, patient=patient,
                           definition=definition, answers=answers, groups=defs.visible_groups(definition, answers),
                           alerts=raised, reasons={a.id: _reason_text(definition, a) for a in raised},
                           waits=alert_waits.waits(session, raised), actions=ACTIONS)


@bp.get("/responses/<int:response_id>/alerts")
def response_alerts(response_id: int) -> tuple[str, int]:
    """Every alert of one sent form on one page: what raised it, how to reach the patient, and what was done."""
    response, plan, patient, unit_id = _submitted_or_404(response_id)
    raised = answering.alerts_of(get_session(), response.id)
    return _alerts_page(response, plan, patient, unit_id, raised, HandleForm.for_alerts(_open(raised)))


@bp.post("/responses/<int:response_id>/alerts")
def response_alerts_handle(response_id: int) -> Response | tuple[str, int]:
    """Record what was done about each open alert of the response, with one note; a referral may add a plan item.
    If something is wrong, say what, keeping what was typed; an alert is handled only once."""
    response, plan, patient, unit_id = _submitted_or_404(response_id, change=True)
    session = get_session()
    raised = answering.alerts_of(session, response.id)
    form = HandleForm.from_request(request.form, _open(raised))
    if not form.choices:
        return redirect(url_for("questionnaires.staff.response_alerts", response_id=response.id), code=303)
    if not form.validate({a.id or 0: _reason_text(_definition(response), a) for a in raised}):
        return _alerts_page(response, plan, patient, unit_id, raised, form, 422)
    for alert, item in answering.handle_alerts(session, _open(raised), current_user, form.note, form.checked()):
        log(Action.UPDATE, f"alert:{alert.id}", patient.id, unit_id)
        if item is not None:
            log(Action.CREATE, f"plan_item:{item.id}", patient.id, unit_id)
    return redirect(url_for("questionnaires.staff.response_alerts", response_id=response.id, handled=1), code=303)


@bp.get("/alerts/<int:alert_id>")
def alert(alert_id: int) -> Response:
    """The old address of one alert: its response's alerts are handled together now."""
    found = get_session().get(Alert, alert_id)
    plan_or_404(found.plan_id if found else None, f"alert:{alert_id}")
    return redirect(url_for("questionnaires.staff.response_alerts", response_id=found.response_id,
                            _anchor=f"alert-{alert_id}"), code=303)
