"""Forms in a care plan: which are due, drafts kept on the server, submitting once, alerts and how they are handled.

Nothing here commits: the request saves the work once, with its access-log events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal.core import forms_due
from portal.core.clock import utcnow
from portal.models import (
    Alert,
    AlertAction,
    AlertStatus,
    CarePlan,
    DatePrecision,
    FormAssignment,
    FormResponse,
    ItemKind,
    ItemStatus,
    Phase,
    PlanItem,
    Questionnaire,
    ResponseStatus,
    User,
)
from portal.plans.services.builder import Change, CheckedItem, add_item, record_change
from portal.questionnaires.services import definitions as defs


@lru_cache(maxsize=64)
def _parsed(questionnaire_id: int, text: str) -> defs.Definition:
    return defs.from_json(text)


def definition_of(questionnaire: Questionnaire) -> defs.Definition:
    """The pinned definition a response was made against (parsed once per version)."""
    return _parsed(questionnaire.id or 0, questionnaire.definition)


def import_definitions(session: Session, definitions: dict[str, defs.Definition]) -> list[str]:
    """Store each definition as a new version only when its content changed; returns 'key vN' for the new ones."""
    created = []
    for key, definition in sorted(definitions.items()):
        latest = latest_questionnaire(session, key)
        if latest is not None and latest.content_hash == definition.content_hash():
            continue
        version = latest.version + 1 if latest else 1
        session.add(Questionnaire(key=key, version=version, content_hash=definition.content_hash(),
                                  definition=defs.to_json(definition)))
        created.append(f"{key} v{version}")
    return created


def latest_questionnaire(session: Session, key: str) -> Questionnaire | None:
    query = select(Questionnaire).where(Questionnaire.key == key).order_by(col(Questionnaire.version).desc())
    return session.exec(query).first()


def latest_definitions(session: Session) -> dict[str, tuple[Questionnaire, defs.Definition]]:
    """Every form's newest version, by key."""
    rows = session.exec(select(Questionnaire).order_by(Questionnaire.key, col(Questionnaire.version).desc())).all()
    latest: dict[str, tuple[Questionnaire, defs.Definition]] = {}
    for row in rows:
        latest.setdefault(row.key, (row, definition_of(row)))
    return latest


def assign(session: Session, plan_id: int, key: str, repeat_weeks: int | None, by: User,
           now: datetime | None = None) -> FormAssignment:
    """Turn a form on for a plan (due now); turning it on again changes how often it repeats."""
    existing = session.exec(select(FormAssignment).where(
        FormAssignment.plan_id == plan_id, FormAssignment.questionnaire_key == key,
        col(FormAssignment.active).is_(True))).first()
    assignment = existing or FormAssignment(plan_id=plan_id, questionnaire_key=key, due_at=now or utcnow(),
                                            created_by_user_id=by.id)
    assignment.repeat_weeks = repeat_weeks
    session.add(assignment)
    plan = session.get(CarePlan, plan_id)
    if plan is not None:
        record_change(session, plan, by, Change.FORM_ASSIGNED, key)
    session.flush()
    return assignment


@dataclass(frozen=True)
class ToAnswer:
    assignment: FormAssignment
    questionnaire: Questionnaire
    definition: defs.Definition
    draft: FormResponse | None
    is_due: bool


def forms_to_answer(session: Session, plan_id: int, now: datetime) -> list[ToAnswer]:
    """The plan's forms to answer (core.forms_due), those that are due first (then by due date)."""
    latest = latest_definitions(session)
    assignments = session.exec(select(FormAssignment).where(
        FormAssignment.plan_id == plan_id, forms_due.to_answer())).all()
    drafts = {r.assignment_id: r for r in session.exec(select(FormResponse).where(
        FormResponse.plan_id == plan_id, FormResponse.status == ResponseStatus.DRAFT)).all()}
    rows = [ToAnswer(a, *latest[a.questionnaire_key], drafts.get(a.id or 0), forms_due.is_due(a, now))
            for a in assignments if a.questionnaire_key in latest]  # a form stored since `latest` waits a page
    return sorted(rows, key=lambda r: (not r.is_due, r.assignment.due_at))


def submitted_responses(session: Session, plan_id: int, key: str | None = None) -> list[FormResponse]:
    """Answered forms of a plan, newest first (of one form if `key`)."""
    query = select(FormResponse).where(FormResponse.plan_id == plan_id,
                                       FormResponse.status == ResponseStatus.SUBMITTED)
    if key is not None:
        query = query.join(Questionnaire, col(Questionnaire.id) == FormResponse.questionnaire_id).where(
            Questionnaire.key == key)
    return list(session.exec(query.order_by(col(FormResponse.submitted_at).desc())).all())


def start_or_resume(session: Session, assignment: FormAssignment, author: User) -> FormResponse:
    """The draft for this form, or a new one pinned to the newest version."""
    draft = session.exec(select(FormResponse).where(
        FormResponse.assignment_id == assignment.id, FormResponse.status == ResponseStatus.DRAFT)).first()
    if draft is not None:
        return draft
    questionnaire = latest_questionnaire(session, assignment.questionnaire_key)
    if questionnaire is None:
        raise LookupError(assignment.questionnaire_key)
    draft = FormResponse(assignment_id=assignment.id, plan_id=assignment.plan_id,
                         questionnaire_id=questionnaire.id, author_user_id=author.id)
    session.add(draft)
    session.flush()
    return draft


