"""Second-factor rules without a browser: which TOTP steps count, the shape of recovery and activation codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from portal.accounts.second_factor import activation
from portal.accounts.second_factor.services import (
    PERIOD,
    RECOVERY_ALPHABET,
    grouped,
    looks_like_recovery_code,
    matching_step,
)

NOW = datetime(2026, 12, 1, 20, 0, 10, tzinfo=UTC)
SECRET = pyotp.random_base32()


@pytest.mark.parametrize(("offset", "found"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_totp_accepts_one_step_of_drift_either_way(offset: int, found: bool) -> None:
    step = int(NOW.timestamp()) // PERIOD + offset
    code = pyotp.TOTP(SECRET).at(step * PERIOD)
    assert (matching_step(SECRET, code, NOW) == step) is found


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_totp_refuses_what_is_not_six_digits(typed: str) -> None:
    assert matching_step(SECRET, typed, NOW) is None


def test_totp_accepts_a_code_typed_with_spaces() -> None:
    code = pyotp.TOTP(SECRET).at(NOW)
    assert matching_step(SECRET, f"{code[:3]} {code[3:]}", NOW) is not None


def test_recovery_codes_are_told_apart_from_app_codes() -> None:
    assert looks_like_recovery_code("abcd-efgh-jkmn-pqrs")
    assert looks_like_recovery_code("ABCD EFGH JKMN PQRS")
    assert not looks_like_recovery_code("123456")
    assert not set("0o1li") & set(RECOVERY_ALPHABET)


def test_the_secret_is_shown_in_groups_of_four() -> None:
    assert grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_activation_codes_avoid_look_alikes_and_passwords_are_checked() -> None:
    assert not set("O0I1") & set(activation.CODE_ALPHABET)
    assert activation.check_password("kort", "kort") == {"password": "password_short"}
    assert activation.check_password("ett långt lösenord", "ett annat lösenord") == {"password_again": "password_match"}
    assert activation.check_password("ett långt lösenord", "ett långt lösenord") == {}
