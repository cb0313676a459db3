"""A nurse finds a reserve number nobody knows yet, registers the patient (the birth date written, since a reserve
number need not hold it) and goes on to the new care plan; axe on every page, at 390 px and 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Playwright, expect

from tests.e2e.conftest import assert_accessible, context_for, screenshot, sign_in_with

JONAS = "jonas.berg@demo.vardplan.se"
RESERVE = "19561110-K064"


@pytest.mark.parametrize("viewport", ["iphone13", "desktop"])  # 390 px and 1280 px wide
def test_nurse_registers_a_reserve_number_patient_and_goes_on_to_the_plan(
        browser: Browser, playwright: Playwright, live_server: str, demo: None, viewport: str) -> None:
    context = context_for(browser, playwright, viewport, live_server)
    page = context.new_page()
    page.goto("/login")
    sign_in_with(page, JONAS)
    page.locator("#site-nav a[href='/staff/find']").click()
    page.locator("#q").fill(RESERVE)
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_role("button", name="Registrera patient").click()
    expect(page.locator("main h1")).to_have_text("Registrera en patient")
    expect(page.locator("main")).to_contain_text("Reservnummer")
    expect(page.locator("#birth_date")).to_have_value("1956-11-10")
    page.locator("#birth_date").fill("")
    page.locator("#name").fill("Okänd Kvinna")
    page.get_by_role("button", name="Registrera och gör vårdplanen").click()
    expect(page.locator(".mv-error-summary")).to_contain_text("Skriv födelsedatumet")
    expect(page.locator("#name")).to_have_value("Okänd Kvinna")
    assert_accessible(page)
    screenshot(page, f"register-patient-error-{viewport}")
    page.locator("#birth_date").fill("1956-11-10")
    page.locator("#language").select_option("ar")
    page.locator("#email").fill("okand@example.se")
    page.get_by_role("button", name="Registrera och gör vårdplanen").click()
    expect(page.locator("main h1")).to_have_text("Ny vårdplan för Okänd Kvinna")
    expect(page).to_have_url(re.compile(r"/staff/new-plan$"))  # the number travelled in the body, never the URL
    assert_accessible(page)
    screenshot(page, f"register-patient-plan-{viewport}")
    context.close()
