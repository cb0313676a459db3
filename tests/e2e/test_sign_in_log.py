"""The administrator's sign-in log in Chromium, at phone and desktop size: the events, 'Show older' put in place by
htmx, and the CSV link. axe-core on each view."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from portal import db
from portal.core.clock import utcnow
from portal.models import User
from portal.security import sign_in_log
from portal.security.services import EventKind
from tests.e2e.conftest import assert_accessible, screenshot, sign_in_with

ADMIN = "adam.admin@demo.vardplan.se"


def _history(app: Flask) -> None:
    """A day of e-ID sign-ins by Maria, more than one page of them."""
    with Session(db.get_engine(app)) as session:
        maria = session.exec(select(User).where(User.name == "Maria Ek")).one()
        start = utcnow() - timedelta(days=1)
        for minute in range(sign_in_log.PAGE_SIZE + 5):
            sign_in_log.record(session, kind=EventKind.SIGN_IN_SUCCEEDED, now=start + timedelta(minutes=minute),
                               account=maria, method="eid", address_key="ab12cd34" * 8)
        session.commit()


def test_sign_in_log_page_for_the_administrator(device_page: Page, app: Flask, demo: None) -> None:
    page = device_page
    _history(app)
    page.goto("/login")
    sign_in_with(page, ADMIN)
    page.goto("/admin/security")
    page.locator("main a[href='/admin/security/sign-ins']").click()
    expect(page.locator("main h1")).to_have_text("Inloggningslogg")
    expect(page.locator("#sign-in-rows tr").first).to_contain_text("Adam Admin")  # his own sign-in, newest first
    assert_accessible(page)
    screenshot(page, f"sign-in-log-{page.viewport_name}")  # type: ignore[attr-defined]
    before = page.locator("#sign-in-rows tr").count()
    page.locator("#sign-ins-more a").click()
    expect(page.locator("#sign-in-rows tr")).not_to_have_count(before)
    expect(page.locator("#live-region")).to_contain_text(re.compile("äldre"))
    assert_accessible(page)
    expect(page.locator("main a[href='/admin/security/sign-ins.csv']")).to_be_visible()
