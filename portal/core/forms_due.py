"""Which of a plan's forms the patient is asked to answer, and which of those are due: one rule for the forms page
(questionnaires' forms_to_answer) and the start page's "Att göra" (plans' to_do)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists
from sqlmodel import col

from portal.models import FormAssignment, Questionnaire


def to_answer() -> ColumnElement[bool]:
    """Turned on, for a form we know (a stored definition)."""
    known = exists().where(Questionnaire.key == FormAssignment.questionnaire_key)
    return and_(col(FormAssignment.active).is_(True), known)


def due_by(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """To answer, and due by `now` (a time or a bound parameter)."""
    return and_(to_answer(), col(FormAssignment.due_at) <= now)


def is_due(assignment: FormAssignment, now: datetime) -> bool:
    """Due by `now`, as in due_by, for a form to answer read already (the forms page lists the rest as coming)."""
    return assignment.due_at <= now
