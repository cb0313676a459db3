"""The care team's forms pages: turning forms on, answers with a chart, one response, alerts and their handling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal.models import (
    AccessEvent,
    Alert,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    FormAssignment,
    FormResponse,
    Patient,
    PlanChange,
    PlanItem,
    StaffMember,
    TeamRole,
    User,
)
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import PROFESSIONS as PROFESSION_CODES
from portal.questionnaires.services.definitions import Answers, load_all
from portal.questionnaires.staff import PROFESSIONS
from tests import factories
from tests.conftest import HTMX_HEADERS, count_rows, csrf_from, sign_in
from tests.sql import counting

MARCH = datetime(2027, 3, 3, 10, tzinfo=UTC)
APRIL = datetime(2027, 4, 7, 10, tzinfo=UTC)
MAY = datetime(2027, 5, 12, 10, tzinfo=UTC)


@dataclass
class Setup:
    patient: Patient
    plan: CarePlan
    nurse: User


def _user(session: Session, user_id: int, locale: str | None = "en") -> User:
    found = session.get(User, user_id)
    found.locale = locale  # English until the Swedish copy is merged into translations/
    session.add(found)
    session.commit()
    return found


def _answered(session: Session, setup: Setup, key: str, answers: Answers, when: datetime = MARCH) -> FormResponse:
    """A response sent by the patient at `when` (the form stays on, every week)."""
    assignment = answering.assign(session, setup.plan.id, key, 1, setup.nurse)
    definition = answering.latest_definitions(session)[key][1]
    response = answering.start_or_resume(session, assignment, session.get(User, setup.patient.user_id))
    answering.save_answers(session, response, definition, answers, [])
    assert answering.submit(session, response, definition, now=when)
    return response


def _alerts(session: Session, response: FormResponse) -> list[Alert]:
    return list(session.exec(select(Alert).where(Alert.response_id == response.id).order_by(Alert.id)).all())


@pytest.fixture
def setup(client: FlaskClient, session: Session) -> Setup:
    """A nurse (reading English) signed in, with a patient whose plan is at the nurse's unit; forms loaded."""
    patient, plan, member = factories.patient_with_plan(session, items=0)
    answering.import_definitions(session, load_all())
    nurse = _user(session, member.user_id)
    sign_in(client, nurse.email, factories.PASSWORD)
    return Setup(patient, plan, nurse)


def _post(client: FlaskClient, path: str, data: dict[str, str], headers: dict[str, str] | None = None):  # noqa: ANN202
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


# The forms page -------------------------------------------------------------------------------------------------


def test_forms_page_offers_every_form_and_says_none_are_on(client: FlaskClient, setup: Setup) -> None:
    page = client.get(f"/staff/plans/{setup.plan.id}/forms").get_data(as_text=True)
    assert f'<h1 tabindex="-1">Forms for {setup.patient.name}</h1>' in page
    assert '<option value="mabra">How are you?</option>' in page
    assert '<option value="behov">My needs right now</option>' in page
    assert "No forms are on for this patient." in page
    assert "The patient has not sent any forms yet." in page
    assert f'action="/staff/plans/{setup.plan.id}/forms"' in page


def test_forms_page_as_fragment(client: FlaskClient, setup: Setup) -> None:
    response = client.get(f"/staff/plans/{setup.plan.id}/forms", headers=HTMX_HEADERS)
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert "Turn on a form" in body
    assert "HX-Request" in response.headers["Vary"]


def test_forms_page_is_logged_with_the_unit(client: FlaskClient, session: Session, setup: Setup) -> None:
    client.get(f"/staff/plans/{setup.plan.id}/forms")
    event = session.exec(select(AccessEvent).where(AccessEvent.resource == f"forms:{setup.plan.id}")).one()
    assert event.action == "read"
    assert event.patient_id == setup.patient.id
    assert event.unit_id is not None


