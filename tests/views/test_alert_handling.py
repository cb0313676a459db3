"""All alerts of one form response handled together: one note, an action per alert (contacted, referred with a plan
item, no action needed), who and when; the patient's phone and interpreter where the alert says to call; an alert
open past the unit's reply time is marked wherever alerts are listed (with the portal's clock held still)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.core import clock
from portal.models import (
    AccessEvent,
    Alert,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    FormResponse,
    Patient,
    PlanItem,
    TeamRole,
    User,
)
from portal.plans.services import alerts as alert_waits
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as, count_rows, csrf_from

SENT = datetime(2027, 3, 1, 9, tzinfo=UTC)  # a Monday morning


@dataclass
class World:
    patient: Patient
    plan: CarePlan
    unit: CareUnit
    nurse: User
    response: FormResponse
    alerts: list[Alert]

    @property
    def path(self) -> str:
        return f"/staff/responses/{self.response.id}/alerts"


@pytest.fixture
def world(session: Session) -> World:
    """Maria (who needs an Arabic interpreter) sent 'How are you?' with high distress, breathing and eating marked:
    three alerts, at a unit that replies within 2 days."""
    patient, plan, member = factories.patient_with_plan(session, items=0)
    patient.phone, patient.interpreter_language = "070-174 06 05", "ar"
    session.add(patient)
    answering.import_definitions(session, load_all())
    nurse = session.get(User, member.user_id)
    assignment = answering.assign(session, plan.id, "mabra", None, nurse)
    definition = answering.latest_definitions(session)["mabra"][1]
    response = answering.start_or_resume(session, assignment, session.get(User, patient.user_id))
    answering.save_answers(session, response, definition, {"distress": 8,
                                                           "problems_physical": ["breathing", "eating"]}, [])
    assert answering.submit(session, response, definition, now=SENT)
    session.commit()
    raised = answering.alerts_of(session, response.id)
    assert len(raised) == 3
    return World(patient, plan, session.get(CareUnit, member.unit_id), nurse, response, raised)


@pytest.fixture
def nurse(app: Flask, world: World) -> FlaskClient:
    return client_as(app, world.nurse)


@pytest.fixture
def at_day(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Hold the portal's clock still, `days` after the answers were sent."""
    def hold(days: int) -> None:
        monkeypatch.setattr(clock, "utcnow", lambda: SENT + timedelta(days=days, hours=1))
    return hold


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # noqa: ANN202
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_the_page_shows_every_open_alert_and_how_to_reach_the_patient(nurse: FlaskClient, world: World) -> None:
    page = nurse.get(world.path).get_data(as_text=True)
    assert f'<h1 tabindex="-1">Larm för {world.patient.name}</h1>' in page
    for alert in world.alerts:
        assert f'name="action-{alert.id}" type="radio" value="contacted"' in page
        assert f'name="item_title-{alert.id}"' in page
    assert ('<a class="mv-button mv-button--secondary mv-contact__call" href="tel:0701740605">Ring patienten: '
            '<span class="mv-contact__number">070-174 06 05</span></a>') in page
    assert "Tolk behövs: arabiska" in page
    assert "Spara vad som gjordes för alla 3 larm" in page
    assert page.count('name="note"') == 1
    fragment = nurse.get(world.path, headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Ring patienten" in fragment


def test_several_alerts_are_handled_at_once(nurse: FlaskClient, session: Session, world: World) -> None:
    distress, breathing, eating = world.alerts
    response = _post(nurse, world.path, {
        "note": "Ringde Maria med tolk. Remiss till fysioterapeut.",
        f"action-{distress.id}": "contacted", f"action-{breathing.id}": "referred",
        f"add_item-{breathing.id}": "yes", f"item_title-{breathing.id}": "Träffa fysioterapeut",
        f"action-{eating.id}": "no_action", f"item_title-{eating.id}": "Inte denna"})
    assert response.status_code == 303
    session.expire_all()
    handled = [session.get(Alert, alert.id) for alert in world.alerts]
    assert [(a.status, a.action, a.handled_by_user_id) for a in handled] == [
        ("handled", "contacted", world.nurse.id), ("handled", "referred", world.nurse.id),
        ("handled", "no_action", world.nurse.id)]
    assert {a.action_note for a in handled} == {"Ringde Maria med tolk. Remiss till fysioterapeut."}
    assert all(a.handled_at is not None for a in handled)
    item = session.exec(select(PlanItem)).one()
    assert (handled[1].plan_item_id, item.title, item.phase) == (item.id, "Träffa fysioterapeut", "rehabilitation")
    events = session.exec(select(AccessEvent).where(AccessEvent.action.in_(("update", "create")))).all()
    assert sorted(e.resource for e in events) == sorted([*(f"alert:{a.id}" for a in world.alerts),
                                                         f"plan_item:{item.id}"])
    page = nurse.get(response.headers["Location"]).get_data(as_text=True)
    assert "Larmen är hanterade." in page
    for action in ("Kontaktade patienten", "Remitterade", "Ingen åtgärd behövs"):
        assert f"<dt>Vad som gjordes</dt><dd>{action}</dd>" in page
    assert 'name="note"' not in page


def test_an_alert_without_an_action_is_told_and_nothing_is_handled(nurse: FlaskClient, session: Session,
                                                                  world: World) -> None:
    distress, breathing, _eating = world.alerts
    response = _post(nurse, world.path, {"note": "Ringde.", f"action-{distress.id}": "contacted",
                                         f"action-{breathing.id}": "referred", f"add_item-{breathing.id}": "yes",
                                         f"item_title-{breathing.id}": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Fel:" in page
    assert f'<a href="#action-{world.alerts[2].id}">Välj vad du gjorde åt: Svårt att äta</a>' in page
    assert f'<a href="#item_title-{breathing.id}">Skriv en rubrik på händelsen i planen för: Besvär med andningen</a>' \
        in page
    assert ">Ringde.</textarea>" in page
    assert f'name="action-{distress.id}" type="radio" value="contacted" checked' in page
    assert f'name="add_item-{breathing.id}" type="checkbox" value="yes" checked' in page
    assert session.exec(select(Alert).where(Alert.status == "handled")).first() is None
    assert count_rows(session, PlanItem) == 0


@pytest.mark.parametrize("action", ["", "called", "handled", "referred " * 10])
def test_an_unknown_action_is_refused(nurse: FlaskClient, session: Session, world: World, action: str) -> None:
    data = {"note": "Ringde.", **{f"action-{a.id}": "contacted" for a in world.alerts}}
    data[f"action-{world.alerts[0].id}"] = action
    assert _post(nurse, world.path, data).status_code == 422
    assert session.exec(select(Alert).where(Alert.status == "handled")).first() is None


def test_a_participating_unit_reads_the_alerts_and_the_phone_but_handles_nothing(
        app: Flask, session: Session, world: World) -> None:
    other = factories.unit(session, name="Fysioterapin")
    session.add(CareTeamMembership(plan_id=world.plan.id, unit_id=other.id, role=TeamRole.PARTICIPATING))
    colleague = client_as(app, session.get(User, factories.staff(session, other, name="Pia Fysio").user_id))
    page = colleague.get(world.path).get_data(as_text=True)
    assert 'Ring patienten: <span class="mv-contact__number">070-174 06 05</span>' in page
    assert "Besvär med andningen" in page
    assert 'name="note"' not in page
    data = {"csrf_token": csrf_from(page), "note": "x", **{f"action-{a.id}": "contacted" for a in world.alerts}}
    assert colleague.post(world.path, data=data).status_code == 403
    assert session.exec(select(Alert).where(Alert.status == "handled")).first() is None


def test_alerts_open_past_the_reply_time_are_marked_everywhere_they_are_listed(
        nurse: FlaskClient, world: World, at_day) -> None:  # noqa: ANN001
    pages = (f"/staff/plans/{world.plan.id}", f"/staff/plans/{world.plan.id}/forms",
             f"/staff/responses/{world.response.id}", world.path)
    at_day(2)  # the unit replies within 2 days: not late yet
    for path in pages:
        page = nurse.get(path).get_data(as_text=True)
        assert "Väntar sedan" not in page, path
    at_day(3)
    for path in pages:
        page = nurse.get(path).get_data(as_text=True)
        assert "Väntar sedan 3 dagar" in page, path
        assert "längre än enhetens svarstid" in page, path
    plan_page = nurse.get(pages[0]).get_data(as_text=True)
    assert f'href="/staff/responses/{world.response.id}/alerts">3 larm från ett formulär</a>' in plan_page


def test_a_unit_with_a_longer_reply_time_waits_longer(nurse: FlaskClient, session: Session, world: World,
                                                      at_day) -> None:  # noqa: ANN001
    world.unit.reply_days = 5
    session.add(world.unit)
    session.commit()
    at_day(5)
    assert "Väntar sedan" not in nurse.get(world.path).get_data(as_text=True)
    at_day(6)
    assert "Väntar sedan 6 dagar" in nurse.get(world.path).get_data(as_text=True)


def test_the_caseload_flag_counts_open_and_overdue_alerts_per_plan(session: Session, world: World) -> None:
    quiet_patient = factories.patient(session, name="Anna Berg")
    quiet = factories.plan(session, quiet_patient, world.unit)
    plan_ids = [world.plan.id, quiet.id]
    assert alert_waits.plan_alerts(session, plan_ids, SENT + timedelta(days=1)) == {
        world.plan.id: alert_waits.PlanAlerts(open=3, overdue=0, longest_days=1)}
    assert alert_waits.plan_alerts(session, plan_ids, SENT + timedelta(days=4)) == {
        world.plan.id: alert_waits.PlanAlerts(open=3, overdue=3, longest_days=4)}
    assert alert_waits.plan_alerts(session, []) == {}
