"""The administrator in Chromium: adds a unit, invites a nurse to it; the nurse opens the e-mailed link, chooses a
password, signs in and sets up her second step, and sees her (empty) caseload. axe on every page, at 390 px and
1280 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlmodel import Session

from portal import db
from portal.notifications import mailer
from portal.notifications.services import send_due
from tests.e2e.conftest import assert_accessible, context_for, screenshot, sign_in_with

ADAM = "adam.admin@demo.vardplan.se"
NURSE_EMAIL = "nina.ny@example.se"
NURSE_PASSWORD = "nina väljer ett eget lösenord"  # noqa: S105
UNIT = "Strålbehandlingsmottagningen"


def _invitation_link(app: Flask) -> str:
    """Send the outbox as `flask send-notifications` would; the link in the one e-mail to the new nurse."""
    sent: list[EmailMessage] = []
    with app.app_context(), Session(db.get_engine(app)) as session:
        send_due(session, sent.append, datetime.now(UTC), compose=mailer.compose_new_message,
                 compose_invitation=mailer.compose_invitation)
    [email] = [message for message in sent if message["To"] == NURSE_EMAIL]
    return re.search(r"https?://\S+/welcome#\S+", email.get_content()).group(0)


def _checked(page: Page, name: str, viewport: str) -> None:
    assert_accessible(page)
    screenshot(page, f"admin-{name}-{viewport}")


def _admin_adds_a_unit(page: Page, viewport: str) -> None:
    page.locator("#site-nav a[href='/admin/units']").click()
    expect(page.locator("main h1")).to_have_text("Enheter")
    _checked(page, "units", viewport)
    page.get_by_role("link", name="Lägg till en enhet").click()
    page.locator("#name").fill(UNIT)
    page.locator("#phone").fill("ring oss")
    page.locator("#reply_days").fill("2")
    page.get_by_role("button", name="Spara enheten").click()
    expect(page.locator(".mv-error-summary")).to_contain_text("Skriv ett telefonnummer")
    expect(page.locator("#name")).to_have_value(UNIT)  # what was typed is kept
    _checked(page, "unit-error", viewport)
    page.locator("#phone").fill("010-555 12 34")
    page.locator("#opening_hours").fill("Mån–fre 8–16")
    page.get_by_role("button", name="Spara enheten").click()
    expect(page.locator(".mv-notice")).to_have_text("Enheten är sparad.")
    expect(page.locator("#unit-rows")).to_contain_text(UNIT)


def _admin_invites_a_nurse(page: Page, viewport: str) -> None:
    page.locator("#site-nav a[href='/admin/accounts']").click()
    expect(page.locator("#account-rows")).to_contain_text("Eva Lund")
    expect(page.locator("#account-rows")).not_to_contain_text("Jonas Berg")  # another care provider's nurse
    _checked(page, "staff", viewport)
    page.get_by_role("link", name="Bjud in en person").click()
    page.locator("#name").fill("Nina Ny")
    page.locator("#email").fill(NURSE_EMAIL)
    page.locator("#role-staff").check()
    page.locator("#unit_id").select_option(label=UNIT)
    page.locator("#title").fill("Kontaktsjuksköterska")
    _checked(page, "invite", viewport)
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.locator("main h1")).to_have_text("Nina Ny")
    expect(page.locator(".mv-notice")).to_contain_text("Kontot är skapat")
    expect(page.locator("main")).to_contain_text(UNIT)
    _checked(page, "account", viewport)


def _nurse_chooses_a_password(page: Page, link: str, viewport: str) -> None:
    parts = urlsplit(link)  # the e-mail holds PUBLIC_BASE_URL; the test server has its own port
    page.goto(f"{parts.path}#{parts.fragment}")  # invite.js moves the code from after "#" into the form, sends it
    expect(page.locator("main")).to_contain_text("Välkommen, Nina Ny")
    expect(page.locator("main h1")).to_have_text("Välj ditt lösenord")
    assert parts.fragment not in page.url
    page.locator("#password").fill("för kort")
    page.locator("#password_again").fill("för kort")
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.locator(".mv-error-summary")).to_contain_text("minst 12 tecken")
    _checked(page, "welcome-password", viewport)
    page.locator("#password").fill(NURSE_PASSWORD)
    page.locator("#password_again").fill(NURSE_PASSWORD)
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.locator("main h1")).to_have_text("Ditt lösenord är sparat")
    _checked(page, "welcome-done", viewport)


def _nurse_signs_in_and_sets_up_her_second_step(page: Page, viewport: str) -> None:
    page.get_by_role("link", name="Logga in").click()
    sign_in_with(page, NURSE_EMAIL, NURSE_PASSWORD, enrolled=False)
    expect(page).to_have_url(re.compile(r"/login/setup$"))  # a password alone never opens staff pages
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    page.locator("form[action$='/setup/app'] input[name=code]").fill(pyotp.TOTP(secret).now())
    page.locator("form[action$='/setup/app'] button[type=submit]").click()
    expect(page.locator("[data-recovery-codes] li").first).to_be_visible()
    page.get_by_role("link", name=re.compile("Fortsätt")).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    _checked(page, "nurse-caseload", viewport)


@pytest.mark.parametrize("viewport", ["iphone13", "desktop"])  # 390 px and 1280 px wide
def test_admin_adds_a_unit_and_invites_a_nurse_who_signs_in(app: Flask, browser: Browser, playwright: Playwright,
                                                             live_server: str, demo: None, viewport: str) -> None:
    admin_context = context_for(browser, playwright, viewport, live_server)
    page = admin_context.new_page()
    page.goto("/login")
    sign_in_with(page, ADAM)
    expect(page).to_have_url(re.compile(r"/admin/units$"))  # an administrator starts on their own pages
    _admin_adds_a_unit(page, viewport)
    _admin_invites_a_nurse(page, viewport)
    admin_context.close()

    nurse_context = context_for(browser, playwright, viewport, live_server)
    page = nurse_context.new_page()
    _nurse_chooses_a_password(page, _invitation_link(app), viewport)
    _nurse_signs_in_and_sets_up_her_second_step(page, viewport)
    nurse_context.close()
