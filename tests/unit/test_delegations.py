"""The rules of relatives' access: invitations (hashed, single use, 7 days), scopes, end dates (at most 24 months),
revocation, and guardians whose access ends by itself on the child's 13th birthday. "Today" is always passed in."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import text
from sqlmodel import Session, select

from portal.core.clock import utcnow
from portal.models import Delegation, DelegationStatus, Notification, Patient, Relation, Role, Scope, User
from portal.notifications.mailer import compose_invitation
from portal.notifications.services import ACCOUNT_CODE, ACCOUNT_EXISTS, INVITATION, send_due
from portal.plans.services import acting
from portal.relatives import services as ds
from portal.relatives.services import InviteInput
from tests import factories
from tests.smtp import smtp_server

TODAY = date(2026, 3, 10)
BASE = "https://vardplan.example"
DIAGNOSIS_SUMMARY = "Du har en liten tumör som har opererats bort."


# --- helpers ---------------------------------------------------------------------------------------------------------

def _utc(value: datetime) -> datetime:
    """SQLite may give timestamps back without a time zone; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _input(**changes: object) -> InviteInput:
    data = InviteInput(name="Per Berg", email="Per.Berg@Example.se", relation=Relation.PARTNER,
                       scopes=(Scope.PLAN,), valid_until=ds.add_months(TODAY, 12).isoformat())
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def _account(session: Session, patient: Patient) -> User:
    return session.get(User, patient.user_id)


def _invite(session: Session, patient: Patient, today: date = TODAY, **changes: object) -> tuple[Delegation, str]:
    """An invitation, committed; returns it and the raw token from the link in the outbox."""
    delegation = ds.invite(session, patient, _account(session, patient), _input(**changes), today, BASE)
    session.commit()
    notification = session.exec(select(Notification).where(Notification.kind == INVITATION)
                                .order_by(Notification.id.desc())).first()
    return delegation, notification.payload.rsplit("#", 1)[1]


def _active(session: Session, patient: Patient, relative: User, valid_from: date = TODAY,
            valid_until: date | None = None, relation: str = Relation.PARTNER,
            status: str = DelegationStatus.ACTIVE, scopes: str = "plan") -> Delegation:
    delegation = Delegation(patient_id=patient.id, relative_user_id=relative.id, relation=relation, scopes=scopes,
                            valid_from=valid_from, valid_until=valid_until or ds.add_months(TODAY, 12),
                            status=status, invite_name=relative.name, invite_email=relative.email or "x@example.se")
    session.add(delegation)
    session.commit()
    return delegation


def _child(session: Session, birth: date, name: str = "Lisa Lund") -> Patient:
    child = factories.patient(session, name=name, pid=factories.personal_id(birth.strftime("%Y%m%d")))
    child.birth_date = birth
    session.add(child)
    session.commit()
    return child


def _compose_new_message(user: User) -> tuple[str, str]:
    return "New message", "You have a new message."


class Outbox:
    """A fake `send` that keeps what it was given, or fails with `error`."""

    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self.error = error

    def __call__(self, message: EmailMessage) -> None:
        if self.error:
            raise self.error
        self.sent.append(message)


@pytest.fixture
def anna(session: Session) -> Patient:
    return factories.patient(session, name="Anna Berg")


@pytest.fixture
def per(session: Session) -> User:
    relative = factories.user(session, role=Role.RELATIVE, email="per@example.se")
    relative.name = "Per Berg"
    session.add(relative)
    session.commit()
    return relative


# --- dates -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 15), 1, date(2026, 2, 15)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),  # the 31st of a month into a shorter month
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # ... into a leap February
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 3, date(2026, 11, 30)),
    (date(2025, 12, 31), 2, date(2026, 2, 28)),  # across the new year
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day into a common year
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),  # leap day into a leap year
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 3, 10), 24, date(2028, 3, 10)),
    (date(2026, 3, 10), 0, date(2026, 3, 10)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 10), -1, date(2025, 12, 10)),
])
def test_add_months(start: date, months: int, expected: date) -> None:
    assert ds.add_months(start, months) == expected


@pytest.mark.parametrize(("birth", "expected"), [
    (date(2013, 6, 15), date(2026, 6, 15)),
    (date(2012, 2, 29), date(2025, 3, 1)),  # born on a leap day: 13 on 1 March of a common year
    (date(2000, 2, 29), date(2013, 3, 1)),
    (date(2013, 2, 28), date(2026, 2, 28)),
    (date(2013, 12, 31), date(2026, 12, 31)),
    (date(2014, 1, 1), date(2027, 1, 1)),
])
def test_thirteenth_birthday(birth: date, expected: date) -> None:
    assert acting.thirteenth_birthday(birth) == expected


def test_hash_token_is_sha256_hex() -> None:
    assert ds.hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(ds.hash_token("abc")) == 64


# --- checking what the patient typed ---------------------------------------------------------------------------------

