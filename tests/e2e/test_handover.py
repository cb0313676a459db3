"""A handover across care providers in the demo: Amira's plan waits for Onkologimottagningen; Eva finds it at the top
of her start page, reads the note and accepts on a phone or a desktop; Amira sees who may see her plan and her care
team on the contact card."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Playwright, expect

from tests.e2e.conftest import EVA, assert_accessible, device_options, screenshot, sign_in_with

AMIRA = "19730105-9684"  # demo patient: colon cancer, follow-up, her plan under handover from the surgeons
WINDOWS = {"phone": "iphone13", "desktop": "desktop"}


@pytest.mark.parametrize("window", list(WINDOWS))
def test_the_receiving_nurse_accepts_and_the_patient_sees_her_team(
        make_context: Callable[..., BrowserContext], playwright: Playwright, demo: None, window: str) -> None:
    page = make_context(**device_options(playwright, WINDOWS[window])).new_page()
    page.goto("/login")
    sign_in_with(page, EVA)
    tasks = page.locator("section[aria-labelledby=handovers-heading]")
    expect(tasks).to_contain_text("Amira Haddad")
    expect(tasks).to_contain_text("Från Kirurg- och urologmottagningen till Onkologimottagningen")
    assert_accessible(page)
    screenshot(page, f"staff-handovers-to-accept-{window}")

    tasks.locator("a").filter(has_text="Amira Haddad").click()
    expect(page.locator("main h1")).to_contain_text("Amira Haddad")
    expect(page.locator("main")).to_contain_text("vill helst ha besök på förmiddagen")
    assert_accessible(page)
    screenshot(page, f"staff-handover-review-{window}")
    page.locator("main a").filter(has_text="Läs vårdplanen").click()
    expect(page.locator("main")).to_contain_text("Under överlämning från Kirurg- och urologmottagningen")
    assert_accessible(page)
    page.go_back()

    page.locator("form[action$='/accept'] button").click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+\?handed_over=1$"))
    expect(page.locator("main")).not_to_contain_text("Under överlämning")
    assert_accessible(page)

    patient = make_context(**device_options(playwright, WINDOWS[window])).new_page()
    patient.goto("/login")
    sign_in_with(patient, AMIRA)
    card = patient.locator(".mv-contact")
    expect(card).to_contain_text("Eva Lund")
    expect(card.locator(".mv-contact__others")).to_contain_text("Kirurg- och urologmottagningen")
    assert_accessible(patient)
    screenshot(patient, f"patient-contact-card-after-handover-{window}")
    patient.locator("#site-nav a[href='/plan/more']").click()  # "Mer"
    patient.locator("main a[href='/plan/sharing']").click()
    expect(patient.locator("main h1")).to_have_text("Vilka kan se min plan")
    expect(patient.locator("main")).to_contain_text("Ekdalens sjukhus (demo)")
    assert_accessible(patient)
    screenshot(patient, f"patient-sharing-{window}")


@pytest.mark.parametrize("window", list(WINDOWS))
def test_the_sending_nurse_writes_a_note_and_confirms(
        make_context: Callable[..., BrowserContext], playwright: Playwright, demo: None, window: str) -> None:
    page = make_context(**device_options(playwright, WINDOWS[window])).new_page()
    page.goto("/login")
    sign_in_with(page, EVA)
    page.locator("main a").filter(has_text="Maria Ek").first.click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+$"))
    page.goto(page.url + "/handover")
    kir = page.locator("#to_unit option").filter(has_text="Kirurg- och urologmottagningen")
    page.locator("#to_unit").select_option(kir.get_attribute("value"))
    page.locator("#note").fill("Strålbehandlingen är klar. Kontroll av ärret om två veckor.")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator(".mv-error-summary")).to_be_focused()  # another care provider: consent first
    expect(page.locator("#note")).to_have_value("Strålbehandlingen är klar. Kontroll av ärret om två veckor.")
    assert_accessible(page)
    screenshot(page, f"staff-handover-form-{window}")
    page.locator("#consent-portal").check()
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("Kontrollera överlämningen")
    assert_accessible(page)
    screenshot(page, f"staff-handover-confirm-{window}")
    page.locator("button[name=confirm]").click()
    expect(page.locator("main")).to_contain_text("Under överlämning från Onkologimottagningen")
    assert_accessible(page)
