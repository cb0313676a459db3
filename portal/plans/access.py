"""Who may see which plan, and as whom: the one home of the current patient and plan for every page.

Patient pages (`*.patient.*` endpoints of every feature) are for the patient themself, or for a relative or guardian
acting through a delegation that is usable now. Every patient endpoint is listed in ENDPOINT_RULES with what a
relative needs for it; a missing endpoint is refused to relatives (deny by default), and the authorization matrix
test fails until it is listed. Staff pages reach a plan only through a unit in its care team (changing it needs the
responsible unit) or through emergency access; anyone else gets 404 and the attempt is logged.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlmodel import Session, select

from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import stockholm_today
from portal.core.personal_id import InvalidPersonalId, parse_personal_id
from portal.db import get_session
from portal.models import CarePlan, Delegation, EmergencyAccess, Patient, Role, Scope, User
from portal.plans.services import acting, emergency, plans
from portal.plans.services import handover as handovers
from portal.plans.services.builder import staff_may_edit_plan
from portal.web.guards import AnonymousAnswer, login_redirect, refuse_role
from portal.web.layout import NAVIGATION

ACTING_KEY = "acting_for"
OWN = "own"
OWNER = "owner"  # only the patient themself
OWNER_OR_GUARDIAN = "owner_or_guardian"

ENDPOINT_RULES: dict[str, str] = {
    "plans.patient.start": Scope.PLAN,
    "plans.patient.timeline": Scope.PLAN,
    "plans.patient.item": Scope.PLAN,
    "plans.patient.item_calendar": Scope.PLAN,
    "plans.patient.reading": Scope.PLAN,
    "plans.patient.article": Scope.PLAN,
    "plans.patient.printout": Scope.PLAN,
    "plans.patient.what_matters": Scope.PLAN,
    "plans.patient.article_response": OWNER_OR_GUARDIAN,
    "plans.patient.easy_read_update": OWNER,  # lättläst: a relative sees the patient's choice, only they change it
    "plans.patient.what_matters_update": OWNER_OR_GUARDIAN,
    "plans.patient.item_new": OWNER_OR_GUARDIAN,
    "plans.patient.item_create": OWNER_OR_GUARDIAN,
    "plans.patient.item_edit": OWNER_OR_GUARDIAN,
    "plans.patient.item_update": OWNER_OR_GUARDIAN,
    "plans.patient.item_delete": OWNER_OR_GUARDIAN,
    "plans.patient.more": Scope.PLAN,
    "plans.patient.sharing": OWNER,
    "plans.patient.calendar_settings": OWNER,
    "plans.patient.calendar_update": OWNER,
    "plans.patient.sharing_update": OWNER,
    "messages.patient.thread": Scope.MESSAGES_READ,
    "messages.patient.thread_older": Scope.MESSAGES_READ,
    "messages.patient.thread_new": Scope.MESSAGES_READ,
    "messages.patient.unread": Scope.MESSAGES_READ,
    "messages.patient.message_create": Scope.MESSAGES_SEND,
    "questionnaires.patient.form_list": Scope.FORMS,
    "questionnaires.patient.form_start": Scope.FORMS,
    "questionnaires.patient.form_step": Scope.FORMS,
    "questionnaires.patient.form_step_save": Scope.FORMS,
    "questionnaires.patient.form_review": Scope.FORMS,
    "questionnaires.patient.form_submit": Scope.FORMS,
    "questionnaires.patient.form_receipt": Scope.FORMS,
    "audit.patient.access_log": OWNER_OR_GUARDIAN,
    "fhir.patient.downloads": Scope.PLAN,
    "fhir.patient.bundle_download": Scope.PLAN,
    "fhir.patient.summary": Scope.PLAN,
    "fhir.patient.access_log_csv": OWNER_OR_GUARDIAN,
    "notifications.patient.settings": OWNER,
    "notifications.patient.settings_update": OWNER,
    "relatives.patient.relative_list": OWNER,
    "relatives.patient.relative_invite": OWNER,
    "relatives.patient.relative_update": OWNER,
    "relatives.patient.relative_revoke": OWNER,
}
LANDINGS = ("plans.patient.start", "messages.patient.thread", "questionnaires.patient.form_list")
HOME_BY_ROLE = {"patient": "plans.patient.start", "relative": "relatives.public.choose",
                "staff": "plans.staff.caseload", "editor": "content.editor.index",
                "admin": "organisation.admin.unit_list"}  # an administrator starts on their provider's units


# --- the patient's side: as self, or through a delegation ----------------------------------------------------------

def acting_delegation() -> Delegation | None:
    """The delegation this request acts through (None: the patient's own pages)."""
    return g.get("acting_delegation")


def current_patient() -> Patient | None:
    """The patient whose pages these are: the user themself, or the person a relative acts for."""
    if "acting_patient" not in g:
        delegation = acting_delegation()
        db = get_session()
        g.acting_patient = (db.get(Patient, delegation.patient_id) if delegation
                            else plans.patient_for_user(db, current_user.id))
    return g.acting_patient


def current_plan() -> CarePlan | None:
    """The current patient's plan (the newest active one), looked up once per request. A draft the nurse has not
    shared yet is no plan at all for the patient and relatives: every patient page, download and form follows."""
    if "current_plan" not in g:
        patient = current_patient()
        g.current_plan = _shared(plans.active_plan(get_session(), patient.id or 0) if patient else None)
    return g.current_plan


def _shared(plan: CarePlan | None) -> CarePlan | None:
    return plan if plan is not None and plan.shared_at is not None else None


def own_units() -> list[int]:
    """The units the signed-in member of the care team works at, looked up once per request (a page, its list and
    the navigation's number of waiting threads all ask)."""
    if "own_units" not in g:
        g.own_units = plans.staff_units(get_session(), current_user.id)
    return g.own_units


def require_plan() -> tuple[Patient, CarePlan]:
    """The current patient and plan; 404 when there is none."""
    patient, plan = current_patient(), current_plan()
    if patient is None or plan is None:
        abort(404)
    return patient, plan


def allowed(endpoint: str, delegation: Delegation | None) -> bool:
    """May this request use the endpoint? The patient may use all; a relative what their scopes allow."""
    if delegation is None:
        return True
    rule = ENDPOINT_RULES.get(endpoint)
    if rule is None or rule == OWNER:
        return False
    if rule == OWNER_OR_GUARDIAN:
        return acting.is_guardian_of_child(delegation)
    return rule in delegation.scope_set


def may(endpoint: str) -> bool:
    """For templates and the navigation: link only what the current viewer may open."""
    return allowed(endpoint, acting_delegation())


def landing(delegation: Delegation | None) -> str:
    """The first page a relative may open: the plan, else the messages, else the forms."""
    return next((endpoint for endpoint in LANDINGS if allowed(endpoint, delegation)), "plans.patient.start")


def home_endpoint(db: Session, user: User) -> str | None:
    """Where an account starts; a patient who also helps someone first chooses whose plan to see."""
    if user.role == Role.PATIENT and session.get(ACTING_KEY) is None and acting.usable_for_user(
            db, user.id or 0, stockholm_today()):
        return "relatives.public.choose"
    return HOME_BY_ROLE.get(user.role)


def current_actor() -> Actor:
    """Who this request acts as, for the access log: the account, the delegation, and emergency access."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    delegation = acting_delegation()
    return Actor.of(user, delegation.id if delegation else None, "emergency_access" in g)


def log(action: Action, resource: str, patient_id: int | None, unit_id: int | None = None, *,
        read_back: bool = False) -> None:
    """Add this request's access to the log (saved with the request's work); a staff request that reached a plan is
    logged under the unit she acts for in it (plan_or_404) unless the view names another. `read_back`: the page
    lists the log, this view included (core.access_log.record_access)."""
    unit = unit_id if unit_id is not None else g.get("acting_unit_id")
    record_access(get_session(), current_actor(), action, resource, patient_id, unit, read_back=read_back)


def _refuse(reason_page: str, status: int, patient_id: int | None, delegation: Delegation | None,
            **context: object) -> tuple[str, int]:
    actor = Actor.of(current_user._get_current_object(), delegation.id if delegation else None)
    record_access(get_session(), actor, Action.DENIED, f"endpoint:{request.endpoint}", patient_id)
    return render_template(reason_page, **context), status


def _choose_delegation(db: Session, chosen: object) -> Response | int | None:
    """The delegation id to act through, a redirect to choose one, or None for the patient's own pages."""
    if chosen is None or chosen == OWN:
        own, plan = plans.patient_and_plan(db, current_user.id) if current_user.role == Role.PATIENT else (None, None)
        if own is not None:
            g.acting_delegation = None
            g.acting_patient, g.current_plan = own, _shared(plan)  # looked up once per request, together
            return None
        usable = acting.usable_for_user(db, current_user.id, stockholm_today())
        if len(usable) == 1 and chosen is None:
            session[ACTING_KEY] = usable[0][0].id
            return usable[0][0].id
        return redirect(url_for("relatives.public.choose", next=request.path if request.method == "GET" else None))
    return chosen if isinstance(chosen, int) else 0


