"""Handing a plan over in a country with many units: the nurse first finds the unit by the beginning of a word in its
name, then chooses it (and perhaps one of its nurses), so the page shows (and costs) the same however many units
there are. With few units every unit but the plan's own is listed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import CarePlan, CareUnit, Handover, StaffMember, User
from portal.plans.services import handover
from tests import factories
from tests.conftest import client_as, csrf_from


@pytest.fixture
def many_units(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any country with more than one unit counts as big."""
    monkeypatch.setattr(handover, "ALL_UNITS", 1)


def _world(session: Session) -> tuple[CarePlan, StaffMember, StaffMember, StaffMember]:
    """A plan at Onkologimottagningen, and a nurse at each of two other units."""
    _patient, plan, nurse = factories.patient_with_plan(session, items=0)
    surgeon = factories.staff(session, factories.unit(session, name="Kirurgmottagningen Södra"), name="Karin Berg")
    lungs = factories.staff(session, factories.unit(session, name="Lungmottagningen"), name="Åke Öst")
    return plan, nurse, surgeon, lungs


def _client(app: Flask, session: Session, nurse: StaffMember) -> FlaskClient:
    return client_as(app, session.get(User, nurse.user_id))


def _option(member: StaffMember) -> str:
    return f'<option value="{member.unit_id}"'


def _units(page: str) -> str:
    return page.split('id="to_unit"')[1].split("</select>")[0] if 'id="to_unit"' in page else ""


def test_few_units_list_every_other_unit_without_a_search(app: Flask, session: Session) -> None:
    plan, nurse, surgeon, lungs = _world(session)
    page = _client(app, session, nurse).get(f"/staff/plans/{plan.id}/handover").get_data(as_text=True)
    assert _option(surgeon) in _units(page)
    assert _option(lungs) in _units(page)
    assert _option(nurse) not in _units(page)  # never the plan's own unit
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
    ("lung", "lungs"), ("åke", "none"), ("onkologi", "none"),
    ("mottagningen", "none"), ("urg", "none"), ("%", "none"), ("_", "none"), ("x" * 300, "none"),
])
def test_many_units_find_the_unit_by_the_beginning_of_a_word(app: Flask, session: Session, text: str,
                                                             found: str) -> None:
    plan, nurse, surgeon, lungs = _world(session)
    response = _client(app, session, nurse).get(f"/staff/plans/{plan.id}/handover", query_string={"unit": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (_option(surgeon) in _units(page)) == (found == "surgeon")
    assert (_option(lungs) in _units(page)) == (found == "lungs")
    assert _option(nurse) not in _units(page)
    assert ("Ingen enhet har ett namn som börjar så." in page) == (found == "none")


@pytest.mark.usefixtures("many_units")
def test_many_units_hand_over_to_the_unit_found(app: Flask, session: Session) -> None:
    plan, nurse, surgeon, _lungs = _world(session)
    client = _client(app, session, nurse)
    page = client.get(f"/staff/plans/{plan.id}/handover", query_string={"unit": "kirurg"}).get_data(as_text=True)
    form = page.split(f'method="post" action="/staff/plans/{plan.id}/handover"')[1]
    assert 'name="unit" value="kirurg"' in form  # the search goes along, for an error to show the same choices
    data = {"csrf_token": csrf_from(page), "unit": "kirurg", "to_unit": str(surgeon.unit_id),
            "nurse": str(surgeon.id), "note": "Tar över efter operationen.", "confirm": "yes"}
    assert client.post(f"/staff/plans/{plan.id}/handover", data=data).status_code == 303
    sent = session.exec(select(Handover)).one()
    assert (sent.to_unit_id, sent.to_nurse_id) == (surgeon.unit_id, surgeon.id)


@pytest.mark.usefixtures("many_units")
def test_many_units_a_refused_choice_is_shown_again_chosen(app: Flask, session: Session) -> None:
    plan, nurse, surgeon, _lungs = _world(session)
    colleague = factories.staff(session, session.get(CareUnit, nurse.unit_id), name="Anna Holm")
    client = _client(app, session, nurse)
    page = client.get(f"/staff/plans/{plan.id}/handover").get_data(as_text=True)
    response = client.post(f"/staff/plans/{plan.id}/handover",
                           data={"csrf_token": csrf_from(page), "unit": "", "to_unit": str(surgeon.unit_id),
                                 "nurse": str(colleague.id), "note": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<option value="{surgeon.unit_id}" selected>' in _units(page)  # the unit chosen is offered again
    assert 'id="nurse-error"' in page
