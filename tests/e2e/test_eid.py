"""e-ID sign-in in Chromium, through the test identity provider running as its own process: a patient signs in and
sees her plan; a relative accepts an invitation with their own e-ID; a cancelled sign-in explains itself. axe-core on
every page, ours and the provider's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlmodel import Session, select

from portal import db
from portal.core.clock import stockholm_today
from portal.core.personal_id import with_check_digit
from portal.models import Notification, Patient, Role, User
from portal.relatives import services as delegations
from tests.e2e.conftest import assert_accessible, context_for, screenshot
from tests.idp import Provider

NEWCOMER = "19" + with_check_digit("750505123")  # a relative nobody has seen before


@pytest.fixture(params=["iphone13", "desktop"])
def eid_page(request: pytest.FixtureRequest, browser: Browser, playwright: Playwright, live_server: str,
             eid: Provider, demo: None) -> Iterator[Page]:
    """A page at phone and desktop size, with e-ID pointed at the test provider and the demo loaded."""
    context = context_for(browser, playwright, request.param, live_server)
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def _to_provider(page: Page) -> None:
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    expect(page.locator("h1")).to_have_text("Testinloggning med e-legitimation")
    assert_accessible(page)


def test_eid_patient_signs_in_and_sees_her_plan(eid_page: Page) -> None:
    page = eid_page
    page.goto("/login")
    expect(page.locator("main h2").first).to_have_text("Med e-legitimation")
    assert_accessible(page)
    screenshot(page, f"eid-login-{page.viewport_name}")  # type: ignore[attr-defined]
    _to_provider(page)
    screenshot(page, f"eid-provider-{page.viewport_name}")  # type: ignore[attr-defined]
    page.get_by_role("button", name=re.compile("^Maria Ek")).click()
    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"eid-patient-start-{page.viewport_name}")  # type: ignore[attr-defined]


def test_eid_cancelled_sign_in_says_what_happened(eid_page: Page) -> None:
    page = eid_page
    page.goto("/login")
    _to_provider(page)
    page.get_by_role("button", name=re.compile("^Avbryt")).click()
    expect(page.locator("main h1")).to_have_text("Inloggningen avbröts")
    expect(page.locator("main")).to_contain_text("Du avbröt inloggningen. Inget har ändrats.")
    assert_accessible(page)
    screenshot(page, f"eid-stopped-{page.viewport_name}")  # type: ignore[attr-defined]


def _invitation(app: Flask) -> str:
    """Lars invites a relative; the code from the link in the e-mail."""
    with Session(db.get_engine(app)) as session:
        lars = session.exec(select(Patient).where(Patient.name == "Lars Nyström")).one()
        data = delegations.InviteInput(name="Test Testsson", email="test@example.se", relation="sibling",
                                       scopes=("plan",),
                                       valid_until=(stockholm_today() + timedelta(days=60)).isoformat())
        delegations.invite(session, lars, session.get(User, lars.user_id), data, stockholm_today(),
                           "http://localhost")
        session.commit()
        return session.exec(select(Notification).order_by(Notification.id.desc())).first().payload.split("#")[1]


def test_eid_relative_accepts_an_invitation_with_their_own_e_id(eid_page: Page, app: Flask) -> None:
    page = eid_page
    page.goto(f"/invite#{_invitation(app)}")
    expect(page).to_have_url(re.compile(r"/invite$"))
    expect(page.locator("#eid-heading")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"eid-invitation-{page.viewport_name}")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Fortsätt med e-legitimation").click()
    assert_accessible(page)
    page.locator("#number").fill(NEWCOMER)
    page.get_by_role("button", name=re.compile("^Logga in med numret")).click()
    expect(page).to_have_url(re.compile(r"/invite$"))
    expect(page.locator("main")).to_contain_text("Lars Nyström")
    assert_accessible(page)
    page.locator("form[action='/invite/accept'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/invite/welcome$"))
    assert_accessible(page)
    page.locator("main a.mv-button[href^='/plan/']").click()
    expect(page).to_have_url(re.compile(r"/plan/"))
    expect(page.locator(".mv-acting-banner")).to_contain_text("Lars")
    assert_accessible(page)
    screenshot(page, f"eid-relative-start-{page.viewport_name}")  # type: ignore[attr-defined]
    with Session(db.get_engine(app)) as session:
        relative = session.exec(select(User).where(User.personal_id == NEWCOMER)).one()
        assert relative.role == Role.RELATIVE