def test_a_complete_invitation_has_no_errors() -> None:
    assert ds.check_invite(_input(), TODAY) == {}


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"name": ""}, "name", "name_required"),
    ({"name": "x" * 201}, "name", "too_long"),
    ({"email": ""}, "email", "email"),
    ({"email": "per.example.se"}, "email", "email"),
    ({"email": "per@example"}, "email", "email"),
    ({"email": "per@@example.se"}, "email", "email"),
    ({"email": "per berg@example.se"}, "email", "email"),
    ({"email": "p@" + "x" * 250 + ".se"}, "email", "email"),
    ({"relation": ""}, "relation", "choose"),
    ({"relation": "cousin"}, "relation", "choose"),
    ({"relation": Relation.GUARDIAN}, "relation", "choose"),  # only the care unit registers guardians
    ({"scopes": ()}, "scopes", "scope_required"),
    ({"scopes": ("plan", "admin")}, "scopes", "unknown_scope"),
    ({"scopes": ("messages_send",)}, "scopes", "send_needs_read"),
    ({"valid_until": ""}, "valid_until", "not_a_date"),
    ({"valid_until": "14/3/2027"}, "valid_until", "not_a_date"),
    ({"valid_until": "2027-02-30"}, "valid_until", "not_a_date"),
    ({"valid_until": "2026-03-09"}, "valid_until", "in_the_past"),
    ({"valid_until": "2028-03-11"}, "valid_until", "too_far"),
])
def test_check_invite_names_each_problem(changes: dict[str, object], field: str, code: str) -> None:
    assert ds.check_invite(_input(**changes), TODAY) == {field: code}


def test_check_invite_reports_every_field_at_once() -> None:
    errors = ds.check_invite(InviteInput(name="", email="", relation="", scopes=(), valid_until=""), TODAY)
    assert errors == {"name": "name_required", "email": "email", "relation": "choose", "scopes": "scope_required",
                      "valid_until": "not_a_date"}


def test_name_of_exactly_200_characters_is_fine() -> None:
    assert ds.check_invite(_input(name="x" * 200), TODAY) == {}


@pytest.mark.parametrize("relation", ["partner", "child", "parent", "sibling", "friend", "other"])
def test_every_relation_a_patient_may_choose(relation: str) -> None:
    assert ds.check_invite(_input(relation=relation), TODAY) == {}


@pytest.mark.parametrize(("until", "expected"), [
    (TODAY - timedelta(days=1), {"valid_until": "in_the_past"}),
    (date(2020, 1, 1), {"valid_until": "in_the_past"}),
    (TODAY, {}),
    (TODAY + timedelta(days=1), {}),
    (date(2028, 3, 10), {}),  # exactly 24 months
    (date(2028, 3, 11), {"valid_until": "too_far"}),  # 24 months and a day
    (date(2030, 1, 1), {"valid_until": "too_far"}),
])
def test_check_until(until: date, expected: dict[str, str]) -> None:
    assert ds.check_until(until.isoformat(), TODAY) == expected


def test_check_until_exactly_24_months_from_a_leap_day() -> None:
    leap = date(2024, 2, 29)
    assert ds.check_until("2026-02-28", leap) == {}
    assert ds.check_until("2026-03-01", leap) == {"valid_until": "too_far"}


@pytest.mark.parametrize("written", ["", "tomorrow", "2026-13-01", "2026-3-1x", " "])
def test_check_until_refuses_what_is_not_a_date(written: str) -> None:
    assert ds.check_until(written, TODAY) == {"valid_until": "not_a_date"}


@pytest.mark.parametrize(("scopes", "expected"), [
    ((), {"scopes": "scope_required"}),
    ([], {"scopes": "scope_required"}),
    (("everything",), {"scopes": "unknown_scope"}),
    (("plan", ""), {"scopes": "unknown_scope"}),
    (("PLAN",), {"scopes": "unknown_scope"}),
    (("plan", "admin"), {"scopes": "unknown_scope"}),
    (("messages_send",), {"scopes": "send_needs_read"}),
    (("plan", "messages_send"), {"scopes": "send_needs_read"}),
    (("plan",), {}),
    (("messages_read",), {}),
    (("messages_read", "messages_send"), {}),
    (("forms",), {}),
    (("plan", "messages_read", "messages_send", "forms"), {}),
])
def test_check_scopes(scopes: tuple[str, ...], expected: dict[str, str]) -> None:
    assert ds.check_scopes(scopes) == expected


# --- inviting --------------------------------------------------------------------------------------------------------

def test_invite_stores_only_a_hash_of_the_token(session: Session, anna: Patient) -> None:
    delegation, token = _invite(session, anna)
    assert len(token) == 20  # 100 bits in Crockford's base 32
    assert set(token) <= set(ds.TOKEN_ALPHABET)
    assert delegation.invite_token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = session.connection().execute(text("SELECT * FROM delegation WHERE id = :id"),
                                       {"id": delegation.id}).mappings().one()
    assert all(token not in str(value) for value in row.values())


def test_invite_makes_a_pending_delegation(session: Session, anna: Patient) -> None:
    before = utcnow()
    delegation, _token = _invite(session, anna, scopes=("forms", "messages_read", "plan"))
    session.commit()
    session.expire_all()
    found = session.get(Delegation, delegation.id)
    assert found.status == DelegationStatus.INVITED
    assert found.patient_id == anna.id
    assert found.relative_user_id is None
    assert found.relation == Relation.PARTNER
    assert found.scopes == "plan messages_read forms"  # in the listed order
    assert found.scope_set == frozenset({"plan", "messages_read", "forms"})
    assert found.valid_from == TODAY
    assert found.valid_until == date(2027, 3, 10)
    assert found.invite_name == "Per Berg"
    assert found.invite_email == "per.berg@example.se"
    assert found.created_by_user_id == anna.user_id
    expires = _utc(found.invite_expires_at)
    assert before + timedelta(days=7) <= expires <= utcnow() + timedelta(days=7)