def _check_patient_request() -> Response | tuple[str, int] | None:
    db = get_session()
    chosen = _choose_delegation(db, session.get(ACTING_KEY))
    if chosen is None or isinstance(chosen, Response):
        return chosen
    delegation = db.get(Delegation, chosen) if chosen else None
    reason = acting.ended_reason(db, delegation, current_user.id, stockholm_today())
    if reason is not None:
        session.pop(ACTING_KEY, None)
        own = delegation if delegation is not None and delegation.relative_user_id == current_user.id else None
        if own is not None:
            acting.mark_ended(db, own, reason)
        return _refuse("plans/patient/access_ended.html", 403, own.patient_id if own else None, own, reason=reason,
                       patient=db.get(Patient, own.patient_id) if own else None)
    g.acting_delegation = delegation
    if not allowed(request.endpoint or "", delegation):
        return _refuse("plans/patient/out_of_scope.html", 403, delegation.patient_id, delegation,
                       landing=landing(delegation))
    return None


def patient_guard(on_anonymous: AnonymousAnswer = login_redirect) -> Callable[[], Response | tuple[str, int] | None]:
    """The before_request hook of every patient blueprint: signed in, then acting as self or through a delegation."""

    def guard() -> Response | tuple[str, int] | None:
        if not current_user.is_authenticated:
            return on_anonymous()
        if current_user.role not in (Role.PATIENT, Role.RELATIVE):
            refuse_role()
        return _check_patient_request()

    return guard


