"""The readable access log (issue 13): staff are logged under the unit they act for in the plan; the patient's page
shows visits in plain words; the responsible unit's review filters, pages and groups the same way, with the single
events one click away and in the CSV; bad filter values give a message, never a 500."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from portal.core.clock import STOCKHOLM, stockholm_today
from portal.models import AccessEvent, CarePlan, CareTeamMembership, Patient, StaffMember, TeamRole, User
from tests import factories
from tests.conftest import client_as
from tests.sql import counting

ROW = r"<tr(?: class=\"mv-log__emergency\")?>\s*<td"


def _session_of_51(session: Session, patient: Patient, plan: CarePlan, nurse: StaffMember,
                   start: datetime) -> None:
    """A 15-minute nurse session: the plan and the messages read again and again, two items changed."""
    for n in range(51):
        resource = (f"item:{n // 10}" if n in (20, 30) else f"messages:{plan.id}" if n % 3 == 1
                    else f"plan:{plan.id}")
        session.add(AccessEvent(at=start + timedelta(seconds=n * 18), actor_user_id=nurse.user_id, role="staff",
                                unit_id=nurse.unit_id, patient_id=patient.id, action="update" if n in (20, 30)
                                else "read", resource=resource))
    session.commit()


def _two_unit_nurse(session: Session) -> tuple[CarePlan, StaffMember, int]:
    """A plan at Onkologi (responsible) with Strålbehandlingen participating, and Karin, who works at both (at
    Strålbehandlingen first): the plan's responsible unit id."""
    _patient, plan, nurse = factories.patient_with_plan(session, items=0)
    radiation = factories.unit(session, "Strålbehandlingen")
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=radiation.id, role=TeamRole.PARTICIPATING))
    karin = factories.staff(session, radiation, name="Karin Ny")
    session.add(StaffMember(user_id=karin.user_id, unit_id=nurse.unit_id, title="Sjuksköterska"))
    session.commit()
    return plan, karin, nurse.unit_id


# --- the unit a nurse acts for ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/staff/plans/{plan}", "/staff/plans/{plan}/messages", "/staff/plans/{plan}/forms",
                                  "/staff/plans/{plan}/reading", "/staff/plans/{plan}/history"])
def test_a_nurse_in_two_units_is_logged_under_the_responsible_one(app: Flask, session: Session, path: str) -> None:
    plan, karin, responsible = _two_unit_nurse(session)
    client = client_as(app, session.get(User, karin.user_id))
    assert client.get(path.format(plan=plan.id)).status_code == 200
    logged = session.exec(select(AccessEvent.unit_id).where(AccessEvent.actor_user_id == karin.user_id)).all()
    assert logged
    assert set(logged) == {responsible}


def test_a_nurse_only_at_the_participating_unit_is_logged_under_it(app: Flask, session: Session) -> None:
    plan, _karin, _responsible = _two_unit_nurse(session)
    radiation = session.exec(select(CareTeamMembership.unit_id).where(
        CareTeamMembership.plan_id == plan.id, CareTeamMembership.role == TeamRole.PARTICIPATING)).one()
    only = factories.staff(session, session.get(factories.CareUnit, radiation), name="Ola Strand")
    assert client_as(app, session.get(User, only.user_id)).get(f"/staff/plans/{plan.id}").status_code == 200
    logged = session.exec(select(AccessEvent.unit_id).where(AccessEvent.actor_user_id == only.user_id)).all()
    assert set(logged) == {radiation}


# --- the patient's page -----------------------------------------------------------------------------------------------