def test_invite_queues_an_invitation_with_the_link(session: Session, anna: Patient) -> None:
    _delegation, token = _invite(session, anna)
    notification = session.exec(select(Notification)).one()
    assert notification.kind == INVITATION
    assert notification.user_id is None
    assert notification.to_address == "per.berg@example.se"
    assert notification.payload == f"{BASE}/invite#{token}"
    link = urlsplit(notification.payload)
    assert (link.path, link.query) == ("/invite", "")  # the code is only in the fragment, never sent to a server
    assert notification.sent_at is None


def test_each_invitation_gets_its_own_token(session: Session, anna: Patient) -> None:
    first, first_token = _invite(session, anna)
    second, second_token = _invite(session, anna, email="eva@example.se")
    assert first_token != second_token
    assert first.invite_token_hash != second.invite_token_hash


def test_invite_leaves_the_commit_to_the_caller(session: Session, anna: Patient) -> None:
    ds.invite(session, anna, _account(session, anna), _input(), TODAY, BASE)
    session.rollback()
    assert session.exec(select(Delegation)).all() == []
    assert session.exec(select(Notification)).all() == []


def test_invite_base_url_with_a_trailing_slash(session: Session, anna: Patient) -> None:
    ds.invite(session, anna, _account(session, anna), _input(), TODAY, BASE + "/")
    session.commit()
    assert session.exec(select(Notification)).one().payload.startswith(f"{BASE}/invite#")


def test_invitation_email_says_nothing_about_the_patient(app: Flask, session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=1)
    _delegation, token = _invite(session, patient)
    link = f"{BASE}/invite#{token}"
    with app.test_request_context():
        subject, body = compose_invitation(link)
    assert link in body
    written = "-".join(token[start:start + 5] for start in range(0, 20, 5))
    assert f"{BASE}/invite and write this code: {written}" in body  # to type when the link cannot be opened
    assert ds.invitation_code(written) == token
    for secret in (patient.name, patient.name.split()[0], patient.personal_id, plan.template_key,
                   DIAGNOSIS_SUMMARY, "cancer", "Per Berg"):
        assert secret not in body
        assert secret not in subject


def test_send_due_sends_the_invitation_once_and_erases_the_link(app: Flask, session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=1)
    _delegation, token = _invite(session, patient)
    outbox = Outbox()
    with app.test_request_context():
        report = send_due(session, outbox, utcnow() + timedelta(seconds=1), compose=_compose_new_message,
                          compose_invitation=compose_invitation)
    assert report.sent == 1
    assert len(outbox.sent) == 1
    email = outbox.sent[0]
    assert email["To"] == "per.berg@example.se"
    whole = email.as_string()
    assert f"/invite#{token}" in email.get_content()
    for secret in (patient.name, patient.personal_id, DIAGNOSIS_SUMMARY, plan.template_key):
        assert secret not in whole
    session.commit()
    session.expire_all()
    notification = session.exec(select(Notification)).one()
    assert notification.payload == ""
    assert notification.sent_at is not None
    assert token not in notification.payload
    with app.test_request_context():
        again = send_due(session, outbox, utcnow() + timedelta(seconds=2), compose=_compose_new_message,
                         compose_invitation=compose_invitation)
    assert again.sent == 0
    assert len(outbox.sent) == 1


def test_a_failed_invitation_keeps_the_link_for_the_next_try(app: Flask, session: Session, anna: Patient) -> None:
    _delegation, token = _invite(session, anna)
    with app.test_request_context():
        report = send_due(session, Outbox(OSError("down")), utcnow() + timedelta(seconds=1),
                          compose=_compose_new_message, compose_invitation=compose_invitation)
    assert report.failed == 1
    session.commit()
    session.expire_all()
    notification = session.exec(select(Notification)).one()
    assert notification.payload.endswith(token)
    assert notification.sent_at is None
    assert notification.attempts == 1


def test_send_due_without_an_invitation_composer_leaves_invitations_alone(session: Session, anna: Patient) -> None:
    _invite(session, anna)
    outbox = Outbox()
    report = send_due(session, outbox, utcnow() + timedelta(seconds=1), compose=_compose_new_message)
    assert report.sent == 0
    assert outbox.sent == []
    assert session.exec(select(Notification)).one().payload != ""


# --- the invitation's code ------------------------------------------------------------------------------------------

def test_new_tokens_are_random_codes_in_base_32() -> None:
    tokens = {ds.new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) == 20 and set(token) <= set(ds.TOKEN_ALPHABET) for token in tokens)


