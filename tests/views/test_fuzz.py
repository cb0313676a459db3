"""Bad input, generated: every route in app.url_map, as every kind of actor, with odd values in each path parameter,
query argument and form field. Never a 5xx or a traceback, and no control character ever reaches the database.

Hypothesis draws the values (huge and negative numbers, impossible dates, control characters, wildcards, markup,
very long text, full-width digits); each route gets a fresh world (the authorization matrix's) and a few examples.
CSRF is off here so that the values reach the views (the CSRF checks have tests of their own).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from portal.questionnaires.services.definitions import load_all
from tests.world import ACTORS, ROUTES, World, build_world, sign_in, url

FIELDS = sorted({
    "title", "phase", "kind", "status", "day", "clock", "precision", "location", "unit_id", "preparation", "body",
    "note", "item_title", "add_item", "form_key", "repeat", "weeks", "reason", "hours", "nurse", "diagnosis", "start",
    "q", "personal_id", "name", "email", "relation", "scopes", "valid_until", "password", "password_again",
    "identifier", "contact_email", "notify_messages", "what_matters", "personal_note", "responsible_doctor",
    "current_phase", "diagnosis_summary", "response", "article", "choice", "next", "language", "action", "version",
    "confirm",
    "direction", "create", "client_token", "draft", "code", "invitation_code", "after", "phone", "interpreter",
    "interpreter_language",
    *(item.id for definition in load_all().values() for group in definition.groups for item in group.items),
})
QUERY = ("before", "after", "count", "article", "phase", "period", "format", "lang", "next", "saved", "done",
         "person", "unit", "from", "to", "kind")
KNOWN_BAD = ["99999999999999999999", "-1", "0", "1e309", "NaN", "9223372036854775808", "2147483648", "9999-12-31",
             "0001-01-01", "2027-02-30", "25:99", "\x00", "\x1b[31m", "\ufffe", "%", "_%_", "../../etc",
             "<script>alert(1)</script>", "/plan\r\nX: y", "//evil.example", "１２３", "²", "٣", "' OR 1=1 --",
             "x" * 6000, ""]
# One actor that each kind of guard lets in (the patient's, the care team's, the editors' and the public pages).
ACTORS_IN = ("owning_patient", "nurse_responsible", "editor", "anonymous")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def _odd_url(app: Flask, endpoint: str, arguments: frozenset[str], world: World, value: str) -> str:
    """The route's address with one path parameter (if it has any) replaced by the odd value."""
    address = url(app, endpoint, set(arguments), world)
    for name in sorted(arguments):
        real = str(world.ids.get(name, ""))
        if real and f"/{real}" in address:
            return address.replace(f"/{real}", f"/{quote(value, safe='')}", 1)
    return address


def _stored_control_characters(session: Session) -> list[str]:
    session.commit()
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                for (text,) in session.connection().execute(sa_select(column).where(column.is_not(None))).all():
                    if CONTROL.search(str(text)):
                        found.append(f"{table.name}.{column.name}: {text!r:.60}")
    return found


def _request(app: Flask, world: World, actor: str, method: str, url: str, value: str) -> tuple[int, str]:
    client = app.test_client()
    sign_in(client, world, actor)
    headers = {"HX-Request": "true"} if len(value) % 2 else None
    if method == "GET":
        response = client.get(url, query_string={name: value for name in QUERY}, headers=headers)
    else:
        response = client.open(url, method=method, data={name: value for name in FIELDS}, headers=headers)
    body = response.get_data(as_text=True)
    response.close()
    return response.status_code, body


def _check(app: Flask, world: World, actor: str, method: str, url: str, value: str) -> None:
    status, body = _request(app, world, actor, method, url, value)
    assert status < 500, f"{actor} {method} {url} with {value!r:.80}: {status}"
    assert "Traceback" not in body


@pytest.mark.parametrize(("endpoint", "method", "arguments"), ROUTES, ids=[f"{e}:{m}" for e, m, _a in ROUTES])
def test_no_input_gives_a_server_error(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch,
                                       endpoint: str, method: str, arguments: frozenset[str]) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    world = build_world(session)
    real = url(app, endpoint, set(arguments), world)
    for actor in ACTORS_IN:
        for value in KNOWN_BAD:
            _check(app, world, actor, method, real, value)
            if arguments:
                _check(app, world, actor, method, _odd_url(app, endpoint, arguments, world, value), value)

    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(actor=st.sampled_from(ACTORS), value=st.text(max_size=60))
    def generated(actor: str, value: str) -> None:
        _check(app, world, actor, method, real, value)

    generated()
    assert _stored_control_characters(session) == []
