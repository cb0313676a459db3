"""Honest session limits: 30 minutes without activity, 12 hours at most, and polls are not activity."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tests import factories
from tests.conftest import HTMX_HEADERS, csrf_from, sign_in

POLLS = ("/plan/messages/unread?count=0", "/plan/messages/new?after=0")
IDLE_MESSAGE = "inget hände på en stund"
ABSOLUTE_MESSAGE = "inloggad i 12 timmar"


def _patient_client(client: FlaskClient, session: Session) -> FlaskClient:
    patient, _plan, _nurse = factories.patient_with_plan(session)
    assert sign_in(client, patient.personal_id, factories.PASSWORD).status_code == 303
    return client


def _set_clock(client: FlaskClient, *, seen_ago: float, started_ago: float | None = None) -> None:
    """Pretend the last own request (and the sign-in) happened this many seconds ago."""
    now = int(time.time())
    with client.session_transaction() as state:
        state["_seen"] = now - int(seen_ago)
        if started_ago is not None:
            state["_started"] = now - int(started_ago)


def _seen(client: FlaskClient) -> int:
    with client.session_transaction() as state:
        return state["_seen"]


def _sets_cookie(response: object) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))  # type: ignore[attr-defined]


def test_sign_in_starts_both_clocks(client: FlaskClient, session: Session) -> None:
    before = int(time.time())
    _patient_client(client, session)
    with client.session_transaction() as state:
        assert before <= state["_started"] <= int(time.time())
        assert before <= state["_seen"] <= int(time.time())


def test_polls_neither_extend_the_sign_in_nor_set_a_cookie(client: FlaskClient, session: Session) -> None:
    _patient_client(client, session)
    _set_clock(client, seen_ago=29 * 60)
    seen = _seen(client)
    for path in POLLS:
        response = client.get(path, headers=HTMX_HEADERS)
        assert response.status_code == 200, path
        assert not _sets_cookie(response), f"{path} set a fresh session cookie"
    assert _seen(client) == seen

    _set_clock(client, seen_ago=30 * 60 + 1)
    response = client.get(POLLS[0], headers=HTMX_HEADERS)
    assert response.status_code == 401  # the poll finds the session over: htmx goes to the sign-in page
    assert response.headers["HX-Redirect"].startswith("/login")


def test_the_persons_own_request_is_activity(client: FlaskClient, session: Session) -> None:
    _patient_client(client, session)
    _set_clock(client, seen_ago=29 * 60)
    response = client.get("/plan/")
    assert response.status_code == 200
    assert _sets_cookie(response)
    assert _seen(client) >= int(time.time()) - 2


def test_after_30_idle_minutes_the_next_page_asks_to_sign_in_and_says_why(client: FlaskClient,
                                                                          session: Session) -> None:
    _patient_client(client, session)
    _set_clock(client, seen_ago=30 * 60 + 1)
    response = client.get("/plan/timeline")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/plan/timeline")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert IDLE_MESSAGE in page
    assert IDLE_MESSAGE not in client.get("/login").get_data(as_text=True)  # told once
    assert client.get("/plan/").status_code == 302  # and the old cookie signs nobody in


def test_twelve_hours_is_the_most_even_when_active(client: FlaskClient, session: Session) -> None:
    _patient_client(client, session)
    _set_clock(client, seen_ago=10, started_ago=12 * 3600 - 60)
    assert client.get("/plan/").status_code == 200
    _set_clock(client, seen_ago=10, started_ago=12 * 3600 + 1)
    response = client.get("/plan/", follow_redirects=True)
    assert response.request.path == "/login"
    assert ABSOLUTE_MESSAGE in response.get_data(as_text=True)


def test_status_tells_the_time_left_without_extending_it(client: FlaskClient, session: Session) -> None:
    assert client.get("/session").get_json() == {"signed_in": False, "seconds_left": 0}
    _patient_client(client, session)
    _set_clock(client, seen_ago=28 * 60)
    status = client.get("/session")
    assert status.get_json()["signed_in"] is True
    assert 115 <= status.get_json()["seconds_left"] <= 120
    assert not _sets_cookie(status)
    assert client.get("/session").get_json()["seconds_left"] <= 120


def test_stay_signed_in_extends_with_and_without_javascript(client: FlaskClient, session: Session) -> None:
    _patient_client(client, session)
    token = csrf_from(client.get("/plan/").get_data(as_text=True))
    _set_clock(client, seen_ago=29 * 60)
    response = client.post("/session", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert response.get_json()["seconds_left"] >= 30 * 60 - 2
    _set_clock(client, seen_ago=29 * 60)
    response = client.post("/session", data={"csrf_token": token, "next": "/plan/timeline"})
    assert (response.status_code, response.headers["Location"]) == (303, "/plan/timeline")
    assert _seen(client) >= int(time.time()) - 2
    refused = client.post("/session", data={"next": "/plan/timeline"})  # no token: nothing changes
    assert refused.status_code == 400


def test_the_dialog_is_on_signed_in_pages_only(client: FlaskClient, session: Session, app: Flask) -> None:
    assert 'id="session-dialog"' not in client.get("/login").get_data(as_text=True)
    _patient_client(client, session)
    page = client.get("/plan/").get_data(as_text=True)
    assert 'id="session-dialog"' in page
    assert 'data-session-left="1800"' in page or 'data-session-left="1799"' in page
    assert 'data-session-warning="120"' in page
    assert "Vill du vara inloggad längre?" in page
    assert "Fortsätt vara inloggad" in page
    assert "js/portal.js" in page  # session.js is in this bundle (portal/web/assets.py)


def test_a_message_sent_after_the_time_is_kept_over_a_new_sign_in(client: FlaskClient, session: Session) -> None:
    _patient_client(client, session)
    token = csrf_from(client.get("/plan/messages").get_data(as_text=True))
    _set_clock(client, seen_ago=31 * 60)
    response = client.post("/plan/messages", data={"csrf_token": token, "body": "Hej, jag undrar över provet",
                                                   "client_token": factories.client_token()})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'name="draft" value="Hej, jag undrar över provet"' in page


def test_files_the_browser_fetches_are_not_activity(client: FlaskClient, session: Session) -> None:
    _patient_client(client, session)
    page = client.get("/plan/").get_data(as_text=True)
    _set_clock(client, seen_ago=20 * 60)
    seen = _seen(client)
    stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
    response = client.get(stylesheet)
    response.close()
    assert response.status_code == 200
    assert not _sets_cookie(response)
    assert _seen(client) == seen
