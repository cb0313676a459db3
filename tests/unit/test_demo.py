"""The demo data: loaded once into an empty database, plausible, and with valid personal numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select

from portal.accounts.services import verify_password
from portal.core.clock import STOCKHOLM, in_stockholm
from portal.core.personal_id import parse_personal_id
from portal.demo.caseload import BUSY, busy_personal_ids
from portal.demo.services import DEMO_PASSWORD, demo_accounts, load_demo_data
from portal.models import (
    Alert,
    CarePlan,
    CareProvider,
    CareUnit,
    ContentTemplate,
    Delegation,
    FormResponse,
    Patient,
    PlanItem,
    PlanReading,
    Region,
    Role,
    User,
)
from portal.plans.services import acting
from portal.questionnaires.services import answering
from portal.relatives import services as delegations
from tests.conftest import count_rows


def test_demo_data_loads_the_promised_organisation_and_people(session: Session) -> None:
    assert load_demo_data(session, date.today())
    assert [count_rows(session, m) for m in (Region, CareProvider, CareUnit)] == [1, 2, 3]
    # three adults and a child with plans, one new referral without; and Eva's busy caseload, one plan each
    assert count_rows(session, Patient) == 5 + BUSY
    assert count_rows(session, CarePlan) == 4 + BUSY
    assert count_rows(session, Patient, Patient.name.in_(["Maria Ek", "Lars Nyström", "Karl Öberg"])) == 3
    assert len(session.exec(select(User).where(User.role == Role.STAFF)).all()) == 2
    assert len(session.exec(select(User).where(User.role == Role.EDITOR)).all()) == 1
    named = select(CarePlan).join(Patient).where(col(Patient.personal_id).not_in(busy_personal_ids()))
    assert {plan.current_phase for plan in session.exec(named).all()} == {"investigation", "treatment", "follow_up"}
    assert {item.phase for item in session.exec(select(PlanItem)).all()} == {
        "investigation", "treatment", "rehabilitation", "follow_up"}


def test_demo_data_is_loaded_only_once(session: Session) -> None:
    assert load_demo_data(session, date.today())
    assert not load_demo_data(session, date.today())
    assert count_rows(session, Patient) == 5 + BUSY


def test_demo_accounts_sign_in_with_valid_numbers(session: Session) -> None:
    load_demo_data(session, date.today())
    for account in demo_accounts():
        if account.role == Role.PATIENT:
            pid = parse_personal_id(account.sign_in)
            user = session.exec(select(User).where(User.personal_id == pid.digits)).one()
        else:
            user = session.exec(select(User).where(User.email == account.sign_in)).one()
        assert verify_password(user.password_hash, DEMO_PASSWORD)


def test_demo_data_has_answered_forms_with_a_trend_and_one_open_alert(session: Session) -> None:
    load_demo_data(session, date.today())
    scores = [r.score for r in session.exec(select(FormResponse).order_by(FormResponse.submitted_at)).all()]
    assert scores == [2, 3, 6]
    alerts = session.exec(select(Alert)).all()
    assert [(a.reason, a.status) for a in alerts] == [("high_distress", "open")]


# A Monday, a Saturday and a Sunday: the demo's dates must not depend on the weekday it is loaded.
@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2026, 11, 28), date(2026, 11, 29)])
@pytest.mark.parametrize("clock", [time(0, 5), time(12, 0), time(23, 55)])
def test_demo_form_is_due_whenever_the_demo_is_loaded(session: Session, today: date, clock: time) -> None:
    """Maria's "Hur mår du?" is due at any hour of the day the demo was loaded: the forms journey starts there."""
    load_demo_data(session, today)
    maria = session.exec(select(Patient).where(Patient.name == "Maria Ek")).one()
    plan = session.exec(select(CarePlan).where(CarePlan.patient_id == maria.id)).one()
    now = datetime.combine(today, clock, tzinfo=STOCKHOLM).astimezone(UTC)
    due = {row.assignment.questionnaire_key: row.is_due for row in answering.forms_to_answer(session, plan.id, now)}
    assert due == {"mabra": True, "behov": True}


@pytest.mark.parametrize("today", [date(2026, 11, 23) + timedelta(days=n) for n in range(7)],
                         ids=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
def test_demo_visits_done_are_past_and_booked_ones_ahead_on_any_weekday(session: Session, today: date) -> None:
    """Visits fall on weekdays; moving one off a weekend never makes a done visit lie in the future or the reverse."""
    load_demo_data(session, today)
    items = session.exec(select(PlanItem).where(col(PlanItem.starts_at).is_not(None),
                                                col(PlanItem.date_precision).in_(["time", "day"]))).all()
    done = [in_stockholm(item.starts_at).date() for item in items if item.status == "done"]
    booked = [in_stockholm(item.starts_at).date() for item in items if item.status == "booked"]
    assert done
    assert booked
    assert all(day < today for day in done)
    assert all(day > today for day in booked)
    assert all(day.weekday() < 5 for day in done + booked)


def test_demo_plans_use_the_content_pack(session: Session) -> None:
    load_demo_data(session, date.today())
    published = session.exec(select(ContentTemplate).where(ContentTemplate.status == "published")).all()
    assert len(published) == 17
    busy = busy_personal_ids()  # Eva's extra caseload: plans without reading chosen yet
    for plan, patient in session.exec(select(CarePlan, Patient).join(Patient)).all():
        assert plan.template_version == 1
        readings = session.exec(select(PlanReading).where(PlanReading.plan_id == plan.id)).all()
        assert readings or patient.personal_id in busy, plan.template_key


def test_demo_has_a_relative_and_a_guardian_of_a_child(session: Session) -> None:
    today = date.today()
    load_demo_data(session, today)
    rows = session.exec(select(Delegation, Patient).join(Patient, Patient.id == Delegation.patient_id)).all()
    by_relation = {delegation.relation: (delegation, patient) for delegation, patient in rows}
    partner, maria = by_relation["partner"]
    assert maria.name == "Maria Ek"
    assert partner.scope_set == {"plan", "messages_read"}
    assert acting.ended_reason(session, partner, partner.relative_user_id, today) is None
    guardian, child = by_relation["guardian"]
    assert acting.thirteenth_birthday(child.birth_date) > today
    assert guardian.scope_set == set(delegations.ALL_SCOPES)
    assert acting.ended_reason(session, guardian, guardian.relative_user_id, today) is None
