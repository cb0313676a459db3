"""The second factor in Chromium: setting up an app and signing in with its codes, a passkey made and used with
Chromium's virtual authenticator, and the activation-letter journey of a patient with a reserve number."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date

import pyotp
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from portal.models import CareUnit, Patient, StaffMember, User
from tests import factories
from tests.e2e.conftest import EVA, assert_accessible, screenshot, sign_in_with

NURSE = "nina.nurse@example.se"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def nurse(session: Session) -> User:
    """A nurse with a password and no second factor yet (her first sign-in)."""
    member = factories.staff(session, factories.unit(session), name="Nina Nurse", email=NURSE)
    return session.get(User, member.user_id)


def _password(page: Page, identifier: str, password: str) -> None:
    page.goto("/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    page.locator("form.mv-form button[type=submit]").click()


def _secret(page: Page) -> str:
    return page.locator("[data-totp-secret]").inner_text().replace(" ", "")


def test_second_factor_app_set_up_on_the_first_sign_in_then_its_codes(make_context: Callable[..., BrowserContext],
                                                                      nurse: User, width: str) -> None:
    page = make_context(viewport=WIDTHS[width]).new_page()
    _password(page, NURSE, factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/setup$"))
    expect(page.locator("main h1")).to_have_text("Skydda ditt konto")
    expect(page.locator("img.mv-qr")).to_be_visible()
    assert page.locator("img.mv-qr").evaluate("img => img.naturalWidth") > 0  # the QR code loads under the CSP
    assert_accessible(page)
    screenshot(page, f"second-factor-setup-{width}")

    secret = _secret(page)
    page.locator("#code").fill("000000")
    page.locator("form[action$='/login/setup/app'] button").click()
    expect(page.locator(".mv-error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form[action$='/login/setup/app'] button").click()

    expect(page.locator("main h1")).to_have_text("Spara dina reservkoder")
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    assert_accessible(page)
    screenshot(page, f"second-factor-recovery-codes-{width}")
    page.locator("main a.mv-button").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.locator("form[action='/logout'] button").first.click()
    _password(page, NURSE, factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/verify$"))
    assert_accessible(page)
    screenshot(page, f"second-factor-verify-{width}")
    page.locator("#code").fill(pyotp.TOTP(secret).at(time.time() + 30))  # the next code: the first one is used
    page.locator("form[action$='/login/verify'] button").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


@pytest.fixture
def passkey_page(make_context: Callable[..., BrowserContext], live_server: str) -> Page:
    """A desktop page on http://localhost (browsers refuse an IP address as a passkey's site) with Chromium's
    virtual authenticator: a platform passkey that verifies the user at once."""
    context = make_context(base_url=live_server.replace("127.0.0.1", "localhost"), viewport=WIDTHS["desktop"])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return page


def test_second_factor_passkey_made_on_the_first_sign_in_then_used(passkey_page: Page, nurse: User,
                                                                   session: Session) -> None:
    page = passkey_page
    _password(page, NURSE, factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/setup$"))
    passkey = page.locator("form[data-passkey=create] button")
    expect(passkey).to_be_visible()  # shown only where the browser has passkeys (and on a domain name)
    assert_accessible(page)
    passkey.click()
    expect(page.locator("main h1")).to_have_text("Spara dina reservkoder")
    page.locator("main a.mv-button").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.locator("form[action='/logout'] button").first.click()
    _password(page, NURSE, factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/verify$"))
    expect(page.locator("h2", has_text="Med din passkey")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "second-factor-verify-passkey-desktop")
    page.locator("form[data-passkey=get] button").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    session.expire_all()
    assert session.get(User, nurse.id).totp_secret is None  # a passkey alone, no app


@pytest.fixture
def reserve_plan(session: Session, demo: None) -> int:
    """A patient with a reserve number and no account, with a plan at Eva's unit (its id)."""
    eva = session.exec(select(StaffMember).join(User, User.id == StaffMember.user_id).where(User.email == EVA)).first()
    patient = Patient(personal_id="19750312K123", name="Nils Reserv", birth_date=date(1975, 3, 12))
    session.add(patient)
    session.commit()
    return factories.plan(session, patient, session.get(CareUnit, eva.unit_id), eva, diagnosis="generell").id


def test_second_factor_activation_letter_journey(make_context: Callable[..., BrowserContext],
                                                 reserve_plan: int, width: str) -> None:
    nurse = make_context(viewport=WIDTHS[width]).new_page()
    nurse.goto("/login")
    sign_in_with(nurse, EVA)
    expect(nurse).to_have_url(re.compile(r"/staff/$"))
    nurse.goto(f"/staff/plans/{reserve_plan}")
    nurse.get_by_role("button", name="Skriv ut aktiveringsbrev").click()
    expect(nurse.locator("main h1")).to_have_text("Börja använda Min vårdplan")
    assert_accessible(nurse)
    screenshot(nurse, f"activation-letter-{width}")
    code = nurse.locator("[data-activation-code]").inner_text()

    page = make_context(viewport=WIDTHS[width]).new_page()
    page.goto("/activate")
    assert_accessible(page)
    page.locator("#personal_id").fill("19750312-K123")
    page.locator("#code").fill(code)
    page.locator("form.mv-form button").click()
    expect(page).to_have_url(re.compile(r"/activate/account$"))
    assert_accessible(page)
    screenshot(page, f"activation-account-{width}")
    page.locator("#password").fill("ett långt lösenord")
    page.locator("#password_again").fill("ett långt lösenord")
    page.locator("#code").fill(pyotp.TOTP(_secret(page)).now())
    page.locator("form.mv-form button").click()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    assert_accessible(page)
    page.locator("main a.mv-button").click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    assert_accessible(page)
