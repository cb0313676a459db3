"""Locale choice and how dates read in each language (always in Europe/Stockholm).

Dates are drawn on every page, often many per page (a timeline, a thread), so the names of days and months are taken
from Babel's locale data once per language and the patterns below are filled in directly; the same text as Babel's
`format_datetime` with these patterns (tests/unit/test_i18n.py compares them). Translations are looked up in the
catalog of the request's locale, found once per locale rather than through Flask-Babel's lookups on every string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, request
from flask_babel import LazyString, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.core.clock import in_stockholm, local_date, stockholm_now
from portal.core.local_text import SWEDISH, pick
from portal.extensions import babel
from portal.models import DatePrecision

LOCALE_COOKIE = "locale"
TIME_PATTERNS = {"sv": "HH.mm", "fi": "HH.mm"}  # Swedish and Finnish write 09.30
DEFAULT_TIME_PATTERN = "HH:mm"
CATALOGS = "portal.catalogs"  # app.extensions key: {Locale: Translations}, filled as each language is first used
NAMES = "portal.names"  # app.extensions key: {(Locale, id(table)): {code: translated name}}


@dataclass(frozen=True)
class Words:
    """A language's names of days and months (Babel's 'wide' names) and its clock separator."""

    days: tuple[str, ...]  # Monday first, as in "EEEE"
    months: tuple[str, ...]  # January at 1, as in "MMMM"
    standalone_months: tuple[str, ...]  # as in "LLLL"
    clock: str  # between hours and minutes: "HH.mm" or "HH:mm"

    @classmethod
    def of(cls, locale: Locale) -> Words:
        days, months = locale.days["format"]["wide"], locale.months["format"]["wide"]
        alone = locale.months["stand-alone"]["wide"]
        clock = TIME_PATTERNS.get(str(locale), DEFAULT_TIME_PATTERN)[2]
        return cls(tuple(days[n] for n in range(7)), ("", *(months[n] for n in range(1, 13))),
                   ("", *(alone[n] for n in range(1, 13))), clock)


_WORDS: dict[Locale, Words] = {}


def _catalog() -> tuple[Locale | None, Translations | NullTranslations]:
    """The request's locale and its catalog (Flask-Babel's own, kept per app and language)."""
    locale = get_locale()
    if locale is None:
        return None, get_translations()
    catalogs = current_app.extensions[CATALOGS]
    found = catalogs.get(locale)
    if found is None:
        found = catalogs[locale] = get_translations()
    return locale, found


def gettext(string: str, **variables: Any) -> str:  # noqa: ANN401
    """Flask-Babel's gettext, with the catalog found once per language."""
    text = _catalog()[1].ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:  # noqa: ANN401
    variables.setdefault("num", num)
    return _catalog()[1].ungettext(singular, plural, num) % variables


def translated(table: Mapping[str, LazyString]) -> Mapping[str, str]:
    """A table of lazily translated names (web/labels.py) in the request's language, translated once per language."""
    locale = _catalog()[0]
    if locale is None:
        return {code: str(name) for code, name in table.items()}
    names = current_app.extensions[NAMES]
    found = names.get((locale, id(table)))
    if found is None:
        found = names[locale, id(table)] = {code: str(name) for code, name in table.items()}
    return found


def _words() -> Words:
    locale = get_locale() or Locale("sv")
    words = _WORDS.get(locale)
    if words is None:
        words = _WORDS[locale] = Words.of(locale)
    return words


def _local(value: datetime) -> datetime:
    """A stored timestamp on a Swedish wall clock (naive ones are UTC, as Flask-Babel takes them)."""
    return in_stockholm(value)


def _day_text(words: Words, value: date, with_year: bool) -> str:
    """Babel's pattern "EEEE d MMMM", or "EEEE d MMMM y" with the year."""
    text = f"{words.days[value.weekday()]} {value.day} {words.months[value.month]}"
    return f"{text} {value.year}" if with_year else text


def _clock_text(words: Words, value: datetime) -> str:
    return f"{value.hour:02d}{words.clock}{value.minute:02d}"


