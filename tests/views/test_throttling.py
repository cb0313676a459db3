"""Anti-automation (ASVS V6): sign-in, invitations and patient look-ups are throttled per client address and per
account, with Flask-Limiter in memory and in Redis; an account that fails to sign in again and again waits longer
and longer (429, Retry-After, on the sign-in page itself) but is never locked out for good.

The shared test app runs without throttling (the suite signs in thousands of times from 127.0.0.1); these tests build
apps of their own with it on, on the same database.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal import create_app, db
from portal.config import load_config
from portal.core import clock
from portal.models import SecurityEvent
from portal.models.base import utcnow as real_utcnow
from portal.security import services, throttle
from portal.security.services import EventKind, wait_after
from tests import factories
from tests.conftest import client_as, count_rows

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def _redis_url() -> str:
    """REDIS_URL (CI sets it: then Redis must answer), else the local Redis if there is one."""
    url = os.environ.get("REDIS_URL")
    try:
        redis.Redis.from_url(url or DEFAULT_REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if url or os.environ.get("CI"):
            pytest.fail(f"Redis at {url or DEFAULT_REDIS} does not answer: {error}")
        pytest.skip(f"no Redis at {DEFAULT_REDIS} (set REDIS_URL to test throttling in Redis)")
    return url or DEFAULT_REDIS


@pytest.fixture
def make_app(app: Flask, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps with throttling on, on the shared (migrated, emptied after each test) database; each disposed after."""
    made: list[tuple[Flask, str]] = []

    def make(storage: str = "memory://", **config: object) -> Flask:
        prefix = f"test-throttle-{uuid.uuid4().hex}"
        throttled = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False,
                                "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": prefix, **config})
        made.append((throttled, storage))
        return throttled

    yield make
    for throttled, storage in made:
        db.get_engine(throttled).dispose()
        if storage.startswith("redis://"):
            keys = redis.Redis.from_url(storage)
            prefix = throttled.config["RATELIMIT_KEY_PREFIX"]
            for key in keys.scan_iter(match=f"*{prefix}*"):
                keys.delete(key)


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else _redis_url()


def _at(address: str) -> dict[str, object]:
    """A request from this client address, in English (the messages are checked in English)."""
    return {"environ_base": {"REMOTE_ADDR": address}, "headers": {"Accept-Language": "en"}}


def _sign_in(client: FlaskClient, identifier: str, password: str, address: str = "10.0.0.1", **extra: str):  # noqa: ANN202
    return client.post("/login", data={"identifier": identifier, "password": password, **extra}, **_at(address))


