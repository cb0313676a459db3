"""Sign-in and sign-out through the real forms."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import User
from tests import factories
from tests.conftest import csrf_from, post_form, sign_in

GENERIC = "Uppgifterna stämmer inte med något konto"


@pytest.mark.parametrize("shape", ["{a}-{b}", "{a}{b}", "{a2}-{b}", "{a2}{b}"])
def test_login_patient_with_personal_id_in_any_shape(client: FlaskClient, session: Session, shape: str) -> None:
    pid = factories.patient(session, pid=factories.personal_id("19700101")).personal_id
    typed = shape.format(a=pid[:8], a2=pid[2:8], b=pid[8:])
    response = sign_in(client, typed, factories.PASSWORD)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=True).request.path == "/plan/"


def test_login_staff_with_email_lands_on_their_patients(client: FlaskClient, session: Session) -> None:
    where = factories.unit(session)
    factories.staff(session, where, email="eva@example.se")
    sign_in(client, "EVA@example.se", factories.PASSWORD)
    assert client.get("/", follow_redirects=True).request.path == "/staff/"


@pytest.mark.parametrize("wrong", ["password", "identifier"])
def test_login_wrong_details_get_one_generic_message(client: FlaskClient, session: Session, wrong: str) -> None:
    pid = factories.patient(session).personal_id
    identifier = factories.personal_id("19991231") if wrong == "identifier" else pid
    response = sign_in(client, identifier, "wrong password" if wrong == "password" else factories.PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert GENERIC in page
    assert "lösenord" not in page.split(GENERIC)[1].split("</li>")[0].lower()
    assert f'value="{identifier}"' in page  # what was typed is kept ...
    assert 'type="password" value=' not in page  # ... except the password


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("123", "Skriv ditt personnummer med 12 siffror"),
        ("19121312-1212", "inte ett riktigt födelsedatum"),
        ("19121212-1213", "Den sista siffran stämmer inte"),
        ("", "Skriv ditt personnummer eller din e-postadress"),
    ],
)
def test_login_malformed_personal_id_gets_a_clear_message(client: FlaskClient, typed: str, message: str) -> None:
    response = sign_in(client, typed, "whatever")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'href="#identifier"' in page  # the error summary links to the field
    assert 'aria-invalid="true"' in page
    assert "aria-describedby=\"identifier-hint identifier-error\"" in page


def test_login_empty_and_too_long_passwords(client: FlaskClient) -> None:
    assert "Skriv ditt lösenord" in sign_in(client, "19121212-1212", "").get_data(as_text=True)
    response = sign_in(client, "19121212-1212", "x" * 10_000)
    assert response.status_code == 422
    assert "Lösenordet är för långt" in response.get_data(as_text=True)


def test_login_forged_csrf_token_keeps_what_was_typed(client: FlaskClient) -> None:
    client.get("/login")
    data = {"identifier": "19800101-0008", "password": "x", "csrf_token": "forged"}
    response = client.post("/login", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sidan var för gammal" in page
    assert 'value="19800101-0008"' in page
    from_elsewhere = client.post("/login", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert from_elsewhere.status_code == 400
    assert "19800101-0008" not in from_elsewhere.get_data(as_text=True)  # nothing planted from another site


def test_login_only_follows_local_next(client: FlaskClient, session: Session) -> None:
    pid = factories.patient(session).personal_id
    assert sign_in(client, pid, factories.PASSWORD, next="/plan/timeline").headers["Location"] == "/plan/timeline"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/plan/").get_data(as_text=True))})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        pid = factories.patient(session).personal_id  # a new account each time: no waiting for a fresh TOTP code
        assert sign_in(client, pid, factories.PASSWORD, next=evil).headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/plan/").get_data(as_text=True))})


def test_login_starts_a_fresh_session(client: FlaskClient, session: Session) -> None:
    pid = factories.patient(session).personal_id
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    sign_in(client, pid, factories.PASSWORD)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.permanent


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient) -> None:
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_is_post_only_and_ends_every_copy_of_the_session(client: FlaskClient, session: Session) -> None:
    pid = factories.patient(session).personal_id
    sign_in(client, pid, factories.PASSWORD)
    assert client.get("/logout").status_code == 405
    stolen = client.get_cookie("session").value
    response = client.post("/logout", data={"csrf_token": csrf_from(client.get("/plan/").get_data(as_text=True))})
    assert response.status_code == 303
    assert "Du är utloggad" in client.get(response.headers["Location"]).get_data(as_text=True)
    client.set_cookie("session", stolen)
    assert client.get("/plan/").status_code == 302


def test_logout_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    sign_in(client, factories.patient(session).personal_id, factories.PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.get("/plan/").status_code == 200


def test_signed_in_user_visiting_login_goes_home(client: FlaskClient, session: Session) -> None:
    sign_in(client, factories.patient(session).personal_id, factories.PASSWORD)
    assert client.get("/login").headers["Location"] == "/"


def test_login_updates_last_login(client: FlaskClient, session: Session) -> None:
    pid = factories.patient(session).personal_id
    sign_in(client, pid, factories.PASSWORD)
    session.commit()
    session.expire_all()
    assert session.exec(select(User).where(User.personal_id == pid)).one().last_login_at is not None


def test_post_form_helper_sends_a_valid_token(client: FlaskClient) -> None:
    assert post_form(client, "/language", {"language": "en"}).status_code == 303
