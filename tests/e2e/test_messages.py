"""Messages between the patient and the care team: phone and desktop at once, no JavaScript, earlier pages, reflow."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, Playwright, expect
from sqlmodel import Session, select

from portal import db
from portal.messages.services import post_message
from portal.models import User
from portal.plans.services import plans
from tests.e2e.conftest import (
    EVA,
    MARIA,
    assert_accessible,
    device_options,
    horizontal_overflow,
    screenshot,
    sign_in_with,
)

MESSAGES_URL = re.compile(r"/plan/messages$")
SENT_URL = re.compile(r"/plan/messages#message-\d+$")
START_URL = re.compile(r"/plan/$")
STAFF_THREAD_URL = re.compile(r"/staff/plans/\d+/messages$")
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

EMPTY_ERROR = "Skriv ditt meddelande innan du skickar det."
TOO_LONG_ERROR = re.compile(r"Meddelandet är för långt\. Det får ha högst 5\s000 tecken\.")
SENT_NOTICE = "Meddelandet är skickat."
NURSE_LABEL = "Eva Lund, kontaktsjuksköterska"
LINK = "https://example.org/stod?fraga=1&svar=2"
FIRST_LINE = f"Hej! Jag läste {LINK}."
SECOND_LINE = "<script>alert(1)</script> ska synas som text."


def _thread(page: Page) -> Locator:
    return page.locator("#thread-list > li.mv-msg")


def _send_button(page: Page) -> Locator:
    return page.locator("form#compose").get_by_role("button", name="Skicka")


def _poll_now(page: Page) -> None:
    """What the app does when a hidden tab is shown again: the thread and the unread badge ask at once."""
    page.evaluate("document.dispatchEvent(new CustomEvent('mv:visible'))")


def _sign_in_patient(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(START_URL)


def _open_messages_by_nav(page: Page) -> None:
    page.locator("#site-nav a[href='/plan/messages']").click()
    expect(page).to_have_url(MESSAGES_URL)
    expect(page.locator("main h1")).to_have_text("Meddelanden")


def _user_and_plan(session: Session, personal_id: str) -> tuple[User, int]:
    user = session.exec(select(User).where(User.personal_id == personal_id.replace("-", ""))).one()
    patient = plans.patient_for_user(session, user.id)
    assert patient is not None
    plan = plans.active_plan(session, patient.id)
    assert plan is not None
    assert plan.id is not None
    return user, plan.id


def _seed_messages(app: Flask, bodies: list[tuple[str, str, datetime]]) -> None:
    """Messages (author 'patient' or 'nurse', body, time) straight into Maria's thread, oldest first."""
    with Session(db.get_engine(app), expire_on_commit=False) as session:
        maria, plan_id = _user_and_plan(session, MARIA)
        eva = session.exec(select(User).where(User.email == EVA)).one()
        for number, (who, body, at) in enumerate(bodies):
            author, title = (maria, "") if who == "patient" else (eva, "Kontaktsjuksköterska")
            message, created = post_message(session, plan_id, author, title, body, f"seeded-message-{number:04d}")
            assert created
            message.created_at = at
            session.add(message)
            session.flush()
        session.commit()