def language_names(codes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(code, the language's name in itself, its writing direction) for each language, e.g. ("ar", "العربية", "rtl")."""
    found = []
    for code in codes:
        locale = Locale.parse(code)
        name = locale.get_display_name(locale) or code
        found.append((code, name[:1].upper() + name[1:], locale.text_direction))
    return found


def text_direction() -> str:
    """'rtl' for a language written right to left (Arabic), else 'ltr': the page's `dir`."""
    locale = get_locale()
    return locale.text_direction if locale is not None else "ltr"


def select_locale() -> str:
    """The user's own choice (account, then cookie), then Accept-Language, then Swedish."""
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(current_user, "locale", None) if current_user else None
    chosen = chosen or request.cookies.get(LOCALE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def format_when(value: datetime | None, precision: str = DatePrecision.TIME) -> str:
    """'tisdag 3 mars kl. 09.30', 'vecka 12' or 'mars 2027', as exactly as the date is known."""
    if value is None:
        return gettext("Date not set yet")
    local = _local(value)
    other_year = local.year != stockholm_now().year
    if precision == DatePrecision.WEEK:
        year, week, _ = local.isocalendar()
        if other_year:
            return gettext("week %(number)s, %(year)s", number=week, year=year)
        return gettext("week %(number)s", number=week)
    words = _words()
    if precision == DatePrecision.MONTH:
        return f"{words.standalone_months[local.month]} {local.year}"
    if precision == DatePrecision.DAY:
        return _day_text(words, local, other_year)
    return gettext("%(day)s at %(time)s", day=_day_text(words, local, other_year), time=_clock_text(words, local))


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
    day = _local(value) if isinstance(value, datetime) else value
    return f"{day.day} {_words().months[day.month]} {day.year}"


def format_day_label(day: date) -> str:
    """'Today', 'Yesterday' or 'Monday 23 November' (with the year if it is not this year)."""
    today = stockholm_now().date()
    if day == today:
        return gettext("Today")
    if (today - day).days == 1:
        return gettext("Yesterday")
    return _day_text(_words(), day, day.year != today.year)


def format_clock(value: datetime) -> str:
    """The time of day: '14.05' in Swedish, '14:05' in English."""
    return _clock_text(_words(), _local(value))


def localised(text: dict[str, str] | None) -> str:
    """Pick the active language from a {"sv": …, "en": …} text (form definitions), Swedish if missing; the result
    knows its language (`lang_attr`)."""
    if not text:
        return ""
    return pick(text, str(get_locale()))


def lang_attr(code: str = SWEDISH) -> Markup:
    """` lang="sv"` when text in this language is on a page in another language; nothing when it is the page's own.
    On a right-to-left page a left-to-right text also gets `dir="ltr"`, so that its full stops stay at its end."""
    if code == str(get_locale() or SWEDISH):
        return Markup("")
    try:
        direction = Locale.parse(code.split("-")[0]).text_direction
    except (UnknownLocaleError, ValueError, TypeError):
        direction = "ltr"
    if direction != text_direction():
        return Markup(' lang="%s" dir="%s"') % (code, direction)
    return Markup(' lang="%s"') % code


def text_lang(text: object) -> Markup:
    """`lang_attr` for a text: a LocalText's own language; any other text is stored text written by the care team,
    which is Swedish."""
    return lang_attr(getattr(text, "lang", SWEDISH))


def marked(text: object) -> Markup:
    """The `|marked` filter, for a text inside an element of the page's language: in a span that says its own language
    when that differs (the unit's Swedish name in an Arabic sentence, a Swedish-only form's question, a nurse's
    title); escaped, and without a span, otherwise."""
    mark = text_lang(text)
    return Markup("<span%s>%s</span>") % (mark, text) if mark else Markup.escape(text)


def item_lang(item: object) -> Markup:
    """`lang_attr` for a plan item's title and preparation: the language they were stored in (national content or
    the care team's Swedish); a preview's step knows its own; the patient's own items are left unmarked."""
    if getattr(item, "source", None) == "patient":
        return Markup("")
    title = getattr(item, "title", "")
    return lang_attr(getattr(title, "lang", None) or getattr(item, "text_language", SWEDISH))


def only_swedish(value: object) -> bool:
    """Whether a text is shown in Swedish because it has no version in the page's language."""
    lang = getattr(value, "lang", SWEDISH)
    return lang.startswith(SWEDISH) and str(get_locale() or SWEDISH) != SWEDISH


def format_iso_date(value: str | None) -> str:
    """A stored answer like '2027-03-14' as '14 mars 2027'."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return value or ""
    return format_short_date(day)


RENDER_CATALOG = "_render_catalog"  # the catalog of the language a template is drawn in, put in by a context processor


def _render_catalog() -> dict[str, Translations | NullTranslations]:
    return {RENDER_CATALOG: _catalog()[1]}


def _catalog_of(context: Context) -> Translations | NullTranslations:
    """The catalog found once per render_template (a page has a few hundred `_()`); a macro imported without the
    page's context looks it up itself."""
    found = context.get(RENDER_CATALOG)
    return found if found is not None else _catalog()[1]


@pass_context
def _jinja_gettext(context: Context, string: str) -> str:
    return _catalog_of(context).ugettext(string)


@pass_context
def _jinja_ngettext(context: Context, singular: str, plural: str, num: int) -> str:
    return _catalog_of(context).ungettext(singular, plural, num)


@pass_context
def _jinja_pgettext(context: Context, msgctxt: str, string: str) -> str:
    return _catalog_of(context).upgettext(msgctxt, string)


@pass_context
def _jinja_npgettext(context: Context, msgctxt: str, singular: str, plural: str, num: int) -> str:
    return _catalog_of(context).unpgettext(msgctxt, singular, plural, num)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.extensions[CATALOGS], app.extensions[NAMES] = {}, {}
    # Jinja's `_()` and `{% trans %}` (newstyle: it escapes and fills in the values itself), as Flask-Babel installs
    # them but with the catalog found once per language, and once per page drawn.
    app.jinja_env.install_gettext_callables(gettext=_jinja_gettext, ngettext=_jinja_ngettext, newstyle=True,
                                            pgettext=_jinja_pgettext, npgettext=_jinja_npgettext)
    app.context_processor(_render_catalog)
    app.jinja_env.globals.update(get_locale=get_locale, text_direction=text_direction, lang_attr=lang_attr,
                                 text_lang=text_lang, item_lang=item_lang, only_swedish=only_swedish)
    app.jinja_env.filters.update(when=format_when, days_away=format_days_away, short_date=format_short_date,
                                 day_label=format_day_label, clock=format_clock, t=localised,
                                 iso_date=format_iso_date, marked=marked)
