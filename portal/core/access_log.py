"""Writing the access log: every read or change of a patient's data, and every refused attempt.

An event is only added to the caller's session: it is saved, or not, together with the work it describes. It is
written when that transaction commits (`db.insert_at_commit`): a page that only reads takes no write lock while drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from portal.core.clock import utcnow
from portal.db import insert_at_commit
from portal.models import AccessEvent, User

EVENTS = AccessEvent.__table__  # type: ignore[attr-defined]


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DENIED = "denied"


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (or nobody), the delegation a relative acts through, and whether it is emergency access."""

    user_id: int | None
    role: str
    delegation_id: int | None = None
    emergency: bool = False

    @classmethod
    def of(cls, user: User | None, delegation_id: int | None = None, emergency: bool = False) -> Actor:
        """A relative acting for someone is logged as 'relative', whatever their own account is."""
        role = "relative" if delegation_id is not None else (user.role if user else "anonymous")
        return cls(user.id if user else None, role, delegation_id, emergency)


def record_access(session: Session, actor: Actor, action: Action, resource: str, patient_id: int | None,
                  unit_id: int | None = None, *, read_back: bool = False) -> None:
    """Add one event to the log; it is committed with the rest of the request's work, or not at all.

    It is written at the commit, unless `read_back`: a page that shows the log itself lists its own view too."""
    row = {"at": utcnow(), "actor_user_id": actor.user_id, "role": actor.role, "emergency": actor.emergency,
           "acting_for_delegation_id": actor.delegation_id, "patient_id": patient_id, "action": str(action),
           "resource": resource, "unit_id": unit_id}
    if read_back:
        session.add(AccessEvent(**row))
    else:
        insert_at_commit(session, EVENTS, row)  # a plain INSERT (no object to keep track of), one for all of them
