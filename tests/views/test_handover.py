"""Handing a plan over as a transfer: the sending nurse chooses the unit (never her own), perhaps its nurse, writes a
note and confirms; the plan is "under handover" for both units until the receiving unit accepts or declines. Across
care providers the patient's consent comes first, given by phone through the nurse or in the portal, and can be
withdrawn."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import (
    AccessEvent,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    Handover,
    HandoverStatus,
    Patient,
    PlanChange,
    PlanItem,
    ProviderConsent,
    StaffMember,
    TeamRole,
    User,
)
from tests import factories
from tests.conftest import client_as, count_rows, csrf_from


@dataclass
class World:
    patient: Patient
    plan: CarePlan
    nurse: StaffMember  # Eva Lund, Onkologimottagningen (responsible)
    unit: CareUnit
    receiver: StaffMember  # Karin Berg, Kirurgmottagningen (the same care provider)
    receiving: CareUnit
    clinic_nurse: StaffMember  # Sara Strand, Strålbehandlingen (another care provider)
    clinic: CareUnit


@pytest.fixture
def world(session: Session) -> World:
    patient, plan, nurse = factories.patient_with_plan(session, items=2)
    receiving = factories.unit(session, name="Kirurgmottagningen", phone="010-222 33 44")
    clinic = factories.unit(session, name="Strålbehandlingen", phone="08-555 66 77", provider="Strålkliniken AB")
    return World(patient, plan, nurse, session.get(CareUnit, nurse.unit_id),
                 factories.staff(session, receiving, name="Karin Berg"), receiving,
                 factories.staff(session, clinic, name="Sara Strand"), clinic)


def _as(app: Flask, session: Session, member: StaffMember) -> FlaskClient:
    return client_as(app, session.get(User, member.user_id))


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # noqa: ANN202
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _send(client: FlaskClient, world: World, unit: CareUnit, nurse: StaffMember | None = None, confirm: bool = True,
          **extra: str):  # noqa: ANN202
    data = {"to_unit": str(unit.id), "nurse": str(nurse.id) if nurse else "",
            "note": "Strålbehandling klar vecka 12. Behöver uppföljning av huden.", **extra}
    return _post(client, f"/staff/plans/{world.plan.id}/handover", {**data, **({"confirm": "yes"} if confirm else {})})


def _team(session: Session, plan_id: int) -> dict[int, str]:
    session.expire_all()
    rows = session.exec(select(CareTeamMembership).where(CareTeamMembership.plan_id == plan_id,
                                                         CareTeamMembership.until == None)).all()  # noqa: E711
    return {row.unit_id: row.role for row in rows}


def _handover(session: Session) -> Handover:
    session.expire_all()
    return session.exec(select(Handover)).one()


# --- the form ------------------------------------------------------------------------------------------------------

def test_the_form_offers_every_unit_but_the_own_one(app: Flask, session: Session, world: World) -> None:
    page = _as(app, session, world.nurse).get(f"/staff/plans/{world.plan.id}/handover").get_data(as_text=True)
    units = page.split('id="to_unit"')[1].split("</select>")[0]
    assert f'<option value="{world.receiving.id}">Kirurgmottagningen</option>' in units
    assert f'value="{world.unit.id}"' not in units
    assert "Strålbehandlingen (annan vårdgivare: Strålkliniken AB)" in units
    assert f'<option value="{world.receiver.id}">Karin Berg' in page


@pytest.mark.parametrize(("data", "field"), [
    ({"to_unit": ""}, "to_unit"),
    ({"to_unit": "abc"}, "to_unit"),
    ({"to_unit": "999999"}, "to_unit"),
    ({"to_unit": "own"}, "to_unit"),
    ({"nurse": "999999"}, "nurse"),
    ({"nurse": "colleague"}, "nurse"),
    ({"nurse": "x" * 50}, "nurse"),
    ({"note": ""}, "note"),
    ({"note": "x" * 2001}, "note"),
    ({"to_unit": "clinic"}, "consent"),
    ({"to_unit": "clinic", "consent": "maybe"}, "consent"),
])
def test_bad_input_is_422_keeps_what_was_typed_and_changes_nothing(app: Flask, session: Session, world: World,
                                                                   data: dict[str, str], field: str) -> None:
    colleague = factories.staff(session, world.unit, name="Anna Holm")
    values = {"to_unit": str(world.receiving.id), "nurse": "", "note": "Mitt i strålbehandlingen.", **data}
    named = {"own": world.unit.id, "clinic": world.clinic.id, "colleague": colleague.id}
    values = {key: str(named.get(value, value)) for key, value in values.items()}
    response = _post(_as(app, session, world.nurse), f"/staff/plans/{world.plan.id}/handover",
                     {**values, "confirm": "yes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    if values["note"] and len(values["note"]) < 100:
        assert values["note"] in page
    assert count_rows(session, Handover) == 0
    assert _team(session, world.plan.id) == {world.unit.id: TeamRole.RESPONSIBLE}


def test_without_confirmation_the_summary_is_shown_and_nothing_is_saved(app: Flask, session: Session,
                                                                        world: World) -> None:
    client = _as(app, session, world.nurse)
    response = _send(client, world, world.receiving, world.receiver, confirm=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kontrollera överlämningen" in page
    assert "Kirurgmottagningen" in page
    assert "Karin Berg" in page
    assert "Strålbehandling klar vecka 12." in page
    assert 'name="confirm" value="yes"' in page
    assert count_rows(session, Handover) == 0
    back = _send(client, world, world.receiving, world.receiver, confirm=False, edit="yes").get_data(as_text=True)
    assert f'<option value="{world.receiving.id}" selected>' in back  # "Change" brings the form back, filled in
    assert "Strålbehandling klar vecka 12." in back


# --- pending, accepted, declined, cancelled -------------------------------------------------------------------------

def test_a_confirmed_handover_is_pending_and_under_handover_on_both_sides(app: Flask, session: Session,
                                                                         world: World) -> None:
    sender, receiver = _as(app, session, world.nurse), _as(app, session, world.receiver)
    response = _send(sender, world, world.receiving, world.receiver)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?handover_started=1"
    handover = _handover(session)
    assert (handover.status, handover.from_unit_id, handover.to_unit_id, handover.to_nurse_id) == (
        HandoverStatus.PENDING, world.unit.id, world.receiving.id, world.receiver.id)
    assert _team(session, world.plan.id) == {world.unit.id: TeamRole.RESPONSIBLE}  # nothing moves before accepting
    assert session.get(CarePlan, world.plan.id).contact_nurse_id == world.nurse.id
    for client in (sender, receiver):
        page = client.get(f"/staff/plans/{world.plan.id}")
        assert page.status_code == 200
        assert "Under överlämning från Onkologimottagningen till Kirurgmottagningen" in page.get_data(as_text=True)
    start = receiver.get("/staff/").get_data(as_text=True)
    assert "Överlämningar att ta emot (1)" in start
    assert f'href="/staff/handovers/{handover.id}"' in start
    assert "Maria Ek" in start
    assert "Överlämningar att ta emot" not in sender.get("/staff/").get_data(as_text=True)
    review = receiver.get(f"/staff/handovers/{handover.id}").get_data(as_text=True)
    assert "Strålbehandling klar vecka 12." in review
    assert _post(receiver, f"/staff/plans/{world.plan.id}/items/new", {"title": "x"}).status_code in (403, 404)
    again = _send(sender, world, world.receiving)  # a second send while one waits: nothing new
    assert again.status_code == 303
    assert count_rows(session, Handover) == 1


def test_the_receiving_unit_accepts_and_becomes_responsible(app: Flask, session: Session, world: World) -> None:
    sender, receiver = _as(app, session, world.nurse), _as(app, session, world.receiver)
    items_before = {item.id: item.unit_id for item in session.exec(select(PlanItem)).all()}
    _send(sender, world, world.receiving, world.receiver)
    handover = _handover(session)
    response = _post(receiver, f"/staff/handovers/{handover.id}/accept")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?handed_over=1"
    assert _team(session, world.plan.id) == {world.receiving.id: TeamRole.RESPONSIBLE,
                                             world.unit.id: TeamRole.PARTICIPATING}
    assert session.get(CarePlan, world.plan.id).contact_nurse_id == world.receiver.id
    done = _handover(session)
    assert (done.status, done.decided_by_user_id) == (HandoverStatus.ACCEPTED, world.receiver.user_id)
    assert {item.id: item.unit_id for item in session.exec(select(PlanItem)).all()} == items_before
    assert [c.what for c in session.exec(select(PlanChange).order_by(PlanChange.id)).all()][-2:] == [
        "handover_started", "handed_over"]
    page = receiver.get(f"/staff/plans/{world.plan.id}?handed_over=1").get_data(as_text=True)
    assert "Du har tagit över planen." in page
    assert "Under överlämning" not in page
    assert sender.get(f"/staff/plans/{world.plan.id}").status_code == 200  # the sender takes part and reads
    assert _post(sender, f"/staff/plans/{world.plan.id}/items/new", {"title": "x"}).status_code == 403
    assert _post(receiver, f"/staff/handovers/{handover.id}/accept").status_code == 404  # answered once


def test_the_patients_contact_card_shows_the_responsible_unit_first_then_the_team(
        app: Flask, session: Session, world: World) -> None:
    _send(_as(app, session, world.nurse), world, world.receiving, world.receiver)
    _post(_as(app, session, world.receiver), f"/staff/handovers/{_handover(session).id}/accept")
    page = client_as(app, session.get(User, world.patient.user_id)).get("/plan/").get_data(as_text=True)
    card = page.split('class="mv-card mv-contact"')[1].split("</section>")[0]
    order = [card.index(text) for text in ("Karin Berg", "Kirurgmottagningen", "010-222 33 44",
                                           "Också i ditt vårdteam", "Onkologimottagningen", "010-111 22 33")]
    assert order == sorted(order)
    assert 'href="tel:0101112233"' in card


def test_without_a_proposed_nurse_the_one_accepting_becomes_contact_nurse(app: Flask, session: Session,
                                                                          world: World) -> None:
    _send(_as(app, session, world.nurse), world, world.receiving)
    colleague = factories.staff(session, world.receiving, name="Nils Nord")
    _post(_as(app, session, colleague), f"/staff/handovers/{_handover(session).id}/accept")
    assert session.get(CarePlan, world.plan.id).contact_nurse_id == colleague.id


def test_the_receiving_unit_declines_and_the_plan_stays(app: Flask, session: Session, world: World) -> None:
    sender, receiver = _as(app, session, world.nurse), _as(app, session, world.receiver)
    _send(sender, world, world.receiving, world.receiver)
    response = _post(receiver, f"/staff/handovers/{_handover(session).id}/decline")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/?handover=declined"
    assert _handover(session).status == HandoverStatus.DECLINED
    assert _team(session, world.plan.id) == {world.unit.id: TeamRole.RESPONSIBLE}
    assert "Under överlämning" not in sender.get(f"/staff/plans/{world.plan.id}").get_data(as_text=True)
    assert receiver.get(f"/staff/plans/{world.plan.id}").status_code == 404
    assert "Överlämningar att ta emot" not in receiver.get("/staff/").get_data(as_text=True)


def test_the_sender_takes_the_handover_back(app: Flask, session: Session, world: World) -> None:
    sender = _as(app, session, world.nurse)
    _send(sender, world, world.receiving)
    handover = _handover(session)
    response = _post(sender, f"/staff/plans/{world.plan.id}/handover/{handover.id}/cancel")
    assert response.headers["Location"] == f"/staff/plans/{world.plan.id}?handover_cancelled=1"
    assert _handover(session).status == HandoverStatus.CANCELLED
    assert _post(sender, f"/staff/plans/{world.plan.id}/handover/{handover.id}/cancel").status_code == 404


def test_only_the_receiving_units_staff_see_or_answer_it(app: Flask, session: Session, world: World) -> None:
    _send(_as(app, session, world.nurse), world, world.receiving)
    handover = _handover(session)
    stranger = factories.staff(session, factories.unit(session, name="Hudmottagningen"), name="Olle Annan")
    for member in (stranger, world.nurse):
        client = _as(app, session, member)
        assert client.get(f"/staff/handovers/{handover.id}").status_code == 404
        assert _post(client, f"/staff/handovers/{handover.id}/accept").status_code == 404
        assert _post(client, f"/staff/handovers/{handover.id}/decline").status_code == 404
    assert _handover(session).status == HandoverStatus.PENDING
    assert _as(app, session, stranger).get(f"/staff/plans/{world.plan.id}").status_code == 404


# --- across care providers -----------------------------------------------------------------------------------------

def test_consent_by_phone_is_recorded_and_lets_the_other_provider_read_and_accept(
        app: Flask, session: Session, world: World) -> None:
    clinic = _as(app, session, world.clinic_nurse)
    assert clinic.get(f"/staff/plans/{world.plan.id}").status_code == 404
    _send(_as(app, session, world.nurse), world, world.clinic, world.clinic_nurse, consent="phone")
    consents = session.exec(select(ProviderConsent)).all()
    assert {(c.provider_id, c.method, c.recorded_by_user_id) for c in consents} == {
        (world.clinic.provider_id, "phone", world.nurse.user_id),
        (world.unit.provider_id, "phone", world.nurse.user_id)}  # both providers may see it once handed over
    assert clinic.get(f"/staff/plans/{world.plan.id}").status_code == 200
    event = session.exec(select(AccessEvent).where(AccessEvent.actor_user_id == world.clinic_nurse.user_id,
                                                   AccessEvent.action == "read")).all()[-1]
    assert event.unit_id == world.clinic.id  # a cross-provider read is logged with its unit (and so its provider)
    assert _post(clinic, f"/staff/handovers/{_handover(session).id}/accept").status_code == 303
    assert _team(session, world.plan.id)[world.clinic.id] == TeamRole.RESPONSIBLE
    assert _as(app, session, world.nurse).get(f"/staff/plans/{world.plan.id}").status_code == 200


def test_consent_in_the_portal_comes_before_reading_and_accepting(app: Flask, session: Session, world: World) -> None:
    clinic = _as(app, session, world.clinic_nurse)
    _send(_as(app, session, world.nurse), world, world.clinic, consent="portal")
    handover = _handover(session)
    assert "väntar på patientens samtycke" in clinic.get("/staff/").get_data(as_text=True)
    assert clinic.get(f"/staff/plans/{world.plan.id}").status_code == 404
    review = clinic.get(f"/staff/handovers/{handover.id}").get_data(as_text=True)
    assert "Strålbehandling klar vecka 12." not in review  # not even the note before the patient agrees
    refused = _post(clinic, f"/staff/handovers/{handover.id}/accept")
    assert refused.status_code == 409
    assert _team(session, world.plan.id) == {world.unit.id: TeamRole.RESPONSIBLE}

    patient = client_as(app, session.get(User, world.patient.user_id))
    sharing = patient.get("/plan/sharing").get_data(as_text=True)
    assert "Strålkliniken AB" in sharing.split("Vill se din plan")[1]
    token = csrf_from(sharing)
    agreed = patient.post("/plan/sharing", data={"csrf_token": token, "provider": str(world.clinic.provider_id),
                                                 "answer": "agree"})
    assert agreed.headers["Location"] == "/plan/sharing?done=agreed#confirmation"
    assert session.exec(select(ProviderConsent.method)).all() == ["portal"]
    assert clinic.get(f"/staff/plans/{world.plan.id}").status_code == 200
    assert _post(clinic, f"/staff/handovers/{handover.id}/accept").status_code == 303


def test_withdrawing_consent_ends_that_providers_access(app: Flask, session: Session, world: World) -> None:
    session.add(CareTeamMembership(plan_id=world.plan.id, unit_id=world.clinic.id, role=TeamRole.PARTICIPATING))
    session.add(ProviderConsent(patient_id=world.patient.id, provider_id=world.clinic.provider_id, method="phone",
                                recorded_by_user_id=world.nurse.user_id))
    session.commit()
    clinic = _as(app, session, world.clinic_nurse)
    assert clinic.get(f"/staff/plans/{world.plan.id}").status_code == 200
    assert clinic.get(f"/staff/plans/{world.plan.id}/messages").status_code == 200
    patient = client_as(app, session.get(User, world.patient.user_id))
    page = patient.get("/plan/sharing").get_data(as_text=True)
    assert "Du sa ja i telefon" in page
    assert "Eva Lund" in page
    response = patient.post("/plan/sharing", data={"csrf_token": csrf_from(page), "answer": "withdraw",
                                                   "provider": str(world.clinic.provider_id)})
    assert response.status_code == 303
    for path in ("", "/history", "/reading"):
        assert clinic.get(f"/staff/plans/{world.plan.id}{path}").status_code == 404
    assert clinic.get(f"/staff/plans/{world.plan.id}/messages").status_code == 404
    assert "Strålkliniken AB" in patient.get("/plan/sharing").get_data(as_text=True).split("Vill se din plan")[1]


@pytest.mark.parametrize(("provider", "answer"), [("own", "withdraw"), ("clinic", "withdraw"), ("clinic", "agree"),
                                                  ("own", "agree"), ("x", "agree"), ("clinic", "")])
def test_the_patient_cannot_withdraw_the_responsible_provider_or_answer_nonsense(
        app: Flask, session: Session, world: World, provider: str, answer: str) -> None:
    patient = client_as(app, session.get(User, world.patient.user_id))
    page = patient.get("/plan/sharing").get_data(as_text=True)
    assert "Testsjukhuset" in page  # the responsible provider, always
    ids = {"own": str(world.unit.provider_id), "clinic": str(world.clinic.provider_id), "x": "x"}
    response = patient.post("/plan/sharing", data={"csrf_token": csrf_from(page), "provider": ids[provider],
                                                   "answer": answer})
    assert response.status_code == 422
    assert 'class="mv-error-summary"' in response.get_data(as_text=True)
    assert count_rows(session, ProviderConsent) == 0


def test_the_sharing_page_is_linked_from_the_more_page(app: Flask, session: Session, world: World) -> None:
    page = client_as(app, session.get(User, world.patient.user_id)).get("/plan/more").get_data(as_text=True)
    assert 'href="/plan/sharing"' in page