@pytest.mark.parametrize(("typed", "expected"), [
    ("7K3MPQX2RT9HWZC4NBVD", "7K3MPQX2RT9HWZC4NBVD"),
    ("7k3mp-qx2rt-9hwzc-4nbvd", "7K3MPQX2RT9HWZC4NBVD"),  # small letters, in groups, as in the e-mail
    ("  7K3MP QX2RT\t9HWZC 4NBVD ", "7K3MPQX2RT9HWZC4NBVD"),
    ("https://vardplan.example/invite#7K3MPQX2RT9HWZC4NBVD", "7K3MPQX2RT9HWZC4NBVD"),  # the whole link pasted
    ("OOOOOIIIIILLLLL00000", "00000111111111100000"),  # letters misread for digits
    ("7K3MPQX2RT9HWZC4NBV", None),
    ("7K3MPQX2RT9HWZC4NBVDX", None),
    ("UUUUUUUUUUUUUUUUUUUU", None),
    ("7K3MPQX2RT9HWZC4NBV_", None),
    ("", None),
    ("#", None),
])
def test_invitation_code_reads_what_people_write(typed: str, expected: str | None) -> None:
    assert ds.invitation_code(typed) == expected


def test_find_invitation_by_the_code_as_written_in_the_email(session: Session, anna: Patient) -> None:
    delegation, token = _invite(session, anna)
    written = " " + "-".join(token[start:start + 5] for start in range(0, 20, 5)).lower() + " "
    assert ds.find_invitation(session, written).id == delegation.id


# --- a relative's own account, in two steps ---------------------------------------------------------------------------

SECRET = "a-secret-key-for-the-tests"


def _start(session: Session, delegation: Delegation, email: str = "per.new@example.se", now: datetime | None = None,
           name: str = "Per Berg") -> ds.PendingAccount | dict[str, str]:
    pending = ds.start_account(session, delegation, name, email, now or utcnow(), SECRET)
    session.commit()
    return pending


def _mailed(session: Session) -> Notification:
    return session.exec(select(Notification).where(Notification.kind == INVITATION)
                        .order_by(Notification.id.desc())).first()


NEW_PASSWORD = "ett långt lösenord"  # noqa: S105 - a test account's


def _secrets(code: str, password: str = NEW_PASSWORD, again: str | None = None) -> ds.AccountSecrets:
    return ds.AccountSecrets(code=code, password=password, password_again=password if again is None else again)


def _finish(session: Session, delegation: Delegation, pending: ds.PendingAccount, typed: ds.AccountSecrets,
            now: datetime | None = None) -> User | dict[str, str]:
    result = ds.finish_account(session, delegation, pending, typed, now or utcnow(), SECRET)
    session.commit()
    return result


def test_start_account_mails_a_code_and_keeps_only_its_keyed_hash(session: Session, anna: Patient) -> None:
    delegation, _token = _invite(session, anna)
    now = utcnow()
    pending = _start(session, delegation, "Per.New@Example.se", now)
    mail = _mailed(session)
    assert mail.to_address == "per.new@example.se"
    assert mail.user_id is None
    assert mail.payload.startswith(ACCOUNT_CODE)
    code = mail.payload.removeprefix(ACCOUNT_CODE)
    assert len(code) == 6
    assert code.isdigit()
    assert pending == ds.PendingAccount(delegation.id, "Per Berg", "per.new@example.se",
                                        ds.code_digest(SECRET, delegation.id, "per.new@example.se",
                                                       pending.sent_at, code), pending.sent_at)
    assert datetime.fromisoformat(pending.sent_at) == now
    assert code not in repr(pending)
    assert pending.digest != ds.code_digest("another-secret", delegation.id, pending.email, pending.sent_at, code)


def test_start_account_for_an_address_with_an_account_mails_no_code(session: Session, anna: Patient,
                                                                    per: User) -> None:
    delegation, _token = _invite(session, anna)
    free = _start(session, delegation, "olle@example.se")
    assert _mailed(session).payload.startswith(ACCOUNT_CODE)
    taken = _start(session, delegation, "PER@example.se")
    mail = _mailed(session)
    assert (mail.to_address, mail.payload) == ("per@example.se", ACCOUNT_EXISTS)
    # The same kind of answer, with the same fields: nothing in it tells the two apart.
    assert isinstance(free, ds.PendingAccount)
    assert isinstance(taken, ds.PendingAccount)
    assert [len(value) for value in (free.digest, free.sent_at)] == [len(value) for value in (taken.digest,
                                                                                               taken.sent_at)]


@pytest.mark.parametrize(("name", "email", "expected"), [
    ("", "per@example.se", {"name": "name"}),
    ("x" * 201, "per@example.se", {"name": "name"}),
    ("Per", "per-at-example", {"email": "email"}),
    ("", "", {"name": "name", "email": "email"}),
])
def test_start_account_checks_name_and_address(session: Session, anna: Patient, name: str, email: str,
                                               expected: dict[str, str]) -> None:
    delegation, _token = _invite(session, anna)
    assert _start(session, delegation, email, name=name) == expected
    assert session.exec(select(Notification)).all() == [_mailed(session)]  # only the invitation


def test_finish_account_with_the_right_code(session: Session, anna: Patient) -> None:
    delegation, token = _invite(session, anna)
    pending = _start(session, delegation)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    user = _finish(session, delegation, pending, _secrets(f" {code[:3]} {code[3:]} "))
    assert isinstance(user, User)
    assert (user.email, user.contact_email, user.name, user.role) == ("per.new@example.se", "per.new@example.se",
                                                                      "Per Berg", Role.RELATIVE)
    assert user.password_hash
    assert NEW_PASSWORD not in user.password_hash
    found = session.get(Delegation, delegation.id)
    assert (found.status, found.relative_user_id, found.invite_token_hash) == (DelegationStatus.ACTIVE, user.id, None)
    assert ds.find_invitation(session, token) is None


