"""Deny by default: examples of refusals and what they log (the full grid is in test_authorization_matrix)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.models import AccessEvent
from tests import factories
from tests.conftest import sign_in

PUBLIC = {"static", "accounts.home", "web.accessibility", "web.language", "web.language_update", "accounts.login",
          "accounts.login_submit", "accounts.logout"}
ROLE_OF_PREFIX = {"patient.": {"patient"}, "staff.": {"staff"}, "editor.": {"editor", "admin"}}


def _protected(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every non-public route, with 1 for each id."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        routes += [(rule.endpoint, method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_anonymous_htmx_requests_get_a_full_page_redirect(app: Flask, client: FlaskClient) -> None:
    response = client.get("/plan/timeline", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=/plan/timeline")


def test_patient_cannot_open_another_patients_item(client: FlaskClient, session: Session) -> None:
    mine, _plan, _nurse = factories.patient_with_plan(session, items=1)
    _other, other_plan, _ = factories.patient_with_plan(session, items=0)
    theirs = factories.item(session, other_plan, title="Någon annans besök")
    sign_in(client, mine.personal_id, factories.PASSWORD)
    response = client.get(f"/plan/items/{theirs.id}")
    assert response.status_code == 404
    assert "Någon annans besök" not in response.get_data(as_text=True)
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).one()
    assert denied.resource == f"item:{theirs.id}"
    assert denied.patient_id is None


def test_unknown_item_id_is_404(client: FlaskClient, session: Session) -> None:
    mine, _plan, _nurse = factories.patient_with_plan(session, items=1)
    sign_in(client, mine.personal_id, factories.PASSWORD)
    assert client.get("/plan/items/999999").status_code == 404
    assert client.get("/plan/items/abc").status_code == 404


def test_staff_outside_the_care_team_cannot_read_a_plan(client: FlaskClient, session: Session) -> None:
    _patient, plan, _nurse = factories.patient_with_plan(session)
    elsewhere = factories.unit(session, name="En annan mottagning")
    outsider = factories.staff(session, elsewhere, email="outsider@example.se")
    sign_in(client, "outsider@example.se", factories.PASSWORD)
    assert client.get(f"/staff/plans/{plan.id}").status_code == 404
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).one()
    assert (denied.actor_user_id, denied.resource) == (outsider.user_id, f"plan:{plan.id}")


def test_staff_of_the_unit_can_read_a_plan_and_it_is_logged(client: FlaskClient, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session)
    email = session.get(factories.User, nurse.user_id).email
    sign_in(client, email, factories.PASSWORD)
    response = client.get(f"/staff/plans/{plan.id}")
    assert response.status_code == 200
    event = session.exec(select(AccessEvent).where(AccessEvent.action == "read")).one()
    assert (event.patient_id, event.role, event.unit_id) == (patient.id, "staff", nurse.unit_id)


@pytest.mark.parametrize(("role", "path"), [("staff", "/plan/"), ("relative", "/staff/"), ("patient", "/editor/"),
                                            ("editor", "/staff/inbox")])
def test_a_page_for_another_kind_of_account_is_refused_and_logged(client: FlaskClient, session: Session, role: str,
                                                                 path: str) -> None:
    if role == "patient":
        account = session.get(factories.User, factories.patient(session).user_id)
        sign_in(client, account.personal_id, factories.PASSWORD)
    else:
        account = factories.user(session, role=role)
        sign_in(client, account.email, factories.PASSWORD)
    assert client.get(path).status_code == 403
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).all()
    assert [(event.actor_user_id, event.resource.startswith("endpoint:")) for event in denied] == [(account.id, True)]
