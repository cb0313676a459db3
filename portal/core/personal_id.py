"""The numbers a person is known by in Swedish health care: personnummer, samordningsnummer and the regions'
reservnummer — parsed from what people type, checked, stored in 12 characters, told apart and masked.

Personal identity numbers (personnummer) and coordination numbers (samordningsnummer, the day plus 60) come from the
Tax Agency and carry a check digit (the Luhn rule). Reserve numbers (reservnummer) are given by a region to someone
who has neither, or is not yet identified. There is no national standard for them; each region has its own. We
accept the two shapes that the regions' formats fall into, and never apply the Luhn rule to them (some regions use
one, some do not, and a wrongly refused number would lock a patient out):

| shape (12 characters stored)  | typed as                         | who uses it                                    |
|-------------------------------|----------------------------------|------------------------------------------------|
| `99` + year given + 6 digits  | `992024123456`, `99202412-3456`  | Region Stockholm (and Gotland, same register): |
|                               |                                  | "99", the century and year it was given, then  |
|                               |                                  | 6 digits                                       |
| date of birth + 4 characters, | `19561110-K064`, `561110K064`,   | Västra Götaland (K, M or X 9th), Skåne (a date |
| at least one of them a letter | `20010101-R212`, `19121212-T123` | and 4 characters with a letter), Västerbotten  |
|                               |                                  | (R 9th), the T numbers of other regions        |

A date-based reserve number must hold a real date (YYYYMMDD, or YYMMDD with the century chosen as for personal
numbers); letters are A–Z, stored upper-case. A Stockholm number's year must lie between 1900 and this year.
Either shape may be written with spaces, a `-` before the last four characters, and lower-case letters.
What is stored is the 12 characters without separator: `Patient.personal_id`/`User.personal_id` hold all three
kinds, and `kind_of` tells them apart. Every kind is shown masked the same way: the first eight characters and
`-****`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.core.clock import stockholm_today

_PATTERN = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")
_DATED_RESERVE = re.compile(r"^(\d{2})?(\d{6})(-?)([A-Z0-9]{4})$")
_STOCKHOLM_RESERVE = re.compile(r"^99(\d{4})(\d{2})-?(\d{4})$")
COORDINATION_OFFSET = 60
STOCKHOLM_PREFIX = "99"
STORED_LENGTH = 12
FIRST_RESERVE_YEAR = 1900


class IdKind(StrEnum):
    """Which kind of number a person is known by."""

    PERSONAL = "personal"  # personnummer
    COORDINATION = "coordination"  # samordningsnummer
    RESERVE = "reserve"  # reservnummer, given by a region


class PersonalIdError(StrEnum):
    """Why a number was refused; the view turns each into a translated message."""

    FORMAT = "format"
    DATE = "date"
    CHECKSUM = "checksum"


class InvalidPersonalId(ValueError):
    def __init__(self, reason: PersonalIdError) -> None:
        super().__init__(reason.value)
        self.reason = reason


def kind_of(stored: str) -> IdKind:
    """The kind of a stored number (12 characters): a letter or a leading 99 makes it a reserve number."""
    if not stored.isdigit() or stored.startswith(STOCKHOLM_PREFIX):
        return IdKind.RESERVE
    return IdKind.COORDINATION if int(stored[6:8]) > COORDINATION_OFFSET else IdKind.PERSONAL


@dataclass(frozen=True)
class PersonalId:
    """A checked number as stored: 12 characters (YYYYMMDDNNNC; a reserve number may hold letters)."""

    digits: str

    @property
    def kind(self) -> IdKind:
        return kind_of(self.digits)

    @property
    def is_coordination_number(self) -> bool:
        return self.kind == IdKind.COORDINATION

    @property
    def is_reserve_number(self) -> bool:
        return self.kind == IdKind.RESERVE

    @property
    def birth_date(self) -> date | None:
        """The date of birth the number holds (None for a Stockholm reserve number, which holds none)."""
        if self.digits.startswith(STOCKHOLM_PREFIX) and self.is_reserve_number:
            return None
        day = int(self.digits[6:8])
        day = day - COORDINATION_OFFSET if self.is_coordination_number else day
        return date(int(self.digits[:4]), int(self.digits[4:6]), day)

    def formatted(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    def masked(self) -> str:
        return mask_personal_id(self.digits)


def mask_personal_id(digits: str) -> str:
    """The first eight characters shown (the birth date), the last four hidden: for lists seen over a shoulder."""
    return f"{digits[:8]}-****"


def luhn_valid(ten_digits: str) -> bool:
    """The check digit rule used by Skatteverket, over the 10-digit form."""
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return total % 10 == 0


def _century(yy: int, mmdd: str, plus: bool, today: date) -> int:
    """The century of a 10-digit number: under 100 years old, or 100 or more with '+'."""
    century = today.year // 100 * 100
    year = century + yy
    if f"{year:04d}{mmdd}" > today.strftime("%Y%m%d"):
        year -= 100
    if plus:
        year -= 100
    return year // 100 * 100


def _check_date(year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
    except ValueError:
        raise InvalidPersonalId(PersonalIdError.DATE) from None


def _full_date(cc: str | None, yymmdd: str, plus: bool, today: date) -> str:
    """YYYYMMDD from what was typed, the century chosen for a 6-digit date."""
    if cc is None:
        cc = f"{_century(int(yymmdd[:2]), yymmdd[2:], plus, today) // 100:02d}"
    return cc + yymmdd


def _parse_reserve(text: str, today: date) -> PersonalId | None:
    """A reserve number in either shape (see the table above), or None when the text has neither shape."""
    if match := _STOCKHOLM_RESERVE.match(text):
        if not FIRST_RESERVE_YEAR <= int(match.group(1)) <= today.year:
            raise InvalidPersonalId(PersonalIdError.FORMAT)
        return PersonalId(STOCKHOLM_PREFIX + "".join(match.groups()))
    match = _DATED_RESERVE.match(text)
    if not match or match.group(4).isdigit():
        return None
    cc, yymmdd, _separator, tail = match.groups()
    full = _full_date(cc, yymmdd, False, today)
    _check_date(int(full[:4]), int(full[4:6]), int(full[6:8]))
    return PersonalId(full + tail)


def parse_personal_id(raw: str, today: date | None = None) -> PersonalId:
    """Accept a personal, coordination or reserve number as people write them; check what each kind can be checked
    for (the date always; the check digit only for personal and coordination numbers)."""
    text = re.sub(r"\s+", "", raw or "").upper()
    today = today or stockholm_today()
    reserve = _parse_reserve(text, today)
    if reserve is not None:
        return reserve
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPersonalId(PersonalIdError.FORMAT)
    cc, yymmdd, separator, serial = match.groups()
    full = _full_date(cc, yymmdd, separator == "+", today)
    day = int(full[6:8])
    _check_date(int(full[:4]), int(full[4:6]), day - COORDINATION_OFFSET if day > COORDINATION_OFFSET else day)
    if not luhn_valid(yymmdd + serial):
        raise InvalidPersonalId(PersonalIdError.CHECKSUM)
    return PersonalId(full + serial)


def looks_like_email(raw: str) -> bool:
    return "@" in (raw or "")


def with_check_digit(nine_digits: str) -> str:
    """Append the check digit to YYMMDDNNN (for demo data and tests)."""
    for digit in "0123456789":
        if luhn_valid(nine_digits + digit):
            return nine_digits + digit
    raise AssertionError("unreachable: one digit always fits")
