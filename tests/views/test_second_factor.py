"""The second factor after a right password: nobody is signed in before it passes; setting up an app on the first
sign-in, codes from it (each once), recovery codes, passkey answers that are wrong, the growing wait, an admin reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.accounts.second_factor.services import reset_second_factor
from portal.core import clock
from portal.models import RecoveryCode, Role, SecurityEvent, User
from portal.security.services import EventKind
from tests import factories
from tests.conftest import csrf_from, second_factor_code, sign_in

SECRET_RE = re.compile(r"data-totp-secret>([A-Z2-7 ]+)<")
CODES_RE = re.compile(r"<li><code>([a-z0-9-]{19})</code></li>")
real_utcnow = clock.utcnow


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _nurse(session: Session, secret: str | None = None) -> User:
    member = factories.staff(session, factories.unit(session), email="eva@example.se")
    user = session.get(User, member.user_id)
    user.totp_secret = secret
    session.add(user)
    session.commit()
    return user


def _password(client: FlaskClient, identifier: str = "eva@example.se", **extra: str):  # noqa: ANN202
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"identifier": identifier, "password": factories.PASSWORD,
                                       "csrf_token": token, **extra})


def _post(client: FlaskClient, path: str, page: str, **data: str):  # noqa: ANN202
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _code(secret: str, seconds_later: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(clock.utcnow().timestamp()) + seconds_later)


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/session").get_json()["signed_in"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.EDITOR, Role.ADMIN])
def test_a_staff_account_with_a_right_password_and_no_second_factor_is_not_signed_in(english: FlaskClient,
                                                                                     session: Session,
                                                                                     role: str) -> None:
    if role == Role.STAFF:
        _nurse(session)
    else:
        factories.user(session, role=role, email="eva@example.se")
    response = _password(english)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/verify"
    assert not _signed_in(english)
    for page in ("/staff/", "/editor/", "/admin/security"):  # the half sign-in opens nothing
        assert english.get(page).headers["Location"].startswith("/login")
    assert english.get("/login/verify").headers["Location"] == "/login/setup"  # no factor yet: set one up first
    page = english.get("/login/setup").get_data(as_text=True)
    assert "Protect your account" in page
    assert not _signed_in(english)


def test_setting_up_an_app_signs_in_and_shows_ten_recovery_codes_once(english: FlaskClient, session: Session) -> None:
    user = _nurse(session)
    _password(english, next="/staff/find")
    page = english.get("/login/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    qr = english.get("/login/setup/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data

    wrong = _post(english, "/login/setup/app", "/login/setup", code="000000")
    assert wrong.status_code == 422
    assert "The code does not match" in wrong.get_data(as_text=True)
    assert SECRET_RE.search(wrong.get_data(as_text=True)).group(1).replace(" ", "") == secret  # the same key
    assert not _signed_in(english)

    done = _post(english, "/login/setup/app", "/login/setup", code=_code(secret))
    html = done.get_data(as_text=True)
    codes = CODES_RE.findall(html)
    assert done.status_code == 200
    assert len(set(codes)) == 10
    assert 'href="/staff/find"' in html
    assert _signed_in(english)
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret
    stored = session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in " ".join(stored) for code in codes)  # only hashes are kept
    kinds = session.exec(select(SecurityEvent.kind).where(SecurityEvent.user_id == user.id)).all()
    assert EventKind.SECOND_FACTOR_ENROLLED in kinds


def test_a_code_from_the_app_signs_in_and_cannot_be_used_twice(app: Flask, english: FlaskClient,
                                                               session: Session) -> None:
    secret = pyotp.random_base32()
    _nurse(session, secret)
    _password(english, next="/staff/find")
    wrong = _post(english, "/login/verify", "/login/verify", code="123")
    assert wrong.status_code == 422
    assert "The code is not right" in wrong.get_data(as_text=True)
    code = _code(secret)
    right = _post(english, "/login/verify", "/login/verify", code=code)
    assert right.status_code == 303
    assert right.headers["Location"] == "/staff/find"
    assert _signed_in(english)

    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _password(other)
    reused = _post(other, "/login/verify", "/login/verify", code=code)
    assert reused.status_code == 422
    assert "That code has been used already" in reused.get_data(as_text=True)
    assert not _signed_in(other)


@pytest.mark.parametrize(("seconds", "accepted"), [(-60, False), (-30, True), (30, True), (60, False)])
def test_a_code_one_step_early_or_late_is_accepted(english: FlaskClient, session: Session, seconds: int,
                                                   accepted: bool) -> None:
    secret = pyotp.random_base32()
    _nurse(session, secret)
    _password(english)
    response = _post(english, "/login/verify", "/login/verify", code=_code(secret, seconds))
    assert (response.status_code == 303) is accepted


def test_a_recovery_code_signs_in_once(app: Flask, english: FlaskClient, session: Session) -> None:
    _nurse(session)
    _password(english)
    secret = SECRET_RE.search(english.get("/login/setup").get_data(as_text=True)).group(1).replace(" ", "")
    codes = CODES_RE.findall(_post(english, "/login/setup/app", "/login/setup", code=_code(secret))
                             .get_data(as_text=True))
    for attempt, expected in ((codes[3].upper(), 303), (codes[3], 422)):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        _password(client)
        assert _post(client, "/login/verify", "/login/verify", code=attempt).status_code == expected
    assert session.exec(select(SecurityEvent.method).where(
        SecurityEvent.kind == EventKind.SIGN_IN_SUCCEEDED, SecurityEvent.method == "recovery")).all() == ["recovery"]


def test_a_wrong_passkey_answer_is_refused_with_a_clear_message(english: FlaskClient, session: Session) -> None:
    _nurse(session, pyotp.random_base32())
    _password(english)
    response = _post(english, "/login/verify/passkey", "/login/verify", credential='{"id": "made-up"}')
    assert response.status_code == 422
    assert "We could not check your passkey" in response.get_data(as_text=True)
    assert not _signed_in(english)


def test_wrong_codes_slow_the_account_down_but_never_lock_out_the_owner(
        app: Flask, english: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    secret = pyotp.random_base32()
    _nurse(session, secret)
    _password(english)
    statuses = [_post(english, "/login/verify", "/login/verify", code=f"00000{n}").status_code for n in range(5)]
    assert statuses == [422] * 5
    _password(english)  # a right password again does not shorten the wait for codes
    slowed = _post(english, "/login/verify", "/login/verify", code=_code(secret))
    assert slowed.status_code == 429
    assert "wait until" in slowed.get_data(as_text=True)
    assert not _signed_in(english)

    monkeypatch.setattr(clock, "utcnow", lambda: real_utcnow() + timedelta(seconds=61))
    _password(english)
    assert _post(english, "/login/verify", "/login/verify", code=_code(secret)).status_code == 303


def test_the_half_sign_in_ends_after_ten_minutes(english: FlaskClient, session: Session,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _nurse(session, pyotp.random_base32())
    _password(english)
    monkeypatch.setattr(clock, "utcnow", lambda: real_utcnow() + timedelta(minutes=11))
    assert english.get("/login/verify").headers["Location"] == "/login"


def test_an_admin_reset_ends_sessions_and_asks_for_a_new_second_factor(app: Flask, session: Session) -> None:
    user = _nurse(session)
    client = app.test_client()
    assert sign_in(client, "eva@example.se", factories.PASSWORD).status_code == 303
    assert _signed_in(client)
    user = session.get(User, user.id)
    session.refresh(user)
    reset_second_factor(session, user)
    session.commit()
    assert not _signed_in(client)
    assert user.totp_secret is None
    assert _password(client).headers["Location"] == "/login/verify"
    assert client.get("/login/verify").headers["Location"] == "/login/setup"
    kinds = session.exec(select(SecurityEvent.kind).where(SecurityEvent.user_id == user.id)).all()
    assert EventKind.SECOND_FACTOR_REMOVED in kinds


def test_the_test_helper_signs_in_twice_in_one_half_minute(app: Flask, session: Session) -> None:
    _nurse(session, pyotp.random_base32())
    assert second_factor_code(app, "eva@example.se") is not None
    for _n in range(2):
        assert sign_in(app.test_client(), "eva@example.se", factories.PASSWORD).status_code == 303
