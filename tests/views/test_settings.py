"""The patient's settings page: e-mail when a new message arrives, as a page and as an htmx fragment."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import AccessEvent, Patient, User
from tests import factories
from tests.conftest import HTMX_HEADERS, csrf_from, post_form, sign_in

HINT = "The e-mail only says that you have a new message. It never says what the message is about."


@pytest.fixture
def patient(client: FlaskClient, session: Session) -> Patient:
    """A patient with a plan, signed in, reading English (the Swedish words come with the catalog)."""
    found, _plan, _nurse = factories.patient_with_plan(session, items=1)
    account = session.get(User, found.user_id)
    account.locale = "en"
    session.add(account)
    session.commit()
    sign_in(client, found.personal_id, factories.PASSWORD)
    return found


def _save(client: FlaskClient, **data: str):  # noqa: ANN202
    return post_form(client, "/plan/settings", data, page="/plan/settings")


def _account(session: Session, patient: Patient) -> User:
    session.commit()
    session.expire_all()
    return session.get(User, patient.user_id)


def test_settings_page_shows_the_form(client: FlaskClient, patient: Patient) -> None:
    response = client.get("/plan/settings")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "<title>Settings – Min vårdplan</title>" in page
    assert 'action="/plan/settings"' in page
    assert 'type="email"' in page
    assert 'autocomplete="email"' in page
    assert 'aria-describedby="contact_email-hint"' in page
    assert HINT in page
    assert 'type="checkbox"' in page
    assert "Send an e-mail when I get a new message" in page
    assert " checked" not in page
    assert 'role="status"' not in page.split("<main")[1].split("</main>")[0]
    assert "style=" not in page
    assert "<script>" not in page


def test_settings_page_answers_htmx_with_a_fragment(client: FlaskClient, patient: Patient) -> None:
    response = client.get("/plan/settings", headers=HTMX_HEADERS)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in fragment
    assert fragment.count("<h1") == 1
    assert "<title>Settings – Min vårdplan</title>" in fragment
    assert 'name="contact_email"' in fragment


def test_settings_page_works_without_a_plan(client: FlaskClient, session: Session) -> None:
    found = factories.patient(session)
    sign_in(client, found.personal_id, factories.PASSWORD)
    assert client.get("/plan/settings").status_code == 200


def test_save_turns_emails_on_and_says_so(client: FlaskClient, session: Session, patient: Patient) -> None:
    response = _save(client, contact_email=" maria@example.se ", notify_messages="yes")
    assert response.status_code == 303
    assert response.headers["Location"] == "/plan/settings?saved=1#confirmation"
    account = _account(session, patient)
    assert (account.contact_email, account.notify_messages) == ("maria@example.se", True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="confirmation" role="status" tabindex="-1" data-autofocus>Your settings are saved.</p>' in page
    assert 'value="maria@example.se"' in page
    assert " checked" in page


def test_save_turns_emails_off_and_keeps_the_address(client: FlaskClient, session: Session,
                                                     patient: Patient) -> None:
    _save(client, contact_email="maria@example.se", notify_messages="yes")
    assert _save(client, contact_email="maria@example.se").status_code == 303
    account = _account(session, patient)
    assert (account.contact_email, account.notify_messages) == ("maria@example.se", False)
    assert _save(client, contact_email="").status_code == 303
    assert _account(session, patient).contact_email is None


@pytest.mark.parametrize(
    ("typed", "notify", "message"),
    [
        ("", "yes", "Write your e-mail address to get e-mails."),
        ("maria.example.se", "yes", "Write the e-mail address like name@example.com."),
        ("maria@example", "", "Write the e-mail address like name@example.com."),
        ("maria @example.se", "yes", "Write the e-mail address like name@example.com."),
        ("maria@@example.se", "yes", "Write the e-mail address like name@example.com."),
        ("m" * 250 + "@example.se", "yes", "Write the e-mail address like name@example.com."),
    ],
)
def test_save_with_a_problem_says_what_and_keeps_what_was_typed(client: FlaskClient, session: Session,
                                                                patient: Patient, typed: str, notify: str,
                                                                message: str) -> None:
    response = _save(client, contact_email=typed, notify_messages=notify)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Error: Settings – Min vårdplan</title>" in page
    assert f'<a href="#contact_email">{message}</a>' in page  # the error summary links to the field
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="contact_email-hint contact_email-error"' in page
    if typed:
        assert f'value="{typed}"' in page.replace("&#64;", "@")
    assert (" checked" in page) == bool(notify)
    assert "Your settings are saved." not in page
    account = _account(session, patient)
    assert (account.contact_email, account.notify_messages) == (None, False)


def test_settings_errors_answer_htmx_with_a_fragment(client: FlaskClient, patient: Patient) -> None:
    token = csrf_from(client.get("/plan/settings").get_data(as_text=True))
    response = client.post("/plan/settings", headers=HTMX_HEADERS,
                           data={"csrf_token": token, "contact_email": "", "notify_messages": "yes"})
    assert response.status_code == 422
    assert "<html" not in response.get_data(as_text=True)
    assert "Write your e-mail address to get e-mails." in response.get_data(as_text=True)


def test_settings_are_logged(client: FlaskClient, session: Session, patient: Patient) -> None:
    client.get("/plan/settings")
    _save(client, contact_email="maria@example.se", notify_messages="yes")
    events = session.exec(select(AccessEvent).where(AccessEvent.resource == "settings")
                          .order_by(AccessEvent.id)).all()
    assert [e.action for e in events] == ["read", "read", "update"]  # the page, the page for the token, the save
    assert {(e.patient_id, e.actor_user_id, e.role) for e in events} == {(patient.id, patient.user_id, "patient")}


def test_settings_need_a_signed_in_patient(client: FlaskClient) -> None:
    response = client.get("/plan/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/plan/settings")


def test_settings_are_not_for_staff(client: FlaskClient, session: Session) -> None:
    nurse = factories.staff(session, factories.unit(session), email="eva@example.se")
    sign_in(client, "eva@example.se", factories.PASSWORD)
    assert client.get("/plan/settings").status_code == 403
    assert post_form(client, "/plan/settings", {"contact_email": "x@example.se", "notify_messages": "yes"},
                     page="/staff/").status_code == 403
    session.commit()
    session.expire_all()
    assert session.get(User, nurse.user_id).contact_email is None


def test_save_without_csrf_token_is_refused(client: FlaskClient, session: Session, patient: Patient) -> None:
    response = client.post("/plan/settings", data={"contact_email": "x@example.se", "notify_messages": "yes"})
    assert response.status_code == 400
    assert _account(session, patient).contact_email is None


def test_settings_sent_with_an_expired_token_come_back_as_typed(client: FlaskClient, session: Session,
                                                                patient: Patient) -> None:
    """Signed in again in another tab, the old tab's form is stale: nothing saved, nothing lost."""
    data = {"csrf_token": "from-an-old-session", "contact_email": "ny.adress@example.se", "notify_messages": "yes"}
    response = client.post("/plan/settings", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The page had expired" in page
    assert 'value="ny.adress@example.se"' in page
    assert re.search(r'name="notify_messages"[^>]*\bchecked\b', page)
    assert _account(session, patient).contact_email != "ny.adress@example.se"
    saved = client.post("/plan/settings", data={**data, "csrf_token": csrf_from(page)})
    assert saved.status_code == 303
