"""Whether a relative or guardian may act for a patient now: decided from the database on every request.

A revoked or changed delegation applies to the relative's very next click, and a guardian's access ends on the
child's 13th birthday.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from portal.core.clock import utcnow
from portal.models import Delegation, DelegationStatus, Patient, Relation

GUARDIAN_AGE_LIMIT = 13


def thirteenth_birthday(birth: date) -> date:
    try:
        return birth.replace(year=birth.year + GUARDIAN_AGE_LIMIT)
    except ValueError:  # born on 29 February
        return date(birth.year + GUARDIAN_AGE_LIMIT, 3, 1)


def is_guardian_of_child(delegation: Delegation) -> bool:
    return delegation.relation == Relation.GUARDIAN


def ended_reason(session: Session, delegation: Delegation | None, user_id: int, today: date) -> str | None:
    """Why a delegation cannot be used now (None if it can): checked on every request."""
    if delegation is None or delegation.relative_user_id != user_id:
        return "unknown"
    if delegation.status == DelegationStatus.REVOKED:
        return "revoked"
    if delegation.status != DelegationStatus.ACTIVE:
        return "expired" if delegation.status == DelegationStatus.EXPIRED else "unknown"
    if delegation.relation == Relation.GUARDIAN:
        patient = session.get(Patient, delegation.patient_id)
        if patient is None or today >= thirteenth_birthday(patient.birth_date):
            return "turned_13"
    if today > delegation.valid_until:
        return "expired"
    if today < delegation.valid_from:
        return "not_yet"
    return None


def mark_ended(session: Session, delegation: Delegation, reason: str) -> None:
    """Keep the state the check found, so lists show it (the check itself never depends on this)."""
    if reason in ("expired", "turned_13") and delegation.status == DelegationStatus.ACTIVE:
        delegation.status = DelegationStatus.EXPIRED
        delegation.changed_at = utcnow()
        session.add(delegation)


def usable_for_user(session: Session, user_id: int, today: date) -> list[tuple[Delegation, Patient]]:
    """The people this account may act for now."""
    query = (
        select(Delegation, Patient)
        .join(Patient, col(Patient.id) == Delegation.patient_id)
        .where(Delegation.relative_user_id == user_id, Delegation.status == DelegationStatus.ACTIVE)
        .order_by(Patient.name)
    )
    return [(d, p) for d, p in session.exec(query).all() if ended_reason(session, d, user_id, today) is None]
