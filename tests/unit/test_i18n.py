"""Dates read naturally in Swedish and English, in Stockholm time; every catalog is complete."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale

from portal.core.clock import STOCKHOLM
from portal.web import i18n
from portal.web.i18n import format_days_away, format_when

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
SHIPPED = ("sv", "en", "ar", "fi")
MARCH_3 = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)  # 09.30 in Stockholm (winter time)


@pytest.mark.parametrize(
    ("locale", "precision", "expected"),
    [
        ("sv", "time", "tisdag 3 mars kl. 09.30"),
        ("en", "time", "Tuesday 3 March at 09:30"),
        ("sv", "day", "tisdag 3 mars"),
        ("sv", "week", "vecka 10"),
        ("en", "week", "week 10"),
        ("sv", "month", "mars 2026"),
    ],
)
def test_format_when_reads_naturally(app: Flask, monkeypatch: pytest.MonkeyPatch, locale: str, precision: str,
                                     expected: str) -> None:
    """In the same year the year is left out (but a month always has it)."""
    monkeypatch.setattr(i18n, "stockholm_now", lambda: datetime(2026, 1, 15, 10, 0, tzinfo=STOCKHOLM))
    with app.test_request_context(), force_locale(locale):
        assert format_when(MARCH_3, precision) == expected


@pytest.mark.parametrize(
    ("locale", "precision", "expected"),
    [
        ("sv", "time", "tisdag 3 mars 2026 kl. 09.30"),
        ("en", "day", "Tuesday 3 March 2026"),
        ("sv", "week", "vecka 10, 2026"),
    ],
)
def test_format_when_names_another_year(app: Flask, monkeypatch: pytest.MonkeyPatch, locale: str, precision: str,
                                        expected: str) -> None:
    """Seen on New Year's Day 2027 in Stockholm (still 31 December in UTC), a date in 2026 carries its year."""
    monkeypatch.setattr(i18n, "stockholm_now", lambda: datetime(2027, 1, 1, 0, 30, tzinfo=STOCKHOLM))
    with app.test_request_context(), force_locale(locale):
        assert format_when(MARCH_3, precision) == expected


def test_format_when_uses_stockholm_summer_time(app: Flask) -> None:
    with app.test_request_context(), force_locale("sv"):
        assert format_when(datetime(2031, 6, 3, 7, 30, tzinfo=UTC)) == "tisdag 3 juni 2031 kl. 09.30"


def test_format_when_without_a_date(app: Flask) -> None:
    with app.test_request_context(), force_locale("sv"):
        assert format_when(None) == "Datum är inte bestämt än"


def test_format_days_away(app: Flask) -> None:
    now = datetime.now(UTC)
    with app.test_request_context(), force_locale("sv"):
        assert format_days_away(now) == "I dag"
        assert format_days_away(now + timedelta(days=1)) == "I morgon"
        assert format_days_away(now + timedelta(days=5)) == "Om 5 dagar"
        assert format_days_away(now - timedelta(days=2)) == ""


@pytest.mark.parametrize("locale", SHIPPED)
def test_catalog_compiles_and_is_complete(locale: str) -> None:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    problems = [(m.id, errs) for m, errs in catalog.check()]
    assert problems == []
    untranslated = [m.id for m in catalog if m.id and (not m.string or not all(m.string) or m.fuzzy)]
    assert untranslated == []
    write_mo(BytesIO(), catalog)


def test_catalog_has_every_message_of_the_template() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    for locale in SHIPPED:
        with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            assert template <= {m.id for m in read_po(handle) if m.id}, locale


def test_catalog_template_matches_the_source(tmp_path: Path) -> None:
    """Every translatable string in the code is in messages.pot (run `make translations-update`)."""
    fresh = tmp_path / "fresh.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(  # noqa: S603
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(fresh), "."],
        cwd=TRANSLATIONS.parent, check=True, capture_output=True)
    with fresh.open("rb") as a, (TRANSLATIONS / "messages.pot").open("rb") as b:
        assert {m.id for m in read_po(a) if m.id} == {m.id for m in read_po(b) if m.id}



@pytest.mark.parametrize("locale", SHIPPED)
def test_dates_read_as_babel_writes_them(app: Flask, monkeypatch: pytest.MonkeyPatch, locale: str) -> None:
    """The day and month names filled in directly (web/i18n.py) give Babel's own text, over 13 months of dates."""
    from flask_babel import format_date, format_datetime

    monkeypatch.setattr(i18n, "stockholm_now", lambda: datetime(2026, 6, 1, 12, 0, tzinfo=STOCKHOLM))
    clock = i18n.TIME_PATTERNS.get(locale, i18n.DEFAULT_TIME_PATTERN)
    with app.test_request_context(), force_locale(locale):
        for hours in range(0, 24 * 400, 29):  # every weekday, month and hour, across both changes of summer time
            value = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
            naive = value.replace(tzinfo=None)  # SQLite gives naive UTC back
            day = "EEEE d MMMM" if value.astimezone(STOCKHOLM).year == 2026 else "EEEE d MMMM y"
            assert i18n.format_short_date(value) == format_datetime(value, "d MMMM y")
            assert i18n.format_short_date(value.date()) == format_date(value.date(), "d MMMM y")
            assert i18n.format_clock(value) == format_datetime(value, clock)
            assert format_when(naive, "month") == format_datetime(naive, "LLLL y")
            assert format_when(naive, "day") == format_datetime(naive, day)
            at = {"sv": "kl.", "en": "at", "ar": "الساعة", "fi": "klo"}[locale]
            assert format_when(value) == f"{format_datetime(value, day)} {at} {format_datetime(value, clock)}"
