"""The activation letter: a nurse of the responsible unit prints a one-time code; the patient (here one with a reserve
number and no account) uses it once on /activate to set a password and an app, and lands on their plan."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.core import clock
from portal.models import AccessEvent, ActivationLetter, CareTeamMembership, Patient, SecurityEvent, TeamRole, User
from tests import factories
from tests.conftest import client_as, csrf_from, sign_in

RESERVE = "19750312-K123"
CODE_RE = re.compile(r"data-activation-code>([A-Z0-9-]{14})<")
SECRET_RE = re.compile(r"data-totp-secret>([A-Z2-7 ]+)<")
NEW_PASSWORD = "ett långt lösenord"
real_utcnow = clock.utcnow


class World:
    def __init__(self, session: Session) -> None:
        self.unit = factories.unit(session)
        self.nurse = factories.staff(session, self.unit)
        self.patient = Patient(personal_id="19750312K123", name="Nils Reserv", birth_date=date(1975, 3, 12))
        session.add(self.patient)
        session.commit()
        self.plan = factories.plan(session, self.patient, self.unit, self.nurse)


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


def _english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _print(app: Flask, session: Session, world: World) -> str:
    nurse = _english(client_as(app, session.get(User, world.nurse.user_id)))
    page = nurse.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert "Print an activation letter" in page
    response = nurse.post(f"/staff/plans/{world.plan.id}/activation-letter", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 200
    return CODE_RE.search(response.get_data(as_text=True)).group(1)


def _start(client: FlaskClient, number: str, code: str):  # noqa: ANN202
    token = csrf_from(client.get("/activate").get_data(as_text=True))
    return client.post("/activate", data={"personal_id": number, "code": code, "csrf_token": token})


def _account(client: FlaskClient, password: str = NEW_PASSWORD, again: str | None = None, code: str | None = None):  # noqa: ANN202
    page = client.get("/activate/account").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    data = {"password": password, "password_again": password if again is None else again,
            "code": pyotp.TOTP(secret).now() if code is None else code, "csrf_token": csrf_from(page)}
    return client.post("/activate/account", data=data)


def test_the_nurse_prints_a_letter_and_the_access_log_says_so(app: Flask, session: Session, world: World) -> None:
    code = _print(app, session, world)
    letter = session.exec(select(ActivationLetter)).one()
    assert code.replace("-", "") not in letter.code_hash
    assert (letter.expires_at.replace(tzinfo=None) - letter.created_at.replace(tzinfo=None)) == timedelta(days=14)
    events = session.exec(select(AccessEvent.resource).where(AccessEvent.patient_id == world.patient.id)).all()
    assert f"activation_letter:{letter.id}" in events


def test_a_participating_unit_cannot_print_a_letter(app: Flask, session: Session, world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    other = factories.unit(session, name="Kirurgen")
    session.add(CareTeamMembership(plan_id=world.plan.id, unit_id=other.id, role=TeamRole.PARTICIPATING))
    session.commit()
    reader = client_as(app, session.get(User, factories.staff(session, other).user_id))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert reader.post(f"/staff/plans/{world.plan.id}/activation-letter").status_code == 403
    assert session.exec(select(ActivationLetter)).all() == []


def test_the_patient_activates_once_and_lands_on_the_plan(app: Flask, session: Session, world: World) -> None:
    code = _print(app, session, world)
    patient = _english(app.test_client())
    assert _start(patient, RESERVE, code.lower()).headers["Location"] == "/activate/account"
    short = _account(patient, password="kort", code="000000")
    assert short.status_code == 422
    assert "at least 10 characters" in short.get_data(as_text=True)
    assert "The code does not match" in short.get_data(as_text=True)

    done = _account(patient)
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>", done.get_data(as_text=True))) == 10
    assert patient.get("/", follow_redirects=True).request.path == "/plan/"
    session.expire_all()
    account = session.exec(select(User).where(User.personal_id == "19750312K123")).one()
    assert session.get(Patient, world.patient.id).user_id == account.id
    assert account.totp_secret
    assert session.exec(select(ActivationLetter)).one().used_at is not None
    assert "activation" in session.exec(select(SecurityEvent.method)).all()

    again = _english(app.test_client())
    assert _start(again, RESERVE, code).status_code == 422  # single use
    assert sign_in(app.test_client(), RESERVE, NEW_PASSWORD).headers["Location"] == "/"  # password + app from now on


def test_a_new_letter_voids_the_old_one(app: Flask, session: Session, world: World) -> None:
    old = _print(app, session, world)
    new = _print(app, session, world)
    patient = _english(app.test_client())
    refused = _start(patient, RESERVE, old)
    assert refused.status_code == 422
    assert "do not match a valid letter" in refused.get_data(as_text=True)
    assert RESERVE in refused.get_data(as_text=True)  # what was typed is kept
    assert _start(patient, RESERVE, new).status_code == 303


def test_an_expired_letter_is_refused(app: Flask, session: Session, world: World,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code = _print(app, session, world)
    monkeypatch.setattr(clock, "utcnow", lambda: real_utcnow() + timedelta(days=14, minutes=1))
    assert _start(_english(app.test_client()), RESERVE, code).status_code == 422


@pytest.mark.parametrize(("number", "code", "message"), [
    ("", "ABCD-EFGH-JKLM", "Write your personal identity number"),
    ("19750312-K123", "", "Write the code from your activation letter"),
    ("19750399-K123", "ABCD-EFGH-JKLM", "not a real date"),
])
def test_bad_input_on_activate_gets_a_clear_message(client: FlaskClient, session: Session, number: str, code: str,
                                                    message: str) -> None:
    response = _start(_english(client), number, code)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_second_step_needs_the_first(client: FlaskClient) -> None:
    assert client.get("/activate/account").headers["Location"] == "/activate"