def test_finish_account_with_a_wrong_code_logs_it(session: Session, anna: Patient) -> None:
    delegation, _token = _invite(session, anna)
    pending = _start(session, delegation)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert _finish(session, delegation, pending, _secrets(wrong, password="kort")) == {
        "code": "wrong", "password": "password_short"}
    assert ds.wrong_codes(session, delegation.id, datetime.fromisoformat(pending.sent_at)) == 1
    assert session.get(Delegation, delegation.id).status == DelegationStatus.INVITED


def test_finish_account_after_five_wrong_codes_starts_again(session: Session, anna: Patient) -> None:
    delegation, _token = _invite(session, anna)
    pending = _start(session, delegation)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    answers = [_finish(session, delegation, pending, _secrets("000000" if code != "000000" else "111111"))
               for _try in range(ds.CODE_TRIES)]
    assert answers == [{"code": "wrong"}] * (ds.CODE_TRIES - 1) + [{"code": "restart"}]
    assert _finish(session, delegation, pending, _secrets(code)) == {"code": "restart"}  # even the right one
    fresh = _start(session, delegation)  # a new code is a new start
    new_code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    assert isinstance(_finish(session, delegation, fresh, _secrets(new_code)), User)


def test_finish_account_with_an_old_code(session: Session, anna: Patient) -> None:
    delegation, _token = _invite(session, anna)
    sent = utcnow()
    pending = _start(session, delegation, now=sent)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    late = sent + timedelta(minutes=ds.CODE_MINUTES, seconds=1)
    assert _finish(session, delegation, pending, _secrets(code), now=late) == {"code": "wrong"}
    in_time = sent + timedelta(minutes=ds.CODE_MINUTES)
    assert isinstance(_finish(session, delegation, pending, _secrets(code), now=in_time), User)


def test_finish_account_for_a_taken_address_even_with_its_code(session: Session, anna: Patient, per: User,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ds.secrets, "randbelow", lambda _n: 424242)
    delegation, _token = _invite(session, anna)
    pending = _start(session, delegation, "per@example.se")
    assert _finish(session, delegation, pending, _secrets("424242")) == {"code": "wrong"}
    assert session.exec(select(User).where(User.email == "per@example.se")).one().id == per.id


def test_finish_account_for_another_invitation_starts_again(session: Session, anna: Patient) -> None:
    first, _token = _invite(session, anna)
    second, _other = _invite(session, anna, email="eva@example.se")
    pending = _start(session, first)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    assert _finish(session, second, pending, _secrets(code)) == {"code": "restart"}


@pytest.mark.parametrize(("password", "again", "expected"), [
    ("kort", "kort", {"password": "password_short"}),
    ("x" * 201, "x" * 201, {"password": "password_long"}),
    ("ett långt lösenord", "ett annat lösenord", {"password_again": "password_match"}),
])
def test_finish_account_checks_the_password_without_using_up_the_code(session: Session, anna: Patient,
                                                                       password: str, again: str,
                                                                       expected: dict[str, str]) -> None:
    delegation, _token = _invite(session, anna)
    pending = _start(session, delegation)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    assert _finish(session, delegation, pending, _secrets(code, password, again)) == expected
    assert ds.wrong_codes(session, delegation.id, datetime.fromisoformat(pending.sent_at)) == 0
    assert isinstance(_finish(session, delegation, pending, _secrets(code)), User)


def test_pending_account_from_the_session() -> None:
    pending = ds.PendingAccount(1, "Per", "per@example.se", "ab", "2026-03-10T10:00:00+00:00")
    assert ds.PendingAccount.from_session(asdict(pending)) == pending
    assert ds.PendingAccount.from_session(None) is None
    assert ds.PendingAccount.from_session({"invitation": 1}) is None
    assert ds.PendingAccount.from_session("text") is None


def test_the_account_emails_say_nothing_about_the_patient(app: Flask, session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=1)
    with app.test_request_context():
        code_subject, code_body = compose_invitation(f"{ACCOUNT_CODE}123456")
        exists_subject, exists_body = compose_invitation(ACCOUNT_EXISTS)
    assert "123456" not in code_subject
    assert code_body.count("123456") == 2  # in Swedish and in English
    assert "15 minutes" in code_body
    assert "123456" not in exists_body
    assert "You already have an account with this address." in exists_body
    assert f"{app.config['PUBLIC_BASE_URL']}/login?next=/invite" in exists_body
    for secret in (patient.name, patient.personal_id, plan.template_key, DIAGNOSIS_SUMMARY, "cancer"):
        for text_ in (code_subject, code_body, exists_subject, exists_body):
            assert secret not in text_