def answers_of(response: FormResponse) -> defs.Answers:
    return json.loads(response.answers or "{}")


def save_answers(session: Session, response: FormResponse, definition: defs.Definition,
                 update_with: defs.Answers, cleared: list[str]) -> defs.Answers:
    """Merge one screen's answers into the draft (answers to hidden or unknown questions are dropped)."""
    answers = {k: v for k, v in answers_of(response).items() if k not in cleared}
    answers.update(update_with)
    answers = defs.clean_answers(definition, answers)
    response.answers, response.updated_at = json.dumps(answers, ensure_ascii=False), utcnow()
    session.add(response)
    return answers


def submit(session: Session, response: FormResponse, definition: defs.Definition,
           now: datetime | None = None) -> bool:
    """Submit exactly once: score it, raise its alerts, move the form's next due date. False if already sent."""
    now = now or utcnow()
    answers = defs.clean_answers(definition, answers_of(response))
    score = defs.score(definition, answers)
    claimed = session.execute(
        update(FormResponse)
        .where(col(FormResponse.id) == response.id, col(FormResponse.status) == ResponseStatus.DRAFT)
        .values(status=ResponseStatus.SUBMITTED, submitted_at=now, score=score,
                answers=json.dumps(answers, ensure_ascii=False), updated_at=now))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  (sent already: the update changed nothing)
        return False
    for rule in defs.alerts_for(definition, answers):
        session.add(Alert(plan_id=response.plan_id, response_id=response.id, reason=rule.reason,
                          profession=rule.profession, created_at=now))
    assignment = session.get(FormAssignment, response.assignment_id)
    if assignment is not None:
        if assignment.repeat_weeks:
            assignment.due_at = now + timedelta(weeks=assignment.repeat_weeks)
        else:
            assignment.active = False
        session.add(assignment)
    session.flush()
    session.refresh(response)
    return True


def open_alerts(session: Session, plan_ids: list[int]) -> list[Alert]:
    if not plan_ids:
        return []
    query = select(Alert).where(col(Alert.plan_id).in_(plan_ids), Alert.status == AlertStatus.OPEN)
    return list(session.exec(query.order_by(col(Alert.created_at))).all())


@dataclass(frozen=True)
class AlertChoice:
    """What was done about one alert, and the rehabilitation item to add to the plan for a referral (or None)."""

    action: str
    item_title: str | None = None


def handle_alert(session: Session, alert: Alert, by: User, note: str, choice: AlertChoice) -> PlanItem | None:
    """Record who handled the alert, when, what was done and the note; a referral may add a rehabilitation item.

    Only the first of two handlings at the same moment wins; the other changes nothing.
    """
    claimed = session.execute(update(Alert).where(col(Alert.id) == alert.id, col(Alert.status) == AlertStatus.OPEN)
                              .values(status=AlertStatus.HANDLED))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  (handled already: the update changed nothing)
        return None
    plan = session.get(CarePlan, alert.plan_id)
    item = None
    if choice.item_title and choice.action == AlertAction.REFERRED and plan is not None:
        item = add_item(session, plan, by, CheckedItem(
            title=choice.item_title[:200], phase=Phase.REHABILITATION, kind=ItemKind.APPOINTMENT,
            status=ItemStatus.PLANNED, starts_at=None, precision=DatePrecision.TIME, location="", unit_id=None,
            preparation="", body=""))
    alert.status, alert.handled_by_user_id, alert.handled_at = AlertStatus.HANDLED, by.id, utcnow()
    alert.action, alert.action_note, alert.plan_item_id = choice.action, note[:2000], item.id if item else None
    session.add(alert)
    if plan is not None:
        record_change(session, plan, by, Change.ALERT_HANDLED, alert.reason)
    session.flush()
    return item


def handle_alerts(session: Session, alerts: list[Alert], by: User, note: str,
                  choices: dict[int, AlertChoice]) -> list[tuple[Alert, PlanItem | None]]:
    """Handle the open alerts of one response together, with one note; returns those this call handled (an alert
    handled meanwhile by someone else is left as they left it)."""
    handled = []
    for alert in alerts:
        choice = choices.get(alert.id or 0)
        if choice is None or alert.status != AlertStatus.OPEN:
            continue
        item = handle_alert(session, alert, by, note, choice)
        if alert.status == AlertStatus.HANDLED and alert.handled_by_user_id == by.id:
            handled.append((alert, item))
    return handled


def definitions_for(session: Session, responses: list[FormResponse]) -> dict[int, defs.Definition]:
    """The definition each response was made against, by questionnaire id, in one query."""
    ids = {r.questionnaire_id for r in responses}
    rows = session.exec(select(Questionnaire).where(col(Questionnaire.id).in_(ids))).all() if ids else []
    return {row.id: definition_of(row) for row in rows if row.id is not None}


def alerts_of(session: Session, response_id: int) -> list[Alert]:
    """The alerts one response raised."""
    return list(session.exec(select(Alert).where(Alert.response_id == response_id).order_by(col(Alert.id))).all())


def handler_names(session: Session, alerts: list[Alert]) -> dict[int, str]:
    """Who handled the alerts, by user id, in one query."""
    ids = {alert.handled_by_user_id for alert in alerts if alert.handled_by_user_id is not None}
    rows = session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all() if ids else []
    return {user_id: name for user_id, name in rows if user_id is not None}
