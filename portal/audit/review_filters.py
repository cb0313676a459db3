"""The review's filters read from the query string (a GET form that works without JavaScript): person, unit, kind and a
date range. A value that cannot be used gets a translated message and is left out; the rest still filter."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.audit.services import KINDS, Filters
from portal.core.clock import EARLIEST_DAY, LATEST_DAY, STOCKHOLM
from portal.core.text import parse_id

FIELDS = ("person", "unit", "kind", "from", "to")
MESSAGES = {
    "person": _l("Choose a person from the list."),
    "unit": _l("Choose a unit from the list."),
    "kind": _l("Choose what kind of events to show from the list."),
    "from": _l("Write the first day as a date, for example 2027-03-14."),
    "to": _l("Write the last day as a date, for example 2027-03-14."),
    "reversed": _l("The first day is after the last day, so the days are not used."),
}


@dataclass(frozen=True)
class Chosen:
    """The filters to use, what the form shows again (as typed), and a message per field that could not be used."""

    filters: Filters
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    dropped: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return any(self.values.get(name) for name in FIELDS)

    @property
    def dated(self) -> bool:
        """True when days were chosen (and could be used)."""
        return self.filters.since is not None or self.filters.until is not None

    def on_screen(self, since: datetime) -> Filters:
        """The filters of the list on screen: without days chosen, the days from `since` (the CSV has every day)."""
        return self.filters if self.dated else replace(self.filters, since=since)

    def query(self) -> dict[str, str]:
        """The filters that were used, for links to the next page and to the CSV file."""
        return {name: value for name, value in self.values.items()
                if value and name not in self.errors and name not in self.dropped}


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM)


def chosen(people: list[tuple[int, str]], units: list[tuple[int, str]], args: MultiDict | None = None) -> Chosen:
    """The filters in the query string, checked against the people and units in this patient's log."""
    args = request.args if args is None else args
    values = {name: str(args.get(name, ""))[:40].strip() for name in FIELDS}
    errors: dict[str, str] = {}
    person, unit = parse_id(values["person"]), parse_id(values["unit"])
    if values["person"] and person not in {user_id for user_id, _name in people}:
        errors["person"], person = str(MESSAGES["person"]), None
    if values["unit"] and unit not in {unit_id for unit_id, _name in units}:
        errors["unit"], unit = str(MESSAGES["unit"]), None
    if values["kind"] and values["kind"] not in KINDS:
        errors["kind"] = str(MESSAGES["kind"])
    days = {name: _day(values[name]) if values[name] else None for name in ("from", "to")}
    for name in ("from", "to"):
        if values[name] and days[name] is None:
            errors[name] = str(MESSAGES[name])
    first, last = days["from"], days["to"]
    if first and last and first > last:
        errors["from"], first, last = str(MESSAGES["reversed"]), None, None
    filters = Filters(since=_midnight(first) if first else None,
                      until=_midnight(last + timedelta(days=1)) if last else None, actor_user_id=person,
                      unit_id=unit, kind=values["kind"] if "kind" not in errors and values["kind"] else None)
    return Chosen(filters, values, errors, frozenset({"to"}) if "from" in errors and last is None else frozenset())
