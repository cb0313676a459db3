"""The safety notice above the message form says when to call from the content: a text for the plan's phase, and in
the treatment phase one per treatment found in the plan's treatment items (never 'fever during chemotherapy' to
everyone). The unit's phone number stays."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from portal.content.services import store as content
from portal.content.services.pack import CONTENT, load_diagnosis
from portal.models import CarePlan, ItemKind, ItemStatus, Phase
from tests import factories
from tests.conftest import sign_in

CHEMO_FEVER = "Feber, 38 grader eller mer, under behandling med cellgifter kan vara allvarligt."
CHILD_CHEMO_FEVER = "Feber, 38 grader eller mer, hos ett barn som får cellgifter kan vara allvarligt."
RADIOTHERAPY = "Under strålbehandlingen, ring om huden"
SURGERY = "Efter en operation, ring om såret"
INVESTIGATION = "medan utredningen pågår"
TREATMENT = "om det inte går att äta eller dricka på ett dygn"


def _publish(session: Session, *keys: str) -> dict[str, int]:
    packs = [load_diagnosis(CONTENT / key, CONTENT) for key in ("generell", *keys)]
    return {result.key: result.version for result in content.import_packs(session, packs, publish=True)}


def _safety_for(client: FlaskClient, session: Session, phase: str, treatments: list[tuple[str, str]],
                diagnosis: str = "brostcancer") -> str:
    """The safety notice a new patient sees, whose plan is in `phase` with these (title, status) treatment items."""
    versions = _publish(session, diagnosis)
    where = factories.unit(session)
    patient = factories.patient(session)
    plan = factories.plan(session, patient, where, factories.staff(session, where), phase=phase, diagnosis=diagnosis)
    plan.template_version = versions[diagnosis]
    session.add(plan)
    for title, status in treatments:
        item = factories.item(session, plan, title=title, status=status, at=where)
        item.kind = ItemKind.TREATMENT
        session.add(item)
    session.add(factories.item(session, plan, title="Samtal om strålbehandling", at=where))  # an appointment
    session.commit()
    sign_in(client, patient.personal_id, factories.PASSWORD)
    page = client.get("/plan/messages").get_data(as_text=True)
    return page.split('class="mv-safety"')[1].split("</section>")[0]


def test_a_patient_in_investigation_gets_the_investigation_text_and_no_chemotherapy_fever(
        client: FlaskClient, session: Session) -> None:
    safety = _safety_for(client, session, Phase.INVESTIGATION, [("Cellgiftsbehandling, omgång 1", "planned")])
    assert INVESTIGATION in safety
    assert "feber" not in safety.lower()
    assert "cellgift" not in safety
    assert 'href="tel:0101112233"' in safety  # the unit's phone stays
    assert 'href="tel:112"' in safety


def test_treatment_with_chemotherapy_gets_the_fever_text(client: FlaskClient, session: Session) -> None:
    safety = _safety_for(client, session, Phase.TREATMENT, [("Cellgiftsbehandling, omgång 2", ItemStatus.BOOKED)])
    assert TREATMENT in safety
    assert CHEMO_FEVER in safety
    assert RADIOTHERAPY not in safety  # an appointment about radiotherapy is not a treatment
    assert SURGERY not in safety
    assert 'href="tel:0101112233"' in safety


def test_radiotherapy_after_surgery_gets_those_texts_and_no_chemotherapy_fever(
        client: FlaskClient, session: Session) -> None:
    safety = _safety_for(client, session, Phase.TREATMENT, [("Operation", ItemStatus.DONE),
                                                           ("Första strålbehandlingen", ItemStatus.BOOKED),
                                                           ("Cytostatika", ItemStatus.CANCELLED)])
    assert RADIOTHERAPY in safety
    assert SURGERY in safety
    assert CHEMO_FEVER not in safety  # the cancelled chemotherapy does not count
    assert safety.index(TREATMENT) < safety.index(RADIOTHERAPY)


@pytest.mark.parametrize("phase", [Phase.REHABILITATION, Phase.FOLLOW_UP])
def test_after_treatment_the_phase_text_replaces_the_treatment_texts(
        client: FlaskClient, session: Session, phase: str) -> None:
    safety = _safety_for(client, session, phase, [("Cellgiftsbehandling", ItemStatus.DONE)])
    assert CHEMO_FEVER not in safety
    assert ("stor trötthet" if phase == Phase.REHABILITATION else "Vänta inte på nästa kontroll") in safety


def test_a_diagnosis_can_replace_a_treatment_text(client: FlaskClient, session: Session) -> None:
    safety = _safety_for(client, session, Phase.TREATMENT, [("Cellgifter, block 2", ItemStatus.BOOKED)],
                         diagnosis="barncancer-all")
    assert CHILD_CHEMO_FEVER in safety
    assert CHEMO_FEVER not in safety
    assert TREATMENT in safety  # the phase text still comes from generell


def test_a_plan_without_safety_content_keeps_the_units_number(client: FlaskClient, session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=0)
    assert isinstance(plan, CarePlan)
    sign_in(client, patient.personal_id, factories.PASSWORD)
    page = client.get("/plan/messages").get_data(as_text=True)
    safety = page.split('class="mv-safety"')[1].split("</section>")[0]
    assert "Om du behöver råd snart, ring Onkologimottagningen" in safety
    assert "feber" not in safety.lower()
