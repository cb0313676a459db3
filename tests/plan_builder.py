"""What the plan-builder tests share: breast cancer content written to disk and imported (ARTICLES), a plan made
from it at the nurse's unit (World), a second unit in the care team, the nurse signed in, and her forms posted with
the session's CSRF token; the plan's items read back fresh from the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from flask.testing import FlaskClient
from sqlmodel import Session, select

from portal.content.services import store as content
from portal.content.services.pack import load_pack
from portal.core.clock import stockholm_today
from portal.models import (
    CarePlan,
    CareTeamMembership,
    CareUnit,
    ContentTemplate,
    DatePrecision,
    ItemStatus,
    Patient,
    Phase,
    PlanItem,
    StaffMember,
    TeamRole,
    User,
)
from portal.plans.services import builder
from tests import factories
from tests.conftest import csrf_from, sign_in
from tests.content_pack import write_diagnosis

ARTICLES = {
    "fragor-till-lakaren": ("investigation", "Frågor till läkaren", "Questions for the doctor"),
    "trotthet": ("treatment", "Trötthet under behandlingen", "Tiredness during treatment"),
    "mat-och-aptit": ("rehabilitation", "Mat och aptit", "Food and appetite"),
}


class World(NamedTuple):
    """A plan made from the breast cancer content at the nurse's unit."""

    unit: CareUnit
    nurse: StaffMember
    patient: Patient
    plan: CarePlan
    template: ContentTemplate


def user(session: Session, member: StaffMember) -> User:
    return session.get(User, member.user_id)


def sign_in_staff(client: FlaskClient, session: Session, member: StaffMember) -> None:
    response = sign_in(client, user(session, member).email, factories.PASSWORD)
    assert response.status_code in (302, 303)


def post_form(client: FlaskClient, path: str, data: dict[str, str] | list[tuple[str, str]] | None = None,
              headers: dict[str, str] | None = None):  # noqa: ANN202
    """POST with the CSRF token of the nurse's session (a list of pairs for repeated fields)."""
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
    body: dict[str, list[str]] = {"csrf_token": [token]}
    for name, value in pairs:
        body.setdefault(name, []).append(value)
    return client.post(path, data=body, headers=headers or {})


def stored_items(session: Session, plan_id: int) -> list[PlanItem]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.id)).all())


def stored_item(session: Session, item_id: int) -> PlanItem | None:
    session.commit()
    session.expire_all()
    return session.get(PlanItem, item_id)


def item_data(**changes: str) -> dict[str, str]:
    data = {"title": "Strålbehandling 1", "phase": Phase.TREATMENT, "kind": "treatment", "status": ItemStatus.BOOKED,
            "day": (stockholm_today() + timedelta(days=10)).isoformat(), "clock": "09:30",
            "precision": DatePrecision.DAY,
            "location": "Strålbehandlingen, plan 2", "unit_id": "", "preparation": "Kom fastande.", "body": ""}
    data.update(changes)
    return data


def import_content(session: Session, root: Path, key: str = "brostcancer", articles: dict | None = None,
                   publish: bool = True) -> ContentTemplate:
    write_diagnosis(root, key=key, articles=ARTICLES if articles is None else articles)
    results = content.import_packs(session, load_pack(root)[0], publish=publish)
    return content.template_version(session, key, results[0].version)


def make_plan(session: Session, patient: Patient, template: ContentTemplate, nurse: StaffMember) -> CarePlan:
    """A plan made from the content and already shared with the patient (tests/views/test_plan_lifecycle.py has
    the draft)."""
    made = builder.create_plan(session, patient, template, nurse, user(session, nurse), stockholm_today())
    made.shared_at = made.created_at
    return made


def second_unit(session: Session, name: str = "Onkologimottagningen",
                nurse_name: str = "Karin Berg") -> tuple[CareUnit, StaffMember]:
    where = factories.unit(session, name=name, phone="010-999 88 77")
    return where, factories.staff(session, where, name=nurse_name)


def join(session: Session, plan: CarePlan, unit: CareUnit, role: str = TeamRole.PARTICIPATING) -> None:
    session.add(CareTeamMembership(plan_id=plan.id, unit_id=unit.id, role=role))
    session.commit()