def test_a_nurse_session_of_51_events_is_one_card_in_plain_words(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    start = datetime.combine(stockholm_today(), datetime.min.time().replace(hour=0, minute=2),
                             tzinfo=STOCKHOLM).astimezone(UTC)
    _session_of_51(session, patient, plan, nurse, start)
    page = client_as(app, session.get(User, patient.user_id)).get("/plan/access-log").get_data(as_text=True)
    assert page.count('class="mv-list__item') == 1
    assert "1 besök" in page
    assert "Eva Lund" in page
    assert "Onkologimottagningen" in page
    assert "00.02–00.17" in page
    assert "Tittade på vårdplanen och meddelandena, ändrade 2 händelser i planen." in page


def test_the_patients_page_keeps_relatives_and_emergency_apart(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    now = datetime.now(UTC)
    session.add(AccessEvent(at=now - timedelta(minutes=3), actor_user_id=nurse.user_id, role="staff",
                            unit_id=nurse.unit_id, patient_id=patient.id, action="read", resource=f"plan:{plan.id}"))
    session.add(AccessEvent(at=now - timedelta(minutes=2), actor_user_id=nurse.user_id, role="staff", emergency=True,
                            unit_id=nurse.unit_id, patient_id=patient.id, action="read", resource=f"plan:{plan.id}"))
    session.commit()
    page = client_as(app, session.get(User, patient.user_id)).get("/plan/access-log").get_data(as_text=True)
    assert page.count('class="mv-list__item') == 2
    assert page.count("mv-log__emergency") == 1


# --- the review -------------------------------------------------------------------------------------------------------

@pytest.fixture
def reviewed(app: Flask, session: Session) -> tuple[FlaskClient, CarePlan, StaffMember, StaffMember]:
    """Eva's plan with her 51-event session yesterday and Jonas's read (another unit, emergency) two days ago."""
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    yesterday = datetime.combine(stockholm_today() - timedelta(days=1), datetime.min.time().replace(hour=14, minute=2),
                                 tzinfo=STOCKHOLM).astimezone(UTC)
    _session_of_51(session, patient, plan, nurse, yesterday)
    jonas = factories.staff(session, factories.unit(session, "Kirurgmottagningen"), name="Jonas Berg")
    session.add(AccessEvent(at=yesterday - timedelta(days=1), actor_user_id=jonas.user_id, role="staff",
                            unit_id=jonas.unit_id, emergency=True, patient_id=patient.id, action="read",
                            resource=f"plan:{plan.id}"))
    session.commit()
    return client_as(app, session.get(User, nurse.user_id)), plan, nurse, jonas


def _rows(html: str) -> int:
    return len(re.findall(ROW, html))


def test_the_review_groups_visits_with_the_single_events_one_click_away(reviewed: tuple) -> None:
    client, plan, _nurse, _jonas = reviewed
    page = client.get(f"/staff/plans/{plan.id}/access-log").get_data(as_text=True)
    assert _rows(page) == 3  # Eva's session, Jonas's emergency read, and this review
    assert "14.02–14.17" in page
    assert "Visa de 51 enskilda händelserna" in page
    assert page.count('<details class="mv-visit__events">') == 1  # a visit of one event says it all already
    assert 'class="mv-log__emergency"' in page
    assert "Jonas Berg" in page
    assert 'method="get"' in page


def test_the_review_filters_by_person_unit_kind_and_days(reviewed: tuple) -> None:
    client, plan, nurse, jonas = reviewed
    url = f"/staff/plans/{plan.id}/access-log"
    assert _rows(client.get(f"{url}?person={jonas.user_id}").get_data(as_text=True)) == 1
    assert _rows(client.get(f"{url}?unit={jonas.unit_id}").get_data(as_text=True)) == 1
    assert _rows(client.get(f"{url}?kind=emergency").get_data(as_text=True)) == 1
    changes = client.get(f"{url}?kind=change&person={nurse.user_id}").get_data(as_text=True)
    assert _rows(changes) == 1
    assert "Ändrade 2 händelser i planen." in changes
    yesterday = (stockholm_today() - timedelta(days=1)).isoformat()
    one_day = client.get(f"{url}?from={yesterday}&to={yesterday}").get_data(as_text=True)
    assert _rows(one_day) == 1
    assert "Eva Lund" in one_day
    assert f'value="{yesterday}"' in one_day  # the form keeps what was chosen
    assert "Inget i loggen passar filtren." in client.get(f"{url}?from=2030-01-01").get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("person=99999999999999999999", "Välj en person i listan."),
    ("person=abc", "Välj en person i listan."),
    ("unit=-1", "Välj en enhet i listan."),
    ("kind=everything%00", "Välj i listan vilka händelser som ska visas."),
    ("from=2027-02-30", "Skriv den första dagen som ett datum"),
    ("to=99999-01-01", "Skriv den sista dagen som ett datum"),
    ("from=2027-03-14&to=2027-03-01", "Den första dagen är efter den sista dagen."),
    ("from=" + "9" * 5000, "Skriv den första dagen som ett datum"),
])
def test_bad_filters_give_a_message_and_the_unfiltered_log(reviewed: tuple, query: str, message: str) -> None:
    client, plan, _nurse, _jonas = reviewed
    response = client.get(f"/staff/plans/{plan.id}/access-log?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="mv-error-summary"' in page
    assert _rows(page) == 3


def test_the_unknown_person_of_another_patient_is_not_a_filter(app: Flask, session: Session, reviewed: tuple) -> None:
    client, plan, _nurse, _jonas = reviewed
    stranger = factories.staff(session, factories.unit(session), name="Okänd Person")
    page = client.get(f"/staff/plans/{plan.id}/access-log?person={stranger.user_id}").get_data(as_text=True)
    assert "Välj en person i listan." in page
    assert "Okänd Person" not in page


def test_the_review_pages_keep_the_filters(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    now = datetime.now(UTC)
    for n in range(30):
        session.add(AccessEvent(at=now - timedelta(minutes=31 * n + 1), actor_user_id=nurse.user_id, role="staff",
                                unit_id=nurse.unit_id, patient_id=patient.id, action="update", resource="item:1"))
    session.commit()
    client = client_as(app, session.get(User, nurse.user_id))
    first = client.get(f"/staff/plans/{plan.id}/access-log?kind=change").get_data(as_text=True)
    assert _rows(first) == 25
    older = re.search(r'id="log-more" class="mv-actions"><a [^>]*href="([^"]+)"', first).group(1)
    assert "kind=change" in older
    more = client.get(older.replace("&amp;", "&"), headers={"HX-Request": "true", "HX-Target": "log-more"})
    assert _rows(more.get_data(as_text=True)) == 5


def test_the_csv_has_single_events_with_the_unit_and_the_filters(reviewed: tuple) -> None:
    client, plan, nurse, _jonas = reviewed
    response = client.get(f"/staff/plans/{plan.id}/access-log?format=csv&person={nurse.user_id}&kind=read")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    response.close()
    assert rows[0][3] == "unit"
    assert len(rows) == 1 + 49 + 1  # Eva's reads, one row each, and this download
    assert {row[3] for row in rows[1:]} == {"Onkologimottagningen"}
    assert 'format=csv&amp;kind=change' in client.get(
        f"/staff/plans/{plan.id}/access-log?kind=change").get_data(as_text=True)


def test_the_review_costs_the_same_statements_with_filters(app: Flask, engine: object, session: Session) -> None:
    counts = []
    for size in (3, 60):
        patient, plan, nurse = factories.patient_with_plan(session, items=0)
        now = datetime.now(UTC)
        for n in range(size):
            session.add(AccessEvent(at=now - timedelta(minutes=7 * n + 1), actor_user_id=nurse.user_id, role="staff",
                                    unit_id=nurse.unit_id, patient_id=patient.id, action="read",
                                    resource=f"plan:{plan.id}" if n % 5 else f"item:{n}"))
        session.commit()
        client = client_as(app, session.get(User, nurse.user_id))
        url = f"/staff/plans/{plan.id}/access-log?person={nurse.user_id}&unit={nurse.unit_id}&kind=read&from=2020-01-01"
        client.get(url)
        with counting(engine) as statements:  # type: ignore[arg-type]
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_review_is_only_for_the_responsible_unit(app: Flask, session: Session) -> None:
    plan, karin, _responsible = _two_unit_nurse(session)
    radiation = session.exec(select(CareTeamMembership.unit_id).where(
        col(CareTeamMembership.role) == TeamRole.PARTICIPATING, CareTeamMembership.plan_id == plan.id)).one()
    only = factories.staff(session, session.get(factories.CareUnit, radiation), name="Ola Strand")
    assert client_as(app, session.get(User, only.user_id)).get(f"/staff/plans/{plan.id}/access-log").status_code == 403
    assert client_as(app, session.get(User, karin.user_id)).get(f"/staff/plans/{plan.id}/access-log").status_code == 200