def test_messages_patient_and_nurse_journey(make_context: Callable[..., BrowserContext], playwright: Playwright,
                                            demo: None) -> None:
    patient = make_context(**device_options(playwright, "iphone13")).new_page()
    nurse = make_context(**device_options(playwright, "desktop")).new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    patient.on("dialog", on_dialog)
    nurse.on("dialog", on_dialog)

    # The patient's empty thread, with the safety notice and the form.
    _sign_in_patient(patient)
    _open_messages_by_nav(patient)
    expect(patient.locator("#thread-empty")).to_have_text("Det finns inga meddelanden än.")
    expect(_thread(patient)).to_have_count(0)
    safety = patient.locator(".mv-safety")
    expect(safety.locator("h2")).to_have_text("Inte för akuta frågor")
    expect(safety.locator("a[href='tel:112']")).to_have_text("112")
    expect(safety.locator("a[href='tel:0101234520']")).to_have_text("010-123 45 20")
    expect(safety).to_contain_text("Vi svarar oftast inom 2 arbetsdagar.")
    expect(patient.get_by_label("Ditt meddelande")).to_be_visible()
    expect(patient.locator("[data-count-for=body]")).to_have_text(re.compile(r"^Du har 5\s000 tecken kvar\.$"))
    expect(patient.locator("#unread-badge")).to_be_hidden()
    assert_accessible(patient)

    # Sending nothing: the error, and the writer is put back in the box.
    body = patient.locator("textarea#body")
    _send_button(patient).click()
    expect(patient.locator("#body-error")).to_contain_text(EMPTY_ERROR)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_attribute("aria-describedby", re.compile(r"\bbody-error\b"))
    expect(body).to_be_focused()
    expect(_thread(patient)).to_have_count(0)
    assert_accessible(patient)

    # Two lines, a web address and a script tag: sent in place, shown as text, the address a safe link.
    typed = f"{FIRST_LINE}\n{SECOND_LINE}"
    body.fill(typed)
    left = 5000 - len(typed)
    counter = re.compile(rf"^Du har {left // 1000}\s{left % 1000:03d} tecken kvar\.$")
    expect(patient.locator("[data-count-for=body]")).to_have_text(counter)
    patient.evaluate("window.__marker = 'before-send'")
    _send_button(patient).click()

    own = _thread(patient)
    expect(own).to_have_count(1)
    expect(own).to_have_class(re.compile(r"\bmv-msg--own\b"))
    expect(own.locator(".mv-msg__author")).to_have_text("Du")
    text = own.locator(".mv-msg__body")
    expect(text).to_contain_text(SECOND_LINE)
    assert text.inner_text().splitlines() == [FIRST_LINE, SECOND_LINE]
    expect(patient.locator("#thread-list script")).to_have_count(0)
    link = text.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", LINK)
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(patient.locator("#live-region")).to_have_text(SENT_NOTICE)
    expect(body).to_have_value("")
    expect(body).to_be_focused()
    expect(patient.locator("#body-error")).to_have_count(0)
    expect(patient.locator("#thread-empty")).to_have_count(0)
    expect(patient.locator("#thread-list li.mv-thread__day")).to_have_count(1)
    expect(patient).to_have_url(MESSAGES_URL)
    assert patient.evaluate("window.__marker") == "before-send", "sending reloaded the page"
    assert_accessible(patient)
    screenshot(patient, "messages-iphone13")

    # The nurse finds the thread first in her inbox, opens it and replies.
    nurse.goto("/login")
    sign_in_with(nurse, EVA)
    expect(nurse).to_have_url(re.compile(r"/staff/$"))
    nurse.locator("#site-nav").get_by_role("link", name="Inkorg").click()
    expect(nurse).to_have_url(re.compile(r"/staff/inbox$"))
    row = nurse.locator("#inbox-list > tr").filter(has_text="Maria Ek")
    expect(row).to_have_count(1)
    expect(row.locator(".mv-tag--attention")).to_have_text("Inte hanterad")
    expect(nurse.locator("main")).not_to_contain_text(MARIA)
    assert_accessible(nurse)
    screenshot(nurse, "inbox-desktop")

    row.get_by_role("link", name="Maria Ek").click()
    expect(nurse).to_have_url(STAFF_THREAD_URL)
    expect(nurse.locator("main h1")).to_have_text("Meddelanden med Maria Ek")
    from_maria = _thread(nurse)
    expect(from_maria).to_have_count(1)
    expect(from_maria.locator(".mv-msg__author")).to_have_text("Maria Ek, patient")
    expect(from_maria.locator(".mv-msg__body")).to_contain_text(SECOND_LINE)
    expect(nurse.get_by_role("button", name="Markera som hanterad")).to_be_visible()
    expect(nurse.get_by_role("button", name="Markera som oläst")).to_be_visible()

    nurse.locator("textarea#body").fill("Hej Maria! Tack för länken, vi ringer dig i morgon förmiddag.")
    _send_button(nurse).click()
    expect(_thread(nurse)).to_have_count(2)
    expect(_thread(nurse).last.locator(".mv-msg__author")).to_have_text("Du")
    expect(nurse.locator("#live-region")).to_have_text(SENT_NOTICE)
    assert_accessible(nurse)
    screenshot(nurse, "thread-desktop")

    # The patient's open thread fetches the reply when it polls: no reload.
    _poll_now(patient)
    expect(_thread(patient)).to_have_count(2)
    reply = _thread(patient).last
    expect(reply).not_to_have_class(re.compile(r"\bmv-msg--own\b"))
    expect(reply.locator(".mv-msg__author")).to_have_text(NURSE_LABEL)
    expect(reply.locator(".mv-msg__body")).to_have_text("Hej Maria! Tack för länken, vi ringer dig i morgon förmiddag.")
    expect(patient.locator("#live-region")).to_have_text("1 nytt meddelande från Eva Lund.")
    expect(patient.locator("#unread-badge")).to_be_hidden()  # read where it appeared

    # Elsewhere in the portal the badge in the navigation counts a new reply, until Meddelanden is opened.
    patient.locator("#site-nav a[href='/plan/']").click()
    expect(patient).to_have_url(START_URL)
    expect(patient.locator("#unread-badge")).to_be_hidden()
    nurse.locator("textarea#body").fill("Och ta med dig läkemedelslistan.")
    _send_button(nurse).click()
    expect(_thread(nurse)).to_have_count(3)

    _poll_now(patient)
    badge = patient.locator("#site-nav #unread-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1 oläst")
    expect(badge).not_to_have_class(re.compile(r"\bmv-badge--none\b"))
    expect(patient.locator("#live-region")).to_have_text("Du har 1 oläst meddelande.")
    assert_accessible(patient)

    _open_messages_by_nav(patient)
    expect(_thread(patient)).to_have_count(3)
    expect(_thread(patient).last.locator(".mv-msg__body")).to_have_text("Och ta med dig läkemedelslistan.")
    expect(patient.locator("#unread-badge")).to_be_hidden()
    expect(patient.locator("#unread-badge")).to_have_class(re.compile(r"\bmv-badge--none\b"))
    assert patient.evaluate("window.__marker") == "before-send", "the patient's page was reloaded"
    assert_accessible(patient)
    screenshot(patient, "messages-replies-iphone13")
    assert dialogs == [], f"a dialog opened: {dialogs}"


