"""Forms in a plan: importing versions, due order, submitting once, alerts and their handling."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlmodel import Session, select

from portal.models import Alert, FormResponse, PlanItem, Questionnaire, User
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from tests import factories


def test_forms_import_cli_adds_versions_only_when_changed(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    assert "New versions: behov v1, mabra v1, viktigt v1." in runner.invoke(args=["forms", "import"]).output
    assert "up to date" in runner.invoke(args=["forms", "import"]).output
    assert len(session.exec(select(Questionnaire)).all()) == 3


def test_import_makes_a_new_version_when_content_changes(session: Session) -> None:
    definitions = load_all()
    answering.import_definitions(session, definitions)
    changed = dataclasses.replace(definitions["viktigt"], title={"sv": "Ny", "en": "New"})
    assert answering.import_definitions(session, {"viktigt": changed}) == ["viktigt v2"]
    assert answering.latest_questionnaire(session, "viktigt").version == 2


def _setup(session: Session) -> tuple[User, User, int]:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    answering.import_definitions(session, load_all())
    return session.get(User, patient.user_id), session.get(User, nurse.user_id), plan.id


def test_due_forms_come_first(session: Session) -> None:
    patient, nurse, plan_id = _setup(session)
    now = datetime.now(UTC)
    answering.assign(session, plan_id, "viktigt", None, nurse, now + timedelta(days=3))
    answering.assign(session, plan_id, "mabra", 2, nurse, now - timedelta(days=1))
    rows = answering.forms_to_answer(session, plan_id, now)
    assert [(r.assignment.questionnaire_key, r.is_due) for r in rows] == [("mabra", True), ("viktigt", False)]


def test_submit_once_raises_alerts_and_moves_the_due_date(session: Session) -> None:
    patient, nurse, plan_id = _setup(session)
    assignment = answering.assign(session, plan_id, "mabra", 2, nurse)
    response = answering.start_or_resume(session, assignment, patient)
    definition = answering.definition_of(session.get(Questionnaire, response.questionnaire_id))
    answering.save_answers(session, response, definition, {"distress": 5, "problems_physical": ["eating"]}, [])
    now = datetime.now(UTC)
    assert answering.submit(session, response, definition, now)
    assert not answering.submit(session, response, definition, now)
    assert {(a.reason, a.profession) for a in session.exec(select(Alert)).all()} == {
        ("high_distress", None), ("eating", "dietitian")}
    assert session.exec(select(FormResponse)).one().score == 5
    session.refresh(assignment)
    assert assignment.due_at.replace(tzinfo=UTC) - now == timedelta(weeks=2)
    assert answering.start_or_resume(session, assignment, patient).id != response.id  # the next round is a new draft


def test_handling_an_alert_adds_a_rehabilitation_item(session: Session) -> None:
    patient, nurse, plan_id = _setup(session)
    assignment = answering.assign(session, plan_id, "mabra", None, nurse)
    response = answering.start_or_resume(session, assignment, patient)
    definition = answering.definition_of(session.get(Questionnaire, response.questionnaire_id))
    answering.save_answers(session, response, definition, {"distress": 8}, [])
    answering.submit(session, response, definition)
    alert = answering.open_alerts(session, [plan_id])[0]
    item = answering.handle_alert(session, alert, nurse, "Ringde patienten.",
                                  answering.AlertChoice("referred", "Kontakt med fysioterapeut"))
    assert (item.phase, item.title, item.plan_id) == ("rehabilitation", "Kontakt med fysioterapeut", plan_id)
    assert (alert.status, alert.handled_by_user_id, alert.plan_item_id, alert.action) == (
        "handled", nurse.id, item.id, "referred")
    assert answering.open_alerts(session, [plan_id]) == []
    assert len(session.exec(select(PlanItem)).all()) == 1
