"""Invented demo data: one region, two providers, three units, two nurses, an editor, an administrator, five patients,
two relatives."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from portal.accounts.services import hash_password
from portal.content.services import store as content
from portal.content.services.pack import load_pack
from portal.core.clock import STOCKHOLM, utcnow
from portal.core.personal_id import with_check_digit
from portal.demo.access_history import add_access_history
from portal.demo.caseload import add_busy_caseload
from portal.fhir.services import clients as api_clients
from portal.models import (
    CarePlan,
    CareProvider,
    CareTeamMembership,
    CareUnit,
    ConsentMethod,
    DatePrecision,
    Delegation,
    DelegationStatus,
    Handover,
    ItemKind,
    ItemStatus,
    Patient,
    Phase,
    PlanItem,
    PlanReading,
    ProviderConsent,
    ReadingResponse,
    Region,
    Relation,
    Role,
    Scope,
    StaffMember,
    TeamRole,
    User,
)
from portal.plans.services.acting import thirteenth_birthday
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from portal.relatives import services as delegations

SATURDAY = 5
REGION_NAME = "Region Mellansverige (demo)"
DEMO_PASSWORD = "vardplan-demo"
D, T, W, M = DatePrecision.DAY, DatePrecision.TIME, DatePrecision.WEEK, DatePrecision.MONTH
INV, TR, R, F = Phase.INVESTIGATION, Phase.TREATMENT, Phase.REHABILITATION, Phase.FOLLOW_UP
DONE, BOOKED, PLANNED, CANCELLED = ItemStatus.DONE, ItemStatus.BOOKED, ItemStatus.PLANNED, ItemStatus.CANCELLED


@dataclass(frozen=True)
class DemoAccount:
    role: str
    name: str
    sign_in: str
    password: str


def _pid(yyyymmdd: str, serial: str) -> str:
    return yyyymmdd[:2] + with_check_digit(yyyymmdd[2:] + serial)


NURSES = [
    ("eva.lund@demo.vardplan.se", "Eva Lund", "Kontaktsjuksköterska", ("onko", "brost")),
    ("jonas.berg@demo.vardplan.se", "Jonas Berg", "Kontaktsjuksköterska", ("kir",)),
]
EDITOR = ("elin.redaktor@demo.vardplan.se", "Elin Redaktör")
ADMIN = ("adam.admin@demo.vardplan.se", "Adam Admin")
UNITS = {
    "brost": ("sjostad", "Bröstmottagningen", "010-123 45 10", "Mån–fre 8.00–16.00", 1),
    "onko": ("sjostad", "Onkologimottagningen", "010-123 45 20", "Mån–fre 7.30–16.30", 2),
    "kir": ("ekdal", "Kirurg- och urologmottagningen", "010-987 65 40", "Mån–tors 8.00–15.00", 2),
}
# Invented addresses (street, postcode, city) for the item page's address and map link.
ADDRESSES = {
    "brost": ("Sjöstadsvägen 12, ingång B", "120 65", "Stockholm"),
    "onko": ("Sjöstadsvägen 12, ingång C", "120 65", "Stockholm"),
    "kir": ("Ekdalsgatan 4", "582 25", "Linköping"),
}
# (days from today, hour, precision, phase, kind, status, title, preparation)
BREAST = [
    (-42, 9, D, INV, ItemKind.EXAMINATION, DONE, "Mammografi och ultraljud", ""),
    (-36, 10, D, INV, ItemKind.EXAMINATION, DONE, "Vävnadsprov från bröstet", ""),
    (-28, 14, T, INV, ItemKind.APPOINTMENT, DONE, "Besked om diagnos och samtal med läkare", ""),
    (-14, 7, T, TR, ItemKind.TREATMENT, DONE, "Operation", ""),
    (-2, 10, T, TR, ItemKind.APPOINTMENT, DONE, "Återbesök efter operationen", ""),
    (3, 9, T, TR, ItemKind.TREATMENT, BOOKED, "Första strålbehandlingen",
     "Ta med en lista över dina mediciner. Du kan äta som vanligt. Besöket tar ungefär en timme."),
    (10, 9, W, TR, ItemKind.TREATMENT, PLANNED, "Strålbehandling varje vardag i tre veckor", ""),
    (24, 13, D, R, ItemKind.APPOINTMENT, PLANNED, "Träffa fysioterapeut om rörligheten i armen",
     "Ha kläder som är lätta att röra sig i."),
    (None, 0, D, R, ItemKind.APPOINTMENT, PLANNED, "Samtal med kurator, om du vill", ""),
    (60, 10, W, F, ItemKind.APPOINTMENT, PLANNED, "Uppföljande samtal med kontaktsjuksköterskan", ""),
    (365, 9, M, F, ItemKind.EXAMINATION, PLANNED, "Mammografi ett år efter operationen", ""),
]
PROSTATE = [
    (-12, 8, T, INV, ItemKind.EXAMINATION, DONE, "Blodprov (PSA)", ""),
    (2, 13, T, INV, ItemKind.EXAMINATION, BOOKED, "Magnetkamera­undersökning (MR) av prostata",
     ("Ät inte de sista två timmarna före undersökningen. Ta av smycken och klocka. Säg till om du har "
     "pacemaker eller annat metallföremål i kroppen.")),
    (19, 9, W, INV, ItemKind.EXAMINATION, PLANNED, "Vävnadsprov från prostata", ""),
    (30, 10, W, INV, ItemKind.APPOINTMENT, PLANNED, "Besked och samtal om behandling", ""),
    (None, 0, D, TR, ItemKind.TREATMENT, PLANNED, "Behandling bestäms efter utredningen", ""),
]
COLON = [
    (-400, 9, D, INV, ItemKind.EXAMINATION, DONE, "Koloskopi", ""),
    (-380, 10, D, INV, ItemKind.EXAMINATION, DONE, "Datortomografi (DT)", ""),
    (-350, 7, D, TR, ItemKind.TREATMENT, DONE, "Operation", ""),
    (-300, 9, W, TR, ItemKind.TREATMENT, DONE, "Cellgiftsbehandling, omgång 1–5", ""),
    (-210, 9, D, TR, ItemKind.TREATMENT, CANCELLED, "Cellgiftsbehandling, omgång 6", ""),
    (-280, 11, D, R, ItemKind.APPOINTMENT, DONE, "Träffa stomiterapeut", ""),
    (-200, 13, D, R, ItemKind.APPOINTMENT, DONE, "Samtal med dietist om mat och ork", ""),
    (20, 8, T, F, ItemKind.EXAMINATION, BOOKED, "Datortomografi (DT) och blodprov",
     "Drick ett par glas vatten före undersökningen. Kom 15 minuter före utsatt tid."),
    (34, 14, T, F, ItemKind.APPOINTMENT, BOOKED, "Återbesök hos läkare: svar på undersökningen", ""),
    (240, 9, M, F, ItemKind.EXAMINATION, PLANNED, "Koloskopi", ""),
]
PATIENTS = [
    ("19680412", "982", "Maria Ek", "brostcancer", TR, ("brost", "onko"), 0, BREAST,
     ("Du har bröstcancer i vänster bröst. Tumören var liten och är bortopererad. Nu får du "
     "strålbehandling för att minska risken att cancern kommer tillbaka.")),
    ("19570923", "975", "Lars Nyström", "prostatacancer", INV, ("kir",), 1, PROSTATE,
     ("Ett blodprov visar att du kan ha prostatacancer. Nu gör vi fler undersökningar för att få veta "
     "om det är cancer och i så fall vilken sort. Sedan bestämmer vi behandling tillsammans med dig.")),
    ("19730105", "968", "Amira Haddad", "tjock-och-andtarmscancer", F, ("kir",), 1, COLON,
     ("Du har haft cancer i tjocktarmen. Den är bortopererad och du har fått cellgifter efteråt. Nu "
     "följer vi upp dig med undersökningar så att vi upptäcker tidigt om något ändras.")),
]


def _when(today: date, days: int | None, hour: int, precision: str) -> datetime | None:
    """A UTC time `days` from today at `hour` Stockholm time; weeks start on Monday, months on the 1st."""
    if days is None:
        return None
    day = today + timedelta(days=days)
    if precision == W:
        day -= timedelta(days=day.weekday())
    elif precision == M:
        day = day.replace(day=1)
    elif day.weekday() >= SATURDAY:  # clinics book weekdays: a past visit was on the Friday, a coming one is on Monday
        day += timedelta(days=SATURDAY - 1 - day.weekday()) if days < 0 else timedelta(days=7 - day.weekday())
    local = datetime(day.year, day.month, day.day, hour, 30 if hour % 2 else 0, tzinfo=STOCKHOLM)
    return local.astimezone(UTC)


def _organisation(session: Session) -> dict[str, CareUnit]:
    region = Region(name=REGION_NAME)
    session.add(region)
    session.flush()
    providers = {key: CareProvider(region_id=region.id, name=name) for key, name in
                 (("sjostad", "Sjöstads sjukhus (demo)"), ("ekdal", "Ekdalens sjukhus (demo)"))}
    session.add_all(providers.values())
    session.flush()
    units = {key: CareUnit(provider_id=providers[p].id, name=n, phone=ph, opening_hours=oh, reply_days=rd,
                           street=ADDRESSES[key][0], postcode=ADDRESSES[key][1], city=ADDRESSES[key][2])
             for key, (p, n, ph, oh, rd) in UNITS.items()}
    session.add_all(units.values())
    session.flush()
    return units


def _nurses(session: Session, units: dict[str, CareUnit], password_hash: str) -> list[StaffMember]:
    """One StaffMember per nurse (at their first unit) plus memberships at the others."""
    first = []
    for email, name, title, unit_keys in NURSES:
        user = User(email=email, name=name, role=Role.STAFF, password_hash=password_hash,
                    provider_id=units[unit_keys[0]].provider_id)
        session.add(user)
        session.flush()
        members = [StaffMember(user_id=user.id, unit_id=units[k].id, title=title) for k in unit_keys]
        session.add_all(members)
        session.flush()
        first.append(members[0])
    return first


def _patient(session: Session, spec: tuple, units: dict[str, CareUnit], nurses: list[StaffMember],
             password_hash: str, today: date) -> None:
    birth, serial, name, diagnosis, phase, unit_keys, nurse, items, summary = spec
    pid = _pid(birth, serial)
    user = User(personal_id=pid, name=name, role=Role.PATIENT, password_hash=password_hash)
    session.add(user)
    session.flush()
    phone, interpreter = PHONES.get(name, (None, None))
    patient = Patient(user_id=user.id, personal_id=pid, name=name, phone=phone, interpreter_language=interpreter,
                      birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])))
    session.add(patient)
    session.flush()
    plan = CarePlan(patient_id=patient.id, template_key=diagnosis, diagnosis_summary=summary,
                    contact_nurse_id=nurses[nurse].id, current_phase=phase,
                    responsible_doctor="Dr. Henrik Sandberg" if nurse else "Dr. Lena Åström",
                    shared_at=utcnow() - timedelta(days=60))
    session.add(plan)
    session.flush()
    *earlier, current = [units[k] for k in unit_keys]
    for unit in earlier:
        session.add(CareTeamMembership(plan_id=plan.id, unit_id=unit.id, role=TeamRole.PARTICIPATING))
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=current.id, role=TeamRole.RESPONSIBLE))
    for position, (days, hour, precision, item_phase, kind, status, title, prep) in enumerate(items):
        unit = earlier[0] if earlier and item_phase == INV else current
        session.add(PlanItem(plan_id=plan.id, phase=item_phase, kind=kind, title=title, preparation=prep,
                             starts_at=_when(today, days, hour, precision), date_precision=precision, status=status,
                             location=unit.name, unit_id=unit.id, position=position))


# The phones the care team rings (numbers set aside for fiction by PTS) and the interpreter a patient needs.
PHONES = {"Maria Ek": ("070-174 06 05", None), "Lars Nyström": ("070-174 06 12", None),
          "Amira Haddad": ("070-174 06 27", "ar")}


# A patient with an account but no plan yet: a new referral the nurse finds by personal number and builds a plan for.
NEW_PATIENT = ("19520611", "979", "Karl Öberg")


def _new_patient(session: Session, password_hash: str) -> None:
    birth, serial, name = NEW_PATIENT
    pid = _pid(birth, serial)
    user = User(personal_id=pid, name=name, role=Role.PATIENT, password_hash=password_hash)
    session.add(user)
    session.flush()
    session.add(Patient(user_id=user.id, personal_id=pid, name=name,
                        birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))))


# Amira's plan is under handover from the surgeons (Ekdalens sjukhus) to oncology (Sjöstads sjukhus) for her
# follow-up: another care provider, so Jonas asked her by phone first. Eva finds it on her start page.
HANDOVER_NOTE = ("Opererad, behandlingen är klar och hon mår bra. Uppföljningen sker hos er: återbesöket och "
                 "koloskopin är inplanerade. Amira vill helst ha besök på förmiddagen. (Demo)")


def _handover(session: Session, units: dict[str, CareUnit]) -> None:
    amira = session.exec(select(Patient).where(Patient.name == PATIENTS[2][2])).one()
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == amira.id)).one()
    jonas = session.exec(select(User).where(User.email == NURSES[1][0])).one()
    for unit in (units["onko"], units["kir"]):
        session.add(ProviderConsent(patient_id=amira.id, provider_id=unit.provider_id, method=ConsentMethod.PHONE,
                                    recorded_by_user_id=jonas.id))
    session.add(Handover(plan_id=plan.id, from_unit_id=units["kir"].id, to_unit_id=units["onko"].id,
                         note=HANDOVER_NOTE, created_by_user_id=jonas.id))
    session.flush()


def _content(session: Session, today: date) -> None:
    """The national content pack, published; each demo plan pins its diagnosis's version and gets its reading."""
    packs, errors = load_pack()
    if errors:
        raise ValueError(f"the content pack has errors: {errors[0]}")
    content.import_packs(session, packs, publish=True)
    for plan in session.exec(select(CarePlan)).all():
        template = content.latest_published(session, plan.template_key)
        if template is None:
            continue
        plan.template_version = template.version
        session.add(plan)
        for article in content.articles_of(session, template.id or 0):
            reading = PlanReading(plan_id=plan.id, article_id=article.id)
            if article.phase == Phase.INVESTIGATION and plan.current_phase != Phase.INVESTIGATION:
                reading.read_at = reading.responded_at = _when(today, -60, 20, D)
                reading.response = ReadingResponse.UNDERSTOOD
            session.add(reading)
    session.flush()