def _later(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    """Move the portal's clock (portal.core.clock.utcnow) forward by `delta` from now on; no sleeping."""
    monkeypatch.setattr(clock, "utcnow", lambda: real_utcnow() + delta)


def _count_authentications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A record of each time a password is actually checked."""
    from portal.accounts import views

    checked: list[str] = []
    real = views.authenticate

    def counting(*args: object) -> object:
        checked.append("checked")
        return real(*args)

    monkeypatch.setattr(views, "authenticate", counting)
    return checked


# --- the growing wait per account --------------------------------------------------------------------------------

@pytest.mark.parametrize(("failures", "minutes"), [(1, None), (4, None), (5, 1), (6, 2), (7, 4), (8, 8), (9, 15),
                                                   (30, 15), (10_000, 15)])
def test_throttle_wait_grows_from_the_fifth_failure_and_stops_at_fifteen_minutes(failures: int,
                                                                                  minutes: int | None) -> None:
    assert wait_after(failures) == (timedelta(minutes=minutes) if minutes else None)


def test_throttle_thirty_wrong_passwords_then_the_right_one_must_wait(make_app: Callable[..., Flask],
                                                                      session: Session,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Today's attack, from 31 addresses so that no per-address limit helps: the right 31st password gets 429."""
    pid = factories.patient(session).personal_id
    session.commit()
    client = make_app().test_client()
    checked = _count_authentications(monkeypatch)
    statuses = [_sign_in(client, pid, f"wrong-{n}", address=f"10.0.1.{n}").status_code for n in range(30)]
    assert statuses == [422] * 5 + [429] * 25
    assert len(checked) == 5  # while the account waits, no password is checked at all

    right = _sign_in(client, pid, factories.PASSWORD, address="10.0.2.1", draft="Hej, en fråga")
    assert right.status_code == 429
    assert len(checked) == 5
    assert 1 <= int(right.headers["Retry-After"]) <= 60
    html = right.get_data(as_text=True)
    assert "You have tried to sign in many times" in html
    assert f'value="{pid}"' in html
    assert factories.PASSWORD not in html
    assert 'value="Hej, en fråga"' in html  # the unsent message is still carried along
    assert '<main' in html
    assert 'action="/login"' in html


def test_throttle_after_the_wait_the_owner_signs_in_and_the_count_starts_afresh(
        make_app: Callable[..., Flask], session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = factories.patient(session).personal_id
    session.commit()
    throttled = make_app()
    client = throttled.test_client()
    for n in range(5):
        assert _sign_in(client, pid, "wrong", address=f"10.0.3.{n}").status_code == 422
    assert _sign_in(client, pid, factories.PASSWORD).status_code == 429

    _later(monkeypatch, timedelta(seconds=61))  # the first wait (1 minute) is over: one more wrong, then 2 minutes
    assert _sign_in(client, pid, "wrong").status_code == 422
    assert _sign_in(client, pid, factories.PASSWORD).status_code == 429
    _later(monkeypatch, timedelta(seconds=61 + 61))
    slowed = _sign_in(client, pid, factories.PASSWORD)
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) <= 60
    _later(monkeypatch, timedelta(seconds=61 + 121))
    assert _sign_in(client, pid, factories.PASSWORD).status_code == 303  # never locked out for good

    assert _sign_in(throttled.test_client(), pid, "wrong").status_code == 422  # a success cleared the count
    session.commit()
    kinds = [e.kind for e in session.exec(select(SecurityEvent).order_by(SecurityEvent.id)).all()]
    assert kinds.count(EventKind.SIGN_IN_FAILED) == 7
    assert kinds.count(EventKind.ACCOUNT_SLOWED) == 2
    assert kinds.count(EventKind.SIGN_IN_SUCCEEDED) == 1


def test_throttle_an_unknown_account_waits_too(make_app: Callable[..., Flask], session: Session) -> None:
    """The same answers whether an account exists or not, so the wait tells nothing about who has one."""
    client = make_app().test_client()
    statuses = [_sign_in(client, "nobody@example.se", "wrong", address=f"10.0.4.{n}").status_code for n in range(6)]
    assert statuses == [422] * 5 + [429]


def test_throttle_the_log_keeps_keyed_hashes_not_what_was_typed(make_app: Callable[..., Flask],
                                                                session: Session) -> None:
    pid = factories.patient(session).personal_id
    session.commit()
    throttled = make_app()
    _sign_in(throttled.test_client(), pid, "wrong", address="192.0.2.7")
    session.commit()
    event = session.exec(select(SecurityEvent)).one()
    secret = throttled.config["SECRET_KEY"]
    assert event.account_key == services.keyed_hash(secret, "account", pid)
    assert event.address_key == services.keyed_hash(secret, "address", "192.0.2.7")
    assert pid not in event.account_key + event.address_key
    assert "192.0.2.7" not in event.address_key


def test_throttle_off_answers_every_attempt(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """RATELIMIT_ENABLED=0 (the scanning script's demo, and the shared test app): no limit, but still logged."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert app.config["RATELIMIT_ENABLED"] is False
    pid = factories.patient(session).personal_id
    client = app.test_client()
    assert {_sign_in(client, pid, "wrong").status_code for _n in range(8)} == {422}
    assert _sign_in(client, pid, factories.PASSWORD).status_code == 303
    assert count_rows(session, SecurityEvent, SecurityEvent.kind == EventKind.SIGN_IN_FAILED) == 8


# --- per client address and per account (Flask-Limiter, memory and Redis) ---------------------------------------

def test_throttle_sign_in_per_address(make_app: Callable[..., Flask], session: Session, storage: str) -> None:
    """30 tries a minute from one address (each for a different account, so no account waits), then 429."""
    throttled = make_app(storage)
    client = throttled.test_client()
    statuses = [_sign_in(client, f"person{n}@example.se", "wrong", address="198.51.100.1").status_code
                for n in range(30)]
    assert statuses == [422] * 30
    refused = _sign_in(client, "person30@example.se", "wrong", address="198.51.100.1")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert 'value="person30@example.se"' in refused.get_data(as_text=True)  # the sign-in page, what was typed kept
    assert _sign_in(client, "person31@example.se", "wrong", address="198.51.100.2").status_code == 422
    if storage.startswith("redis://"):
        prefix = throttled.config["RATELIMIT_KEY_PREFIX"]
        assert list(redis.Redis.from_url(storage).scan_iter(match=f"*{prefix}*")), "the counts are not in Redis"


def test_throttle_patient_search_per_account(make_app: Callable[..., Flask], session: Session, storage: str) -> None:
    """60 searches a minute per nurse; a colleague at the same address can still search; 429 in our layout."""
    where = factories.unit(session)
    nurse, colleague = factories.staff(session, where), factories.staff(session, where, name="Pia Berg")
    throttled = make_app(storage)
    client = client_as(throttled, session.get(factories.User, nurse.user_id))
    statuses = [client.post("/staff/find", data={"q": f"Ek{n}"}, **_at("203.0.113.9")).status_code
                for n in range(60)]
    assert statuses == [200] * 60
    refused = client.post("/staff/find", data={"q": "Ek"}, **_at("203.0.113.10"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert "Too many tries" in html
    assert "<main" in html
    other = client_as(throttled, session.get(factories.User, colleague.user_id))
    assert other.post("/staff/find", data={"q": "Ek"}, **_at("203.0.113.9")).status_code == 200


def _routes(app: Flask, endpoint: str) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules(endpoint):
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_throttle_covers_every_guessing_door(app: Flask) -> None:
    """Sign-in, each invitation step (whatever its name) and each look-up of a patient by number are throttled."""
    covered = {endpoint for rule in throttle.RULES.values() for endpoint in throttle.throttled_endpoints(app, rule)}
    invitation = {endpoint for endpoint in app.view_functions if endpoint.startswith("relatives.public.invitation")}
    assert invitation, "the invitation endpoints have moved: point RULES at them"
    assert covered >= {"accounts.login_submit", "plans.staff.patient_search", "plans.staff.plan_new",
                       "plans.staff.emergency", *invitation}
    assert all(throttle.throttled_endpoints(app, rule) for rule in throttle.RULES.values())


def test_throttle_every_covered_route_answers_429_when_its_budget_is_spent(
        make_app: Callable[..., Flask], session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every route the rules cover, each from an address of its own, with a budget of one a minute."""
    monkeypatch.setattr(throttle, "RULES", {name: throttle.Rule(rule.endpoints, "1/minute", "100/minute")
                                            for name, rule in throttle.RULES.items()})
    where = factories.unit(session)
    nurse = session.get(factories.User, factories.staff(session, where).user_id)
    throttled = make_app()
    refused = []
    for number, endpoint in enumerate(sorted({e for r in throttle.RULES.values()
                                              for e in throttle.throttled_endpoints(throttled, r)})):
        for method, path in _routes(throttled, endpoint):
            client = client_as(throttled, nurse) if ".staff." in endpoint else throttled.test_client()
            address = f"10.9.{number}.{len(refused) % 250}"
            first = client.open(path, method=method, data={"q": "Ek"}, **_at(address))
            second = client.open(path, method=method, data={"q": "Ek"}, **_at(address))
            assert first.status_code not in (429, 500), f"{method} {path}: {first.status_code}"
            refused.append((method, path, second.status_code, "Retry-After" in second.headers))
    assert [r for r in refused if r[2:] != (429, True)] == []


# --- configuration ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("environ", "enabled"), [
    ({}, True), ({"RATELIMIT_ENABLED": "0"}, False), ({"RATELIMIT_ENABLED": "false"}, False),
    ({"RATELIMIT_ENABLED": "1"}, True), ({"PORTAL_ENV": "test"}, False),
    ({"PORTAL_ENV": "test", "RATELIMIT_ENABLED": "true"}, True),
])
def test_throttle_config_is_on_unless_turned_off(tmp_path: Path, environ: dict[str, str], enabled: bool) -> None:
    assert load_config(tmp_path, environ)["RATELIMIT_ENABLED"] is enabled


def test_throttle_config_uses_redis_when_redis_url_is_set(tmp_path: Path) -> None:
    assert load_config(tmp_path, {})["RATELIMIT_STORAGE_URI"] == "memory://"
    assert load_config(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/3"})["RATELIMIT_STORAGE_URI"] == \
        "redis://127.0.0.1:6379/3"
