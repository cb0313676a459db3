"""Registering a patient from "Find patient": a personal or coordination number gives the birth date, a reserve
number needs it written; then the nurse goes on to make the care plan. Bad input is told, kept, never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import AccessEvent, Patient, User
from tests import factories
from tests.conftest import client_as, count_rows, csrf_from

TOLVAN = "19121212-1212"  # the Tax Agency's published test person
RESERVE = "19561110-K064"  # a dated reserve number (Västra Götaland's shape)


@pytest.fixture
def nurse(app: Flask, session: Session) -> FlaskClient:
    unit = factories.unit(session)
    return client_as(app, session.get(User, factories.staff(session, unit).user_id))


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # noqa: ANN202
    token = csrf_from(client.get("/staff/find").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_find_offers_to_register_an_unknown_number(nurse: FlaskClient) -> None:
    page = _post(nurse, "/staff/find", {"q": TOLVAN}).get_data(as_text=True)
    assert "Registrera patient" in page
    assert 'action="/staff/patients/new"' in page
    assert "Registrera patient" not in _post(nurse, "/staff/find", {"q": "Nyström"}).get_data(as_text=True)


def test_registering_with_a_personal_number_derives_the_birth_date_and_goes_on_to_the_plan(
        nurse: FlaskClient, session: Session) -> None:
    form = _post(nurse, "/staff/patients/new", {"personal_id": TOLVAN})
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert "1912-12-12" in page
    assert 'name="birth_date"' not in page  # from the number, not typed
    response = _post(nurse, "/staff/patients/new", {
        "personal_id": TOLVAN, "register": "yes", "name": "Tolvan Tolvansson", "language": "sv",
        "email": "Tolvan@Example.se", "phone": "070-123 45 67"})
    assert response.status_code == 307
    assert response.headers["Location"].endswith("/staff/new-plan")  # the same body goes on: no number in the URL
    patient = session.exec(select(Patient).where(Patient.personal_id == "191212121212")).one()
    assert (patient.name, patient.birth_date, patient.language, patient.phone) == (
        "Tolvan Tolvansson", date(1912, 12, 12), "sv", "070-123 45 67")
    account = session.get(User, patient.user_id)
    assert (account.personal_id, account.role, account.contact_email, account.notify_messages,
            account.password_hash) == ("191212121212", "patient", "tolvan@example.se", True, "")
    event = session.exec(select(AccessEvent).where(AccessEvent.patient_id == patient.id)).one()
    assert (event.action, event.resource) == ("create", f"patient:{patient.id}")
    plan_form = nurse.post("/staff/new-plan", data={"csrf_token": csrf_from(nurse.get("/staff/find").get_data(
        as_text=True)), "personal_id": TOLVAN, "register": "yes"})
    assert plan_form.status_code == 200
    assert "Ny vårdplan för Tolvan Tolvansson" in plan_form.get_data(as_text=True)


def test_registering_with_a_reserve_number_needs_the_birth_date(nurse: FlaskClient, session: Session) -> None:
    form = _post(nurse, "/staff/patients/new", {"personal_id": RESERVE}).get_data(as_text=True)
    assert "Reservnummer" in form
    assert 'name="birth_date"' in form
    assert 'value="1956-11-10"' in form  # the date in the number is offered, and can be changed
    data = {"personal_id": RESERVE, "register": "yes", "name": "Okänd Kvinna", "language": "ar", "birth_date": ""}
    refused = _post(nurse, "/staff/patients/new", data)
    assert refused.status_code == 422
    assert "Skriv födelsedatumet" in refused.get_data(as_text=True)
    assert 'value="Okänd Kvinna"' in refused.get_data(as_text=True)
    assert count_rows(session, Patient) == 0
    assert _post(nurse, "/staff/patients/new", {**data, "birth_date": "1956-11-09"}).status_code == 307
    patient = session.exec(select(Patient)).one()
    assert (patient.personal_id, patient.birth_date, patient.language) == ("19561110K064", date(1956, 11, 9), "ar")
    assert session.get(User, patient.user_id).locale == "ar"  # the portal speaks Arabic to her (and e-mails her in it)


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Skriv patientens namn"),
    ({"email": "inte en adress"}, "Skriv e-postadressen"),
    ({"phone": "ring mig"}, "Skriv ett telefonnummer"),
    ({"language": "xx"}, "Välj ett språk"),
    ({"personal_id": "19121212-1213"}, "Skriv ett personnummer"),
    ({"personal_id": "x" * 400}, "Skriv ett personnummer"),
    ({"birth_date": "1956-02-30", "personal_id": RESERVE}, "Skriv födelsedatumet"),
    ({"birth_date": "2999-01-01", "personal_id": RESERVE}, "Skriv födelsedatumet"),
])
def test_a_refused_registration_says_why_keeps_what_was_typed_and_makes_nothing(
        nurse: FlaskClient, session: Session, changes: dict[str, str], message: str) -> None:
    data = {"personal_id": TOLVAN, "register": "yes", "name": "Tolvan Tolvansson", "language": "sv",
            "email": "tolvan@example.se", "phone": "070-1234567", **changes}
    response = _post(nurse, "/staff/patients/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if "email" not in changes:
        assert 'value="tolvan@example.se"' in page
    assert count_rows(session, Patient) == 0
    assert count_rows(session, User, User.role == "patient") == 0


def test_a_number_already_registered_goes_straight_on_to_the_plan(nurse: FlaskClient, session: Session) -> None:
    known = factories.patient(session, name="Nils Ny")
    response = _post(nurse, "/staff/patients/new", {"personal_id": known.personal_id, "register": "yes",
                                                    "name": "Någon Annan", "language": "sv"})
    assert response.status_code == 307
    session.refresh(known)
    assert known.name == "Nils Ny"
    assert count_rows(session, Patient) == 1


def test_an_account_made_by_e_id_before_registration_is_used(nurse: FlaskClient, session: Session) -> None:
    account = factories.user(session, role="patient")
    account.personal_id = "191212121212"
    session.add(account)
    _post(nurse, "/staff/patients/new", {"personal_id": TOLVAN, "register": "yes", "name": "Tolvan Tolvansson",
                                         "language": "en"})
    patient = session.exec(select(Patient)).one()
    assert patient.user_id == account.id
