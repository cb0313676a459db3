"""Reading care plans: whose plan, which items, who to contact, and who may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from portal.models import (
    Alert,
    AlertStatus,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    Patient,
    PlanItem,
    PlanStatus,
    StaffMember,
    TeamRole,
    User,
)
from portal.plans.services.timeline import PhaseGroup, ToLocalDate, build_timeline


@dataclass(frozen=True)
class Contact:
    """What the patient's contact card shows."""

    nurse_name: str | None
    unit: CareUnit | None
    doctor: str
    others: tuple[CareUnit, ...] = ()  # "Också i ditt vårdteam": the participating units, each with its phone


# Asked on the patient pages and the staff plan page: built once, run with their parameters.
PATIENT_OF_USER = select(Patient).where(Patient.user_id == bindparam("user_id"))
ACTIVE_PLAN = (
    select(CarePlan)
    .where(CarePlan.patient_id == bindparam("patient_id"), CarePlan.status == PlanStatus.ACTIVE)
    .order_by(col(CarePlan.created_at).desc(), col(CarePlan.id).desc())
)
OWN_PATIENT_AND_PLAN = (
    select(Patient, CarePlan)
    .outerjoin(CarePlan, (col(CarePlan.patient_id) == Patient.id) & (CarePlan.status == PlanStatus.ACTIVE))
    .where(Patient.user_id == bindparam("user_id"))
    .order_by(col(CarePlan.created_at).desc(), col(CarePlan.id).desc())
)
ITEMS_OF_PLAN = select(PlanItem).where(PlanItem.plan_id == bindparam("plan_id"))
ITEMS_WITH_UNITS = (select(PlanItem, CareUnit).outerjoin(CareUnit, col(CareUnit.id) == PlanItem.unit_id)
                    .where(PlanItem.plan_id == bindparam("plan_id")))
ITEM_OF_PATIENT = (
    select(PlanItem, CareUnit)
    .join(CarePlan, col(CarePlan.id) == PlanItem.plan_id)
    .outerjoin(CareUnit, col(CareUnit.id) == PlanItem.unit_id)
    .where(PlanItem.id == bindparam("item_id"), CarePlan.patient_id == bindparam("patient_id"),
           col(CarePlan.shared_at).is_not(None))
)
UNITS = select(CareUnit).where(col(CareUnit.id).in_(bindparam("unit_ids", expanding=True)))
NURSE_NAME = (select(User.name).join(StaffMember, col(StaffMember.user_id) == User.id)
              .where(StaffMember.id == bindparam("nurse_id")))
# The plan's current care team by unit name (the responsible unit, the newest should two overlap, and the others),
# each row with the contact nurse's name: the whole contact card in one query.
TEAM_UNITS = (
    select(CareUnit, CareTeamMembership.role, CareTeamMembership.since, NURSE_NAME.scalar_subquery())
    .join(CareTeamMembership, col(CareTeamMembership.unit_id) == CareUnit.id)
    .where(CareTeamMembership.plan_id == bindparam("plan_id"), col(CareTeamMembership.until).is_(None))
    .order_by(CareUnit.name)
)
RESPONSIBLE_UNIT = (
    select(CareUnit)
    .join(CareTeamMembership, col(CareTeamMembership.unit_id) == CareUnit.id)
    .where(
        CareTeamMembership.plan_id == bindparam("plan_id"),
        CareTeamMembership.role == TeamRole.RESPONSIBLE,
        col(CareTeamMembership.until).is_(None),
    )
    .order_by(col(CareTeamMembership.since).desc())
)


def patient_for_user(session: Session, user_id: int) -> Patient | None:
    return session.exec(PATIENT_OF_USER, params={"user_id": user_id}).first()


def patient_and_plan(session: Session, user_id: int) -> tuple[Patient | None, CarePlan | None]:
    """The patient who is this user and their current plan (as active_plan), in one query."""
    found = session.exec(OWN_PATIENT_AND_PLAN, params={"user_id": user_id}).first()
    return (found[0], found[1]) if found is not None else (None, None)


def active_plan(session: Session, patient_id: int) -> CarePlan | None:
    """The patient's current plan (the newest active one)."""
    return session.exec(ACTIVE_PLAN, params={"patient_id": patient_id}).first()


def plan_items(session: Session, plan_id: int) -> list[PlanItem]:
    return list(session.exec(ITEMS_OF_PLAN, params={"plan_id": plan_id}).all())


def items_and_units(session: Session, plan_id: int) -> tuple[list[PlanItem], dict[int, CareUnit]]:
    """The plan's items and the units they name, in one query."""
    rows = session.exec(ITEMS_WITH_UNITS, params={"plan_id": plan_id}).all()
    return [item for item, _unit in rows], {unit.id: unit for _item, unit in rows if unit is not None and unit.id}


