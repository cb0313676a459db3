"""The FHIR export: every resource is valid FHIR (checked by the fhir.resources models), the plan read back from the
bundle is the plan in the database, relatives get only their scopes, and the demo plan's bundle is the golden file."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import update
from sqlmodel import Session, select

from portal.core.clock import in_stockholm
from portal.demo.services import load_demo_data
from portal.fhir.services import collect, mapping
from portal.models import CarePlan, CareTeamMembership, Patient, PlanItem, PlanReading, Scope, User
from tests import factories

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "maria_bundle.fhir.json"
TODAY = date(2026, 11, 23)  # a Monday; the demo's dates are set from it
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BASE = "https://portal.example/fhir/R4"


def _article_url(article_id: int) -> str:
    return f"https://portal.example/plan/reading/{article_id}"


def _maria(session: Session) -> Patient:
    load_demo_data(session, TODAY)
    # The rows' own clocks (when a plan or a reading was made) are the loading time: set them from TODAY too.
    for model, column in ((CarePlan, "created_at"), (PlanReading, "assigned_at"), (CareTeamMembership, "since")):
        session.execute(update(model).values({column: NOW}))
    session.commit()
    return session.exec(select(Patient).where(Patient.name == "Maria Ek")).one()


def _export(session: Session, patient: Patient, scopes: frozenset[str] = collect.ALL) -> dict:
    data = collect.collect(session, patient, scopes)
    return json.loads(mapping.bundle(data, BASE, _article_url, NOW).model_dump_json())


def test_every_exported_resource_is_valid_fhir(session: Session) -> None:
    exported = _export(session, _maria(session))
    kinds = [entry["resource"]["resourceType"] for entry in exported["entry"]]
    for entry in exported["entry"]:
        resource = entry["resource"]
        parsed = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert json.loads(parsed.model_dump_json()) == resource
        assert entry["fullUrl"] == f"{BASE}/{resource['resourceType']}/{resource['id']}"
    assert exported["type"] == "collection"
    assert {"Patient", "CarePlan", "Condition", "CareTeam", "Organization", "PractitionerRole", "Appointment",
            "DocumentReference", "Questionnaire", "QuestionnaireResponse"} <= set(kinds)


def test_the_patient_is_known_by_the_swedish_identifier_systems(session: Session) -> None:
    maria = _maria(session)
    coordination = factories.patient(session, name="Samir Sam", pid=factories.personal_id("19800161"))
    for patient, system in ((maria, mapping.PERSONNUMMER), (coordination, mapping.SAMORDNINGSNUMMER)):
        identifier = _export(session, patient)["entry"][0]["resource"]["identifier"][0]
        assert identifier == {"use": "official", "system": system, "value": patient.personal_id}
    assert mapping.PERSONNUMMER == "urn:oid:1.2.752.129.2.1.3.1"
    assert mapping.SAMORDNINGSNUMMER == "urn:oid:1.2.752.129.2.1.3.3"


def _written(item: PlanItem) -> str | None:
    if item.starts_at is None:
        return None
    local = in_stockholm(item.starts_at)
    return {"time": local.isoformat(), "month": local.strftime("%Y-%m")}.get(item.date_precision,
                                                                            local.date().isoformat())


def test_the_plan_read_back_from_the_bundle_is_the_plan(session: Session) -> None:
    maria = _maria(session)
    parsed = Bundle.model_validate_json(json.dumps(_export(session, maria)))
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == maria.id)).one()
    items = session.exec(select(PlanItem).where(PlanItem.plan_id == plan.id)).all()
    expected = sorted(({"id": i.id, "phase": i.phase, "kind": i.kind, "title": i.title, "status": i.status,
                        "start": _written(i), "precision": i.date_precision, "location": i.location,
                        "preparation": i.preparation} for i in items), key=lambda row: row["id"])
    assert sorted(mapping.timeline_of(parsed), key=lambda row: row["id"]) == expected
    assert {"week", "month", "time", "day"} <= {row["precision"] for row in expected}


def test_approximate_dates_are_periods_and_booked_visits_appointments(session: Session) -> None:
    exported = _export(session, _maria(session))
    plan = next(e["resource"] for e in exported["entry"] if e["resource"]["resourceType"] == "CarePlan")
    by_title = {a["detail"]["code"]["text"]: a["detail"] for a in plan["activity"]}
    assert by_title["Strålbehandling varje vardag i tre veckor"]["scheduledPeriod"] == {
        "start": "2026-11-30", "end": "2026-12-06"}  # the week of Monday 30 November
    assert by_title["Mammografi ett år efter operationen"]["scheduledPeriod"] == {"start": "2027-11", "end": "2027-11"}
    assert by_title["Samtal med kurator, om du vill"].get("scheduledPeriod") is None
    assert {d["status"] for d in by_title.values()} == {"completed", "scheduled", "not-started"}
    booked = [e["resource"] for e in exported["entry"] if e["resource"]["resourceType"] == "Appointment"]
    assert [(a["description"], a["status"], a["start"]) for a in booked] == [
        ("Första strålbehandlingen", "booked", "2026-11-26T09:30:00+01:00")]


def test_a_relative_gets_only_what_the_scopes_allow(session: Session) -> None:
    maria = _maria(session)
    kinds = {scope: {e["resource"]["resourceType"] for e in _export(session, maria, frozenset({scope}))["entry"]}
             for scope in (Scope.PLAN, Scope.FORMS, Scope.MESSAGES_READ)}
    assert {"CarePlan", "CareTeam", "Appointment", "DocumentReference"} <= kinds[Scope.PLAN]
    assert "QuestionnaireResponse" not in kinds[Scope.PLAN]
    assert kinds[Scope.FORMS] == {"Patient", "Questionnaire", "QuestionnaireResponse"}
    assert kinds[Scope.MESSAGES_READ] == {"Patient"}  # the demo thread is empty


def test_messages_become_communications(session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=1)
    factories.message(session, plan, session.get(User, nurse.user_id), "Välkommen")
    exported = _export(session, patient, frozenset({Scope.MESSAGES_READ}))
    sent = [e["resource"] for e in exported["entry"] if e["resource"]["resourceType"] == "Communication"]
    assert [(c["payload"][0]["contentString"], c["recipient"][0]["reference"]) for c in sent] == [
        ("Välkommen", f"Patient/{patient.id}")]


def test_the_demo_plan_bundle_matches_the_golden_file(session: Session) -> None:
    """The whole export of Maria's plan, written once with UPDATE_GOLDEN=1; any change to it shows here."""
    exported = _export(session, _maria(session))
    text = json.dumps(exported, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
