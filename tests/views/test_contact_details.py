"""The patient's contact details: the responsible unit changes them, the whole care team sees them on the plan page
(a tel: link, the interpreter needed), others get 404; bad input is told and kept; every look and change logged."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import AccessEvent, CarePlan, CareTeamMembership, Patient, TeamRole, User
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as, csrf_from


@dataclass
class World:
    patient: Patient
    plan: CarePlan
    nurse: FlaskClient

    @property
    def path(self) -> str:
        return f"/staff/plans/{self.plan.id}/contact-details"


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    patient, plan, member = factories.patient_with_plan(session, items=0)
    return World(patient, plan, client_as(app, session.get(User, member.user_id)))


def _save(client: FlaskClient, path: str, **data: str):  # noqa: ANN202
    token = csrf_from(client.get(path).get_data(as_text=True))
    fields = {"phone": "", "email": "", "language": "sv", **data}
    return client.post(path, data={"csrf_token": token, **fields})


def _fresh(session: Session, world: World) -> tuple[Patient, User]:
    session.expire_all()
    patient = session.get(Patient, world.patient.id)
    return patient, session.get(User, patient.user_id)


def test_the_form_shows_the_details_as_they_are(session: Session, world: World) -> None:
    world.patient.phone, world.patient.language = "070-174 06 05", "fi"
    session.add(world.patient)
    session.commit()
    page = world.nurse.get(world.path).get_data(as_text=True)
    assert f'<h1 tabindex="-1">Kontaktuppgifter för {world.patient.name}</h1>' in page
    assert 'value="070-174 06 05"' in page
    assert '<option value="fi" selected>Finska</option>' in page
    assert '<option value="ar">Arabiska</option>' in page
    assert 'name="interpreter"' in page
    fragment = world.nurse.get(world.path, headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in fragment
    assert 'name="phone"' in fragment
    event = session.exec(select(AccessEvent).where(AccessEvent.resource == f"contact_details:{world.plan.id}")).first()
    assert (event.action, event.patient_id) == ("read", world.patient.id)


def test_saving_stores_them_on_the_patient_and_the_plan_page_shows_them(session: Session, world: World) -> None:
    response = _save(world.nurse, world.path, phone=" 070-174 06 05 ", email="Maria@Example.se", language="sv",
                     interpreter="yes", interpreter_language="ar")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?contact=saved#patient-contact-heading"
    patient, account = _fresh(session, world)
    assert (patient.phone, patient.language, patient.interpreter_language) == ("070-174 06 05", "sv", "ar")
    assert (account.contact_email, account.notify_messages) == ("maria@example.se", True)
    updates = session.exec(select(AccessEvent).where(AccessEvent.action == "update")).all()
    assert [(e.resource, e.patient_id) for e in updates] == [(f"contact_details:{world.plan.id}", patient.id)]
    page = world.nurse.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kontaktuppgifterna är sparade." in page
    assert ('<a class="mv-button mv-button--secondary mv-contact__call" href="tel:0701740605">Ring patienten: '
            '<span class="mv-contact__number">070-174 06 05</span></a>') in page
    assert "Tolk behövs: arabiska" in page
    assert "maria@example.se" in page
    assert f'href="/staff/plans/{world.plan.id}/contact-details">Ändra kontaktuppgifterna</a>' in page


def test_the_patients_language_becomes_the_portals_and_the_e_mails_unless_they_chose_one(session: Session,
                                                                                    world: World) -> None:
    """Arabic preferred: the portal speaks Arabic to her; Somali with an interpreter in Finnish: Finnish; a language
    the portal does not speak and no interpreter: Swedish. A language she chose herself is kept."""
    for data, expected in (({"language": "ar"}, "ar"), ({"language": "so", "interpreter": "yes",
                                                          "interpreter_language": "fi"}, "fi"),
                           ({"language": "so"}, None)):
        assert _save(world.nurse, world.path, **data).status_code == 303
        assert _fresh(session, world)[1].locale == expected
    account = _fresh(session, world)[1]
    account.locale = "en"  # her own choice, on the language page
    session.add(account)
    session.commit()
    assert _save(world.nurse, world.path, language="ar").status_code == 303
    assert _fresh(session, world)[1].locale == "en"


def test_a_patient_who_turned_notices_off_keeps_them_off(session: Session, world: World) -> None:
    account = session.get(User, world.patient.user_id)
    account.contact_email, account.notify_messages = "maria@example.se", False
    session.add(account)
    session.commit()
    assert _save(world.nurse, world.path, email="maria@example.se", phone="08-123 456").status_code == 303
    assert _fresh(session, world)[1].notify_messages is False
    assert _save(world.nurse, world.path).status_code == 303  # everything emptied: no interpreter, no e-mail
    patient, account = _fresh(session, world)
    assert (patient.phone, patient.interpreter_language, account.contact_email) == (None, None, None)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"phone": "ring mig"}, "phone", "Skriv telefonnumret med siffror"),
    ({"phone": "(070) 123 45"}, "phone", "Skriv telefonnumret med siffror"),
    ({"phone": "070-1"}, "phone", "Skriv telefonnumret med siffror"),
    ({"phone": "0" * 41}, "phone", "Skriv telefonnumret med siffror"),
    ({"email": "inte en adress"}, "email", "Skriv e-postadressen"),
    ({"language": "xx"}, "language", "Välj ett språk."),
    ({"interpreter": "yes", "interpreter_language": ""}, "interpreter_language", "Välj vilket språk tolken"),
    ({"interpreter": "yes", "interpreter_language": "klingon"}, "interpreter_language", "Välj vilket språk tolken"),
])
def test_bad_input_is_told_kept_and_saves_nothing(session: Session, world: World, data: dict[str, str], field: str,
                                                  message: str) -> None:
    typed = {"phone": "070-174 06 05", "email": "maria@example.se", "language": "fi", **data}
    response = _save(world.nurse, world.path, **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Fel:" in page
    assert f'<a href="#{field}">{message}' in page
    if field != "phone":
        assert f'value="{typed["phone"]}"' in page
    if field != "email":
        assert 'value="maria@example.se"' in page
    if "interpreter" in data:
        assert 'name="interpreter" type="checkbox" value="yes" checked' in page
    patient, account = _fresh(session, world)
    assert (patient.phone, patient.language, account.contact_email) == (None, "sv", None)


def test_a_patient_without_an_account_has_no_e_mail_to_give(app: Flask, session: Session, world: World) -> None:
    child = Patient(personal_id=factories.personal_id("20180101"), name="Elsa Lind",
                    birth_date=world.patient.birth_date)
    session.add(child)
    session.flush()
    unit_id = session.exec(select(CareTeamMembership.unit_id).where(
        CareTeamMembership.plan_id == world.plan.id)).first()
    plan = CarePlan(patient_id=child.id, template_key="generell", contact_nurse_id=world.plan.contact_nurse_id)
    session.add(plan)
    session.flush()
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=unit_id, role=TeamRole.RESPONSIBLE))
    session.commit()
    path = f"/staff/plans/{plan.id}/contact-details"
    page = world.nurse.get(path).get_data(as_text=True)
    assert 'name="email"' not in page
    assert "Patienten har inget eget konto" in page
    assert _save(world.nurse, path, email="sara@example.se").status_code == 422
    assert _save(world.nurse, path, phone="+46 70 174 06 05").status_code == 303
    session.expire_all()
    assert session.get(Patient, child.id).phone == "+46 70 174 06 05"


def test_a_participating_unit_sees_them_and_may_not_change_them(app: Flask, session: Session, world: World) -> None:
    world.patient.phone, world.patient.interpreter_language = "070-174 06 05", "so"
    session.add(world.patient)
    other = factories.unit(session, name="Fysioterapin")
    session.add(CareTeamMembership(plan_id=world.plan.id, unit_id=other.id, role=TeamRole.PARTICIPATING))
    colleague = client_as(app, session.get(User, factories.staff(session, other, name="Pia Fysio").user_id))
    page = colleague.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert 'Ring patienten: <span class="mv-contact__number">070-174 06 05</span>' in page
    assert "Tolk behövs: somaliska" in page
    assert "/contact-details" not in page
    assert colleague.get(world.path).status_code == 403
    token = csrf_from(page)
    assert colleague.post(world.path, data={"csrf_token": token, "phone": "08-1", "language": "sv"}).status_code == 403
    session.expire_all()
    assert session.get(Patient, world.patient.id).phone == "070-174 06 05"
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).all()
    assert [e.resource for e in denied] == [f"contact_details:{world.plan.id}"] * 2


def test_another_unit_gets_404(app: Flask, session: Session, world: World) -> None:
    stranger = client_as(app, session.get(User, factories.staff(session, factories.unit(session, name="Hud")).user_id))
    token = csrf_from(stranger.get("/staff/find").get_data(as_text=True))
    assert stranger.get(world.path).status_code == 404
    assert stranger.post(world.path, data={"csrf_token": token, "phone": "08-123 456"}).status_code == 404
    assert stranger.get(f"/staff/plans/{world.plan.id}").status_code == 404
