"""Handing a plan over in a country with many units: the nurse first finds the unit by the beginning of a word in its
name, then chooses among its nurses, so the page shows (and costs) the same however many units there are. With few
units the list of every unit's nurses stays as it was."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from portal.models import CarePlan, CareUnit, StaffMember, User
from portal.plans.services import builder
from tests import factories
from tests.conftest import client_as, csrf_from


@pytest.fixture
def many_units(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any country with more than one unit counts as big."""
    monkeypatch.setattr(builder, "HANDOVER_ALL_UNITS", 1)


def _world(session: Session) -> tuple[CarePlan, StaffMember, StaffMember, StaffMember]:
    """A plan at Onkologimottagningen, and a nurse at each of two other units."""
    _patient, plan, nurse = factories.patient_with_plan(session, items=0)
    surgeon = factories.staff(session, factories.unit(session, name="Kirurgmottagningen Södra"), name="Karin Berg")
    lungs = factories.staff(session, factories.unit(session, name="Lungmottagningen"), name="Åke Öst")
    return plan, nurse, surgeon, lungs


def _client(app: Flask, session: Session, nurse: StaffMember) -> FlaskClient:
    return client_as(app, session.get(User, nurse.user_id))


def _option(member: StaffMember) -> str:
    return f'<option value="{member.id}"'


def test_few_units_list_every_units_nurses_without_a_search(app: Flask, session: Session) -> None:
    plan, nurse, surgeon, lungs = _world(session)
    page = _client(app, session, nurse).get(f"/staff/plans/{plan.id}/handover").get_data(as_text=True)
    assert _option(surgeon) in page
    assert _option(lungs) in page
    assert 'name="unit"' not in page


@pytest.mark.usefixtures("many_units")
def test_many_units_ask_for_the_unit_first(app: Flask, session: Session) -> None:
    plan, nurse, surgeon, lungs = _world(session)
    page = _client(app, session, nurse).get(f"/staff/plans/{plan.id}/handover").get_data(as_text=True)
    search = page.split('role="search"')[1].split("</form>")[0]
    assert f'method="get" action="/staff/plans/{plan.id}/handover"' in page
    assert 'type="search"' in search
    assert 'name="unit"' in search
    assert _option(surgeon) not in page
    assert _option(lungs) not in page


@pytest.mark.usefixtures("many_units")
@pytest.mark.parametrize(("text", "found"), [
    ("kirurg", "surgeon"), ("KIR", "surgeon"), ("k", "surgeon"), ("södra", "surgeon"), ("kirurg södra", "surgeon"),
    ("lung", "lungs"), ("åke", "none"),
    ("mottagningen", "none"), ("urg", "none"), ("%", "none"), ("_", "none"), ("x" * 300, "none"),
])
def test_many_units_find_the_unit_by_the_beginning_of_a_word(app: Flask, session: Session, text: str,
                                                             found: str) -> None:
    plan, nurse, surgeon, lungs = _world(session)
    response = _client(app, session, nurse).get(f"/staff/plans/{plan.id}/handover", query_string={"unit": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (_option(surgeon) in page) == (found in ("surgeon", "both"))
    assert (_option(lungs) in page) == (found in ("lungs", "both"))
    assert ("Ingen enhet har ett namn som börjar så." in page) == (found == "none")


@pytest.mark.usefixtures("many_units")
def test_many_units_hand_over_to_the_nurse_found(app: Flask, session: Session) -> None:
    plan, nurse, surgeon, _lungs = _world(session)
    client = _client(app, session, nurse)
    page = client.get(f"/staff/plans/{plan.id}/handover", query_string={"unit": "kirurg"}).get_data(as_text=True)
    form = page.split(f'method="post" action="/staff/plans/{plan.id}/handover"')[1]
    assert 'name="unit" value="kirurg"' in form  # the search goes along, for an error to show the same choices
    response = client.post(f"/staff/plans/{plan.id}/handover",
                           data={"csrf_token": csrf_from(page), "unit": "kirurg", "nurse": str(surgeon.id)})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(CarePlan, plan.id).contact_nurse_id == surgeon.id


@pytest.mark.usefixtures("many_units")
def test_many_units_a_refused_choice_is_shown_again_chosen(app: Flask, session: Session) -> None:
    plan, nurse, _surgeon, _lungs = _world(session)
    colleague = factories.staff(session, session.get(CareUnit, nurse.unit_id), name="Anna Holm")
    client = _client(app, session, nurse)
    page = client.get(f"/staff/plans/{plan.id}/handover").get_data(as_text=True)
    response = client.post(f"/staff/plans/{plan.id}/handover",
                           data={"csrf_token": csrf_from(page), "unit": "", "nurse": str(colleague.id)})
    assert response.status_code == 422
    assert f'<option value="{colleague.id}" selected>' in response.get_data(as_text=True)
