"""Message rules: clean text, one message per client token, keyset pages, read and handled state."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal.core.drafts import save_draft, take_draft
from portal.messages import services as msgs
from portal.models import Message, User
from tests import factories

TOKEN = "t" * 20


def _post(session: Session, plan_id: int, author: User, body: str, token: str | None = None) -> Message:
    message, _created = msgs.post_message(session, plan_id, author, "", body, token or factories.client_token())
    session.commit()
    return message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Hej!  ", "Hej!"),
        ("rad 1\r\nrad 2\rrad 3", "rad 1\nrad 2\nrad 3"),
        ("a\x00b\x07c\u200bd", "abcd"),
        ("\t\n  \n", ""),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
)
def test_clean_body_keeps_line_breaks_and_drops_control_characters(raw: str, clean: str) -> None:
    assert msgs.clean_body(raw) == clean


def test_check_body_limits() -> None:
    assert msgs.check_body("") == msgs.BodyError.EMPTY
    assert msgs.check_body("x" * 5000) is None
    assert msgs.check_body("x" * 5001) == msgs.BodyError.TOO_LONG


def test_post_message_is_idempotent_per_author_and_token(session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=0)
    author = session.get(User, patient.user_id)
    first, created = msgs.post_message(session, plan.id, author, "", "Hej", TOKEN)
    session.commit()
    again, created_again = msgs.post_message(session, plan.id, author, "", "Hej igen", TOKEN)
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert len(session.exec(select(Message)).all()) == 1


def test_post_message_snapshots_author_name_and_title(session: Session) -> None:
    _patient, plan, nurse = factories.patient_with_plan(session, items=0)
    author = session.get(User, nurse.user_id)
    message, _ = msgs.post_message(session, plan.id, author, "Kontaktsjuksköterska", "Svar", TOKEN)
    assert (message.author_name, message.author_title, message.author_role) == (
        "Eva Lund", "Kontaktsjuksköterska", "staff")


def test_page_before_walks_back_by_keyset(session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=0)
    author = session.get(User, patient.user_id)
    ids = [_post(session, plan.id, author, f"m{n}").id for n in range(7)]
    latest = msgs.page_before(session, plan.id, size=3)
    assert [m.id for m in latest.messages] == ids[4:]
    assert latest.has_older
    middle = msgs.page_before(session, plan.id, latest.oldest_id, size=3)
    assert [m.id for m in middle.messages] == ids[1:4]
    last = msgs.page_before(session, plan.id, middle.oldest_id, size=3)
    assert ([m.id for m in last.messages], last.has_older) == ([ids[0]], False)
    assert msgs.page_before(session, plan.id, ids[0], size=3).messages == []


def test_page_before_exactly_one_page_has_no_older(session: Session) -> None:
    patient, plan, _nurse = factories.patient_with_plan(session, items=0)
    author = session.get(User, patient.user_id)
    for n in range(3):
        _post(session, plan.id, author, f"m{n}")
    assert not msgs.page_before(session, plan.id, size=3).has_older
    assert msgs.page_before(session, plan.id).newest_id == msgs.messages_after(session, plan.id, 0)[-1].id


def test_threads_do_not_mix(session: Session) -> None:
    one, plan_one, _ = factories.patient_with_plan(session, items=0)
    two, plan_two, _ = factories.patient_with_plan(session, items=0)
    _post(session, plan_one.id, session.get(User, one.user_id), "ett")
    _post(session, plan_two.id, session.get(User, two.user_id), "två")
    assert [m.body for m in msgs.page_before(session, plan_one.id).messages] == ["ett"]
    assert [m.body for m in msgs.messages_after(session, plan_two.id, 0)] == ["två"]


def test_unread_counts_only_others_messages_after_the_mark(session: Session) -> None:
    patient, plan, nurse = factories.patient_with_plan(session, items=0)
    me, them = session.get(User, patient.user_id), session.get(User, nurse.user_id)
    _post(session, plan.id, me, "från mig")
    reply = _post(session, plan.id, them, "svar 1")
    _post(session, plan.id, them, "svar 2")
    assert msgs.unread_count(session, me.id, [plan.id]) == 2
    msgs.mark_read(session, plan.id, me.id, reply.id)
    session.commit()
    assert msgs.unread_count(session, me.id, [plan.id]) == 1
    msgs.mark_read(session, plan.id, me.id, 1)  # never moves back
    session.commit()
    assert msgs.unread_count(session, me.id, [plan.id]) == 1
    assert msgs.unread_count(session, me.id, []) == 0


def test_inbox_lists_unhandled_threads_first_and_only_for_the_units(session: Session) -> None:
    quiet, quiet_plan, nurse = factories.patient_with_plan(session, items=0)
    where = nurse.unit_id
    loud = factories.patient(session, name="Lars Nyström")
    loud_plan = factories.plan(session, loud, session.get(factories.CareUnit, where), nurse)
    nurse_user = session.get(User, nurse.user_id)
    _post(session, quiet_plan.id, session.get(User, quiet.user_id), "fråga")
    _post(session, quiet_plan.id, nurse_user, "svar")  # answered, then handled below
    msgs.mark_handled(session, quiet_plan.id, nurse_user)
    session.commit()
    _post(session, loud_plan.id, session.get(User, loud.user_id), "ny fråga")
    rows = msgs.inbox(session, nurse_user.id, [where]).rows
    assert [(r.patient.name, r.unhandled) for r in rows] == [("Lars Nyström", True), ("Maria Ek", False)]
    assert msgs.inbox(session, nurse_user.id, [where + 999]).rows == []
    msgs.mark_unhandled(session, quiet_plan.id, nurse_user)
    session.commit()
    rows = msgs.inbox(session, nurse_user.id, [where]).rows
    assert {r.patient.name: (r.unhandled, r.unread) for r in rows}["Maria Ek"] == (True, True)


def test_drafts_come_back_once_for_their_page(session: Session) -> None:
    patient = factories.patient(session)
    save_draft(session, patient.user_id, "Min text", "/plan/messages")
    assert take_draft(session, patient.user_id, "/plan/other") == ""
    assert take_draft(session, patient.user_id, "/plan/messages") == "Min text"
    assert take_draft(session, patient.user_id, "/plan/messages") == ""
