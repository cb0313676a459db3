"""The patient's contact details and the alerts of one response, in the browser at 390 px and 1280 px: the
responsible nurse corrects a phone number and notes an interpreter; the contact nurse sees Maria's waiting alert on
her plan, rings her from the alerts page and records what was done. axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.conftest import EVA, assert_accessible, context_for, screenshot, sign_in_with

JONAS = "jonas.berg@demo.vardplan.se"


def _open_plan(page: Page, nurse: str, patient: str) -> None:
    page.goto("/login")
    sign_in_with(page, nurse)
    page.locator("main").get_by_role("link", name=patient, exact=True).first.click()
    expect(page.locator("main h1")).to_contain_text(patient)


@pytest.mark.parametrize("viewport", ["iphone13", "desktop"])  # 390 px and 1280 px wide
def test_nurse_changes_the_contact_details(browser: Browser, playwright: Playwright, live_server: str, demo: None,
                                           viewport: str) -> None:
    page = context_for(browser, playwright, viewport, live_server).new_page()
    _open_plan(page, JONAS, "Lars Nyström")
    card = page.locator("section[aria-labelledby=patient-contact-heading]")
    expect(card.locator("a[href^='tel:']")).to_have_text("Ring patienten: 070-174 06 12")
    card.get_by_role("link", name="Ändra kontaktuppgifterna").click()
    expect(page.locator("main h1")).to_have_text("Kontaktuppgifter för Lars Nyström")
    assert_accessible(page)

    page.locator("#phone").fill("ring mig på kvällen")
    page.get_by_label("Patienten behöver tolk").check()
    page.get_by_role("button", name="Spara kontaktuppgifterna").click()
    summary = page.locator(".mv-error-summary")
    expect(summary).to_contain_text("Skriv telefonnumret med siffror")
    expect(summary).to_contain_text("Välj vilket språk tolken ska tala.")
    expect(page.locator("#phone")).to_have_value("ring mig på kvällen")
    expect(page.get_by_label("Patienten behöver tolk")).to_be_checked()
    assert_accessible(page)
    screenshot(page, f"contact-details-error-{viewport}")

    page.locator("#phone").fill("070-174 06 13")
    page.locator("#interpreter_language").select_option("fi")
    page.get_by_role("button", name="Spara kontaktuppgifterna").click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+\?contact=saved#patient-contact-heading$"))
    expect(page.locator(".mv-notice[role=status]")).to_have_text("Kontaktuppgifterna är sparade.")
    expect(card.locator("a[href='tel:0701740613']")).to_have_text("Ring patienten: 070-174 06 13")
    expect(card).to_contain_text("Tolk behövs: finska")
    assert_accessible(page)
    screenshot(page, f"contact-details-plan-{viewport}")


@pytest.mark.parametrize("viewport", ["iphone13", "desktop"])
def test_nurse_handles_the_alerts_of_a_response_from_the_plan(browser: Browser, playwright: Playwright,
                                                               live_server: str, demo: None, viewport: str) -> None:
    page = context_for(browser, playwright, viewport, live_server).new_page()
    _open_plan(page, EVA, "Maria Ek")
    waiting = page.locator("section.mv-alerts > ul > li")
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".mv-tag--attention")).to_have_text(re.compile(r"^Väntar sedan \d+ dagar"))
    waiting.get_by_role("link").click()

    expect(page).to_have_url(re.compile(r"/staff/responses/\d+/alerts$"))
    expect(page.locator("main a[href='tel:0701740605']")).to_have_text("Ring patienten: 070-174 06 05")
    expect(page.locator("main .mv-alerts__item .mv-tag--attention")).to_contain_text("Väntar sedan")
    assert_accessible(page)
    screenshot(page, f"response-alerts-{viewport}")
    page.get_by_role("button", name=re.compile("^Spara vad som gjordes")).click()
    expect(page.locator(".mv-error-summary")).to_contain_text("Välj vad du gjorde åt")
    expect(page.locator(".mv-error-summary")).to_contain_text("Skriv vad du gjorde.")
    assert_accessible(page)

    page.get_by_role("radio", name="Kontaktade patienten").check()
    page.get_by_label("Anteckning").fill("Ringde Maria. Hon mår bättre och hör av sig om det blir värre.")
    page.get_by_role("button", name=re.compile("^Spara vad som gjordes")).click()
    expect(page.locator(".mv-notice[role=status]")).to_have_text("Larmen är hanterade.")
    expect(page.locator("main dl.mv-details")).to_contain_text("Kontaktade patienten")
    expect(page.locator("main form.mv-form")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"response-alerts-handled-{viewport}")