def test_the_account_code_goes_out_by_smtp_and_leaves_the_outbox(app: Flask, session: Session, anna: Patient,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    delegation, _token = _invite(session, anna)
    with app.test_request_context():
        send_due(session, Outbox(), utcnow() + timedelta(seconds=1), compose=_compose_new_message,
                 compose_invitation=compose_invitation)  # the invitation itself, sent already
    _start(session, delegation)
    code = _mailed(session).payload.removeprefix(ACCOUNT_CODE)
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
        result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.output.strip() == "sent 1, failed 0, gave up 0"
    [received] = inbox.received
    assert received.recipients == ["per.new@example.se"]
    assert code in received.message.get_content()
    session.commit()
    session.expire_all()
    assert all(code not in n.payload for n in session.exec(select(Notification)).all())


# --- finding and accepting an invitation -----------------------------------------------------------------------------

def test_find_invitation_by_its_token(session: Session, anna: Patient) -> None:
    delegation, token = _invite(session, anna)
    assert ds.find_invitation(session, token).id == delegation.id


@pytest.mark.parametrize("token", ["", "x", "A" * 20, "A" * 22, "A" * 101, "U" * 20])
def test_find_invitation_with_a_forged_token(session: Session, anna: Patient, token: str) -> None:
    _invite(session, anna)
    assert ds.find_invitation(session, token) is None


def test_find_invitation_does_not_match_the_hash_itself(session: Session, anna: Patient) -> None:
    delegation, _token = _invite(session, anna)
    assert ds.find_invitation(session, delegation.invite_token_hash) is None


def test_an_invitation_can_be_accepted_by_a_relative(session: Session, anna: Patient, per: User) -> None:
    delegation, token = _invite(session, anna)
    found = ds.find_invitation(session, token)
    assert ds.invitation_problem(session, found, per, utcnow()) is None
    assert ds.invitation_problem(session, found, None, utcnow()) is None  # not signed in yet: may make an account


def test_a_patient_may_accept_someone_elses_invitation(session: Session, anna: Patient) -> None:
    other = factories.patient(session, name="Karl Holm")
    delegation, _token = _invite(session, anna)
    assert ds.invitation_problem(session, delegation, _account(session, other), utcnow()) is None


def test_forged_invitation(session: Session, per: User) -> None:
    assert ds.invitation_problem(session, None, per, utcnow()) == "unknown"
    assert ds.invitation_problem(session, None, None, utcnow()) == "unknown"


def test_accept_makes_it_active_and_the_token_single_use(session: Session, anna: Patient, per: User) -> None:
    delegation, token = _invite(session, anna)
    ds.accept(session, delegation, per)
    session.commit()
    session.expire_all()
    found = session.get(Delegation, delegation.id)
    assert found.status == DelegationStatus.ACTIVE
    assert found.relative_user_id == per.id
    assert found.accepted_at is not None
    assert found.invite_token_hash is None
    assert ds.find_invitation(session, token) is None  # reused: the link finds nothing
    assert ds.invitation_problem(session, ds.find_invitation(session, token), per, utcnow()) == "unknown"
    assert ds.invitation_problem(session, found, per, utcnow()) == "unknown"
    other = factories.user(session, role=Role.RELATIVE)
    assert ds.invitation_problem(session, found, other, utcnow()) == "unknown"


def test_invitation_expires_after_7_days(session: Session, anna: Patient, per: User) -> None:
    delegation, _token = _invite(session, anna)
    assert ds.invitation_problem(session, delegation, per, utcnow() + timedelta(days=6, hours=23)) is None
    assert ds.invitation_problem(session, delegation, per, utcnow() + timedelta(days=7, minutes=1)) == "expired"
    assert ds.invitation_problem(session, delegation, per, utcnow() + timedelta(days=8)) == "expired"
    assert ds.invitation_problem(session, delegation, None, utcnow() + timedelta(days=8)) == "expired"


def test_invitation_without_an_expiry_is_expired(session: Session, anna: Patient, per: User) -> None:
    delegation, _token = _invite(session, anna)
    delegation.invite_expires_at = None
    assert ds.invitation_problem(session, delegation, per, utcnow()) == "expired"


def test_accepting_ones_own_invitation_is_refused(session: Session, anna: Patient) -> None:
    delegation, _token = _invite(session, anna)
    assert ds.invitation_problem(session, delegation, _account(session, anna), utcnow()) == "own"


@pytest.mark.parametrize("role", [Role.STAFF, Role.EDITOR, Role.ADMIN])
def test_staff_accounts_cannot_accept(session: Session, anna: Patient, role: str) -> None:
    delegation, _token = _invite(session, anna)
    account = factories.user(session, role=role)
    assert ds.invitation_problem(session, delegation, account, utcnow()) == "wrong_account"


def test_someone_who_already_has_access_cannot_accept_again(session: Session, anna: Patient, per: User) -> None:
    first, _token = _invite(session, anna)
    ds.accept(session, first, per)
    session.commit()
    second, _token = _invite(session, anna, scopes=("plan", "forms"))
    during_first = datetime.combine(TODAY, time(12), tzinfo=UTC)  # the first access runs from TODAY for 12 months
    assert ds.invitation_problem(session, second, per, during_first) == "already"
    other = factories.patient(session, name="Karl Holm")
    third, _token = _invite(session, other)
    assert ds.invitation_problem(session, third, per, during_first) is None  # another person: fine


def test_a_revoked_invitation_cannot_be_accepted(session: Session, anna: Patient, per: User) -> None:
    delegation, token = _invite(session, anna)
    ds.revoke(session, delegation)
    session.commit()
    assert ds.find_invitation(session, token) is None
    assert ds.invitation_problem(session, delegation, per, utcnow()) == "unknown"


# --- whether a delegation may be used today --------------------------------------------------------------------------

def test_an_active_delegation_within_its_dates_may_be_used(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per, valid_until=TODAY + timedelta(days=30))
    assert acting.ended_reason(session, delegation, per.id, TODAY) is None


def test_ended_reason_revoked(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per)
    ds.revoke(session, delegation)
    session.commit()
    assert delegation.status == DelegationStatus.REVOKED
    assert delegation.revoked_at is not None
    assert acting.ended_reason(session, delegation, per.id, TODAY) == "revoked"


@pytest.mark.parametrize(("until", "expected"), [
    (TODAY - timedelta(days=1), "expired"),
    (TODAY - timedelta(days=400), "expired"),
    (TODAY, None),  # the last day still counts
    (TODAY + timedelta(days=1), None),
])
def test_ended_reason_by_end_date(session: Session, anna: Patient, per: User, until: date,
                                  expected: str | None) -> None:
    delegation = _active(session, anna, per, valid_from=TODAY - timedelta(days=500), valid_until=until)
    assert acting.ended_reason(session, delegation, per.id, TODAY) == expected


def test_ended_reason_status_expired(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per, status=DelegationStatus.EXPIRED)
    assert acting.ended_reason(session, delegation, per.id, TODAY) == "expired"


def test_ended_reason_not_yet(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per, valid_from=TODAY + timedelta(days=1))
    assert acting.ended_reason(session, delegation, per.id, TODAY) == "not_yet"
    assert acting.ended_reason(session, delegation, per.id, TODAY + timedelta(days=1)) is None


def test_ended_reason_for_someone_else_or_nothing(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per)
    other = factories.user(session, role=Role.RELATIVE)
    assert acting.ended_reason(session, delegation, other.id, TODAY) == "unknown"
    assert acting.ended_reason(session, None, per.id, TODAY) == "unknown"


def test_an_invitation_not_yet_accepted_cannot_be_used(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per, status=DelegationStatus.INVITED)
    assert acting.ended_reason(session, delegation, per.id, TODAY) == "unknown"


def test_a_guardians_access_ends_on_the_13th_birthday(session: Session, per: User) -> None:
    child = _child(session, date(2013, 6, 15))
    birthday = date(2026, 6, 15)
    delegation = _active(session, child, per, relation=Relation.GUARDIAN,
                         scopes="plan messages_read messages_send forms", valid_from=date(2025, 1, 1),
                         valid_until=birthday + timedelta(days=100))
    assert acting.ended_reason(session, delegation, per.id, birthday - timedelta(days=1)) is None
    assert acting.ended_reason(session, delegation, per.id, birthday) == "turned_13"
    assert acting.ended_reason(session, delegation, per.id, birthday + timedelta(days=1)) == "turned_13"


def test_a_guardian_of_a_leap_day_child(session: Session, per: User) -> None:
    child = _child(session, date(2012, 2, 29))
    delegation = _active(session, child, per, relation=Relation.GUARDIAN, valid_from=date(2024, 1, 1),
                         valid_until=date(2025, 12, 31))
    assert acting.ended_reason(session, delegation, per.id, date(2025, 2, 28)) is None
    assert acting.ended_reason(session, delegation, per.id, date(2025, 3, 1)) == "turned_13"


def test_the_birthday_rule_is_only_for_guardians(session: Session, per: User) -> None:
    child = _child(session, date(2013, 6, 15))
    delegation = _active(session, child, per, relation=Relation.PARENT, valid_from=date(2025, 1, 1),
                         valid_until=date(2026, 12, 31))
    assert acting.ended_reason(session, delegation, per.id, date(2026, 6, 15)) is None


def test_mark_ended_keeps_the_state_for_lists(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per, valid_from=date(2025, 1, 1), valid_until=TODAY - timedelta(days=1))
    acting.mark_ended(session, delegation, "expired")
    session.commit()
    session.expire_all()
    found = session.get(Delegation, delegation.id)
    assert found.status == DelegationStatus.EXPIRED
    assert found.changed_at is not None


def test_mark_ended_does_not_touch_a_revoked_delegation(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per, status=DelegationStatus.REVOKED)
    acting.mark_ended(session, delegation, "revoked")
    acting.mark_ended(session, delegation, "expired")
    session.commit()
    session.expire_all()
    assert session.get(Delegation, delegation.id).status == DelegationStatus.REVOKED


def test_usable_for_user_lists_only_the_people_one_may_act_for_now(session: Session, per: User) -> None:
    names = ["Cecilia", "Anna", "Bertil", "Doris", "Erik", "Fia", "Gustav"]
    people = {name: factories.patient(session, name=f"{name} Berg") for name in names}
    usable_anna = _active(session, people["Anna"], per)
    usable_cecilia = _active(session, people["Cecilia"], per, valid_until=TODAY)
    _active(session, people["Bertil"], per, status=DelegationStatus.REVOKED)
    _active(session, people["Doris"], per, valid_from=date(2025, 1, 1), valid_until=TODAY - timedelta(days=1))
    _active(session, people["Erik"], per, valid_from=TODAY + timedelta(days=2))
    _active(session, people["Fia"], per, status=DelegationStatus.INVITED)
    _active(session, people["Gustav"], factories.user(session, role=Role.RELATIVE))  # someone else's
    rows = acting.usable_for_user(session, per.id, TODAY)
    assert [(d.id, p.name) for d, p in rows] == [(usable_anna.id, "Anna Berg"), (usable_cecilia.id, "Cecilia Berg")]


def test_usable_for_user_excludes_a_guardian_of_a_child_who_turned_13(session: Session, per: User) -> None:
    child = _child(session, date(2013, 3, 10))
    _active(session, child, per, relation=Relation.GUARDIAN, valid_from=date(2025, 1, 1),
            valid_until=date(2026, 12, 31))
    assert len(acting.usable_for_user(session, per.id, TODAY - timedelta(days=1))) == 1
    assert acting.usable_for_user(session, per.id, TODAY) == []


# --- the patient changes their mind ----------------------------------------------------------------------------------

def test_change_scopes_and_end_date(session: Session, anna: Patient, per: User) -> None:
    delegation = _active(session, anna, per)
    ds.change(session, delegation, ["forms", "messages_send", "messages_read"], "2027-01-31")
    session.commit()
    session.expire_all()
    found = session.get(Delegation, delegation.id)
    assert found.scopes == "messages_read messages_send forms"
    assert found.valid_until == date(2027, 1, 31)
    assert found.changed_at is not None
    assert found.status == DelegationStatus.ACTIVE


def test_for_patient_lists_every_delegation_newest_first(session: Session, anna: Patient, per: User) -> None:
    accepted = _active(session, anna, per)
    pending, _token = _invite(session, anna, name="Eva Ek", email="eva@example.se")
    factories.patient(session, name="Karl Holm")
    rows = ds.for_patient(session, anna.id)
    assert [(d.id, name) for d, name in rows] == [(pending.id, None), (accepted.id, "Per Berg")]


# --- guardians -------------------------------------------------------------------------------------------------------

def test_invite_guardian_for_a_child_under_13(session: Session) -> None:
    child = _child(session, date(2016, 5, 20))
    staff = factories.user(session, role=Role.STAFF)
    result = ds.invite_guardian(session, child, staff, "Lena Lund", "Lena@Example.se", TODAY, BASE)
    assert isinstance(result, Delegation)
    session.commit()
    assert result.relation == Relation.GUARDIAN
    assert result.scope_set == frozenset(ds.ALL_SCOPES)
    assert result.valid_until == date(2029, 5, 19)  # the day before the 13th birthday
    assert result.status == DelegationStatus.INVITED
    assert result.invite_email == "lena@example.se"
    assert result.created_by_user_id == staff.id
    assert session.exec(select(Notification)).one().kind == INVITATION


def test_invite_guardian_the_day_before_the_13th_birthday(session: Session) -> None:
    child = _child(session, date(2013, 3, 11))
    result = ds.invite_guardian(session, child, factories.user(session, role=Role.STAFF), "Lena Lund",
                                "lena@example.se", TODAY, BASE)
    assert isinstance(result, Delegation)
    assert result.valid_until == TODAY


@pytest.mark.parametrize("birth", [date(2013, 3, 10), date(2013, 3, 9), date(1980, 1, 1)])
def test_invite_guardian_refused_for_a_patient_of_13_or_more(session: Session, birth: date) -> None:
    patient = _child(session, birth)
    result = ds.invite_guardian(session, patient, factories.user(session, role=Role.STAFF), "Lena Lund",
                                "lena@example.se", TODAY, BASE)
    assert result == {"form": "not_a_child"}
    session.commit()
    assert session.exec(select(Delegation)).all() == []
    assert session.exec(select(Notification)).all() == []


@pytest.mark.parametrize(("name", "email", "expected"), [
    ("", "lena@example.se", {"name": "name_required"}),
    ("x" * 201, "lena@example.se", {"name": "too_long"}),
    ("Lena Lund", "lena", {"email": "email"}),
    ("", "", {"name": "name_required", "email": "email"}),
])
def test_invite_guardian_checks_name_and_email(session: Session, name: str, email: str,
                                               expected: dict[str, str]) -> None:
    child = _child(session, date(2018, 1, 1))
    result = ds.invite_guardian(session, child, factories.user(session, role=Role.STAFF), name, email, TODAY, BASE)
    assert result == expected


def test_guardian_of_a_child_helper() -> None:
    assert acting.is_guardian_of_child(Delegation(patient_id=1, relation="guardian", scopes="", valid_from=TODAY,
                                              valid_until=TODAY, invite_name="", invite_email=""))
    assert not acting.is_guardian_of_child(Delegation(patient_id=1, relation="parent", scopes="", valid_from=TODAY,
                                                  valid_until=TODAY, invite_name="", invite_email=""))


def test_someone_whose_access_has_ended_may_accept_a_new_invitation(session: Session, anna: Patient,
                                                                    per: User) -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # TODAY, at noon
    ended = _active(session, anna, per, valid_from=date(2024, 1, 1), valid_until=TODAY - timedelta(days=1))
    assert acting.ended_reason(session, ended, per.id, TODAY) == "expired"
    assert acting.usable_for_user(session, per.id, TODAY) == []
    again, _token = _invite(session, anna)
    assert ds.invitation_problem(session, again, per, now) is None
