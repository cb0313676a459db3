"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.core.clock import stockholm_today

_PATTERN = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")
COORDINATION_OFFSET = 60


class PersonalIdError(StrEnum):
    """Why a number was refused; the view turns each into a translated message."""

    FORMAT = "format"
    DATE = "date"
    CHECKSUM = "checksum"


class InvalidPersonalId(ValueError):
    def __init__(self, reason: PersonalIdError) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class PersonalId:
    """A checked number, kept as 12 digits (YYYYMMDDNNNC)."""

    digits: str

    @property
    def is_coordination_number(self) -> bool:
        return int(self.digits[6:8]) > COORDINATION_OFFSET

    @property
    def birth_date(self) -> date:
        day = int(self.digits[6:8]) % COORDINATION_OFFSET if self.is_coordination_number else int(self.digits[6:8])
        return date(int(self.digits[:4]), int(self.digits[4:6]), day)

    def formatted(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    def masked(self) -> str:
        return mask_personal_id(self.digits)


def mask_personal_id(digits: str) -> str:
    """Birth date shown, the last four digits hidden: for lists seen over a shoulder."""
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
    if day > COORDINATION_OFFSET:
        day -= COORDINATION_OFFSET
    try:
        date(year, month, day)
    except ValueError:
        raise InvalidPersonalId(PersonalIdError.DATE) from None


def parse_personal_id(raw: str, today: date | None = None) -> PersonalId:
    """Accept 12 or 10 digits with or without '-'/'+', check the date and the check digit."""
    text = re.sub(r"\s+", "", raw or "")
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPersonalId(PersonalIdError.FORMAT)
    cc, yymmdd, separator, serial = match.groups()
    if cc is None:
        cc_value = _century(int(yymmdd[:2]), yymmdd[2:], separator == "+", today or stockholm_today())
        cc = f"{cc_value // 100:02d}"
    _check_date(int(cc + yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    if not luhn_valid(yymmdd + serial):
        raise InvalidPersonalId(PersonalIdError.CHECKSUM)
    return PersonalId(cc + yymmdd + serial)


def looks_like_email(raw: str) -> bool:
    return "@" in (raw or "")


def with_check_digit(nine_digits: str) -> str:
    """Append the check digit to YYMMDDNNN (for demo data and tests)."""
    for digit in "0123456789":
        if luhn_valid(nine_digits + digit):
            return nine_digits + digit
    raise AssertionError("unreachable: one digit always fits")
