"""Registering a patient the care team meets for the first time, from "Find patient": name, birth date, language
and contact details for notices; then on to making the care plan. The number travels only in POST bodies."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.core.access_log import Action
from portal.core.clock import stockholm_today
from portal.db import get_session
from portal.plans.access import log
from portal.plans.services import registration
from portal.plans.services.contact_details import LANGUAGES
from portal.plans.staff import bp
from portal.web.labels import language_label

ERRORS: dict[str, LazyString] = {
    "number": _l("Write a personal identity number, coordination number or reserve number, like 19121212-1212."),
    "name": _l("Write the patient's name (at most 200 characters)."),
    "birth_date": _l("Write the date of birth like 1956-11-10."),
    "language": _l("Choose a language."),
    "email": _l("Write the e-mail address like name@example.com."),
    "phone": _l("Write a phone number with digits, like 070-123 45 67."),
}


def languages() -> list[tuple[str, str]]:
    """Each language a patient can choose, in its name in the reader's language ('arabiska'), Swedish first."""
    return [(code, language_label(code)) for code in LANGUAGES]


def _form(data: registration.PatientInput, errors: dict[str, str]) -> tuple[str, int]:
    number = registration.number_of(data.personal_id)
    return render_template("plans/staff/patient_new.html", form=data, number=number, languages=languages(),
                           errors={name: ERRORS[code] for name, code in errors.items()}), 422 if errors else 200


def _to_new_plan() -> Response:
    """On to the new-plan form, with the same POST body (the number never goes into an address)."""
    return redirect(url_for("plans.staff.plan_new"), code=307)


@bp.post("/patients/new")
def patient_new() -> Response | tuple[str, int]:
    """The registration form for a number not yet known (sent from Find patient); with register=yes, the patient is
    registered and the nurse goes on to make the care plan. A number already registered goes straight on."""
    session = get_session()
    data = registration.PatientInput.from_form(request.form)
    number = registration.number_of(data.personal_id)
    if number is not None and registration.is_registered(session, number):
        return _to_new_plan()
    if request.form.get("register") != "yes":
        if number is not None and number.birth_date and not data.birth_date:
            data.birth_date = number.birth_date.isoformat()
        return _form(data, {"personal_id": "number"} if number is None else {})
    checked, errors = registration.check_patient(data, stockholm_today())
    if checked is None:
        return _form(data, errors)
    patient = registration.register_patient(session, checked, tuple(current_app.config["LANGUAGES"]))
    if patient is not None:
        log(Action.CREATE, f"patient:{patient.id}", patient.id)
    return _to_new_plan()