# Relatives: Maria's partner follows her plan and reads her messages; a guardian acts for a child patient.
RELATIVE = ("per.ek@demo.vardplan.se", "Per Ek", "196602149814")  # the numbers sign in by e-ID (testidp)
GUARDIAN = ("sara.lind@demo.vardplan.se", "Sara Lind", "198305189824")
CHILD = ("Elsa Lind", "barncancer-all", 8)  # name, diagnosis, age in years
CHILD_ITEMS = [
    (-30, 9, D, INV, ItemKind.EXAMINATION, DONE, "Blodprov och benmärgsprov", ""),
    (-26, 10, T, TR, ItemKind.TREATMENT, DONE, "Behandlingen börjar", ""),
    (5, 9, T, TR, ItemKind.TREATMENT, BOOKED, "Cellgiftsbehandling, block 2",
     "Elsa får äta frukost som vanligt. Ta med något att göra under dagen."),
    (60, 9, W, TR, ItemKind.APPOINTMENT, PLANNED, "Samtal om hur behandlingen går", ""),
]


def _child_birth(today: date) -> date:
    try:
        return today.replace(year=today.year - CHILD[2]) - timedelta(days=40)
    except ValueError:  # 29 February
        return date(today.year - CHILD[2], 3, 1) - timedelta(days=40)


