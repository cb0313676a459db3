"""The care team's side of forms: turning them on for a plan, the answers over time, and the alerts to act on."""

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
from portal.models import Alert, AlertStatus, CarePlan, FormResponse, Patient, Questionnaire, ResponseStatus, Role, User
from portal.plans.access import editable_plan, log, plan_or_404
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


@dataclass
class HandleForm:
    """What the nurse did about an alert, and the plan item to add if they chose to."""

    note: str = ""
    add_item: bool = False
    item_title: str = ""
    errors: dict[str, LazyString] = field(default_factory=dict)

    @classmethod
    def for_alert(cls, alert: Alert) -> HandleForm:
        profession = PROFESSIONS.get(alert.profession or "")
        title = gettext("Contact with %(profession)s", profession=profession) if profession else gettext(
            "Follow-up call")
        return cls(item_title=title)

    @classmethod
    def from_request(cls, data: MultiDict[str, str]) -> HandleForm:
        return cls(note=data.get("note", "")[:MAX_TYPED].strip(), add_item=bool(data.get("add_item")),
                   item_title=data.get("item_title", "")[:MAX_TYPED].strip())

    def validate(self) -> bool:
        """Something written about what was done; an item title when an item is to be added."""
        self.errors = {}
        if not self.note:
            self.errors["note"] = _l("Write what you did.")
        elif len(self.note) > MAX_NOTE:
            self.errors["note"] = _l("Write at most 2,000 characters about what you did.")
        if self.add_item and not self.item_title:
            self.errors["item_title"] = _l("Write a title for the plan item.")
        elif self.add_item and len(self.item_title) > MAX_ITEM_TITLE:
            self.errors["item_title"] = _l("Write at most 200 characters in the title.")
        return not self.errors


def _submitted_or_404(response_id: int) -> tuple[FormResponse, CarePlan, Patient, int]:
    """A sent response on a plan the nurse may read; drafts stay the patient's own."""
    response = get_session().get(FormResponse, response_id)
    sent = response is not None and response.status == ResponseStatus.SUBMITTED
    plan, patient, unit_id = plan_or_404(response.plan_id if sent else None, f"form_response:{response_id}")
    return response, plan, patient, unit_id


def _alert_or_404(alert_id: int, change: bool = False) -> tuple[Alert, FormResponse, CarePlan, Patient, int]:
    """An alert on a plan the nurse may read; handling it changes the plan, which only the responsible unit does."""
    session = get_session()
    alert = session.get(Alert, alert_id)
    check = editable_plan if change else plan_or_404
    plan, patient, unit_id = check(alert.plan_id if alert else None, f"alert:{alert_id}")
    return alert, session.get(FormResponse, alert.response_id), plan, patient, unit_id


def _editable(plan: CarePlan) -> bool:
    return staff_may_edit_plan(get_session(), current_user.id, plan.id or 0)


def _definition(response: FormResponse) -> defs.Definition:
    return answering.definition_of(get_session().get(Questionnaire, response.questionnaire_id))


def _reason_text(definition: defs.Definition, alert: Alert) -> str:
    """The alert's reason as the form words it, in the reader's language."""
    return next((localised(rule.text) for rule in definition.alerts if rule.reason == alert.reason), alert.reason)


def _forms_page(plan: CarePlan, patient: Patient, unit_id: int, form: AssignForm, status: int = 200
                ) -> tuple[str, int]:
    session = get_session()
    responses = answering.submitted_responses(session, plan.id)
    definitions = answering.definitions_for(session, responses)
    source = {r.id: definitions[r.questionnaire_id] for r in responses}
    alerts = [(a, source[a.response_id], _reason_text(source[a.response_id], a))
              for a in answering.open_alerts(session, [plan.id])]
    log(Action.READ, f"forms:{plan.id}", patient.id, unit_id)
    return render_template("questionnaires/staff/form_list.html", plan=plan, patient=patient, form=form,
                           alerts=alerts, editable=_editable(plan),
                           latest=answering.latest_definitions(session),
                           assigned=answering.forms_to_answer(session, plan.id, utcnow()),
                           histories=steps.histories(responses, definitions)), status


def _alert_page(alert: Alert, response: FormResponse, patient: Patient, unit_id: int, form: HandleForm,
                status: int = 200) -> tuple[str, int]:
    session = get_session()
    definition = _definition(response)
    handled_by = session.get(User, alert.handled_by_user_id) if alert.handled_by_user_id else None
    log(Action.READ, f"alert:{alert.id}", patient.id, unit_id)
    return render_template("questionnaires/staff/alert.html", alert=alert, response=response, patient=patient,
                           form=form, definition=definition, reason=_reason_text(definition, alert),
                           handled_by=handled_by, profession=PROFESSIONS.get(alert.profession or ""),
                           editable=_editable(session.get(CarePlan, alert.plan_id))), status


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
                           alerts=raised, reasons={a.id: _reason_text(definition, a) for a in raised})


@bp.get("/alerts/<int:alert_id>")
def alert(alert_id: int) -> tuple[str, int]:
    """What raised the alert and who should help; handled alerts show who did what, and when."""
    found, response, _plan, patient, unit_id = _alert_or_404(alert_id)
    return _alert_page(found, response, patient, unit_id, HandleForm.for_alert(found))


@bp.post("/alerts/<int:alert_id>")
def alert_handle(alert_id: int) -> Response | tuple[str, int]:
    """Record what was done, optionally adding an item to the plan; an alert is handled only once."""
    found, response, plan, patient, unit_id = _alert_or_404(alert_id, change=True)
    if found.status != AlertStatus.OPEN:
        return redirect(url_for("questionnaires.staff.alert", alert_id=found.id), code=303)
    form = HandleForm.from_request(request.form)
    if not form.validate():
        return _alert_page(found, response, patient, unit_id, form, 422)
    session = get_session()
    item = answering.handle_alert(session, found, current_user, form.note, form.item_title if form.add_item else None)
    log(Action.UPDATE, f"alert:{found.id}", patient.id, unit_id)
    if item is not None:
        log(Action.CREATE, f"plan_item:{item.id}", patient.id, unit_id)
    return redirect(url_for("questionnaires.staff.form_list", plan_id=plan.id, handled=found.id), code=303)
