"""Now and today in Sweden: the one home of the time zone that every date is reckoned and shown in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from portal.models.base import utcnow

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Dates people may type: far enough for any plan, near enough that week and month arithmetic never overflows.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
__all__ = ["EARLIEST_DAY", "LATEST_DAY", "STOCKHOLM", "in_stockholm", "local_date", "stockholm_now", "stockholm_today",
           "utcnow"]


def stockholm_now() -> datetime:
    """Now on a Swedish wall clock."""
    return datetime.now(STOCKHOLM)


def stockholm_today() -> date:
    """Today's date in Sweden (not the server's, not UTC's)."""
    return stockholm_now().date()


def as_utc(value: datetime) -> datetime:
    """A stored timestamp with its time zone (SQLite gives naive UTC back; PostgreSQL an aware one)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def in_stockholm(value: datetime) -> datetime:
    """A stored timestamp on a Swedish wall clock (SQLite gives naive UTC back)."""
    return as_utc(value).astimezone(STOCKHOLM)


def local_date(value: datetime) -> date:
    """The Swedish calendar day of a stored timestamp."""
    return in_stockholm(value).date()
