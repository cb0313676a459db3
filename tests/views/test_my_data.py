"""'Ladda ner mina uppgifter': the patient downloads the FHIR bundle, a readable summary and the access log as CSV;
a relative only what their scopes allow; every download is in the access log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from sqlmodel import Session, select

from portal.core.clock import stockholm_today
from portal.models import AccessEvent, Delegation, DelegationStatus, Relation, Role
from portal.plans.access import ACTING_KEY
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as


def _relative(app: Flask, session: Session, patient, scopes: str):  # noqa: ANN001, ANN202
    user = factories.user(session, role=Role.RELATIVE)
    today = stockholm_today()
    delegation = Delegation(patient_id=patient.id, relative_user_id=user.id, relation=Relation.PARTNER, scopes=scopes,
                            valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
                            status=DelegationStatus.ACTIVE, invite_name=user.name, invite_email=user.email or "")
    session.add(delegation)
    session.commit()
    client = client_as(app, user)
    with client.session_transaction() as state:
        state[ACTING_KEY] = delegation.id
    return client, user


def _kinds(body: bytes) -> set[str]:
    bundle = Bundle.model_validate_json(body)
    return {entry.resource.get_resource_type() for entry in bundle.entry or []}


def test_the_patient_downloads_a_valid_fhir_bundle_and_it_is_logged(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=2)
    factories.message(session, plan, session.get(factories.User, nurse.user_id), "Hej Maria")
    client = client_as(app, session.get(factories.User, patient.user_id))
    response = client.get("/plan/my-data/fhir.json")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="min-vardplan-')
    assert {"Patient", "CarePlan", "CareTeam", "Communication", "Appointment"} <= _kinds(response.data)
    event = session.exec(select(AccessEvent).where(AccessEvent.resource == "my_data:fhir")).one()
    assert (event.actor_user_id, event.patient_id, event.action) == (patient.user_id, patient.id, "read")


def test_the_summary_is_a_page_to_read_and_print(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=2)
    client = client_as(app, session.get(factories.User, patient.user_id))
    page = client.get("/plan/my-data/summary").get_data(as_text=True)
    assert "Behandling 1" in page
    assert "<html" in page
    fragment = client.get("/plan/my-data/summary", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "Behandling 2" in fragment
    assert "<html" not in fragment
    assert session.exec(select(AccessEvent).where(AccessEvent.resource == "my_data:summary")).all()


def test_the_access_log_downloads_as_csv(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)
    client = client_as(app, session.get(factories.User, patient.user_id))
    client.get("/plan/my-data/summary")
    response = client.get("/plan/my-data/access-log.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["time_utc", "actor", "role"]
    assert [row[-1] for row in rows[1:]] == ["access_log:csv", "my_data:summary"]  # newest first, itself too
    assert session.exec(select(AccessEvent).where(AccessEvent.resource == "access_log:csv")).one()


def test_settings_and_the_start_page_link_to_the_downloads(app: Flask, session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=1)
    client = client_as(app, session.get(factories.User, patient.user_id))
    assert "/plan/my-data" in client.get("/plan/settings").get_data(as_text=True)
    downloads = client.get("/plan/my-data").get_data(as_text=True)
    for path in ("/plan/my-data/fhir.json", "/plan/my-data/summary", "/plan/my-data/access-log.csv"):
        assert path in downloads


def test_a_relative_gets_only_what_the_scopes_allow(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    factories.message(session, plan, session.get(factories.User, nurse.user_id), "Hej")
    reader, user = _relative(app, session, patient, "plan")
    kinds = _kinds(reader.get("/plan/my-data/fhir.json").data)
    assert "CarePlan" in kinds
    assert "Communication" not in kinds
    assert reader.get("/plan/my-data/access-log.csv").status_code == 403
    assert "/plan/my-data/access-log.csv" not in reader.get("/plan/my-data").get_data(as_text=True)
    event = session.exec(select(AccessEvent).where(AccessEvent.resource == "my_data:fhir")).one()
    assert (event.actor_user_id, event.role) == (user.id, "relative")
    messages_only, _user = _relative(app, session, patient, "messages_read")
    assert messages_only.get("/plan/my-data/fhir.json").status_code == 403


def test_a_relative_with_every_scope_gets_the_messages_too(app: Flask, session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    factories.message(session, plan, session.get(factories.User, nurse.user_id), "Hej")
    everything, _user = _relative(app, session, patient, "plan messages_read messages_send forms")
    assert "Communication" in _kinds(everything.get("/plan/my-data/fhir.json").data)
