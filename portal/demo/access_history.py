"""Demo only: a few weeks of Maria's access log, so that 'Vem har tittat på min vårdplan?' and the unit's review show
visits: Eva's 15-minute session yesterday (51 events), shorter visits before it, and her partner Per's reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from portal.core.clock import STOCKHOLM
from portal.models import AccessEvent, CarePlan, Delegation, Patient, PlanItem, StaffMember, User

SESSION = 51  # events in Eva's session, every 18 seconds: 14.02–14.17


def _at(today: date, days: int, hour: int, minute: int, seconds: int = 0) -> datetime:
    moment = datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=STOCKHOLM)
    return moment + timedelta(seconds=seconds)


def add_access_history(session: Session, today: date, patient_name: str, nurse: StaffMember) -> None:
    """Maria's log: what a nurse's working day and a relative's evening reads look like."""
    maria = session.exec(select(Patient).where(Patient.name == patient_name)).one()
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == maria.id)).first()
    if plan is None:
        return
    items = list(session.exec(select(PlanItem.id).where(PlanItem.plan_id == plan.id).limit(2)).all())
    per = session.exec(select(Delegation).where(Delegation.patient_id == maria.id)).first()

    def add(at: datetime, user: int | None, action: str, resource: str, unit: int | None = None,
            delegation: Delegation | None = None) -> None:
        session.add(AccessEvent(at=at, actor_user_id=user, role="relative" if delegation else "staff",
                                acting_for_delegation_id=delegation.id if delegation else None,
                                patient_id=maria.id, action=action, resource=resource, unit_id=unit))

    for n in range(SESSION):
        changed = n in (20, 30) and len(items) == 2
        resource = (f"item:{items[n // 10 - 2]}" if changed else f"messages:{plan.id}" if n % 3 == 1
                    else f"plan:{plan.id}")
        add(_at(today, -1, 14, 2, n * 18), nurse.user_id, "update" if changed else "read", resource, nurse.unit_id)
    for days, hour in ((-3, 9), (-8, 10), (-12, 15)):
        add(_at(today, days, hour, 5), nurse.user_id, "read", f"plan:{plan.id}", nurse.unit_id)
        add(_at(today, days, hour, 7), nurse.user_id, "read", f"messages:{plan.id}", nurse.unit_id)
    if per is not None and session.get(User, per.relative_user_id) is not None:
        for days in (-2, -6):
            add(_at(today, days, 20, 31), per.relative_user_id, "read", f"timeline:{plan.id}", delegation=per)
            add(_at(today, days, 20, 33), per.relative_user_id, "read", f"messages:{plan.id}", delegation=per)
