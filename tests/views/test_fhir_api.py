"""The FHIR API for other systems: OAuth 2.0 client credentials, a scope per endpoint, only the provider's patients,
every read and refusal in the access log as the system, and a posted booking moves the plan item."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.core.clock import in_stockholm, stockholm_today
from portal.demo.services import DEMO_API_CLIENT, load_demo_data
from portal.fhir.services import clients, mapping
from portal.models import AccessEvent, ApiClient, ApiToken, CareUnit, ItemStatus, Patient, PlanChange, PlanItem
from tests import factories
from tests.conftest import count_rows


def _client(session: Session, unit: CareUnit, scopes: list[str], name: str = "Bokningssystemet") -> clients.NewClient:
    made = clients.create_client(session, name, unit.provider_id, scopes)
    session.commit()
    return made


def _token(http: FlaskClient, made: clients.NewClient, scope: str | None = None) -> str:
    basic = base64.b64encode(f"{made.client.client_id}:{made.secret}".encode()).decode()
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = http.post("/oauth/token", data=data, headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(session: Session):  # noqa: ANN201
    patient, plan, nurse = factories.patient_with_plan(session, items=2)
    unit = session.get(CareUnit, nurse.unit_id)
    return patient, plan, unit


def test_the_capability_statement_is_public(client: FlaskClient) -> None:
    response = client.get("/fhir/R4/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    body = response.get_json()
    assert body["resourceType"] == "CapabilityStatement"
    assert body["fhirVersion"] == "4.0.1"
    assert {r["type"] for r in body["rest"][0]["resource"]} == {"Patient", "CarePlan", "QuestionnaireResponse",
                                                                "Appointment"}


def test_a_system_gets_a_token_and_reads_a_plan_logged_as_itself(client: FlaskClient, session: Session,
                                                                    world) -> None:  # noqa: ANN001
    patient, plan, unit = world
    made = _client(session, unit, ["careplan.read", "patient.read"])
    token = _token(client, made)
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == clients.digest(token)
    assert token not in stored.token_hash
    response = client.get(f"/fhir/R4/CarePlan/{plan.id}", headers=_bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["resourceType"] == "CarePlan"
    assert body["subject"]["reference"] == f"Patient/{patient.id}"
    assert len(body["activity"]) == 2
    event = session.exec(select(AccessEvent).where(AccessEvent.resource == f"fhir:CarePlan/{plan.id}")).one()
    assert (event.actor_user_id, event.role, event.action, event.patient_id) == (
        made.client.user_id, "system", "read", patient.id)


def test_search_finds_the_plans_and_the_patient_by_identifier_in_a_post_body(client: FlaskClient, session: Session,
                                                                              world) -> None:  # noqa: ANN001
    patient, plan, unit = world
    token = _token(client, _client(session, unit, ["careplan.read", "patient.read"]))
    found = client.get(f"/fhir/R4/CarePlan?patient=Patient/{patient.id}&status=active", headers=_bearer(token))
    assert found.get_json()["type"] == "searchset"
    assert found.get_json()["total"] == 1
    by_number = client.post("/fhir/R4/Patient/_search", headers=_bearer(token),
                            data={"identifier": f"{mapping.PERSONNUMMER}|{patient.personal_id}"})
    assert [e["resource"]["id"] for e in by_number.get_json()["entry"]] == [str(patient.id)]
    in_address = client.get(f"/fhir/R4/Patient?identifier={patient.personal_id}", headers=_bearer(token))
    assert in_address.status_code == 400


def test_without_a_token_the_api_answers_401_and_logs_it(client: FlaskClient, session: Session,
                                                         world) -> None:  # noqa: ANN001
    _patient, plan, _unit = world
    response = client.get(f"/fhir/R4/CarePlan/{plan.id}")
    assert response.status_code == 401
    assert response.get_json()["error"] == "missing_authorization"
    bad = client.get(f"/fhir/R4/CarePlan/{plan.id}", headers=_bearer("not-a-token"))
    assert bad.status_code == 401
    assert "invalid_token" in bad.headers["WWW-Authenticate"]
    denied = session.exec(select(AccessEvent).where(AccessEvent.action == "denied")).all()
    assert [(e.role, e.resource) for e in denied] == [("anonymous", "fhir:fhir.api.careplan_read")] * 2


def test_an_expired_token_is_refused(client: FlaskClient, session: Session, world) -> None:  # noqa: ANN001
    _patient, plan, unit = world
    token = _token(client, _client(session, unit, ["careplan.read"]))
    stored = session.exec(select(ApiToken)).one()
    stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    assert client.get(f"/fhir/R4/CarePlan/{plan.id}", headers=_bearer(token)).status_code == 401


def test_a_wrong_scope_answers_403_logged_as_the_system(client: FlaskClient, session: Session,
                                                        world) -> None:  # noqa: ANN001
    _patient, plan, unit = world
    made = _client(session, unit, ["patient.read"])
    token = _token(client, made)
    response = client.get(f"/fhir/R4/CarePlan/{plan.id}", headers=_bearer(token))
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope"
    event = session.exec(select(AccessEvent)).one()
    assert (event.actor_user_id, event.role, event.action) == (made.client.user_id, "system", "denied")


def test_a_scope_the_client_was_not_given_is_not_in_its_token(client: FlaskClient, session: Session,
                                                              world) -> None:  # noqa: ANN001
    _patient, plan, unit = world
    token = _token(client, _client(session, unit, ["patient.read"]), scope="careplan.read patient.read")
    assert session.exec(select(ApiToken)).one().scopes == "patient.read"
    assert client.get(f"/fhir/R4/CarePlan/{plan.id}", headers=_bearer(token)).status_code == 403


def test_a_wrong_secret_gets_no_token(client: FlaskClient, session: Session, world) -> None:  # noqa: ANN001
    made = _client(session, world[2], ["patient.read"])
    response = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": made.client.client_id,
                                                 "client_secret": "wrong"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    assert count_rows(session, ApiToken) == 0


@pytest.mark.parametrize("path", ["/fhir/R4/CarePlan/{plan}", "/fhir/R4/Patient/{patient}",
                                  "/fhir/R4/QuestionnaireResponse/{plan}"])
def test_another_providers_patient_is_not_found_and_logged(client: FlaskClient, session: Session, world,  # noqa: ANN001
                                                           path: str) -> None:
    patient, plan, _unit = world
    elsewhere = factories.unit(session, name="Annat sjukhus", provider="Annat sjukhus AB")
    token = _token(client, _client(session, elsewhere, list(clients.SCOPES[:3]), name="Annat system"))
    response = client.get(path.format(plan=plan.id, patient=patient.id), headers=_bearer(token))
    assert response.status_code == 404
    assert response.get_json()["resourceType"] == "OperationOutcome"
    search = client.get(f"/fhir/R4/CarePlan?patient={patient.id}", headers=_bearer(token))
    assert search.get_json()["total"] == 0
    assert [e.action for e in session.exec(select(AccessEvent)).all()] == ["denied"]


def _booking(patient_id: int, item_id: int | None, start: str, place: str = "Strålbehandlingen, rum 3") -> dict:
    return {"resourceType": "Appointment", "status": "booked", "start": start, "end": start,
            **({"identifier": [{"system": mapping.PLAN_ITEM, "value": str(item_id)}]} if item_id else {}),
            "description": "Nybesök hos läkare",
            "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
                            {"actor": {"type": "Location", "display": place}, "status": "accepted"}]}


def test_a_posted_appointment_moves_the_plan_item(client: FlaskClient, session: Session,
                                                  world) -> None:  # noqa: ANN001
    patient, plan, unit = world
    item = factories.item(session, plan, days=40, title="Läkarbesök", status=ItemStatus.PLANNED, precision="week")
    made = _client(session, unit, ["appointment.write"])
    token = _token(client, made)
    response = client.post("/fhir/R4/Appointment", json=_booking(patient.id, item.id, "2027-01-12T10:15:00+01:00"),
                           headers=_bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "booked"
    session.expire_all()
    moved = session.get(PlanItem, item.id)
    assert (moved.status, moved.date_precision, moved.location) == ("booked", "time", "Strålbehandlingen, rum 3")
    assert in_stockholm(moved.starts_at) == datetime(2027, 1, 12, 9, 15, tzinfo=UTC)
    change = session.exec(select(PlanChange)).one()
    assert (change.what, change.actor_user_id) == ("item_changed", made.client.user_id)
    event = session.exec(select(AccessEvent).where(AccessEvent.action == "update")).one()
    assert (event.resource, event.patient_id, event.role) == (f"plan_item:{item.id}", patient.id, "system")


def test_a_posted_appointment_without_an_item_adds_one(client: FlaskClient, session: Session,
                                                       world) -> None:  # noqa: ANN001
    patient, plan, unit = world
    token = _token(client, _client(session, unit, ["appointment.write"]))
    response = client.post("/fhir/R4/Appointment", json=_booking(patient.id, None, "2027-01-12T10:15:00+01:00"),
                           headers=_bearer(token))
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/fhir/R4/Appointment/{response.get_json()['id']}")
    assert count_rows(session, PlanItem, PlanItem.title == "Nybesök hos läkare") == 1


@pytest.mark.parametrize(("change", "status"), [
    ({"status": "waitlist"}, 422), ({"start": None, "end": None}, 422), ({"colour": "blue"}, 400),
    ({"participant": [{"actor": {"reference": "Patient/999999"}, "status": "accepted"}]}, 404)])
def test_a_bad_appointment_is_refused_with_an_operation_outcome(client: FlaskClient, session: Session, world,  # noqa: ANN001
                                                                change: dict, status: int) -> None:
    patient, plan, unit = world
    item = session.exec(select(PlanItem).where(PlanItem.plan_id == plan.id)).first()
    token = _token(client, _client(session, unit, ["appointment.write"]))
    body = {k: v for k, v in {**_booking(patient.id, item.id, "2027-01-12T10:15:00+01:00"), **change}.items()
            if v is not None}
    response = client.post("/fhir/R4/Appointment", json=body, headers=_bearer(token))
    assert response.status_code == status
    assert response.get_json()["resourceType"] == "OperationOutcome"
    assert count_rows(session, PlanChange) == 0


def test_reading_needs_no_csrf_token_but_the_api_sets_no_cookie(client: FlaskClient, session: Session,
                                                                world) -> None:  # noqa: ANN001
    patient, _plan, unit = world
    token = _token(client, _client(session, unit, ["patient.read"]))
    response = client.get(f"/fhir/R4/Patient/{patient.id}", headers=_bearer(token))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.get_json()["identifier"][0]["value"] == patient.personal_id


def test_the_command_makes_a_client_whose_secret_is_shown_once(app: Flask, client: FlaskClient, session: Session,
                                                               world) -> None:  # noqa: ANN001
    unit = world[2]
    result = app.test_cli_runner().invoke(args=["api-client", "Journalen", str(unit.provider_id),
                                                "--scope", "careplan.read"])
    assert result.exit_code == 0, result.output
    shown = dict(line.split(":", 1) for line in result.output.splitlines() if line.startswith("client_"))
    client_id, secret = shown["client_id"].strip(), shown["client_secret"].strip()
    stored = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).one()
    assert secret not in stored.secret_hash
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                               "client_secret": secret})
    assert answer.get_json().get("scope") == "careplan.read", answer.get_json()
    refused = app.test_cli_runner().invoke(args=["api-client", "X", "999999"])
    assert refused.exit_code != 0


def test_the_demo_booking_system_reads_marias_plan(client: FlaskClient, session: Session) -> None:
    load_demo_data(session, stockholm_today())
    session.commit()
    name, client_id, secret = DEMO_API_CLIENT
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                               "client_secret": secret})
    token = answer.get_json()["access_token"]
    maria = session.exec(select(Patient).where(Patient.name == "Maria Ek")).one()
    found = client.get(f"/fhir/R4/CarePlan?patient={maria.id}", headers=_bearer(token)).get_json()
    assert found["total"] == 1
    amira = session.exec(select(Patient).where(Patient.name == "Amira Haddad")).one()  # at Ekdalens sjukhus
    assert client.get(f"/fhir/R4/Patient/{amira.id}", headers=_bearer(token)).status_code == 404
    assert name.startswith("Bokningssystemet")