def test_assign_once(client: FlaskClient, session: Session, setup: Setup) -> None:
    path = f"/staff/plans/{setup.plan.id}/forms"
    response = _post(client, path, {"form_key": "mabra", "repeat": "once", "weeks": ""})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{path}?assigned=1"
    assignment = session.exec(select(FormAssignment)).one()
    assert (assignment.questionnaire_key, assignment.repeat_weeks) == ("mabra", None)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The form is turned on." in page
    assert "How are you?</h3>" in page
    assert "Once" in page.split("Forms that are on")[1].split("Turn on a form")[0]


def test_assign_repeating(client: FlaskClient, session: Session, setup: Setup) -> None:
    response = _post(client, f"/staff/plans/{setup.plan.id}/forms", {"form_key": "behov", "repeat": "every",
                                                                     "weeks": " 3 "})
    assert response.status_code == 303
    assert session.exec(select(FormAssignment)).one().repeat_weeks == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every 3 weeks" in page
    assert "To answer now" in page


@pytest.mark.parametrize(("data", "error"), [
    ({"form_key": "nope", "repeat": "once"}, "Choose a form to turn on."),
    ({"form_key": "", "repeat": "once"}, "Choose a form to turn on."),
    ({"form_key": "mabra", "repeat": "every", "weeks": "0"}, "as a whole number from 1 to 52"),
    ({"form_key": "mabra", "repeat": "every", "weeks": "53"}, "as a whole number from 1 to 52"),
    ({"form_key": "mabra", "repeat": "every", "weeks": "abc"}, "as a whole number from 1 to 52"),
    ({"form_key": "mabra", "repeat": "every", "weeks": "٣"}, "as a whole number from 1 to 52"),
    ({"form_key": "mabra", "repeat": "sometimes"}, "answered once or again and again"),
])
def test_assign_bad_input_is_422_keeping_what_was_typed(client: FlaskClient, session: Session, setup: Setup,
                                                        data: dict[str, str], error: str) -> None:
    response = _post(client, f"/staff/plans/{setup.plan.id}/forms", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="mv-error-summary"' in page
    assert error in page
    assert "<title>Error:" in page
    if data.get("weeks"):
        assert f'value="{data["weeks"]}"' in page
        assert 'aria-invalid="true"' in page
        assert '<option value="mabra" selected>' in page
    assert count_rows(session, FormAssignment) == 0


def test_assign_bad_input_under_htmx_returns_the_fragment(client: FlaskClient, setup: Setup) -> None:
    response = _post(client, f"/staff/plans/{setup.plan.id}/forms",
                     {"form_key": "mabra", "repeat": "every", "weeks": "abc"}, headers=HTMX_HEADERS)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in body
    assert 'value="abc"' in body


# Answers over time ----------------------------------------------------------------------------------------------


def test_answers_table_and_chart(client: FlaskClient, session: Session, setup: Setup) -> None:
    sent = [_answered(session, setup, "mabra", {"distress": score}, when)
            for score, when in ((2, MARCH), (3, APRIL), (6, MAY))]
    page = client.get(f"/staff/plans/{setup.plan.id}/forms").get_data(as_text=True)
    chart = page.split('<svg class="mv-chart__svg"')[1].split("</svg>")[0]
    assert 'role="img" aria-labelledby="chart-mabra-title chart-mabra-desc"' in chart
    assert '<title id="chart-mabra-title">Score for How are you? over time</title>' in chart
    assert ('<desc id="chart-mabra-desc">Scores from 3 March 2027 to 12 May 2027: 2, 3, 6. '
            'A higher score means more trouble.</desc>') in chart
    assert ">Score</text>" in chart  # the y axis is named in the picture too
    caption = page.split('<figcaption class="mv-chart__caption"')[1].split("</figcaption>")[0]
    assert "Up the left side: the score, from 0 to 10. Along the bottom: the date of the answer." in caption
    assert "A higher score means more trouble." in caption
    assert "The dashed line marks 4 points" in caption
    assert chart.count("<circle") == 3
    assert 'class="mv-chart__threshold"' in chart
    assert "style=" not in chart
    assert "The dashed line marks 4 points" in page
    table = page.split('<table class="mv-table">')[1].split("</table>")[0]
    assert "The chart above shows the same scores. A higher score means more trouble." in table
    assert "<td>6 of 10</td>" in table
    assert table.index("12 May 2027") < table.index("3 March 2027")
    for response in sent:
        assert f'href="/staff/responses/{response.id}"' in table


def test_a_form_without_score_has_a_table_and_no_chart(client: FlaskClient, session: Session, setup: Setup) -> None:
    _answered(session, setup, "viktigt", {"what_matters": "Att orka gå ut med hunden"})
    page = client.get(f"/staff/plans/{setup.plan.id}/forms").get_data(as_text=True)
    assert "What matters to me right now?</h3>" in page
    assert "<svg" not in page.split("<main")[1]
    assert "<th scope=\"col\">Score</th>" not in page


def test_open_alerts_are_listed_with_links(client: FlaskClient, session: Session, setup: Setup) -> None:
    response = _answered(session, setup, "mabra", {"distress": 7, "problems_physical": ["breathing"]})
    high, breathing = _alerts(session, response)
    page = client.get(f"/staff/plans/{setup.plan.id}/forms").get_data(as_text=True)
    assert "Alerts to handle" in page
    assert f'<a href="/staff/responses/{response.id}/alerts">2 alerts from How are you?</a>' in page
    assert "<li>High distress – contact the patient · Raised" in page
    assert "<li>Trouble breathing · Raised" in page
    assert (high.response_id, breathing.response_id) == (response.id, response.id)


# One response -----------------------------------------------------------------------------------------------------


def test_response_page_shows_answers_in_words_and_its_alerts(client: FlaskClient, session: Session,
                                                             setup: Setup) -> None:
    response = _answered(session, setup, "mabra", {"distress": 5, "problems_physical": ["eating", "breathing"]})
    page = client.get(f"/staff/responses/{response.id}").get_data(as_text=True)
    assert f'<h1 tabindex="-1">How are you? from {setup.patient.name}</h1>' in page
    assert "<dt>Score</dt><dd>5 of 10. A higher score means more trouble.</dd>" in page
    assert "<dt>What has bothered you in your body?</dt><dd>Breathing, Eating</dd>" in page
    assert "What has been difficult in everyday life?</dt><dd><span class=\"mv-muted\">Not answered" in page
    assert f'href="/staff/responses/{response.id}/alerts">Handle the alerts</a>' in page
    assert page.count("Not handled") == len(_alerts(session, response))
    assert "Trouble eating" in page
    body = client.get(f"/staff/responses/{response.id}", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert "Breathing, Eating" in body


def test_response_page_shows_dates_and_text(client: FlaskClient, session: Session, setup: Setup) -> None:
    answers = {"what_matters": "Dotterns bröllop", "important_date": "2027-06-14"}
    response = _answered(session, setup, "viktigt", answers)
    page = client.get(f"/staff/responses/{response.id}").get_data(as_text=True)
    assert "<dd>Dotterns bröllop</dd>" in page
    assert "<dd>14 June 2027</dd>" in page
    assert "<dt>Score</dt>" not in page


def test_response_page_is_logged(client: FlaskClient, session: Session, setup: Setup) -> None:
    response = _answered(session, setup, "viktigt", {"what_matters": "Hunden"})
    client.get(f"/staff/responses/{response.id}")
    event = session.exec(select(AccessEvent).where(AccessEvent.resource == f"form_response:{response.id}")).one()
    assert (event.action, event.patient_id) == ("read", setup.patient.id)


def test_drafts_are_not_shown_to_staff(client: FlaskClient, session: Session, setup: Setup) -> None:
    assignment = answering.assign(session, setup.plan.id, "mabra", None, setup.nurse)
    draft = answering.start_or_resume(session, assignment, session.get(User, setup.patient.user_id))
    assert client.get(f"/staff/responses/{draft.id}").status_code == 404
    assert client.get("/staff/responses/999999").status_code == 404


# Alerts -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def breathing(session: Session, setup: Setup) -> Alert:
    response = _answered(session, setup, "mabra", {"distress": 6, "problems_physical": ["breathing"]})
    return _alerts(session, response)[1]


def _handle_all(client: FlaskClient, session: Session, alert: Alert, note: str = "Ringde.", **per_alert: str):
    """Handle every open alert of the alert's response (referring `alert`, others 'contacted')."""
    fields = {f"action-{a.id}": "contacted" for a in _alerts(session, session.get(FormResponse, alert.response_id))}
    fields[f"action-{alert.id}"] = "referred"
    fields.update({f"{name}-{alert.id}": value for name, value in per_alert.items()})
    return _post(client, f"/staff/responses/{alert.response_id}/alerts", {"note": note, **fields})


def test_the_old_alert_address_leads_to_the_alerts_of_its_response(client: FlaskClient, breathing: Alert) -> None:
    response = client.get(f"/staff/alerts/{breathing.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/responses/{breathing.response_id}/alerts#alert-{breathing.id}"
    assert client.post(f"/staff/alerts/{breathing.id}").status_code == 405


def test_alerts_page_says_what_raised_them_and_who_can_help(client: FlaskClient, setup: Setup,
                                                            breathing: Alert) -> None:
    page = client.get(f"/staff/responses/{breathing.response_id}/alerts").get_data(as_text=True)
    assert f'<h1 tabindex="-1">Alerts for {setup.patient.name}</h1>' in page
    assert f'id="alert-{breathing.id}-heading">Trouble breathing</h2>' in page
    assert "Who can help: physiotherapist" in page
    assert "Score: 6" in page
    assert f'href="/staff/responses/{breathing.response_id}">How are you?</a>' in page
    assert 'value="Contact with physiotherapist"' in page
    assert f'action="/staff/responses/{breathing.response_id}/alerts"' in page
    body = client.get(f"/staff/responses/{breathing.response_id}/alerts", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert "Trouble breathing" in body


def test_handling_an_alert_records_who_when_what_and_adds_a_plan_item(client: FlaskClient, session: Session,
                                                                       setup: Setup, breathing: Alert) -> None:
    response = _handle_all(client, session, breathing, "Ringde patienten.\nRemiss till fysioterapeut.",
                           add_item="yes", item_title="Kontakt med fysioterapeut")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/responses/{breathing.response_id}/alerts?handled=1"
    session.commit()
    session.expire_all()
    handled = session.get(Alert, breathing.id)
    assert (handled.status, handled.handled_by_user_id, handled.action) == ("handled", setup.nurse.id, "referred")
    assert handled.handled_at is not None
    assert handled.action_note == "Ringde patienten.\nRemiss till fysioterapeut."
    item = session.get(PlanItem, handled.plan_item_id)
    assert (item.title, item.phase, item.plan_id) == ("Kontakt med fysioterapeut", "rehabilitation", setup.plan.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The alerts are handled." in page
    assert f"<dt>By</dt><dd>{setup.nurse.name}</dd>" in page
    assert "<dt>What was done</dt><dd>Referred</dd>" in page
    assert "Remiss till fysioterapeut." in page
    assert "An item was added to the plan." in page
    assert "<form" not in page.split("<main")[1].split("</main>")[0]


def test_handling_without_the_checkbox_adds_no_item(client: FlaskClient, session: Session,
                                                    breathing: Alert) -> None:
    response = _handle_all(client, session, breathing, "Pratade med patienten.",
                           item_title="Kontakt med fysioterapeut")
    assert response.status_code == 303
    session.commit()
    session.expire_all()
    assert session.get(Alert, breathing.id).plan_item_id is None
    assert count_rows(session, PlanItem) == 0


def test_an_alert_is_handled_only_once(client: FlaskClient, session: Session, breathing: Alert) -> None:
    path = f"/staff/responses/{breathing.response_id}/alerts"
    token = csrf_from(client.get(path).get_data(as_text=True))
    actions = {f"action-{a.id}": "referred" for a in _alerts(session, session.get(FormResponse, breathing.response_id))}
    first = {"csrf_token": token, "note": "Först", f"add_item-{breathing.id}": "yes",
             f"item_title-{breathing.id}": "Kontakt med fysioterapeut", **actions}
    assert client.post(path, data=first).status_code == 303
    second = client.post(path, data={**first, "note": "Igen"})
    assert second.status_code == 303
    assert second.headers["Location"] == path
    session.commit()
    session.expire_all()
    assert session.get(Alert, breathing.id).action_note == "Först"
    assert count_rows(session, PlanItem) == 1


@pytest.mark.parametrize(("data", "error", "kept"), [
    ({"note": "  ", "add_item": "yes", "item_title": "Min titel"}, "Write what you did.", 'value="Min titel"'),
    ({"note": "x" * 2001}, "at most 2,000 characters", "x" * 2001),
    ({"note": "Ringde", "add_item": "yes", "item_title": ""}, "Write a title for the plan item", ">Ringde</textarea>"),
])
def test_handling_bad_input_is_422_keeping_the_text(client: FlaskClient, session: Session, breathing: Alert,
                                                    data: dict[str, str], error: str, kept: str) -> None:
    response = _handle_all(client, session, breathing, data.pop("note"), **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error in page
    assert kept in page
    assert 'class="mv-error-summary"' in page
    session.commit()
    session.expire_all()
    assert session.get(Alert, breathing.id).status == "open"


# The caseload ------------------------------------------------------------------------------------------------------


def test_caseload_lists_patients_with_alerts_first(client: FlaskClient, session: Session, setup: Setup) -> None:
    member = session.exec(select(StaffMember).where(StaffMember.user_id == setup.nurse.id)).one()
    at = session.get(CareUnit, member.unit_id)
    quiet = factories.plan(session, factories.patient(session, name="Anna Berg"), at, member)
    _answered(session, setup, "mabra", {"distress": 8, "problems_physical": ["eating"]})
    page = client.get("/staff/").get_data(as_text=True)
    assert page.index(setup.patient.name) < page.index("Anna Berg")
    assert f'href="/staff/plans/{setup.plan.id}/forms">2<span class="mv-visually-hidden"> open alerts for' in page
    assert f'href="/staff/plans/{quiet.id}/forms"' not in page  # no alerts: no link, a 0
    assert page.count("mv-rtable__row--attention") == 1


def test_caseload_queries_do_not_grow_with_the_patients(client: FlaskClient, session: Session, engine: Engine,
                                                        setup: Setup) -> None:
    member = session.exec(select(StaffMember).where(StaffMember.user_id == setup.nurse.id)).one()

    def load() -> int:
        with counting(engine) as statements:
            client.get("/staff/")
        return len(statements)

    _answered(session, setup, "mabra", {"distress": 8})
    one = load()
    assert one > 0
    for name in ("Anna Berg", "Bo Ek", "Cai Falk"):
        factories.plan(session, factories.patient(session, name=name), session.get(CareUnit, member.unit_id), member)
    assert load() == one


# Who may see it ----------------------------------------------------------------------------------------------------


def _urls(session: Session, setup: Setup) -> list[str]:
    response = _answered(session, setup, "mabra", {"distress": 9})
    return [f"/staff/plans/{setup.plan.id}/forms", f"/staff/responses/{response.id}",
            f"/staff/responses/{response.id}/alerts", f"/staff/alerts/{_alerts(session, response)[0].id}"]


def _changes(url: str) -> bool:
    """A response and the old alert address are only read."""
    return url.endswith(("/forms", "/alerts"))


def test_a_nurse_of_another_unit_gets_404_everywhere_and_is_logged(client: FlaskClient, session: Session,
                                                                   setup: Setup) -> None:
    urls = _urls(session, setup)
    other = _user(session, factories.staff(session, factories.unit(session, name="Kirurgen")).user_id)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))})
    sign_in(client, other.email, factories.PASSWORD)
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    data = {"csrf_token": token, "form_key": "mabra", "repeat": "once", "note": "x", "item_title": "x"}
    for url in urls:
        assert client.get(url).status_code == 404
        if _changes(url):
            assert client.post(url, data=data).status_code == 404
    denied = session.exec(select(AccessEvent).where(AccessEvent.actor_user_id == other.id,
                                                    AccessEvent.action == "denied")).all()
    assert sorted({e.resource.split(":")[0] for e in denied}) == ["alert", "form_response", "forms"]
    assert len(denied) == 6  # two for the plan, three for the response and its alerts, one for the old address
    assert count_rows(session, FormAssignment) == 1
    assert session.exec(select(Alert).where(Alert.status == "handled")).first() is None


def test_a_patient_gets_403(client: FlaskClient, session: Session, setup: Setup) -> None:
    urls = _urls(session, setup)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))})
    sign_in(client, setup.patient.personal_id, factories.PASSWORD)
    token = csrf_from(client.get("/plan/").get_data(as_text=True))
    for url in urls:
        assert client.get(url).status_code == 403
        if _changes(url):
            assert client.post(url, data={"csrf_token": token}).status_code == 403


