"""Plain functions that make rows for tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from sqlmodel import Session, select

from portal.accounts.services import hash_password
from portal.core.clock import STOCKHOLM
from portal.core.personal_id import with_check_digit
from portal.messages.services import post_message
from portal.models import (
    CarePlan,
    CareProvider,
    CareTeamMembership,
    CareUnit,
    DatePrecision,
    ItemStatus,
    Message,
    Patient,
    Phase,
    PlanItem,
    Region,
    Role,
    StaffMember,
    TeamRole,
    User,
)

PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)
_serial = count(100)



def personal_id(birth: str = "19800101") -> str:
    """A valid 12-digit number, new for each call."""
    return birth[:2] + with_check_digit(birth[2:] + f"{next(_serial) % 1000:03d}")


def unit(session: Session, name: str = "Onkologimottagningen", phone: str = "010-111 22 33",
         provider: str = "Testsjukhuset") -> CareUnit:
    """A unit of the care provider of that name (made the first time): units of one provider see each other's
    plans; a unit of another provider only with the patient's consent."""
    owner = session.exec(select(CareProvider).where(CareProvider.name == provider)).first()
    if owner is None:
        region = Region(name=f"Region {next(_serial)}")
        session.add(region)
        session.flush()
        owner = CareProvider(region_id=region.id, name=provider)
        session.add(owner)
        session.flush()
    found = CareUnit(provider_id=owner.id, name=name, phone=phone, opening_hours="Mån–fre 8–16", reply_days=2)
    session.add(found)
    session.commit()
    return found


def staff(session: Session, at: CareUnit, name: str = "Eva Lund", email: str | None = None) -> StaffMember:
    user = User(email=email or f"nurse{next(_serial)}@test.se", name=name, role=Role.STAFF,
                password_hash=PASSWORD_HASH, provider_id=at.provider_id)
    session.add(user)
    session.flush()
    member = StaffMember(user_id=user.id, unit_id=at.id, title="Kontaktsjuksköterska")
    session.add(member)
    session.commit()
    return member


def user(session: Session, role: str = Role.RELATIVE, email: str | None = None) -> User:
    found = User(email=email or f"user{next(_serial)}@test.se", name="Test Person", role=role,
                 password_hash=PASSWORD_HASH)
    session.add(found)
    session.commit()
    return found


def patient(session: Session, name: str = "Maria Ek", pid: str | None = None) -> Patient:
    pid = pid or personal_id()
    account = User(personal_id=pid, name=name, role=Role.PATIENT, password_hash=PASSWORD_HASH)
    session.add(account)
    session.flush()
    found = Patient(user_id=account.id, personal_id=pid, name=name,
                    birth_date=date(int(pid[:4]), int(pid[4:6]), int(pid[6:8]) % 60))
    session.add(found)
    session.commit()
    return found


def plan(session: Session, for_patient: Patient, at: CareUnit, nurse: StaffMember | None = None,
         phase: str = Phase.TREATMENT, diagnosis: str = "brostcancer", shared: bool = True) -> CarePlan:
    """A plan the patient can see (shared: False makes a draft only the care team sees)."""
    found = CarePlan(patient_id=for_patient.id, template_key=diagnosis, current_phase=phase,
                     contact_nurse_id=nurse.id if nurse else None, responsible_doctor="Dr. Lena Åström",
                     diagnosis_summary="Du har en liten tumör som har opererats bort.")
    found.shared_at = found.created_at if shared else None
    session.add(found)
    session.flush()
    session.add(CareTeamMembership(plan_id=found.id, unit_id=at.id, role=TeamRole.RESPONSIBLE))
    session.commit()
    return found


def item(session: Session, in_plan: CarePlan, days: int | None = 3, title: str = "Strålbehandling",
         phase: str = Phase.TREATMENT, status: str = ItemStatus.BOOKED, precision: str = DatePrecision.TIME,
         preparation: str = "", at: CareUnit | None = None) -> PlanItem:
    # Stockholm's calendar day, as the patient sees it (UTC can still be 'yesterday' just after midnight).
    local_today = datetime.now(STOCKHOLM).date()
    starts = None if days is None else datetime.combine(local_today + timedelta(days=days), time(9, 30),
                                                        tzinfo=STOCKHOLM).astimezone(UTC)
    found = PlanItem(plan_id=in_plan.id, phase=phase, title=title, starts_at=starts, date_precision=precision,
                     status=status, preparation=preparation, location="Strålbehandlingen, plan 2",
                     unit_id=at.id if at else None)
    session.add(found)
    session.commit()
    return found


def patient_with_plan(session: Session, items: int = 3) -> tuple[Patient, CarePlan, StaffMember]:
    """A patient with a plan at a unit, a contact nurse, and `items` upcoming items."""
    where = unit(session)
    nurse = staff(session, where)
    who = patient(session)
    made = plan(session, who, where, nurse)
    for n in range(items):
        item(session, made, days=n + 1, title=f"Behandling {n + 1}", at=where)
    return who, made, nurse


def client_token() -> str:
    return f"token-{next(_serial):020d}"


def message(session: Session, in_plan: CarePlan, author: User, body: str = "Hej") -> Message:
    found, _created = post_message(session, in_plan.id, author, "", body, client_token())
    session.commit()
    return found