def test_messages_unread_badge_poll_keeps_page_content(make_context: Callable[..., BrowserContext],
                                                       demo: None) -> None:
    page = make_context(**DESKTOP).new_page()
    page.clock.install()
    _sign_in_patient(page)
    heading = page.locator("main h1").inner_text()
    page.evaluate("document.getElementById('unread-badge').dataset.before = 'poll'")

    with page.expect_response(re.compile(r"/plan/messages/unread\?count=0$")):
        page.clock.run_for("00:21")  # the badge's 'every 20s'
    expect(page.locator("#unread-badge:not([data-before])")).to_have_count(1)  # the polled badge is in

    expect(page.locator("main#main-content h1")).to_have_text(heading)
    expect(page.locator("#unread-badge")).to_have_count(1)
    expect(page.locator("#site-nav #unread-badge:not([data-before])")).to_have_class(re.compile(r"\bmv-badge--none\b"))


def test_messages_send_without_javascript(make_context: Callable[..., BrowserContext], demo: None) -> None:
    page = make_context(java_script_enabled=False, **DESKTOP).new_page()
    _sign_in_patient(page)
    page.locator("#site-nav a[href='/plan/messages']").click()
    expect(page).to_have_url(MESSAGES_URL)
    body = page.locator("textarea#body")

    body.fill("Skickat utan JavaScript.\nRad två.")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        _send_button(page).click()
    assert sent.value.status == 303
    expect(page).to_have_url(SENT_URL)
    message_id = page.url.rsplit("#", 1)[1]
    message = page.locator(f"#thread-list > li.mv-msg#{message_id}")
    expect(message).to_have_class(re.compile(r"\bmv-msg--own\b"))
    expect(message.locator(".mv-msg__body")).to_contain_text("Skickat utan JavaScript.")
    expect(page.locator("#thread-empty")).to_have_count(0)
    expect(body).to_have_value("")

    with page.expect_response(lambda r: r.request.method == "POST") as empty:
        _send_button(page).click()
    assert empty.value.status == 422
    expect(page.locator("#body-error")).to_contain_text(EMPTY_ERROR)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(_thread(page)).to_have_count(1)

    too_long = "å" * 5001
    body.fill(too_long)
    with page.expect_response(lambda r: r.request.method == "POST") as long:
        _send_button(page).click()
    assert long.value.status == 422
    expect(page.locator("#body-error")).to_contain_text(TOO_LONG_ERROR)
    assert body.input_value() == too_long, "the text was not kept"
    expect(_thread(page)).to_have_count(1)  # axe needs JavaScript: the error state is checked in the journey


