"""The plan item form, shared by the nurse's plan builder and the patient's own items: its error messages."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.plans.services.builder import MAX_PLACE, MAX_TEXT, MAX_TITLE

_MESSAGES = {
    "title_required": _l("Write what it is, for example 'Visit to the dentist'."),
    "title_too_long": _l("Write a shorter title (at most %(count)s characters).", count=MAX_TITLE),
    "choose": _l("Choose one of the options."),
    "too_long": _l("Write a shorter text (at most %(count)s characters).", count=MAX_TEXT),
    "not_a_date": _l("Write the date like 2027-03-14."),
    "out_of_range": _l("Write a date between the years 1900 and 2199."),
    "date_required": _l("Write the date."),
    "not_a_time": _l("Write the time like 09:30."),
    "date_for_time": _l("Write a date for the time."),
    "time_needs_day": _l("A time can only be given with an exact day."),
    "in_the_past": _l("The date has passed. Choose a later date, or mark the item as done or cancelled."),
}
_PLACE_MESSAGE = _l("Write a shorter place (at most %(count)s characters).", count=MAX_PLACE)


def item_errors(codes: dict[str, str]) -> dict[str, LazyString]:
    """Codes from plan_builder.check_item as sentences, per field."""
    return {name: _PLACE_MESSAGE if name == "location" else _MESSAGES[code] for name, code in codes.items()}
