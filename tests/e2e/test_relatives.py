"""A relative in the browser, next to the patient: invited with 'see the plan' only, given messages later without
signing in again, then cut off at the very next click; the patient reads who looked. axe-core on every page."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
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
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # in Werkzeug's request lines


def _send_outbox(app: Flask, to: str = RELATIVE_EMAIL) -> str:
    """Send what the outbox holds (as `flask send-notifications` would); the one e-mail's text."""
    sent: list[EmailMessage] = []
    with app.app_context(), Session(db.get_engine(app)) as session:
        report = send_due(session, sent.append, datetime.now(UTC), compose=mailer.compose_new_message,
                          compose_invitation=mailer.compose_invitation)
    assert report.sent == 1
    assert sent[0]["To"] == to
    body = sent[0].get_content()
    assert "Maria" not in body  # no name, no health information in the e-mail
    return body


def _invitation_email(app: Flask) -> tuple[str, str]:
    """The link in the invitation e-mail (its code after "#", never sent to a server) and the code written out."""
    body = _send_outbox(app)
    link = re.search(r"https?://\S+/invite#\S+", body).group(0)
    written = re.search(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b", body).group(0)
    return link, written


def _account_code(app: Flask) -> str:
    return re.search(r"\b\d{6}\b", _send_outbox(app)).group(0)


def _make_account(page: Page, app: Flask, check: Callable[[Page], None] = assert_accessible) -> None:
    """The two steps of a relative's own account: name and address (filled in from the invitation), then the
    e-mailed code and a password."""
    expect(page.locator("#name")).to_have_value(RELATIVE_NAME)
    expect(page.locator("#email")).to_have_value(RELATIVE_EMAIL)
    page.locator("form[action='/invite/account'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/invite$"))
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text(RELATIVE_EMAIL)
    check(page)
    page.locator("#code").fill(_account_code(app))
    page.locator("#password").fill(RELATIVE_PASSWORD)
    page.locator("#password_again").fill(RELATIVE_PASSWORD)
    page.locator("form[action='/invite/account/confirm'] button[type=submit]").click()


def _patient_invites(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.locator("#site-nav a[href='/plan/more']").click()  # "Mer"
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


def _relative_accepts(page: Page, app: Flask, link: str, caplog: pytest.LogCaptureFixture) -> None:
    parts = urlsplit(link)  # the e-mail holds PUBLIC_BASE_URL; the test server has its own port
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        page.goto(f"{parts.path}#{parts.fragment}")
        expect(page).to_have_url(re.compile(r"/invite$"))  # invite.js sent the code; it left the address bar
        expect(page.locator("form[action='/invite/account']")).to_be_visible()
    request_lines = [ANSI_COLOUR.sub("", record.getMessage()) for record in caplog.records
                     if record.name == "werkzeug"]
    assert any('"GET /invite HTTP' in line for line in request_lines)
    assert any('"POST /invite/open HTTP' in line for line in request_lines)
    assert not [line for line in request_lines if parts.fragment in line]  # the server's access log
    assert_accessible(page)
    _make_account(page, app)
    expect(page).to_have_url(re.compile(r"/invite/welcome$"))  # what he may see, and that Maria can end it
    expect(page.locator("main h1")).to_have_text("Välkommen till Marias vårdplan")
    assert_accessible(page)
    page.locator("main a.mv-button[href='/plan/']").click()
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
        make_context: Callable[..., BrowserContext], playwright: Playwright, app: Flask, demo: None,
        caplog: pytest.LogCaptureFixture) -> None:
    patient = make_context(**DESKTOP).new_page()
    _patient_invites(patient)

    relative = make_context(**device_options(playwright, "iphone13")).new_page()
    link, _written = _invitation_email(app)
    _relative_accepts(relative, app, link, caplog)

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


def _assert_accessible_as_served(page: Page, checker: Page) -> None:
    """axe-core needs JavaScript: check the HTML that this page without JavaScript got, shown in a page with it."""
    html, url = page.content(), page.url
    checker.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    checker.goto(url)
    assert_accessible(checker)
    checker.unroute(url)


def test_without_javascript_a_relative_writes_the_code_from_the_email(
        make_context: Callable[..., BrowserContext], app: Flask, demo: None) -> None:
    _patient_invites(make_context(**DESKTOP).new_page())
    link, written = _invitation_email(app)
    phone = {"viewport": {"width": 390, "height": 844}}
    relative = make_context(java_script_enabled=False, **phone).new_page()
    checker = make_context(**phone).new_page()

    relative.goto(urlsplit(link).path)  # the page the e-mail names; the link's "#code" needs JavaScript
    expect(relative.locator("main h1")).to_be_visible()
    _assert_accessible_as_served(relative, checker)
    relative.locator("#invitation_code").fill("ABCDE-FGHJK-MNPQR-STVWX")  # a code that opens nothing
    relative.locator("form[action='/invite/open'] button[type=submit]").click()
    expect(relative.locator("#invitation_code-error")).to_be_visible()
    expect(relative.locator("#invitation_code")).to_have_value("ABCDE-FGHJK-MNPQR-STVWX")
    _assert_accessible_as_served(relative, checker)
    screenshot(relative, "relative-invitation-code-error-nojs-phone")

    relative.locator("#invitation_code").fill(written.lower())
    relative.locator("form[action='/invite/open'] button[type=submit]").click()
    expect(relative).to_have_url(re.compile(r"/invite$"))
    expect(relative.locator("form[action='/invite/account']")).to_be_visible()
    _assert_accessible_as_served(relative, checker)
    _make_account(relative, app, lambda page: _assert_accessible_as_served(page, checker))
    expect(relative).to_have_url(re.compile(r"/invite/welcome$"))
    _assert_accessible_as_served(relative, checker)
    relative.locator("main a.mv-button[href='/plan/']").click()
    expect(relative).to_have_url(re.compile(r"/plan/$"))
    expect(relative.locator(".mv-acting-banner")).to_contain_text("Marias vårdplan")
    _assert_accessible_as_served(relative, checker)
