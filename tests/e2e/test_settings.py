"""The patient's settings page in a real browser: reachable from "Mer", accessible, errors keep the text."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import MARIA, assert_accessible, sign_in_with


def test_settings_turn_on_email_with_an_error_first(device_page: Page, demo: None) -> None:
    page = device_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.locator("#site-nav a[href='/plan/more']").click()  # "Mer" (the header's link is for wide screens)
    page.locator("main a[href='/plan/settings']").click()
    expect(page.locator("main h1")).to_have_text("Inställningar")
    assert_accessible(page)

    page.locator("#notify_messages").check()
    page.locator("#contact_email").fill("maria at example")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".mv-error-summary")).to_be_focused()
    expect(page.locator("#contact_email")).to_have_value("maria at example")
    expect(page.locator("#notify_messages")).to_be_checked()
    assert_accessible(page)

    page.locator("#contact_email").fill("maria@example.se")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_have_text("Dina inställningar är sparade.")
    expect(page.locator("#contact_email")).to_have_value("maria@example.se")
    assert_accessible(page)