def on_patient_pages() -> bool:
    """True on a patient page whose guard has let this request in (as the patient, or acting for them)."""
    return "acting_delegation" in g and (request.endpoint or "").split(".")[1:2] == ["patient"]


def layout_context() -> dict[str, object]:
    """On patient pages: the patient's navigation, with only the links this viewer may open (and before a plan is
    shared, none to the pages that need one)."""
    if not on_patient_pages():
        return {}
    has_plan = current_plan() is not None
    return {"nav_items": [item for item in NAVIGATION["patient"]
                          if may(item.endpoint) and (has_plan or not item.needs_plan)], "may": may}


# --- the care team's side -------------------------------------------------------------------------------------------

def plan_or_404(plan_id: int | None, resource: str) -> tuple[CarePlan, Patient, int]:
    """The plan, its patient and the unit the nurse acts for in it (plans.staff_may_read_plan: the responsible unit
    first); anyone else gets 404 and the attempt is logged.

    A unit that a pending handover goes to may read (GET only); a unit of a care provider other than the
    responsible one only with the patient's consent (services/handover.py). Emergency access ('nödåtkomst') lets a
    nurse outside the team read (GET only) until it runs out; every event
    of such a request is marked as emergency in the log.
    """
    db = get_session()
    unit_id = plans.staff_may_read_plan(db, current_user.id, plan_id) if plan_id else None
    if unit_id is None and plan_id and request.method == "GET":  # a unit asked to take the plan over reads it
        unit_id = handovers.receiving_unit(db, current_user.id, plan_id)
    if unit_id is not None and not handovers.unit_may_see(db, db.get(CarePlan, plan_id), unit_id):
        unit_id = None  # another care provider, and the patient has not agreed (PDL 6 kap.)
    if unit_id is None and plan_id:
        access = emergency.active(db, current_user.id, plan_id)
        if access is not None:
            g.emergency_access = access
            if request.method != "GET":
                log(Action.DENIED, resource, access.patient_id, access.unit_id)
                abort(403)
            unit_id = access.unit_id
    plan = db.get(CarePlan, plan_id) if unit_id else None
    if plan is None or unit_id is None:
        log(Action.DENIED, resource, None)
        abort(404)
    g.acting_unit_id = unit_id
    return plan, db.get(Patient, plan.patient_id), unit_id


def editable_plan(plan_id: int | None, resource: str) -> tuple[CarePlan, Patient, int]:
    """The plan if the nurse's unit is responsible for it: others in the team may read (403 here), the rest 404."""
    plan, patient, unit_id = plan_or_404(plan_id, resource)
    if not staff_may_edit_plan(get_session(), current_user.id, plan.id or 0):
        log(Action.DENIED, resource, patient.id, unit_id)
        abort(403)
    return plan, patient, unit_id


def patient_from_form(resource: str) -> Patient:
    """The patient whose personal number a form posted (numbers never travel in addresses); else 404, logged."""
    db = get_session()
    try:
        number = parse_personal_id(request.form.get("personal_id", ""))
    except InvalidPersonalId:
        number = None
    patient = db.exec(select(Patient).where(Patient.personal_id == number.digits)).first() if number else None
    if patient is None:
        log(Action.DENIED, resource, None)
        abort(404)
    return patient


def start_emergency(db: Session, unit_id: int, plan: CarePlan, reason: str, hours: int) -> EmergencyAccess:
    """Open the plan to this nurse for some hours; from now on this request's events are marked as emergency."""
    g.emergency_access = emergency.start(db, current_user.id, unit_id, plan, reason, hours)
    return g.emergency_access
