"""Writing the access log: every read or change of a patient's data, and every refused attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask import g, has_request_context
from sqlalchemy import or_
from sqlmodel import Session, col, select

from portal.models import AccessEvent, CareUnit, Delegation, User


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DENIED = "denied"


def record_access(
    session: Session,
    actor: User | None,
    action: Action,
    resource: str,
    patient_id: int | None,
    unit_id: int | None = None,
    delegation_id: int | None = None,
) -> AccessEvent:
    """Add one event to the log and commit it with the caller's work.

    On a relative's request the delegation they act through is taken from the request, so that every patient page
    logs it without each view having to remember; their role is then 'relative' whatever their own account is.
    """
    acting = g.get("acting_delegation") if has_request_context() else None
    if delegation_id is None and acting is not None:
        delegation_id = acting.id
    emergency = bool(g.get("emergency_access")) if has_request_context() else False
    role = actor.role if actor else "anonymous"
    if delegation_id is not None:
        role = "relative"
    event = AccessEvent(
        actor_user_id=actor.id if actor else None,
        role=role,
        emergency=emergency,
        acting_for_delegation_id=delegation_id,
        patient_id=patient_id,
        action=action,
        resource=resource,
        unit_id=unit_id,
    )
    session.add(event)
    session.commit()
    return event


@dataclass(frozen=True)
class LogRow:
    event: AccessEvent
    actor_name: str | None
    unit_name: str | None
    relation: str | None


def events_for_patient(session: Session, patient_id: int, since: datetime | None = None,
                       exclude_user_id: int | None = None, limit: int = 5000) -> list[LogRow]:
    """The log of one patient, newest first: who (name, role, unit, acting for whom), when, what."""
    query = (
        select(AccessEvent, User.name, CareUnit.name, Delegation.relation)
        .join(User, col(User.id) == AccessEvent.actor_user_id, isouter=True)
        .join(CareUnit, col(CareUnit.id) == AccessEvent.unit_id, isouter=True)
        .join(Delegation, col(Delegation.id) == AccessEvent.acting_for_delegation_id, isouter=True)
        .where(AccessEvent.patient_id == patient_id)
        .order_by(col(AccessEvent.at).desc(), col(AccessEvent.id).desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(AccessEvent.at >= since)
    if exclude_user_id is not None:
        # The patient's own visits are not news to them; a relative's visits are always shown.
        query = query.where(or_(col(AccessEvent.actor_user_id) != exclude_user_id,
                                col(AccessEvent.acting_for_delegation_id).is_not(None)))
    return [LogRow(event, name, unit, relation) for event, name, unit, relation in session.exec(query).all()]