def _child_pid(today: date) -> str:
    birth = _child_birth(today).strftime("%Y%m%d")
    return _pid(birth, "248")


def _relatives(session: Session, units: dict[str, CareUnit], nurses: list[StaffMember], password_hash: str,
               today: date) -> None:
    """Per Ek follows Maria (plan and reading, reading messages); Sara Lind is the guardian of Elsa, 8."""
    maria = session.exec(select(Patient).where(Patient.name == PATIENTS[0][2])).one()
    per = User(email=RELATIVE[0], name=RELATIVE[1], personal_id=RELATIVE[2], role=Role.RELATIVE,
               password_hash=password_hash)
    sara = User(email=GUARDIAN[0], name=GUARDIAN[1], personal_id=GUARDIAN[2], role=Role.RELATIVE,
                password_hash=password_hash)
    session.add_all([per, sara])
    session.flush()
    session.add(Delegation(patient_id=maria.id, relative_user_id=per.id, relation=Relation.PARTNER,
                           scopes=f"{Scope.PLAN} {Scope.MESSAGES_READ}", valid_from=today - timedelta(days=20),
                           valid_until=delegations.add_months(today, 11), status=DelegationStatus.ACTIVE,
                           invite_name=RELATIVE[1], invite_email=RELATIVE[0], created_by_user_id=maria.user_id,
                           accepted_at=_when(today, -19, 18, D)))
    birth = _child_birth(today)
    pid = _child_pid(today)
    elsa = Patient(personal_id=pid, name=CHILD[0], birth_date=birth)
    session.add(elsa)
    session.flush()
    plan = CarePlan(patient_id=elsa.id, template_key=CHILD[1], current_phase=TR, contact_nurse_id=nurses[0].id,
                    responsible_doctor="Dr. Karin Holm", shared_at=utcnow() - timedelta(days=60),
                    diagnosis_summary=("Elsa har en sorts blodcancer som heter ALL. Den behandlas med cellgifter "
                                       "i flera steg under ungefär två år. De flesta barn blir friska."))
    session.add(plan)
    session.flush()
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=units["onko"].id, role=TeamRole.RESPONSIBLE))
    for position, (days, hour, precision, phase, kind, status, title, prep) in enumerate(CHILD_ITEMS):
        session.add(PlanItem(plan_id=plan.id, phase=phase, kind=kind, title=title, preparation=prep,
                             starts_at=_when(today, days, hour, precision), date_precision=precision, status=status,
                             location=units["onko"].name, unit_id=units["onko"].id, position=position))
    session.add(Delegation(patient_id=elsa.id, relative_user_id=sara.id, relation=Relation.GUARDIAN,
                           scopes=" ".join(delegations.ALL_SCOPES), valid_from=today - timedelta(days=30),
                           valid_until=thirteenth_birthday(birth) - timedelta(days=1),
                           status=DelegationStatus.ACTIVE, invite_name=GUARDIAN[1], invite_email=GUARDIAN[0],
                           accepted_at=_when(today, -29, 12, D)))


