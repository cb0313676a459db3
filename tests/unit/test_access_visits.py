"""The access log read as visits: one person's events in one role, for one unit and one delegation, less than 30
minutes apart, are one visit; paging never splits a visit; and the unit logged is the one the nurse acts for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from portal.audit import visits as grouping
from portal.audit.services import Filters
from portal.audit.visits import GAP, summary
from portal.models import AccessEvent, CareTeamMembership, Patient, StaffMember, TeamRole
from portal.plans.services.plans import staff_may_read_plan
from tests import factories

START = datetime(2026, 2, 10, 13, 2, tzinfo=UTC)


def _event(session: Session, patient: Patient, minutes: float, user_id: int | None, resource: str = "plan:1",
           action: str = "read", unit_id: int | None = None, role: str = "staff", delegation_id: int | None = None,
           emergency: bool = False) -> None:
    session.add(AccessEvent(at=START + timedelta(minutes=minutes), actor_user_id=user_id, role=role,
                            unit_id=unit_id, acting_for_delegation_id=delegation_id, emergency=emergency,
                            patient_id=patient.id, action=action, resource=resource))
    session.commit()


def _spans(session: Session, patient: Patient, **kw: object) -> list[tuple[float, float, int]]:
    """Each visit as (first minute, last minute, events), newest first."""
    page = grouping.visits(session, patient.id or 0, **kw)  # type: ignore[arg-type]
    return [((grouping_utc(v.first_at) - START).total_seconds() / 60,
             (grouping_utc(v.last_at) - START).total_seconds() / 60, v.events) for v in page.rows]


def grouping_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_events_less_than_the_gap_apart_are_one_visit(session: Session) -> None:
    patient, _plan, nurse = factories.patient_with_plan(session, items=0)
    for minute in range(0, 51):  # 51 events in about a quarter of an hour... and some more
        _event(session, patient, minute * 0.3, nurse.user_id)
    assert _spans(session, patient) == [(0.0, 15.0, 51)]


def test_a_gap_of_exactly_the_limit_starts_a_new_visit(session: Session) -> None:
    patient, _plan, nurse = factories.patient_with_plan(session, items=0)
    limit = GAP.total_seconds() / 60
    _event(session, patient, 0, nurse.user_id)
    _event(session, patient, limit - 1 / 60, nurse.user_id)  # one second under: the same visit
    _event(session, patient, 2 * limit - 1 / 60, nurse.user_id)  # exactly the limit later: a new visit
    assert _spans(session, patient) == [(2 * limit - 1 / 60, 2 * limit - 1 / 60, 1), (0.0, limit - 1 / 60, 2)]


def test_another_person_unit_role_or_delegation_is_another_visit(session: Session) -> None:
    patient, _plan, nurse = factories.patient_with_plan(session, items=0)
    other = factories.staff(session, factories.unit(session, "Strålbehandlingen"), name="Jonas Berg")
    _event(session, patient, 0, nurse.user_id, unit_id=nurse.unit_id)
    _event(session, patient, 1, other.user_id, unit_id=other.unit_id)  # someone else in between
    _event(session, patient, 2, nurse.user_id, unit_id=nurse.unit_id)  # Eva goes on: still her first visit
    _event(session, patient, 3, nurse.user_id, unit_id=other.unit_id)  # Eva for another unit
    _event(session, patient, 4, nurse.user_id, unit_id=nurse.unit_id, emergency=True)
    assert sorted(_spans(session, patient)) == [(0.0, 2.0, 2), (1.0, 1.0, 1), (3.0, 3.0, 1), (4.0, 4.0, 1)]


def test_a_relative_is_a_visit_of_their_own_with_the_relation(session: Session) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=0)
    relative = factories.user(session)
    _event(session, patient, 0, relative.id, role="relative")
    _event(session, patient, 1, relative.id, role="patient")
    assert len(_spans(session, patient)) == 2


def test_pages_hold_whole_visits(session: Session) -> None:
    patient, _plan, nurse = factories.patient_with_plan(session, items=0)
    other = factories.staff(session, factories.unit(session), name="Jonas Berg")
    for minute in range(0, 200, 5):  # two people at once for over three hours: one visit each
        _event(session, patient, minute, nurse.user_id)
        _event(session, patient, minute + 1, other.user_id)
    for visit_start in range(300, 600, 40):  # then eight short visits
        _event(session, patient, visit_start, nurse.user_id)
    seen: list[int] = []
    page = grouping.visits(session, patient.id or 0, size=3)
    while True:
        seen.extend(visit.events for visit in page.rows)
        if page.next_after is None:
            break
        page = grouping.visits(session, patient.id or 0, page.next_after, size=3)
    assert seen == [1] * 8 + [40, 40]


def test_filters_narrow_the_events_before_they_are_grouped(session: Session) -> None:
    patient, _plan, nurse = factories.patient_with_plan(session, items=0)
    _event(session, patient, 0, nurse.user_id, resource="item:1", action="update")
    _event(session, patient, 1, nurse.user_id)
    _event(session, patient, 2, nurse.user_id, resource="item:2", action="update")
    assert _spans(session, patient, filters=Filters(kind="change")) == [(0.0, 2.0, 2)]
    assert _spans(session, patient, filters=Filters(since=START + timedelta(minutes=1))) == [(1.0, 2.0, 2)]


def test_a_visit_says_what_was_seen_and_changed() -> None:
    touched = [("read", "plan:1"), ("update", "item:6"), ("read", "messages:1"), ("update", "item:7")]
    assert [(done.action, done.kind, done.count) for done in summary(touched)] == [
        ("read", "plan", 1), ("read", "messages", 1), ("update", "item", 2)]


def test_a_nurse_in_two_units_acts_for_the_responsible_one(session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    participating = factories.unit(session, "Strålbehandlingen")
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=participating.id, role=TeamRole.PARTICIPATING))
    both = factories.staff(session, participating, name="Karin Ny")  # first at the participating unit
    assert staff_may_read_plan(session, both.user_id, plan.id or 0) == participating.id
    session.add(StaffMember(user_id=both.user_id, unit_id=nurse.unit_id, title="Sjuksköterska"))
    session.commit()
    assert staff_may_read_plan(session, both.user_id, plan.id or 0) == nurse.unit_id  # the responsible unit
