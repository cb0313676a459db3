"""A brand-new patient's first journey in Chromium, at 390 px: a nurse (password and a code from her app) finds
19121212-1212, Tolvan Tolvansson (the Tax Agency's published test person), whom the portal has never seen, registers
him, builds his care plan and signs out; then Tolvan signs in with e-ID through the test identity provider, running as
its own process, and sees his plan. axe-core on every page, ours and the provider's."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlmodel import Session, select

from portal import db
from portal.models import CarePlan, Patient, Role, User
from tests.e2e.conftest import assert_accessible, context_for, screenshot, share_plan, sign_in_with
from tests.idp import Provider

JONAS = "jonas.berg@demo.vardplan.se"  # demo nurse at Kirurg- och urologmottagningen
TOLVAN = "19121212-1212"
PLAN_URL = re.compile(r"/staff/plans/\d+(\?.*)?(#.*)?$")


def _checked(page: Page) -> None:
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)


def _nurse_registers_tolvan_and_builds_his_plan(page: Page) -> None:
    page.goto("/login")
    _checked(page)
    sign_in_with(page, JONAS)
    expect(page).to_have_url(re.compile(r"/staff/"))
    _checked(page)
    page.locator("#site-nav a[href='/staff/find']").click()
    _checked(page)
    page.locator("#q").fill(TOLVAN)
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator(".mv-list__item")).to_have_count(0)  # nobody by that number yet
    register = page.get_by_role("button", name="Registrera patient")
    expect(register).to_be_visible()
    assert_accessible(page)
    register.click()

    expect(page.locator("main h1")).to_have_text("Registrera en patient")
    expect(page.locator("main")).to_contain_text("1912-12-12")  # the birth date, read from the personal number
    assert_accessible(page)
    page.locator("#name").fill("Tolvan Tolvansson")
    page.locator("#email").fill("tolvan@example.se")
    page.get_by_role("button", name="Registrera och gör vårdplanen").click()

    expect(page.locator("main h1")).to_have_text("Ny vårdplan för Tolvan Tolvansson")
    assert_accessible(page)
    page.locator("#diagnosis").select_option("prostatacancer")
    page.locator("main form.mv-form button[type=submit]").click()

    expect(page).to_have_url(PLAN_URL)
    expect(page.locator(".mv-notice[role=status]")).to_be_visible()
    expect(page.locator(".mv-builder__item").first).to_be_visible()  # the plan has the diagnosis' items
    _checked(page)
    share_plan(page)  # a draft until now: Tolvan would see no plan
    page.locator("header form[action='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    _checked(page)


def _tolvan_signs_in_with_e_id(page: Page) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    expect(page.locator("h1")).to_have_text("Testinloggning med e-legitimation")  # the provider's own page
    assert_accessible(page)
    page.locator("#number").fill(TOLVAN)
    page.get_by_role("button", name=re.compile("^Logga in med numret")).click()

    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.locator("main h1")).to_have_text("Min vårdplan")
    expect(page.locator("main")).to_contain_text("Hej Tolvan")
    expect(page.locator("#diagnosis-heading")).to_be_visible()
    expect(page.locator("#diagnosis-heading").locator("xpath=..")).to_contain_text("Prostatacancer")
    assert_accessible(page)
    screenshot(page, "new-patient-plan-iphone13")


def test_new_patient_is_registered_by_a_nurse_and_signs_in_with_e_id_to_see_his_plan(
        browser: Browser, playwright: Playwright, live_server: str, app: Flask, eid: Provider, demo: None) -> None:
    with Session(db.get_engine(app)) as session:  # unknown before the journey
        assert session.exec(select(Patient).where(Patient.personal_id == TOLVAN.replace("-", ""))).first() is None

    nurse = context_for(browser, playwright, "iphone13", live_server)  # 390 px wide
    _nurse_registers_tolvan_and_builds_his_plan(nurse.new_page())
    nurse.close()

    patient = context_for(browser, playwright, "iphone13", live_server)  # his own phone: nothing shared with hers
    _tolvan_signs_in_with_e_id(patient.new_page())
    patient.close()

    with Session(db.get_engine(app)) as session:  # one patient, his plan, and the account e-ID made for him
        tolvan = session.exec(select(Patient).where(Patient.personal_id == TOLVAN.replace("-", ""))).one()
        assert session.exec(select(CarePlan).where(CarePlan.patient_id == tolvan.id)).one().template_key == (
            "prostatacancer")
        account = session.get(User, tolvan.user_id)
        assert account is not None
        assert account.role == Role.PATIENT