def demo_totp_secret(identifier: str) -> str:
    """Demo only: each demo account's fixed TOTP key (base32), printed with the password so a tester can sign in."""
    digest = hashlib.sha256(f"min-vardplan-demo:{identifier.replace('-', '')}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def demo_accounts() -> list[DemoAccount]:
    patients = [DemoAccount(Role.PATIENT, s[2], f"{_pid(s[0], s[1])[:8]}-{_pid(s[0], s[1])[8:]}",
                            DEMO_PASSWORD) for s in PATIENTS]
    pid = _pid(NEW_PATIENT[0], NEW_PATIENT[1])
    patients.append(DemoAccount(Role.PATIENT, NEW_PATIENT[2], f"{pid[:8]}-{pid[8:]}", DEMO_PASSWORD))
    staff = [DemoAccount(Role.STAFF, name, email, DEMO_PASSWORD) for email, name, _t, _u in NURSES]
    relatives = [DemoAccount(Role.RELATIVE, RELATIVE[1], RELATIVE[0], DEMO_PASSWORD),
                 DemoAccount(Role.RELATIVE, GUARDIAN[1], GUARDIAN[0], DEMO_PASSWORD)]
    return [*patients, *relatives, *staff, DemoAccount(Role.EDITOR, EDITOR[1], EDITOR[0], DEMO_PASSWORD),
            DemoAccount(Role.ADMIN, ADMIN[1], ADMIN[0], DEMO_PASSWORD)]


def load_demo_data(session: Session, today: date, busy_caseload: bool = True) -> bool:
    """Load the demo into an empty database; False (and no change) if it holds any account already. With
    `busy_caseload`, Eva has 320 more patients (demo/caseload.py), as `make run` shows her."""
    if session.exec(select(User).limit(1)).first():
        return False
    password_hash = hash_password(DEMO_PASSWORD)
    units = _organisation(session)
    nurses = _nurses(session, units, password_hash)
    sjostad = units["onko"].provider_id  # Adam administers Sjöstads sjukhus: its units, Eva and Elin
    session.add(User(email=EDITOR[0], name=EDITOR[1], role=Role.EDITOR, password_hash=password_hash,
                     provider_id=sjostad))
    session.add(User(email=ADMIN[0], name=ADMIN[1], role=Role.ADMIN, password_hash=password_hash,
                     provider_id=sjostad))
    for spec in PATIENTS:
        _patient(session, spec, units, nurses, password_hash, today)
    _new_patient(session, password_hash)
    _relatives(session, units, nurses, password_hash, today)
    session.flush()
    for user in session.exec(select(User)).all():  # demo only: a printed authenticator key for every account
        user.totp_secret = demo_totp_secret(user.email or user.personal_id or "")
    _content(session, today)
    _forms(session, today)
    _handover(session, units)
    add_access_history(session, today, PATIENTS[0][2], nurses[0])  # Maria's log: visits to read
    if busy_caseload:
        add_busy_caseload(session, units["onko"], nurses[0], password_hash, today)  # Eva: 300+ patients to sort
    _api_client(session)
    return True


# The booking system of Sjöstads sjukhus, so that `make run` users can try the FHIR API (README: "FHIR API").
DEMO_API_CLIENT = ("Bokningssystemet (demo)", "bokningssystemet-demo", "vardplan-demo-api-secret")


def _api_client(session: Session) -> None:
    name, client_id, secret = DEMO_API_CLIENT
    provider = session.exec(select(CareProvider).where(CareProvider.name == "Sjöstads sjukhus (demo)")).one()
    api_clients.create_client(session, name, provider.id or 0, list(api_clients.SCOPES), client_id, secret)


# Maria's answers to "Hur har du mått?" every second week: rising, the last one raises an alert. The last answer is
# 15 days old, so the form is due again (since yesterday evening) at any hour of any day the demo is loaded.
MABRA_TREND = [(-43, 2, []), (-29, 3, ["tiredness"]), (-15, 6, ["tiredness", "sleep"])]


def _at(today: date, days: int, hour: int) -> datetime:
    """`hour` Stockholm time `days` from today, as UTC, any day of the week (forms are not booked visits)."""
    day = today + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM).astimezone(UTC)


def _forms(session: Session, today: date) -> None:
    """Forms for Maria: 'Hur har du mått?' every 2 weeks with three answers (one open alert), and the needs form."""
    answering.import_definitions(session, load_all())
    maria = session.exec(select(Patient).where(Patient.name == PATIENTS[0][2])).one()
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == maria.id)).one()
    nurse = session.exec(select(User).where(User.email == NURSES[0][0])).one()
    author = session.get(User, maria.user_id)
    start = _at(today, MABRA_TREND[0][0], 9)
    mabra = answering.assign(session, plan.id, "mabra", 2, nurse, start)
    definition = answering.definition_of(answering.latest_questionnaire(session, "mabra"))
    for days, distress, physical in MABRA_TREND:
        response = answering.start_or_resume(session, mabra, author)
        answering.save_answers(session, response, definition, {"distress": distress, "problems_physical": physical}, [])
        answering.submit(session, response, definition, _at(today, days, 19))
    answering.assign(session, plan.id, "behov", None, nurse, _at(today, -1, 9))
