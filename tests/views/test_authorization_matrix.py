"""The authorization matrix: every endpoint in app.url_map × every kind of actor, with the expected outcome.

Each endpoint has a policy in POLICIES (tests/world.py); an endpoint without one fails the test, so a new page cannot
slip past. Ids in the URLs are those of one patient's objects (Maria's), so "another patient" and "a nurse of another
unit" show that ids are checked per object. Each endpoint gets a fresh world, so a permitted POST cannot change what
the next actor meets.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlmodel import Session

from portal.plans.access import ENDPOINT_RULES
from tests.world import (
    ACTORS,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    POLICIES,
    PUBLIC,
    ROUTES,
    build_world,
    expected,
    fingerprint,
    form_data,
    is_patient_endpoint,
    routes,
    sign_in,
    url,
)


def _outcome(response) -> str:  # noqa: ANN001
    location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
    if response.status_code in (301, 302, 303, 401) and re.search(r"/login(\?|$)", location):
        return LOGIN
    if response.status_code == 401:
        return LOGIN  # the session ended while writing: a sign-in form that keeps the text
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return NOT_FOUND
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return OK


def test_every_endpoint_has_a_policy(app: Flask) -> None:
    missing = [f"{e}:{m}" for e, m, _a in routes(app)
               if not (is_patient_endpoint(e) and e in ENDPOINT_RULES) and e not in POLICIES]
    assert missing == []


def test_each_endpoint_answers_one_method(app: Flask) -> None:
    """One endpoint per method: a page and the form that changes it are two endpoints with names of their own."""
    methods: dict[str, set[str]] = {}
    for endpoint, method, _args in routes(app):
        methods.setdefault(endpoint, set()).add(method)
    assert {endpoint: m for endpoint, m in methods.items() if len(m) > 1} == {}


def test_patient_rules_list_exactly_the_patient_endpoints(app: Flask) -> None:
    endpoints = {e for e, _m, _a in routes(app) if is_patient_endpoint(e)}
    assert set(ENDPOINT_RULES) == endpoints


def test_the_matrix_covers_every_route(app: Flask) -> None:
    assert {(e, m) for e, m, _a in routes(app)} == {(e, m) for e, m, _a in ROUTES}


@pytest.mark.parametrize(("endpoint", "method", "arguments"), ROUTES, ids=[f"{e}:{m}" for e, m, _a in ROUTES])
def test_authorization_matrix(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, endpoint: str,
                              method: str, arguments: frozenset[str]) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    world = build_world(session)
    address = url(app, endpoint, set(arguments), world)
    # Actors that may change things go last, so that a refused request always meets the world as it was built.
    order = sorted(ACTORS, key=lambda actor: expected(endpoint, method, actor, set(arguments)) == OK)
    mismatches = []
    for actor in order:
        client = app.test_client()
        sign_in(client, world, actor)
        want = expected(endpoint, method, actor, set(arguments))
        before = fingerprint(session) if method != "GET" and want != OK else None
        if method == "GET":
            response = client.get(address)
        else:
            response = client.open(address, method=method, data=form_data(endpoint, world))
        got = _outcome(response)
        response.close()
        if before is not None and (changed := [t for t, h in fingerprint(session).items() if before[t] != h]):
            mismatches.append(f"{actor}: refused, but changed {', '.join(changed)}")
        if POLICIES.get(endpoint) == PUBLIC and got == LOGIN:
            got = OK  # public pages may send people on to sign in (the front door, signing out)
        if got != want:
            mismatches.append(f"{actor}: expected {want}, got {got} ({response.status_code})")
    assert mismatches == [], f"{method} {address}"
