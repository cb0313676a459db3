"""The patient's contact details for the care team (phone, e-mail for notices, language, interpreter): the whole care
team reads them on the plan page; the responsible unit changes them here. Every look and change is logged."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.core.access_log import Action
from portal.db import get_session
from portal.models import CarePlan, Patient
from portal.plans.access import editable_plan, log
from portal.plans.registration import languages
from portal.plans.services import contact_details as contacts
from portal.plans.staff import bp

ERRORS: dict[str, LazyString] = {
    "phone": _l("Write the phone number with digits, spaces, + and -, like 070-123 45 67."),
    "email": _l("Write the e-mail address like name@example.com."),
    "no_account": _l("The patient has no account of their own. Leave the e-mail empty."),
    "language": _l("Choose a language."),
    "interpreter_language": _l("Choose the language the interpreter speaks."),
}


def _page(plan: CarePlan, patient: Patient, form: contacts.ContactInput, errors: dict[str, str],
          has_account: bool) -> tuple[str, int]:
    return render_template("plans/staff/contact_details.html", plan=plan, patient=patient, form=form,
                           has_account=has_account, languages=languages(),
                           errors={name: ERRORS[code] for name, code in errors.items()}), 422 if errors else 200


@bp.get("/plans/<int:plan_id>/contact-details")
def contact_details(plan_id: int) -> tuple[str, int]:
    """The form with the patient's contact details as they are now."""
    found, patient, unit_id = editable_plan(plan_id, f"contact_details:{plan_id}")
    details = contacts.details_of(get_session(), patient)
    log(Action.READ, f"contact_details:{found.id}", patient.id, unit_id)
    return _page(found, patient, contacts.ContactInput.of(details), {}, details.has_account)


@bp.post("/plans/<int:plan_id>/contact-details")
def contact_details_update(plan_id: int) -> Response | tuple[str, int]:
    """Save the details; if something is wrong, say what, keeping what was typed."""
    found, patient, unit_id = editable_plan(plan_id, f"contact_details:{plan_id}")
    session = get_session()
    form = contacts.ContactInput.from_form(request.form)
    has_account = contacts.details_of(session, patient).has_account
    errors = contacts.check(form, has_account)
    if errors:
        log(Action.READ, f"contact_details:{found.id}", patient.id, unit_id)
        return _page(found, patient, form, errors, has_account)
    contacts.save(session, patient, form, tuple(current_app.config["LANGUAGES"]))
    log(Action.UPDATE, f"contact_details:{found.id}", patient.id, unit_id)
    return redirect(url_for("plans.staff.plan", plan_id=found.id, contact="saved",
                            _anchor="patient-contact-heading"), code=303)
