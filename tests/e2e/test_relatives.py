"""A relative in the browser, next to the patient: invited with 'see the plan' only, given messages later without
signing in again, then cut off at the very next click; the patient reads who looked. axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import BrowserContext, Page, Playwright, expect
from sqlmodel import Session

from portal import db
from portal.notifications import mailer
from portal.notifications.services import send_due
from tests.e2e.conftest import MARIA, assert_accessible, device_options, screenshot, sign_in_with

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
RELATIVE_NAME = "Anna Ek"
RELATIVE_EMAIL = "anna.ek@example.se"
RELATIVE_PASSWORD = "anna-har-ett-eget-losen"


def _invitation_link(app: Flask) -> str:
    """Send what the outbox holds (as `flask send-notifications` would) and read the link in the e-mail."""
    sent: list[EmailMessage] = []
    with app.app_context(), Session(db.get_engine(app)) as session:
        report = send_due(session, sent.append, datetime.now(UTC), compose=mailer.compose_new_message,
                          compose_invitation=mailer.compose_invitation)
    assert report.sent == 1
    body = sent[0].get_content()
    assert sent[0]["To"] == RELATIVE_EMAIL
    assert "Maria" not in body  # no name, no health information in the e-mail
    return re.search(r"https?://\S+/invite/\S+", body).group(0)


def _patient_invites(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.locator("main a[href='/plan/relatives']").click()
    expect(page).to_have_url(re.compile(r"/plan/relatives$"))
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)
    page.locator("#name").fill(RELATIVE_NAME)
    page.locator("#email").fill(RELATIVE_EMAIL)
    page.locator("#relation").select_option("child")
    expect(page.locator("#scope-plan")).to_be_checked()  # 'see the plan and the reading' only, by default
    page.locator("main form[action='/plan/relatives'] button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    expect(page.locator(".mv-list__item").filter(has_text=RELATIVE_NAME)).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "patient-relatives-desktop")


def _relative_accepts(page: Page, link: str) -> None:
    page.goto(urlsplit(link).path)  # the e-mail holds PUBLIC_BASE_URL; the test server has its own port
    expect(page).to_have_url(re.compile(r"/invite$"))  # the token does not stay in the address bar
    assert_accessible(page)
    page.locator("#password").fill(RELATIVE_PASSWORD)
    page.locator("#password_again").fill(RELATIVE_PASSWORD)
    page.locator("form[action='/invite/account'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.locator(".mv-acting-banner")).to_contain_text("Marias vårdplan")
    expect(page.locator("#site-nav a[href='/plan/messages']")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "relative-start-iphone")
    page.locator("#site-nav a[href='/plan/timeline']").click()
    expect(page.locator(".mv-timeline__item").first).to_be_visible()
    assert_accessible(page)
    response = page.goto("/plan/messages")
    assert response is not None
    assert response.status == 403
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)


def _patient_allows_messages(page: Page) -> None:
    page.goto("/plan/relatives")
    row = page.locator(".mv-list__item").filter(has_text=RELATIVE_NAME)
    row.locator("summary").click()
    row.locator("input[value=messages_read]").check()
    row.locator("form.mv-form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    assert_accessible(page)


def _patient_revokes(page: Page) -> None:
    page.goto("/plan/relatives")
    row = page.locator(".mv-list__item").filter(has_text=RELATIVE_NAME)
    row.locator("form[action$='/revoke'] button").click()
    expect(page.locator("main [role=status]")).to_be_visible()


def test_relative_sees_only_what_the_patient_chose_for_as_long_as_she_chooses(
        make_context: Callable[..., BrowserContext], playwright: Playwright, app: Flask, demo: None) -> None:
    patient = make_context(**DESKTOP).new_page()
    _patient_invites(patient)

    relative = make_context(**device_options(playwright, "iphone13")).new_page()
    _relative_accepts(relative, _invitation_link(app))

    _patient_allows_messages(patient)
    relative.goto("/plan/")  # no new sign-in: the change applies to the next request
    relative.locator("#site-nav a[href='/plan/messages']").click()
    expect(relative).to_have_url(re.compile(r"/plan/messages$"))
    expect(relative.locator("#body")).to_have_count(0)  # reading only: no message box
    assert_accessible(relative)
    screenshot(relative, "relative-messages-iphone")

    _patient_revokes(patient)
    relative.locator("#site-nav a[href='/plan/timeline']").click()
    expect(relative.locator("main h1")).to_contain_text("Din åtkomst är avslutad")
    assert_accessible(relative)
    screenshot(relative, "relative-access-ended-iphone")

    patient.goto("/plan/access-log")
    entries = patient.locator(".mv-list__item").filter(has_text=RELATIVE_NAME)
    expect(entries.first).to_be_visible()
    expect(entries.filter(has_text="tidslinjen").first).to_be_visible()
    assert_accessible(patient)
    screenshot(patient, "patient-access-log-desktop")