def test_messages_double_click_sends_once(make_context: Callable[..., BrowserContext], demo: None) -> None:
    page = make_context(**DESKTOP).new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/plan/messages" in r.url else None)
    _sign_in_patient(page)
    _open_messages_by_nav(page)

    page.locator("textarea#body").fill("Bara en gång, tack.")
    _send_button(page).dblclick()
    expect(page.locator("#live-region")).to_have_text(SENT_NOTICE)
    expect(page.locator("textarea#body")).to_have_value("")
    expect(_send_button(page)).to_be_enabled()
    expect(_thread(page).filter(has_text="Bara en gång, tack.")).to_have_count(1)

    page.locator("textarea#body").fill("Två klick i samma ögonblick.")
    page.evaluate("() => { const b = document.querySelector('#compose button'); b.click(); b.click(); }")
    expect(page.locator("textarea#body")).to_have_value("")
    expect(_send_button(page)).to_be_enabled()
    expect(_thread(page).filter(has_text="Två klick i samma ögonblick.")).to_have_count(1)

    page.reload()
    expect(_thread(page)).to_have_count(2)
    expect(_thread(page).filter(has_text="Bara en gång, tack.")).to_have_count(1)
    expect(_thread(page).filter(has_text="Två klick i samma ögonblick.")).to_have_count(1)
    assert len(posts) == 2, f"a double click sent more than once: {posts}"


def test_messages_earlier_messages(make_context: Callable[..., BrowserContext], app: Flask, demo: None) -> None:
    # 35 messages over three days, so the first page (30) starts in the middle of the oldest day.
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    days = [today - timedelta(days=3)] * 10 + [today - timedelta(days=2)] * 10 + [today - timedelta(days=1)] * 15
    _seed_messages(app, [("patient" if n % 2 else "nurse", f"Meddelande nummer {n + 1}.", day + timedelta(minutes=n))
                         for n, day in enumerate(days)])
    page = make_context(**DESKTOP).new_page()
    _sign_in_patient(page)
    _open_messages_by_nav(page)

    expect(_thread(page)).to_have_count(30)
    expect(_thread(page).first).to_contain_text("Meddelande nummer 6.")
    older = page.locator("#thread-older").get_by_role("link", name="Visa äldre meddelanden")
    expect(older).to_be_visible()
    older.click()

    expect(_thread(page)).to_have_count(35)
    expect(older).to_have_count(0)
    expect(_thread(page).first).to_contain_text("Meddelande nummer 1.")
    expect(page.locator("#live-region")).to_have_text("5 tidigare meddelanden visas.")
    focus_inside = "document.activeElement.closest('#thread-list, #thread-older') !== null"
    page.wait_for_function(focus_inside, timeout=5000)
    bodies = _thread(page).locator(".mv-msg__body").all_inner_texts()
    assert bodies == [f"Meddelande nummer {n}." for n in range(1, 36)]
    day_ids = page.locator("#thread-list > li.mv-thread__day").evaluate_all("els => els.map(e => e.id)")
    assert len(day_ids) == len(set(day_ids)) == 3, f"day headings: {day_ids}"
    assert page.locator("#thread-list > li").first.get_attribute("class") == "mv-thread__day"
    assert_accessible(page)


def test_messages_narrow_window_no_horizontal_scrolling(make_context: Callable[..., BrowserContext], app: Flask,
                                                        demo: None) -> None:
    word = "Strålbehandlings" * 12 + "planeringen"  # 203 letters, no place to break
    url = "https://example.org/" + "a" * 180
    now = datetime.now(UTC)
    _seed_messages(app, [("patient", word, now), ("nurse", f"Läs mer: {url}", now + timedelta(minutes=1))])
    page = make_context(viewport={"width": 320, "height": 640}).new_page()
    _sign_in_patient(page)
    _open_messages_by_nav(page)

    expect(_thread(page)).to_have_count(2)
    assert horizontal_overflow(page) == 0
    clipped = page.locator(".mv-msg__body").evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth).length")
    assert clipped == 0, "a message is cut off instead of wrapping"

    page.locator("textarea#body").fill(word)
    _send_button(page).click()
    expect(_thread(page)).to_have_count(3)
    assert horizontal_overflow(page) == 0
