"""CSRF on every form: no state changes without a valid token, and an expired token loses nothing that was typed.

Walks every POST route of app.url_map as an actor who may use it (from the authorization matrix): sent from another
site without a token, nothing is written and nothing posted is shown back; sent from our own page with an expired
token, nothing is written either, and the page comes back with what was typed and "the page had expired".
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlmodel import Session

from tests.world import (
    ACTORS,
    OK,
    ROUTES,
    build_world,
    expected,
    fingerprint,
    form_data,
    sign_in,
    url,
)

# The FHIR API and its token endpoint take no cookies and no forms: a bearer token or the client's secret is the proof
# (the authorization matrix shows that every signed-in browser gets 401 there), so they are exempt from CSRF.
BEARER_ONLY = ("fhir.api.", "fhir.oauth.")
POSTS = [(e, a) for e, m, a in ROUTES if m == "POST" and not e.startswith(BEARER_ONLY)]
MARK = "Kvar-7Q"  # a value no page holds by itself
STALE_NOTICE = "Sidan var för gammal"
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}
TEXT_CONTROL = r'<(?:textarea|input)[^>]*\bname="{name}"'


def _allowed_actor(endpoint: str, arguments: frozenset[str]) -> str:
    return next(actor for actor in ("anonymous", "owning_patient", "nurse_responsible", "editor", *ACTORS)
                if expected(endpoint, "POST", actor, set(arguments)) == OK)


def _marked(data: dict[str, object]) -> dict[str, object]:
    """The form's values with every free text replaced by the mark (choices and tokens are left as they are)."""
    free_text = ("body", "title", "q", "what_matters", "name", "email", "reason", "note", "identifier")
    return {key: (f"{MARK} {key}" if key in free_text else value) for key, value in data.items()}


@pytest.mark.parametrize(("endpoint", "arguments"), POSTS, ids=[e for e, _a in POSTS])
def test_no_form_changes_anything_without_a_valid_token(app: Flask, session: Session, endpoint: str,
                                                        arguments: frozenset[str]) -> None:
    world = build_world(session)
    address = url(app, endpoint, set(arguments), world)
    data = _marked(form_data(endpoint, world))
    actor = _allowed_actor(endpoint, arguments)

    for headers in (CROSS_SITE, {}):
        client = app.test_client()
        sign_in(client, world, actor)
        before = fingerprint(session)
        response = client.post(address, data=data, headers=headers)
        assert response.status_code == 400, f"{actor} {address}: {response.status_code}"
        assert MARK not in response.get_data(as_text=True), "a form from elsewhere was shown back"
        assert fingerprint(session) == before, f"{address} changed a table without a token"

    client = app.test_client()
    sign_in(client, world, actor)
    client.get(address)  # the page as the person saw it (opening a page may mark messages or articles read)
    before = fingerprint(session)
    response = client.post(address, data={**data, "csrf_token": "expired"},
                           headers={**SAME_SITE, "Referer": f"http://localhost{address}"})
    assert response.status_code in (302, 303, 400), f"{actor} {address}: {response.status_code}"
    assert fingerprint(session) == before, f"{address} changed a table with an expired token"
    if response.status_code == 400:
        page = response.get_data(as_text=True)
        assert STALE_NOTICE in page
        for name in data:
            if re.search(TEXT_CONTROL.format(name=name), page) and isinstance(data[name], str) and MARK in data[name]:
                assert data[name] in page, f"{address}: what was typed in {name!r} was lost"
