"""What the content-language tests (views and browser) share: a patient with a shared plan made from the real content
pack, every article of the diagnosis her reading."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session

from portal.content.services import store as content
from portal.content.services.pack import CONTENT, load_diagnosis
from portal.core.clock import stockholm_today
from portal.models import Article, CarePlan, Patient, User
from portal.plans.services import builder
from tests import factories


class World(NamedTuple):
    patient: Patient
    user: User
    plan: CarePlan
    articles: dict[str, Article]


def make_world(session: Session, diagnosis: str = "generell") -> World:
    """A patient with a shared plan from the real content pack: every article of the diagnosis is her reading."""
    results = content.import_packs(session, [load_diagnosis(CONTENT / diagnosis)], publish=True)
    template = content.template_version(session, diagnosis, results[0].version)
    where = factories.unit(session)
    nurse = factories.staff(session, where)
    patient = factories.patient(session, name="Maria Ek")
    plan = builder.create_plan(session, patient, template, nurse, session.get(User, nurse.user_id), stockholm_today())
    plan.shared_at = plan.created_at
    session.commit()
    return World(patient, session.get(User, patient.user_id), plan,
                 {a.slug: a for a in content.articles_of(session, template.id or 0)})
