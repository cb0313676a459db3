"""Locale choice and how dates read in each language (always in Europe/Stockholm)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale, gettext, ngettext, to_user_timezone
from flask_login import current_user

from portal.core.clock import local_date, stockholm_now
from portal.extensions import babel
from portal.models import DatePrecision

LOCALE_COOKIE = "locale"
TIME_PATTERNS = {"sv": "HH.mm"}
DEFAULT_TIME_PATTERN = "HH:mm"


def select_locale() -> str:
    """The user's own choice (account, then cookie), then Accept-Language, then Swedish."""
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(current_user, "locale", None) if current_user else None
    chosen = chosen or request.cookies.get(LOCALE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _day(value: datetime, with_year: bool) -> str:
    return format_datetime(value, "EEEE d MMMM y" if with_year else "EEEE d MMMM")


def format_when(value: datetime | None, precision: str = DatePrecision.TIME) -> str:
    """'tisdag 3 mars kl. 09.30', 'vecka 12' or 'mars 2027', as exactly as the date is known."""
    if value is None:
        return gettext("Date not set yet")
    local = to_user_timezone(value)
    other_year = local.year != stockholm_now().year
    if precision == DatePrecision.WEEK:
        year, week, _ = local.isocalendar()
        if other_year:
            return gettext("week %(number)s, %(year)s", number=week, year=year)
        return gettext("week %(number)s", number=week)
    if precision == DatePrecision.MONTH:
        return format_datetime(value, "LLLL y")
    if precision == DatePrecision.DAY:
        return _day(value, other_year)
    pattern = TIME_PATTERNS.get(str(get_locale()), DEFAULT_TIME_PATTERN)
    return gettext("%(day)s at %(time)s", day=_day(value, other_year), time=format_datetime(value, pattern))


def format_days_away(value: datetime | None) -> str:
    """'Today', 'Tomorrow' or 'In 5 days': how near a dated event is."""
    if value is None:
        return ""
    days = (local_date(value) - stockholm_now().date()).days
    if days <= 0:
        return gettext("Today") if days == 0 else ""
    if days == 1:
        return gettext("Tomorrow")
    return ngettext("In %(num)s day", "In %(num)s days", days)


def format_short_date(value: date | datetime | None) -> str:
    """'3 mars 2027' for lists and 'Last updated' lines."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM y")
    return format_date(value, "d MMMM y")


def format_day_label(day: date) -> str:
    """'Today', 'Yesterday' or 'Monday 23 November' (with the year if it is not this year)."""
    today = stockholm_now().date()
    if day == today:
        return gettext("Today")
    if (today - day).days == 1:
        return gettext("Yesterday")
    return format_date(day, "EEEE d MMMM" if day.year == today.year else "EEEE d MMMM y")


def format_clock(value: datetime) -> str:
    """The time of day: '14.05' in Swedish, '14:05' in English."""
    return format_datetime(value, TIME_PATTERNS.get(str(get_locale()), DEFAULT_TIME_PATTERN))


def localised(text: dict[str, str] | None) -> str:
    """Pick the active language from a {"sv": …, "en": …} text (form definitions), Swedish if missing."""
    if not text:
        return ""
    return text.get(str(get_locale())) or text.get("sv", "")


def format_iso_date(value: str | None) -> str:
    """A stored answer like '2027-03-14' as '14 mars 2027'."""
    try:
        return format_date(date.fromisoformat(value or ""), "d MMMM y")
    except ValueError:
        return value or ""


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(get_locale=get_locale)
    app.jinja_env.filters.update(when=format_when, days_away=format_days_away, short_date=format_short_date,
                                 day_label=format_day_label, clock=format_clock, t=localised,
                                 iso_date=format_iso_date)
