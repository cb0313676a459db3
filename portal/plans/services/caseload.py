"""The contact nurse's own patients, a page at a time: those with open alerts from their forms first, then by name."""

from __future__ import annotations

from sqlalchemy import CTE, Select, case
from sqlmodel import Session, col, select

from portal.core import keyset
from portal.core.keyset import Key, Slice
from portal.models import Alert, AlertStatus, CarePlan, Patient, PlanStatus, StaffMember
from portal.plans.services.plans import open_alert_counts

PAGE = 50


def _mine(user_id: int, plan_id: int | None) -> CTE:
    """The active plans where this user is the contact nurse (one plan with `plan_id`), each with what its place in
    the list depends on, looked up per plan by primary key and index: never a scan of the country's patients."""
    name = select(Patient.name).where(Patient.id == CarePlan.patient_id).scalar_subquery()
    # A lookup per plan on the alert's plan index (LIMIT 1 keeps PostgreSQL from reading every open alert in the
    # country into a hash, as it does for EXISTS).
    open_alert = (select(Alert.id).where(Alert.plan_id == CarePlan.id, Alert.status == AlertStatus.OPEN)
                  .limit(1).scalar_subquery())
    query = (select(col(CarePlan.id).label("plan_id"), name.label("name"),
                    case((open_alert.is_not(None), 1), else_=0).label("has_alert"))
             .join(StaffMember, col(StaffMember.id) == CarePlan.contact_nurse_id)
             .where(StaffMember.user_id == user_id, CarePlan.status == PlanStatus.ACTIVE))
    if plan_id is not None:
        query = query.where(CarePlan.id == plan_id)
    return query.cte("mine").prefix_with("MATERIALIZED")


def _ranked(user_id: int, plan_id: int | None = None) -> tuple[Select, list[Key]]:
    mine = _mine(user_id, plan_id)
    keys = [Key(mine.c.has_alert, descending=True), Key(mine.c.name), Key(mine.c.plan_id)]
    return select(mine.c.plan_id), keys


def caseload(session: Session, user_id: int, after: int | None = None,
             size: int = PAGE) -> tuple[Slice[tuple[CarePlan, Patient]], dict[int, int]]:
    """One page of the nurse's patients after the plan `after` (the first page if that is not one of them), and the
    open alerts of each plan shown."""
    ranked, keys = _ranked(user_id)
    start = _key(session, user_id, after) if after is not None else None
    top = keyset.top(ranked, keys, start, size + 1)
    query = (select(CarePlan, Patient).join(top, top.c.plan_id == CarePlan.id)
             .join(Patient, col(Patient.id) == CarePlan.patient_id).order_by(top.c.rank))
    rows = [(plan, patient) for plan, patient in session.exec(query).all()]
    page = keyset.cut(rows, size, lambda row: row[0].id, start)
    return page, open_alert_counts(session, [plan.id or 0 for plan, _patient in page.rows])


def _key(session: Session, user_id: int, plan_id: int) -> tuple[object, ...] | None:
    """Where this plan stands in the nurse's list now; None if it is not one of the nurse's plans."""
    ranked, keys = _ranked(user_id, plan_id)
    found = session.execute(ranked.with_only_columns(*(key.column for key in keys))).first()
    return tuple(found) if found is not None else None
