"""Handing a plan to another unit, and who outside the responsible care provider may see it: the one home of both.

A handover is a transfer the receiving unit accepts: the sender chooses the unit (never its own), perhaps its contact
nurse, writes a note and confirms; the handover waits ("under överlämning") until the receiving unit accepts (it
becomes responsible, the sender takes part) or declines. Items keep their own performing unit throughout.

A unit of a care provider other than the responsible one sees the plan only with the patient's consent (PDL 6 kap.,
sammanhållen journalföring), given in the portal or recorded by a nurse after asking by phone; the patient may
withdraw it for any provider but the responsible one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.core.clock import utcnow
from portal.models import (
    MAX_HANDOVER_NOTE,
    CarePlan,
    CareProvider,
    CareTeamMembership,
    CareUnit,
    ConsentMethod,
    Handover,
    HandoverStatus,
    Patient,
    ProviderConsent,
    StaffMember,
    TeamRole,
    User,
)
from portal.plans.services import builder, plans

ALL_UNITS = 30  # up to this many units in the country, the handover form lists every unit
UNITS_FOUND = 10


class Change:
    """History codes of a handover (the history page translates them)."""

    STARTED = "handover_started"
    DECLINED = "handover_declined"
    CANCELLED = "handover_cancelled"


# --- choosing the receiving unit -------------------------------------------------------------------------------------

@dataclass
class HandoverInput:
    """What the handover form sent, kept as text so that a refused form shows exactly what was typed."""

    unit: str = ""
    nurse: str = ""
    note: str = ""
    consent: str = ""
    unit_text: str = ""

    @classmethod
    def from_form(cls, form: dict[str, str]) -> HandoverInput:
        return cls(unit=str(form.get("to_unit", "")).strip(), nurse=str(form.get("nurse", "")).strip(),
                   note=str(form.get("note", "")).strip(), consent=str(form.get("consent", "")).strip(),
                   unit_text=str(form.get("unit", ""))[:100].strip())


@dataclass(frozen=True)
class CheckedHandover:
    unit: CareUnit
    provider: CareProvider
    nurse: StaffMember | None
    nurse_name: str
    note: str
    consent: str | None  # how the patient agrees when the unit is of another provider without consent yet
    other_provider: bool


@dataclass(frozen=True)
class Choices:
    """The units the form offers (with their provider) and their nurses; `search`: the unit is searched for first."""

    units: list[tuple[CareUnit, CareProvider]]
    nurses: list[tuple[CareUnit, StaffMember, str]]
    search: bool
    responsible: CareUnit | None = None
    providers: set[int] = field(default_factory=set)  # providers that may see the plan already


def choices(session: Session, plan: CarePlan, unit_text: str, chosen_unit: int | None) -> Choices:
    """Every unit but the responsible one in a small country; in a big one those whose name words begin with
    `unit_text` (and the unit already chosen), so that the page costs the same at any size."""
    responsible = plans.responsible_unit(session, plan.id or 0)
    many = select(CareUnit.id).limit(ALL_UNITS + 1).subquery()
    search = session.execute(select(func.count()).select_from(many)).scalar_one() > ALL_UNITS
    query = select(CareUnit, CareProvider).join(CareProvider, col(CareProvider.id) == CareUnit.provider_id)
    if search:
        words = builder._words(unit_text)
        found = (select(CareUnit.id).where(*(builder._word_start(col(CareUnit.name), word) for word in words))
                 .order_by(CareUnit.name).limit(UNITS_FOUND)) if words else None
        ids = list(session.exec(found).all()) if found is not None else []
        query = query.where(col(CareUnit.id).in_(ids + ([chosen_unit] if chosen_unit else [])))
    rows = [(unit, provider) for unit, provider in session.exec(query.order_by(CareUnit.name)).all()
            if responsible is None or unit.id != responsible.id]
    nurses = builder.nurses_by_unit(session, [unit.id or 0 for unit, _p in rows])
    return Choices(rows, nurses, search, responsible, allowed_providers(session, plan))


def check(session: Session, plan: CarePlan, data: HandoverInput) -> tuple[CheckedHandover | None, dict[str, str]]:
    """The receiving unit (not the responsible one), a nurse of it if any, the note, and how the patient agrees when
    the unit belongs to another care provider; or error codes per field (the view translates them)."""
    errors: dict[str, str] = {}
    responsible = plans.responsible_unit(session, plan.id or 0)
    unit_id = int(data.unit) if data.unit.isdecimal() and len(data.unit) < 10 else 0
    unit = session.get(CareUnit, unit_id) if unit_id else None
    if unit is None:
        errors["to_unit"] = "choose_unit"
    elif responsible is not None and unit.id == responsible.id:
        errors["to_unit"] = "own_unit"
    nurse, name = _nurse(session, unit, data.nurse)
    if data.nurse and (nurse is None or unit is None):
        errors["nurse"] = "unknown_nurse"
    if not data.note:
        errors["note"] = "note_missing"
    elif len(data.note) > MAX_HANDOVER_NOTE:
        errors["note"] = "note_long"
    other = unit is not None and unit.provider_id not in allowed_providers(session, plan)
    if other and data.consent not in (ConsentMethod.PHONE, ConsentMethod.PORTAL):
        errors["consent"] = "consent"
    if errors or unit is None:
        return None, errors
    provider = session.get(CareProvider, unit.provider_id)
    return CheckedHandover(unit, provider, nurse, name, data.note, data.consent if other else None,
                           responsible is not None and unit.provider_id != responsible.provider_id), {}


def _nurse(session: Session, unit: CareUnit | None, chosen: str) -> tuple[StaffMember | None, str]:
    """An active staff member of that unit, with their name."""
    if not chosen.isdecimal() or len(chosen) > 9 or unit is None:
        return None, ""
    query = (select(StaffMember, User.name).join(User, col(User.id) == StaffMember.user_id)
             .where(StaffMember.id == int(chosen), StaffMember.unit_id == unit.id, User.is_active))
    found = session.exec(query).first()
    return (found[0], found[1]) if found else (None, "")


# --- the handover and its answer -------------------------------------------------------------------------------------

def start(session: Session, plan: CarePlan, actor: User, from_unit_id: int, checked: CheckedHandover) -> Handover:
    """The handover waits for the receiving unit. A consent the nurse heard by phone is recorded now: that both
    care providers may see the plan (the sender's keeps reading it once the other one is responsible)."""
    if checked.consent == ConsentMethod.PHONE:
        sender = session.get(CareUnit, from_unit_id)
        for provider_id in {checked.unit.provider_id, sender.provider_id if sender else checked.unit.provider_id}:
            give_consent(session, plan.patient_id, provider_id, ConsentMethod.PHONE, actor.id)
    handover = Handover(plan_id=plan.id or 0, from_unit_id=from_unit_id, to_unit_id=checked.unit.id or 0,
                        to_nurse_id=checked.nurse.id if checked.nurse else None, note=checked.note,
                        created_by_user_id=actor.id)
    session.add(handover)
    builder.record_change(session, plan, actor, Change.STARTED, checked.unit.name)
    session.flush()
    return handover


_SENDER = aliased(CareUnit, name="sender")
_RECEIVER = aliased(CareUnit, name="receiver")
_PENDING = (select(Handover, _SENDER, _RECEIVER)
            .join(_SENDER, col(_SENDER.id) == Handover.from_unit_id)
            .join(_RECEIVER, col(_RECEIVER.id) == Handover.to_unit_id)
            .where(Handover.plan_id == bindparam("plan_id"), Handover.status == HandoverStatus.PENDING)
            .order_by(col(Handover.id).desc()))


def pending(session: Session, plan_id: int) -> tuple[Handover, CareUnit, CareUnit] | None:
    """The plan's handover waiting for an answer, with the sending and receiving units (one query)."""
    found = session.execute(_PENDING, {"plan_id": plan_id}).first()
    return (found[0], found[1], found[2]) if found is not None else None


@dataclass(frozen=True)
class Incoming:
    """A handover to one of the staff member's units, for the list of handovers to accept."""

    handover: Handover
    patient: Patient
    from_unit: CareUnit
    to_unit: CareUnit
    waiting_for_consent: bool


_HOLDER = aliased(CareUnit, name="holder")
# The care provider of the unit that holds the plan now (plans.responsible_unit), and whether the patient agreed that
# the receiving unit's care provider sees the plan: looked up for each handover by index.
_HOLDER_PROVIDER = (select(_HOLDER.provider_id)
                    .join(CareTeamMembership, col(CareTeamMembership.unit_id) == _HOLDER.id)
                    .where(CareTeamMembership.plan_id == Handover.plan_id,
                           CareTeamMembership.role == TeamRole.RESPONSIBLE, col(CareTeamMembership.until).is_(None))
                    .order_by(col(CareTeamMembership.since).desc()).limit(1)
                    .scalar_subquery().correlate_except(_HOLDER, CareTeamMembership))
_CONSENTED = (select(ProviderConsent.id)
              .where(ProviderConsent.patient_id == Patient.id, ProviderConsent.provider_id == CareUnit.provider_id,
                     col(ProviderConsent.withdrawn_at).is_(None))
              .exists().correlate_except(ProviderConsent))
_INCOMING = (select(Handover, Patient, CareUnit, _SENDER, _HOLDER_PROVIDER, _CONSENTED)
             .join(StaffMember, col(StaffMember.unit_id) == Handover.to_unit_id)
             .join(CareUnit, col(CareUnit.id) == Handover.to_unit_id)
             .join(_SENDER, col(_SENDER.id) == Handover.from_unit_id)
             .join(CarePlan, col(CarePlan.id) == Handover.plan_id).join(Patient, col(Patient.id) == CarePlan.patient_id)
             .where(StaffMember.user_id == bindparam("user_id"), Handover.status == HandoverStatus.PENDING)
             .order_by(Handover.created_at, Handover.id))


def incoming(session: Session, user_id: int) -> list[Incoming]:
    """Pending handovers to the units this staff member works at, oldest first (one query). One waits for the
    patient's consent when the receiving unit's care provider is not the one holding the plan and has no consent."""
    rows = session.execute(_INCOMING, {"user_id": user_id}).all()
    return [Incoming(handover, patient, sender, unit, holder != unit.provider_id and not consented)
            for handover, patient, unit, sender, holder, consented in rows]


def receivable(session: Session, user_id: int, handover_id: int) -> Incoming | None:
    """A pending handover to a unit of this staff member's; else None."""
    return next((row for row in incoming(session, user_id) if row.handover.id == handover_id), None)


def accept(session: Session, row: Incoming, actor: User) -> str | None:
    """The receiving unit becomes responsible and the sender takes part (at another care provider it reads the
    plan only with the patient's consent); the proposed nurse, else the one accepting, becomes the contact nurse."""
    if row.waiting_for_consent:
        return "consent"
    handover, plan = row.handover, session.get(CarePlan, row.handover.plan_id)
    members = session.exec(select(CareTeamMembership).where(CareTeamMembership.plan_id == handover.plan_id,
                                                            col(CareTeamMembership.until).is_(None))).all()
    for membership in members:
        membership.role = TeamRole.RESPONSIBLE if membership.unit_id == row.to_unit.id else TeamRole.PARTICIPATING
        session.add(membership)
    if all(membership.unit_id != row.to_unit.id for membership in members):
        session.add(CareTeamMembership(plan_id=plan.id, unit_id=row.to_unit.id, role=TeamRole.RESPONSIBLE,
                                       since=utcnow()))
    plan.contact_nurse_id = _contact_nurse(session, handover, actor)
    _decide(session, handover, actor, HandoverStatus.ACCEPTED)
    builder.record_change(session, plan, actor, builder.Change.HANDED_OVER, row.to_unit.name)
    session.flush()
    return None


def _contact_nurse(session: Session, handover: Handover, actor: User) -> int | None:
    nurse = session.get(StaffMember, handover.to_nurse_id) if handover.to_nurse_id else None
    account = session.get(User, nurse.user_id) if nurse else None
    if nurse is not None and account is not None and account.is_active and nurse.unit_id == handover.to_unit_id:
        return nurse.id
    return session.exec(select(StaffMember.id).where(StaffMember.user_id == actor.id,
                                                     StaffMember.unit_id == handover.to_unit_id)).first()


def decline(session: Session, row: Incoming, actor: User) -> None:
    """The plan stays with the sender."""
    plan = session.get(CarePlan, row.handover.plan_id)
    _decide(session, row.handover, actor, HandoverStatus.DECLINED)
    builder.record_change(session, plan, actor, Change.DECLINED, row.to_unit.name)
    session.flush()


def cancel(session: Session, plan: CarePlan, actor: User, handover_id: int) -> bool:
    """The sender takes the handover back while it waits; False if there is no such pending handover."""
    found = pending(session, plan.id or 0)
    if found is None or found[0].id != handover_id:
        return False
    _decide(session, found[0], actor, HandoverStatus.CANCELLED)
    builder.record_change(session, plan, actor, Change.CANCELLED, found[2].name)
    session.flush()
    return True


def _decide(session: Session, handover: Handover, actor: User, status: str) -> None:
    handover.status = status
    handover.decided_by_user_id = actor.id
    handover.decided_at = utcnow()
    session.add(handover)


# --- consent across care providers -----------------------------------------------------------------------------------

def allowed_providers(session: Session, plan: CarePlan, responsible_provider: int | None = None) -> set[int]:
    """The care providers that may see the plan: the responsible unit's, and those the patient agreed to."""
    if responsible_provider is None:
        responsible = plans.responsible_unit(session, plan.id or 0)
        responsible_provider = responsible.provider_id if responsible else None
    query = select(ProviderConsent.provider_id).where(ProviderConsent.patient_id == plan.patient_id,
                                                      col(ProviderConsent.withdrawn_at).is_(None))
    return set(session.exec(query).all()) | ({responsible_provider} if responsible_provider else set())


def unit_may_see(session: Session, plan: CarePlan, unit_id: int) -> bool:
    """The staff access check's consent rule: a unit sees the plan if its provider is responsible or agreed to."""
    unit = session.get(CareUnit, unit_id)
    return unit is not None and unit.provider_id in allowed_providers(session, plan)


def receiving_unit(session: Session, user_id: int, plan_id: int) -> int | None:
    """The unit of this staff member's that a pending handover of the plan goes to (it may read the plan)."""
    query = (select(Handover.to_unit_id).join(StaffMember, col(StaffMember.unit_id) == Handover.to_unit_id)
             .where(StaffMember.user_id == user_id, Handover.plan_id == plan_id,
                    Handover.status == HandoverStatus.PENDING))
    return session.exec(query).first()


def give_consent(session: Session, patient_id: int, provider_id: int, method: str, by_user_id: int | None) -> None:
    """The patient agrees (again) that the provider may see the plan."""
    active = session.exec(select(ProviderConsent).where(ProviderConsent.patient_id == patient_id,
                                                        ProviderConsent.provider_id == provider_id,
                                                        col(ProviderConsent.withdrawn_at).is_(None))).first()
    if active is None:
        session.add(ProviderConsent(patient_id=patient_id, provider_id=provider_id, method=method,
                                    recorded_by_user_id=by_user_id))
        session.flush()


@dataclass(frozen=True)
class Sharing:
    """What the patient's sharing page shows."""

    responsible: CareProvider | None
    agreed: list[tuple[CareProvider, ProviderConsent, str | None]]  # with who recorded a phone answer
    asking: list[CareProvider]  # providers in the team or a pending handover, waiting for the patient's answer


def sharing(session: Session, plan: CarePlan) -> Sharing:
    """The providers that may see the plan, and those that wait for the patient's consent."""
    responsible = plans.responsible_unit(session, plan.id or 0)
    own = session.get(CareProvider, responsible.provider_id) if responsible else None
    query = (select(ProviderConsent, CareProvider, User.name)
             .join(CareProvider, col(CareProvider.id) == ProviderConsent.provider_id)
             .join(User, col(User.id) == ProviderConsent.recorded_by_user_id, isouter=True)
             .where(ProviderConsent.patient_id == plan.patient_id, col(ProviderConsent.withdrawn_at).is_(None))
             .order_by(CareProvider.name))
    agreed = [(provider, consent, name) for consent, provider, name in session.exec(query).all()
              if own is None or provider.id != own.id]
    known = {provider.id for provider, _c, _n in agreed} | ({own.id} if own else set())
    wanted = {unit.provider_id for _m, unit in builder.team(session, plan.id or 0)}
    waiting = pending(session, plan.id or 0)
    wanted |= {waiting[2].provider_id} if waiting else set()
    asking = [session.get(CareProvider, provider_id) for provider_id in sorted(wanted - known)]
    return Sharing(own, agreed, [provider for provider in asking if provider is not None])


def answer(session: Session, plan: CarePlan, provider_id: int, agree: bool) -> str | None:
    """The patient agrees for a provider that asks, or withdraws for one that is not responsible; else a code."""
    shown = sharing(session, plan)
    if shown.responsible is not None and provider_id == shown.responsible.id:
        return "responsible"
    if agree:
        if provider_id not in {provider.id for provider in shown.asking}:
            return "unknown"
        give_consent(session, plan.patient_id, provider_id, ConsentMethod.PORTAL, None)
        return None
    consents = [consent for provider, consent, _n in shown.agreed if provider.id == provider_id]
    if not consents:
        return "unknown"
    for consent in consents:
        consent.withdrawn_at = utcnow()
        session.add(consent)
    session.flush()
    return None


def proposed_nurse(session: Session, handover: Handover) -> str | None:
    """The name of the contact nurse the sender proposed."""
    if handover.to_nurse_id is None:
        return None
    query = select(User.name).join(StaffMember, col(StaffMember.user_id) == User.id).where(
        StaffMember.id == handover.to_nurse_id)
    return session.exec(query).first()
