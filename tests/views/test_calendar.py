"""'Lägg till i kalendern' (issue 14): an item's .ics file, the private calendar feed at a secret address, and the item
page's address, map link and "Kan du inte komma? Ring …". Calendar text never says what a visit is about."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import NamedTuple

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.core.clock import STOCKHOLM, stockholm_today
from portal.models import (
    AccessEvent,
    CarePlan,
    CareUnit,
    DatePrecision,
    Delegation,
    DelegationStatus,
    ItemStatus,
    Patient,
    PlanItem,
    Relation,
    Role,
    User,
)
from portal.plans.access import ACTING_KEY
from portal.plans.services import calendar as calendars
from tests import factories
from tests.conftest import client_as, csrf_from

DIAGNOSIS_WORDS = ("cellgift", "cancer", "tumör", "onkolog", "bröst", "strål", "behandling")


class World(NamedTuple):
    patient: Patient
    plan: CarePlan
    unit: CareUnit
    timed: PlanItem
    day: PlanItem


@pytest.fixture
def world(session: Session) -> World:
    maria, plan, nurse = factories.patient_with_plan(session, items=0)
    unit = session.get(CareUnit, nurse.unit_id)
    unit.street, unit.postcode, unit.city = "Sjöstadsvägen 12, ingång C", "120 65", "Stockholm"
    session.add(unit)
    timed = factories.item(session, plan, days=5, title="Cellgiftsbehandling", at=unit)
    day = factories.item(session, plan, days=8, title="Strålbehandling", precision=DatePrecision.DAY, at=unit)
    factories.item(session, plan, days=12, title="Planerad", status=ItemStatus.PLANNED, at=unit)
    factories.item(session, plan, days=20, title="Vecka", precision=DatePrecision.WEEK, at=unit)
    factories.item(session, plan, days=3, title="Inställd", status=ItemStatus.CANCELLED, at=unit)
    session.commit()
    return World(maria, plan, unit, timed, day)


def _patient_client(app: Flask, session: Session, world: World) -> FlaskClient:
    return client_as(app, session.get(User, world.patient.user_id))


def _relative_client(app: Flask, session: Session, world: World, scopes: str) -> FlaskClient:
    relative = factories.user(session, role=Role.RELATIVE)
    today = stockholm_today()
    delegation = Delegation(patient_id=world.patient.id, relative_user_id=relative.id, relation=Relation.PARTNER,
                            scopes=scopes, valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=90),
                            status=DelegationStatus.ACTIVE, invite_name=relative.name,
                            invite_email=relative.email or "")
    session.add(delegation)
    session.commit()
    client = client_as(app, relative)
    with client.session_transaction() as state:
        state[ACTING_KEY] = delegation.id
    return client


def _events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def _no_diagnosis(body: bytes) -> None:
    text = body.decode("utf-8").lower()
    assert [word for word in DIAGNOSIS_WORDS if word in text] == []


def _turn_on(client: FlaskClient, feed: str = "on") -> tuple[int, str]:
    token = csrf_from(client.get("/plan/calendar").get_data(as_text=True))
    response = client.post("/plan/calendar", data={"csrf_token": token, "feed": feed})
    return response.status_code, response.get_data(as_text=True)


def _feed_path(page: str) -> str:
    found = re.search(r'id="calendar-address"[^>]*>https?://[^/]+(/calendar/feed\.ics\?key=[^<]+)</textarea>',
                      page)
    assert found, "the page shows no calendar address"
    return found.group(1)


def test_an_item_downloads_as_a_calendar_file_in_stockholm_time_without_the_diagnosis(
        app: Flask, session: Session, world: World) -> None:
    client = _patient_client(app, session, world)
    response = client.get(f"/plan/items/{world.timed.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    [event] = _events(response.data)
    starts = event.decoded("dtstart")
    assert starts.tzinfo is not None
    assert starts.astimezone(STOCKHOLM).time() == time(9, 30)
    assert starts.astimezone(STOCKHOLM).date() == stockholm_today() + timedelta(days=5)
    assert str(event["summary"]) == "Vårdbesök"
    assert str(event["location"]) == "Sjöstadsvägen 12, ingång C, 120 65 Stockholm"
    assert f"/plan/items/{world.timed.id}" in str(event["description"])
    assert "VTIMEZONE" in response.get_data(as_text=True)
    assert "TZID=Europe/Stockholm" in response.get_data(as_text=True)
    _no_diagnosis(response.data)
    again = _events(client.get(f"/plan/items/{world.timed.id}/calendar.ics").data)[0]
    assert str(again["uid"]) == str(event["uid"])  # a second download updates the same event
    events = session.exec(select(AccessEvent).where(AccessEvent.resource == f"calendar:{world.timed.id}")).all()
    assert len(events) == 2
    assert events[0].patient_id == world.patient.id


def test_a_day_item_is_an_all_day_event(app: Flask, session: Session, world: World) -> None:
    [event] = _events(_patient_client(app, session, world).get(f"/plan/items/{world.day.id}/calendar.ics").data)
    assert event.decoded("dtstart") == stockholm_today() + timedelta(days=8)
    assert type(event.decoded("dtstart")) is date
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(days=1)


def test_a_relative_who_may_see_the_plan_gets_the_file_and_others_are_refused(
        app: Flask, session: Session, world: World) -> None:
    path = f"/plan/items/{world.timed.id}/calendar.ics"
    assert _relative_client(app, session, world, "plan").get(path).status_code == 200
    assert _relative_client(app, session, world, "messages_read").get(path).status_code == 403
    other, _plan, _nurse = factories.patient_with_plan(session, items=0)
    assert client_as(app, session.get(User, other.user_id)).get(path).status_code == 404
    assert app.test_client().get(path).status_code in (302, 303)


def test_the_item_page_shows_address_map_calendar_and_whom_to_call(
        app: Flask, session: Session, world: World) -> None:
    page = _patient_client(app, session, world).get(f"/plan/items/{world.timed.id}").get_data(as_text=True)
    assert "Sjöstadsvägen 12, ingång C, 120 65 Stockholm" in page
    assert ('href="https://www.openstreetmap.org/search?query=Sj%C3%B6stadsv%C3%A4gen%2012%2C%20ing%C3%A5ng%20C%2C'
            '%20120%2065%20Stockholm"') in page
    assert f'href="/plan/items/{world.timed.id}/calendar.ics"' in page
    assert 'href="tel:010111' in page
    assert "Kan du inte komma?" in page
    assert re.search(r'<span class="mv-when">\d+\xa0\w+\xa0kl\.\xa009\.30</span>', page)
    assert 'href="/plan/calendar"' in page


def test_the_feed_is_turned_on_shown_once_renewed_and_turned_off(app: Flask, session: Session, world: World) -> None:
    client = _patient_client(app, session, world)
    assert "Slå på kalendern" in client.get("/plan/calendar").get_data(as_text=True)
    status, page = _turn_on(client)
    assert status == 200
    first = _feed_path(page)
    session.expire_all()
    stored = session.get(Patient, world.patient.id)
    assert stored.calendar_token_hash == calendars.token_hash(first.split("key=", 1)[1])
    assert first.split("key=", 1)[1] not in client.get("/plan/calendar").get_data(as_text=True)  # shown once

    feed = app.test_client().get(first)  # a calendar app: no session
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(feed.data)
    assert {str(e["uid"]) for e in events} == {calendars.uid(world.timed), calendars.uid(world.day)}  # booked only
    _no_diagnosis(feed.data)
    logged = session.exec(select(AccessEvent).where(AccessEvent.resource == f"calendar_feed:{world.plan.id}")).all()
    assert [(e.role, e.actor_user_id, e.patient_id) for e in logged] == [("calendar_feed", None, world.patient.id)]
    log_page = client.get("/plan/access-log").get_data(as_text=True)
    assert "kalenderapp" in log_page  # the patient sees that her calendar app fetched the visits

    status, page = _turn_on(client)  # a new address: the old one stops working
    second = _feed_path(page)
    assert second != first
    assert "slutar fungera" in page
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200

    token = csrf_from(client.get("/plan/calendar").get_data(as_text=True))
    response = client.post("/plan/calendar", data={"csrf_token": token, "feed": "off"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("done=off#confirmation")
    assert app.test_client().get(second).status_code == 404
    session.expire_all()
    assert session.get(Patient, world.patient.id).calendar_token_hash is None


def test_a_wrong_or_missing_secret_is_404_and_logged(app: Flask, session: Session, world: World) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/calendar/feed.ics?key=not-the-secret").status_code == 404
    assert anonymous.get("/calendar/feed.ics").status_code == 404
    refused = session.exec(select(AccessEvent).where(AccessEvent.resource == "calendar_feed",
                                                     AccessEvent.action == "denied")).all()
    assert len(refused) == 2


def test_only_the_patient_manages_the_feed(app: Flask, session: Session, world: World) -> None:
    relative = _relative_client(app, session, world, "plan messages_read messages_send forms")
    assert relative.get("/plan/calendar").status_code == 403
    page = relative.get(f"/plan/items/{world.timed.id}").get_data(as_text=True)
    assert 'href="/plan/calendar"' not in page
    assert "calendar.ics" in page


def test_guessing_secrets_is_slowed_but_a_right_secret_is_not_counted(session: Session, world: World,
                                                                       database_url: str) -> None:
    from portal import create_app, db

    throttled = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
                            "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_KEY_PREFIX": "test-calendar-feed"})
    try:
        token = calendars.start_feed(session, session.get(Patient, world.patient.id), world.plan.created_at)
        session.commit()
        calendar_app = throttled.test_client()
        for _ in range(30):  # a calendar service fetching often is never slowed by right secrets
            assert calendar_app.get(f"/calendar/feed.ics?key={token}").status_code == 200
        answers = [calendar_app.get(f"/calendar/feed.ics?key=guess{n}").status_code for n in range(21)]
        assert answers[:20] == [404] * 20
        assert answers[20] == 429
    finally:
        db.get_engine(throttled).dispose()
