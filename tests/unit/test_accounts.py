"""Signing in: the right details let you in, anything else does not, and never says which part was wrong."""

from __future__ import annotations

from sqlmodel import Session

from portal.accounts.services import authenticate, end_all_sessions, hash_password, load_user, verify_password
from portal.core.personal_id import parse_personal_id
from tests import factories


def test_authenticate_with_personal_id_and_with_email(session: Session) -> None:
    patient = factories.patient(session)
    nurse = factories.user(session, role="staff", email="nurse@example.se")
    assert authenticate(session, parse_personal_id(patient.personal_id), factories.PASSWORD).id == patient.user_id
    assert authenticate(session, "Nurse@Example.se", factories.PASSWORD).id == nurse.id


def test_authenticate_refuses_wrong_password_unknown_account_and_inactive(session: Session) -> None:
    patient = factories.patient(session)
    pid = parse_personal_id(patient.personal_id)
    assert authenticate(session, pid, "wrong") is None
    assert authenticate(session, "nobody@example.se", factories.PASSWORD) is None
    account = factories.user(session, email="gone@example.se")
    account.is_active = False
    session.add(account)
    session.commit()
    assert authenticate(session, "gone@example.se", factories.PASSWORD) is None


def test_authenticate_records_the_sign_in_time(session: Session) -> None:
    account = factories.user(session, email="a@example.se")
    assert account.last_login_at is None
    assert authenticate(session, "a@example.se", factories.PASSWORD).last_login_at is not None


def test_password_hash_is_argon2_and_survives_very_long_input() -> None:
    hashed = hash_password("x" * 10_000)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "x" * 10_000)
    assert not verify_password(hashed, "x" * 9_999)
    assert not verify_password("not a hash", "x")


def test_outside_the_tests_passwords_are_hashed_with_argon2s_recommended_cost() -> None:
    from argon2 import profiles

    from portal.accounts.services import password_hasher

    for env in ("production", "development"):
        hasher = password_hasher(env)
        assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
            profiles.RFC_9106_LOW_MEMORY.time_cost, profiles.RFC_9106_LOW_MEMORY.memory_cost,
            profiles.RFC_9106_LOW_MEMORY.parallelism)
        assert hasher.check_needs_rehash(password_hasher("test").hash("x"))  # a cheap hash is replaced at sign-in


def test_ending_all_sessions_invalidates_earlier_session_ids(session: Session) -> None:
    account = factories.user(session)
    old = account.get_id()
    assert load_user(session, old).id == account.id
    end_all_sessions(session, account)
    assert load_user(session, old) is None
    assert load_user(session, account.get_id()).id == account.id
    assert load_user(session, "garbage") is None
    assert load_user(session, f"{account.id}:") is None
