"""What another system of a care provider may read and write: only patients with a plan in which one of the
provider's units takes part now, and only plans for which one of its units is responsible may be changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import Any

from fhir.resources.R4B.appointment import Appointment
from pydantic import ValidationError
from sqlalchemy import Select
from sqlmodel import Session, col, select

from portal.core.personal_id import kind_of
from portal.fhir.services import mapping
from portal.fhir.services.collect import ALL, MyData, answered_forms, collect
from portal.models import (
    ApiClient,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    DatePrecision,
    FormResponse,
    ItemKind,
    ItemSource,
    ItemStatus,
    Patient,
    PlanItem,
    PlanStatus,
    ResponseStatus,
    TeamRole,
    User,
)
from portal.plans.services.builder import CheckedItem, add_item, change_item

NO_PASSWORD = "!"  # noqa: S105  (a system's account never signs in)
ITEM_STATUS = {"booked": ItemStatus.BOOKED, "fulfilled": ItemStatus.DONE, "cancelled": ItemStatus.CANCELLED}
SYSTEM_OF_KIND = {v: k for k, v in mapping.IDENTIFIER_SYSTEMS.items()}


class ImportError_(StrEnum):
    """Why a posted Appointment was refused (the view answers with an OperationOutcome)."""

    INVALID = "invalid"  # not a valid FHIR Appointment
    STATUS = "status"  # a status we cannot put on a timeline
    START = "start"  # booked without a time
    PATIENT = "patient"  # no patient of this provider
    ITEM = "item"  # no such item in the patient's plan
    NOT_RESPONSIBLE = "not_responsible"  # the provider reads the plan but does not hold it


@dataclass(frozen=True)
class Imported:
    item: PlanItem
    created: bool


def _plans_at(provider_id: int) -> Select:
    """The ids of the plans in which a unit of this provider takes part now."""
    return (select(CareTeamMembership.plan_id).join(CareUnit, col(CareUnit.id) == CareTeamMembership.unit_id)
            .where(CareUnit.provider_id == provider_id, col(CareTeamMembership.until).is_(None)))


def plan_of(session: Session, client: ApiClient, plan_id: int) -> CarePlan | None:
    return session.exec(select(CarePlan).where(CarePlan.id == plan_id,
                                               col(CarePlan.id).in_(_plans_at(client.provider_id)))).first()


def plans_of(session: Session, client: ApiClient, patient_id: int, status: str | None = None) -> list[CarePlan]:
    query = select(CarePlan).where(CarePlan.patient_id == patient_id,
                                   col(CarePlan.id).in_(_plans_at(client.provider_id)))
    if status is not None:
        query = query.where(CarePlan.status == (PlanStatus.ACTIVE if status == "active" else PlanStatus.CLOSED))
    return list(session.exec(query.order_by(col(CarePlan.id))).all())


def patient_of(session: Session, client: ApiClient, patient_id: int) -> Patient | None:
    return session.exec(select(Patient).where(Patient.id == patient_id, col(Patient.id).in_(
        select(CarePlan.patient_id).where(col(CarePlan.id).in_(_plans_at(client.provider_id)))))).first()


def patient_by_identifier(session: Session, client: ApiClient, token: str) -> Patient | None:
    """`system|value` as FHIR token search writes it; the system must match the kind of number."""
    system, _bar, value = token.rpartition("|")
    patient = session.exec(select(Patient).where(Patient.personal_id == value.strip())).first()
    if patient is None or (system and SYSTEM_OF_KIND.get(system) != kind_of(patient.personal_id)):
        return None
    return patient_of(session, client, patient.id or 0)


def response_of(session: Session, client: ApiClient, response_id: int) -> FormResponse | None:
    return session.exec(select(FormResponse).where(
        FormResponse.id == response_id, FormResponse.status == ResponseStatus.SUBMITTED,
        col(FormResponse.plan_id).in_(_plans_at(client.provider_id)))).first()


def responses_of(session: Session, client: ApiClient, patient_id: int) -> list[FormResponse]:
    return list(session.exec(select(FormResponse).join(CarePlan, col(CarePlan.id) == FormResponse.plan_id).where(
        CarePlan.patient_id == patient_id, FormResponse.status == ResponseStatus.SUBMITTED,
        col(FormResponse.plan_id).in_(_plans_at(client.provider_id))).order_by(col(FormResponse.id))).all())


def patient_json(patient: Patient) -> dict[str, Any]:
    return mapping.patient_resource(MyData(patient=patient, language=patient.language))


def plan_json(session: Session, patient: Patient, plan: CarePlan) -> dict[str, Any]:
    return mapping.care_plan(collect(session, patient, ALL, patient.language, plan))


def response_json(session: Session, patient: Patient, response: FormResponse) -> dict[str, Any]:
    data = MyData(patient=patient, language=patient.language)
    return mapping.questionnaire_response(data, answered_forms(session, [response])[0])


def _patient_of_plan(session: Session, plan_id: int) -> Patient:
    return session.exec(select(Patient).join(CarePlan, col(CarePlan.patient_id) == Patient.id)
                        .where(CarePlan.id == plan_id)).one()


def patient_of_response(session: Session, response: FormResponse) -> Patient:
    return _patient_of_plan(session, response.plan_id)


def patient_of_item(session: Session, item: PlanItem) -> Patient:
    return _patient_of_plan(session, item.plan_id)


def appointment_json(session: Session, item: PlanItem) -> dict[str, Any]:
    """The item as the Appointment it now is (booked, fulfilled or cancelled; proposed if it has no time)."""
    patient = patient_of_item(session, item)
    found = mapping.appointment(MyData(patient=patient, language=patient.language), item, booked_only=False)
    return found or {"resourceType": "Appointment", "id": f"item-{item.id}", "status": "proposed",
                     "identifier": [{"system": mapping.PLAN_ITEM, "value": str(item.id)}],
                     "participant": [{"actor": {"reference": f"Patient/{patient.id}"}, "status": "needs-action"}]}


def _parsed(payload: object) -> Appointment | ImportError_:
    try:
        appointment = Appointment.model_validate(payload)
    except (ValidationError, ValueError, TypeError):
        return ImportError_.INVALID
    if appointment.status not in ITEM_STATUS:
        return ImportError_.STATUS
    if appointment.status == "booked" and appointment.start is None:
        return ImportError_.START
    return appointment


def _reference_id(appointment: Appointment, kind: str) -> int | None:
    for participant in appointment.participant or []:
        reference = participant.actor.reference if participant.actor else None
        if reference and reference.startswith(f"{kind}/") and reference[len(kind) + 1:].isdigit():
            return int(reference[len(kind) + 1:])
    return None


def _place(appointment: Appointment) -> str | None:
    places = [p.actor.display for p in appointment.participant or []
              if p.actor and p.actor.type == "Location" and p.actor.display]
    return places[0][:200] if places else None


def _item_id(appointment: Appointment) -> int | None:
    ids = [i.value for i in appointment.identifier or [] if i.system == mapping.PLAN_ITEM]
    return int(ids[0]) if ids and str(ids[0]).isdigit() else None


def _responsible_unit(session: Session, client: ApiClient, plan: CarePlan) -> int | None:
    return session.exec(select(CareUnit.id).join(CareTeamMembership, col(CareTeamMembership.unit_id) == CareUnit.id)
                        .where(CareTeamMembership.plan_id == plan.id, CareTeamMembership.role == TeamRole.RESPONSIBLE,
                               col(CareTeamMembership.until).is_(None),
                               CareUnit.provider_id == client.provider_id)).first()


def import_appointment(session: Session, client: ApiClient, payload: object) -> Imported | ImportError_:
    """A booking from the provider's booking system: the item it names (our plan-item identifier) becomes booked
    (or done, or cancelled) with its time and place; without an identifier, a new booked item in the plan."""
    appointment = _parsed(payload)
    if isinstance(appointment, ImportError_):
        return appointment
    patient = patient_of(session, client, _reference_id(appointment, "Patient") or 0)
    plans = plans_of(session, client, patient.id or 0, "active") if patient else []
    if not plans:
        return ImportError_.PATIENT
    plan = plans[-1]
    unit_id = _responsible_unit(session, client, plan)
    if unit_id is None:
        return ImportError_.NOT_RESPONSIBLE
    item_id = _item_id(appointment)
    item = session.get(PlanItem, item_id) if item_id else None
    if item_id and (item is None or item.plan_id != plan.id or item.source != ItemSource.STAFF):
        return ImportError_.ITEM
    actor = session.get(User, client.user_id) or User(id=client.user_id, name=client.name, role="system",
                                                      password_hash=NO_PASSWORD)
    start = appointment.start.astimezone(UTC) if appointment.start else (item.starts_at if item else None)
    checked = CheckedItem(
        title=item.title if item else (appointment.description or "Bokat besök")[:200],
        phase=item.phase if item else plan.current_phase, kind=item.kind if item else ItemKind.APPOINTMENT,
        status=ITEM_STATUS[appointment.status], starts_at=start,
        precision=DatePrecision.TIME if appointment.start else (item.date_precision if item else DatePrecision.DAY),
        location=_place(appointment) or (item.location if item else ""),
        unit_id=item.unit_id if item else unit_id, preparation=item.preparation if item else "",
        body=item.body if item else "")
    if item is None:
        return Imported(add_item(session, plan, actor, checked), created=True)
    change_item(session, plan, actor, item, checked)
    return Imported(item, created=False)

