"""A busy contact nurse for the demo: 320 more invented patients at Eva's unit, so that her caseload and inbox show
what sorting, filtering and paging are for. Names and numbers are made up; every plan is demo content."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from portal.core.clock import STOCKHOLM, utcnow
from portal.core.personal_id import with_check_digit
from portal.models import (
    CarePlan,
    CareTeamMembership,
    CareUnit,
    ItemKind,
    ItemStatus,
    Message,
    MessageThreadState,
    Patient,
    Phase,
    PlanItem,
    Role,
    StaffMember,
    TeamRole,
    User,
)

BUSY = 320
FIRST = ["Agnes", "Bo", "Cecilia", "Dan", "Elsa", "Filip", "Greta", "Hassan", "Ingrid", "Johan", "Karin", "Leo",
         "Maja", "Nils", "Olga", "Per", "Rut", "Sven", "Tove", "Ulf"]
LAST = ["Andersson", "Björk", "Carlsson", "Dahl", "Engström", "Falk", "Gustafsson", "Holm", "Ibrahim", "Jansson",
        "Karlsson", "Lundqvist", "Moberg", "Nilsson", "Olsson", "Persson"]  # no Ek or Lind: the named demo families
DIAGNOSES = ["brostcancer", "prostatacancer", "tjock-och-andtarmscancer", "aggstockscancer",
             "tumorer-i-centrala-nervsystemet", "peniscancer"]
PHASES = [Phase.INVESTIGATION, Phase.TREATMENT, Phase.TREATMENT, Phase.REHABILITATION, Phase.FOLLOW_UP]
ITEMS = ["Återbesök hos kontaktsjuksköterskan", "Strålbehandling", "Cellgiftsbehandling", "Skiktröntgen",
         "Samtal med läkare"]
QUESTIONS = ["Hej! Jag undrar om tiden på tisdag står kvar?\nMvh", "Jag har fått ont i magen sedan igår.",
             "Kan jag ta mina vanliga tabletter före behandlingen?", "Tack för samtalet i går!"]


def busy_personal_ids() -> set[str]:
    """The personal numbers of the busy caseload's patients (to tell them from the named demo people)."""
    return {_pid(n)[0] for n in range(BUSY)}


def _pid(n: int) -> tuple[str, date]:
    born = date(1940, 1, 1) + timedelta(days=n * 61)
    return born.strftime("%Y")[:2] + with_check_digit(born.strftime("%y%m%d") + f"{700 + n % 100:03d}"), born


def add_busy_caseload(session: Session, unit: CareUnit, nurse: StaffMember, password_hash: str,
                      today: date) -> None:
    """320 patients at `unit` with `nurse` as contact nurse: phases and diagnoses mixed, most with a coming visit,
    every tenth with a message (a third of those not dealt with yet)."""
    patients = []
    for n in range(BUSY):
        pid, born = _pid(n)
        patients.append(Patient(personal_id=pid, name=f"{FIRST[n % 20]} {LAST[(n // 20) % 16]}", birth_date=born))
    session.add_all(patients)
    session.flush()
    plans = [CarePlan(patient_id=patient.id, template_key=DIAGNOSES[n % 6], template_version=1,
                      current_phase=PHASES[n % 5],
                      contact_nurse_id=nurse.id, shared_at=utcnow() - timedelta(days=30))
             for n, patient in enumerate(patients)]
    session.add_all(plans)
    session.flush()
    session.add_all(CareTeamMembership(plan_id=plan.id, unit_id=unit.id, role=TeamRole.RESPONSIBLE) for plan in plans)
    session.add_all(_visit(plan, n, unit, today) for n, plan in enumerate(plans) if n % 4)
    _messages(session, patients[::10], plans[::10], password_hash)


def _visit(plan: CarePlan, n: int, unit: CareUnit, today: date) -> PlanItem:
    day = today + timedelta(days=1 + n % 45)
    day += timedelta(days=max(0, 7 - day.weekday()))  # a Saturday or Sunday visit moves to the Monday after
    starts = datetime.combine(day, time(8 + n % 8, 0), tzinfo=STOCKHOLM).astimezone(UTC)
    return PlanItem(plan_id=plan.id, phase=plan.current_phase, kind=ItemKind.APPOINTMENT, title=ITEMS[n % 5],
                    starts_at=starts, status=ItemStatus.BOOKED, location=unit.name, unit_id=unit.id)


def _messages(session: Session, patients: list[Patient], plans: list[CarePlan], password_hash: str) -> None:
    """A message from some of the patients (they get accounts); two in three threads are already dealt with."""
    users = [User(personal_id=patient.personal_id, name=patient.name, role=Role.PATIENT, password_hash=password_hash)
             for patient in patients]
    session.add_all(users)
    session.flush()
    for n, (patient, plan, user) in enumerate(zip(patients, plans, users, strict=True)):
        patient.user_id = user.id
        message = Message(plan_id=plan.id, author_user_id=user.id, author_role=Role.PATIENT, author_name=user.name,
                          body=QUESTIONS[n % 4], client_token=f"demo-busy-{n:04d}-message",
                          created_at=utcnow() - timedelta(hours=3 * (len(users) - n)))
        session.add(message)
        session.flush()
        if n % 3:
            session.add(MessageThreadState(plan_id=plan.id, handled_upto_id=message.id))
