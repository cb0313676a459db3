"""Who may use the patient pages, and as whom: the patient themself, or a relative or guardian acting for them.

Every patient endpoint is listed in ENDPOINT_RULES with what a relative needs for it. An endpoint that is missing
is refused to relatives (deny by default), and the authorization matrix test fails until it is listed.
"""

from __future__ import annotations

from datetime import date

from flask import Response, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.auth_session import login_redirect, sign_in_keeping_text
from portal.db import get_session
from portal.guards import is_message_form, refuse_role
from portal.i18n import local_now
from portal.models import Delegation, Patient, Role, Scope
from portal.services import delegations, plans
from portal.services.access_log import Action, record_access

ACTING_KEY = "acting_for"
OWN = "own"
OWNER = "owner"  # only the patient themself
OWNER_OR_GUARDIAN = "owner_or_guardian"

ENDPOINT_RULES: dict[str, str] = {
    "patient.start": Scope.PLAN,
    "patient.timeline": Scope.PLAN,
    "patient.item": Scope.PLAN,
    "patient.reading": Scope.PLAN,
    "patient.article": Scope.PLAN,
    "patient.print_plan": Scope.PLAN,
    "patient.what_matters": Scope.PLAN,
    "patient.article_response": OWNER_OR_GUARDIAN,
    "patient.what_matters_update": OWNER_OR_GUARDIAN,
    "patient.new_item": OWNER_OR_GUARDIAN,
    "patient.create_item": OWNER_OR_GUARDIAN,
    "patient.edit_item": OWNER_OR_GUARDIAN,
    "patient.update_item": OWNER_OR_GUARDIAN,
    "patient.delete_item": OWNER_OR_GUARDIAN,
    "patient.messages": Scope.MESSAGES_READ,
    "patient.messages_older": Scope.MESSAGES_READ,
    "patient.messages_new": Scope.MESSAGES_READ,
    "patient.messages_unread": Scope.MESSAGES_READ,
    "patient.message_create": Scope.MESSAGES_SEND,
    "patient.forms_list": Scope.FORMS,
    "patient.form_start": Scope.FORMS,
    "patient.form_step": Scope.FORMS,
    "patient.form_step_save": Scope.FORMS,
    "patient.form_review": Scope.FORMS,
    "patient.form_submit": Scope.FORMS,
    "patient.form_receipt": Scope.FORMS,
    "patient.access_log": OWNER_OR_GUARDIAN,
    "patient.settings": OWNER,
    "patient.settings_update": OWNER,
    "patient.relatives": OWNER,
    "patient.relative_invite": OWNER,
    "patient.relative_update": OWNER,
    "patient.relative_revoke": OWNER,
}


def _today() -> date:
    return local_now().date()


def acting_delegation() -> Delegation | None:
    """The delegation this request acts through (None: the patient's own pages)."""
    return g.get("acting_delegation")


def acting_patient() -> Patient | None:
    """The patient whose pages these are: the user themself, or the person a relative acts for."""
    if "acting_patient" not in g:
        delegation = acting_delegation()
        db = get_session()
        g.acting_patient = (db.get(Patient, delegation.patient_id) if delegation
                            else plans.patient_for_user(db, current_user.id))
    return g.acting_patient


def allowed(endpoint: str, delegation: Delegation | None) -> bool:
    """May this request use the endpoint? The patient may use all; a relative what their scopes allow."""
    if delegation is None:
        return True
    rule = ENDPOINT_RULES.get(endpoint)
    if rule is None or rule == OWNER:
        return False
    if rule == OWNER_OR_GUARDIAN:
        return delegations.is_guardian_of_child(delegation)
    return rule in delegation.scope_set


LANDINGS = ("patient.start", "patient.messages", "patient.forms_list")


def landing(delegation: Delegation | None) -> str:
    """The first page a relative may open: the plan, else the messages, else the forms."""
    return next((endpoint for endpoint in LANDINGS if allowed(endpoint, delegation)), "patient.start")


def scope_allows(endpoint: str) -> bool:
    """For templates: link only what the current viewer may open."""
    return allowed(endpoint, acting_delegation())


def access_ended_page(reason: str) -> tuple[str, int]:
    return render_template("patient/access_ended.html", reason=reason), 403


def guard() -> Response | tuple[str, int] | None:
    """The patient blueprint's before_request: signed in, then acting as self or through a usable delegation."""
    if not current_user.is_authenticated:
        return sign_in_keeping_text() if is_message_form() else login_redirect()
    if current_user.role not in (Role.PATIENT, Role.RELATIVE):
        refuse_role()
    db = get_session()
    chosen = session.get(ACTING_KEY)
    if chosen is None or chosen == OWN:
        own = plans.patient_for_user(db, current_user.id) if current_user.role == Role.PATIENT else None
        if own is not None:
            g.acting_delegation = None
            g.acting_patient = own  # looked up once per request
            return None
        usable = delegations.usable_for_user(db, current_user.id, _today())
        if len(usable) == 1 and chosen is None:
            session[ACTING_KEY] = usable[0][0].id
            chosen = usable[0][0].id
        else:
            return redirect(url_for("public.choose", next=request.path if request.method == "GET" else None))
    delegation = db.get(Delegation, chosen) if isinstance(chosen, int) else None
    reason = delegations.ended_reason(db, delegation, current_user.id, _today())
    if reason is not None:
        session.pop(ACTING_KEY, None)
        if delegation is not None and delegation.relative_user_id == current_user.id:
            delegations.mark_ended(db, delegation, reason)
            record_access(db, current_user, Action.DENIED, f"endpoint:{request.endpoint}", delegation.patient_id,
                          delegation_id=delegation.id)
        else:
            record_access(db, current_user, Action.DENIED, f"endpoint:{request.endpoint}", None)
        return access_ended_page(reason)
    g.acting_delegation = delegation
    if not allowed(request.endpoint or "", delegation):
        record_access(db, current_user, Action.DENIED, f"endpoint:{request.endpoint}", delegation.patient_id,
                      delegation_id=delegation.id)
        return render_template("patient/out_of_scope.html", landing=landing(delegation)), 403
    return None