def test_every_profession_a_form_may_name_has_words() -> None:
    assert set(PROFESSIONS) == set(PROFESSION_CODES)


def _history(session: Session, plan: CarePlan) -> list[tuple[str, str]]:
    session.commit()
    rows = session.exec(select(PlanChange).where(PlanChange.plan_id == plan.id).order_by(PlanChange.id)).all()
    return [(row.what, row.detail) for row in rows]


def test_turning_a_form_on_and_handling_an_alert_are_in_the_plans_history(client: FlaskClient, session: Session,
                                                                           setup: Setup, breathing: Alert) -> None:
    _post(client, f"/staff/plans/{setup.plan.id}/forms", {"form_key": "viktigt", "repeat": "once"})
    _handle_all(client, session, breathing, "Ringde.", add_item="yes", item_title="Kontakt med fysioterapeut")
    history = _history(session, setup.plan)
    assert ("form_assigned", "viktigt") in history
    assert ("item_added", "Kontakt med fysioterapeut") in history
    assert ("alert_handled", breathing.reason) in history
    page = client.get(f"/staff/plans/{setup.plan.id}/history").get_data(as_text=True)
    assert "Turned on a form" in page
    assert "Handled an alert from a form" in page


def test_a_participating_unit_reads_forms_and_alerts_but_changes_nothing(app: Flask, session: Session,
                                                                         setup: Setup, breathing: Alert) -> None:
    """Turning forms on and handling alerts change the plan: only the responsible unit does that (one policy)."""
    other = factories.unit(session, name="Fysioterapin")
    session.add(CareTeamMembership(plan_id=setup.plan.id, unit_id=other.id, role=TeamRole.PARTICIPATING))
    colleague = factories.staff(session, other, name="Pia Fysio", email="pia@example.se")
    session.commit()
    client = app.test_client()
    sign_in(client, "pia@example.se", factories.PASSWORD)
    forms_page = client.get(f"/staff/plans/{setup.plan.id}/forms").get_data(as_text=True)
    alert_page = client.get(f"/staff/responses/{breathing.response_id}/alerts").get_data(as_text=True)
    for page in (forms_page, alert_page):
        assert "Den ansvariga enheten gör ändringar i den." in page
        assert "form_key" not in page
        assert 'name="note"' not in page
    before = (_history(session, setup.plan), count_rows(session, FormAssignment), count_rows(session, PlanItem))
    token = csrf_from(forms_page)
    assert client.post(f"/staff/plans/{setup.plan.id}/forms", data={
        "csrf_token": token, "form_key": "viktigt", "repeat": "once"}).status_code == 403
    assert client.post(f"/staff/responses/{breathing.response_id}/alerts", data={
        "csrf_token": token, "note": "Ringde.", f"action-{breathing.id}": "referred", f"add_item-{breathing.id}": "yes",
        f"item_title-{breathing.id}": "Något"}).status_code == 403
    assert (_history(session, setup.plan), count_rows(session, FormAssignment), count_rows(session, PlanItem)) == before
    session.expire_all()
    assert session.get(Alert, breathing.id).status == "open"
    assert count_rows(session, AccessEvent, AccessEvent.actor_user_id == colleague.user_id,
                      AccessEvent.action == "denied") == 2
