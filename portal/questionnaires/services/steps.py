"""How a form is shown one question group per screen: which screen comes first, and the numbering 'question 2 of 6'
that stays honest while later questions may still appear or disappear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.models import FormResponse
from portal.questionnaires.services import chart
from portal.questionnaires.services import definitions as defs


@dataclass(frozen=True)
class Progress:
    """Where the patient is: screen `step`, whether more may follow, and this screen's question numbers of `total`."""

    step: int
    is_last: bool
    total: int
    numbers: dict[str, int]


def first_open_step(definition: defs.Definition, answers: defs.Answers) -> int:
    """The first screen with an unanswered question (the last screen if all are answered)."""
    groups = defs.visible_groups(definition, answers)
    for number, group in enumerate(groups, start=1):
        if any(item.id not in answers for item in group.items):
            return number
    return len(groups)


def _undecided(condition: defs.Condition | None, answers: defs.Answers, on_screen: set[str]) -> bool:
    """A condition that later answers (or this screen's) may still make true."""
    return condition is not None and condition.item is not None and (
        condition.item not in answers or condition.item in on_screen)


def _possible_items(definition: defs.Definition, answers: defs.Answers, on_screen: set[str]) -> list[str]:
    """Questions shown now, plus those that may still appear once earlier questions are answered."""
    visible = {item.id for item in defs.visible_items(definition, answers)}
    possible = []
    for group in definition.groups:
        group_open = _undecided(group.show_if, answers, on_screen)
        for item in group.items:
            if item.id in visible or group_open or _undecided(item.show_if, answers, on_screen):
                possible.append(item.id)
    return possible


def screen(definition: defs.Definition, answers: defs.Answers, step: int) -> tuple[defs.Group, Progress] | None:
    """The question group on screen `step` and the progress to show with it; None if there is no such screen."""
    groups = defs.visible_groups(definition, answers)
    if not 1 <= step <= len(groups):
        return None
    group = groups[step - 1]
    on_screen = {item.id for item in group.items}
    possible = _possible_items(definition, answers, on_screen)
    numbers = {item.id: possible.index(item.id) + 1 for item in group.items if item.id in possible}
    is_last = bool(numbers) and max(numbers.values()) == len(possible)
    return group, Progress(step, is_last, len(possible), numbers)


def next_step(definition: defs.Definition, answers: defs.Answers, step: int, action: str) -> int | None:
    """The screen after saving this one: back or on; 0 means before the first, None means the review page."""
    target = step - 1 if action == "back" else step + 1
    if target < 1:
        return 0
    return None if target > len(defs.visible_groups(definition, answers)) else target


def trends(answered: list[FormResponse], definitions: dict[int, defs.Definition]
           ) -> list[tuple[defs.Definition, chart.Chart, int | None]]:
    """A chart for each form answered at least twice with a score, oldest answer first, with its alert threshold."""
    by_key: dict[str, tuple[defs.Definition, list[tuple[datetime, float]]]] = {}
    for response in reversed(answered):
        definition = definitions[response.questionnaire_id]
        if response.score is not None and response.submitted_at is not None:
            points = by_key.get(definition.key, (definition, []))[1]
            points.append((response.submitted_at, response.score))
            by_key[definition.key] = (definition, points)  # the newest version's words label the chart
    charts = []
    for definition, points in by_key.values():
        axis = chart.score_range(definition)
        if axis and len(points) > 1:
            charts.append((definition, chart.line_chart(points, *axis), chart.alert_threshold(definition)))
    return charts


@dataclass(frozen=True)
class History:
    """One form's submitted answers on a plan, newest first, and their scores as a chart."""

    key: str
    definition: defs.Definition
    responses: list[FormResponse]
    chart: chart.Chart | None
    threshold: int | None


def histories(responses: list[FormResponse], definitions: dict[int, defs.Definition]) -> list[History]:
    """Answers grouped by form, each form with a chart when it has a score (for the care team)."""
    by_key: dict[str, list[FormResponse]] = {}
    for response in responses:
        by_key.setdefault(definitions[response.questionnaire_id].key, []).append(response)
    result = []
    for key, rows in sorted(by_key.items()):
        definition = definitions[rows[0].questionnaire_id]
        axis = chart.score_range(definition)
        points = [(r.submitted_at, r.score) for r in rows if r.submitted_at and r.score is not None]
        drawn = chart.line_chart(points, *axis) if axis and points else None
        result.append(History(key, definition, rows, drawn, chart.alert_threshold(definition)))
    return result
