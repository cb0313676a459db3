"""e-ID sign-in over OpenID Connect, round trips against the test identity provider running as its own process
(testidp/): the portal's client is used as it is, and every broken answer comes from the provider itself."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import subprocess
import sys
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.core.clock import stockholm_today
from portal.models import Notification, Patient, Role, SecurityEvent, User
from portal.relatives import services as delegations
from portal.security.services import EventKind
from tests import factories
from tests.conftest import count_rows, csrf_from
from tests.idp import ROOT, Provider, free_port, running

EN = {"Accept-Language": "en"}
MARIA = "196804129820"
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
STOPPED = "The sign-in was stopped"


def start(client: FlaskClient, next_path: str = "") -> str:
    """Follow 'Sign in with e-ID' on the sign-in page; the provider's authorize address."""
    page = client.get(f"/login?next={next_path}" if next_path else "/login").get_data(as_text=True)
    link = html.unescape(re.search(r'<a class="mv-button" href="(/login/eid[^"]*)"', page).group(1))
    response = client.get(link)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def at_provider(authorize_url: str, **choice: str) -> str:
    """What a tester does on the provider's page (a person, a claim layout, a test case): the callback address."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200
    form = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    answer = requests.post(authorize_url.split("?")[0], data={**form, **choice}, allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"]


def back(client: FlaskClient, callback: str):  # noqa: ANN201
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}", headers=EN)


def eid_sign_in(client: FlaskClient, person: str = MARIA, next_path: str = "", **choice: str):  # noqa: ANN201
    return back(client, at_provider(start(client, next_path), person=person, **choice))


def registered(session: Session, pid: str = MARIA, name: str = "Maria Ek") -> Patient:
    """A patient the care team registered, who has no account yet."""
    patient = Patient(personal_id=pid, name=name, birth_date=date(int(pid[:4]), int(pid[4:6]), int(pid[6:8])))
    session.add(patient)
    session.commit()
    return patient


def signed_in(client: FlaskClient) -> bool:
    return client.get("/session").get_json()["signed_in"]


# --- success -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("layout", "claim"), [
    ("pin", "https://id.oidc.se/claim/personalIdentityNumber"), ("ssn", "ssn"), ("nin", "nin")])
def test_eid_first_sign_in_makes_the_registered_patients_account(
        app: Flask, session: Session, eid: Provider, monkeypatch: pytest.MonkeyPatch, layout: str, claim: str) -> None:
    monkeypatch.setitem(app.config, "OIDC_PERSONAL_ID_CLAIM", claim)
    patient = registered(session)
    client = app.test_client()
    response = eid_sign_in(client, layout=layout)
    assert response.status_code == 303
    assert signed_in(client)
    session.expire_all()
    user = session.exec(select(User).where(User.personal_id == MARIA)).one()
    assert (user.role, user.name, user.password_hash) == (Role.PATIENT, "Maria Ek", "")
    assert session.get(Patient, patient.id).user_id == user.id
    mine = select(SecurityEvent).where(SecurityEvent.user_id == user.id).order_by(SecurityEvent.id)
    kinds = [e.kind for e in session.exec(mine)]
    assert kinds == [EventKind.ACCOUNT_CREATED, EventKind.SIGN_IN_SUCCEEDED]


def test_eid_sign_in_matches_an_existing_account_and_goes_on_to_next(app: Flask, session: Session,
                                                                     eid: Provider) -> None:
    patient = factories.patient(session, pid=MARIA)
    client = app.test_client()
    response = eid_sign_in(client, next_path="/plan/messages")
    assert response.headers["Location"] == "/plan/messages"
    assert count_rows(session, User) == 1
    assert client.get("/session").get_json()["signed_in"]
    assert session.get(User, patient.user_id).last_login_at is not None


def test_eid_sign_in_staff_matched_by_personal_number_counts_as_two_factors(app: Flask, session: Session,
                                                                            eid: Provider) -> None:
    nurse = factories.staff(session, factories.unit(session), email="eva@example.se")
    user = session.get(User, nurse.user_id)
    user.personal_id = "197001019871"
    session.add(user)
    session.commit()
    client = app.test_client()
    response = eid_sign_in(client, person="197001019871")
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200  # no second step after e-ID


def test_eid_sign_in_a_number_typed_at_the_provider(app: Flask, session: Session, eid: Provider) -> None:
    registered(session, "191212121212", "Tolvan Tolvansson")
    client = app.test_client()
    assert back(client, at_provider(start(client), number="19121212-1212")).status_code == 303
    assert signed_in(client)


def test_eid_sign_in_page_offers_e_id_first(app: Flask, eid: Provider) -> None:
    page = app.test_client().get("/login", headers=EN).get_data(as_text=True)
    assert page.index('href="/login/eid"') < page.index('action="/login"')
    assert "Sign in with e-ID" in page


# --- nothing created, a clear page --------------------------------------------------------------------------------

@pytest.mark.parametrize(("choice", "detail"), [
    ({"scenario": "expired"}, "id_token"),
    ({"scenario": "wrong_key"}, "id_token"),
    ({"scenario": "tampered"}, "id_token"),
    ({"scenario": "alg_none"}, "id_token"),
    ({"scenario": "wrong_nonce"}, "id_token"),
    ({"scenario": "wrong_audience"}, "id_token"),
    ({"scenario": "wrong_issuer"}, "id_token"),
    ({"scenario": "no_id_token"}, "id_token"),
    ({"layout": "unknown"}, "no_personal_id"),
    ({"layout": "ssn"}, "no_personal_id"),  # the portal reads the Swedish profile's claim, the broker sends ssn
    ({"cancel": "1"}, "cancelled"),
])
def test_eid_bad_answer_creates_nothing_and_says_so(app: Flask, session: Session, eid: Provider,
                                                    choice: dict[str, str], detail: str) -> None:
    registered(session)
    client = app.test_client()
    response = eid_sign_in(client, **choice)
    assert response.status_code == 400
    assert STOPPED in response.get_data(as_text=True)
    assert not signed_in(client)
    assert count_rows(session, User) == 0
    [event] = session.exec(select(SecurityEvent)).all()
    assert (event.kind, event.method, event.detail, event.user_id) == (EventKind.SIGN_IN_FAILED, "eid", detail, None)


def test_eid_wrong_state_is_refused(app: Flask, session: Session, eid: Provider) -> None:
    registered(session)
    client = app.test_client()
    callback = at_provider(start(client), person=MARIA)
    response = back(client, re.sub(r"state=[^&]+", "state=forged", callback))
    assert response.status_code == 400
    assert count_rows(session, User) == 0


def test_eid_replayed_answer_is_refused_in_any_browser(app: Flask, session: Session, eid: Provider) -> None:
    registered(session)
    client = app.test_client()
    callback = at_provider(start(client), person=MARIA)
    assert back(client, callback).status_code == 303
    stranger = app.test_client()
    assert back(stranger, callback).status_code == 400  # no sign-in was started in this browser
    assert not signed_in(stranger)
    again = app.test_client()
    again.get("/login")
    with again.session_transaction() as state, client.session_transaction() as original:
        state.update(original)  # even a copy of the first browser's cookie: the state was used up
    assert back(again, callback).status_code == 400


def test_eid_unknown_person_gets_no_account(app: Flask, session: Session, eid: Provider) -> None:
    client = app.test_client()
    response = eid_sign_in(client)
    assert response.status_code == 400
    assert "We cannot find you" in response.get_data(as_text=True)
    assert count_rows(session, User) == 0


def test_eid_closed_account_is_refused(app: Flask, session: Session, eid: Provider) -> None:
    patient = factories.patient(session, pid=MARIA)
    user = session.get(User, patient.user_id)
    user.is_active = False
    session.add(user)
    session.commit()
    client = app.test_client()
    assert eid_sign_in(client).status_code == 400
    assert not signed_in(client)


def test_eid_provider_down_at_the_start(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    client = app.test_client()
    response = client.get("/login/eid", headers=EN)
    assert response.status_code == 400
    assert "We could not reach the e-ID service" in response.get_data(as_text=True)


def test_eid_provider_down_on_the_way_back(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    registered(session)
    client = app.test_client()
    with running() as provider:
        for name, value in provider.settings().items():
            monkeypatch.setitem(app.config, name, value)
        callback = at_provider(start(client), person=MARIA)
    response = back(client, callback)  # the provider has stopped: the code cannot be exchanged
    assert response.status_code == 400
    assert "We could not reach the e-ID service" in response.get_data(as_text=True)
    assert count_rows(session, User) == 0


def test_eid_not_configured(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "")
    client = app.test_client()
    assert 'href="/login/eid' not in client.get("/login").get_data(as_text=True)
    response = client.get("/login/eid", headers=EN)
    assert response.status_code == 400
    assert "not available here" in response.get_data(as_text=True)


# --- the provider itself ----------------------------------------------------------------------------------------

def _code(provider: Provider) -> tuple[str, dict[str, str]]:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"client_id": provider.client_id, "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
              "scope": "openid", "state": "s", "nonce": "n", "code_challenge": challenge,
              "code_challenge_method": "S256"}
    answer = requests.post(f"{provider.issuer}/authorize", data={**params, "person": MARIA}, allow_redirects=False,
                           timeout=10)
    code = re.search(r"code=([^&]+)", answer.headers["Location"]).group(1)
    return code, {"grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"],
                  "code_verifier": verifier}


def test_provider_codes_work_once_and_need_the_pkce_verifier(test_idp: Provider) -> None:
    auth = (test_idp.client_id, test_idp.client_secret)
    _code_value, form = _code(test_idp)
    assert requests.post(f"{test_idp.issuer}/token", data={**form, "code_verifier": "x" * 50}, auth=auth,
                         timeout=10).json() == {"error": "invalid_grant"}  # and the code is gone now
    _code_value, form = _code(test_idp)
    first = requests.post(f"{test_idp.issuer}/token", data=form, auth=auth, timeout=10)
    assert "id_token" in first.json()
    assert requests.post(f"{test_idp.issuer}/token", data=form, auth=auth, timeout=10).status_code == 400
    _code_value, form = _code(test_idp)
    post = {**form, "client_id": test_idp.client_id, "client_secret": test_idp.client_secret}
    assert requests.post(f"{test_idp.issuer}/token", data=post, timeout=10).ok  # client_secret_post
    assert requests.post(f"{test_idp.issuer}/token", data=form, auth=(test_idp.client_id, "wrong"),
                         timeout=10).status_code == 401
    userinfo = requests.get(f"{test_idp.issuer}/userinfo", timeout=10,
                            headers={"Authorization": f"Bearer {first.json()['access_token']}"}).json()
    assert userinfo["https://id.oidc.se/claim/personalIdentityNumber"] == MARIA


def test_provider_refuses_authorization_without_pkce(test_idp: Provider) -> None:
    params = {"client_id": test_idp.client_id, "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
              "scope": "openid", "state": "s", "nonce": "n"}
    assert requests.get(f"{test_idp.issuer}/authorize", params=params, timeout=10).status_code == 400
    elsewhere = {**params, "redirect_uri": "https://evil.example/cb", "code_challenge": "c" * 43,
                 "code_challenge_method": "S256"}
    assert requests.get(f"{test_idp.issuer}/authorize", params=elsewhere, timeout=10).status_code == 400


def test_provider_refuses_to_start_in_production() -> None:
    done = subprocess.run([sys.executable, "-m", "testidp", "--port", str(free_port())], cwd=ROOT,  # noqa: S603
                          env={"PORTAL_ENV": "production", "PATH": ""}, capture_output=True, check=False)
    assert done.returncode == 2
    assert b"refusing to start" in done.stderr


# --- a relative accepts an invitation with their own e-ID -------------------------------------------------------

PER = "196602149814"  # the test provider's Per Ek


def _invited(session: Session) -> str:
    """Maria (with a plan) invites Per; the raw code from the link."""
    patient, _plan, _nurse = factories.patient_with_plan(session)
    data = delegations.InviteInput(name="Per Ek", email="per@example.se", relation="partner", scopes=("plan",),
                                   valid_until=(stockholm_today() + timedelta(days=90)).isoformat())
    delegations.invite(session, patient, session.get(User, patient.user_id), data, stockholm_today(),
                       "http://localhost")
    session.commit()
    link = session.exec(select(Notification).order_by(Notification.id.desc())).first().payload
    return link.split("#", 1)[1]


def _open_invitation(client: FlaskClient, code: str) -> str:
    token = csrf_from(client.get("/invite").get_data(as_text=True))
    assert client.post("/invite/open", data={"csrf_token": token, "invitation_code": code}).status_code == 303
    return client.get("/invite", headers=EN).get_data(as_text=True)


def test_eid_relative_accepts_an_invitation_with_their_own_e_id(app: Flask, session: Session, eid: Provider) -> None:
    code = _invited(session)
    client = app.test_client()
    page = _open_invitation(client, code)
    assert "Continue with e-ID" in page
    assert page.index('href="/login/eid?next=/invite"') < page.index('action="/invite/account"')  # e-ID first
    response = eid_sign_in(client, person=PER, next_path="/invite")
    assert response.headers["Location"] == "/invite"
    relative = session.exec(select(User).where(User.personal_id == PER)).one()
    assert (relative.role, relative.name, relative.password_hash) == (Role.RELATIVE, "Per Ek", "")
    page = client.get("/invite", headers=EN).get_data(as_text=True)
    assert "wants you to be able to follow" in page
    accepted = client.post("/invite/accept", data={"csrf_token": csrf_from(page)})
    assert accepted.status_code == 303
    assert client.get(accepted.headers["Location"]).status_code == 200  # the plan, as Maria's relative


def test_eid_relative_without_an_invitation_gets_no_account(app: Flask, session: Session, eid: Provider) -> None:
    client = app.test_client()
    assert eid_sign_in(client, person=PER).status_code == 400
    assert session.exec(select(User).where(User.personal_id == PER)).first() is None
