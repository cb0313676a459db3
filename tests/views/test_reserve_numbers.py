"""Reserve numbers (reservnummer) where a personal number is typed: the sign-in form, 'Hitta patient' and a new
plan's number; shown masked like personal numbers."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlmodel import Session

from portal.models import Patient, Role, User
from tests import factories
from tests.conftest import client_as, csrf_from, sign_in

VGR = ("19561110-k064", "19561110K064")  # Västra Götaland: K, M or X in the 9th place; typed in lower case
STOCKHOLM = ("99202412-3456", "992024123456")  # Region Stockholm: 99, the year given, six digits


def _reserve_patient(session: Session, stored: str) -> None:
    """A patient known by a reserve number (a Stockholm one holds no birth date: the clinic typed one)."""
    account = User(personal_id=stored, name="Reza Reserv", role=Role.PATIENT, password_hash=factories.PASSWORD_HASH)
    session.add(account)
    session.flush()
    session.add(Patient(user_id=account.id, personal_id=stored, name="Reza Reserv", birth_date=date(1980, 5, 5)))
    session.commit()


@pytest.mark.parametrize(("typed", "stored"), [VGR, STOCKHOLM])
def test_reserve_number_signs_in_with_password_and_code(client, session: Session, typed: str, stored: str) -> None:
    _reserve_patient(session, stored)
    response = sign_in(client, typed, factories.PASSWORD)
    assert response.status_code == 303
    assert client.get("/session").get_json()["signed_in"]


def test_reserve_number_is_found_by_the_nurse_and_shown_masked(app: Flask, session: Session) -> None:
    patient, _plan, nurse = factories.patient_with_plan(session)
    patient.personal_id = VGR[1]
    session.add(patient)
    session.commit()
    client = client_as(app, session.get(User, nurse.user_id))
    token = csrf_from(client.get("/staff/find").get_data(as_text=True))
    page = client.post("/staff/find", data={"csrf_token": token, "q": VGR[0]}).get_data(as_text=True)
    assert patient.name in page
    assert "19561110-****" in page
    assert "K064" not in page


def test_reserve_number_with_a_wrong_date_gets_the_date_message(client) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "identifier": "19561310-K064", "password": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "not a real date of birth" in response.get_data(as_text=True)
