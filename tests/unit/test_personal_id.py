"""Personal identity numbers: the formats people type, the date and the check digit."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.personal_id import (
    InvalidPersonalId,
    PersonalIdError,
    luhn_valid,
    parse_personal_id,
    with_check_digit,
)

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "typed",
    ["19121212-1212", "191212121212", "121212+1212", " 19121212 - 1212 ", "19121212+1212"],
)
def test_personal_id_accepts_the_usual_ways_of_writing(typed: str) -> None:
    assert parse_personal_id(typed, TODAY).digits == "191212121212"


def test_personal_id_ten_digits_picks_the_century_under_100_years() -> None:
    assert parse_personal_id("121212-1212", TODAY).digits == "201212121212"  # 14 years old, not 114
    assert parse_personal_id("1212121212", TODAY).digits == "201212121212"
    ten = with_check_digit("680412982")
    assert parse_personal_id(f"{ten[:6]}-{ten[6:]}", TODAY).digits == "19" + ten


def test_personal_id_plus_means_100_years_or_older() -> None:
    nine = "200101238"
    ten = with_check_digit(nine)
    assert parse_personal_id(f"{ten[:6]}-{ten[6:]}", TODAY).digits == "20" + ten
    assert parse_personal_id(f"{ten[:6]}+{ten[6:]}", TODAY).digits == "19" + ten


def test_personal_id_coordination_number_adds_60_to_the_day() -> None:
    ten = with_check_digit("701063238")  # 1970-10-03 as coordination number (day 63)
    parsed = parse_personal_id("19" + ten, TODAY)
    assert parsed.is_coordination_number
    assert parsed.birth_date == date(1970, 10, 3)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", PersonalIdError.FORMAT),
        ("123", PersonalIdError.FORMAT),
        ("19121212-121", PersonalIdError.FORMAT),
        ("1912121212123", PersonalIdError.FORMAT),
        ("abcdefgh-ijkl", PersonalIdError.FORMAT),
        ("19121212--1212", PersonalIdError.FORMAT),
        ("19121312-1212", PersonalIdError.DATE),  # month 13
        ("19120230-1212", PersonalIdError.DATE),  # 30 February
        ("19121292-1212", PersonalIdError.DATE),  # day 92 is not even a coordination day
        ("19121212-1213", PersonalIdError.CHECKSUM),
    ],
)
def test_personal_id_refuses_malformed_numbers_with_a_reason(typed: str, reason: PersonalIdError) -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        parse_personal_id(typed, TODAY)
    assert caught.value.reason == reason


def test_personal_id_luhn_rule() -> None:
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")


def test_personal_id_formatted_and_masked() -> None:
    parsed = parse_personal_id("191212121212", TODAY)
    assert parsed.formatted() == "19121212-1212"
    assert parsed.masked() == "19121212-****"
