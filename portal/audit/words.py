"""A visit in plain words: 'looked at the care plan and the messages, changed 2 items in the plan', and its time
'14.02–14.17'. Templates use them as `visit_summary(visit)` and `visit_time(visit)`."""

from __future__ import annotations

from collections.abc import Callable

from babel.lists import format_list
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.audit.visits import Done, Visit
from portal.core.clock import local_date
from portal.web.i18n import format_clock, format_short_date, ngettext, translated
from portal.web.labels import RESOURCES

VERBS = {
    "read": _l("looked at %(things)s"),
    "create": _l("added %(things)s"),
    "update": _l("changed %(things)s"),
    "delete": _l("removed %(things)s"),
    "denied": _l("was refused access to %(things)s"),
}
# Things a visit can touch many of: counted ('2 items in the plan'); every other kind is named once ('the care plan').
COUNTED: dict[str, Callable[[int], str]] = {
    "item": lambda num: ngettext("%(num)s item in the plan", "%(num)s items in the plan", num),
    "plan_item": lambda num: ngettext("%(num)s item in the plan", "%(num)s items in the plan", num),
    "message": lambda num: ngettext("%(num)s message", "%(num)s messages", num),
    "article": lambda num: ngettext("%(num)s text in the reading", "%(num)s texts in the reading", num),
    "form_response": lambda num: ngettext("%(num)s form answer", "%(num)s form answers", num),
    "form_assignment": lambda num: ngettext("%(num)s form", "%(num)s forms", num),
    "alert": lambda num: ngettext("%(num)s alert from a form", "%(num)s alerts from forms", num),
    "delegation": lambda num: ngettext("%(num)s relative's access", "%(num)s relatives' access", num),
}


def _thing(done: Done) -> str:
    counted = COUNTED.get(done.kind)
    if counted is not None and (done.count > 1 or done.action != "read"):
        return counted(done.count)
    names = translated(RESOURCES)
    return names.get(done.kind) or names["endpoint"]


def visit_summary(visit: Visit) -> str:
    """What the visit did, in one sentence that starts with a capital letter."""
    locale = str(get_locale() or "sv")
    clauses: dict[str, list[str]] = {}
    for done in visit.done:
        clauses.setdefault(done.action, []).append(_thing(done))
    verbs = translated(VERBS)
    parts = [verbs.get(action, verbs["read"]) % {"things": format_list(things, locale=locale)}
             for action, things in clauses.items()]
    text = ", ".join(parts)
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def visit_time(visit: Visit) -> str:
    """'14.02–14.17' (one time for a single moment; the first day too when the visit began the day before)."""
    first, last = format_clock(visit.first_at), format_clock(visit.last_at)
    if local_date(visit.first_at) != local_date(visit.last_at):
        first = f"{format_short_date(visit.first_at)} {first}"
    return first if first == last else f"{first}–{last}"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(visit_summary=visit_summary, visit_time=visit_time)
