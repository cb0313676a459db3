"""Writing the access log: every read or change of a patient's data, and every refused attempt."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session

from portal.models import AccessEvent, User


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
    """Add one event to the log and commit it with the caller's work."""
    event = AccessEvent(
        actor_user_id=actor.id if actor else None,
        role=actor.role if actor else "anonymous",
        acting_for_delegation_id=delegation_id,
        patient_id=patient_id,
        action=action,
        resource=resource,
        unit_id=unit_id,
    )
    session.add(event)
    session.commit()
    return event
