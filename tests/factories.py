"""Plain functions that make rows for tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from sqlmodel import Session, select

from portal.accounts.services import hash_password
from portal.core.clock import STOCKHOLM
from portal.core.personal_id import with_check_digit
from portal.messages.services import post_message
from portal.models import (
    Alert,
    Article,
    CarePlan,
    CareProvider,
    CareTeamMembership,
    CareUnit,
    ContentTemplate,
    DatePrecision,
    FormAssignment,
    FormResponse,
    ItemStatus,
    Message,
    Patient,
    Phase,
    PlanItem,
    PlanReading,
    Questionnaire,
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


def pinned_content(session: Session, plan: CarePlan, versions: int = 1) -> ContentTemplate:
    """Published content versions 1 to `versions` for the plan's diagnosis, the plan pinned to version 1."""
    for version in range(1, versions + 1):
        template = ContentTemplate(diagnosis_key=plan.template_key, version=version, status="published",
                                   content_hash=f"{version}" * 64,
                                   data=json.dumps({"name": {"sv": "Bröstcancer"}, "about": {"sv": "Om sjukdomen."},
                                                    "self_care": [], "skeleton": []}))
        session.add(template)
        session.flush()
        if version == 1:
            pinned = template
    plan.template_version = 1
    session.add(plan)
    session.commit()
    return pinned


def grow_plan(session: Session, plan: CarePlan, template: ContentTemplate, size: int) -> list[PlanReading]:
    """5 more units in the care team, `size` items at them and `size` articles to read; returns the readings."""
    units = [unit(session, name=f"Enhet {n}") for n in range(5)]
    for at in units:
        session.add(CareTeamMembership(plan_id=plan.id, unit_id=at.id, role=TeamRole.PARTICIPATING))
    readings = []
    for n in range(size):
        item(session, plan, days=n - size // 2, title=f"Besök {n}", at=units[n % 5], phase=list(Phase)[n % 4])
        article = Article(template_id=template.id, slug=f"text-{n}", phase="treatment", content_hash="r" * 64,
                          data=json.dumps({"sv": {"title": f"Text {n}", "summary": "Kort.", "body": "Text.",
                                                  "links": []}}))
        session.add(article)
        session.flush()
        readings.append(PlanReading(plan_id=plan.id, article_id=article.id))
        session.add(readings[-1])
    session.commit()
    return readings


def open_alert(session: Session, plan: CarePlan) -> Alert:
    """An open alert on an answered form of the plan."""
    form = session.exec(select(Questionnaire)).first()
    if form is None:
        form = Questionnaire(key="test", version=1, content_hash="x", definition="{}")
        session.add(form)
        session.flush()
    assignment = FormAssignment(plan_id=plan.id, questionnaire_key="test")
    session.add(assignment)
    session.flush()
    response = FormResponse(assignment_id=assignment.id, plan_id=plan.id, questionnaire_id=form.id,
                            author_user_id=session.get(Patient, plan.patient_id).user_id)
    session.add(response)
    session.flush()
    found = Alert(plan_id=plan.id, response_id=response.id, reason="fever")
    session.add(found)
    session.commit()
    return found
