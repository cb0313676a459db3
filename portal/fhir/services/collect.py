"""What one download holds: the patient's plan, its team, timeline, reading, messages and answered forms — only the
parts that the viewer's scopes allow (the patient and a guardian: everything)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.content.services.store import ArticleView
from portal.models import (
    CarePlan,
    CareProvider,
    CareTeamMembership,
    CareUnit,
    FormResponse,
    Message,
    Patient,
    PlanItem,
    PlanReading,
    Questionnaire,
    ResponseStatus,
    Scope,
    StaffMember,
    User,
)
from portal.plans.services import plans, reading
from portal.plans.services.timeline import sort_key
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import Answers, Definition

ALL = frozenset(Scope)


@dataclass(frozen=True)
class Nurse:
    staff_id: int
    name: str
    title: str
    unit_id: int


@dataclass(frozen=True)
class Answered:
    """A submitted form, with the version of the questions it was answered against."""

    response: FormResponse
    questionnaire: Questionnaire
    definition: Definition
    answers: Answers
    author: str

    def rows(self, language: str) -> list[tuple[str, str, list[str]]]:
        """Each answered question: its text, its type and the answer in words (choices by their names)."""
        found = []
        for item in self.definition.items():
            value = self.answers.get(item.id)
            if value in (None, "", []):
                continue
            names = {o.value: o.text.get(language) or o.text["sv"] for o in item.options}
            values = [names.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value])]
            found.append((item.text.get(language) or item.text["sv"], item.type, values))
        return found


@dataclass
class MyData:
    """One patient's data for an export; empty lists where the viewer's scopes allow nothing."""

    patient: Patient
    language: str
    plan: CarePlan | None = None
    diagnosis: str = ""
    with_plan: bool = False  # the plan, its team, timeline and reading (the PLAN scope)
    team: list[tuple[CareTeamMembership, CareUnit]] = field(default_factory=list)
    providers: dict[int, CareProvider] = field(default_factory=dict)
    nurse: Nurse | None = None
    items: list[PlanItem] = field(default_factory=list)
    readings: list[tuple[ArticleView, PlanReading]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    forms: list[Answered] = field(default_factory=list)

    @property
    def units(self) -> dict[int, CareUnit]:
        return {unit.id or 0: unit for _m, unit in self.team}


def collect(session: Session, patient: Patient, scopes: frozenset[str] = ALL, language: str = "sv",
            plan: CarePlan | None = None) -> MyData:
    """The patient's plan (the current one unless given) and what hangs on it, as far as `scopes` allow."""
    data = MyData(patient=patient, language=language)
    plan = plan or plans.active_plan(session, patient.id or 0)
    if plan is None:
        return data
    data.plan = plan
    if Scope.PLAN in scopes:
        _plan_parts(session, data, plan)
    if Scope.MESSAGES_READ in scopes:
        data.messages = list(session.exec(select(Message).where(Message.plan_id == plan.id)
                                          .order_by(col(Message.id))).all())
    if Scope.FORMS in scopes:
        data.forms = answered_forms(session, answering.submitted_responses(session, plan.id or 0))
    return data


def _plan_parts(session: Session, data: MyData, plan: CarePlan) -> None:
    data.with_plan = True
    template = reading.plan_template(session, plan)
    data.diagnosis = content.template_data(template, data.language)["name"] if template else plan.template_key
    data.team = list(session.exec(
        select(CareTeamMembership, CareUnit).join(CareUnit, col(CareUnit.id) == CareTeamMembership.unit_id)
        .where(CareTeamMembership.plan_id == plan.id).order_by(col(CareTeamMembership.id))).all())
    provider_ids = {unit.provider_id for _m, unit in data.team}
    data.providers = {p.id or 0: p for p in session.exec(
        select(CareProvider).where(col(CareProvider.id).in_(provider_ids))).all()}
    data.nurse = _nurse(session, plan)
    data.items = sorted(plans.plan_items(session, plan.id or 0), key=sort_key)
    data.readings = reading.views(session, plan, data.language)


def _nurse(session: Session, plan: CarePlan) -> Nurse | None:
    if plan.contact_nurse_id is None:
        return None
    found = session.exec(select(StaffMember, User.name).join(User, col(User.id) == StaffMember.user_id)
                         .where(StaffMember.id == plan.contact_nurse_id)).first()
    if found is None:
        return None
    member, name = found
    return Nurse(member.id or 0, name, member.title, member.unit_id)


def answered_forms(session: Session, responses: Iterable[FormResponse]) -> list[Answered]:
    """Submitted responses with their pinned questions and who answered (oldest first)."""
    rows = [r for r in responses if r.status == ResponseStatus.SUBMITTED]
    authors = dict(session.exec(select(User.id, User.name).where(
        col(User.id).in_({r.author_user_id for r in rows}))).all()) if rows else {}
    found = []
    for response in sorted(rows, key=lambda r: (r.submitted_at or datetime.min, r.id or 0)):
        questionnaire = session.get(Questionnaire, response.questionnaire_id)
        if questionnaire is None:
            continue
        found.append(Answered(response, questionnaire, answering.definition_of(questionnaire),
                              answering.answers_of(response), authors.get(response.author_user_id, "")))
    return found
