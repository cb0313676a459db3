"""The nurse's list of own patients and the read-only plan."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session

from portal.models import User
from tests import factories
from tests.conftest import HTMX_HEADERS, sign_in


def _sign_in_nurse(client: FlaskClient, session: Session, nurse: factories.StaffMember) -> None:
    sign_in(client, session.get(User, nurse.user_id).email, factories.PASSWORD)


def test_caseload_lists_own_patients_with_masked_numbers(client: FlaskClient, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session)
    factories.patient_with_plan(session)  # someone else's patient
    _sign_in_nurse(client, session, nurse)
    page = client.get("/staff/").get_data(as_text=True)
    assert page.count('<tr class="mv-rtable__row') == 1
    assert patient.name in page
    assert f"{patient.personal_id[:8]}-****" in page
    assert patient.personal_id[8:] not in page.split("<main")[1]
    assert f'href="/staff/plans/{plan.id}"' in page
    assert "Bröstcancer" in page
    assert "Behandling" in page


def test_caseload_when_empty(client: FlaskClient, session: Session) -> None:
    nurse = factories.staff(session, factories.unit(session))
    _sign_in_nurse(client, session, nurse)
    assert "Du är inte kontaktsjuksköterska för någon patient än." in client.get("/staff/").get_data(as_text=True)


def test_plan_page_shows_timeline_contacts_and_tools_for_the_responsible_unit(client: FlaskClient,
                                                                              session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=2)
    item = factories.item(session, plan, days=4, title="Kom fastande", preparation="Ät inget efter midnatt.")
    _sign_in_nurse(client, session, nurse)
    page = client.get(f"/staff/plans/{plan.id}").get_data(as_text=True)
    assert f"Vårdplan för {patient.name}" in page
    assert "Behandling 1" in page
    assert "Behandling 2" in page
    assert "Ät inget efter midnatt." in page  # shown inline in the builder
    assert "/plan/items/" not in page
    assert f"/staff/plans/{plan.id}/items/{item.id}/edit" in page


def test_plan_page_fragment(client: FlaskClient, session: Session) -> None:
    _patient, plan, nurse = factories.patient_with_plan(session)
    _sign_in_nurse(client, session, nurse)
    body = client.get(f"/staff/plans/{plan.id}", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert "Behandling 1" in body
    body = client.get("/staff/", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert "Mina patienter" in body
