"""Personal identity numbers: the formats people type, the date and the check digit."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.personal_id import (
    IdKind,
    InvalidPersonalId,
    PersonalIdError,
    kind_of,
    luhn_valid,
    mask_personal_id,
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


# --- reserve numbers (reservnummer) -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("992024123456", "992024123456"),  # Region Stockholm: 99, the year given, six digits
        ("99202412-3456", "992024123456"),
        (" 9920 2412 3456 ", "992024123456"),
        ("19561110-K064", "19561110K064"),  # Västra Götaland: K, M or X in the 9th place
        ("561110-k064", "19561110K064"),  # lower case, 10 characters: the century as for personal numbers
        ("19561110M065", "19561110M065"),
        ("20010101-R212", "20010101R212"),  # Västerbotten: R in the 9th place
        ("19800101-12AB", "1980010112AB"),  # Skåne: a date, then four characters with at least one letter
        ("19121212-T123", "19121212T123"),
    ],
)
def test_reserve_number_accepted_and_stored_in_12_characters(typed: str, stored: str) -> None:
    parsed = parse_personal_id(typed, TODAY)
    assert parsed.digits == stored
    assert len(parsed.digits) == 12
    assert parsed.kind == IdKind.RESERVE
    assert kind_of(parsed.digits) == IdKind.RESERVE


def test_reserve_number_is_never_checked_by_the_luhn_rule() -> None:
    # The same number with any last digit is accepted: regions differ in whether (and how) they check theirs.
    for last in "0123456789":
        assert parse_personal_id(f"19561110-K06{last}", TODAY).is_reserve_number
        assert parse_personal_id(f"9920241234 5{last}", TODAY).is_reserve_number


def test_reserve_number_holds_a_birth_date_when_it_has_one() -> None:
    assert parse_personal_id("19561110-K064", TODAY).birth_date == date(1956, 11, 10)
    assert parse_personal_id("992024123456", TODAY).birth_date is None  # Stockholm's holds the year it was given


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("19561310-K064", PersonalIdError.DATE),  # month 13
        ("19560230-K064", PersonalIdError.DATE),  # 30 February
        ("19561170-K064", PersonalIdError.DATE),  # a reserve number has no coordination day
        ("991899123456", PersonalIdError.FORMAT),  # Stockholm: a year before 1900
        ("992099123456", PersonalIdError.FORMAT),  # Stockholm: a year still to come
        ("19561110-KÅ64", PersonalIdError.FORMAT),  # letters are A–Z
        ("19561110-K06", PersonalIdError.FORMAT),
        ("19561110+K064", PersonalIdError.FORMAT),
        ("99202412345", PersonalIdError.FORMAT),  # 11 digits
    ],
)
def test_reserve_number_refused_with_a_reason(typed: str, reason: PersonalIdError) -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        parse_personal_id(typed, TODAY)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        ("191212121212", IdKind.PERSONAL),
        ("19701063" + with_check_digit("701063238")[6:], IdKind.COORDINATION),
        ("992024123456", IdKind.RESERVE),
        ("19561110K064", IdKind.RESERVE),
    ],
)
def test_kind_of_tells_the_three_kinds_apart(stored: str, kind: IdKind) -> None:
    assert kind_of(stored) == kind


def test_reserve_number_formatted_and_masked_like_personal_numbers() -> None:
    parsed = parse_personal_id("19561110k064", TODAY)
    assert parsed.formatted() == "19561110-K064"
    assert parsed.masked() == "19561110-****"
    assert mask_personal_id("992024123456") == "99202412-****"