def timeline(session: Session, plan: CarePlan, today: date, to_local: ToLocalDate
             ) -> tuple[list[PhaseGroup], dict[int, CareUnit]]:
    """The plan's items as a timeline, and the units they name (one query)."""
    items, units = items_and_units(session, plan.id or 0)
    return build_timeline(items, today, to_local, plan.current_phase), units


def units_by_id(session: Session, unit_ids: set[int]) -> dict[int, CareUnit]:
    """The units named on a timeline, in one query."""
    if not unit_ids:
        return {}
    units = session.exec(UNITS, params={"unit_ids": list(unit_ids)}).all()
    return {unit.id: unit for unit in units if unit.id is not None}


def responsible_unit(session: Session, plan_id: int) -> CareUnit | None:
    """The unit that holds the plan now."""
    return session.exec(RESPONSIBLE_UNIT, params={"plan_id": plan_id}).first()


def contact_for(session: Session, plan: CarePlan) -> Contact:
    """The contact nurse and the responsible unit first, then the other units in the care team, for the contact
    card (each item keeps its own unit: the patient in the middle of radiotherapy still calls that unit); the
    whole team in one query."""
    nurse_id = plan.contact_nurse_id
    team = session.exec(TEAM_UNITS, params={"plan_id": plan.id, "nurse_id": nurse_id}).all() if plan.id else []
    nurse = team[0][3] if team else None
    if not team and nurse_id is not None:  # no unit in the team (not a state the portal makes)
        nurse = session.exec(NURSE_NAME, params={"nurse_id": nurse_id}).first()
    responsible = [(since, unit) for unit, role, since, _nurse in team if role == TeamRole.RESPONSIBLE]
    unit = max(responsible, key=lambda pair: pair[0])[1] if responsible else None
    others = tuple(unit for unit, role, _since, _nurse in team if role == TeamRole.PARTICIPATING)
    return Contact(nurse, unit, plan.responsible_doctor, others)


def item_for_patient(session: Session, patient_id: int, item_id: int) -> PlanItem | None:
    """An item only if it belongs to one of this patient's plans that the nurse has shared (never a draft's)."""
    return item_and_unit(session, patient_id, item_id)[0]


def item_and_unit(session: Session, patient_id: int, item_id: int) -> tuple[PlanItem | None, CareUnit | None]:
    """As item_for_patient, with the unit the item names (None if none), in one query."""
    found = session.exec(ITEM_OF_PATIENT, params={"item_id": item_id, "patient_id": patient_id}).first()
    return (found[0], found[1]) if found is not None else (None, None)


STAFF_UNITS = select(StaffMember.unit_id).where(StaffMember.user_id == bindparam("user_id"))


def staff_units(session: Session, user_id: int) -> list[int]:
    """The units a member of the care team works at (a plain query, built once: every staff page asks)."""
    return list(session.connection().execute(STAFF_UNITS, {"user_id": user_id}).scalars())


def staff_may_read_plan(session: Session, user_id: int, plan_id: int) -> int | None:
    """The unit a staff member acts for in a plan (the one home of that choice, logged with everything she does
    there): the responsible unit if she works there, else a participating unit she works at (the lowest id, so the
    choice never changes between requests); None if she is in none of the plan's current units."""
    query = (
        select(CareTeamMembership.unit_id)
        .join(StaffMember, col(StaffMember.unit_id) == CareTeamMembership.unit_id)
        .where(
            StaffMember.user_id == user_id,
            CareTeamMembership.plan_id == plan_id,
            col(CareTeamMembership.until).is_(None),
        )
        .order_by(col(CareTeamMembership.role) != TeamRole.RESPONSIBLE, CareTeamMembership.unit_id)
    )
    return session.exec(query).first()


def nurse_caseload(session: Session, user_id: int) -> list[tuple[CarePlan, Patient]]:
    """The active plans where this user is the contact nurse, by patient name."""
    query = (
        select(CarePlan, Patient)
        .join(Patient, col(Patient.id) == CarePlan.patient_id)
        .join(StaffMember, col(StaffMember.id) == CarePlan.contact_nurse_id)
        .where(StaffMember.user_id == user_id, CarePlan.status == PlanStatus.ACTIVE)
        .order_by(Patient.name)
    )
    return [(plan, patient) for plan, patient in session.exec(query).all()]


def staff_title(session: Session, user_id: int, unit_id: int) -> str:
    """The title a staff member has at a unit ('Kontaktsjuksköterska'), shown with their messages."""
    query = select(StaffMember.title).where(StaffMember.user_id == user_id, StaffMember.unit_id == unit_id)
    return session.exec(query).first() or ""


def open_alert_counts(session: Session, plan_ids: list[int]) -> dict[int, int]:
    """How many alerts from forms wait on each plan (for putting those patients first), in one query."""
    if not plan_ids:
        return {}
    query = (select(Alert.plan_id, func.count())
             .where(col(Alert.plan_id).in_(plan_ids), Alert.status == AlertStatus.OPEN)
             .group_by(Alert.plan_id))
    return dict(session.exec(query).all())
